// The flows that mail a single-use link and redeem it: a forgotten password's reset and an
// email address's verification (NIST SP 800-63B 6.1.2.3 for recovery; OWASP Forgot Password
// Cheat Sheet). Each link's token is 32 random bytes with a purpose tag ("rst_", "vfy_"),
// stored only as its SHA-256, single-use, expiring, bound to the address it was sent to; a
// newer one voids the older, a new password voids all. The token rides in the link's fragment,
// which browsers never send to a server and scanners do not act on; only a JSON POST spends it.
//
// Nothing here tells whether an address has an account: forgot_password answers the same,
// after the same work (a token sealed, a write to the store), for an unknown address as for a
// known one; and the per-address limits (one mail a minute, five an hour, per purpose) stop
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
  std::chrono::seconds reset_ttl{std::chrono::hours(1)};
  std::chrono::seconds verify_ttl{std::chrono::hours(24)};
  std::chrono::seconds notice_ttl{std::chrono::hours(24)};  // a notice not sent by then is dropped
  std::string app_name = "authd";                           // in every mail
  RatePolicy per_network{.max_attempts = 30, .window = std::chrono::hours(1)};
  RatePolicy per_address_spacing{.max_attempts = 1, .window = std::chrono::seconds(60)};
  RatePolicy per_address_hourly{.max_attempts = 5, .window = std::chrono::hours(1)};
};

class MailedLinks {
 public:
  // `outbox` null: no mail transport; the routes that send mail answer mail_not_configured.
  // `queued` is called after a mail was queued (it wakes the sender).
  MailedLinks(store::Store& store, AuthService& auth, Throttle& throttle, const MailOutbox* outbox,
              const Clock& clock, LinkConfig config, std::function<void()> queued = {});

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

 private:
  Result<void> admit_network(const ClientInfo& client);
  // False when a mail of `purpose` to `email_key` would exceed the per-address limits.
  Result<bool> admit_address(std::string_view purpose, const std::string& email_key);
  OutgoingMail notice(mail::Template which, const std::string& to) const;

  store::Store& store_;
  AuthService& auth_;
  Throttle& throttle_;
  const MailOutbox* outbox_;
  const Clock& clock_;
  LinkConfig config_;
  std::function<void()> queued_;
};

}  // namespace authd::core
