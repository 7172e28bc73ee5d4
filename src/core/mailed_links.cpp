#include "core/mailed_links.hpp"

#include "core/email.hpp"
#include "core/security_log.hpp"
#include "crypto/digest.hpp"
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
                         std::function<void()> queued)
    : store_(store),
      auth_(auth),
      throttle_(throttle),
      outbox_(outbox),
      clock_(clock),
      config_(std::move(config)),
      queued_(std::move(queued)) {}

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
  return spaced->wait.count() == 0 && hourly->wait.count() == 0;
}

OutgoingMail MailedLinks::notice(mail::Template which, const std::string& to) const {
  return {.which = which, .to = to, .values = {{"app_name", config_.app_name}, {"email", to}}};
}

Result<void> MailedLinks::forgot_password(std::string_view email, const ClientInfo& client) {
  if (!outbox_) return AuthError::mail_not_configured;
  const auto canonical = canonicalize_email(email);
  if (!canonical) return AuthError::invalid_email;
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  auto within = admit_address(kReset.name, canonical->key);
  if (!within) return within.error();
  if (!*within) return {};  // the same answer; no mail

  auto found = store_.find_user_by_email(canonical->key);
  if (!found) return from_store(found.error());
  const util::TimePoint now = clock_.now();
  const util::TimePoint expires = now + config_.reset_ttl;
  const bool known = *found && (*found)->is_active;
  // An unknown address costs what a known one does: a token, a sealed mail, a write.
  const std::string token = new_token(kReset);
  const std::string to = known ? (*found)->email : canonical->display;
  const store::OutboxMessage mail =
      outbox_->prepare({.which = mail::Template::reset_password,
                        .to = to,
                        .values = {{"app_name", config_.app_name},
                                   {"email", to},
                                   {"link", link_for(config_.reset_password_link, token)},
                                   {"expires_in", mail::describe_duration(config_.reset_ttl)}}},
                       now, expires);
  if (!known) {
    if (auto written = store_.check_writable(now); !written) return from_store(written.error());
    return {};
  }
  auto issued = store_.issue_action_token({.user_id = (*found)->id,
                                           .purpose = std::string(kReset.name),
                                           .token_hash = crypto::sha256_hex(token),
                                           .email_key = canonical->key,
                                           .created_at = now,
                                           .expires_at = expires},
                                          mail);
  if (!issued) return from_store(issued.error());
  if (*issued) {
    log_security_event("password_reset_requested", client, {{"user_id", (*found)->id}});
    if (queued_) queued_();
  }
  return {};
}

Result<void> MailedLinks::reset_password(std::string_view token, const std::string& new_password,
                                         const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  const auto hash = token_hash(token, kReset);
  if (!hash) return AuthError::action_token_invalid;
  auto holder = store_.find_action_token(*hash, kReset.name, clock_.now());
  if (!holder) return from_store(holder.error());
  if (!*holder) return AuthError::action_token_invalid;
  auto user = store_.find_user_by_id(**holder);
  if (!user) return from_store(user.error());
  if (!*user) return AuthError::action_token_invalid;
  auto password_hash = auth_.hash_new_password(**user, new_password);
  if (!password_hash) return password_hash.error();
  const util::TimePoint now = clock_.now();
  std::optional<store::OutboxMessage> told;
  if (outbox_) {
    told = outbox_->prepare(notice(mail::Template::password_changed, (*user)->email), now,
                            now + config_.notice_ttl);
  }
  // The token is spent here, not above: a concurrent reset with the same token finds it spent.
  auto redeemed = store_.redeem_action_token({.token_hash = *hash,
                                              .purpose = std::string(kReset.name),
                                              .at = now,
                                              .password_hash = std::move(*password_hash),
                                              .mark_email_verified = true,
                                              .revoke_all_sessions = true,
                                              .notice = std::move(told)});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return AuthError::action_token_invalid;
  log_security_event("password_reset", client, {{"user_id", **redeemed}});
  if (queued_ && outbox_) queued_();
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
  if (queued_) queued_();
  return {};
}

Result<std::string> MailedLinks::confirm_verification(std::string_view token,
                                                      const ClientInfo& client) {
  if (auto admitted = admit_network(client); !admitted) return admitted.error();
  const auto hash = token_hash(token, kVerify);
  if (!hash) return AuthError::action_token_invalid;
  auto redeemed = store_.redeem_action_token({.token_hash = *hash,
                                              .purpose = std::string(kVerify.name),
                                              .at = clock_.now(),
                                              .mark_email_verified = true});
  if (!redeemed) return from_store(redeemed.error());
  if (!*redeemed) return AuthError::action_token_invalid;
  auto user = store_.find_user_by_id(**redeemed);
  if (!user) return from_store(user.error());
  if (!*user) return AuthError::action_token_invalid;
  log_security_event("email_verified", client, {{"user_id", (*user)->id}});
  return (*user)->email;
}

}  // namespace authd::core
