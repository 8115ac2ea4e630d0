#include "common/money.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"

namespace salesops {

absl::Status CheckAmountLimit(int64_t minor_units, std::string_view field) {
  if (minor_units > kMaxAmountMinorUnits || minor_units < -kMaxAmountMinorUnits)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": ", minor_units, " minor units is beyond the amount limit of +-",
                     kMaxAmountMinorUnits, " (2^53)"));
  return absl::OkStatus();
}

absl::Status AmountTotal::Add(int64_t minor_units, std::string_view field) {
  if (auto s = CheckAmountLimit(minor_units, field); !s.ok()) return s;
  total_ += minor_units < 0 ? -minor_units : minor_units;  // no overflow: both below 2^62 + 2^53
  if (total_ > kMaxTotalMinorUnits)
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": the amounts add up to more than the total limit of ",
                     kMaxTotalMinorUnits, " minor units (2^62)"));
  return absl::OkStatus();
}

int CurrencyMinorDigits(std::string_view currency_code) {
  static constexpr std::array<std::string_view, 16> kZero = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
      "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::array<std::string_view, 7> kThree = {"BHD", "IQD", "JOD", "KWD",
                                                             "LYD", "OMR", "TND"};
  if (std::find(kZero.begin(), kZero.end(), currency_code) != kZero.end()) return 0;
  if (std::find(kThree.begin(), kThree.end(), currency_code) != kThree.end()) return 3;
  return 2;
}

std::string FormatMinorUnits(int64_t minor_units, int minor_digits) {
  minor_digits = std::clamp(minor_digits, 0, 18);
  // The magnitude as unsigned, so that INT64_MIN formats too.
  const uint64_t magnitude = minor_units < 0 ? 0 - static_cast<uint64_t>(minor_units)
                                             : static_cast<uint64_t>(minor_units);
  uint64_t scale = 1;
  for (int i = 0; i < minor_digits; ++i) scale *= 10;
  const std::string digits = absl::StrCat(magnitude / scale);
  std::string out = minor_units < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (minor_digits > 0) {
    std::string fraction = absl::StrCat(magnitude % scale);
    out += '.';
    out.append(static_cast<size_t>(minor_digits) - fraction.size(), '0');
    out += fraction;
  }
  return out;
}

std::string FormatMoney(const v1::Money& money) {
  const std::string& code = money.currency_code();
  std::string out = FormatMinorUnits(money.minor_units(), CurrencyMinorDigits(code));
  if (!code.empty()) absl::StrAppend(&out, " ", code);
  return out;
}

}  // namespace salesops
