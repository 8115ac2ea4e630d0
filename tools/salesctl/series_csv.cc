#include "tools/salesctl/series_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "common/calendar.h"
#include "tools/salesctl/csv.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }


enum class IndexKind { kInteger, kDate };

struct Observation {
  int64_t key = 0;  // the integer index, or the date's day number
  double value = 0;
  int line = 0;
};

struct SeriesRows {
  std::string id;
  int first_line = 0;
  IndexKind kind = IndexKind::kInteger;
  std::vector<Observation> observations;
  std::vector<std::string> labels;  // one per label column, from the series' first row
};

// Integer indexes: an optional minus sign and digits (so "2024-01-01" is not one).
std::optional<int64_t> ParseIndex(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t digits_from = s.front() == '-' ? 1 : 0;
  if (digits_from == s.size()) return std::nullopt;
  for (size_t i = digits_from; i < s.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Dates at a regular spacing.

struct Spacing {
  v1::Granularity granularity = v1::GRANULARITY_UNSPECIFIED;
  int days = 0;    // DAY 1, WEEK 7; 0 for month-based spacings
  int months = 0;  // MONTH 1, QUARTER 3, YEAR 12
};

Spacing SpacingOf(v1::Granularity g) {
  switch (g) {
    case v1::GRANULARITY_DAY: return {g, 1, 0};
    case v1::GRANULARITY_WEEK: return {g, 7, 0};
    case v1::GRANULARITY_MONTH: return {g, 0, 1};
    case v1::GRANULARITY_QUARTER: return {g, 0, 3};
    case v1::GRANULARITY_YEAR: return {g, 0, 12};
    default: return {};
  }
}

const char* SpacingName(v1::Granularity g) {
  switch (g) {
    case v1::GRANULARITY_DAY: return "daily";
    case v1::GRANULARITY_WEEK: return "weekly";
    case v1::GRANULARITY_MONTH: return "monthly";
    case v1::GRANULARITY_QUARTER: return "quarterly";
    case v1::GRANULARITY_YEAR: return "yearly";
    default: return "unknown";
  }
}

bool IsMonthEnd(Date d) { return static_cast<int>(static_cast<unsigned>(d.day())) == DaysInMonth(d); }

// The k-th date of the spacing that starts at `first`. Month-based spacings keep the day of the
// month (clamped to the month's length), or the month's last day when `first` is one.
Date DateAt(Date first, const Spacing& spacing, int64_t k) {
  if (spacing.days > 0) return FromDayNumber(DayNumber(first) + static_cast<int>(k * spacing.days));
  Date month = FirstDayOfMonthNumber(MonthNumber(first) + static_cast<int>(k * spacing.months));
  int days = DaysInMonth(month);
  int day = IsMonthEnd(first) ? days : std::min(days, static_cast<int>(static_cast<unsigned>(first.day())));
  return FromDayNumber(DayNumber(month) + day - 1);
}

// The position of `date` in the spacing that starts at `first`, or nullopt when it is off it.
std::optional<int64_t> PositionOf(Date first, const Spacing& spacing, Date date) {
  int64_t k = 0;
  if (spacing.days > 0) {
    int diff = DayNumber(date) - DayNumber(first);
    if (diff % spacing.days != 0) return std::nullopt;
    k = diff / spacing.days;
  } else {
    int diff = MonthNumber(date) - MonthNumber(first);
    if (diff % spacing.months != 0) return std::nullopt;
    k = diff / spacing.months;
  }
  if (DateAt(first, spacing, k) != date) return std::nullopt;
  return k;
}

// The first day of the period the first observation stands for: the date itself for days and
// weeks; for months, quarters and years the first of the month, or, when dates mark period ends
// (the last day of a month), the first day of the period that ends there.
Date PeriodStart(Date first, const Spacing& spacing) {
  if (spacing.days > 0 || first.day() == std::chrono::day(1)) return first;
  int month = MonthNumber(first);
  if (IsMonthEnd(first)) month -= spacing.months - 1;
  return FirstDayOfMonthNumber(month);
}

class SeriesParser {
 public:
  explicit SeriesParser(std::string file) : file_(std::move(file)) {}

  absl::StatusOr<std::vector<v1::TimeSeries>> Parse(std::string_view text) {
    absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text, file_);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return LineError(1, "empty file, expected the header series_id,t,value");
    if (absl::Status s = ReadHeader(rows->front()); !s.ok()) return s;
    for (size_t i = 1; i < rows->size(); ++i) {
      if (absl::Status s = ReadRow((*rows)[i]); !s.ok()) return s;
    }
    if (series_.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ": no observations after the header"));
    }
    return Build();
  }

 private:
  absl::Status LineError(int line, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", line, ": ", AV(what)));
  }
  absl::Status CellError(int line, int column, std::string_view what) const {
    return LineError(line, absl::StrCat("column ", Quoted(header_[column]), ": ", AV(what)));
  }
  absl::Status SeriesError(int line, const SeriesRows& s, std::string_view what) const {
    return LineError(line, absl::StrCat("series ", Quoted(s.id), ": ", AV(what)));
  }

  absl::Status ReadHeader(const CsvRow& row) {
    header_ = row.fields;
    header_line_ = row.line;
    struct Wanted {
      const char* name;
      std::vector<std::string> accepted;
      int* column;
    };
    Wanted wanted[] = {
        {"series_id", {"seriesid", "series", "uniqueid", "id"}, &id_column_},
        {"t", {"t", "ds", "date", "period", "time", "index"}, &t_column_},
        {"value", {"value", "y"}, &value_column_},
    };
    std::vector<bool> used(header_.size(), false);
    for (Wanted& w : wanted) {
      for (const std::string& accepted : w.accepted) {
        for (int i = 0; i < static_cast<int>(header_.size()); ++i) {
          if (used[i] || NormalizeHeader(header_[i]) != accepted) continue;
          if (*w.column >= 0) {
            return LineError(header_line_, absl::StrCat("columns ", Quoted(header_[*w.column]), " and ",
                                                        Quoted(header_[i]), " both look like ",
                                                        Quoted(w.name)));
          }
          *w.column = i;
          used[i] = true;
        }
      }
      if (*w.column < 0) {
        return LineError(header_line_, absl::StrCat("missing column ", Quoted(w.name),
                                                    " (the header must name series_id, t and value)"));
      }
    }
    for (int i = 0; i < static_cast<int>(header_.size()); ++i) {
      if (used[i]) continue;
      std::string name(TrimBlanks(header_[i]));
      if (name.empty()) return LineError(header_line_, absl::StrCat("column ", i + 1, " has no name"));
      label_columns_.push_back(i);
    }
    return absl::OkStatus();
  }

  absl::Status ReadRow(const CsvRow& row) {
    if (row.fields.size() != header_.size()) {
      return LineError(row.line, absl::StrCat(row.fields.size(), " fields, but the header has ",
                                              header_.size()));
    }
    const std::string& id = row.fields[id_column_];
    if (id.empty()) return CellError(row.line, id_column_, "empty");
    std::string_view t = TrimBlanks(row.fields[t_column_]);
    if (t.empty()) return CellError(row.line, t_column_, "empty");
    std::string_view value_text = TrimBlanks(row.fields[value_column_]);
    double value = 0;
    if (!absl::SimpleAtod(AV(value_text), &value) || !std::isfinite(value)) {
      return CellError(row.line, value_column_, absl::StrCat(Quoted(row.fields[value_column_]),
                                                             " is not a number"));
    }

    Observation obs;
    obs.value = value;
    obs.line = row.line;
    IndexKind kind;
    if (std::optional<int64_t> index = ParseIndex(t)) {
      kind = IndexKind::kInteger;
      obs.key = *index;
    } else if (std::optional<Date> date = ParseDate(t)) {
      kind = IndexKind::kDate;
      obs.key = DayNumber(*date);
    } else {
      return CellError(row.line, t_column_,
                       absl::StrCat(Quoted(row.fields[t_column_]),
                                    " is neither an integer index nor a date"));
    }

    auto [it, inserted] = index_.emplace(id, static_cast<int>(series_.size()));
    if (inserted) {
      SeriesRows s;
      s.id = id;
      s.first_line = row.line;
      s.kind = kind;
      for (int c : label_columns_) s.labels.push_back(row.fields[c]);
      series_.push_back(std::move(s));
    }
    SeriesRows& s = series_[it->second];
    if (kind != s.kind) {
      return CellError(row.line, t_column_,
                       absl::StrCat(Quoted(row.fields[t_column_]), " is ",
                                    kind == IndexKind::kDate ? "a date" : "an integer",
                                    ", but series ", Quoted(id), " uses ",
                                    s.kind == IndexKind::kDate ? "dates" : "integer indexes",
                                    " (line ", s.first_line, ")"));
    }
    for (size_t k = 0; k < label_columns_.size(); ++k) {
      const std::string& label = row.fields[label_columns_[k]];
      if (label != s.labels[k]) {
        return CellError(row.line, label_columns_[k],
                         absl::StrCat(Quoted(label), " differs from ", Quoted(s.labels[k]),
                                      " on line ", s.first_line, " of series ", Quoted(id)));
      }
    }
    s.observations.push_back(obs);
    return absl::OkStatus();
  }

  std::string KeyText(const SeriesRows& s, int64_t key) const {
    return s.kind == IndexKind::kDate ? FormatDate(FromDayNumber(static_cast<int>(key)))
                                      : absl::StrCat("t=", key);
  }

  // Sorts a series' observations and rejects duplicates.
  absl::Status SortUnique(SeriesRows& s) const {
    std::stable_sort(s.observations.begin(), s.observations.end(),
                     [](const Observation& a, const Observation& b) { return a.key < b.key; });
    for (size_t i = 1; i < s.observations.size(); ++i) {
      const Observation& a = s.observations[i - 1];
      const Observation& b = s.observations[i];
      if (a.key == b.key) {
        return SeriesError(std::max(a.line, b.line), s,
                           absl::StrCat("duplicate ", KeyText(s, a.key), " (also on line ",
                                        std::min(a.line, b.line), ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<v1::Granularity> InferGranularity(const SeriesRows& s) const {
    const std::vector<Observation>& o = s.observations;
    size_t at = 1;
    for (size_t i = 2; i < o.size(); ++i) {
      if (o[i].key - o[i - 1].key < o[at].key - o[at - 1].key) at = i;
    }
    int64_t gap = o[at].key - o[at - 1].key;
    if (gap == 1) return v1::GRANULARITY_DAY;
    if (gap == 7) return v1::GRANULARITY_WEEK;
    if (gap >= 28 && gap <= 31) return v1::GRANULARITY_MONTH;
    if (gap >= 89 && gap <= 92) return v1::GRANULARITY_QUARTER;
    if (gap >= 365 && gap <= 366) return v1::GRANULARITY_YEAR;
    return SeriesError(o[at].line, s,
                       absl::StrCat(KeyText(s, o[at].key), " is ", gap, " days after ",
                                    KeyText(s, o[at - 1].key),
                                    "; dates must be a day, week, month, quarter or year apart"));
  }

  absl::Status PlaceDates(const SeriesRows& s, v1::Granularity granularity,
                          v1::TimeSeries* out) const {
    Spacing spacing = SpacingOf(granularity);
    Date first = FromDayNumber(static_cast<int>(s.observations.front().key));
    int64_t previous = -1;
    for (const Observation& o : s.observations) {
      Date date = FromDayNumber(static_cast<int>(o.key));
      std::optional<int64_t> k = PositionOf(first, spacing, date);
      if (!k) {
        return SeriesError(o.line, s, absl::StrCat(FormatDate(date), " is not on the ",
                                                   SpacingName(granularity), " spacing from ",
                                                   FormatDate(first)));
      }
      if (previous >= 0 && *k != previous + 1) {
        return SeriesError(o.line, s, absl::StrCat(
            FormatDate(date), " follows ", FormatDate(DateAt(first, spacing, previous)), "; ",
            FormatDate(DateAt(first, spacing, previous + 1)), " is missing"));
      }
      previous = *k;
      out->add_values(o.value);
    }
    *out->mutable_start() = ToProto(PeriodStart(first, spacing));
    out->set_granularity(granularity);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<v1::TimeSeries>> Build() {
    std::vector<v1::TimeSeries> out(series_.size());
    // The spacing of the first dated series with two or more dates, for those with one.
    v1::Granularity common = v1::GRANULARITY_UNSPECIFIED;
    std::vector<v1::Granularity> granularity(series_.size(), v1::GRANULARITY_UNSPECIFIED);
    for (size_t i = 0; i < series_.size(); ++i) {
      SeriesRows& s = series_[i];
      if (absl::Status st = SortUnique(s); !st.ok()) return st;
      if (s.kind == IndexKind::kDate && s.observations.size() >= 2) {
        absl::StatusOr<v1::Granularity> g = InferGranularity(s);
        if (!g.ok()) return g.status();
        granularity[i] = *g;
        if (common == v1::GRANULARITY_UNSPECIFIED) common = *g;
      }
    }
    for (size_t i = 0; i < series_.size(); ++i) {
      const SeriesRows& s = series_[i];
      v1::TimeSeries& ts = out[i];
      ts.set_id(s.id);
      for (size_t k = 0; k < label_columns_.size(); ++k) {
        (*ts.mutable_labels())[std::string(TrimBlanks(header_[label_columns_[k]]))] = s.labels[k];
      }
      if (s.kind == IndexKind::kInteger) {
        for (size_t k = 0; k < s.observations.size(); ++k) {
          const Observation& o = s.observations[k];
          if (k > 0 && o.key != s.observations[k - 1].key + 1) {
            return SeriesError(o.line, s, absl::StrCat(
                "t=", o.key, " follows t=", s.observations[k - 1].key, "; t=",
                s.observations[k - 1].key + 1, " is missing"));
          }
          ts.add_values(o.value);
        }
        continue;
      }
      v1::Granularity g = granularity[i] != v1::GRANULARITY_UNSPECIFIED ? granularity[i] : common;
      if (g == v1::GRANULARITY_UNSPECIFIED) {
        return SeriesError(s.first_line, s,
                           "a single date does not tell the spacing (day, week, month, quarter or "
                           "year); give at least two");
      }
      if (absl::Status st = PlaceDates(s, g, &ts); !st.ok()) return st;
    }
    return out;
  }

  std::string file_;
  std::vector<std::string> header_;
  int header_line_ = 1;
  int id_column_ = -1, t_column_ = -1, value_column_ = -1;
  std::vector<int> label_columns_;
  std::vector<SeriesRows> series_;
  absl::flat_hash_map<std::string, int> index_;
};

std::string Number(double x) { return absl::StrFormat("%.10g", x); }

}  // namespace

absl::StatusOr<std::vector<v1::TimeSeries>> ParseSeriesCsv(std::string_view text,
                                                           std::string_view file_name) {
  return SeriesParser(std::string(file_name)).Parse(text);
}

absl::StatusOr<std::vector<v1::TimeSeries>> ReadSeriesCsv(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  return ParseSeriesCsv(*text, std::filesystem::path(path).filename().string());
}

absl::StatusOr<std::string> FormatForecastCsv(const v1::ForecastResponse& response) {
  std::vector<double> levels;
  if (response.forecasts_size() > 0) {
    for (const v1::PredictionInterval& interval : response.forecasts(0).intervals()) {
      levels.push_back(interval.level());
    }
  }
  auto level_list = [](const v1::SeriesForecast& f) {
    std::vector<std::string> out;
    for (const v1::PredictionInterval& interval : f.intervals()) out.push_back(absl::StrFormat("%g", interval.level()));
    return absl::StrJoin(out, ", ");
  };
  for (const v1::SeriesForecast& f : response.forecasts()) {
    bool same = f.intervals_size() == static_cast<int>(levels.size());
    for (int i = 0; same && i < f.intervals_size(); ++i) same = f.intervals(i).level() == levels[i];
    if (!same) {
      return absl::InvalidArgumentError(absl::StrCat(
          "forecast of series ", Quoted(f.series_id()), " has interval levels [", level_list(f),
          "], unlike the first series' [", level_list(response.forecasts(0)),
          "]: the CSV columns must be the same for every series"));
    }
  }

  std::string out;
  std::vector<std::string> fields = {"series_id", "step", "mean"};
  for (double level : levels) {
    fields.push_back(absl::StrFormat("lo_%g", level));
    fields.push_back(absl::StrFormat("hi_%g", level));
  }
  fields.push_back("model");
  AppendCsvRecord(fields, &out);
  for (const v1::SeriesForecast& f : response.forecasts()) {
    for (int step = 0; step < f.mean_size(); ++step) {
      fields.clear();
      fields.push_back(f.series_id());
      fields.push_back(absl::StrCat(step + 1));
      fields.push_back(Number(f.mean(step)));
      for (const v1::PredictionInterval& interval : f.intervals()) {
        fields.push_back(step < interval.lower_size() ? Number(interval.lower(step)) : "");
        fields.push_back(step < interval.upper_size() ? Number(interval.upper(step)) : "");
      }
      fields.push_back(f.model());
      AppendCsvRecord(fields, &out);
    }
  }
  return out;
}

absl::Status WriteForecastCsv(const v1::ForecastResponse& response, const std::string& path) {
  absl::StatusOr<std::string> text = FormatForecastCsv(response);
  if (!text.ok()) return text.status();
  return WriteWholeFile(path, *text);
}

}  // namespace salesops::salesctl
