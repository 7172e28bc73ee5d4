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

#include "support/administrator.hpp"
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

TEST_F(Mail, AnEmailChangeIsConfirmedFromTheNewAddressAndRevertedFromTheOld) {
  const std::string old_email = "moving@example.com";
  const std::string new_email = "moved@example.org";
  ASSERT_EQ(register_user(old_email), 201);
  const std::string before = login(old_email);
  const auto change = [&](const std::string& password) {
    return with_bearer(
        "POST", "/v1/me/email", before,
        boost::json::serialize(object{{"new_email", new_email}, {"current_password", password}}));
  };
  expect_problem(change("not the password"), 400, "current-password-incorrect");
  ASSERT_EQ(change(kPassword).status, 202);
  const auto confirmations = wait_for_mails(new_email, 1);
  ASSERT_EQ(confirmations.size(), 1u);
  const std::string token =
      link_token(confirmations[0], "https://app.example/account/confirm-email#token=");
  ASSERT_TRUE(token.starts_with("eml_")) << token;

  const auto confirmed = client().post_json("/v1/email/change/confirm", object{{"token", token}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json(), value(object{{"email", new_email}}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(with_bearer("GET", "/v1/me", before).status, 401);
  EXPECT_TRUE(login(old_email).empty());
  const std::string moved = login(new_email);
  ASSERT_FALSE(moved.empty());
  EXPECT_EQ(with_bearer("GET", "/v1/me", moved).json().at("email_verified"), value(true));
  expect_problem(client().post_json("/v1/email/change/confirm", object{{"token", token}}), 400,
                 "action-token-invalid");

  // The old address is told, with a link that undoes it all.
  const auto notices = wait_for_mails(old_email, 1);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(text(notices[0].at("text")).find(new_email), std::string::npos);
  const std::string revert =
      link_token(notices[0], "https://app.example/account/revert-email#token=");
  ASSERT_TRUE(revert.starts_with("rev_")) << revert;
  const auto reverted = client().post_json("/v1/email/change/revert", object{{"token", revert}});
  ASSERT_EQ(reverted.status, 204) << reverted.body;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(with_bearer("GET", "/v1/me", moved).status, 401);
  EXPECT_TRUE(login(new_email).empty());
  EXPECT_TRUE(login(old_email).empty()) << "no password works until the owner resets it";
  ASSERT_EQ(forgot(old_email).status, 202);
  const auto resets = wait_for_mails(old_email, 2);
  ASSERT_EQ(resets.size(), 2u);
  ASSERT_EQ(client()
                .post_json("/v1/password/reset",
                           object{{"token", link_token(resets[1],
                                                       "https://app.example/account/"
                                                       "reset-password#token=")},
                                  {"new_password", kNewPassword}})
                .status,
            204);
  EXPECT_FALSE(login(old_email, kNewPassword).empty());
  expect_problem(client().post_json("/v1/email/change/revert", object{{"token", revert}}), 400,
                 "action-token-invalid");
}

TEST_F(Mail, AnEmailChangeToATakenOrHeldAddressMailsNothingAndARaceIs409) {
  ASSERT_EQ(register_user("holder@example.com"), 201);
  ASSERT_EQ(register_user("chooser@example.com"), 201);
  const auto request_change = [&](const std::string& bearer, const std::string& address) {
    return with_bearer(
        "POST", "/v1/me/email", bearer,
        boost::json::serialize(object{{"new_email", address}, {"current_password", kPassword}}));
  };
  const std::string access = login("chooser@example.com");
  const auto change_to = [&](const std::string& address) {
    return request_change(access, address);
  };
  EXPECT_EQ(change_to("holder@example.com").status, 202) << "the same answer";
  ASSERT_EQ(change_to("contested@example.com").status, 202);
  const auto mails = wait_for_mails("contested@example.com", 1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_TRUE(mails_to(smtp().messages(), "holder@example.com").empty()) << "nothing to a holder";
  const std::string token =
      link_token(mails[0], "https://app.example/account/confirm-email#token=");
  ASSERT_EQ(register_user("contested@example.com"), 201);  // someone else is faster
  expect_problem(client().post_json("/v1/email/change/confirm", object{{"token", token}}), 409,
                 "email-taken");
  EXPECT_EQ(with_bearer("GET", "/v1/me", access).status, 200) << "nothing was changed";

  // While its revert is live, the old address stays the account's: nobody registers it, so
  // whoever changed the address cannot block the revert that way.
  ASSERT_EQ(change_to("second-home@example.com").status, 202);
  const auto second = wait_for_mails("second-home@example.com", 1);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_EQ(client()
                .post_json("/v1/email/change/confirm",
                           object{{"token", link_token(second[0],
                                                       "https://app.example/account/"
                                                       "confirm-email#token=")}})
                .status,
            200);
  const auto notices = wait_for_mails("chooser@example.com", 1);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(register_user("chooser@example.com"), 409);
  // Nor does another account's email change: no confirmation link is mailed there.
  const std::string holder = login("holder@example.com");
  const auto move_holder_to = [&](const std::string& address) {
    return request_change(holder, address);
  };
  EXPECT_EQ(move_holder_to("chooser@example.com").status, 202) << "the same answer";
  ASSERT_EQ(move_holder_to("elsewhere@example.com").status, 202);
  ASSERT_EQ(wait_for_mails("elsewhere@example.com", 1).size(), 1u);  // queued after the other
  for (const auto& mail : mails_to(smtp().messages(), "chooser@example.com")) {
    EXPECT_EQ(text(mail.at("text")).find("confirm-email#token="), std::string::npos)
        << "no link to a held address";
  }
  const std::string revert =
      link_token(notices[0], "https://app.example/account/revert-email#token=");
  // Only a write that bypasses authd's checks (`authd import` does not know of the hold) can put
  // another account at the held address: the revert then restores nothing and spends nothing.
  const auto move_holder_in_the_store = [&](const std::string& from, const std::string& to) {
    server().query("UPDATE users SET email = '" + to + "', email_key = '" + to +
                   "' WHERE email_key = '" + from + "'");
  };
  move_holder_in_the_store("holder@example.com", "chooser@example.com");
  expect_problem(client().post_json("/v1/email/change/revert", object{{"token", revert}}), 409,
                 "email-taken");
  move_holder_in_the_store("chooser@example.com", "holder@example.com");
  const auto reverted = client().post_json("/v1/email/change/revert", object{{"token", revert}});
  EXPECT_EQ(reverted.status, 204) << reverted.body;
}

TEST_F(Mail, AnAdministratorsRecoveryLinkIsMailedAndAPasswordTheySetIsTold) {
  ASSERT_NE(
      create_administrator_with_cli(store_options(server()), "mail-admin@example.com", kPassword),
      0);
  const std::string admin = login("mail-admin@example.com");
  ASSERT_EQ(register_user("rescued@example.com"), 201);
  const std::string before = login("rescued@example.com");
  const std::string id =
      std::to_string(with_bearer("GET", "/v1/me", before).json().at("id").as_int64());

  const auto issued = with_bearer("POST", "/v1/admin/users/" + id + "/recovery", admin, "{}");
  ASSERT_EQ(issued.status, 201) << issued.body;
  EXPECT_FALSE(issued.json().as_object().contains("url")) << "mailed, not shown";
  EXPECT_EQ(with_bearer("GET", "/v1/me", before).status, 401);
  const auto mails = wait_for_mails("rescued@example.com", 1);
  ASSERT_EQ(mails.size(), 1u);
  const std::string token =
      link_token(mails[0], "https://app.example/account/reset-password#token=");
  ASSERT_EQ(
      client()
          .post_json("/v1/password/reset", object{{"token", token}, {"new_password", kNewPassword}})
          .status,
      204);
  EXPECT_FALSE(login("rescued@example.com", kNewPassword).empty());

  // A password an administrator sets is told to the owner (after the reset's own notice).
  ASSERT_EQ(with_bearer("POST", "/v1/admin/users/" + id + "/password", admin,
                        boost::json::serialize(object{{"password", "set by the admin today"}}))
                .status,
            204);
  EXPECT_EQ(wait_for_mails("rescued@example.com", 3).size(), 3u);
}

TEST_F(Mail, TheOwnerIsToldOfAPasswordChangeAndOfADeactivation) {
  const std::string email = "told@example.com";
  ASSERT_EQ(register_user(email), 201);
  const std::string access = login(email);
  ASSERT_EQ(with_bearer("POST", "/v1/me/password", access,
                        boost::json::serialize(object{{"current_password", kPassword},
                                                      {"new_password", kNewPassword}}))
                .status,
            204);
  const auto changed = wait_for_mails(email, 1);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_NE(text(changed[0].at("subject")).find("password"), std::string::npos)
      << changed[0].at("subject");
  ASSERT_EQ(with_bearer("POST", "/v1/me/deactivate", access,
                        boost::json::serialize(object{{"current_password", kNewPassword}}))
                .status,
            204);
  const auto both = wait_for_mails(email, 2);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_NE(text(both[1].at("subject")).find("deactivated"), std::string::npos)
      << both[1].at("subject");
}

TEST_F(Mail, EveryBadTokenAndBodyGetsItsDocumentedAnswer) {
  for (const char* token : {"rst_unknown", "vfy_unknown", "x"}) {
    expect_problem(client().post_json("/v1/password/reset",
                                      object{{"token", token}, {"new_password", kNewPassword}}),
                   400, "action-token-invalid");
    expect_problem(client().post_json("/v1/email/verification/confirm", object{{"token", token}}),
                   400, "action-token-invalid");
    expect_problem(client().post_json("/v1/email/change/confirm", object{{"token", token}}), 400,
                   "action-token-invalid");
    expect_problem(client().post_json("/v1/email/change/revert", object{{"token", token}}), 400,
                   "action-token-invalid");
  }
  expect_problem(forgot("not an address"), 400, "invalid-field");
  expect_problem(client().post_json("/v1/password/forgot", object{{"email", 7}}), 400,
                 "invalid-field");
  expect_problem(client().post_json("/v1/password/reset", object{{"token", "rst_x"}}), 400,
                 "invalid-field");
  for (const char* route :
       {"/v1/password/forgot", "/v1/password/reset", "/v1/email/verification/confirm",
        "/v1/email/change/confirm", "/v1/email/change/revert"}) {
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
  expect_problem(client().request("POST", "/v1/me/email", "{}", "application/json"), 401,
                 "missing-token");
  expect_problem(with_bearer("POST", "/v1/me/email", "not-a-token", "{}"), 401, "invalid-token");

  ASSERT_EQ(register_user("bodies@example.com"), 201);
  const std::string access = login("bodies@example.com");
  const auto change = [&](const std::string& body, const std::string& type = "application/json") {
    return client().request("POST", "/v1/me/email", body, type,
                            {{"Authorization", "Bearer " + access}});
  };
  expect_problem(change("[1,"), 400, "malformed-body");
  expect_problem(change("{}", "text/plain"), 415, "unsupported-media-type");
  expect_problem(change(R"({"new_email":"x@example.com"})"), 400, "invalid-field");
  expect_problem(
      change(R"({"new_email":"not an address","current_password":"correct horse battery"})"), 400,
      "invalid-field");
  if (server().kind() != Deployment::Kind::nginx) {
    expect_problem(change("{\"new_email\":\"" + std::string(70'000, 'x') + "\"}"), 413,
                   "payload-too-large");
  }
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
  expect_problem(client().request("POST", "/v1/me/email",
                                  R"({"new_email":"b@example.com","current_password":"x"})",
                                  "application/json", {{"Authorization", "Bearer " + access}}),
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
  expect_problem(client.request("POST", "/v1/me/email",
                                R"({"new_email":"b@example.com","current_password":"x"})",
                                "application/json", {{"Authorization", "Bearer " + access}}),
                 429, "too-many-attempts");
  for (const char* route : {"/v1/email/change/confirm", "/v1/email/change/revert"}) {
    expect_problem(client.post_json(route, object{{"token", "x"}}), 429, "too-many-attempts");
  }
}

}  // namespace
}  // namespace authd::test
