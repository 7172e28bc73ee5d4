// Drains the outbox: a thread that claims due mail (Store::claim_mail: atomically, so instances
// sharing a store never hold the same mail at once), renders and sends it, and records how it
// went. A 4xx answer or no answer is retried with doubling delays; a 5xx answer fails the mail
// for good (the operator sees it in the log, the metrics and the outbox); a mail whose link
// has expired is not sent at all. A sender that dies holding mail (SIGKILL mid-send) leaves it
// claimed until its lease ends; another sender then sends it again, with the same Message-ID:
// at most one extra copy, never a lost mail.
//
// The pace is global: every instance counts its sends in one store-kept rate limit, and a mail
// over the pace waits for the next window; mail is delayed, never refused.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "core/mail_outbox.hpp"
#include "core/throttle.hpp"
#include "mail/templates.hpp"
#include "mail/transport.hpp"
#include "store/store.hpp"

namespace authd::core {

struct MailSenderConfig {
  std::string from{};                    // the envelope and header sender: "authd@example.com"
  std::string from_name{};               // shown with it
  std::chrono::seconds lease{60};        // longer than one attempt can take (SMTP timeout)
  std::chrono::seconds first_retry{30};  // then doubling
  std::chrono::seconds max_retry{10 * 60};
  // Mails claimed at once. One: the lease then covers one attempt, however slow the server (a
  // batch sent one after another could outlast it, and another instance would send the rest).
  std::size_t batch = 1;
  std::chrono::milliseconds poll{1000};  // looks for due mail at least this often
  RatePolicy pace{.max_attempts = 50, .window = std::chrono::seconds(1)};
  // Ended mail stays in the outbox this long (a failure stays visible to the operator), spent
  // and expired tokens too; then Store::purge_mail deletes them, looked for this often.
  std::chrono::hours keep_ended{24 * 30};
  std::chrono::minutes purge_every{60};
};

// What happened to each mail, for the metrics: the template's name and the outcome.
using MailObserver = std::function<void(std::string_view template_name, store::MailOutcome)>;

class MailSender {
 public:
  MailSender(store::Store& store, const MailOutbox& outbox, const mail::Templates& templates,
             mail::Transport& transport, Throttle& throttle, const Clock& clock,
             MailSenderConfig config, MailObserver observer = {});
  ~MailSender();
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  // Starts the thread; the destructor stops it (after the mail in hand).
  void start();
  // A mail was queued here: look now rather than at the next poll.
  void wake();

  // One pass: claims what is due and sends it. The number of mails claimed.
  std::size_t run_once();

 private:
  void deliver(const store::ClaimedMail& claimed);
  void finish(const store::ClaimedMail& claimed, store::MailOutcome outcome, std::string_view error,
              util::TimePoint retry_at = {});
  // Waits until the global pace admits one more mail; false when stopping.
  bool wait_for_pace();
  // Store::purge_mail, once every config_.purge_every.
  void purge_now_and_then(util::TimePoint now);

  store::Store& store_;
  const MailOutbox& outbox_;
  const mail::Templates& templates_;
  mail::Transport& transport_;
  Throttle& throttle_;
  const Clock& clock_;
  MailSenderConfig config_;
  MailObserver observer_;

  util::TimePoint next_purge_{};  // the sender's thread alone reads and writes it

  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace authd::core
