// A real SMTP server on loopback for a test: aiosmtpd (Debian's python3-aiosmtpd, run by
// tests/mail/smtp_server.py) with STARTTLS on the test certificate, optional AUTH and the faults
// a test asks for, writing what it accepts to a Maildir the test reads. Stopped with the test;
// stop() and start() take it down and bring it back on the same port (an outage).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace authd::test {

class SmtpServer {
 public:
  struct Options {
    bool tls = true;                    // STARTTLS offered and required
    std::string auth{};                 // "user:password": AUTH required
    int defer_first = 0;                // the first N messages get 451 4.3.0
    std::vector<std::string> reject{};  // RCPT TO these gets 550 5.1.1
    // The first message is stored, then answered only after this long (a sender killed
    // meanwhile never hears that it was accepted).
    std::chrono::seconds hold_first{0};
  };

  SmtpServer();
  explicit SmtpServer(Options options);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // Where the server delivers what it accepts (new/ holds the messages).
  std::filesystem::path maildir() const { return dir_.path() / "maildir"; }
  // The certificate the server presents (self-signed, for localhost and 127.0.0.1): the CA file
  // a client must be given.
  static std::string certificate();

  void stop();
  void start();  // on the port it had, or a free one the first time

  // The messages accepted so far, as received (with the X-MailFrom and X-RcptTo headers aiosmtpd
  // adds), oldest first.
  std::vector<std::string> messages() const;
  // Waits up to `timeout` for at least `count` messages; returns what there is then.
  std::vector<std::string> wait_for(
      std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  Options options_;
  TempDir dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// A header's value in a raw message ("" when absent); the name in any letter case.
std::string mail_header(const std::string& message, const std::string& name);

// What a reader sees of a message, decoded by Python's email package (independent of authd's
// encoder): {"subject", "from", "to", "message_id", "text", "html"}, as JSON text.
std::string decoded_mail(const std::string& message);

}  // namespace authd::test
