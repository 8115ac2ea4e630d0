// Helpers shared by the fuzz targets (fuzz/README.md): splitting an input into parts, and checks
// that abort, so that libFuzzer (or the replay driver) reports a broken property like a crash.
#ifndef SALESOPS_FUZZ_FUZZ_UTIL_H_
#define SALESOPS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace salesops::fuzz {

// Aborts with a message when `ok` is false: a property every input must keep is broken.
inline void Check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (ok) return;
  const std::string what_text(what), detail_text(detail);
  std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what_text.c_str(), detail_text.c_str());
  std::abort();
}

// With SALESOPS_FUZZ_VERBOSE set, prints how an input ended (accepted, or which error), to see
// what a seed reaches: SALESOPS_FUZZ_VERBOSE=1 build/fuzz/fuzz_replay_<name> fuzz/corpus/<name>
inline void Note(std::string_view what, std::string_view detail = {}) {
  static const bool verbose = std::getenv("SALESOPS_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  const std::string what_text(what), detail_text(detail.substr(0, 300));
  std::fprintf(stderr, "  %s%s%s\n", what_text.c_str(), detail_text.empty() ? "" : ": ",
               detail_text.c_str());
}

inline void Note(std::string_view what, absl::string_view detail) {
  Note(what, std::string_view(detail.data(), detail.size()));
}
inline void Note(std::string_view what, const std::string& detail) {
  Note(what, std::string_view(detail));
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// `text` split at every `separator`, into at most `max_parts` parts (the last keeps the rest).
inline std::vector<std::string_view> SplitParts(std::string_view text, char separator,
                                                size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  return parts;
}

// Binary inputs made of length-prefixed parts: each Take(n) a little-endian 16-bit length
// (clamped to what is left) and then that many bytes; Rest() what remains.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : text_(AsText(data, size)) {}
  uint16_t U16() {
    uint16_t v = 0;
    for (int i = 0; i < 2 && !text_.empty(); ++i) {
      v = static_cast<uint16_t>(v | static_cast<uint8_t>(text_[0]) << (8 * i));
      text_.remove_prefix(1);
    }
    return v;
  }
  std::string_view Take(size_t n) {
    n = n < text_.size() ? n : text_.size();
    std::string_view part = text_.substr(0, n);
    text_.remove_prefix(n);
    return part;
  }
  std::string_view Rest() { return Take(text_.size()); }

 private:
  std::string_view text_;
};

// The length prefix ByteReader::U16 reads, for seed writers.
inline std::string U16Prefix(size_t n) {
  return std::string{static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff)};
}

}  // namespace salesops::fuzz

#endif  // SALESOPS_FUZZ_FUZZ_UTIL_H_
