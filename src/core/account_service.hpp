// What an owner does to their own account, each step proven with the current password
// (AuthService::verify_current_password; ASVS 5.0 6.2.3): change the password, deactivate the
// account, delete it. What each does to sessions, at once and on every instance (each session is
// read from the store on every request):
// - a password change keeps the session it came from and ends every other one, and voids every
//   seed JWT issued until then: whoever else held the old password is signed out everywhere;
// - deactivation ends every session (the store's trigger does, however is_active changes);
// - deletion removes the account with its sessions and roles.
// The owner is told by mail (with a mail transport) when the password changed or the account was
// deactivated: whoever else made the change cannot hide it.
// The last active administrator can neither deactivate nor delete themself
// (last_administrator): an administrator appoints a successor first.
#pragma once

#include <string>

#include "core/auth_service.hpp"
#include "core/clock.hpp"
#include "core/mailed_links.hpp"
#include "core/session_service.hpp"
#include "store/store.hpp"

namespace authd::core {

class AccountService {
 public:
  // `mail`: the notices' sender; none without a mail transport.
  AccountService(store::Store& store, AuthService& auth, const Clock& clock,
                 const MailedLinks* mail = nullptr)
      : store_(store), auth_(auth), clock_(clock), mail_(mail) {}

  Result<void> change_password(const Principal& caller, const std::string& current_password,
                               const std::string& new_password, const ClientInfo& client);
  Result<void> deactivate(const Principal& caller, const std::string& current_password,
                          const ClientInfo& client);
  Result<void> remove(const Principal& caller, const std::string& current_password,
                      const ClientInfo& client);

 private:
  store::Store& store_;
  AuthService& auth_;
  const Clock& clock_;
  const MailedLinks* mail_;
};

}  // namespace authd::core
