#include "common/listen_address.h"

#include "gtest/gtest.h"

namespace salesops {
namespace {

TEST(ListenAddressTest, LoopbackAddresses) {
  for (const char* a : {"127.0.0.1:0", "127.0.0.1:50051", "127.1.2.3:80", "localhost:50051",
                        "LOCALHOST:1", "[::1]:50051", "[::ffff:127.0.0.1]:5", "ipv4:127.0.0.1:9",
                        "ipv6:[::1]:9", "unix:/tmp/salesops.sock", "unix-abstract:salesops"}) {
    EXPECT_TRUE(IsLoopbackListenAddress(a)) << a;
  }
}

TEST(ListenAddressTest, EverythingElse) {
  for (const char* a : {"0.0.0.0:50051", "[::]:50051", ":50051", "10.0.0.5:1", "128.0.0.1:1",
                        "192.168.1.1:80", "salesops-forecast:50051", "localhost.example.com:1",
                        "[::2]:1", "[::1", "", "127.0.0.1.evil.example:1"}) {
    EXPECT_FALSE(IsLoopbackListenAddress(a)) << a;
  }
}

}  // namespace
}  // namespace salesops
