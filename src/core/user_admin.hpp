// What an administrator does to accounts and roles, for the CLI and the admin API alike: find
// and list accounts, create, change, disable and delete them, give and take roles, end their
// sessions, and read the audit trail. Accounts are named by id (digits) or by email, in any
// letter case. Every change is recorded in the audit trail with its actor.
//
// Two rules keep administrators from locking everyone out: no change may leave the store
// without an active holder of the administrators' role (last_administrator; the store checks it
// in the same transaction, so two administrators disabling each other cannot both succeed), and
// an administrator who would take their own access away must say so (force), or the change is
// refused with confirmation_required.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit_trail.hpp"
#include "core/auth_service.hpp"
#include "core/clock.hpp"
#include "core/mailed_links.hpp"
#include "core/user_view.hpp"
#include "store/store.hpp"

namespace authd::core {

// What update() changes; what is not set stays as it is.
struct AccountChanges {
  std::optional<std::optional<std::string>> first_name{};  // a set nullopt clears the name
  std::optional<std::optional<std::string>> last_name{};
  std::optional<std::string> email{};
  std::optional<bool> active{};
  std::optional<std::vector<std::string>> roles{};  // the whole list, in order
};

struct UserPage {
  std::vector<UserView> users{};
  std::optional<std::int64_t> next_after_id{};  // where the next page starts; none after the last
};

struct AuditPage {
  std::vector<store::AuditRecord> events{};
  std::optional<std::int64_t> next_before_id{};
};

// A live session as an administrator sees it.
struct SessionView {
  std::string id{};
  store::SessionFamily family = store::SessionFamily::opaque;
  util::TimePoint created_at{};
  std::optional<util::TimePoint> last_used_at{};
  util::TimePoint expires_at{};
  std::string user_agent{};
};

inline constexpr std::size_t kMaxPageSize = 200;

class UserAdmin {
 public:
  // `mail`: for recovery links and the owner's notices; none (the CLI) sends nothing.
  UserAdmin(store::Store& store, AuthService& auth, AuditTrail& audit, const Clock& clock,
            MailedLinks* mail = nullptr)
      : store_(store), auth_(auth), audit_(audit), clock_(clock), mail_(mail) {}

  // The actor for an admin API call by `user_id`: only while they are active and hold the
  // administrators' role, read from the store on every call (so a revoked role stops working
  // at once). not_administrator otherwise, logged as a security event (and so recorded in the
  // audit trail of a server).
  Result<Actor> administrator(std::int64_t user_id, const ClientInfo& client);

  // user_not_found when nobody has that id or email; invalid_email for neither an id nor an
  // address in the grammar.
  Result<UserView> find(std::string_view who);
  // `query.limit` is capped at kMaxPageSize; the email prefix is matched case-insensitively.
  Result<UserPage> list(store::UserQuery query);

  // See AuthService::create_account.
  Result<UserView> create(const Actor& actor, const RegistrationRequest& request);
  // Names, email (checked and canonicalised as at registration), active flag and roles, in one
  // transaction. Deactivating ends every session of the user at once, on every instance;
  // reactivating revives none.
  Result<UserView> update(const Actor& actor, std::string_view who, const AccountChanges& changes,
                          bool force = false);
  Result<UserView> set_active(const Actor& actor, std::string_view who, bool active,
                              bool force = false);
  // role_not_found for a role that does not exist (for both: a typo must not pass as done);
  // adding a role held, or removing one not held, changes nothing and is no error.
  Result<UserView> add_role(const Actor& actor, std::string_view who, std::string_view role);
  Result<UserView> remove_role(const Actor& actor, std::string_view who, std::string_view role,
                               bool force = false);
  // See AuthService::unlock; recorded with the account's id when there is one.
  Result<void> unlock(const Actor& actor, std::string_view email);
  // Deletes the account with its roles and sessions; the audit trail keeps its id only.
  Result<void> remove(const Actor& actor, std::string_view who, bool force = false);

  // A new password for the user (the registration policy applies): every session of theirs and
  // every seed JWT ends, every mailed link is void, and they are told by mail.
  Result<void> set_password(const Actor& actor, std::string_view who, const std::string& password);
  // See MailedLinks::recovery_link; mail_not_configured without mail.
  Result<RecoveryLink> recovery_link(const Actor& actor, std::string_view who, bool send_email);

  // The user's live sessions, oldest first.
  Result<std::vector<SessionView>> sessions(std::string_view who);
  // Ends every session of the user; returns how many.
  Result<std::int64_t> revoke_sessions(const Actor& actor, std::string_view who);
  // Ends one live session of the user, of either kind (the id `sessions` lists);
  // session_not_found when the user has no such live session.
  Result<void> revoke_session(const Actor& actor, std::string_view who,
                              std::string_view session_id);

  Result<std::vector<store::RoleRecord>> roles();
  // invalid_roles for a name valid_role_name refuses or in the reserved "authd:" namespace.
  Result<void> create_role(const Actor& actor, std::string_view name);
  // A role someone holds needs `force` (and is taken from them); reserved roles and the default
  // role of registrations cannot go (role_protected).
  Result<void> delete_role(const Actor& actor, std::string_view name, bool force);

  // Newest first, `limit` capped at kMaxPageSize.
  Result<AuditPage> audit(std::int64_t before_id, std::size_t limit);

 private:
  Result<store::UserRecord> find_record(std::string_view who);
  Result<UserView> reread(std::int64_t id);
  // Records the outcome of `action` on `target` and passes `result` on.
  template <class T>
  Result<T> recorded(const Actor& actor, AdminAction action, std::int64_t target, Result<T> result,
                     std::optional<std::string> detail = std::nullopt);
  // Logs the action as a security event and records it in the audit trail.
  void note(const Actor& actor, AdminAction action, std::optional<std::int64_t> target,
            std::string_view outcome, std::optional<std::string> detail = std::nullopt);
  Result<std::vector<std::string>> checked_roles(const std::vector<std::string>& roles);

  store::Store& store_;
  AuthService& auth_;
  AuditTrail& audit_;
  const Clock& clock_;
  MailedLinks* mail_;
};

}  // namespace authd::core
