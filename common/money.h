// Money amounts as people read them: "48,000,000.00 USD".
#ifndef SALESOPS_COMMON_MONEY_H_
#define SALESOPS_COMMON_MONEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "salesops/v1/types.pb.h"

namespace salesops {

// Limits on amounts, in minor units. One amount: at most 2^53 in magnitude (about 90 trillion
// dollars in cents; exact in a double). All the amounts of one request or snapshot together: at
// most 2^62 in magnitude, so that any subtotal, and two subtotals added, still fit in an int64.
inline constexpr int64_t kMaxAmountMinorUnits = int64_t{1} << 53;
inline constexpr int64_t kMaxTotalMinorUnits = int64_t{1} << 62;

// Adds up the magnitudes of a request's or snapshot's amounts and checks both limits, with
// INVALID_ARGUMENT naming the field and the limit.
class AmountTotal {
 public:
  absl::Status Add(int64_t minor_units, std::string_view field);
  int64_t total() const { return total_; }

 private:
  int64_t total_ = 0;
};

// Checks one amount against kMaxAmountMinorUnits.
absl::Status CheckAmountLimit(int64_t minor_units, std::string_view field);

// Digits of the currency's minor unit (ISO 4217): 0 for JPY, KRW..., 3 for KWD, BHD..., else 2.
int CurrencyMinorDigits(std::string_view currency_code);

// Minor units as major units with thousands separators and every minor digit:
// 4800000000 with 2 digits -> "48,000,000.00"; -5 -> "-0.05"; 1234 with 0 digits -> "1,234".
std::string FormatMinorUnits(int64_t minor_units, int minor_digits);

// The amount in its currency's minor digits, then the code: "48,000,000.00 USD". Without a
// currency code: two digits, no code.
std::string FormatMoney(const v1::Money& money);

}  // namespace salesops

#endif  // SALESOPS_COMMON_MONEY_H_
