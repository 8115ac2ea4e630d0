#include "common/hash.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace salesops {
namespace {

// FIPS 180-2 / NIST test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                      "klmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(Sha256Hex("The quick brown fox jumps over the lazy dog"),
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Sha256Test, OneMillionAs) {
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, IncrementalMatchesOneShot) {
  const std::string text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (size_t split = 0; split <= text.size(); ++split) {
    Sha256 h;
    h.Update(std::string_view(text).substr(0, split));
    h.Update(std::string_view(text).substr(split));
    EXPECT_EQ(h.HexDigest(), Sha256Hex(text)) << "split at " << split;
  }
  Sha256 millions;
  for (int i = 0; i < 1000; ++i) millions.Update(std::string(1000, 'a'));
  EXPECT_EQ(millions.HexDigest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, EmptyIncremental) {
  Sha256 h;
  EXPECT_EQ(h.HexDigest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  h.Update("");
  EXPECT_EQ(h.HexDigest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, DigestDoesNotEndTheComputation) {
  Sha256 h;
  h.Update("a");
  EXPECT_EQ(h.HexDigest(), Sha256Hex("a"));
  h.Update("bc");
  EXPECT_EQ(h.HexDigest(), Sha256Hex("abc"));
  EXPECT_EQ(h.HexDigest(), Sha256Hex("abc"));  // asking twice gives the same answer
}

TEST(Sha256Test, BinaryInputAndRawDigest) {
  const std::string with_nuls("a\0b\0\0c", 6);
  EXPECT_NE(Sha256Hex(with_nuls), Sha256Hex("abc"));
  Sha256 h;
  h.Update(with_nuls);
  EXPECT_EQ(h.HexDigest(), Sha256Hex(with_nuls));
  const std::string raw = h.Digest();
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(ToHex(raw), Sha256Hex(with_nuls));
}

TEST(Sha256Test, Move) {
  Sha256 a;
  a.Update("ab");
  Sha256 b = std::move(a);
  b.Update("c");
  EXPECT_EQ(b.HexDigest(), Sha256Hex("abc"));
  Sha256 c;
  c = std::move(b);
  EXPECT_EQ(c.HexDigest(), Sha256Hex("abc"));
}

TEST(ToHexTest, AllByteValues) {
  EXPECT_EQ(ToHex(""), "");
  EXPECT_EQ(ToHex(std::string("\x00\x01\x7f\x80\xff", 5)), "00017f80ff");
  EXPECT_EQ(Sha256Hex("abc").size(), 64u);
}

}  // namespace
}  // namespace salesops
