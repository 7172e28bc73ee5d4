// Where composed mail goes: an SMTP server (smtp_transport.hpp) or a Maildir folder
// (maildir_transport.hpp). One call sends one message to one recipient and says how it went, in
// the terms the outbox needs to decide what happens next.
#pragma once

#include <string>
#include <string_view>

namespace authd::mail {

struct Delivery {
  enum class Outcome {
    sent,   // accepted by the server (or written to the folder)
    retry,  // not now: a 4xx answer, no connection, a timeout, a TLS failure
    failed  // never: a 5xx answer (the server refuses the message or the recipient)
  };
  Outcome outcome = Outcome::retry;
  std::string detail{};  // for the operator: the server's code and words; never the message
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Blocks (network or disk): call it from the mail sender's thread, never an I/O thread.
  virtual Delivery send(std::string_view from, std::string_view to, std::string_view message) = 0;
  // "smtp smtps://mail.example.com:465", "maildir /var/mail/authd": for the start-up banner.
  virtual std::string describe() const = 0;
};

}  // namespace authd::mail
