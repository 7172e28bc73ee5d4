// The outbox's sender over a real SQLite store, with a transport that records what it is handed
// (the SMTP side is tests/integration/mail_delivery_test.cpp, against a real server): the sealed
// payload opens only under its own key, a mail whose link expired is never sent, the global pace
// spreads mail over windows without refusing any, and a retry waits for its time.
#include "core/mail_sender.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/mail_outbox.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/raw_db.hpp"
#include "support/temp_dir.hpp"
#include "support/test_doubles.hpp"

namespace authd::core {
namespace {

// Accepts (or defers) every message and remembers when and to whom.
class RecordingTransport final : public mail::Transport {
 public:
  mail::Delivery send(std::string_view, std::string_view to, std::string_view message) override {
    std::lock_guard lock(mutex_);
    sent_.push_back({std::string(to), std::string(message), std::chrono::steady_clock::now()});
    if (defer_) return {.outcome = mail::Delivery::Outcome::retry, .detail = "451 later"};
    return {.outcome = mail::Delivery::Outcome::sent, .detail = "250 OK"};
  }
  std::string describe() const override { return "recording"; }

  struct Sent {
    std::string to, message;
    std::chrono::steady_clock::time_point at;
  };
  std::vector<Sent> sent() {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  bool defer_ = false;

 private:
  std::mutex mutex_;
  std::vector<Sent> sent_;
};

OutgoingMail notice_to(const std::string& to) {
  return {.which = mail::Template::password_changed,
          .to = to,
          .values = {{"app_name", "authd"}, {"email", to}}};
}

TEST(MailOutbox, APayloadOpensOnlyUnderItsKeyAndWithItsMessageId) {
  const MailOutbox outbox(std::string(32, 'k'), "example.com");
  const auto now = util::from_unix_millis(1'000'000);
  const store::OutboxMessage row = outbox.prepare(notice_to("ada@example.com"), now, now);
  EXPECT_TRUE(row.message_id.ends_with("@example.com"));
  EXPECT_EQ(row.template_name, "password-changed");
  EXPECT_EQ(row.sealed_payload.find("ada@example.com"), std::string::npos) << "sealed";
  store::ClaimedMail claimed{.id = 1,
                             .template_name = row.template_name,
                             .message_id = row.message_id,
                             .sealed_payload = row.sealed_payload};
  const auto opened = outbox.open(claimed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->to, "ada@example.com");
  EXPECT_EQ(opened->values.at("email"), "ada@example.com");
  EXPECT_FALSE(MailOutbox(std::string(32, 'x'), "example.com").open(claimed)) << "another key";
  claimed.message_id = "moved@example.com";
  EXPECT_FALSE(outbox.open(claimed)) << "a payload moved to another row";
}

class MailSenderTest : public ::testing::Test {
 protected:
  MailSenderTest()
      : store_(dir_.file("authd.db"), 2),
        outbox_(std::string(32, 'k'), "example.com"),
        throttle_(store_, clock_, std::string(32, 't')) {}

  void queue(const std::string& to, util::TimePoint not_after) {
    ASSERT_TRUE(store_.queue_mail(outbox_.prepare(notice_to(to), clock_.now(), not_after)));
  }

  test::TempDir dir_;
  store::sqlite::SqliteStore store_;
  SystemClock clock_;  // the pace is counted in real windows
  MailOutbox outbox_;
  mail::Templates templates_;
  Throttle throttle_;
  RecordingTransport transport_;
};

TEST_F(MailSenderTest, TheGlobalPaceDelaysMailButSendsAllOfIt) {
  constexpr int kMails = 7;
  for (int i = 0; i < kMails; ++i) {
    queue("user" + std::to_string(i) + "@example.com", clock_.now() + std::chrono::hours(1));
  }
  MailSender sender(store_, outbox_, templates_, transport_, throttle_, clock_,
                    {.from = "accounts@example.com",
                     .pace = {.max_attempts = 3, .window = std::chrono::seconds(1)}});
  while (sender.run_once() > 0) {
  }
  const auto sent = transport_.sent();
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kMails)) << "none refused";
  // At most 3 in any window: the 4th waits for the next one, the 7th for the one after.
  EXPECT_GE(sent[3].at - sent[0].at, std::chrono::milliseconds(900));
  EXPECT_GE(sent[6].at - sent[3].at, std::chrono::milliseconds(900));
  EXPECT_EQ(store_.outbox_stats()->pending, 0);
  EXPECT_NE(sent[0].message.find("Subject: "), std::string::npos);
}

TEST_F(MailSenderTest, AMailWhoseLinkExpiredIsNeverSentAndARetryWaitsForItsTime) {
  queue("late@example.com", clock_.now() - std::chrono::seconds(1));
  queue("deferred@example.com", clock_.now() + std::chrono::hours(1));
  transport_.defer_ = true;
  MailSender sender(store_, outbox_, templates_, transport_, throttle_, clock_,
                    {.from = "accounts@example.com", .first_retry = std::chrono::seconds(60)});
  EXPECT_EQ(sender.run_once(), 1u);  // one at a time (MailSenderConfig::batch)
  EXPECT_EQ(sender.run_once(), 1u);
  const auto sent = transport_.sent();
  ASSERT_EQ(sent.size(), 1u) << "the expired one was not attempted";
  EXPECT_EQ(sent[0].to, "deferred@example.com");
  EXPECT_EQ(sender.run_once(), 0u) << "the deferred one waits 60 s";
  EXPECT_EQ(store_.outbox_stats()->pending, 1);
}

TEST_F(MailSenderTest, EndedMailIsPurgedOnceItsKeepingTimeIsOver) {
  queue("sent@example.com", clock_.now() + std::chrono::hours(1));
  queue("waiting@example.com", clock_.now() + std::chrono::hours(1));
  MailSender sender(store_, outbox_, templates_, transport_, throttle_, clock_,
                    {.from = "accounts@example.com",
                     .keep_ended = std::chrono::hours(0),
                     .purge_every = std::chrono::minutes(0)});
  ASSERT_EQ(sender.run_once(), 1u);
  test::RawDb raw(dir_.file("authd.db"));
  EXPECT_EQ(raw.count("mail_outbox"), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the first ended before now
  ASSERT_EQ(sender.run_once(), 1u);
  EXPECT_EQ(raw.count("mail_outbox"), 1) << "the first, sent, is gone; the second just ended";
  EXPECT_EQ(transport_.sent().size(), 2u);
}

}  // namespace
}  // namespace authd::core
