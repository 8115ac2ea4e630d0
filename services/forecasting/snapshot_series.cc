#include "services/forecasting/snapshot_series.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/calendar.h"
#include "common/money.h"
#include "common/proto_convert.h"

namespace salesops::forecast {
namespace {

const std::string& KeyValue(const v1::Opportunity& o, v1::BookingsKey key) {
  switch (key) {
    case v1::BOOKINGS_KEY_ACCOUNT: return o.account_id();
    case v1::BOOKINGS_KEY_PRODUCT: return o.product();
    case v1::BOOKINGS_KEY_REP: return o.owner_rep_id();
    default: return o.territory_id();
  }
}

}  // namespace

absl::StatusOr<std::vector<v1::TimeSeries>> SnapshotSeries(reporting::SnapshotStore& store,
                                                           const v1::SnapshotSeriesSource& source,
                                                           int max_series) {
  if (auto s = reporting::ValidateSnapshotId(source.snapshot_id(), "from_snapshot.snapshot_id"); !s.ok())
    return s;
  if (source.group_by_size() == 0)
    return absl::InvalidArgumentError("from_snapshot.group_by: at least one key (e.g. ACCOUNT, PRODUCT)");
  for (int i = 0; i < source.group_by_size(); ++i) {
    const int key = source.group_by(i);
    if (key < v1::BOOKINGS_KEY_ACCOUNT || key > v1::BOOKINGS_KEY_TERRITORY)
      return absl::InvalidArgumentError(absl::StrCat("from_snapshot.group_by[", i, "]: not a key"));
    for (int j = 0; j < i; ++j) {
      if (source.group_by(j) == key)
        return absl::InvalidArgumentError(absl::StrCat("from_snapshot.group_by[", i, "]: repeated"));
    }
  }
  auto info = store.Info(source.snapshot_id(), "from_snapshot.snapshot_id");
  if (!info.ok()) return info.status();
  auto as_of = FromProto(info->header().as_of());
  if (!as_of.ok()) return absl::DataLossError("snapshot store: bad as-of date");
  const int last_month = MonthNumber(*as_of) - 1;  // the last complete month
  const double unit = std::pow(10.0, CurrencyMinorDigits(info->header().currency_code()));

  // Series id -> month -> bookings (minor units), month numbers as MonthNumber.
  std::map<std::string, std::map<int, int64_t>> bookings;
  bool too_many = false;
  auto status = store.ForEachOpportunity(source.snapshot_id(), "from_snapshot.snapshot_id",
                                         [&](const v1::Opportunity& o) {
    if (!o.closed() || !o.won() || too_many) return;
    auto closed_on = FromProto(o.close_date());
    if (!closed_on.ok() || MonthNumber(*closed_on) > last_month) return;
    std::vector<std::string> parts;
    for (int key : source.group_by()) parts.push_back(KeyValue(o, static_cast<v1::BookingsKey>(key)));
    auto& series = bookings[absl::StrJoin(parts, "/")];
    series[MonthNumber(*closed_on)] += o.amount().minor_units();
    too_many = static_cast<int>(bookings.size()) > max_series;
  });
  if (!status.ok()) return status;
  if (too_many)
    return absl::InvalidArgumentError(absl::StrCat(
        "from_snapshot.group_by: more than ", max_series, " series (the batch limit)"));

  std::vector<v1::TimeSeries> out;
  out.reserve(bookings.size());
  for (const auto& [id, months] : bookings) {
    v1::TimeSeries& s = out.emplace_back();
    s.set_id(id);
    s.set_granularity(v1::GRANULARITY_MONTH);
    const int first = months.begin()->first;
    *s.mutable_start() = ToProto(FirstDayOfMonthNumber(first));
    for (int m = first; m <= last_month; ++m) {
      auto it = months.find(m);
      s.add_values(it == months.end() ? 0.0 : static_cast<double>(it->second) / unit);
    }
  }
  return out;
}

}  // namespace salesops::forecast
