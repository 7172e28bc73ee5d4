// What goes into the outbox and comes back out of it. A queued mail's recipient and values
// (a live token's link among them) are sealed with a key derived from the key-encryption key
// (ASVS 5.0 11.4.x: secrets at rest encrypted), bound to the mail's Message-ID, so the store
// holds no usable link and a payload moved to another row does not open. The Message-ID is
// fixed when the mail is queued: every attempt, on any instance, sends the same one, and a
// receiver can drop a duplicate (a crash between the server's answer and the outbox's update).
#pragma once

#include <optional>
#include <string>

#include "mail/templates.hpp"
#include "store/store.hpp"

namespace authd::core {

struct OutgoingMail {
  mail::Template which{};
  std::string to{};
  mail::Values values{};
};

class MailOutbox {
 public:
  // `sealing_key`: core::mail_sealing_key; `domain`: the right-hand side of each Message-ID
  // (the sender address's domain).
  MailOutbox(std::string sealing_key, std::string domain)
      : sealing_key_(std::move(sealing_key)), domain_(std::move(domain)) {}

  // The row to queue: sent no later than `not_after` (a link's expiry: no dead links).
  store::OutboxMessage prepare(const OutgoingMail& mail, util::TimePoint now,
                               util::TimePoint not_after) const;

  // The mail a claimed row holds; nothing when its payload does not open (sealed under another
  // key-encryption key, or altered).
  std::optional<OutgoingMail> open(const store::ClaimedMail& claimed) const;

 private:
  std::string sealing_key_;
  std::string domain_;
};

}  // namespace authd::core
