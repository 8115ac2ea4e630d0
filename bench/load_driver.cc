#include "bench/load_driver.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <thread>

#include "absl/status/status.h"

namespace salesops::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  // The context first: members are destroyed in reverse order, and the call's reader must go
  // before the context that owns its memory.
  std::optional<grpc::ClientContext> context;
  std::unique_ptr<UnaryCall> call;
  grpc::Status status;
  Clock::time_point started;

  ~Slot() {
    if (call) call->Release();
  }
};

// What one client thread measured.
struct ThreadResult {
  int64_t ok = 0;
  std::map<std::string, int64_t> errors;
  std::vector<int64_t> latency_ns;
  int64_t started = 0;
  int64_t unmeasured = 0;
};

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

int64_t LoadResult::error_count() const {
  int64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

double LoadResult::PercentileMs(double p) const {
  if (latency_ns.empty()) return -1;
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * latency_ns.size()));
  rank = std::clamp<size_t>(rank, 1, latency_ns.size());
  return latency_ns[rank - 1] / 1e6;
}

LoadResult RunLoad(const LoadOptions& options, const CallFactory& factory) {
  const int threads = std::clamp(options.client_threads, 1, std::max(1, options.concurrency));
  std::vector<Slot> slots(options.concurrency);
  for (int i = 0; i < options.concurrency; ++i) slots[i].call = factory(i);
  std::vector<std::unique_ptr<grpc::CompletionQueue>> queues;
  for (int t = 0; t < threads; ++t) queues.push_back(std::make_unique<grpc::CompletionQueue>());
  std::vector<ThreadResult> results(threads);
  std::atomic<uint64_t> next_seq{0};

  const Clock::time_point begin = Clock::now();
  const Clock::time_point window_start = begin + options.warmup;
  const Clock::time_point window_end = window_start + options.window;

  auto start = [&](Slot& slot, grpc::CompletionQueue* cq, ThreadResult& r) {
    slot.call->Release();
    slot.context.emplace();
    slot.context->set_deadline(std::chrono::system_clock::now() + options.deadline);
    slot.started = Clock::now();
    ++r.started;
    slot.call->Start(next_seq.fetch_add(1, std::memory_order_relaxed), &*slot.context, cq,
                     &slot.status, &slot);
  };

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::CompletionQueue* cq = queues[t].get();
      ThreadResult& r = results[t];
      int active = 0;
      for (int i = t; i < options.concurrency; i += threads) {
        start(slots[i], cq, r);
        ++active;
      }
      void* tag = nullptr;
      bool ok = false;
      while (active > 0 && cq->Next(&tag, &ok)) {
        Slot& slot = *static_cast<Slot*>(tag);
        const Clock::time_point done = Clock::now();
        if (done >= window_start && done < window_end) {
          if (!slot.status.ok()) {
            ++r.errors[CodeName(slot.status.error_code())];
          } else if (!slot.call->Check()) {
            ++r.errors["BAD_RESPONSE"];
          } else {
            ++r.ok;
            r.latency_ns.push_back(
                std::chrono::duration_cast<std::chrono::nanoseconds>(done - slot.started).count());
          }
        } else {
          ++r.unmeasured;
        }
        if (done < window_end) {
          start(slot, cq, r);
        } else {
          --active;
        }
      }
      cq->Shutdown();
      while (cq->Next(&tag, &ok)) {
      }
    });
  }

  std::this_thread::sleep_until(window_start);
  if (options.at_window_start) options.at_window_start();
  std::this_thread::sleep_until(window_end);
  if (options.at_window_end) options.at_window_end();
  for (auto& w : workers) w.join();

  LoadResult out;
  out.window_seconds = std::chrono::duration<double>(options.window).count();
  for (ThreadResult& r : results) {
    out.ok += r.ok;
    for (const auto& [code, n] : r.errors) out.errors[code] += n;
    out.latency_ns.insert(out.latency_ns.end(), r.latency_ns.begin(), r.latency_ns.end());
    out.started += r.started;
    out.unmeasured += r.unmeasured;
  }
  std::sort(out.latency_ns.begin(), out.latency_ns.end());
  return out;
}

}  // namespace salesops::bench
