// Brute-force protection for password logins. Failures are counted three ways (every letter
// case of an email is one account):
// - per account and client network: locks that one network out of that account quickly;
// - per account across all networks: a higher threshold against guessing from many networks;
// - per client network across accounts: credential stuffing.
// and the account's consecutive failures are capped (NIST SP 800-63B §5.2.2: at most 100),
// counted until a successful login whatever their pace.
//
// The account-wide limits (the all-networks counter and the cap) do not apply to a network
// from which the account has logged in successfully in the last `remember` (30 days): an
// attacker's failures elsewhere cannot lock the owner out of the places they use (the
// allow-list mitigation NIST SP 800-63B §5.2.2 suggests). Such a network keeps its own counter
// and its own cap of consecutive failures, so guessing from it (a shared office NAT, say) is
// bounded too. Consecutive failures are remembered for `remember` on accounts that exist; an
// unknown email's counters are forgotten after their quiet window, so a spray of made-up
// addresses leaves nothing lasting behind.
//
// A guard that cannot record a failure refuses the login (fail closed, ASVS 5.0 V6.3): wrong
// guesses must never become free because the store stopped taking writes.
#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/auth_error.hpp"
#include "core/auth_events.hpp"
#include "core/client_info.hpp"
#include "core/throttle.hpp"

namespace authd::core {

struct LoginGuardPolicy {
  FailurePolicy per_account_network{};
  FailurePolicy per_account{.max_failures = 50};
  FailurePolicy per_network{.max_failures = 100};
  std::int64_t consecutive_cap = 100;
  // How long a successful login vouches for its network, and how long consecutive failures
  // are remembered without a new one.
  std::chrono::hours remember{24 * 30};
};

class LoginGuard {
 public:
  // What admit() read, for failed() and succeeded() to update.
  struct Attempt {
    std::vector<ThrottleKey> keys;  // account-network (when there is a network), account,
                                    // network (when there is one)
    std::vector<store::ThrottleRecord> records;
    bool known_network = false;
  };

  LoginGuard(Throttle& throttle, LoginGuardPolicy policy, AuthEvents& events)
      : throttle_(throttle), policy_(policy), events_(events) {}

  // Reads the counters of a login to `account` (a canonical email) from `client`; `throttled`
  // with the time to wait when the attempt must be refused without evaluating the password.
  boost::system::result<Attempt, AuthFailure> admit(const std::string& account,
                                                    const ClientInfo& client);

  // Counts a failed attempt (`account_exists`: the email names an account); store_unavailable
  // when it could not be counted.
  boost::system::result<void, AuthFailure> failed(const Attempt& attempt, bool account_exists,
                                                  const ClientInfo& client);

  // A successful login: the account's counters are reset and the network is remembered as one
  // the owner uses. Best effort: the login has already succeeded.
  void succeeded(const Attempt& attempt);

  const LoginGuardPolicy& policy() const { return policy_; }

 private:
  Throttle& throttle_;
  LoginGuardPolicy policy_;
  AuthEvents& events_;
};

}  // namespace authd::core
