// The outbox against a real SMTP server that misbehaves: down then up, a 451, a 550, and authd
// killed with SIGKILL while the server holds a message it already stored. Each runs one authd
// of its own on SQLite (two senders on one PostgreSQL outbox: the Mail suite behind nginx).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "support/authd_process.hpp"
#include "support/http_client.hpp"
#include "support/smtp_server.hpp"
#include "support/temp_dir.hpp"

namespace authd::test {
namespace {

using boost::json::object;

constexpr const char* kPassword = "correct horse battery";

std::vector<std::string> mail_args(const SmtpServer& smtp) {
  return {"--smtp-url",           "smtp://127.0.0.1:" + std::to_string(smtp.port()),
          "--mail-ca-file",       SmtpServer::certificate(),
          "--mail-from",          "accounts@authd.example",
          "--mail-retry-seconds", "1"};
}

// Registers `email` and asks for its password reset.
void forgot(HttpClient& client, const std::string& email) {
  ASSERT_EQ(client.post_json("/v1/users", object{{"email", email}, {"password", kPassword}}).status,
            201);
  ASSERT_EQ(client.post_json("/v1/password/forgot", object{{"email", email}}).status, 202);
}

// The outbox's only reset mail, once it is final: {status, attempts, last_error}.
Row final_reset_mail(const AuthdProcess& authd) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    const auto rows = authd.query(
        "SELECT status, attempts, last_error, sealed_payload IS NULL FROM mail_outbox "
        "WHERE template = 'reset-password'");
    if ((rows.size() == 1 && rows[0][0] != "pending" && rows[0][0] != "sending") ||
        std::chrono::steady_clock::now() > deadline) {
      return rows.empty() ? Row{} : rows[0];
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

TEST(MailDelivery, MailQueuedWhileTheServerIsDownIsSentOnceItIsBack) {
  SmtpServer smtp;
  AuthdProcess authd({.args = mail_args(smtp)});
  HttpClient client(authd.port());
  smtp.stop();
  forgot(client, "patient@example.com");
  EXPECT_EQ(client.request("GET", "/readyz", "", "").status, 200)
      << "ready: the mail waits in the outbox";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // an attempt or two fail
  smtp.start();
  ASSERT_EQ(smtp.wait_for(1, std::chrono::seconds(20)).size(), 1u);
  const Row mail = final_reset_mail(authd);
  ASSERT_EQ(mail.size(), 4u);
  EXPECT_EQ(mail[0], "sent");
  EXPECT_GT(std::stoi(*mail[1]), 1) << "it was retried";
  EXPECT_EQ(mail[3], "1") << "the payload (the live link) is erased once sent";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(smtp.messages().size(), 1u) << "sent once";
}

// A link voided while its mail waited (here by a new password, set while the SMTP server was
// down) is never sent: the person would only meet "already used or has expired". The notice of
// the new password is.
TEST(MailDelivery, AMailWhoseLinkWasVoidedWhileItWaitedIsNeverSent) {
  SmtpServer smtp;
  AuthdProcess authd({.args = mail_args(smtp)});
  HttpClient client(authd.port());
  smtp.stop();
  forgot(client, "changed-mind@example.com");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // an attempt or two fail
  const auto session = client.post_json(
      "/v1/sessions", object{{"email", "changed-mind@example.com"}, {"password", kPassword}});
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string access(session.json().at("access_token").as_string());
  const auto changed =
      client.request("POST", "/v1/me/password",
                     boost::json::serialize(object{{"current_password", kPassword},
                                                   {"new_password", "a newer long passphrase"}}),
                     "application/json", {{"Authorization", "Bearer " + access}});
  ASSERT_EQ(changed.status, 204) << changed.body;
  smtp.start();

  const Row reset = final_reset_mail(authd);
  ASSERT_EQ(reset.size(), 4u);
  EXPECT_EQ(reset[0], "expired");
  ASSERT_TRUE(reset[2]);
  EXPECT_NE(reset[2]->find("void"), std::string::npos) << *reset[2];
  EXPECT_EQ(reset[3], "1") << "its payload (the dead link) is erased";
  const auto delivered = smtp.wait_for(1, std::chrono::seconds(20));
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_NE(mail_header(delivered[0], "Subject").find("password was changed"), std::string::npos)
      << mail_header(delivered[0], "Subject");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(smtp.messages().size(), 1u) << "the reset mail never followed";
}

// The SMTP password is read from a file only authd's user can read, as its generated secrets
// are (a file written on Windows, CRLF, works too); a file others can read stops the start.
TEST(MailDelivery, TheSmtpPasswordComesFromAFileOnlyItsOwnerCanRead) {
  SmtpServer smtp({.auth = "authd:a pass phrase"});
  TempDir dir;
  const auto file = dir.path() / "smtp-password";
  std::ofstream(file) << "a pass phrase\r\n";
  std::vector<std::string> args = mail_args(smtp);
  args.insert(args.end(), {"--smtp-username", "authd", "--smtp-password-file", file.string()});
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  {
    AuthdProcess refused({.args = args, .expect_start = false});
    EXPECT_EQ(refused.wait_exit(), 1);
    EXPECT_NE(refused.log().find("chmod 600"), std::string::npos) << refused.log();
    EXPECT_EQ(refused.log().find("a pass phrase"), std::string::npos) << "never logged";
  }
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  AuthdProcess authd({.args = args});
  HttpClient client(authd.port());
  forgot(client, "owner@example.com");
  EXPECT_EQ(smtp.wait_for(1, std::chrono::seconds(20)).size(), 1u) << "AUTH succeeded";
}

// The value of the sample `name` (with its labels) in a Prometheus text page; -1 when absent.
double sample(const std::string& page, const std::string& name) {
  const auto at = page.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + name.size() + 2));
}

TEST(MailDelivery, A451IsRetriedAndTheMailSentOnceAndTheOperatorSeesBoth) {
  SmtpServer smtp({.defer_first = 1});
  std::vector<std::string> args = mail_args(smtp);
  args.insert(args.end(), {"--metrics-listen", "127.0.0.1:0"});
  AuthdProcess authd({.args = args});
  HttpClient client(authd.port());
  forgot(client, "deferred@example.com");
  // Asked twice more within the minute: still 202, nothing more mailed, and the operator sees
  // the two held back.
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(
        client.post_json("/v1/password/forgot", object{{"email", "deferred@example.com"}}).status,
        202);
  }
  ASSERT_EQ(smtp.wait_for(1, std::chrono::seconds(20)).size(), 1u);
  const Row mail = final_reset_mail(authd);
  ASSERT_EQ(mail.size(), 4u);
  EXPECT_EQ(mail[0], "sent");
  EXPECT_EQ(mail[1], "2");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(smtp.messages().size(), 1u);

  std::smatch found;
  const std::string log = authd.log();
  ASSERT_TRUE(
      std::regex_search(log, found, std::regex(R"(metrics listening on http://[^:]+:(\d+))")))
      << log;
  HttpClient operator_client(static_cast<std::uint16_t>(std::stoi(found[1])));
  const std::string page = operator_client.request("GET", "/metrics", "", "").body;
  EXPECT_EQ(sample(page, R"(authd_mails_total{template="reset-password",outcome="retried"})"), 1)
      << page;
  EXPECT_EQ(sample(page, R"(authd_mails_total{template="reset-password",outcome="sent"})"), 1);
  EXPECT_EQ(sample(page, R"(authd_action_tokens_total{purpose="reset",outcome="issued"})"), 1);
  EXPECT_EQ(sample(page, R"(authd_mail_throttled_total{scope="address"})"), 2);
  EXPECT_EQ(sample(page, "authd_mail_pending"), 0);
  EXPECT_EQ(sample(page, "authd_mail_oldest_pending_seconds"), 0);
  // Who could scrape the public page right after someone's request would learn the account.
  const std::string open = client.request("GET", "/metrics", "", "").body;
  EXPECT_EQ(open.find("authd_mail"), std::string::npos);
  EXPECT_EQ(open.find("authd_action_tokens"), std::string::npos);
}

TEST(MailDelivery, A550FailsTheMailForGoodVisiblyToTheOperator) {
  SmtpServer smtp({.reject = {"bounce@example.com"}});
  AuthdProcess authd({.args = mail_args(smtp)});
  HttpClient client(authd.port());
  forgot(client, "bounce@example.com");
  const Row mail = final_reset_mail(authd);
  ASSERT_EQ(mail.size(), 4u);
  EXPECT_EQ(mail[0], "failed");
  EXPECT_EQ(mail[1], "1") << "a 5xx is not retried";
  ASSERT_TRUE(mail[2]);
  EXPECT_NE(mail[2]->find("550"), std::string::npos) << *mail[2];
  EXPECT_EQ(mail[3], "1");
  EXPECT_NE(authd.log().find("failed"), std::string::npos);
  EXPECT_TRUE(smtp.messages().empty());
}

TEST(MailDelivery, ASenderKilledMidSendLeavesTheMailToTheNextOneWithTheSameMessageId) {
  // The server stores the first message, then holds its answer: authd is killed meanwhile.
  SmtpServer smtp({.hold_first = std::chrono::seconds(30)});
  TempDir data;
  std::vector<std::string> args = mail_args(smtp);
  args.insert(args.end(), {"--smtp-timeout", "3"});  // a held mail is taken again after 6 s
  {
    AuthdProcess first({.args = args, .data_dir = data.path()});
    HttpClient client(first.port());
    forgot(client, "interrupted@example.com");
    ASSERT_EQ(smtp.wait_for(1, std::chrono::seconds(20)).size(), 1u);
    EXPECT_EQ(first.stop(SIGKILL), 128 + SIGKILL);
  }
  AuthdProcess second({.args = args, .data_dir = data.path()});
  const auto copies = smtp.wait_for(2, std::chrono::seconds(30));
  ASSERT_EQ(copies.size(), 2u) << "sent after the restart";
  EXPECT_EQ(mail_header(copies[0], "Message-ID"), mail_header(copies[1], "Message-ID"))
      << "one extra copy at most, which a receiver can drop";
  const Row mail = final_reset_mail(second);
  ASSERT_EQ(mail.size(), 4u);
  EXPECT_EQ(mail[0], "sent");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(smtp.messages().size(), 2u);
}

}  // namespace
}  // namespace authd::test
