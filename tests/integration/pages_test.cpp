// The account pages in a real browser: authd mails links through a real SMTP server (aiosmtpd
// with STARTTLS), headless Chromium opens them as the person would (tests/browser/pages.mjs,
// puppeteer-core and axe-core), and this test checks the account afterwards over the API.
// --public-url is where people reach authd; here that is the test's own loopback address, known
// only once authd listens, so each link's path and fragment are opened there.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "support/administrator.hpp"
#include "support/authd_process.hpp"
#include "support/command.hpp"
#include "support/server_fixture.hpp"
#include "support/smtp_server.hpp"

namespace authd::test {
namespace {

using boost::json::object;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kNewPassword = "lantern quarry mosaic";
const std::filesystem::path kBrowserTests = AUTHD_SOURCE_DIR "/tests/browser";

SmtpServer& smtp() {
  static SmtpServer server;
  return server;
}

struct PagesServer {
  static std::vector<std::string> args() {
    return {"--smtp-url",     "smtp://127.0.0.1:" + std::to_string(smtp().port()),
            "--mail-ca-file", SmtpServer::certificate(),
            "--mail-from",    "accounts@authd.example",
            "--public-url",   "https://app.example"};
  }
};

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

class AccountPages : public ServerFixture<PagesServer> {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    ASSERT_TRUE(std::filesystem::exists(kBrowserTests / "node_modules/puppeteer-core"))
        << "run `npm ci` in tests/browser (scripts/test.sh does)";
  }

  // Runs one scenario of tests/browser/pages.mjs against this authd; true when it passed.
  bool browse(const std::string& scenario, const std::string& path,
              const std::string& argument = "") {
    const std::string url = "http://127.0.0.1:" + std::to_string(server().port()) + path;
    const auto result = run_command("cd " + shell_quoted(kBrowserTests.string()) +
                                    " && node pages.mjs " + shell_quoted(scenario) + " " +
                                    shell_quoted(url) + " " + shell_quoted(argument));
    EXPECT_EQ(result.exit_status, 0) << result.output;
    return result.exit_status == 0;
  }

  // The path and fragment of the link in the `count`th mail to `to`, waiting for it.
  std::string mailed_link(const std::string& to, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<std::string> mails;
    while (mails.size() < count && std::chrono::steady_clock::now() < deadline) {
      mails.clear();
      for (const auto& message : smtp().messages()) {
        if (mail_header(message, "X-RcptTo") == to) mails.push_back(message);
      }
      if (mails.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (mails.size() < count) {
      ADD_FAILURE() << "no mail #" << count << " to " << to;
      return "";
    }
    const auto mail = boost::json::parse(decoded_mail(mails[count - 1])).as_object();
    const std::string text(mail.at("text").as_string());
    std::smatch link;
    if (!std::regex_search(text, link,
                           std::regex(R"(https://app\.example(/account/[a-z-]+#token=[\w-]+))"))) {
      ADD_FAILURE() << "no account page link in: " << text;
      return "";
    }
    return link[1].str();
  }

  void register_user(const std::string& email) {
    ASSERT_EQ(
        client().post_json("/v1/users", object{{"email", email}, {"password", kPassword}}).status,
        201);
  }
  int login_status(const std::string& email, const std::string& password) {
    return client()
        .post_json("/v1/sessions", object{{"email", email}, {"password", password}})
        .status;
  }
  std::string access_token(const std::string& email, const std::string& user_agent = "") {
    const auto response = client().request(
        "POST", "/v1/sessions",
        boost::json::serialize(object{{"email", email}, {"password", kPassword}}),
        "application/json",
        user_agent.empty() ? std::map<std::string, std::string>{}
                           : std::map<std::string, std::string>{{"User-Agent", user_agent}});
    EXPECT_EQ(response.status, 201) << response.body;
    return response.status == 201 ? std::string(response.json().at("access_token").as_string())
                                  : "";
  }
  // How many live sessions the admin API lists for user `id`.
  std::size_t live_sessions(const std::string& admin_access, std::int64_t id) {
    const auto listed =
        with_bearer("GET", "/v1/admin/users/" + std::to_string(id) + "/sessions", admin_access);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.status == 200 ? listed.json().at("sessions").as_array().size() : 0;
  }
  HttpResponse with_bearer(const std::string& method, const std::string& target,
                           const std::string& access, const object& body = {}) {
    const std::string text = body.empty() ? "" : boost::json::serialize(body);
    return client().request(method, target, text, text.empty() ? "" : "application/json",
                            {{"Authorization", "Bearer " + access}});
  }
};

TEST_F(AccountPages, AResetFromTheMailedLinkSetsThePasswordOnce) {
  register_user("reset@example.com");
  ASSERT_EQ(
      client().post_json("/v1/password/forgot", object{{"email", "reset@example.com"}}).status,
      202);
  const std::string link = mailed_link("reset@example.com", 1);
  ASSERT_FALSE(link.empty());
  // Loading the page (as a mail scanner would) spends nothing: the reset after it works.
  ASSERT_TRUE(browse("open", link));
  ASSERT_TRUE(browse("reset", link, kNewPassword));
  EXPECT_EQ(login_status("reset@example.com", kNewPassword), 201);
  EXPECT_EQ(login_status("reset@example.com", kPassword), 401);
  EXPECT_TRUE(browse("spent", link));
}

TEST_F(AccountPages, AResetWorksWithTheKeyboardAlone) {
  register_user("keys@example.com");
  ASSERT_EQ(client().post_json("/v1/password/forgot", object{{"email", "keys@example.com"}}).status,
            202);
  const std::string link = mailed_link("keys@example.com", 1);
  ASSERT_TRUE(browse("reset-keyboard", link, kNewPassword));
  EXPECT_EQ(login_status("keys@example.com", kNewPassword), 201);
}

TEST_F(AccountPages, TheForgotPageMailsAResetLink) {
  register_user("forgetful@example.com");
  ASSERT_TRUE(browse("forgot", "/account/forgot-password", "forgetful@example.com"));
  EXPECT_NE(mailed_link("forgetful@example.com", 1).find("/account/reset-password#token="),
            std::string::npos);
}

TEST_F(AccountPages, AVerificationLinkConfirmsTheAddress) {
  register_user("verify@example.com");
  const std::string access = access_token("verify@example.com");
  ASSERT_EQ(with_bearer("POST", "/v1/email/verification", access).status, 202);
  const std::string link = mailed_link("verify@example.com", 1);
  ASSERT_TRUE(browse("open", link));
  ASSERT_TRUE(browse("press", link, "email address is confirmed"));
  const auto me = with_bearer("GET", "/v1/me", access);
  ASSERT_EQ(me.status, 200);
  EXPECT_TRUE(me.json().at("email_verified").as_bool());
}

TEST_F(AccountPages, AnEmailChangeIsConfirmedThenRevertedInTheBrowser) {
  register_user("before@example.com");
  const std::string access = access_token("before@example.com");
  ASSERT_EQ(with_bearer("POST", "/v1/me/email", access,
                        object{{"new_email", "after@example.com"}, {"current_password", kPassword}})
                .status,
            202);
  const std::string confirm = mailed_link("after@example.com", 1);
  ASSERT_TRUE(browse("open", confirm));
  ASSERT_TRUE(browse("press", confirm, "now uses this email address"));
  EXPECT_EQ(login_status("after@example.com", kPassword), 201);

  const std::string revert = mailed_link("before@example.com", 1);  // the notice to the old one
  ASSERT_NE(revert.find("/account/revert-email#token="), std::string::npos) << revert;
  ASSERT_TRUE(browse("open", revert));
  ASSERT_TRUE(browse("press", revert, "previous email address is back"));
  const auto email =
      server().query("SELECT email FROM users WHERE email_key = 'before@example.com'");
  EXPECT_EQ(email.size(), 1u) << "the old address is the account's again";
  EXPECT_EQ(login_status("after@example.com", kPassword), 401);
}

TEST_F(AccountPages, EveryPageLoadsOnlyItselfUnderAStrictPolicy) {
  for (const std::string path :
       {"/account/reset-password", "/account/forgot-password", "/account/verify-email",
        "/account/confirm-email", "/account/revert-email", "/admin/"}) {
    const auto page = client().request("GET", path, "", "");
    ASSERT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    const std::string policy = page.header("content-security-policy");
    EXPECT_NE(policy.find("default-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
    EXPECT_EQ(page.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(page.header("x-frame-options"), "DENY");
    EXPECT_EQ(page.header("cache-control"), "no-store") << "never kept, signed in or not";
    const std::regex inline_script(R"(<script(?![^>]*\ssrc=))", std::regex::icase);
    EXPECT_FALSE(std::regex_search(page.body, inline_script)) << "no inline script";
    EXPECT_EQ(page.body.find(" style="), std::string::npos) << "no inline style";
    EXPECT_EQ(page.body.find("{{"), std::string::npos) << "every placeholder filled";
    // Axe-core, the policy and both window sizes, with a token in the fragment (none is spent).
    EXPECT_TRUE(browse("open", path + "#token=not-a-live-token"));
  }
  EXPECT_EQ(client().request("GET", "/assets/account.js", "", "").header("content-type"),
            "text/javascript; charset=utf-8");
  EXPECT_EQ(client().request("GET", "/assets/style.css", "", "").header("content-type"),
            "text/css; charset=utf-8");
}

TEST_F(AccountPages, AnAdministratorFindsAUserSeesTheirNameAsTextAndDisablesThem) {
  const std::int64_t admin =
      create_administrator_with_cli(store_options(server()), "console@example.com", kPassword);
  ASSERT_NE(admin, 0);
  const std::string name = "<img src=x onerror=alert(1)>";
  ASSERT_EQ(client()
                .post_json("/v1/users", object{{"email", "target@example.com"},
                                               {"password", kPassword},
                                               {"first_name", name}})
                .status,
            201);
  const std::string access = access_token("target@example.com");
  ASSERT_EQ(with_bearer("GET", "/v1/me", access).status, 200);
  ASSERT_TRUE(browse("admin", "/admin/",
                     boost::json::serialize(object{{"email", "console@example.com"},
                                                   {"password", kPassword},
                                                   {"target", "target@example.com"},
                                                   {"name", name}})));
  EXPECT_EQ(with_bearer("GET", "/v1/me", access).status, 401)
      << "their session died when they were disabled, and stays dead once enabled again";
  const std::string again = access_token("target@example.com");
  const auto me = with_bearer("GET", "/v1/me", again);
  ASSERT_EQ(me.status, 200) << "enabled again";
  EXPECT_EQ(me.json().at("last_name").as_string(), "Lovelace") << "the edit was saved";
  EXPECT_EQ(me.json().at("first_name").as_string(), name) << "stored as given";
  EXPECT_EQ(boost::json::serialize(me.json().at("roles")), R"(["user","seller"])");
  // Signing out of the console ended its session: only the one opened here is live.
  EXPECT_EQ(live_sessions(access_token("console@example.com"), admin), 1u);
}

TEST_F(AccountPages, AnAdministratorDisablesAUserWithTheKeyboardAlone) {
  ASSERT_NE(create_administrator_with_cli(store_options(server()), "keyboard-admin@example.com",
                                          kPassword),
            0);
  register_user("kbd-target@example.com");
  const std::string access = access_token("kbd-target@example.com");
  ASSERT_TRUE(browse("admin-keyboard", "/admin/",
                     boost::json::serialize(object{{"email", "keyboard-admin@example.com"},
                                                   {"password", kPassword},
                                                   {"target", "kbd-target@example.com"}})));
  EXPECT_EQ(with_bearer("GET", "/v1/me", access).status, 401);
  EXPECT_EQ(login_status("kbd-target@example.com", kPassword), 401) << "disabled";
}

TEST_F(AccountPages, AnAdministratorSignsOneSessionOfAUserOutThenTheRest) {
  const std::int64_t admin =
      create_administrator_with_cli(store_options(server()), "signout@example.com", kPassword);
  ASSERT_NE(admin, 0);
  register_user("busy@example.com");
  const std::string phone = access_token("busy@example.com", "phone/1.0");
  const std::string laptop = access_token("busy@example.com", "laptop/1.0");
  const std::string tablet = access_token("busy@example.com", "tablet/1.0");
  ASSERT_TRUE(browse("admin-signout", "/admin/",
                     boost::json::serialize(object{{"email", "signout@example.com"},
                                                   {"password", kPassword},
                                                   {"target", "busy@example.com"},
                                                   {"agent", "laptop/1.0"}})));
  for (const auto& access : {phone, laptop, tablet}) {
    EXPECT_EQ(with_bearer("GET", "/v1/me", access).status, 401);
  }
  // The console signed its own session out: only the one opened here is live.
  EXPECT_EQ(live_sessions(access_token("signout@example.com"), admin), 1u);
  EXPECT_EQ(login_status("busy@example.com", kPassword), 201) << "still enabled";
}

TEST_F(AccountPages, AnAdministratorPagesThroughTheUsers) {
  ASSERT_NE(create_administrator_with_cli(store_options(server()), "pager@example.com", kPassword),
            0);
  constexpr int kUsers = 23;
  for (int i = 0; i < kUsers; ++i)
    register_user("paged" + std::to_string(100 + i) + "@example.com");
  ASSERT_TRUE(browse("admin-paging", "/admin/",
                     boost::json::serialize(object{{"email", "pager@example.com"},
                                                   {"password", kPassword},
                                                   {"prefix", "paged"},
                                                   {"count", kUsers}})));
}

TEST_F(AccountPages, AnAdministratorDeletesAUserOnlyAfterTypingTheirEmail) {
  ASSERT_NE(
      create_administrator_with_cli(store_options(server()), "deleter@example.com", kPassword), 0);
  register_user("doomed@example.com");
  ASSERT_TRUE(browse("admin-delete", "/admin/",
                     boost::json::serialize(object{{"email", "deleter@example.com"},
                                                   {"password", kPassword},
                                                   {"target", "doomed@example.com"}})));
  EXPECT_TRUE(
      server().query("SELECT id FROM users WHERE email_key = 'doomed@example.com'").empty());
}

TEST_F(AccountPages, TheConsoleStaysClosedToAUserWhoIsNoAdministrator) {
  ASSERT_NE(
      create_administrator_with_cli(store_options(server()), "watcher@example.com", kPassword), 0);
  register_user("plain@example.com");
  ASSERT_TRUE(browse(
      "admin-refused", "/admin/",
      boost::json::serialize(object{{"email", "plain@example.com"}, {"password", kPassword}})));
  const auto plain = server().query("SELECT id FROM users WHERE email_key = 'plain@example.com'");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(live_sessions(access_token("watcher@example.com"), std::stoll(*plain[0][0])), 0u)
      << "the session it signed in with was closed";
}

// Without mail there is nothing for the account pages to do; --admin-console off turns the
// console off.
TEST(AccountPagesWithoutMail, AreNotServedNorIsAConsoleTurnedOff) {
  AuthdProcess authd;
  HttpClient client(authd.port());
  EXPECT_EQ(client.request("GET", "/account/reset-password", "", "").status, 404);
  EXPECT_EQ(client.request("GET", "/admin/", "", "").status, 200) << "on by default";
  const auto bare = client.request("GET", "/admin", "", "");
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(bare.header("location"), "/admin/");
  AuthdProcess off({.args = {"--admin-console", "off"}});
  HttpClient off_client(off.port());
  EXPECT_EQ(off_client.request("GET", "/admin/", "", "").status, 404);
  EXPECT_EQ(off_client.request("GET", "/assets/admin.js", "", "").status, 404);
}

}  // namespace
}  // namespace authd::test
