#include "bench/markdown_table.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace salesops::bench {
namespace {

// Display width: UTF-8 continuation bytes take no column.
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++w;
  }
  return w;
}

}  // namespace

std::string MarkdownTable::Render() const {
  const size_t columns = header_.size();
  std::vector<size_t> width(columns, 3);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < columns && c < row.size(); ++c) width[c] = std::max(width[c], Width(row[c]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string out = "|";
    for (size_t c = 0; c < columns; ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      const std::string pad(width[c] - Width(cell), ' ');
      out += " ";
      out += c == 0 ? cell + pad : pad + cell;
      out += " |";
    }
    return out + "\n";
  };
  std::string out = line(header_);
  out += "|";
  for (size_t c = 0; c < columns; ++c) {
    out += c == 0 ? " " + std::string(width[c], '-') + " |"
                  : " " + std::string(width[c] - 1, '-') + ": |";
  }
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string Fixed(double value, int decimals, bool dash_negative) {
  if (!std::isfinite(value) || (dash_negative && value < 0)) return "—";
  return absl::StrFormat("%.*f", decimals, value);
}

}  // namespace salesops::bench
