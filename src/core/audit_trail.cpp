#include "core/audit_trail.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <mutex>

namespace authd::core {
namespace {

// The security events the trail keeps, with how each ended and whether the user it names acted
// (a login, a logout) or was acted on by someone unauthenticated.
struct KeptEvent {
  std::string_view event;
  std::string_view outcome;
  bool actor_is_the_user;
};
constexpr KeptEvent kKeptEvents[] = {
    {"login_success", "success", true},
    {"login_failure", "failure", false},
    {"login_refused", "refused", false},
    {"lockout", "refused", false},
    {"refresh_token_reuse", "refused", false},
    {"registration", "success", true},
    {"logout", "success", true},
    {"logout_all", "success", true},
    {"admin_access_refused", "refused", true},
    {"current_password_incorrect", "failure", false},
    {"password_changed", "success", true},
    {"account_deactivated", "success", true},
    {"account_deleted", "success", true},
    {"password_reset_requested", "success", false},
    {"password_reset", "success", true},
    {"email_verified", "success", true},
    {"email_change_requested", "success", true},
    {"email_changed", "success", true},
    {"email_change_reverted", "success", true},
};

}  // namespace

std::string_view action_name(AdminAction action) {
  switch (action) {
    case AdminAction::user_created:
      return "user_created";
    case AdminAction::user_updated:
      return "user_updated";
    case AdminAction::account_disabled:
      return "account_disabled";
    case AdminAction::account_enabled:
      return "account_enabled";
    case AdminAction::account_unlocked:
      return "account_unlocked";
    case AdminAction::role_granted:
      return "role_granted";
    case AdminAction::role_revoked:
      return "role_revoked";
    case AdminAction::user_deleted:
      return "user_deleted";
    case AdminAction::sessions_revoked:
      return "sessions_revoked";
    case AdminAction::session_revoked:
      return "session_revoked";
    case AdminAction::password_set:
      return "password_set";
    case AdminAction::recovery_link_issued:
      return "recovery_link_issued";
    case AdminAction::role_created:
      return "role_created";
    case AdminAction::role_deleted:
      return "role_deleted";
    case AdminAction::accounts_imported:
      return "accounts_imported";
  }
  return "unknown";
}

std::vector<std::string_view> AuditTrail::actions() {
  std::vector<std::string_view> names;
  for (int i = 0; i < kAdminActionCount; ++i) {
    names.push_back(action_name(static_cast<AdminAction>(i)));
  }
  for (const KeptEvent& kept : kKeptEvents) names.push_back(kept.event);
  return names;
}

void AuditTrail::record(const Actor& actor, AdminAction action, std::optional<std::int64_t> target,
                        std::string_view outcome, std::optional<std::string> detail) {
  append(actor, action_name(action), target, outcome, std::move(detail));
}

void AuditTrail::append(const Actor& actor, std::string_view action,
                        std::optional<std::int64_t> target, std::string_view outcome,
                        std::optional<std::string> detail) {
  store::AuditRecord row{
      .at = clock_.now(),
      .actor = actor.name,
      .action = std::string(action),
      .target_user_id = target,
      .client = actor.client.address.empty() ? std::nullopt : std::optional(actor.client.address),
      .outcome = std::string(outcome),
      .detail = std::move(detail)};
  if (auto stored = store_.append_audit(row); !stored) {
    spdlog::error("audit: could not record {} ({}): {}", action, outcome, stored.error().message());
  }
}

void AuditTrail::record_security_event(std::string_view event, const ClientInfo& client,
                                       const boost::json::object& details) {
  const auto* kept = std::find_if(std::begin(kKeptEvents), std::end(kKeptEvents),
                                  [&](const KeptEvent& e) { return e.event == event; });
  if (kept == std::end(kKeptEvents)) return;
  std::optional<std::int64_t> user_id;
  if (const auto* id = details.if_contains("user_id"); id && id->is_int64()) {
    user_id = id->as_int64();
  }
  std::optional<std::string> detail;
  for (const char* key : {"scope", "reason"}) {
    if (const auto* value = details.if_contains(key); value && value->is_string()) {
      detail = std::string(value->as_string());
    }
  }
  const Actor actor = kept->actor_is_the_user && user_id
                          ? Actor::user(*user_id, client)
                          : Actor{.name = "anonymous", .client = client};
  append(actor, event, user_id, kept->outcome, std::move(detail));
}

std::optional<std::int64_t> AuditTrail::purge(std::chrono::hours retention) {
  auto purged = store_.purge_audit(clock_.now() - retention);
  if (!purged) {
    spdlog::error("audit: could not purge old rows: {}", purged.error().message());
    return std::nullopt;
  }
  return *purged;
}

void AuditTrail::purge_until_stopped(const std::stop_token& stop, std::chrono::hours retention,
                                     std::chrono::minutes every) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  while (!stop.stop_requested()) {
    if (const auto purged = purge(retention); purged && *purged > 0) {
      spdlog::info("audit: purged {} rows older than {} days", *purged,
                   std::chrono::duration_cast<std::chrono::days>(retention).count());
    }
    // Nothing notifies `wake`: it sleeps until `every` has passed or a stop is requested.
    wake.wait_for(lock, stop, every, [] { return false; });
  }
}

}  // namespace authd::core
