// Time series in and forecasts out, as CSV, for `salesctl forecast`.
//
// Input is "long" CSV with a header: one observation per row,
//   series_id,t,value
//   NA/Platform,2024-02-01,1250000
// where t is an integer index (0, 1, 2... or any consecutive run) or a date. Rows of a series may
// come in any order; every series must be complete (no duplicate and no missing t). With dates,
// their spacing tells the granularity (one day, one week, one month, three months or one year
// apart) and the first date gives the series' start. Headers match case-insensitively; "unique_id",
// "ds" and "y" (the statsforecast names) are accepted too, and any other column becomes a label of
// the series (it must not change within a series).
//
// Output is one row per series and step:
//   series_id,step,mean,lo_80,hi_80,lo_95,hi_95,model
// with one lo/hi pair per interval level of the response, named after it ("lo_90", "hi_97.5").
#ifndef SALESOPS_TOOLS_SALESCTL_SERIES_CSV_H_
#define SALESOPS_TOOLS_SALESCTL_SERIES_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/types.pb.h"

namespace salesops::salesctl {

// Parses series CSV text, the series in order of first appearance. InvalidArgument naming
// `file_name`, the line and the column for anything wrong, e.g.
//   series.csv:7: column "value": "n/a" is not a number
//   series.csv:12: series "EMEA": t=5 follows t=3; t=4 is missing
absl::StatusOr<std::vector<v1::TimeSeries>> ParseSeriesCsv(std::string_view text,
                                                           std::string_view file_name);
// Reads and parses a series CSV file; errors name the file by its base name.
absl::StatusOr<std::vector<v1::TimeSeries>> ReadSeriesCsv(const std::string& path);

// Formats forecasts as CSV. Numbers have 10 significant digits. InvalidArgument when the series'
// interval levels differ (the columns must be the same for all).
absl::StatusOr<std::string> FormatForecastCsv(const v1::ForecastResponse& response);
// Formats and writes to `path` (through a temporary file).
absl::Status WriteForecastCsv(const v1::ForecastResponse& response, const std::string& path);

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_SERIES_CSV_H_
