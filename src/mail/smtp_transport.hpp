// Mail sent through an SMTP server with libcurl, over TLS unless the URL says otherwise:
// - smtp://host[:port]: STARTTLS, required (CURLUSESSL_ALL: a server that does not offer it gets
//   nothing, not a cleartext copy);
// - smtps://host[:port]: TLS from the first byte;
// - smtp+insecure://host[:port]: cleartext, only to a loopback address (local development).
// The server's certificate is verified (against --mail-ca-file when given, else the system's
// CAs); credentials, when given, are sent only after TLS is up. One connection is kept and
// reused between messages. Answers are classified for the outbox: 2xx sent, 4xx (and no
// answer at all: refused connection, timeout, TLS failure) retry, 5xx failed.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "mail/transport.hpp"

namespace authd::mail {

struct SmtpSettings {
  std::string url{};
  std::string username{};
  std::string password{};  // from --smtp-password-file; never logged
  std::string ca_file{};   // empty: the system's CAs
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{30};  // for a whole message, connection included
};

class SmtpTransport final : public Transport {
 public:
  // Throws std::invalid_argument, with a message for the operator, for a URL of another form
  // (or an insecure one to a host that is not loopback) and for credentials over cleartext.
  explicit SmtpTransport(SmtpSettings settings);
  ~SmtpTransport() override;

  Delivery send(std::string_view from, std::string_view to, std::string_view message) override;
  std::string describe() const override;

 private:
  struct Handle;
  SmtpSettings settings_;
  std::string curl_url_;  // the URL as curl takes it (smtp+insecure becomes smtp)
  bool require_tls_ = true;
  std::mutex mutex_;  // one message at a time on the kept connection
  std::unique_ptr<Handle> handle_;
};

}  // namespace authd::mail
