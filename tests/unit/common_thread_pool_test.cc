#include "common/thread_pool.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace salesops {
namespace {

TEST(ThreadPoolTest, RunsSubmittedTasks) {
  std::atomic<int> count{0};
  {
    ThreadPool pool(3);
    for (int i = 0; i < 100; ++i) pool.Submit([&] { ++count; });
  }  // the destructor finishes queued work
  EXPECT_EQ(count.load(), 100);
}

TEST(ThreadPoolTest, ParallelForVisitsEveryIndexOnce) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> visits(1000);
  pool.ParallelFor(visits.size(), [&](size_t i) { ++visits[i]; });
  for (auto& v : visits) EXPECT_EQ(v.load(), 1);
  pool.ParallelFor(0, [&](size_t) { FAIL(); });
}

TEST(ThreadPoolTest, ParallelForFromInsideThePoolDoesNotDeadlock) {
  // Every worker runs a ParallelFor: none is free to help, the callers must do the work.
  ThreadPool pool(2);
  std::atomic<int> total{0};
  absl::Notification done[2];
  for (int w = 0; w < 2; ++w) {
    pool.Submit([&, w] {
      pool.ParallelFor(50, [&](size_t) { ++total; });
      done[w].Notify();
    });
  }
  for (auto& d : done) d.WaitForNotification();
  EXPECT_EQ(total.load(), 100);
}

}  // namespace
}  // namespace salesops
