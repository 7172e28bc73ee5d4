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
