#include "cli/admin_tool.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>

#include "core/derived_keys.hpp"

namespace authd::cli {

AdminTool::AdminTool(const GivenSettings& given) : config(resolve(given, /*serving=*/false)) {
  load_existing_secrets(config);
  config.auth.throttle_key = core::throttle_key(config.key_encryption_key);
  store = open_store(config, store::OpenMode::existing);
  auth = std::make_unique<core::AuthService>(
      *store, crypto::PasswordHasher(config.password_hashing), clock, config.auth);
  audit = std::make_unique<core::AuditTrail>(*store, clock);
  admin = std::make_unique<core::UserAdmin>(*store, *auth, *audit, clock);
}

int exit_code(core::AuthError error) {
  switch (error) {
    case core::AuthError::user_not_found:
    case core::AuthError::role_not_found:
    case core::AuthError::session_not_found:
      return not_found;
    case core::AuthError::email_taken:
    case core::AuthError::role_taken:
    case core::AuthError::role_in_use:
    case core::AuthError::last_administrator:
    case core::AuthError::confirmation_required:
      return conflict;
    case core::AuthError::store_unavailable:
    case core::AuthError::internal:
      return store_failed;
    default:
      return refused;
  }
}

int fail(std::string_view command, const core::AuthFailure& failure) {
  std::string reason = make_error_code(failure.code).message();
  if (failure.limit > 0) reason += " (limit " + std::to_string(failure.limit) + ")";
  if (failure.code == core::AuthError::last_administrator) {
    reason += ": appoint another administrator first";
  } else if (failure.code == core::AuthError::role_in_use) {
    reason += ": --force deletes it and takes it from its holders";
  }
  std::cerr << "authd " << command << ": " << reason << "\n";
  return exit_code(failure.code);
}

void log_to_stderr() {
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("authd", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  const auto print = [&widths](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print(header);
  for (const auto& row : rows) print(row);
}

}  // namespace authd::cli
