#include "support/pg_test_cluster.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include "support/command.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

std::string run_script(const std::string& arguments) {
  const std::string command = std::string(AUTHD_TEST_PG_SCRIPT) + " " + arguments;
  CommandResult result = run_command(command);
  if (result.exit_status != 0) {
    throw std::runtime_error(command + " failed:\n" + result.output);
  }
  return std::move(result.output);
}

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string with_database(const std::string& uri, const std::string& name) {
  return uri.substr(0, uri.rfind('/') + 1) + name;
}

}  // namespace

std::vector<Row> pg_query(const std::string& uri, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(uri.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to " + uri + ": " + PQerrorMessage(conn.get()));
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(result.get()));
  }
  std::vector<Row> rows;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    Row row;
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(PQgetvalue(result.get(), r, c));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string create_test_database() {
  const std::filesystem::path uri_file = std::filesystem::path(AUTHD_TEST_PG_DIR) / "uri";
  const std::string cluster = first_line(uri_file);
  if (cluster.empty()) {
    throw std::runtime_error(
        "no test PostgreSQL cluster at " + uri_file.string() +
        "; run the tests through ctest, or start one: tests/pg/pg_cluster.sh start " +
        AUTHD_TEST_PG_DIR);
  }
  static std::atomic<int> counter{0};
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
                           "_" + std::to_string(std::random_device{}() % 100000);
  pg_query(cluster, "CREATE DATABASE " + name);
  return with_database(cluster, name);
}

PrivateCluster::PrivateCluster() : dir_(make_temp_dir() / "cluster") {
  run_script("start " + dir_.string());
  uri_ = first_line(dir_ / "uri");
}

PrivateCluster::~PrivateCluster() {
  try {
    run_script("stop " + dir_.string());
  } catch (const std::exception&) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_.parent_path(), ignored);
}

void PrivateCluster::pause() {
  run_script("pause " + dir_.string());
}
void PrivateCluster::resume() {
  run_script("resume " + dir_.string());
}

}  // namespace authd::test
