// Batch input from a stored snapshot: its closed-won bookings grouped into monthly series (see
// SnapshotSeriesSource in forecasting.proto). Reads the snapshot chunk by chunk from the store.
#ifndef SALESOPS_SERVICES_FORECASTING_SNAPSHOT_SERIES_H_
#define SALESOPS_SERVICES_FORECASTING_SNAPSHOT_SERIES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "salesops/v1/forecasting.pb.h"
#include "services/reporting/snapshot_store.h"

namespace salesops::forecast {

// InvalidArgument naming the field ("from_snapshot.group_by[1]: ...") for a bad source, or when
// there would be more than `max_series` series; NotFound naming from_snapshot.snapshot_id.
// Series are sorted by id.
absl::StatusOr<std::vector<v1::TimeSeries>> SnapshotSeries(reporting::SnapshotStore& store,
                                                           const v1::SnapshotSeriesSource& source,
                                                           int max_series);

}  // namespace salesops::forecast

#endif  // SALESOPS_SERVICES_FORECASTING_SNAPSHOT_SERIES_H_
