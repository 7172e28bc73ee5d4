// What the auth core reports as it works, for metrics. The core calls it; observability
// implements it; a service built without one reports to NoAuthEvents.
#pragma once

#include <string_view>

namespace authd::core {

class AuthEvents {
 public:
  virtual ~AuthEvents() = default;
  // "success", "wrong_password", "unknown_account", "disabled", "throttled"
  virtual void login(std::string_view outcome) = 0;
  // "account", "address", "registration"
  virtual void lockout(std::string_view scope) = 0;
  virtual void store_error() = 0;
  // /v1 refresh outcomes: "rotated", "grace_replay", "reused" (the session was revoked),
  // "invalid"
  virtual void refresh(std::string_view outcome) = 0;
  // Mailed links by purpose ("reset", "verify", "email_change", "email_revert"): "issued",
  // "consumed", "invalid" (any bad token).
  virtual void action_token(std::string_view /*purpose*/, std::string_view /*outcome*/) {}
  // A mail not queued because its address had its share (scope "address").
  virtual void mail_throttled(std::string_view /*scope*/) {}
  // How a mail's attempt ended, by template: "sent", "retried", "failed", "expired".
  virtual void mail(std::string_view /*template_name*/, std::string_view /*outcome*/) {}
};

class NoAuthEvents final : public AuthEvents {
 public:
  void login(std::string_view) override {}
  void lockout(std::string_view) override {}
  void store_error() override {}
  void refresh(std::string_view) override {}
};

inline AuthEvents& no_auth_events() {
  static NoAuthEvents none;
  return none;
}

}  // namespace authd::core
