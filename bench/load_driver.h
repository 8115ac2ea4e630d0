// The closed-loop driver of bench/load: keeps `concurrency` unary calls outstanding for a bounded
// time with gRPC's asynchronous client API (one CompletionQueue per client thread, each thread
// polling its own queue), starting the next call of a slot as soon as its previous one completes.
//
//   LoadOptions options{.concurrency = 32, .warmup = 1s, .window = 10s};
//   LoadResult r = RunLoad(options, [&](int slot) { return MakeForecastCall(stub, request); });
//   r.Qps(); r.Percentile(99);
//
// Time line: calls start at once; the measured window opens after `warmup` and lasts `window`.
// A call is measured when it completes inside the window (its latency is client-side wall time
// from Start to completion). No call starts after the window closes; the ones still outstanding
// then are awaited (each has a deadline, so this is bounded) but not measured.
#ifndef SALESOPS_BENCH_LOAD_DRIVER_H_
#define SALESOPS_BENCH_LOAD_DRIVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/status.h"

namespace salesops::bench {

// One slot's calls. The driver owns the ClientContext (a fresh one per call, deadline set).
class UnaryCall {
 public:
  virtual ~UnaryCall() = default;
  // Starts call number `seq` (0, 1, 2... over the whole run, unique across slots); when it
  // completes, `tag` comes out of `cq` with the status in *status.
  virtual void Start(uint64_t seq, grpc::ClientContext* context, grpc::CompletionQueue* cq,
                     grpc::Status* status, void* tag) = 0;
  // After an OK completion: whether the response looks right (a cheap check).
  virtual bool Check() const { return true; }
  // Drops what refers to the last call (its reader lives in the call's arena, which its
  // ClientContext owns): the driver calls this before it destroys that context.
  virtual void Release() {}
};

// A UnaryCall over a generated stub's PrepareAsync<Method>: `prepare(context, request, cq)`;
// `mutate(seq, &request)` (optional) makes each call's request; `check(response)` (optional).
template <typename Request, typename Response>
class AsyncUnaryCall : public UnaryCall {
 public:
  using Prepare = std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<Response>>(
      grpc::ClientContext*, const Request&, grpc::CompletionQueue*)>;
  using Mutate = std::function<void(uint64_t, Request*)>;
  using Verify = std::function<bool(const Response&)>;

  AsyncUnaryCall(Prepare prepare, Request request, Mutate mutate = nullptr, Verify check = nullptr)
      : prepare_(std::move(prepare)), request_(std::move(request)), mutate_(std::move(mutate)),
        check_(std::move(check)) {}

  void Start(uint64_t seq, grpc::ClientContext* context, grpc::CompletionQueue* cq,
             grpc::Status* status, void* tag) override {
    if (mutate_) mutate_(seq, &request_);
    response_.Clear();
    reader_ = prepare_(context, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, status, tag);
  }
  bool Check() const override { return !check_ || check_(response_); }
  void Release() override { reader_.reset(); }

 private:
  Prepare prepare_;
  Request request_;
  Mutate mutate_;
  Verify check_;
  Response response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

// Makes the UnaryCall of slot `slot` (0 .. concurrency-1); called before the clock starts.
using CallFactory = std::function<std::unique_ptr<UnaryCall>(int slot)>;

struct LoadOptions {
  int concurrency = 32;                    // outstanding calls
  int client_threads = 1;                  // CompletionQueues, each polled by its own thread
  std::chrono::milliseconds warmup{1000};  // calls made but not measured
  std::chrono::milliseconds window{10000}; // the measured window
  std::chrono::milliseconds deadline{10000};  // of every call
  // Called from the calling thread just after the window opens and just after it closes (e.g. to
  // read CPU counters); may be null.
  std::function<void()> at_window_start;
  std::function<void()> at_window_end;
};

struct LoadResult {
  double window_seconds = 0;
  int64_t ok = 0;                          // OK calls completed in the window (and checked)
  std::map<std::string, int64_t> errors;   // the others in the window, by status code name
                                           // (BAD_RESPONSE: OK but the check failed)
  std::vector<int64_t> latency_ns;         // of the OK calls in the window, sorted
  int64_t started = 0;                     // calls started over the whole run
  int64_t unmeasured = 0;                  // completed during warm-up or after the window

  int64_t error_count() const;
  double Qps() const { return window_seconds > 0 ? ok / window_seconds : 0; }
  // Nearest-rank percentile of the OK calls' latency in milliseconds (p = 100: the max); -1 when
  // there were none.
  double PercentileMs(double p) const;
};

LoadResult RunLoad(const LoadOptions& options, const CallFactory& factory);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_LOAD_DRIVER_H_
