// What an operator does to accounts: find one, create one with any roles (the administrators'
// role included), switch it off and on, give and take roles. The CLI uses it today; the admin
// API will. Accounts are named by id (digits) or by email, in any letter case. Every answer is
// a UserView, read back from the store after the change.
#pragma once

#include <string_view>

#include "core/auth_service.hpp"
#include "core/clock.hpp"
#include "core/user_view.hpp"
#include "store/store.hpp"

namespace authd::core {

class UserAdmin {
 public:
  UserAdmin(store::Store& store, AuthService& auth, const Clock& clock)
      : store_(store), auth_(auth), clock_(clock) {}

  // user_not_found when nobody has that id or email; invalid_email for neither an id nor an
  // address in the grammar.
  Result<UserView> find(std::string_view who);

  // See AuthService::create_account.
  Result<UserView> create(const RegistrationRequest& request);

  // Deactivating ends every session of the user at once, on every instance; reactivating
  // revives none of them.
  Result<UserView> set_active(std::string_view who, bool active);

  // role_not_found for a role that does not exist (for both: a typo must not pass as done);
  // adding a role held, or removing one not held, changes nothing and is no error.
  Result<UserView> add_role(std::string_view who, std::string_view role);
  Result<UserView> remove_role(std::string_view who, std::string_view role);

 private:
  Result<store::UserRecord> find_record(std::string_view who);
  Result<UserView> reread(std::int64_t id);
  Result<UserView> change_role(std::string_view who, std::string_view role, bool give);

  store::Store& store_;
  AuthService& auth_;
  const Clock& clock_;
};

}  // namespace authd::core
