#include "common/hash.h"

#include <openssl/evp.h>

#include <new>
#include <utility>

namespace salesops {
namespace {

EVP_MD_CTX* Ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

// EVP calls on a valid SHA-256 context fail only when memory runs out.
void Check(int ok) {
  if (ok != 1) throw std::bad_alloc();
}

}  // namespace

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 0x0f];
  }
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) throw std::bad_alloc();
  Check(EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(Ctx(ctx_)); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(Ctx(ctx_));
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Sha256::Update(std::string_view data) {
  if (ctx_ == nullptr) {  // moved-from: start over rather than crash
    ctx_ = EVP_MD_CTX_new();
    if (ctx_ == nullptr) throw std::bad_alloc();
    Check(EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr));
  }
  if (!data.empty()) Check(EVP_DigestUpdate(Ctx(ctx_), data.data(), data.size()));
}

std::string Sha256::Digest() const {
  // Finalise a copy so that this object can keep absorbing data.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  if (copy == nullptr) throw std::bad_alloc();
  int ok = ctx_ != nullptr ? EVP_MD_CTX_copy_ex(copy, Ctx(ctx_))
                           : EVP_DigestInit_ex(copy, EVP_sha256(), nullptr);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (ok == 1) ok = EVP_DigestFinal_ex(copy, md, &len);
  EVP_MD_CTX_free(copy);
  Check(ok);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256::HexDigest() const { return ToHex(Digest()); }

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr));
  return ToHex(std::string_view(reinterpret_cast<const char*>(md), len));
}

}  // namespace salesops
