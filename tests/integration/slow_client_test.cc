// Slow and stalled clients against the real reporting binary: snapshot uploads are client streams,
// the one kind of call a client can open and then leave hanging. They must not hold handler
// threads, pile up without bound, or leave half-written uploads behind, and an upload the client
// abandons must store nothing.
#include <chrono>
#include <memory>
#include <vector>

#include "common/redis_client.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/reporting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using testing::RedisServer;
using testing::ServiceProcess;

constexpr int kMaxUploads = 4;
constexpr int kIdleMs = 1500;

v1::UploadSnapshotRequest Header() {
  v1::UploadSnapshotRequest message;
  auto* header = message.mutable_header();
  header->set_currency_code("USD");
  header->mutable_calendar()->set_start_month(1);
  header->mutable_as_of()->set_year(2026);
  header->mutable_as_of()->set_month(5);
  header->mutable_as_of()->set_day(16);
  return message;
}

v1::UploadSnapshotRequest Structure() {
  v1::UploadSnapshotRequest message;
  auto* chunk = message.mutable_chunk();
  auto* root = chunk->add_territories();
  root->set_id("CO");
  root->set_name("Company");
  auto* rep = chunk->add_reps();
  rep->set_id("u1");
  rep->set_name("Rep u1");
  rep->set_territory_id("CO");
  return message;
}

class SlowClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_ = new RedisServer({.persistence = true});
    ASSERT_TRUE(store_->Start());
    // Two handler threads: if stalled uploads held threads, nothing else would be served.
    reporting_ = new ServiceProcess(
        "salesops-reporting",
        {"--store-redis", store_->address(), "--handler-threads", "2", "--max-concurrent-uploads",
         std::to_string(kMaxUploads), "--upload-idle-ms", std::to_string(kIdleMs)});
    ASSERT_TRUE(reporting_->Start());
  }
  static void TearDownTestSuite() {
    delete reporting_;
    delete store_;
  }
  void SetUp() override {
    ASSERT_TRUE(reporting_->running());
    stub_ = v1::ReportingService::NewStub(reporting_->Channel());
  }

  // ListSnapshots, timed: the service still answers while uploads hang.
  int SnapshotCount(std::chrono::milliseconds* took = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ListSnapshotsRequest request;
    v1::ListSnapshotsResponse response;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status = stub_->ListSnapshots(&context, request, &response);
    if (took != nullptr)
      *took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.snapshots_size();
  }

  // Keys of uploads in progress (half-written snapshots) in the store.
  size_t UploadKeys() {
    RedisClient store(store_->client_options());
    auto keys = store.Command({"KEYS", "salesops:upload:*"});
    EXPECT_TRUE(keys.ok());
    return keys.ok() ? keys->elements.size() : 0;
  }

  static RedisServer* store_;
  static ServiceProcess* reporting_;
  std::unique_ptr<v1::ReportingService::Stub> stub_;
};

RedisServer* SlowClientTest::store_ = nullptr;
ServiceProcess* SlowClientTest::reporting_ = nullptr;

// One upload held open by a client that stopped sending.
struct StalledUpload {
  grpc::ClientContext context;
  v1::SnapshotInfo info;
  std::unique_ptr<grpc::ClientWriter<v1::UploadSnapshotRequest>> writer;
};

TEST_F(SlowClientTest, StalledUploadsAreCappedCancelledAndLeaveNothing) {
  const int before = SnapshotCount();
  std::vector<std::unique_ptr<StalledUpload>> stalled;
  for (int i = 0; i < kMaxUploads; ++i) {
    auto upload = std::make_unique<StalledUpload>();
    upload->writer = stub_->UploadSnapshot(&upload->context, &upload->info);
    ASSERT_TRUE(upload->writer->Write(Header()));
    ASSERT_TRUE(upload->writer->Write(Structure()));
    stalled.push_back(std::move(upload));
  }
  // The service still answers promptly with every upload slot and more streams than handler
  // threads held by stalled clients.
  std::chrono::milliseconds took{};
  EXPECT_EQ(SnapshotCount(&took), before);
  EXPECT_LT(took.count(), 2000);

  // One upload too many is refused, naming the limit. (Whether the refusal already reaches the
  // client's Write depends on timing; Finish always carries it.)
  {
    StalledUpload extra;
    extra.writer = stub_->UploadSnapshot(&extra.context, &extra.info);
    extra.writer->Write(Header());
    extra.writer->WritesDone();
    grpc::Status status = extra.writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("max_concurrent_uploads"));
  }

  // The stalled uploads are cancelled after the idle timeout; nothing of them is stored.
  const auto start = std::chrono::steady_clock::now();
  for (auto& upload : stalled) {
    grpc::Status status = upload->writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
  }
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_LT(waited.count(), 4 * kIdleMs) << "stalled uploads were not cancelled in time";
  EXPECT_EQ(UploadKeys(), 0u);
  EXPECT_EQ(SnapshotCount(), before);

  // The slots are free again: a complete upload goes through.
  StalledUpload complete;
  complete.writer = stub_->UploadSnapshot(&complete.context, &complete.info);
  ASSERT_TRUE(complete.writer->Write(Header()));
  ASSERT_TRUE(complete.writer->Write(Structure()));
  ASSERT_TRUE(complete.writer->WritesDone());
  grpc::Status status = complete.writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(complete.info.rep_count(), 1);
  EXPECT_EQ(SnapshotCount(), before + 1);
}

// A client that goes away in the middle of an upload (here: cancels it) leaves no snapshot: an
// interrupted stream is not mistaken for a finished one.
TEST_F(SlowClientTest, AnUploadCancelledMidwayStoresNothing) {
  const int before = SnapshotCount();
  for (int i = 0; i < 5; ++i) {
    StalledUpload upload;
    upload.writer = stub_->UploadSnapshot(&upload.context, &upload.info);
    ASSERT_TRUE(upload.writer->Write(Header()));
    ASSERT_TRUE(upload.writer->Write(Structure()));
    upload.context.TryCancel();
    EXPECT_EQ(upload.writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Give the server a moment to see the cancellations, then nothing may have been stored.
  for (int wait = 0; wait < 50 && UploadKeys() != 0; ++wait)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(UploadKeys(), 0u);
  EXPECT_EQ(SnapshotCount(), before);
}

}  // namespace
}  // namespace salesops
