#include "core/mail_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "crypto/random.hpp"
#include "mail/message.hpp"

namespace authd::core {
namespace {

// The delay before attempt `attempts` + 1: first_retry, doubling, at most max_retry.
std::chrono::seconds retry_delay(std::int64_t attempts, const MailSenderConfig& config) {
  std::chrono::seconds delay = config.first_retry;
  for (std::int64_t i = 1; i < attempts && delay < config.max_retry; ++i) delay *= 2;
  return std::min(delay, config.max_retry);
}

}  // namespace

MailSender::MailSender(store::Store& store, const MailOutbox& outbox,
                       const mail::Templates& templates, mail::Transport& transport,
                       Throttle& throttle, const Clock& clock, MailSenderConfig config,
                       MailObserver observer)
    : store_(store),
      outbox_(outbox),
      templates_(templates),
      transport_(transport),
      throttle_(throttle),
      clock_(clock),
      config_(std::move(config)),
      observer_(std::move(observer)) {}

MailSender::~MailSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailSender::start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      woken_ = false;
      lock.unlock();
      const std::size_t claimed = run_once();
      lock.lock();
      // A full batch: more may be due at once.
      if (claimed == config_.batch) continue;
      wake_.wait_for(lock, config_.poll, [this] { return woken_ || stopping_; });
    }
  });
}

void MailSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

std::size_t MailSender::run_once() {
  const util::TimePoint now = clock_.now();
  purge_now_and_then(now);
  auto claimed = store_.claim_mail(now, now + config_.lease, config_.batch);
  if (!claimed) return 0;  // the store logged it; the next pass tries again
  for (const auto& mail : *claimed) {
    {
      std::lock_guard lock(mutex_);
      // Stopping: what is left stays claimed until its lease ends, then any sender takes it.
      if (stopping_) break;
    }
    deliver(mail);
  }
  return claimed->size();
}

void MailSender::purge_now_and_then(util::TimePoint now) {
  if (now < next_purge_) return;
  next_purge_ = now + config_.purge_every;
  // Every instance may purge; a purge is idempotent. A failure waits for the next turn.
  if (auto purged = store_.purge_mail(now - config_.keep_ended); purged && *purged > 0) {
    spdlog::info("mail: purged {} ended mail(s) and dead link token(s)", *purged);
  }
}

void MailSender::deliver(const store::ClaimedMail& claimed) {
  // A dead link is no mail: the person would only meet "already used or has expired".
  if (claimed.link_void) {
    finish(claimed, store::MailOutcome::expired,
           "its link was void before it could be sent (a newer link, a new password or a change "
           "to the account)");
    return;
  }
  if (clock_.now() >= claimed.not_after) {
    finish(claimed, store::MailOutcome::expired, "its link expired before it could be sent");
    return;
  }
  const auto mail = outbox_.open(claimed);
  if (!mail) {
    finish(claimed, store::MailOutcome::failed,
           "the payload does not open (another key-encryption key?)");
    return;
  }
  std::string message;
  try {
    const mail::RenderedMail rendered = templates_.render(mail->which, mail->values);
    message = mail::compose({.from = config_.from,
                             .from_name = config_.from_name,
                             .to = mail->to,
                             .subject = rendered.subject,
                             .text = rendered.text,
                             .html = rendered.html,
                             .message_id = claimed.message_id,
                             .date = clock_.now()},
                            crypto::random_token(18));
  } catch (const std::exception& refused) {
    finish(claimed, store::MailOutcome::failed, refused.what());
    return;
  }
  if (!wait_for_pace()) return;  // stopping: the lease runs out and the mail is taken again
  const mail::Delivery delivery = transport_.send(config_.from, mail->to, message);
  switch (delivery.outcome) {
    case mail::Delivery::Outcome::sent:
      finish(claimed, store::MailOutcome::sent, "");
      return;
    case mail::Delivery::Outcome::failed:
      spdlog::warn("mail: {} {} failed: {}", claimed.template_name, claimed.message_id,
                   delivery.detail);
      finish(claimed, store::MailOutcome::failed, delivery.detail);
      return;
    case mail::Delivery::Outcome::retry:
      break;
  }
  const util::TimePoint retry_at = clock_.now() + retry_delay(claimed.attempts, config_);
  if (retry_at >= claimed.not_after) {
    spdlog::warn("mail: {} {} expired after {} attempts: {}", claimed.template_name,
                 claimed.message_id, claimed.attempts, delivery.detail);
    finish(claimed, store::MailOutcome::expired, delivery.detail);
    return;
  }
  spdlog::info("mail: {} {} deferred (attempt {}): {}", claimed.template_name, claimed.message_id,
               claimed.attempts, delivery.detail);
  finish(claimed, store::MailOutcome::retry, delivery.detail, retry_at);
}

void MailSender::finish(const store::ClaimedMail& claimed, store::MailOutcome outcome,
                        std::string_view error, util::TimePoint retry_at) {
  // Unrecorded (the store is down), the mail stays claimed until its lease ends and is sent
  // again then: one extra copy, with the same Message-ID, rather than a lost mail.
  (void)store_.finish_mail(claimed.id, claimed.attempts, outcome, retry_at, error, clock_.now());
  if (observer_) observer_(claimed.template_name, outcome);
}

bool MailSender::wait_for_pace() {
  for (;;) {
    auto admitted = throttle_.admit({ThrottleScope::mail_pace, {}, {}}, config_.pace);
    // An uncounted send is still sent: the pace protects the SMTP server's patience, and an
    // outage of the store must not hold mail that was claimed already.
    if (!admitted || admitted->wait.count() == 0) return true;
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, admitted->wait, [this] { return stopping_; })) return false;
  }
}

}  // namespace authd::core
