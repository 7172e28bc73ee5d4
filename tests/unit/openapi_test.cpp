// The OpenAPI document stays true. OpenApi.*: every route the router knows is documented with
// its method, and every documented operation is routed. OpenApiCoverage.*: every documented
// response status of every operation was produced by some integration test over HTTP, and every
// status a test received from a documented operation is documented (the test client logs each
// response; scripts/test.sh clears the logs, runs ctest, then runs this check, and then
// tests/node/validate-responses.mjs, which validates every logged response against the document).
#include "api/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "api/pages.hpp"
#include "api/routes.hpp"
#include "core/audit_trail.hpp"
#include "crypto/sealing.hpp"
#include "http/router.hpp"
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

constexpr const char* kMethods[] = {"get", "put", "post", "delete", "patch", "options"};

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
  core::CredentialService credentials(auth, tokens, sessions);
  core::AccountService accounts(store, auth, clock);
  core::Throttle throttle(store, clock, std::string(32, 't'));
  core::MailedLinks links(store, auth, throttle, nullptr, clock, {});
  core::AuditTrail audit(store, clock);
  core::UserAdmin admin(store, auth, audit, clock);
  core::GatewayCheck gateway(store, sessions, std::string(32, 's'), clock);
  observability::Metrics metrics;
  http::Router router;
  add_routes(router, {.auth = auth,
                      .credentials = credentials,
                      .sessions = sessions,
                      .accounts = accounts,
                      .links = links,
                      .keys = keys,
                      .admin = admin,
                      .gateway = gateway,
                      .metrics = metrics,
                      .pages = {.account = true, .admin_console = true}});

  std::set<std::string> routed;
  for (const auto& route : router.routes()) {
    if (!is_page_path(route.path)) routed.insert(route.method + " " + route.path);
  }
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

// A router holding exactly the documented operations: it credits a concrete request to the
// documented path the server itself would pick (a literal path before a template).
http::Router documented_router(const boost::json::object& paths) {
  http::Router router;
  for (const auto& [path, item] : paths) {
    for (const char* method : kMethods) {
      if (item.as_object().contains(method)) {
        router.add({.method = upper(method), .path = std::string(path)});
      }
    }
  }
  return router;
}

// The audit trail's rows name their action; the document lists every name a client may meet,
// no more and no fewer. (A name recorded but not listed fails a client that validates against
// the document, as the account-lifecycle actions once did.)
TEST(OpenApi, TheAuditActionsAreThoseTheTrailRecords) {
  const auto doc = document();
  std::set<std::string> documented;
  for (const auto& name : doc.at("components")
                              .at("schemas")
                              .at("AuditEvent")
                              .at("properties")
                              .at("action")
                              .at("enum")
                              .as_array()) {
    documented.emplace(name.as_string());
  }
  std::set<std::string> recorded;
  for (const auto name : core::AuditTrail::actions()) {
    EXPECT_TRUE(recorded.emplace(name).second) << name << " is declared twice";
  }
  EXPECT_EQ(documented, recorded);
}

TEST(OpenApiCoverage, EveryDocumentedResponseWasProducedBySomeTest) {
  const std::filesystem::path logs(AUTHD_TEST_RESPONSE_LOG_DIR);
  ASSERT_TRUE(std::filesystem::is_directory(logs))
      << "no responses were recorded: run the integration tests first (ctest runs this check "
         "after them)";
  const auto doc = document();
  // "METHOD /template STATUS" for every response some test received from a documented path.
  const auto& paths = doc.at("paths").as_object();
  const http::Router router = documented_router(paths);
  // Each log line is one JSON object (tests/support/http_client.cpp): {"method", "path",
  // "status", "content_type", "body" or "body_base64"}. A HEAD request is credited to the GET
  // operation it runs (the router's match says which); the document has no HEAD operations.
  std::set<std::string> produced;
  for (const auto& entry : std::filesystem::directory_iterator(logs)) {
    std::ifstream in(entry.path());
    std::size_t number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      if (line.empty()) continue;
      boost::system::error_code ec;
      const boost::json::value parsed = boost::json::parse(line, ec);
      const auto* record = parsed.if_object();
      const auto* method = record ? record->if_contains("method") : nullptr;
      const auto* path = record ? record->if_contains("path") : nullptr;
      const auto* status = record ? record->if_contains("status") : nullptr;
      ASSERT_TRUE(!ec && method && method->is_string() && path && path->is_string() && status &&
                  status->is_int64())
          << entry.path() << ":" << number << " is not a response record: " << line.substr(0, 200);
      const auto text = [](const boost::json::value& value) {
        return std::string(value.as_string().data(), value.as_string().size());
      };
      const http::RouteMatch match = router.match(text(*method), text(*path));
      if (match.route == nullptr) continue;
      produced.insert(match.route->method + " " + match.route->path + " " +
                      std::to_string(status->as_int64()));
    }
  }
  ASSERT_FALSE(produced.empty()) << "no responses were recorded in " << logs;

  std::set<std::string> documented;
  for (const auto& [path, item] : paths) {
    for (const char* method : kMethods) {
      const auto* operation = item.as_object().if_contains(method);
      if (operation == nullptr) continue;
      for (const auto& [status, response] : operation->at("responses").as_object()) {
        if (status == "default") continue;  // unexpected errors: no test should produce them
        documented.insert(upper(method) + " " + std::string(path) + " " + std::string(status));
      }
    }
  }
  std::ostringstream never_produced;
  for (const auto& key : documented) {
    if (!produced.contains(key)) never_produced << "\n  " << key;
  }
  EXPECT_TRUE(never_produced.str().empty())
      << "documented but never produced by a test:" << never_produced.str();

  // The other way round: what the server answered a documented operation is documented. (405s
  // for undocumented methods match no operation and are not in `produced`.) The HTTP
  // layer's own limits, 414 and 431, apply to every route alike; the document's description
  // names them once instead of on every operation.
  std::ostringstream undocumented;
  for (const auto& key : produced) {
    const std::string status = key.substr(key.rfind(' ') + 1);
    if (status == "414" || status == "431") continue;
    if (!documented.contains(key)) undocumented << "\n  " << key;
  }
  EXPECT_TRUE(undocumented.str().empty())
      << "produced by a test but not documented:" << undocumented.str();
}

}  // namespace
}  // namespace authd::api
