// A fixed-size pool of worker threads, and ParallelFor over it.
#ifndef SALESOPS_COMMON_THREAD_POOL_H_
#define SALESOPS_COMMON_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace salesops {

class ThreadPool {
 public:
  // `threads` <= 0 means one per hardware thread.
  explicit ThreadPool(int threads);
  // Finishes queued work, then joins the threads.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Submit(std::function<void()> task);
  int size() const { return static_cast<int>(threads_.size()); }

  // Calls fn(i) for every i in [0, n), spread over the pool's threads and the calling thread, and
  // returns when all calls have returned. The caller takes part, so this never deadlocks even when
  // called from inside the pool with every worker busy.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop();

  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace salesops

#endif  // SALESOPS_COMMON_THREAD_POOL_H_
