// Races on one email: 100 registrations at once, in letter-case variants, yield exactly one user
// and 99 conflicts in the dialect's documented form, never a 500. Run in every deployment; the
// nginx one spreads the race over two authd instances on one PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <thread>

#include "support/server_fixture.hpp"

namespace authd::test {
namespace {

using boost::json::object;

struct RoomForTheRace {
  // Every racer must reach the store: none may be turned away by a full worker queue.
  static std::vector<std::string> args() { return {"--worker-queue", "256"}; }
};

using Concurrency = ServerFixture<RoomForTheRace>;

// "race@example.com" with letters upper-cased according to the bits of `variant`.
std::string case_variant(const std::string& email, int variant) {
  std::string out = email;
  for (std::size_t i = 0; i < out.size() && i < 16; ++i) {
    if (variant & (1 << i)) out[i] = static_cast<char>(std::toupper(out[i]));
  }
  return out;
}

std::map<int, int> race(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::function<object(int)>& body, std::vector<std::string>& bodies) {
  constexpr int kRacers = 100;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kRacers; ++i) clients.push_back(std::make_unique<HttpClient>(port));
  std::vector<int> statuses(kRacers);
  bodies.assign(kRacers, {});
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      auto response =
          clients[i]->request(method, target, boost::json::serialize(body(i)), "application/json");
      statuses[i] = response.status;
      bodies[i] = response.body;
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<int, int> counts;
  for (int status : statuses) ++counts[status];
  return counts;
}

TEST_F(Concurrency, Seed000RaceCreatesOneUser) {
  std::vector<std::string> bodies;
  const auto counts = race(
      server().port(), "POST", "/auth/register",
      [](int i) {
        return object{{"email", case_variant("race000@example.com", i)},
                      {"password", "race-ferry-lantern"}};
      },
      bodies);
  EXPECT_EQ(counts.size(), 2u) << "only 201 and 409";
  EXPECT_EQ(counts.count(201) ? counts.at(201) : 0, 1);
  EXPECT_EQ(counts.count(409) ? counts.at(409) : 0, 99);
  for (const auto& body : bodies) {
    if (body.find("\"id\"") == std::string::npos) {
      EXPECT_EQ(body, R"({"message":"User already exists"})");
    }
  }
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM users WHERE email_key = 'race000@example.com'"),
            (std::vector<Row>{{"1"}}));
}

TEST_F(Concurrency, Seed002RaceCreatesOneUserAndOneSession) {
  std::vector<std::string> bodies;
  const auto counts = race(
      server().port(), "POST", "/auth",
      [](int i) {
        return object{{"email", case_variant("race002@example.com", i)},
                      {"password", "race-ferry-lantern"},
                      {"first_name", "Race"},
                      {"last_name", "Condition"}};
      },
      bodies);
  EXPECT_EQ(counts.size(), 2u) << "only 201 and 400";
  EXPECT_EQ(counts.count(201) ? counts.at(201) : 0, 1);
  EXPECT_EQ(counts.count(400) ? counts.at(400) : 0, 99);
  for (const auto& body : bodies) {
    if (body.find("sessionToken") == std::string::npos) {
      EXPECT_EQ(body, R"({"error":"Account already exists with this email"})");
    }
  }
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM users WHERE email_key = 'race002@example.com'"),
            (std::vector<Row>{{"1"}}));
  EXPECT_EQ(server().query("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                           "WHERE u.email_key = 'race002@example.com'"),
            (std::vector<Row>{{"1"}}))
      << "no session without its user, no user with two";
}

}  // namespace
}  // namespace authd::test
