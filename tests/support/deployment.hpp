// What an integration test talks to, chosen by AUTHD_TEST_DEPLOYMENT (tests/CMakeLists.txt runs
// the suites once per kind): one authd on a temp SQLite file ("sqlite", the default), one authd
// on a fresh PostgreSQL database ("postgres"), or two authd instances on one PostgreSQL
// database behind nginx ("nginx").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/authd_process.hpp"
#include "support/nginx_process.hpp"

namespace authd::test {

class Deployment {
 public:
  enum class Kind { sqlite, postgres, nginx };
  static Kind kind_from_environment();

  // `args` go to every authd instance.
  explicit Deployment(Kind kind, std::vector<std::string> args = {});

  Kind kind() const { return kind_; }
  // Where clients connect: nginx's port, or the single instance's.
  std::uint16_t port() const;
  // SQL on the deployment's database.
  std::vector<Row> query(const std::string& sql) const { return instances_.front()->query(sql); }
  AuthdProcess& instance(std::size_t i) { return *instances_.at(i); }
  std::size_t size() const { return instances_.size(); }

 private:
  Kind kind_;
  std::vector<std::unique_ptr<AuthdProcess>> instances_;
  std::optional<NginxProcess> nginx_;
};

// The HS256 secret every instance of a PostgreSQL deployment shares (tests only).
inline constexpr const char* kSharedTestSecret = "integration-tests-shared-secret-0123456789";
// The key-encryption key every instance on one PostgreSQL database shares.
inline constexpr const char* kSharedTestKeyEncryptionKey =
    "integration-tests-shared-kek-0123456789abcd";

}  // namespace authd::test
