// The flows that mail a link, end to end against a real SMTP server (aiosmtpd with STARTTLS on
// the test certificate), in every deployment (behind nginx two instances drain one outbox):
// forgot password, the mail, the token taken from the link's fragment as a browser would, the
// reset and the login; email verification; what every bad token gets; and the limits. The mail
// is read from the SMTP server's Maildir and decoded by Python's email package.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "support/authd_process.hpp"
#include "support/server_fixture.hpp"
#include "support/smtp_server.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kNewPassword = "lantern quarry mosaic";

SmtpServer& smtp() {
  static SmtpServer server;
  return server;
}

struct MailingServer {
  static std::vector<std::string> args() {
    return {"--smtp-url",           "smtp://127.0.0.1:" + std::to_string(smtp().port()),
            "--mail-ca-file",       SmtpServer::certificate(),
            "--mail-from",          "accounts@authd.example",
            "--public-url",         "https://app.example",
            "--mail-retry-seconds", "1"};
  }
};

std::string text(const value& v) {
  return std::string(v.as_string());
}

void expect_problem(const HttpResponse& response, int status, const std::string& slug) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  if (response.status == status) {
    EXPECT_EQ(response.json().at("type"), value("urn:authd:problem:" + slug)) << response.body;
  }
}

// The messages the SMTP server accepted for `to`, decoded.
std::vector<object> mails_to(const std::vector<std::string>& messages, const std::string& to) {
  std::vector<object> found;
  for (const auto& message : messages) {
    if (mail_header(message, "X-RcptTo") != to) continue;
    found.push_back(boost::json::parse(decoded_mail(message)).as_object());
  }
  return found;
}

// Waits for the `count`th mail to `to`.
std::vector<object> wait_for_mails(const std::string& to, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto found = mails_to(smtp().messages(), to);
    if (found.size() >= count || std::chrono::steady_clock::now() > deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The token of the link in a mail's text, as a browser reads it from the URL fragment.
std::string link_token(const object& mail, const std::string& link_prefix) {
  const std::string body = text(mail.at("text"));
  const std::regex link(std::regex_replace(link_prefix, std::regex(R"([.?#])"), R"(\$&)") +
                        R"(([A-Za-z0-9_-]+))");
  std::smatch match;
  if (!std::regex_search(body, match, link)) {
    ADD_FAILURE() << "no link " << link_prefix << " in: " << body;
    return "";
  }
  return match[1].str();
}

class Mail : public ServerFixture<MailingServer> {
 protected:
  int register_user(const std::string& email) {
    return client()
        .post_json("/v1/users", object{{"email", email}, {"password", kPassword}})
        .status;
  }
  std::string login(const std::string& email, const std::string& password = kPassword) {
    const auto response =
        client().post_json("/v1/sessions", object{{"email", email}, {"password", password}});
    return response.status == 201 ? text(response.json().at("access_token")) : "";
  }
  HttpResponse with_bearer(const std::string& method, const std::string& target,
                           const std::string& access, const std::string& body = "") {
    return client().request(method, target, body, body.empty() ? "" : "application/json",
                            {{"Authorization", "Bearer " + access}});
  }
  HttpResponse forgot(const std::string& email) {
    return client().post_json("/v1/password/forgot", object{{"email", email}});
  }
};

TEST_F(Mail, ForgotPasswordMailsALinkThatResetsItOnceAndEndsEverySession) {
  const std::string email = "forgetful@example.com";
  ASSERT_EQ(register_user(email), 201);
  const std::string before = login(email);
  ASSERT_FALSE(before.empty());

  const auto asked = forgot(email);
  ASSERT_EQ(asked.status, 202) << asked.body;
  EXPECT_EQ(asked.json(), value(object{}));
  const auto mails = wait_for_mails(email, 1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(text(mails[0].at("from")), "accounts@authd.example");
  const std::string token =
      link_token(mails[0], "https://app.example/account/reset-password#token=");
  ASSERT_TRUE(token.starts_with("rst_")) << token;

  // Seed 003 shows the live link's expiry, never the token.
  const auto seed =
      client().post_json("/api/auth/login", object{{"email", email}, {"password", kPassword}});
  ASSERT_EQ(seed.status, 200) << seed.body;
  const value seed_body = seed.json();
  const auto& seed_user = seed_body.at("data").at("user").as_object();
  EXPECT_TRUE(seed_user.at("passwordResetToken").is_null());
  EXPECT_TRUE(seed_user.at("passwordResetExpires").is_string()) << seed.body;

  // The new password meets the policy; a refused one spends nothing.
  expect_problem(client().post_json("/v1/password/reset",
                                    object{{"token", token}, {"new_password", "password"}}),
                 400, "weak-password");
  const auto reset = client().post_json("/v1/password/reset",
                                        object{{"token", token}, {"new_password", kNewPassword}});
  ASSERT_EQ(reset.status, 204) << reset.body;

  for (int i = 0; i < 4; ++i) {  // behind nginx, both instances
    EXPECT_EQ(with_bearer("GET", "/v1/me", before).status, 401) << "every session ended";
  }
  EXPECT_TRUE(login(email).empty()) << "the old password is gone";
  const std::string after = login(email, kNewPassword);
  ASSERT_FALSE(after.empty());
  const auto me = with_bearer("GET", "/v1/me", after);
  EXPECT_EQ(me.json().at("email_verified"), value(true)) << "a reset proves the mailbox";

  expect_problem(client().post_json("/v1/password/reset",
                                    object{{"token", token}, {"new_password", "another one here"}}),
                 400, "action-token-invalid");

  // The owner is told, once, with a Message-ID of its own.
  const auto both = wait_for_mails(email, 2);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(text(both[1].at("message_id")), text(both[0].at("message_id")));
  const auto seed_after =
      client().post_json("/api/auth/login", object{{"email", email}, {"password", kNewPassword}});
  ASSERT_EQ(seed_after.status, 200);
  EXPECT_TRUE(seed_after.json().at("data").at("user").at("passwordResetExpires").is_null());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(mails_to(smtp().messages(), email).size(), 2u) << "each mail sent once";
}

TEST_F(Mail, ForgotPasswordAnswersAlikeForAnUnknownAddressAndMailsNothing) {
  ASSERT_EQ(register_user("known@example.com"), 201);
  const auto unknown = forgot("nobody-here@example.com");
  const auto known = forgot("known@example.com");
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.body, known.body);
  EXPECT_EQ(unknown.header("content-type"), known.header("content-type"));
  ASSERT_EQ(wait_for_mails("known@example.com", 1).size(), 1u);
  EXPECT_TRUE(mails_to(smtp().messages(), "nobody-here@example.com").empty());
}

TEST_F(Mail, RepeatedRequestsWithinAMinuteMailOnce) {
  ASSERT_EQ(register_user("impatient@example.com"), 201);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(forgot("IMPATIENT@example.com").status, 202);
  ASSERT_EQ(wait_for_mails("impatient@example.com", 1).size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(mails_to(smtp().messages(), "impatient@example.com").size(), 1u);
}

TEST_F(Mail, VerificationMailsALinkThatVerifiesTheAddressOnce) {
  const std::string email = "verify-me@example.com";
  ASSERT_EQ(register_user(email), 201);
  const std::string access = login(email);
  EXPECT_EQ(with_bearer("GET", "/v1/me", access).json().at("email_verified"), value(false));

  const auto asked = with_bearer("POST", "/v1/email/verification", access);
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto mails = wait_for_mails(email, 1);
  ASSERT_EQ(mails.size(), 1u);
  const std::string token = link_token(mails[0], "https://app.example/account/verify-email#token=");
  ASSERT_TRUE(token.starts_with("vfy_")) << token;
  expect_problem(client().post_json("/v1/password/reset",
                                    object{{"token", token}, {"new_password", kNewPassword}}),
                 400, "action-token-invalid");

  const auto confirmed =
      client().post_json("/v1/email/verification/confirm", object{{"token", token}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json(), value(object{{"email", email}, {"email_verified", true}}));
  EXPECT_EQ(with_bearer("GET", "/v1/me", access).json().at("email_verified"), value(true));
  expect_problem(client().post_json("/v1/email/verification/confirm", object{{"token", token}}),
                 400, "action-token-invalid");

  // Verified already: accepted, and nothing is mailed.
  EXPECT_EQ(with_bearer("POST", "/v1/email/verification", access).status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(mails_to(smtp().messages(), email).size(), 1u);
}

TEST_F(Mail, EveryBadTokenAndBodyGetsItsDocumentedAnswer) {
  for (const char* token : {"rst_unknown", "vfy_unknown", "x"}) {
    expect_problem(client().post_json("/v1/password/reset",
                                      object{{"token", token}, {"new_password", kNewPassword}}),
                   400, "action-token-invalid");
    expect_problem(client().post_json("/v1/email/verification/confirm", object{{"token", token}}),
                   400, "action-token-invalid");
  }
  expect_problem(forgot("not an address"), 400, "invalid-field");
  expect_problem(client().post_json("/v1/password/forgot", object{{"email", 7}}), 400,
                 "invalid-field");
  expect_problem(client().post_json("/v1/password/reset", object{{"token", "rst_x"}}), 400,
                 "invalid-field");
  for (const char* route :
       {"/v1/password/forgot", "/v1/password/reset", "/v1/email/verification/confirm"}) {
    expect_problem(client().request("POST", route, "[1,", "application/json"), 400,
                   "malformed-body");
    expect_problem(client().request("POST", route, "{}", "text/plain"), 415,
                   "unsupported-media-type");
    if (server().kind() != Deployment::Kind::nginx) {  // nginx's own body limit answers first
      expect_problem(
          client().request("POST", route, "{\"token\":\"" + std::string(70'000, 'x') + "\"}",
                           "application/json"),
          413, "payload-too-large");
    }
  }
  expect_problem(client().request("POST", "/v1/email/verification", "", ""), 401, "missing-token");
  expect_problem(with_bearer("POST", "/v1/email/verification", "not-a-token"), 401,
                 "invalid-token");
}

// Without a transport the routes that send mail say so; the others still answer.
class MailUnconfigured : public ServerFixture<> {};

TEST_F(MailUnconfigured, TheRoutesThatSendMailAnswer501) {
  expect_problem(client().post_json("/v1/password/forgot", object{{"email", "a@example.com"}}), 501,
                 "mail-not-configured");
  ASSERT_EQ(
      client()
          .post_json("/v1/users", object{{"email", "nomail@example.com"}, {"password", kPassword}})
          .status,
      201);
  const auto session = client().post_json(
      "/v1/sessions", object{{"email", "nomail@example.com"}, {"password", kPassword}});
  ASSERT_EQ(session.status, 201);
  const std::string access = text(session.json().at("access_token"));
  expect_problem(client().request("POST", "/v1/email/verification", "", "",
                                  {{"Authorization", "Bearer " + access}}),
                 501, "mail-not-configured");
  expect_problem(client().post_json("/v1/password/reset",
                                    object{{"token", "rst_x"}, {"new_password", kNewPassword}}),
                 400, "action-token-invalid");
}

// One authd of its own, writing mail to a Maildir, with a low per-network limit.
TEST(MailLimits, TheMailRoutesRefuseAClientNetworkBeyondItsLimitWith429) {
  TempDir maildir;
  AuthdProcess authd({.args = {"--mail-dir", maildir.path().string(), "--mail-from",
                               "accounts@authd.example", "--mail-requests-per-address", "3"}});
  HttpClient client(authd.port());
  ASSERT_EQ(
      client.post_json("/v1/users", object{{"email", "limit@example.com"}, {"password", kPassword}})
          .status,
      201);
  const auto session = client.post_json(
      "/v1/sessions", object{{"email", "limit@example.com"}, {"password", kPassword}});
  ASSERT_EQ(session.status, 201);
  const std::string access = text(session.json().at("access_token"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.post_json("/v1/password/forgot", object{{"email", "x@example.com"}}).status,
              202);
  }
  const auto refused = client.post_json("/v1/password/forgot", object{{"email", "y@example.com"}});
  expect_problem(refused, 429, "too-many-attempts");
  EXPECT_FALSE(refused.header("retry-after").empty());
  expect_problem(client.post_json("/v1/password/reset",
                                  object{{"token", "rst_x"}, {"new_password", kNewPassword}}),
                 429, "too-many-attempts");
  expect_problem(client.post_json("/v1/email/verification/confirm", object{{"token", "vfy_x"}}),
                 429, "too-many-attempts");
  expect_problem(client.request("POST", "/v1/email/verification", "", "",
                                {{"Authorization", "Bearer " + access}}),
                 429, "too-many-attempts");
}

}  // namespace
}  // namespace authd::test
