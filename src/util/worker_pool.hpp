// A fixed set of threads with a bounded queue, for the work that must never run on an I/O thread:
// password hashing and store calls that may block. A full queue refuses new work at once
// (try_submit returns false) so the caller can answer 503 instead of letting requests time out;
// the thread count bounds the memory argon2id uses (19 MiB per running hash).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace authd::util {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues the task unless the queue is full or the pool is shutting down.
  [[nodiscard]] bool try_submit(std::function<void()> task);

  // Runs every task already queued, then joins the threads. Idempotent and thread-safe: a
  // concurrent caller waits until the threads are joined.
  void shutdown();

  std::size_t thread_count() const { return threads_.size(); }
  std::size_t queue_depth() const;

 private:
  void run();

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::once_flag joined_;
  std::vector<std::jthread> threads_;
};

}  // namespace authd::util
