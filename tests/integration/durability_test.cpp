// Crash durability on SQLite: clients register users concurrently, authd is killed with SIGKILL
// at a random moment, restarted on the same database, and every registration that was answered
// 201 must still log in, with the database passing PRAGMA integrity_check. Three kill/restart
// cycles run on one database, so recovery of a crashed WAL is exercised on top of earlier ones.
//
// What this does and does not show: authd opens SQLite in WAL mode with synchronous=FULL, which
// syncs the WAL to stable storage on every commit, so an answered registration survives power
// loss and an OS crash, not only a crash of authd. SIGKILL tests only the process-crash half:
// the kernel keeps the dead process's writes in its page cache, so this test fails if authd
// answers 201 before the commit (or commits only part of a registration, or cannot reopen a
// crashed database), but it would still pass with synchronous=OFF. Power loss is not simulated.
//
// The suite name keeps it to the SQLite deployment (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/authd_process.hpp"
#include "support/http_client.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

constexpr int kCycles = 3;
constexpr int kClientThreads = 4;
constexpr const char* kPassword = "durable-kettle-orbit";

// Hashing is not what is tested here: the cheapest accepted cost lets many more registrations
// (and so many more commits) be in flight when authd is killed. Every client is 127.0.0.1, so the
// per-address registration limit is lifted.
const std::vector<std::string> kServerArgs = {"--password-hash",
                                              "bcrypt",
                                              "--bcrypt-cost",
                                              "4",
                                              "--worker-queue",
                                              "256",
                                              "--registrations-per-address",
                                              "1000000"};

struct CycleResult {
  std::vector<std::string> acknowledged;  // emails answered 201
  std::map<int, int> other_statuses;      // every answer that was not 201
  int client_errors = 0;                  // requests that got no answer (the kill)
};

// Registers distinct users from several threads until authd dies, which happens `delay` after
// the first registration is acknowledged (so a slow machine still gets writes in before the
// crash); returns what the clients saw.
CycleResult register_until_killed(AuthdProcess& server, int cycle, std::chrono::milliseconds delay,
                                  int& kill_status) {
  CycleResult result;
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::mutex first_mutex;
  std::condition_variable first_answer;
  bool answered = false;
  std::vector<std::thread> clients;
  for (int t = 0; t < kClientThreads; ++t) {
    clients.emplace_back([&, t] {
      std::vector<std::string> mine;
      std::map<int, int> others;
      int errors = 0;
      try {
        HttpClient client(server.port());
        for (int n = 0; !stop.load(); ++n) {
          std::ostringstream email;
          email << "c" << cycle << "-t" << t << "-n" << n << "@durability.example.com";
          const auto response = client.post_json(
              "/auth/register", object{{"email", email.str()}, {"password", kPassword}});
          if (response.status == 201) {
            mine.push_back(email.str());
            {
              std::lock_guard lock(first_mutex);
              answered = true;
            }
            first_answer.notify_all();
          } else {
            ++others[response.status];
          }
        }
      } catch (const std::exception&) {
        ++errors;  // the connection died with authd; the request in flight is not counted
      }
      std::lock_guard lock(mutex);
      result.acknowledged.insert(result.acknowledged.end(), mine.begin(), mine.end());
      for (const auto& [status, count] : others) result.other_statuses[status] += count;
      result.client_errors += errors;
    });
  }
  {
    std::unique_lock lock(first_mutex);
    first_answer.wait_for(lock, std::chrono::seconds(60), [&] { return answered; });
  }
  std::this_thread::sleep_for(delay);  // the random moment of the crash, not a wait for time
  kill_status = server.stop(SIGKILL);
  stop = true;
  for (auto& thread : clients) thread.join();
  return result;
}

// Logs every acknowledged user in on a running authd; describes the first failure, if any.
void expect_all_log_in(std::uint16_t port, const std::vector<std::string>& emails) {
  std::vector<std::string> failed;
  HttpClient client(port);
  for (const auto& email : emails) {
    const auto response =
        client.post_json("/auth/login", object{{"email", email}, {"password", kPassword}});
    if (response.status != 200) {
      failed.push_back(email + " (" + std::to_string(response.status) + " " + response.body + ")");
    }
  }
  EXPECT_TRUE(failed.empty()) << failed.size() << " of " << emails.size()
                              << " acknowledged users cannot log in, first: "
                              << (failed.empty() ? "" : failed.front());
}

void expect_database_sound(const std::filesystem::path& database, std::size_t acknowledged) {
  RawDb db(database);
  EXPECT_EQ(db.scalar("PRAGMA integrity_check"), "ok");
  EXPECT_TRUE(db.query("PRAGMA foreign_key_check").empty()) << "no dangling user_roles rows";
  // A registration (user and role) is one transaction: no user was stored without its role.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM users WHERE id NOT IN "
                      "(SELECT user_id FROM user_roles)"),
            "0");
  // Unanswered registrations may or may not have been committed; answered ones must be there.
  EXPECT_GE(static_cast<std::size_t>(db.count("users")), acknowledged);
}

// The seed of the kill moments: AUTHD_DURABILITY_SEED replays a failed run, else a fresh one.
unsigned kill_seed() {
  if (const char* given = std::getenv("AUTHD_DURABILITY_SEED")) {
    return static_cast<unsigned>(std::stoul(given));
  }
  return std::random_device{}();
}

TEST(Durability, AcknowledgedRegistrationsSurviveSigkill) {
  const unsigned seed = kill_seed();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(100, 600);
  std::cout << "[ durability ] seed " << seed << " (AUTHD_DURABILITY_SEED=" << seed
            << " replays these kill moments)\n";
  SCOPED_TRACE("AUTHD_DURABILITY_SEED=" + std::to_string(seed));

  TempDir data;
  std::vector<std::string> acknowledged;  // over all cycles so far
  std::optional<AuthdProcess> server;
  server.emplace(AuthdProcess::Options{.args = kServerArgs, .data_dir = data.path()});
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    const auto delay = std::chrono::milliseconds(delay_ms(random));
    {
      std::cout << "[ durability ] cycle " << cycle << ": SIGKILL after " << delay.count()
                << " ms\n";
      SCOPED_TRACE("cycle " + std::to_string(cycle) + ", SIGKILL after " +
                   std::to_string(delay.count()) + " ms");
      int kill_status = 0;
      const CycleResult result = register_until_killed(*server, cycle, delay, kill_status);
      std::cout << "[ durability ] cycle " << cycle << ": " << result.acknowledged.size()
                << " registrations answered 201, " << result.client_errors
                << " requests cut off by the kill\n";
      ASSERT_EQ(kill_status, 128 + SIGKILL) << "authd must die by the signal, not before it:\n"
                                            << server->log();
      // Without acknowledged registrations before the kill the rest would prove nothing.
      ASSERT_GT(result.acknowledged.size(), 0u) << server->log();
      for (const auto& [status, count] : result.other_statuses) {
        // 503 is the documented answer to a full worker queue; anything else is a bug.
        EXPECT_EQ(status, 503) << count << " registrations answered " << status;
      }
      acknowledged.insert(acknowledged.end(), result.acknowledged.begin(),
                          result.acknowledged.end());
    }

    // Restarted on the database authd was just killed on: it must open it, recover the WAL and
    // know every user it acknowledged, in this cycle and the earlier ones.
    SCOPED_TRACE("restart after the kill of cycle " + std::to_string(cycle));
    server.reset();
    server.emplace(AuthdProcess::Options{.args = kServerArgs, .data_dir = data.path()});
    expect_all_log_in(server->port(), acknowledged);
    expect_database_sound(server->database(), acknowledged.size());
  }
}

}  // namespace
}  // namespace authd::test
