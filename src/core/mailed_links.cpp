#include "core/mailed_links.hpp"

#include <spdlog/spdlog.h>

#include "core/email.hpp"
#include "core/security_log.hpp"
#include "crypto/digest.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/random.hpp"

namespace authd::core {
namespace {

constexpr std::string_view kVerifyPurpose = "verify";

struct Purpose {
  std::string_view name;    // the store's purpose
  std::string_view prefix;  // the token's tag: a token of one purpose is no token of another
};
constexpr Purpose kReset{store::kPasswordResetPurpose, "rst_"};
constexpr Purpose kVerify{kVerifyPurpose, "vfy_"};
constexpr Purpose kEmailChange{"email_change", "eml_"};
constexpr Purpose kEmailRevert{store::kEmailRevertPurpose, "rev_"};
// A reset link an administrator handed over by other means: spending it proves no mailbox.
constexpr Purpose kRecovery{"recovery", "rcv_"};
// What a revert leaves as the password (crypto::is_no_password): whoever had changed the address
// cannot sign in at the restored one; the owner resets it.
constexpr std::string_view kNoPassword = "!reverted";
static_assert(kNoPassword.front() == crypto::kNoPasswordMark);

std::string new_token(const Purpose& purpose) {
  return std::string(purpose.prefix) + crypto::random_token(32);
}

// The stored hash of a token as the client sent it; nothing for one that is not of `purpose`'s
// form (it cannot be live: one answer covers it and every other bad token).
std::optional<std::string> token_hash(std::string_view token, const Purpose& purpose) {
  constexpr std::size_t kMaxTokenBytes = 128;
  if (!token.starts_with(purpose.prefix) || token.size() > kMaxTokenBytes) return std::nullopt;
  return crypto::sha256_hex(token);
}

std::string link_for(std::string_view link_template, std::string_view token) {
  std::string link(link_template);
  const auto at = link.find("{token}");
  if (at != std::string::npos) link.replace(at, 7, token);
  return link;
}

}  // namespace

MailedLinks::MailedLinks(store::Store& store, AuthService& auth, Throttle& throttle,
                         const MailOutbox* outbox, const Clock& clock, LinkConfig config,
                         std::function<void()> queued, AuthEvents& events)
    : store_(store),
      auth_(auth),
      throttle_(throttle),
      outbox_(outbox),
      clock_(clock),
      config_(std::move(config)),
      queued_(std::move(queued)),
      events_(events) {}

AuthFailure MailedLinks::invalid(std::string_view purpose) {
  events_.action_token(purpose, "invalid");
  return AuthError::action_token_invalid;
}

Result<void> MailedLinks::admit_network(const ClientInfo& client) {
  auto admitted =
      throttle_.admit({ThrottleScope::mail_network, {}, client.network}, config_.per_network);
  if (!admitted) return from_store(admitted.error());
  if (admitted->wait.count() > 0) return AuthFailure(AuthError::throttled, admitted->wait);
  return {};
}

Result<bool> MailedLinks::admit_address(std::string_view purpose, const std::string& email_key) {
  const std::string subject = std::string(purpose) + " " + email_key;
  auto spaced = throttle_.admit({ThrottleScope::mail_address_spacing, subject, {}},
                                config_.per_address_spacing);
  if (!spaced) return from_store(spaced.error());
  auto hourly = throttle_.admit({ThrottleScope::mail_address_hourly, subject, {}},
                                config_.per_address_hourly);
  if (!hourly) return from_store(hourly.error());
  const bool within = spaced->wait.count() == 0 && hourly->wait.count() == 0;
  if (!within) events_.mail_throttled("address");
  return within;
}

std::optional<store::OutboxMessage> MailedLinks::notice(mail::Template which, const std::string& to,
                                                        util::TimePoint now) const {
  if (!outbox_) return std::nullopt;
  return outbox_->prepare(
      {.which = which, .to = to, .values = {{"app_name", config_.app_name}, {"email", to}}}, now,
      now + config_.notice_ttl);
}

void MailedLinks::mail_queued() const {
  if (queued_ && outbox_) queued_();
}

void MailedLinks::after_answer(const std::function<void()>& job) {
  if (!background_) {
    job();
  } else if (!background_(job)) {
    // Never before the answer: its time would tell the account. The client asks again.
    spdlog::warn("mail: the queue of lookups after the answer is full; a request was dropped");
    events_.mail_throttled("queue");
  }
}

Result<void> MailedLinks::forgot_password(std::string_view email, const ClientInfo& client) {
  if (!outbox_) return AuthError::mail_not_configured;
  const auto canonical = canonicalize_email(email);
  if (!canonical) return AuthError::invalid_email;
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  auto within = admit_address(kReset.name, canonical->key);
  if (!within) return within.error();
  if (!*within) return {};  // the same answer; no mail
  after_answer([this, email = *canonical, client] { mail_reset_link(email, client); });
  return {};
}

void MailedLinks::mail_reset_link(const CanonicalEmail& email, const ClientInfo& client) {
  auto found = store_.find_user_by_email(email.key);
  if (!found || !*found || !(*found)->is_active) return;  // no mail for no (active) account
  const store::UserRecord& user = **found;
  const util::TimePoint now = clock_.now();
  const util::TimePoint expires = now + config_.reset_ttl;
  const std::string token = new_token(kReset);
  auto issued = store_.issue_action_token(
      {.user_id = user.id,
       .purpose = std::string(kReset.name),
       .token_hash = crypto::sha256_hex(token),
       .email_key = email.key,
       .created_at = now,
       .expires_at = expires},
      outbox_->prepare({.which = mail::Template::reset_password,
                        .to = user.email,
                        .values = {{"app_name", config_.app_name},
                                   {"email", user.email},
                                   {"link", link_for(config_.reset_password_link, token)},
                                   {"expires_in", mail::describe_duration(config_.reset_ttl)}}},
                       now, expires));
  if (!issued || !*issued) return;  // the store logged a failure; a deactivation raced
  log_security_event("password_reset_requested", client, {{"user_id", user.id}});
  events_.action_token(kReset.name, "issued");
  mail_queued();
}

Result<void> MailedLinks::reset_password(std::string_view token, const std::string& new_password,
                                         const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  // A mailed reset link, or one an administrator handed over.
  const Purpose& purpose = token.starts_with(kRecovery.prefix) ? kRecovery : kReset;
  const auto hash = token_hash(token, purpose);
  if (!hash) return invalid(purpose.name);
  auto holder = store_.find_action_token(*hash, purpose.name, clock_.now());
  if (!holder) return from_store(holder.error());
  if (!*holder) return invalid(purpose.name);
  auto user = store_.find_user_by_id((*holder)->user_id);
  if (!user) return from_store(user.error());
  if (!*user) return invalid(purpose.name);
  auto password_hash = auth_.hash_new_password(**user, new_password);
  if (!password_hash) return password_hash.error();
  const util::TimePoint now = clock_.now();
  std::optional<store::OutboxMessage> told =
      notice(mail::Template::password_changed, (*user)->email, now);
  // The token is spent here, not above: a concurrent reset with the same token finds it spent.
  auto redeemed = store_.redeem_action_token({.token_hash = *hash,
                                              .purpose = std::string(purpose.name),
                                              .at = now,
                                              .password_hash = std::move(*password_hash),
                                              .mark_email_verified = &purpose == &kReset,
                                              .revoke_all_sessions = true,
                                              .notice = std::move(told)});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return invalid(purpose.name);
  log_security_event("password_reset", client, {{"user_id", **redeemed}});
  events_.action_token(purpose.name, "consumed");
  mail_queued();
  return {};
}

Result<void> MailedLinks::request_verification(const Principal& caller, const ClientInfo& client) {
  if (!outbox_) return AuthError::mail_not_configured;
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  if (caller.user.email_verified) return {};
  const auto canonical = canonicalize_email(caller.user.email);
  if (!canonical) return AuthError::invalid_email;
  auto within = admit_address(kVerify.name, canonical->key);
  if (!within) return within.error();
  if (!*within) return {};
  const util::TimePoint now = clock_.now();
  const util::TimePoint expires = now + config_.verify_ttl;
  const std::string token = new_token(kVerify);
  const std::string& to = caller.user.email;
  auto issued = store_.issue_action_token(
      {.user_id = caller.user_id,
       .purpose = std::string(kVerify.name),
       .token_hash = crypto::sha256_hex(token),
       .email_key = canonical->key,
       .created_at = now,
       .expires_at = expires},
      outbox_->prepare({.which = mail::Template::verify_email,
                        .to = to,
                        .values = {{"app_name", config_.app_name},
                                   {"email", to},
                                   {"link", link_for(config_.verify_email_link, token)},
                                   {"expires_in", mail::describe_duration(config_.verify_ttl)}}},
                       now, expires));
  if (!issued) return from_store(issued.error());
  if (!*issued) return AuthError::invalid_token;  // deactivated or changed meanwhile
  events_.action_token(kVerify.name, "issued");
  mail_queued();
  return {};
}

Result<std::string> MailedLinks::confirm_verification(std::string_view token,
                                                      const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  const auto hash = token_hash(token, kVerify);
  if (!hash) return invalid(kVerify.name);
  auto redeemed = store_.redeem_action_token({.token_hash = *hash,
                                              .purpose = std::string(kVerify.name),
                                              .at = clock_.now(),
                                              .mark_email_verified = true});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return invalid(kVerify.name);
  auto user = store_.find_user_by_id(**redeemed);
  if (!user) return from_store(user.error());
  if (!*user) return invalid(kVerify.name);
  log_security_event("email_verified", client, {{"user_id", (*user)->id}});
  events_.action_token(kVerify.name, "consumed");
  return (*user)->email;
}

Result<void> MailedLinks::request_email_change(const Principal& caller,
                                               const std::string& new_email,
                                               const std::string& current_password,
                                               const ClientInfo& client) {
  if (!outbox_) return AuthError::mail_not_configured;
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  auto user = auth_.verify_current_password(caller.user_id, current_password, client);
  if (!user) return user.error();
  const auto next = canonicalize_email(new_email);
  if (!next) return AuthError::invalid_email;
  const auto current = canonicalize_email(user->email);
  if (!current || current->key == next->key) return {};  // nothing to change
  auto within = admit_address(kEmailChange.name, next->key);
  if (!within) return within.error();
  if (!*within) return {};
  after_answer([this, id = user->id, current = *current, next = *next, client] {
    mail_email_change_link(id, current, next, client);
  });
  return {};
}

void MailedLinks::mail_email_change_link(std::int64_t user_id, const CanonicalEmail& current,
                                         const CanonicalEmail& next, const ClientInfo& client) {
  const util::TimePoint now = clock_.now();
  const util::TimePoint expires = now + config_.email_change_ttl;
  const std::string token = new_token(kEmailChange);
  auto issued = store_.issue_action_token(
      {.user_id = user_id,
       .purpose = std::string(kEmailChange.name),
       .token_hash = crypto::sha256_hex(token),
       .email_key = current.key,
       .created_at = now,
       .expires_at = expires,
       .new_email = next.display,
       .new_email_key = next.key},
      outbox_->prepare(
          {.which = mail::Template::email_change,
           .to = next.display,
           .values = {{"app_name", config_.app_name},
                      {"email", next.display},
                      {"link", link_for(config_.email_change_link, token)},
                      {"expires_in", mail::describe_duration(config_.email_change_ttl)}}},
          now, expires));
  // Not issued when the address is another account's or held for one: no mail (the requester
  // learns nothing of that account).
  if (!issued || !*issued) return;
  log_security_event("email_change_requested", client, {{"user_id", user_id}});
  events_.action_token(kEmailChange.name, "issued");
  mail_queued();
}

Result<std::string> MailedLinks::confirm_email_change(std::string_view token,
                                                      const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  const auto hash = token_hash(token, kEmailChange);
  if (!hash) return invalid(kEmailChange.name);
  const util::TimePoint now = clock_.now();
  auto found = store_.find_action_token(*hash, kEmailChange.name, now);
  if (!found) return from_store(found.error());
  if (!*found || !(*found)->new_email || !(*found)->new_email_key) {
    return invalid(kEmailChange.name);
  }
  auto user = store_.find_user_by_id((*found)->user_id);
  if (!user) return from_store(user.error());
  if (!*user) return invalid(kEmailChange.name);
  const auto old = canonicalize_email((*user)->email);
  if (!old) return invalid(kEmailChange.name);
  // The revert link goes to the old address, bound to the new one (a later change voids it).
  const std::string revert = new_token(kEmailRevert);
  const util::TimePoint revert_expires = now + config_.email_revert_ttl;
  std::optional<store::OutboxMessage> told;
  if (outbox_) {
    told = outbox_->prepare(
        {.which = mail::Template::email_changed,
         .to = (*user)->email,
         .values = {{"app_name", config_.app_name},
                    {"email", (*user)->email},
                    {"new_email", *(*found)->new_email},
                    {"link", link_for(config_.email_revert_link, revert)},
                    {"expires_in", mail::describe_duration(config_.email_revert_ttl)}}},
        now, revert_expires);
  }
  auto redeemed = store_.redeem_action_token(
      {.token_hash = *hash,
       .purpose = std::string(kEmailChange.name),
       .at = now,
       .apply_new_email = true,
       .revoke_all_sessions = true,
       .follow_up = store::NewActionToken{.user_id = (*user)->id,
                                          .purpose = std::string(kEmailRevert.name),
                                          .token_hash = crypto::sha256_hex(revert),
                                          .email_key = *(*found)->new_email_key,
                                          .created_at = now,
                                          .expires_at = revert_expires,
                                          .new_email = (*user)->email,
                                          .new_email_key = old->key},
       .notice = std::move(told)});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return invalid(kEmailChange.name);
  log_security_event("email_changed", client, {{"user_id", (*user)->id}});
  events_.action_token(kEmailChange.name, "consumed");
  events_.action_token(kEmailRevert.name, "issued");
  mail_queued();
  return *(*found)->new_email;
}

Result<void> MailedLinks::revert_email_change(std::string_view token, const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  const auto hash = token_hash(token, kEmailRevert);
  if (!hash) return invalid(kEmailRevert.name);
  auto redeemed = store_.redeem_action_token({.token_hash = *hash,
                                              .purpose = std::string(kEmailRevert.name),
                                              .at = clock_.now(),
                                              .password_hash = std::string(kNoPassword),
                                              .apply_new_email = true,
                                              .void_other_tokens = true,
                                              .revoke_all_sessions = true});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return invalid(kEmailRevert.name);
  log_security_event("email_change_reverted", client, {{"user_id", **redeemed}});
  events_.action_token(kEmailRevert.name, "consumed");
  return {};
}

Result<RecoveryLink> MailedLinks::recovery_link(const store::UserRecord& user, bool send_email) {
  if (send_email && !outbox_) return AuthError::mail_not_configured;
  const auto canonical = canonicalize_email(user.email);
  if (!canonical) return AuthError::invalid_email;
  const util::TimePoint now = clock_.now();
  const util::TimePoint expires = now + config_.recovery_ttl;
  const Purpose& purpose = send_email ? kReset : kRecovery;
  const std::string token = new_token(purpose);
  const std::string link = link_for(config_.reset_password_link, token);
  std::optional<store::OutboxMessage> mail;
  if (send_email) {
    mail = outbox_->prepare(
        {.which = mail::Template::reset_password,
         .to = user.email,
         .values = {{"app_name", config_.app_name},
                    {"email", user.email},
                    {"link", link},
                    {"expires_in", mail::describe_duration(config_.recovery_ttl)}}},
        now, expires);
  }
  // The sessions end first: should the link then fail to be issued, the administrator is told
  // and asks again, and no session outlived a link that was handed out (fail closed).
  if (auto revoked = store_.revoke_user_sessions(user.id, now); !revoked) {
    return from_store(revoked.error());
  }
  auto issued = store_.issue_action_token({.user_id = user.id,
                                           .purpose = std::string(purpose.name),
                                           .token_hash = crypto::sha256_hex(token),
                                           .email_key = canonical->key,
                                           .created_at = now,
                                           .expires_at = expires},
                                          mail);
  if (!issued) return from_store(issued.error());
  if (!*issued) return AuthError::account_disabled;
  events_.action_token(purpose.name, "issued");
  if (send_email) {
    mail_queued();
    return RecoveryLink{.expires_at = expires};
  }
  return RecoveryLink{.expires_at = expires, .url = link};
}

}  // namespace authd::core
