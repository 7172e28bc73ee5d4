#include "cli/users.hpp"

#include <iostream>

#include "cli/serve.hpp"
#include "core/auth_service.hpp"
#include "core/derived_keys.hpp"

namespace authd::cli {

int unlock_user(const GivenSettings& given, const std::string& email) {
  ServeConfig config = resolve(given, /*serving=*/false);
  load_existing_secrets(config);
  config.auth.throttle_key = core::throttle_key(config.key_encryption_key);
  const auto store = open_store(config, store::OpenMode::existing);
  core::SystemClock clock;
  core::AuthService auth(*store, crypto::PasswordHasher(config.password_hashing), clock,
                         config.auth);
  auto unlocked = auth.unlock(email);
  if (!unlocked) {
    if (unlocked.error() == core::AuthError::invalid_email) {
      std::cerr << "authd users unlock: not an email address authd accepts\n";
      return 2;
    }
    std::cerr << "authd users unlock: the store failed: " << unlocked.error() << "\n";
    return 1;
  }
  std::cout << "unlocked: the account's failed-login counts are forgotten (a network locked out "
               "of it by its own failures stays locked until its lock ends)\n";
  return 0;
}

}  // namespace authd::cli
