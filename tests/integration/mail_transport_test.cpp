// authd's mail transports against a real SMTP server (aiosmtpd, support/smtp_server.hpp) on
// loopback: STARTTLS required and verified, AUTH, and each kind of answer classified as the
// outbox needs it (sent, retry, failed); the message as a mail reader decodes it (Python's
// email package, independent of authd's encoder).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mail/message.hpp"
#include "mail/smtp_transport.hpp"
#include "support/smtp_server.hpp"
#include "util/time.hpp"

namespace authd::test {
namespace {

using mail::Delivery;

mail::Message sample_message(const std::string& to = "ada@example.com") {
  return {.from = "no-reply@example.com",
          .from_name = "Exämple \"Accounts\"",
          .to = to,
          .subject =
              "Réinitialisez votre mot de passe ✓ — a subject long enough to need folding "
              "into several encoded words",
          .text =
              "Bonjour Ada,\n\nOpen https://app.example/reset#token=rst_abc=def within 1 hour."
              "\nA line with a trailing space \n" +
              std::string(120, 'x') + "\n.\nThe end.",
          .html = "<p>Bonjour <b>Ada</b> &amp; co — ✓</p>",
          .message_id = "17.abc@authd.example",
          .date = util::from_unix_millis(1796572800000)};
}

std::string composed(const mail::Message& message) {
  return mail::compose(message, "boundary-token-0123");
}

mail::SmtpSettings settings_for(const SmtpServer& server) {
  return {.url = "smtp://localhost:" + std::to_string(server.port()),
          .ca_file = SmtpServer::certificate(),
          .connect_timeout = std::chrono::seconds(5),
          .timeout = std::chrono::seconds(10)};
}

TEST(MailTransport, StartTlsDeliversAMessageAReaderDecodesAsWritten) {
  SmtpServer server({.auth = "authd:s3cret-for-tests"});
  auto settings = settings_for(server);
  settings.username = "authd";
  settings.password = "s3cret-for-tests";
  mail::SmtpTransport transport(settings);
  const mail::Message message = sample_message();
  const Delivery delivery = transport.send(message.from, message.to, composed(message));
  ASSERT_EQ(delivery.outcome, Delivery::Outcome::sent) << delivery.detail;

  const auto received = server.wait_for(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(mail_header(received[0], "X-RcptTo"), "ada@example.com");
  EXPECT_EQ(mail_header(received[0], "X-MailFrom"), "no-reply@example.com");
  const auto decoded = boost::json::parse(decoded_mail(received[0])).as_object();
  EXPECT_EQ(decoded.at("subject"), boost::json::value(message.subject));
  EXPECT_EQ(decoded.at("from"), "\"Exämple \\\"Accounts\\\"\" <no-reply@example.com>")
      << "or an equivalent rendering: " << decoded.at("from");
  EXPECT_EQ(decoded.at("to"), "ada@example.com");
  EXPECT_EQ(decoded.at("message_id"), "<17.abc@authd.example>");
  // Exactly the text: the line break before a boundary belongs to the boundary (RFC 2046).
  EXPECT_EQ(decoded.at("text"), boost::json::value(message.text));
  EXPECT_EQ(decoded.at("html"), boost::json::value(message.html));

  // The kept connection carries a second message.
  ASSERT_EQ(transport.send(message.from, message.to, composed(message)).outcome,
            Delivery::Outcome::sent);
  EXPECT_EQ(server.wait_for(2).size(), 2u);
}

TEST(MailTransport, AServerWithoutStartTlsGetsNothing) {
  SmtpServer server({.tls = false});
  mail::SmtpTransport transport(settings_for(server));
  const mail::Message message = sample_message();
  const Delivery refused = transport.send(message.from, message.to, composed(message));
  EXPECT_EQ(refused.outcome, Delivery::Outcome::retry) << refused.detail;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(server.messages().empty()) << "no cleartext copy";

  // Cleartext only when the URL says so, and only to loopback.
  mail::SmtpTransport insecure(
      {.url = "smtp+insecure://127.0.0.1:" + std::to_string(server.port())});
  EXPECT_EQ(insecure.send(message.from, message.to, composed(message)).outcome,
            Delivery::Outcome::sent);
  EXPECT_EQ(server.wait_for(1).size(), 1u);
  EXPECT_THROW(mail::SmtpTransport({.url = "smtp+insecure://mail.example.com:25"}),
               std::invalid_argument);
}

TEST(MailTransport, AnUnknownCertificateIsRetriedNotTrusted) {
  SmtpServer server;
  auto settings = settings_for(server);
  settings.ca_file.clear();  // the system's CAs, which never signed the test certificate
  mail::SmtpTransport transport(settings);
  const mail::Message message = sample_message();
  const Delivery delivery = transport.send(message.from, message.to, composed(message));
  EXPECT_EQ(delivery.outcome, Delivery::Outcome::retry) << delivery.detail;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(server.messages().empty());
}

TEST(MailTransport, A4xxIsRetriedAnd5xxFails) {
  SmtpServer server({.defer_first = 1, .reject = {"nobody@example.com"}});
  mail::SmtpTransport transport(settings_for(server));
  const mail::Message message = sample_message();
  const Delivery deferred = transport.send(message.from, message.to, composed(message));
  EXPECT_EQ(deferred.outcome, Delivery::Outcome::retry);
  EXPECT_NE(deferred.detail.find("451"), std::string::npos) << deferred.detail;
  EXPECT_EQ(transport.send(message.from, message.to, composed(message)).outcome,
            Delivery::Outcome::sent);

  const mail::Message unknown = sample_message("nobody@example.com");
  const Delivery rejected = transport.send(unknown.from, unknown.to, composed(unknown));
  EXPECT_EQ(rejected.outcome, Delivery::Outcome::failed);
  EXPECT_NE(rejected.detail.find("550"), std::string::npos) << rejected.detail;
  EXPECT_EQ(server.wait_for(1).size(), 1u);
}

TEST(MailTransport, WrongCredentialsAndADownServerAreRetried) {
  SmtpServer server({.auth = "authd:right"});
  auto settings = settings_for(server);
  settings.username = "authd";
  settings.password = "wrong";
  mail::SmtpTransport wrong(settings);
  const mail::Message message = sample_message();
  EXPECT_EQ(wrong.send(message.from, message.to, composed(message)).outcome,
            Delivery::Outcome::retry);

  settings.password = "right";
  mail::SmtpTransport right(settings);
  server.stop();
  const Delivery down = right.send(message.from, message.to, composed(message));
  EXPECT_EQ(down.outcome, Delivery::Outcome::retry) << down.detail;
  server.start();
  EXPECT_EQ(right.send(message.from, message.to, composed(message)).outcome,
            Delivery::Outcome::sent);
  EXPECT_EQ(server.wait_for(1).size(), 1u);
}

TEST(MailTransport, OnlySmtpUrlsAreTaken) {
  for (const char* url :
       {"http://localhost:25", "smtp://", "smtp://user:pw@localhost:25", "smtp://localhost:25/path",
        "smtp://localhost:25?x=1", "localhost:25", ""}) {
    EXPECT_THROW(mail::SmtpTransport({.url = url}), std::invalid_argument) << url;
  }
  EXPECT_NO_THROW(mail::SmtpTransport({.url = "smtps://mail.example.com:465"}));
  EXPECT_NO_THROW(mail::SmtpTransport({.url = "smtp://mail.example.com"}));
  EXPECT_NO_THROW(mail::SmtpTransport({.url = "smtp+insecure://[::1]:2525"}));
}

}  // namespace
}  // namespace authd::test
