// Conversions between the shared protobuf types and the plain C++ types used inside.
#ifndef SALESOPS_COMMON_PROTO_CONVERT_H_
#define SALESOPS_COMMON_PROTO_CONVERT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "salesops/v1/types.pb.h"

namespace salesops {

// OK, or InvalidArgument "<field>: 2026-13-01 is not a valid date".
absl::Status ValidateDate(const v1::Date& date, absl::string_view field);
absl::StatusOr<Date> FromProto(const v1::Date& date);
v1::Date ToProto(Date date);
// True when the message is unset (all zero), as for an optional end date.
inline bool IsUnset(const v1::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}
// An optional date field: nullopt when unset (or, for data validated before, invalid).
std::optional<Date> OptionalDate(const v1::Date& date);

// OK, or InvalidArgument naming the field for a fiscal start month outside 0..12.
absl::Status ValidateCalendar(const v1::FiscalCalendar& calendar, absl::string_view field);

// OK, or InvalidArgument naming the field: type set, index in range, fiscal year plausible.
absl::Status ValidatePeriod(const v1::Period& period, absl::string_view field);
FiscalPeriod FromProto(const v1::Period& period);
v1::Period ToProto(const FiscalPeriod& period);

// OK, or InvalidArgument naming the field: a three-letter upper-case code.
absl::Status ValidateCurrencyCode(absl::string_view code, absl::string_view field);

v1::Money MakeMoney(absl::string_view currency, int64_t minor_units);

}  // namespace salesops

#endif  // SALESOPS_COMMON_PROTO_CONVERT_H_
