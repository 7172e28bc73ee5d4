#include "support/deployment.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "support/pg_test_cluster.hpp"

namespace authd::test {

Deployment::Kind Deployment::kind_from_environment() {
  const char* value = std::getenv("AUTHD_TEST_DEPLOYMENT");
  const std::string kind = value ? value : "sqlite";
  if (kind == "sqlite") return Kind::sqlite;
  if (kind == "postgres") return Kind::postgres;
  if (kind == "nginx") return Kind::nginx;
  throw std::invalid_argument("AUTHD_TEST_DEPLOYMENT must be sqlite, postgres or nginx");
}

Deployment::Deployment(Kind kind, std::vector<std::string> args) : kind_(kind) {
  if (kind == Kind::sqlite) {
    instances_.push_back(std::make_unique<AuthdProcess>(AuthdProcess::Options{.args = args}));
    return;
  }
  const std::string database = create_test_database();
  // A suite may bring its own seed JWT secret (an imported app's); otherwise the shared one.
  if (std::find(args.begin(), args.end(), "--jwt-secret") == args.end()) {
    args.insert(args.end(), {"--jwt-secret", kSharedTestSecret});
  }
  args.insert(args.end(), {"--key-encryption-key", kSharedTestKeyEncryptionKey});
  const int count = kind == Kind::nginx ? 2 : 1;
  for (int i = 0; i < count; ++i) {
    instances_.push_back(
        std::make_unique<AuthdProcess>(AuthdProcess::Options{.args = args, .database = database}));
  }
  if (kind == Kind::nginx)
    nginx_.emplace(std::vector{instances_[0]->port(), instances_[1]->port()});
}

std::uint16_t Deployment::port() const {
  return nginx_ ? nginx_->port() : instances_.front()->port();
}

}  // namespace authd::test
