#include "fuzz_stack.hpp"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#include "api/routes.hpp"
#include "crypto/sealing.hpp"

namespace authd::fuzz {
namespace {

constexpr std::int64_t kNowMillis = 1742995117241;  // 2025-03-26T13:18:37.241Z
constexpr std::size_t kStoreConnections = 2;

crypto::PasswordHashConfig cheap_hashing() {
  return {.algorithm = crypto::PasswordAlgorithm::argon2id,
          .argon2_opslimit = 1,
          .argon2_memlimit = 8 * 1024 * 1024,
          .bcrypt_cost = 4};
}

std::string make_temp_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "authd-fuzz-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temp folder for the fuzz store");
  }
  return pattern;
}

std::string& directory_to_remove() {
  static std::string directory;
  return directory;
}

void remove_directory() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_to_remove(), ignored);
}

}  // namespace

Stack::Stack(std::string dir)
    : directory(std::move(dir)),
      store((std::filesystem::path(directory) / "authd.db").string(), kStoreConnections),
      clock(util::from_unix_millis(kNowMillis)),
      auth(store, crypto::PasswordHasher(cheap_hashing()), clock, core::AuthConfig{}, metrics),
      tokens("fuzz-jwt-secret-0123456789abcdef0123", clock),
      keys(store, crypto::derive_sealing_key("fuzz-key-encryption-key-0123456789abcdef"), clock,
           {}),
      sessions(store, keys, clock, {}, "fuzz-refresh-rotation-key-0123456789abcd"),
      credentials(auth, tokens, sessions),
      accounts(store, auth, clock),
      mail_throttle(store, clock, "fuzz-throttle-key-0123456789abcdef0123"),
      outbox(std::string(32, 'm'), "fuzz.invalid"),
      links(store, auth, mail_throttle, &outbox, clock,
            {.reset_password_link = "http://fuzz.invalid/#token={token}",
             .verify_email_link = "http://fuzz.invalid/#token={token}"}),
      audit(store, clock),
      admin(store, auth, audit, clock, &links),
      gateway(store, sessions, "fuzz-jwt-secret-0123456789abcdef0123", clock) {
  keys.load();
  api::add_routes(router, {.auth = auth,
                           .credentials = credentials,
                           .sessions = sessions,
                           .accounts = accounts,
                           .links = links,
                           .keys = keys,
                           .admin = admin,
                           .gateway = gateway,
                           .metrics = metrics,
                           .pages = {.account = true, .admin_console = true}});
}

Stack& stack() {
  static Stack* const instance = [] {
    // Expected failures are logged at warn and below; only errors are worth the noise.
    spdlog::set_level(spdlog::level::err);
    directory_to_remove() = make_temp_directory();
    std::atexit(remove_directory);
    return new Stack(directory_to_remove());
  }();
  return *instance;
}

}  // namespace authd::fuzz
