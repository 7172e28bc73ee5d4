// The flows that mail a single-use link and redeem it: a forgotten password's reset, an email
// address's verification, and an email change (confirmed from the new address, revertible from
// the old one) (NIST SP 800-63B 6.1.2.3 for recovery; OWASP Forgot Password
// Cheat Sheet). Each link's token is 32 random bytes with a purpose tag ("rst_", "vfy_"),
// stored only as its SHA-256, single-use, expiring, bound to the address it was sent to; a
// newer one voids the older, a new password voids all. The token rides in the link's fragment,
// which browsers never send to a server and scanners do not act on; only a JSON POST spends it.
//
// Nothing here tells whether an address has an account: forgot_password (and an email change's
// request, for the address asked for) does the same work for every address before it answers
// (the counters below), and looks the address up only after, in the background, so neither
// its answer nor its time depends on the account (tests/unit/forgot_timing_test.cpp); and the
// per-address limits (one mail a minute, five an hour, per purpose) stop
// a mailbox from being flooded without ever refusing: beyond them the answer is the same and
// no mail is queued. The per-network limit on these routes does refuse (429), as it says
// nothing about any account.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/auth_service.hpp"
#include "core/clock.hpp"
#include "core/email.hpp"
#include "core/mail_outbox.hpp"
#include "core/session_service.hpp"
#include "core/throttle.hpp"
#include "store/store.hpp"

namespace authd::core {

struct LinkConfig {
  // The links mailed, with {token} for the token (keep it after '#': a fragment never reaches
  // a server's logs or a Referer); the default is authd's own account pages.
  std::string reset_password_link{};
  std::string verify_email_link{};
  std::string email_change_link{};
  std::string email_revert_link{};
  std::chrono::seconds reset_ttl{std::chrono::hours(1)};
  std::chrono::seconds verify_ttl{std::chrono::hours(24)};
  std::chrono::seconds email_change_ttl{std::chrono::hours(1)};
  std::chrono::seconds email_revert_ttl{std::chrono::hours(24 * 7)};
  std::chrono::seconds recovery_ttl{std::chrono::hours(72)};  // an administrator's reset link
  std::chrono::seconds notice_ttl{std::chrono::hours(24)};  // a notice not sent by then is dropped
  std::string app_name = "authd";                           // in every mail
  RatePolicy per_network{.max_attempts = 30, .window = std::chrono::minutes(5)};
  RatePolicy per_address_spacing{.max_attempts = 1, .window = std::chrono::seconds(60)};
  RatePolicy per_address_hourly{.max_attempts = 5, .window = std::chrono::hours(1)};
};

// A password reset link an administrator issued: mailed, or handed to them once (url).
struct RecoveryLink {
  util::TimePoint expires_at{};
  std::optional<std::string> url{};
};

// Runs a job after the request is answered (authd: on a thread of its own); false when it
// cannot (a full queue): the job is then dropped, never run before the answer.
using Background = std::function<bool(std::function<void()>)>;

class MailedLinks {
 public:
  // `outbox` null: no mail transport; the routes that send mail answer mail_not_configured.
  // `queued` is called after a mail was queued (it wakes the sender).
  MailedLinks(store::Store& store, AuthService& auth, Throttle& throttle, const MailOutbox* outbox,
              const Clock& clock, LinkConfig config, std::function<void()> queued = {},
              AuthEvents& events = no_auth_events());

  // Where the lookups that could tell an account run; none: before the answer.
  void run_in_background(Background background) { background_ = std::move(background); }

  // Always succeeds for a valid address, account or not (see above).
  Result<void> forgot_password(std::string_view email, const ClientInfo& client);
  // Sets the password (the registration policy applies), proves the mailbox, and ends every
  // session of the account and every seed JWT issued until now; the owner is told by mail.
  Result<void> reset_password(std::string_view token, const std::string& new_password,
                              const ClientInfo& client);
  // Mails the caller a verification link, unless their address is verified already.
  Result<void> request_verification(const Principal& caller, const ClientInfo& client);
  // The address the token proved.
  Result<std::string> confirm_verification(std::string_view token, const ClientInfo& client);

  // Proven with the current password: mails a confirmation link to `new_email`. The answer is
  // the same, and nothing is mailed, when another account has that address (an owner learns
  // nothing of other accounts) or it is the account's own already.
  Result<void> request_email_change(const Principal& caller, const std::string& new_email,
                                    const std::string& current_password, const ClientInfo& client);
  // Sets the new address (verified: its mailbox was proven), ends every session and seed JWT
  // (the login name changed), and mails the old address a notice with a revert link. The new
  // address; email_taken when another account took it meanwhile.
  Result<std::string> confirm_email_change(std::string_view token, const ClientInfo& client);
  // Restores the address the revert link was sent to, ends every session, voids every token and
  // leaves no password that works: whoever changed it is out, and the owner resets the password
  // next (to the restored address). The link survives password and address changes.
  Result<void> revert_email_change(std::string_view token, const ClientInfo& client);

  // An administrator's recovery of `user`: a password reset link valid recovery_ttl, mailed or
  // returned (then spending it does not mark the address verified: no mailbox was proven), and
  // every session of the user ended (the account may be in someone else's hands).
  // mail_not_configured when it is to be mailed and cannot be; account_disabled for a disabled
  // account.
  Result<RecoveryLink> recovery_link(const store::UserRecord& user, bool send_email);

  // A notice to `to` (the password changed, the account was deactivated) to queue with the
  // change it tells of; nothing without a mail transport.
  std::optional<store::OutboxMessage> notice(mail::Template which, const std::string& to,
                                             util::TimePoint now) const;
  // Wakes the sender after a mail was queued.
  void mail_queued() const;

 private:
  Result<void> admit_network(const ClientInfo& client);
  // False when a mail of `purpose` to `email_key` would exceed the per-address limits.
  Result<bool> admit_address(std::string_view purpose, const std::string& email_key);
  // action_token_invalid, counted.
  AuthFailure invalid(std::string_view purpose);
  // `job` in the background, or now.
  void after_answer(const std::function<void()>& job);
  // The lookups and writes behind forgot_password and request_email_change, after the answer;
  // a failure is logged (the client was answered already).
  void mail_reset_link(const CanonicalEmail& email, const ClientInfo& client);
  void mail_email_change_link(std::int64_t user_id, const CanonicalEmail& current,
                              const CanonicalEmail& next, const ClientInfo& client);

  store::Store& store_;
  AuthService& auth_;
  Throttle& throttle_;
  const MailOutbox* outbox_;
  const Clock& clock_;
  LinkConfig config_;
  std::function<void()> queued_;
  AuthEvents& events_;
  Background background_;
};

}  // namespace authd::core
