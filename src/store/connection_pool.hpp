// A fixed set of database connections handed out one at a time. Each backend keeps one
// connection per worker thread, so a lease never waits in practice; the wait exists for callers
// beyond that (benchmarks, tests).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace authd::store {

template <class Connection>
class ConnectionPool {
 public:
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
      : idle_(std::move(connections)) {}

  // Exclusive use of one connection until the lease goes out of scope.
  class Lease {
   public:
    explicit Lease(ConnectionPool& pool) : pool_(pool) {
      std::unique_lock lock(pool_.mutex_);
      pool_.available_.wait(lock, [this] { return !pool_.idle_.empty(); });
      connection_ = std::move(pool_.idle_.back());
      pool_.idle_.pop_back();
    }
    ~Lease() {
      {
        std::lock_guard lock(pool_.mutex_);
        pool_.idle_.push_back(std::move(connection_));
      }
      pool_.available_.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *connection_; }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> connection_;
  };

 private:
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace authd::store
