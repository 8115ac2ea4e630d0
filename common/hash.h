// SHA-256 over bytes, as lowercase hex: cache keys, content addresses of snapshots, checksums.
//
//   std::string id = Sha256Hex(bytes);
//
//   Sha256 h;                 // incremental, for data that arrives in pieces
//   h.Update(header);
//   h.Update(chunk);
//   std::string id = h.HexDigest();
//
// Backed by OpenSSL's EVP interface. Sha256 is movable, not copyable, and not thread-safe.
#ifndef SALESOPS_COMMON_HASH_H_
#define SALESOPS_COMMON_HASH_H_

#include <string>
#include <string_view>

namespace salesops {

// The SHA-256 digest of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Feeds more bytes.
  void Update(std::string_view data);

  // The digest of everything fed so far: 32 raw bytes, or 64 lowercase hex characters. Neither
  // ends the computation: Update may be called again afterwards and the digests keep extending.
  std::string Digest() const;
  std::string HexDigest() const;

 private:
  void* ctx_;  // EVP_MD_CTX*
};

// Lowercase hex of arbitrary bytes (two characters per byte).
std::string ToHex(std::string_view bytes);

}  // namespace salesops

#endif  // SALESOPS_COMMON_HASH_H_
