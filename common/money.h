// Money amounts as people read them: "48,000,000.00 USD".
#ifndef SALESOPS_COMMON_MONEY_H_
#define SALESOPS_COMMON_MONEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "salesops/v1/types.pb.h"

namespace salesops {

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
