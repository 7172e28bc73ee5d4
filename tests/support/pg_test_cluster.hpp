// PostgreSQL for tests: the cluster CTest starts once per run (fixture "postgres", see
// tests/CMakeLists.txt), a fresh empty database in it per test, and private clusters for tests
// that must stop their server (outages).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/raw_db.hpp"

namespace authd::test {

// A new empty database in the shared cluster; returns its URI. Throws with a hint when the
// cluster is not running (start it with tests/pg/pg_cluster.sh start <build>/pg-cluster).
std::string create_test_database();

// Runs one statement against a PostgreSQL URI; rows as text, NULL as nullopt. Throws on error.
std::vector<Row> pg_query(const std::string& uri, const std::string& sql);

// A cluster of the test's own, stopped and removed when it goes out of scope.
class PrivateCluster {
 public:
  PrivateCluster();
  ~PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;

  const std::string& uri() const { return uri_; }
  void pause();   // stops the server, keeps the data: an outage
  void resume();  // starts it again on the same port

 private:
  std::filesystem::path dir_;
  std::string uri_;
};

}  // namespace authd::test
