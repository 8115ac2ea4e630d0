#include "tools/salesctl/series_csv.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {
namespace {

using ::testing::ElementsAre;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::vector<v1::TimeSeries> Parse(std::string_view text) {
  absl::StatusOr<std::vector<v1::TimeSeries>> s = ParseSeriesCsv(text, "series.csv");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : std::vector<v1::TimeSeries>{};
}

std::string Error(std::string_view text) {
  absl::StatusOr<std::vector<v1::TimeSeries>> s = ParseSeriesCsv(text, "series.csv");
  EXPECT_FALSE(s.ok()) << "parsed fine";
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

std::vector<double> Values(const v1::TimeSeries& s) { return {s.values().begin(), s.values().end()}; }

TEST(SeriesCsvTest, IntegerIndexesInAnyOrder) {
  std::vector<v1::TimeSeries> s = Parse(
      "series_id,t,value\n"
      "B,2,20\n"
      "A,1,1.5\n"
      "B,1,10\n"
      "A,0,0.5\n"
      "\"West, NA\",-1,7\n"
      "A,2,2.5e3\n"
      "B,3,30\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].id(), "B");  // order of first appearance
  EXPECT_THAT(Values(s[0]), ElementsAre(10, 20, 30));
  EXPECT_EQ(s[1].id(), "A");
  EXPECT_THAT(Values(s[1]), ElementsAre(0.5, 1.5, 2500));
  EXPECT_EQ(s[2].id(), "West, NA");
  EXPECT_THAT(Values(s[2]), ElementsAre(7));
  EXPECT_FALSE(s[0].has_start());
  EXPECT_EQ(s[0].granularity(), v1::GRANULARITY_UNSPECIFIED);
  EXPECT_TRUE(s[0].labels().empty());
}

struct DateCase {
  std::vector<std::string> dates;  // in file order
  v1::Granularity granularity;
  Date start;
};

TEST(SeriesCsvTest, DatesTellTheGranularityAndStart) {
  const std::vector<DateCase> cases = {
      {{"2024-03-01", "2024-01-01", "2024-02-01"}, v1::GRANULARITY_MONTH, D(2024, 1, 1)},
      {{"1/1/2024", "2/1/2024", "2024/03/01"}, v1::GRANULARITY_MONTH, D(2024, 1, 1)},
      // Month ends stand for their month.
      {{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"}, v1::GRANULARITY_MONTH, D(2024, 1, 1)},
      // Mid-month dates keep their day, clamped to short months.
      {{"2024-01-30", "2024-02-29", "2024-03-30"}, v1::GRANULARITY_MONTH, D(2024, 1, 1)},
      {{"2024-01-15", "2024-02-15"}, v1::GRANULARITY_MONTH, D(2024, 1, 1)},
      // Fiscal quarters starting in February.
      {{"2024-02-01", "2024-05-01", "2024-08-01", "2024-11-01", "2025-02-01"},
       v1::GRANULARITY_QUARTER, D(2024, 2, 1)},
      // Quarter ends: the first quarter is January to March.
      {{"2024-03-31", "2024-06-30", "2024-09-30"}, v1::GRANULARITY_QUARTER, D(2024, 1, 1)},
      {{"2022-01-01", "2023-01-01", "2024-01-01"}, v1::GRANULARITY_YEAR, D(2022, 1, 1)},
      {{"2022-12-31", "2023-12-31"}, v1::GRANULARITY_YEAR, D(2022, 1, 1)},
      {{"2024-02-26", "2024-03-04", "2024-02-19"}, v1::GRANULARITY_WEEK, D(2024, 2, 19)},
      {{"2024-02-28", "2024-02-29", "2024-03-01"}, v1::GRANULARITY_DAY, D(2024, 2, 28)},
  };
  for (const DateCase& c : cases) {
    std::string text = "series_id,t,value\n";
    for (size_t i = 0; i < c.dates.size(); ++i) text += "S," + c.dates[i] + "," + std::to_string(i) + "\n";
    SCOPED_TRACE(text);
    std::vector<v1::TimeSeries> s = Parse(text);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].granularity(), c.granularity);
    EXPECT_EQ(FromProtoDate(s[0].start()), c.start);
    EXPECT_EQ(s[0].values_size(), static_cast<int>(c.dates.size()));
  }
}

TEST(SeriesCsvTest, ValuesFollowTheDates) {
  std::vector<v1::TimeSeries> s =
      Parse("series_id,t,value\nS,2024-03-01,3\nS,2024-01-01,1\nS,2024-02-01,2\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_THAT(Values(s[0]), ElementsAre(1, 2, 3));
}

TEST(SeriesCsvTest, OneDateTakesTheSpacingOfTheOthers) {
  std::vector<v1::TimeSeries> s = Parse(
      "series_id,t,value\nnew,2024-06-01,5\nold,2024-01-01,1\nold,2024-04-01,2\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].granularity(), v1::GRANULARITY_QUARTER);
  EXPECT_EQ(FromProtoDate(s[0].start()), D(2024, 6, 1));
  EXPECT_EQ(Error("series_id,t,value\nS,2024-06-01,5\nT,3,1\n"),
            "series.csv:2: series \"S\": a single date does not tell the spacing (day, week, month, "
            "quarter or year); give at least two");
}

TEST(SeriesCsvTest, StatsforecastNamesCaseAndLabels) {
  std::vector<v1::TimeSeries> s = Parse(
      "\xEF\xBB\xBF" "Territory,unique_id,DS,Y,Product\r\n"
      "EMEA,EMEA/Platform,0,1,Platform\r\n"
      "EMEA,EMEA/Platform,1,2,Platform\r\n"
      "NA,NA/Support,0,3,Support\r\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].id(), "EMEA/Platform");
  EXPECT_EQ(s[0].labels().at("Territory"), "EMEA");
  EXPECT_EQ(s[0].labels().at("Product"), "Platform");
  EXPECT_EQ(s[1].labels().at("Product"), "Support");
  EXPECT_THAT(Values(s[0]), ElementsAre(1, 2));
}

TEST(SeriesCsvTest, HeaderErrors) {
  EXPECT_EQ(Error(""), "series.csv:1: empty file, expected the header series_id,t,value");
  EXPECT_EQ(Error("A,0,1\nA,1,2\n"),
            "series.csv:1: missing column \"series_id\" (the header must name series_id, t and value)");
  EXPECT_EQ(Error("series_id,value\nA,1\n"),
            "series.csv:1: missing column \"t\" (the header must name series_id, t and value)");
  EXPECT_EQ(Error("series_id,t,value,y\nA,0,1,1\n"),
            "series.csv:1: columns \"value\" and \"y\" both look like \"value\"");
  EXPECT_EQ(Error("series_id,t,value,\nA,0,1,x\n"), "series.csv:1: column 4 has no name");
  EXPECT_EQ(Error("series_id,t,value\n"), "series.csv: no observations after the header");
}

TEST(SeriesCsvTest, RowErrors) {
  const std::string h = "series_id,t,value\nA,0,1\n";
  EXPECT_EQ(Error(h + "A,1\n"), "series.csv:3: 2 fields, but the header has 3");
  EXPECT_EQ(Error(h + ",1,2\n"), "series.csv:3: column \"series_id\": empty");
  EXPECT_EQ(Error(h + "A,,2\n"), "series.csv:3: column \"t\": empty");
  EXPECT_EQ(Error(h + "A,1,n/a\n"), "series.csv:3: column \"value\": \"n/a\" is not a number");
  EXPECT_EQ(Error(h + "A,1,\n"), "series.csv:3: column \"value\": \"\" is not a number");
  EXPECT_EQ(Error(h + "A,1,nan\n"), "series.csv:3: column \"value\": \"nan\" is not a number");
  EXPECT_EQ(Error(h + "A,1,-inf\n"), "series.csv:3: column \"value\": \"-inf\" is not a number");
  EXPECT_EQ(Error(h + "A,1,\"1,000\"\n"), "series.csv:3: column \"value\": \"1,000\" is not a number");
  EXPECT_EQ(Error(h + "A,Q1,2\n"),
            "series.csv:3: column \"t\": \"Q1\" is neither an integer index nor a date");
  EXPECT_EQ(Error(h + "A,2024-13-01,2\n"),
            "series.csv:3: column \"t\": \"2024-13-01\" is neither an integer index nor a date");
  EXPECT_EQ(Error(h + "A,2024-01-01,2\n"),
            "series.csv:3: column \"t\": \"2024-01-01\" is a date, but series \"A\" uses integer "
            "indexes (line 2)");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-01,1\nA,7,2\n"),
            "series.csv:3: column \"t\": \"7\" is an integer, but series \"A\" uses dates (line 2)");
  EXPECT_EQ(Error("series_id,t,value,region\nA,0,1,EU\nA,1,2,US\n"),
            "series.csv:3: column \"region\": \"US\" differs from \"EU\" on line 2 of series \"A\"");
  EXPECT_EQ(Error(h + "A,1,\"unterminated\n"),
            "series.csv:3: malformed CSV in field 3: a quoted field is never closed");
}

TEST(SeriesCsvTest, DuplicatesAndGaps) {
  EXPECT_EQ(Error("series_id,t,value\nA,1,1\nA,2,2\nB,0,0\nA,1,3\n"),
            "series.csv:5: series \"A\": duplicate t=1 (also on line 2)");
  EXPECT_EQ(Error("series_id,t,value\nA,5,1\nA,3,2\nA,1,0\nA,2,0\n"),
            "series.csv:2: series \"A\": t=5 follows t=3; t=4 is missing");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-02-01,1\nA,2024-01-01,2\nA,2024/02/01,3\n"),
            "series.csv:4: series \"A\": duplicate 2024-02-01 (also on line 2)");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-01,1\nA,2024-02-01,2\nA,2024-05-01,3\n"),
            "series.csv:4: series \"A\": 2024-05-01 follows 2024-02-01; 2024-03-01 is missing");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-31,1\nA,2024-02-29,2\nA,2024-04-30,3\n"),
            "series.csv:4: series \"A\": 2024-04-30 follows 2024-02-29; 2024-03-31 is missing");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-01,1\nA,2024-02-01,2\nA,2024-03-15,3\n"),
            "series.csv:4: series \"A\": 2024-03-15 is not on the monthly spacing from 2024-01-01");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-01,1\nA,2024-01-15,2\nA,2024-01-29,3\n"),
            "series.csv:3: series \"A\": 2024-01-15 is 14 days after 2024-01-01; dates must be a "
            "day, week, month, quarter or year apart");
  EXPECT_EQ(Error("series_id,t,value\nA,2024-01-01,1\nA,2024-01-08,2\nA,2024-01-29,3\n"),
            "series.csv:4: series \"A\": 2024-01-29 follows 2024-01-08; 2024-01-15 is missing");
}

TEST(SeriesCsvTest, ReadsAFile) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("salesctl_series_" + std::to_string(::getpid()) + ".csv"))
                         .string();
  {
    std::ofstream out(path);
    out << "series_id,t,value\nA,0,1\nA,2,3\n";
  }
  absl::StatusOr<std::vector<v1::TimeSeries>> s = ReadSeriesCsv(path);
  EXPECT_EQ(s.status().message(),
            std::filesystem::path(path).filename().string() + ":3: series \"A\": t=2 follows t=0; t=1 is missing");
  std::filesystem::remove(path);
  EXPECT_EQ(ReadSeriesCsv(path).status().code(), absl::StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Forecasts out.

v1::SeriesForecast Forecast(const std::string& id, std::vector<double> levels, int steps,
                            const std::string& model) {
  v1::SeriesForecast f;
  f.set_series_id(id);
  f.set_model(model);
  for (int i = 0; i < steps; ++i) f.add_mean(100.0 + i + 0.25);
  for (double level : levels) {
    v1::PredictionInterval* interval = f.add_intervals();
    interval->set_level(level);
    for (int i = 0; i < steps; ++i) {
      interval->add_lower(100.0 + i - level / 10);
      interval->add_upper(100.0 + i + level / 10);
    }
  }
  return f;
}

TEST(ForecastCsvTest, OneRowPerSeriesAndStep) {
  v1::ForecastResponse r;
  *r.add_forecasts() = Forecast("EMEA/Platform", {80, 95}, 2, "ETS(A,Ad,N)");
  *r.add_forecasts() = Forecast("NA", {80, 95}, 1, "NAIVE");
  absl::StatusOr<std::string> csv = FormatForecastCsv(r);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv,
            "series_id,step,mean,lo_80,hi_80,lo_95,hi_95,model\n"
            "EMEA/Platform,1,100.25,92,108,90.5,109.5,\"ETS(A,Ad,N)\"\n"
            "EMEA/Platform,2,101.25,93,109,91.5,110.5,\"ETS(A,Ad,N)\"\n"
            "NA,1,100.25,92,108,90.5,109.5,NAIVE\n");
}

TEST(ForecastCsvTest, LevelsNameTheColumns) {
  v1::ForecastResponse r;
  v1::SeriesForecast f = Forecast("A", {90, 97.5}, 1, "SES");
  f.set_mean(0, 1234567.891234);
  *r.add_forecasts() = f;
  absl::StatusOr<std::string> csv = FormatForecastCsv(r);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv,
            "series_id,step,mean,lo_90,hi_90,lo_97.5,hi_97.5,model\n"
            "A,1,1234567.891,91,109,90.25,109.75,SES\n");

  // The same columns are read back by the series reader's CSV parser.
  EXPECT_EQ(*FormatForecastCsv(v1::ForecastResponse()), "series_id,step,mean,model\n");
}

TEST(ForecastCsvTest, DifferentLevelsAreAnError) {
  v1::ForecastResponse r;
  *r.add_forecasts() = Forecast("A", {80, 95}, 1, "SES");
  *r.add_forecasts() = Forecast("B", {80}, 1, "SES");
  EXPECT_EQ(FormatForecastCsv(r).status().message(),
            "forecast of series \"B\" has interval levels [80], unlike the first series' [80, 95]: "
            "the CSV columns must be the same for every series");
}

TEST(ForecastCsvTest, WritesAFile) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("salesctl_forecast_" + std::to_string(::getpid()) + ".csv"))
                         .string();
  v1::ForecastResponse r;
  *r.add_forecasts() = Forecast("A", {80}, 1, "SES");
  ASSERT_TRUE(WriteForecastCsv(r, path).ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "series_id,step,mean,lo_80,hi_80,model\nA,1,100.25,92,108,SES\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace salesops::salesctl
