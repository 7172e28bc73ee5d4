// The mail layer without a server: how a message is written (headers that cannot be injected
// into, RFC 2047 subjects, quoted-printable bodies), the templates and their overrides, and the
// Maildir transport. tests/integration/mail_transport_test.cpp sends through a real SMTP server
// and decodes with an independent reader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/base64url.hpp"
#include "mail/maildir_transport.hpp"
#include "mail/message.hpp"
#include "mail/templates.hpp"
#include "support/temp_dir.hpp"
#include "util/text.hpp"

namespace authd::mail {
namespace {

Message valid_message() {
  return {.from = "no-reply@example.com",
          .from_name = "Accounts",
          .to = "ada@example.com",
          .subject = "Hello",
          .text = "text",
          .html = "<p>html</p>",
          .message_id = "1.abc@example.com",
          .date = util::from_unix_millis(0)};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line ends with CRLF";
    if (end == std::string::npos) break;
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

TEST(MailMessage, HeaderValuesWithLineBreaksAreRefusedNotRepaired) {
  for (const std::string& injected :
       std::vector<std::string>{"Hi\r\nBcc: victim@example.com", "Hi\nBcc: x@example.com", "Hi\rX",
                                std::string("Hi\0X", 4)}) {
    Message subject = valid_message();
    subject.subject = injected;
    EXPECT_THROW(compose(subject, "b"), InvalidMessage);
    Message name = valid_message();
    name.from_name = injected;
    EXPECT_THROW(compose(name, "b"), InvalidMessage);
  }
  for (const char* address :
       {"ada@example.com\r\nBcc: x@example.com", "ada@example.com>", "Ada <ada@example.com>", "ada",
        "ädä@example.com", "a@b@c", "@x", "x@"}) {
    Message to = valid_message();
    to.to = address;
    EXPECT_THROW(compose(to, "b"), InvalidMessage) << address;
    EXPECT_FALSE(valid_address(address)) << address;
  }
  Message id = valid_message();
  id.message_id = "1@x>\r\nBcc: y";
  EXPECT_THROW(compose(id, "b"), InvalidMessage);
  Message text = valid_message();
  text.text = "not \xff UTF-8";
  EXPECT_THROW(compose(text, "b"), InvalidMessage);
}

TEST(MailMessage, TheHeadersAreThoseOfAnAutomaticMultipartMail) {
  const std::string out = compose(valid_message(), "tok");
  const auto lines = lines_of(out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "Date: Thu, 01 Jan 1970 00:00:00 +0000");
  const auto has = [&](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("From: \"Accounts\" <no-reply@example.com>"));
  EXPECT_TRUE(has("To: ada@example.com"));
  EXPECT_TRUE(has("Subject: Hello"));
  EXPECT_TRUE(has("Message-ID: <1.abc@example.com>"));
  EXPECT_TRUE(has("Auto-Submitted: auto-generated"));
  EXPECT_TRUE(has("Content-Type: multipart/alternative; boundary=\"=_tok\""));
  EXPECT_TRUE(has("--=_tok"));
  EXPECT_TRUE(has("--=_tok--"));
  EXPECT_TRUE(has("Content-Type: text/plain; charset=utf-8"));
  EXPECT_TRUE(has("Content-Type: text/html; charset=utf-8"));
}

TEST(MailMessage, QuotedPrintableKeepsLinesShortAndNeverWritesTheBoundary) {
  const std::string body = std::string(200, 'a') + " trailing \n--=_tok\n=3D\n" + std::string("é") +
                           std::string(100, '=');
  const std::string encoded = quoted_printable(body);
  for (const auto& line : lines_of(encoded)) {
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_NE(line, "--=_tok");
    EXPECT_FALSE(line.ends_with(" ")) << "trailing whitespace is encoded: " << line;
  }
  EXPECT_NE(encoded.find("trailing=20\r\n"), std::string::npos) << encoded;
  EXPECT_NE(encoded.find("=C3=A9"), std::string::npos);
  EXPECT_NE(encoded.find("--=3D_tok"), std::string::npos);
}

TEST(MailMessage, NonAsciiSubjectsAreEncodedWordsOfWholeCharacters) {
  EXPECT_EQ(encode_header_text("Plain subject"), "Plain subject");
  std::string subject;
  for (int i = 0; i < 40; ++i) subject += "é✓";  // 2- and 3-byte characters
  const std::string encoded = encode_header_text(subject);
  std::string decoded;
  std::istringstream words(encoded);
  for (std::string word; words >> word;) {
    ASSERT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    EXPECT_LE(word.size(), 75u);
    std::string b64 = word.substr(10, word.size() - 12);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    for (char& c : b64) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    const auto bytes = crypto::base64url_decode(b64);
    ASSERT_TRUE(bytes.has_value()) << word;
    EXPECT_FALSE(util::has_control_characters(*bytes)) << "each word holds whole characters";
    decoded += *bytes;
  }
  EXPECT_EQ(decoded, subject);
  EXPECT_NE(encoded.find("\r\n "), std::string::npos) << "folded";
}

TEST(MailTemplates, ValuesAreEscapedInHtmlAndEveryPlaceholderIsFilled) {
  const Templates templates;
  const RenderedMail mail =
      templates.render(Template::reset_password, {{"app_name", "Shop"},
                                                  {"email", "<img src=x onerror=alert(1)>@x"},
                                                  {"link", "https://app/reset#token=a&b"},
                                                  {"expires_in", "1 hour"}});
  EXPECT_EQ(mail.subject, "Reset your Shop password");
  EXPECT_NE(mail.text.find("https://app/reset#token=a&b"), std::string::npos);
  EXPECT_NE(mail.html.find("href=\"https://app/reset#token=a&amp;b\""), std::string::npos);
  EXPECT_EQ(mail.html.find("<img"), std::string::npos) << mail.html;
  EXPECT_NE(mail.html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_EQ(mail.text.find("{{"), std::string::npos);
  EXPECT_THROW(templates.render(Template::reset_password, {{"app_name", "Shop"}}),
               std::invalid_argument);
  for (std::size_t i = 0; i < kTemplateCount; ++i) {
    const auto which = static_cast<Template>(i);
    EXPECT_EQ(template_from_name(template_name(which)), which);
  }
  EXPECT_FALSE(template_from_name("nope").has_value());
}

TEST(MailTemplates, AFolderOverridesSomePartsAndIsCheckedAtStart) {
  test::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.path() / name) << content;
  };
  write("verify-email.subject", "Bitte bestätigen: {{email}}\n");
  write("verify-email.html", "<a href=\"{{link}}\">{{app_name}}</a>");
  const Templates templates(dir.path());
  const RenderedMail mail = templates.render(
      Template::verify_email,
      {{"app_name", "A&B"}, {"email", "e@x"}, {"link", "L"}, {"expires_in", "1 day"}});
  EXPECT_EQ(mail.subject, "Bitte bestätigen: e@x");
  EXPECT_EQ(mail.html, "<a href=\"L\">A&amp;B</a>");
  EXPECT_NE(mail.text.find("Open this link within 1 day"), std::string::npos) << "built in";

  write("password-changed.txt", "Your {{link}}");  // a notice has no link
  try {
    const Templates refused(dir.path());
    ADD_FAILURE() << "an unknown placeholder was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("password-changed.txt"), std::string::npos) << e.what();
  }
  std::filesystem::remove(dir.path() / "password-changed.txt");
  write("reset-password.subject", "one\ntwo");
  EXPECT_THROW(const Templates refused(dir.path()), std::runtime_error);
}

TEST(MailTemplates, DurationsReadAsAPersonWouldSayThem) {
  EXPECT_EQ(describe_duration(std::chrono::hours(1)), "1 hour");
  EXPECT_EQ(describe_duration(std::chrono::hours(24)), "24 hours");
  EXPECT_EQ(describe_duration(std::chrono::hours(24 * 7)), "7 days");
  EXPECT_EQ(describe_duration(std::chrono::minutes(90)), "90 minutes");
  EXPECT_EQ(describe_duration(std::chrono::seconds(45)), "45 seconds");
}

TEST(MaildirTransport, WritesWholeMessagesIntoNew) {
  test::TempDir dir;
  MaildirTransport transport(dir.path() / "mail");
  const std::string message = compose(valid_message(), "tok");
  ASSERT_EQ(transport.send("a@x", "b@x", message).outcome, Delivery::Outcome::sent);
  ASSERT_EQ(transport.send("a@x", "b@x", message).outcome, Delivery::Outcome::sent);
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "mail" / "new")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    found.push_back(text.str());
  }
  ASSERT_EQ(found.size(), 2u) << "two messages, two files";
  EXPECT_EQ(found[0], message);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path() / "mail" / "tmp"));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "mail" / "cur"));
}

}  // namespace
}  // namespace authd::mail
