// The OpenAPI document stays true. OpenApi.*: every route the router knows is documented with
// its method, and every documented operation is routed. OpenApiCoverage.*: every documented
// response status of every operation was produced by some integration test over HTTP (the
// test client logs each response; CTest runs this check after all of them, as the cleanup of
// the "postgres" fixture every integration test requires).
#include "api/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/routes.hpp"
#include "crypto/sealing.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::api {
namespace {

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

boost::json::object document() {
  return boost::json::parse(openapi_document()).as_object();
}

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch"};

// "METHOD /path" for every operation of the document.
std::set<std::string> documented_operations() {
  std::set<std::string> operations;
  const auto doc = document();
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const char* method : kMethods) {
      if (item.as_object().contains(method)) {
        operations.insert(upper(method) + " " + std::string(path));
      }
    }
  }
  return operations;
}

TEST(OpenApi, IsOpenApi31WithEveryRouteAndOnlyThose) {
  const auto doc = document();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");

  test::TempDir dir;
  store::sqlite::SqliteStore store(dir.file("authd.db"), 1);
  test::ManualClock clock(util::from_unix_millis(1742995117241));
  core::AuthService auth(store, crypto::PasswordHasher(test::fast_argon2()), clock, {});
  core::TokenIssuer tokens(std::string(32, 's'), clock);
  core::KeyRing keys(store, crypto::derive_sealing_key(std::string(32, 'k')), clock, {});
  keys.load();
  core::SessionService sessions(store, keys, clock, {}, std::string(32, 'r'));
  observability::Metrics metrics;
  http::Router router;
  add_routes(router, {.auth = auth,
                      .seed_tokens = tokens,
                      .sessions = sessions,
                      .keys = keys,
                      .metrics = metrics});

  std::set<std::string> routed;
  for (const auto& route : router.routes()) routed.insert(route.method + " " + route.path);
  EXPECT_EQ(routed, documented_operations());
}

TEST(OpenApi, EveryOperationHasResponsesAndEveryReferenceResolves) {
  const auto doc = document();
  const auto& schemas = doc.at("components").at("schemas").as_object();
  const std::string text(openapi_document());
  for (std::size_t at = text.find("#/components/schemas/"); at != std::string::npos;
       at = text.find("#/components/schemas/", at + 1)) {
    const auto begin = at + std::string_view("#/components/schemas/").size();
    const std::string name = text.substr(begin, text.find('"', begin) - begin);
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const char* method : kMethods) {
      if (const auto* operation = item.as_object().if_contains(method)) {
        EXPECT_FALSE(operation->at("responses").as_object().empty()) << method << " " << path;
        EXPECT_TRUE(operation->at("operationId").is_string()) << method << " " << path;
      }
    }
  }
}

// Whether a concrete path matches a documented template such as /v1/sessions/{id}.
bool matches(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    const auto pattern_end = pattern.find('/', 1);
    const auto path_end = path.find('/', 1);
    const auto want = pattern.substr(0, pattern_end);
    const auto have = path.substr(0, path_end);
    if (!(want.size() > 3 && want[1] == '{' && want.back() == '}' && have.size() > 1) &&
        want != have) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return pattern.empty() && path.empty();
}

TEST(OpenApiCoverage, EveryDocumentedResponseWasProducedBySomeTest) {
  const std::filesystem::path logs(AUTHD_TEST_RESPONSE_LOG_DIR);
  ASSERT_TRUE(std::filesystem::is_directory(logs))
      << "no responses were recorded: run the integration tests first (ctest runs this check "
         "after them)";
  const auto doc = document();
  // "METHOD /template STATUS" for every response some test received.
  std::set<std::string> produced;
  for (const auto& entry : std::filesystem::directory_iterator(logs)) {
    std::ifstream in(entry.path());
    for (std::string method, path, status; in >> method >> path >> status;) {
      for (const auto& [pattern, item] : doc.at("paths").as_object()) {
        if (matches(pattern, path))
          produced.insert(method + " " + std::string(pattern) + " " + status);
      }
    }
  }
  std::vector<std::string> missing;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const char* method : kMethods) {
      const auto* operation = item.as_object().if_contains(method);
      if (operation == nullptr) continue;
      for (const auto& [status, response] : operation->at("responses").as_object()) {
        if (status == "default") continue;  // unexpected errors: no test should produce them
        const std::string key = upper(method) + " " + std::string(path) + " " + std::string(status);
        if (!produced.contains(key)) missing.push_back(key);
      }
    }
  }
  std::ostringstream list;
  for (const auto& key : missing) list << "\n  " << key;
  EXPECT_TRUE(missing.empty()) << "documented but never produced by a test:" << list.str();
}

}  // namespace
}  // namespace authd::api
