// Runs the real authd binary for an integration test: a fresh temp data folder, port 0, output
// captured to a log file, and the bound port read back from the "listening on" line.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/raw_db.hpp"

namespace authd::test {

class AuthdProcess {
 public:
  struct Options {
    std::vector<std::string> args{};           // appended to `authd serve`
    std::map<std::string, std::string> env{};  // added to the environment
    std::filesystem::path data_dir{};          // empty: a new temp folder, removed afterwards
    bool expect_start = true;                  // false: the test expects start-up to fail
    std::string database{};                    // --database; empty: SQLite in data_dir
    // Every test client is 127.0.0.1, so per-address limits are lifted unless a test sets them;
    // false keeps authd's own defaults.
    bool relaxed_limits = true;
  };

  AuthdProcess();
  explicit AuthdProcess(Options options);
  ~AuthdProcess();
  AuthdProcess(const AuthdProcess&) = delete;
  AuthdProcess& operator=(const AuthdProcess&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::filesystem::path database() const { return data_dir_ / "authd.db"; }
  // What --database names this authd's store by (its SQLite file, or its PostgreSQL URI).
  std::string database_option() const {
    return database_uri_.empty() ? "sqlite:" + database().string() : database_uri_;
  }
  // Runs SQL on the database this authd uses (its SQLite file or its PostgreSQL database).
  std::vector<Row> query(const std::string& sql) const;
  std::string log() const;

  // Sends `signal` and waits for the process; returns its exit status (or 128+signal).
  int stop(int signal = 15);
  // Waits for a process that should exit by itself (e.g. bad configuration).
  int wait_exit();

 private:
  std::filesystem::path data_dir_;
  std::filesystem::path log_file_;
  bool own_data_dir_ = false;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string database_uri_;  // empty for the SQLite default
};

}  // namespace authd::test
