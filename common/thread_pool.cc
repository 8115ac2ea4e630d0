#include "common/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace salesops {

ThreadPool::ThreadPool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (auto& t : threads_) t.join();
}

void ThreadPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ThreadPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
            return p->stopping_ || !p->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1) {
    fn(0);
    return;
  }
  // Shared state outlives this call if a helper task starts late (after every item is done).
  struct State {
    std::atomic<size_t> next{0};
    absl::Mutex mu;
    size_t done ABSL_GUARDED_BY(mu) = 0;
  };
  auto state = std::make_shared<State>();
  const std::function<void(size_t)>* body = &fn;
  auto drain = [state, body, n] {
    size_t finished = 0;
    for (size_t i = state->next.fetch_add(1); i < n; i = state->next.fetch_add(1)) {
      (*body)(i);
      ++finished;
    }
    if (finished > 0) {
      absl::MutexLock lock(&state->mu);
      state->done += finished;
    }
  };
  size_t helpers = std::min(n - 1, threads_.size());
  for (size_t h = 0; h < helpers; ++h) {
    // A helper that starts after every index is claimed touches neither `fn` nor the caller's
    // stack: it only reads `next` and returns.
    Submit(drain);
  }
  drain();
  std::pair<State*, size_t> wait_for(state.get(), n);
  absl::MutexLock lock(&state->mu);
  state->mu.Await(absl::Condition(
      +[](std::pair<State*, size_t>* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return a->first->done == a->second;
      },
      &wait_for));
}

}  // namespace salesops
