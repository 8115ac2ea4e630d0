#include "bench/m3_data.h"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace salesops::bench {
namespace {

bool ParseDouble(const std::string& s, double* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool ParseInt(const std::string& s, int* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

// Reads a CSV file with a header line into rows of fields; checks the header.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadCsv(const std::string& path,
                                                              const std::string& header) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::string line;
  if (!std::getline(in, line)) return absl::InvalidArgumentError(absl::StrCat(path, ": empty"));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line != header) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": header is \"", line, "\", expected \"", header, "\""));
  }
  std::vector<std::vector<std::string>> rows;
  const size_t columns = SplitCsvLine(header).size();
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = SplitCsvLine(line);
    if (fields.size() != columns) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": expected ", columns,
                                                     " fields, got ", fields.size()));
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

// Values of a long-form file (series_id,<index>,value) grouped by series, checking the index runs
// 1..n in order.
absl::Status ReadValues(const std::string& path, const std::string& header,
                        std::map<std::string, std::vector<double>>* out) {
  auto rows = ReadCsv(path, header);
  if (!rows.ok()) return rows.status();
  int line = 1;
  for (const auto& row : *rows) {
    ++line;
    int index = 0;
    double value = 0;
    if (!ParseInt(row[1], &index) || !ParseDouble(row[2], &value)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": bad number"));
    }
    auto& values = (*out)[row[0]];
    if (index != static_cast<int>(values.size()) + 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line, ": ", row[0], " index ", index, " out of order"));
    }
    values.push_back(value);
  }
  return absl::OkStatus();
}

}  // namespace

int M3SubsetIndex(std::string_view name) {
  for (int i = 0; i < kM3SubsetCount; ++i) {
    if (kM3Subsets[i] == name) return i;
  }
  return -1;
}

std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.emplace_back(line.substr(start));
      return fields;
    }
    fields.emplace_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

absl::StatusOr<std::vector<M3Series>> LoadM3(const std::string& root,
                                             const std::vector<std::string>& subsets, int every) {
  if (every < 1) return absl::InvalidArgumentError("every: must be >= 1");
  std::vector<bool> wanted(kM3SubsetCount, subsets.empty());
  for (const auto& name : subsets) {
    int index = M3SubsetIndex(name);
    if (index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("subset: unknown \"", name, "\" (yearly, quarterly, monthly, other)"));
    }
    wanted[index] = true;
  }
  std::vector<M3Series> out;
  for (int s = 0; s < kM3SubsetCount; ++s) {
    if (!wanted[s]) continue;
    const std::string dir = absl::StrCat(root, "/", std::string(kM3Subsets[s]));
    auto meta = ReadCsv(dir + "/meta.csv", "series_id,period,horizon,type,start");
    if (!meta.ok()) return meta.status();
    std::map<std::string, std::vector<double>> train, test;
    if (auto st = ReadValues(dir + "/train.csv", "series_id,t,value", &train); !st.ok()) return st;
    if (auto st = ReadValues(dir + "/test.csv", "series_id,step,value", &test); !st.ok()) return st;
    for (size_t i = 0; i < meta->size(); i += every) {
      const auto& row = (*meta)[i];
      M3Series series;
      series.id = row[0];
      series.subset = s;
      series.type = row[3];
      if (!ParseInt(row[1], &series.period) || !ParseInt(row[2], &series.horizon) ||
          series.period < 1 || series.horizon < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat(dir, "/meta.csv:", i + 2, ": bad period or horizon"));
      }
      series.train = std::move(train[series.id]);
      series.test = std::move(test[series.id]);
      if (series.train.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(dir, "/train.csv: no values for ", series.id));
      }
      if (static_cast<int>(series.test.size()) != series.horizon) {
        return absl::InvalidArgumentError(absl::StrCat(dir, "/test.csv: ", series.id, " has ",
                                                       series.test.size(), " values, horizon ",
                                                       series.horizon));
      }
      out.push_back(std::move(series));
    }
  }
  return out;
}

}  // namespace salesops::bench
