// The first administrator of a deployment, made as an operator makes one: `authd users create
// --role authd:admin` against the deployment's store, the password on standard input.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "support/command.hpp"
#include "support/deployment.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {

// The options that point `authd users` at the deployment's store (on PostgreSQL with the key
// every instance shares).
inline std::string store_options(Deployment& deployment) {
  std::string options = "--database " + deployment.instance(0).database_option();
  if (deployment.kind() != Deployment::Kind::sqlite) {
    options += std::string(" --key-encryption-key ") + kSharedTestKeyEncryptionKey;
  }
  return options;
}

// The new administrator's id, or 0 (with a test failure).
inline std::int64_t create_administrator_with_cli(const std::string& store,
                                                  const std::string& email,
                                                  const std::string& password) {
  TempDir dir;
  // Parenthesised: run_command adds 2>&1 for the whole line; the output is standard output.
  const auto created = run_command(
      "(printf '%s' '" + password + "' | " + AUTHD_BINARY + " users create --email " + email +
      " --role authd:admin --password-stdin " + store + " 2>" + dir.file("stderr") + ")");
  std::stringstream errors;
  errors << std::ifstream(dir.file("stderr")).rdbuf();
  EXPECT_EQ(created.exit_status, 0) << created.output << errors.str();
  return created.exit_status == 0 ? std::stoll(created.output) : 0;
}

}  // namespace authd::test
