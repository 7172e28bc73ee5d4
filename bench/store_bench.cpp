// Store throughput, SQLite and PostgreSQL measured in the same run on the same machine:
// registrations/s (create_user with a precomputed hash: the store's share of a registration)
// and user lookups/s (find_user_by_email, the store's share of a login), and session checks/s
// (find_session: the revocation check of every authenticated /v1 request), each with one thread
// and with one thread per core (authd runs one store call per worker thread); and the mail
// outbox: mails queued/s (one commit each, as a reset request queues its mail) and mails
// drained/s by one sender and by one sender per core (claimed 10 at a time, each recorded as
// sent: the store's share of sending; the SMTP exchange itself is not in it).
// Usage: authd_store_bench SQLITE_FILE POSTGRES_URI [users]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/password_hasher.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using authd::store::Store;
using Clock = std::chrono::steady_clock;

std::string email(int prefix, int i) {
  return "u" + std::to_string(prefix) + "_" + std::to_string(i) + "@bench.example";
}

// Runs `work(thread, i)` for i in [0, total) over `threads` threads; returns operations/s.
template <class Work>
double rate(int threads, int total, Work work) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i; (i = next++) < total;) {
        if (!work(t, i)) ++failures;
      }
    });
  }
  for (auto& thread : pool) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) std::fprintf(stderr, "%d operations failed\n", failures.load());
  return total / seconds;
}

struct Figures {
  double register_1, register_n, lookup_1, lookup_n, session_1, session_n;
  double queue_1, drain_1, drain_n;
};

// Drains the outbox with `senders` threads as MailSender does; mails/s.
double drain(Store& store, int senders) {
  std::atomic<int> drained{0};
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < senders; ++t) {
    pool.emplace_back([&] {
      const auto now = authd::util::TimePoint{} + std::chrono::hours(1);
      for (;;) {
        auto claimed = store.claim_mail(now, now + std::chrono::seconds(60), 10);
        if (!claimed) continue;  // a busy SQLite file: the sender tries again
        if (claimed->empty()) return;
        for (const auto& mail : *claimed) {
          if (store.finish_mail(mail.id, mail.attempts, authd::store::MailOutcome::sent, now, "",
                                now)) {
            ++drained;
          }
        }
      }
    });
  }
  for (auto& thread : pool) thread.join();
  return drained / std::chrono::duration<double>(Clock::now() - start).count();
}

Figures measure(Store& store, int users, int threads, const std::string& hash) {
  const auto now = authd::util::TimePoint{};
  auto create = [&](int prefix) {
    return [&, prefix](int, int i) {
      authd::store::NewUser user{.email = email(prefix, i),
                                 .email_key = email(prefix, i),
                                 .password_hash = hash,
                                 .first_name = std::nullopt,
                                 .last_name = std::nullopt,
                                 .roles = {"user"},
                                 .now = now};
      return store.create_user(user, std::nullopt).has_value();
    };
  };
  Figures f{};
  f.register_1 = rate(1, users / 2, create(1));
  f.register_n = rate(threads, users / 2, create(2));
  auto lookup = [&](int, int i) {
    static thread_local std::mt19937 random(std::random_device{}());
    const int n = static_cast<int>(random() % static_cast<unsigned>(users / 2));
    auto found = store.find_user_by_email(email(1 + (i & 1), n));
    return found && *found;
  };
  f.lookup_1 = rate(1, users * 5, lookup);
  f.lookup_n = rate(threads, users * 10, lookup);

  // The revocation check of every authenticated /v1 request: the session by its public id,
  // joined with its user.
  const int sessions = std::min(users / 2, 1000);
  for (int i = 0; i < sessions; ++i) {
    auto user = store.find_user_by_email(email(1, i));
    if (!user || !*user) continue;
    authd::store::NewSession session{.family = authd::store::SessionFamily::rotating,
                                     .public_id = "session-" + std::to_string(i),
                                     .token_hash = "refresh-" + std::to_string(i),
                                     .created_at = now,
                                     .expires_at = now + std::chrono::hours(1)};
    (void)store.record_login({.user_id = (**user).id, .at = now, .session = session});
  }
  auto check = [&](int, int) {
    static thread_local std::mt19937 random(std::random_device{}());
    const int n = static_cast<int>(random() % static_cast<unsigned>(sessions));
    auto found = store.find_session("session-" + std::to_string(n));
    return found && *found;
  };
  f.session_1 = rate(1, users * 5, check);
  f.session_n = rate(threads, users * 10, check);

  const int mails = std::max(users / 2, 100);
  const auto queue = [&](int prefix) {
    return [&, prefix](int, int i) {
      const std::string id = "m" + std::to_string(prefix) + "-" + std::to_string(i) + "@bench";
      return store
          .queue_mail({.template_name = "reset-password",
                       .message_id = id,
                       .sealed_payload = std::string(200, 's'),  // a sealed payload's size
                       .created_at = now,
                       .not_after = now + std::chrono::hours(2)})
          .has_value();
    };
  };
  f.queue_1 = rate(1, mails, queue(1));
  f.drain_1 = drain(store, 1);
  (void)rate(threads, mails, queue(2));
  f.drain_n = drain(store, threads);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SQLITE_FILE POSTGRES_URI [users]\n", argv[0]);
    return 2;
  }
  const int users = argc > 3 ? std::atoi(argv[3]) : 4000;
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string hash =
      authd::crypto::PasswordHasher(authd::crypto::PasswordHashConfig{}).hash("bench-password-1");

  authd::store::sqlite::SqliteStore sqlite(argv[1], threads);
  authd::store::postgres::PostgresStore postgres(argv[2], threads);
  const Figures s = measure(sqlite, users, threads, hash);
  const Figures p = measure(postgres, users, threads, hash);

  std::printf("%d cores, %d users per store, SQLite synchronous=FULL, PostgreSQL fsync=on\n",
              threads, users);
  std::printf("%-28s %14s %14s %10s\n", "operation", "SQLite /s", "PostgreSQL /s", "PG/SQLite");
  auto row = [](const char* name, double a, double b) {
    std::printf("%-28s %14.0f %14.0f %10.2f\n", name, a, b, b / a);
  };
  row("register, 1 thread", s.register_1, p.register_1);
  const std::string n_threads =
      std::string(", ").append(std::to_string(threads)).append(" threads");
  row(std::string("register").append(n_threads).c_str(), s.register_n, p.register_n);
  row("lookup by email, 1 thread", s.lookup_1, p.lookup_1);
  row(("lookup by email, " + std::to_string(threads) + " threads").c_str(), s.lookup_n, p.lookup_n);
  row("session check, 1 thread", s.session_1, p.session_1);
  row(("session check, " + std::to_string(threads) + " threads").c_str(), s.session_n, p.session_n);
  row("mail queued, 1 thread", s.queue_1, p.queue_1);
  row("mail drained, 1 sender", s.drain_1, p.drain_1);
  row(("mail drained, " + std::to_string(threads) + " senders").c_str(), s.drain_n, p.drain_n);
  return 0;
}
