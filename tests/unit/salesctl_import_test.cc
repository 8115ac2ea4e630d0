// salesctl import: CRM exports as Salesforce and HubSpot write them, mapping files, errors with
// file, line and column, nothing sent when anything is wrong, speed, and the progress bar.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/progress.h"
#include "tools/salesctl/snapshot_upload.h"

namespace salesops::salesctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

std::vector<std::string> Lines(std::string_view text) {
  return absl::StrSplit(absl::string_view(text.data(), text.size()), '\n');
}

constexpr char kTerritories[] =
    "Territory ID,Territory Name,Parent Territory ID,Level\n"
    "ACME,Acme Cloud,,company\n"
    "NA,North America,ACME,region\n"
    "NA-WEST,NA West,NA,territory\n";
constexpr char kReps[] =
    "User ID,Full Name,Territory ID,Hire Date,End Date\n"
    "U1,Ann Lee,NA-WEST,2020-01-15,\n"
    "U2,Bo Chen,NA,2021-03-01,\n";
// The columns of a Salesforce opportunities report, in its order.
constexpr char kSalesforceHeader[] =
    "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Amount,Amount Currency,Stage,"
    "Probability (%),Close Date,Created Date,Forecast Category,Closed,Won\n";

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            absl::StrCat("salesctl_import_", ::getpid(), "_",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Write(kTerritoriesFile, kTerritories);
    Write(kRepsFile, kReps);
    Write(kSnapshotFile, "{\"currency\": \"USD\"}");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& content) {
    std::ofstream out(dir_ + "/" + file, std::ios::binary | std::ios::trunc);
    out << content;
  }
  absl::StatusOr<CrmImport> Import(const ImportOptions& options = {}) {
    return ImportCrmExport(dir_, options);
  }
  std::string Error(const ImportOptions& options = {}) {
    absl::StatusOr<CrmImport> c = Import(options);
    EXPECT_FALSE(c.ok()) << "imported fine";
    return std::string(c.status().message());
  }

  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// What CRMs write.

TEST_F(ImportTest, SalesforceOpportunitiesReport) {
  // Owners by full name, as a report shows them; the opportunity name is not ours and ignored.
  Write(kOpportunitiesFile,
        std::string(kSalesforceHeader) +
            "006A1,Globex renewal,Globex,Ann Lee,\"$12,500.00\",USD,Negotiation,80,12/15/2026,"
            "9/1/2026,Commit,FALSE,FALSE\n"
            "006A2,Initech new,Initech,Bo Chen,800.5,USD,Closed Won,100,3/31/2026,1/2/2026,Closed,"
            "TRUE,TRUE\n"
            "006A3,Hooli,Hooli,U1,0,USD,Closed Lost,0,2/28/2026,1/5/2026,Omitted,TRUE,FALSE\n");
  ImportOptions options;
  options.as_of = D(2026, 11, 27);
  absl::StatusOr<CrmImport> c = Import(options);
  ASSERT_TRUE(c.ok()) << c.status();
  const auto& o = c->company.opportunities;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].owner_rep_id(), "U1");
  EXPECT_EQ(o[0].territory_id(), "NA-WEST");
  EXPECT_EQ(o[0].amount().minor_units(), 1250000);
  EXPECT_EQ(FromProtoDate(o[0].close_date()), D(2026, 12, 15));
  EXPECT_EQ(o[0].forecast_category(), v1::FORECAST_CATEGORY_COMMIT);
  EXPECT_EQ(o[1].owner_rep_id(), "U2");
  EXPECT_TRUE(o[1].won());
  EXPECT_EQ(o[2].owner_rep_id(), "U1");
  EXPECT_TRUE(o[2].closed() && !o[2].won());
  EXPECT_EQ(c->company.header.currency_code(), "USD");
  EXPECT_EQ(FromProtoDate(c->company.header.as_of()), D(2026, 11, 27));
  EXPECT_EQ(c->as_of_from, "--as-of");
  EXPECT_THAT(c->notes, ElementsAre("2 opportunities name their owner (\"Opportunity Owner\") by "
                                    "full name: matched to reps.csv by name"));
}

TEST_F(ImportTest, HubSpotDealsExport) {
  // deals.csv and users.csv, HubSpot's headers, fractions for probabilities, date-times.
  std::filesystem::remove(dir_ + "/" + kRepsFile);
  Write("users.csv", "Owner ID,Name,Sales Territory\nU1,Ann Lee,NA-WEST\nU2,Bo Chen,NA\n");
  Write("deals.csv",
        "Record ID,Deal Name,Deal Owner,Deal Stage,Amount,Close Date,Create Date,Deal probability,"
        "Is Closed Won,Is Deal Closed?\n"
        "901,Globex,Ann Lee,Contract Sent,5000,2026-12-01 00:00,2026-10-01 09:30,0.9,false,false\n"
        "902,Initech,Bo Chen,closedwon,7000,2026-06-01 00:00,2026-02-01 14:00,1,true,true\n"
        "903,Hooli,Ann Lee,Appointment Scheduled,1000,2027-01-15 00:00,2026-11-20 08:00,0.2,no,"
        "no\n");
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->files, ElementsAre("territories.csv", "users.csv", "deals.csv"));
  const auto& o = c->company.opportunities;
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0].id(), "901");
  EXPECT_EQ(o[0].owner_rep_id(), "U1");
  EXPECT_DOUBLE_EQ(o[0].probability(), 0.9);
  EXPECT_EQ(o[0].forecast_category(), v1::FORECAST_CATEGORY_COMMIT);
  EXPECT_EQ(FromProtoDate(o[0].created_date()), D(2026, 10, 1));
  EXPECT_TRUE(o[1].closed() && o[1].won());
  EXPECT_DOUBLE_EQ(o[2].probability(), 0.2);
  EXPECT_EQ(c->company.reps[1].territory_id(), "NA");
  EXPECT_THAT(c->notes, ::testing::Contains(
                            "deals.csv: every \"Deal probability\" is between 0 and 1: read as "
                            "fractions (0.25 = 25%)"));
}

TEST_F(ImportTest, PercentagesStayPercentagesWhenAnyIsAboveOne) {
  Write(kOpportunitiesFile,
        "Opportunity ID,Owner ID,Amount,Stage,Close Date,Probability\n"
        "A1,U1,1,Proposal,2026-12-01,0.5\n"   // 0.5%
        "A2,U1,1,Proposal,2026-12-01,60\n"
        "A3,U1,1,Proposal,2026-12-01,1\n");  // 1%
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->company.opportunities[0].probability(), 0.005);
  EXPECT_DOUBLE_EQ(c->company.opportunities[1].probability(), 0.6);
  EXPECT_DOUBLE_EQ(c->company.opportunities[2].probability(), 0.01);
  EXPECT_TRUE(c->notes.empty());
  // With a '%' anywhere, they are percentages too.
  Write(kOpportunitiesFile,
        "Opportunity ID,Owner ID,Amount,Stage,Close Date,Probability\n"
        "A1,U1,1,Proposal,2026-12-01,0.5\nA2,U1,1,Proposal,2026-12-01,1%\n");
  c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->company.opportunities[0].probability(), 0.005);
}

TEST_F(ImportTest, BooleansInEveryCommonSpelling) {
  std::string rows = "Opportunity ID,Owner ID,Amount,Stage,Close Date,Closed,Won\n";
  const std::vector<std::pair<std::string, std::string>> cells = {
      {"TRUE", "FALSE"}, {"true", "false"}, {"Yes", "No"}, {"Y", "N"}, {"1", "0"}, {"t", "f"}};
  for (size_t i = 0; i < cells.size(); ++i) {
    absl::StrAppend(&rows, "A", i, ",U1,1,Closed Lost,2026-01-01,", cells[i].first, ",",
                    cells[i].second, "\n");
  }
  Write(kOpportunitiesFile, rows);
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  for (const auto& o : c->company.opportunities) EXPECT_TRUE(o.closed() && !o.won()) << o.id();
  EXPECT_EQ(ParseCrmBool(" NO "), false);
  EXPECT_EQ(ParseCrmBool("2"), std::nullopt);
  EXPECT_EQ(ParseCrmBool(""), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Dates.

TEST(CrmDateTest, AcceptedFormats) {
  const Date d = D(2026, 3, 1);
  for (const char* text : {"2026-03-01", "2026-3-1", "2026/03/01", "2026.03.01",
                           "2026-03-01 00:00:00", "2026-03-01T10:15:00Z", "2026-03-01 10:15 AM",
                           "1 Mar 2026", "01-Mar-2026", "1 March 2026", "Mar 1 2026",
                           "Mar 1, 2026", "March 1, 2026", "mar 01 2026", "1.3.2026", "01.03.2026"}) {
    EXPECT_EQ(ParseCrmDate(text, DateOrder::kAuto), d) << text;
    EXPECT_EQ(ParseCrmDate(text, DateOrder::kDayFirst), d) << text;
  }
  EXPECT_EQ(ParseCrmDate("3/1/2026", DateOrder::kMonthFirst), d);
  EXPECT_EQ(ParseCrmDate("03-01-2026", DateOrder::kMonthFirst), d);
  EXPECT_EQ(ParseCrmDate("3/1/2026", DateOrder::kAuto), d);  // month first
  EXPECT_EQ(ParseCrmDate("1/3/2026", DateOrder::kDayFirst), d);
  EXPECT_EQ(ParseCrmDate("13/1/2026", DateOrder::kMonthFirst), std::nullopt);
  EXPECT_EQ(ParseCrmDate("Sept 30, 2026", DateOrder::kAuto), D(2026, 9, 30));
  for (const char* bad : {"", "2026-13-01", "2025-02-29", "2026-02-30", "3/1/26", "1 Mar 26",
                          "2026-03", "20260301", "2026-03/01", "Smarch 1, 2026", "32 Jan 2026",
                          "2026-03-01 garbage", "yesterday", "1899-12-31", "2026--03-01",
                          "Mar 1,, 2026"}) {
    EXPECT_EQ(ParseCrmDate(bad, DateOrder::kAuto), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseDateOrder("auto"), DateOrder::kAuto);
  EXPECT_EQ(ParseDateOrder("DMY"), DateOrder::kDayFirst);
  EXPECT_EQ(ParseDateOrder("us"), DateOrder::kMonthFirst);
  EXPECT_EQ(ParseDateOrder("ymd"), std::nullopt);
}

TEST_F(ImportTest, DateOrderComesFromTheExport) {
  const std::string header = "Opportunity ID,Owner ID,Amount,Stage,Close Date\n";
  // 13/01/2026 can only be day first: so is 03/04/2026, everywhere in the export.
  Write(kRepsFile, "User ID,Territory ID,Hire Date\nU1,NA,05/06/2020\n");
  Write(kOpportunitiesFile, header + "A1,U1,1,Proposal,03/04/2026\nA2,U1,1,Proposal,13/01/2026\n");
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(FromProtoDate(c->company.opportunities[0].close_date()), D(2026, 4, 3));
  EXPECT_EQ(FromProtoDate(c->company.reps[0].hire_date()), D(2020, 6, 5));
  EXPECT_THAT(c->notes, ElementsAre("dates like \"05/06/2020\" read day first (D/M/YYYY), as "
                                    "opportunities.csv:3 \"13/01/2026\" shows"));

  // Nothing decides: month first, with a note saying so.
  Write(kOpportunitiesFile, header + "A1,U1,1,Proposal,03/04/2026\n");
  c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(FromProtoDate(c->company.opportunities[0].close_date()), D(2026, 3, 4));
  EXPECT_THAT(c->notes,
              ElementsAre("2 dates like \"05/06/2020\" (first at reps.csv:2) could be month or day "
                          "first: read month first (M/D/YYYY); pass --date-order dmy if they are "
                          "day first"));

  // Told: no guessing.
  ImportOptions options;
  options.date_order = DateOrder::kDayFirst;
  c = Import(options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(FromProtoDate(c->company.opportunities[0].close_date()), D(2026, 4, 3));
  EXPECT_TRUE(c->notes.empty());
  Write(kOpportunitiesFile, header + "A1,U1,1,Proposal,01/13/2026\n");
  EXPECT_EQ(Error(options),
            "opportunities.csv:2: column 5 \"Close Date\": \"01/13/2026\" is not a date (dates are "
            "read day first here: D/M/YYYY)");

  // Both at once: one error, not one per date.
  Write(kOpportunitiesFile,
        header + "A1,U1,1,Proposal,01/13/2026\nA2,U1,1,Proposal,13/01/2026\n"
                 "A3,U1,1,Proposal,12/31/2026\n");
  EXPECT_EQ(Error(),
            "opportunities.csv:2: column 5 \"Close Date\": \"01/13/2026\" can only be month first "
            "(M/D/YYYY), but opportunities.csv:3 has \"13/01/2026\", which can only be day first "
            "(D/M/YYYY): make the dates agree, or pass --date-order mdy or dmy");
}

// ---------------------------------------------------------------------------------------------
// Mapping files.

TEST_F(ImportTest, MappingFile) {
  Write(kRepsFile, "Employee Number,Name,Region\nU1,Ann,NA-WEST\nU2,Bo,NA\n");
  Write(kOpportunitiesFile,
        "Deal #,Salesperson,Deal Value,Phase,Expected Close,Booked?\n"
        "D1,U1,\"5,000\",Proposal,2026-12-01,no\n"
        "D2,U2,700,Closed Won,2026-02-01,yes\n");
  const std::string map_path = dir_ + "/map.txt";
  Write("map.txt",
        "# Our CRM's report\n"
        "user_id = Employee Number\n"
        "reps.territory_id = Region\n"
        "\n"
        "opportunity_id    = \"Deal #\"\n"
        "opportunity_owner = Salesperson   \n"
        "amount = Deal Value\n"
        "stage = Phase\n"
        "close_date = Expected Close\n"
        "closed = Booked?\n");
  ImportOptions options;
  absl::StatusOr<ColumnMapping> mapping = LoadColumnMapping(map_path, &options.mapping_source);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  options.mapping = *mapping;
  EXPECT_EQ(options.mapping_source.file, "map.txt");
  EXPECT_EQ(options.mapping_source.lines.at("amount"), 7);
  absl::StatusOr<CrmImport> c = Import(options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->company.opportunities[0].id(), "D1");
  EXPECT_EQ(c->company.opportunities[0].amount().minor_units(), 500000);
  EXPECT_TRUE(c->company.opportunities[1].closed());
  EXPECT_EQ(c->company.reps[0].territory_id(), "NA-WEST");

  // A mapped header the file does not have: the mapping file's line, and the CSV file named.
  Write("map.txt", "# Our CRM's report\nuser_id = Employee Number\namount = Deal Amount\n");
  mapping = LoadColumnMapping(map_path, &options.mapping_source);
  ASSERT_TRUE(mapping.ok()) << mapping.status();
  options.mapping = *mapping;
  EXPECT_THAT(Lines(Error(options)),
              ::testing::Contains("map.txt:3: amount = \"Deal Amount\": opportunities.csv has no "
                                  "column \"Deal Amount\" (its header: Deal #, Salesperson, Deal "
                                  "Value, Phase, Expected Close, Booked?)"));
  // Unknown names, with the line.
  Write("map.txt", "user_id = Employee Number\n\nrevenue = Deal Value\n");
  EXPECT_THAT(std::string(LoadColumnMapping(map_path).status().message()),
              StartsWith("map.txt:3: unknown column \"revenue\" (known: territory_id, "));
}

// ---------------------------------------------------------------------------------------------
// Errors: file, line, column; many at once; nothing half-imported.

TEST_F(ImportTest, EveryKindOfBadCellNamesFileLineAndColumn) {
  Write(kSnapshotFile, "{\"as_of\": \"2026-11-27\", \"currency\": \"USD\"}");
  const std::string ok = "Globex,U1,1,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE";
  Write(kOpportunitiesFile,
        "Opportunity ID,Account Name,Opportunity Owner,Amount,Currency,Stage,Probability (%),"
        "Close Date,Created Date,Forecast Category,Closed,Won\n"
        "A1," + ok + "\n"
        "A2,Globex,U1,\"12,3x\",USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A3,Globex,U1,1,USD,Proposal,50,2026-02-30,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A4,Globex,U1,1,USD,Proposal,50,2026-12-01,someday,Pipeline,FALSE,FALSE\n"
        "A5,Globex,U1,1,USD,Proposal,150,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A6,Globex,U1,1,USD,Proposal,50,2026-12-01,2026-01-01,Upside,FALSE,FALSE\n"
        "A7,Globex,U1,1,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,maybe,FALSE\n"
        "A8,Globex,U1,1,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,TRUE\n"
        "A9,Globex,U7,1,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A1," + ok + "\n"
        "A10,Globex,U1,1,EUR,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE\n"
        ",Globex,U1,1,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A11,Globex,U1,1,USD,,50,,2026-01-01,Pipeline,FALSE,FALSE\n"
        "A12,Globex,U1,1,USD\n");
  EXPECT_THAT(
      Lines(Error()),
      ElementsAre(
          "opportunities.csv:3: column 4 \"Amount\": \"12,3x\" is not an amount",
          "opportunities.csv:4: column 8 \"Close Date\": \"2026-02-30\" is not a date",
          "opportunities.csv:5: column 9 \"Created Date\": \"someday\" is not a date",
          "opportunities.csv:6: column 7 \"Probability (%)\": \"150\" is not a percentage 0..100",
          "opportunities.csv:7: column 10 \"Forecast Category\": \"Upside\" is not a forecast "
          "category (Pipeline, Best Case, Commit, Closed, Omitted)",
          "opportunities.csv:8: column 11 \"Closed\": \"maybe\" is not a yes/no value "
          "(TRUE/FALSE, yes/no, 1/0)",
          "opportunities.csv:9: column 12 \"Won\": \"TRUE\", but the opportunity is not closed",
          "opportunities.csv:10: column 3 \"Opportunity Owner\": \"U7\" is not a rep in reps.csv",
          "opportunities.csv:11: column 1 \"Opportunity ID\": duplicate \"A1\" (first on line 2)",
          "opportunities.csv:12: column 5 \"Currency\": \"EUR\" differs from the snapshot's "
          "currency \"USD\"",
          "opportunities.csv:13: column 1 \"Opportunity ID\": empty",
          "opportunities.csv:14: column 6 \"Stage\": empty",
          "opportunities.csv:14: column 8 \"Close Date\": empty",
          "opportunities.csv:15: 5 fields, but the header has 12",
          "14 errors; nothing was imported"));
}

TEST_F(ImportTest, ErrorsInEveryFileAtOnce) {
  Write(kTerritoriesFile, std::string(kTerritories) + "EU,Europe,EARTH,region\n");
  Write(kRepsFile, std::string(kReps) + "U3,Cy,NA,2020-02-30,\n");
  Write(kOpportunitiesFile, "Opportunity ID,Owner ID,Amount,Stage,Close Date\nA1,U1,x,Won,2026-01-01\n");
  Write(kSnapshotFile, "{\"currency\": \"dollars\"}");
  EXPECT_THAT(
      Lines(Error()),
      ElementsAre("snapshot.json: \"currency\": \"dollars\" is not an ISO 4217 code like \"USD\"",
                  "territories.csv:5: column 3 \"Parent Territory ID\": \"EARTH\" is not a "
                  "territory in territories.csv",
                  "reps.csv:4: column 4 \"Hire Date\": \"2020-02-30\" is not a date",
                  "opportunities.csv:2: column 3 \"Amount\": \"x\" is not an amount",
                  "4 errors; nothing was imported"));
  // Header problems are all reported, for every file.
  Write(kSnapshotFile, "{}");
  Write(kRepsFile, "Name\nAnn\n");
  Write(kOpportunitiesFile, "Opportunity ID,Owner ID,Amount\nA1,U1,1\n");
  EXPECT_THAT(Lines(Error()),
              ElementsAre(StartsWith("territories.csv:5: column 3"),
                          StartsWith("reps.csv:1: missing column \"User ID\""),
                          StartsWith("reps.csv:1: missing column \"Territory ID\""),
                          StartsWith("opportunities.csv:1: missing column \"Stage\""),
                          StartsWith("opportunities.csv:1: missing column \"Close Date\""),
                          "5 errors; nothing was imported"));
}

TEST_F(ImportTest, StopsAfterMaxErrors) {
  std::string rows = "Opportunity ID,Owner ID,Amount,Stage,Close Date\n";
  for (int i = 0; i < 50; ++i) absl::StrAppend(&rows, "A", i, ",U1,bad,Proposal,2026-01-01\n");
  Write(kOpportunitiesFile, rows);
  std::vector<std::string> lines = Lines(Error());
  ASSERT_EQ(lines.size(), 21u);
  EXPECT_EQ(lines[0], "opportunities.csv:2: column 3 \"Amount\": \"bad\" is not an amount");
  EXPECT_EQ(lines[19], "opportunities.csv:21: column 3 \"Amount\": \"bad\" is not an amount");
  EXPECT_EQ(lines[20], "20 errors (reading stopped there; there may be more); nothing was imported");
  ImportOptions options;
  options.max_errors = 3;
  EXPECT_EQ(Lines(Error(options)).size(), 4u);
  options.max_errors = 1;
  EXPECT_EQ(Error(options), "opportunities.csv:2: column 3 \"Amount\": \"bad\" is not an amount");
}

TEST_F(ImportTest, MultiLineQuotedFieldsKeepLineNumbersRight) {
  // Line 2 starts a record whose account spans lines 2-4 (LF, then CRLF): its amount is on line 4,
  // and its product runs on to line 5. The next record is on lines 6-7 (its close date on 6);
  // after a blank line, A3 is on line 9, A4 (one field too many) on 10-12, A5 on 13.
  Write(kOpportunitiesFile,
        "Opportunity ID,Account Name,Opportunity Owner,Amount,Stage,Close Date,Product\n"
        "A1,\"Globex\nEurope\r\nDivision\",U1,1x,Proposal,2026-12-01,\"Platform\nPlus\"\n"
        "A2,Initech,U1,1,Proposal,2026-13-01,\"Support\nTier 2\"\n"
        "\n"
        "A3,\"Hooli \"\"Labs\"\"\",U1,1,Proposal,2026-12-01,x\n"
        "A4,Hooli,U1,1,Proposal,2026-12-01,\"a\n\nb\",extra\n"
        "A5,Hooli,U1,oops,Proposal,2026-12-01,x\n");
  EXPECT_THAT(Lines(Error()),
              ElementsAre("opportunities.csv:4: column 4 \"Amount\": \"1x\" is not an amount",
                          "opportunities.csv:6: column 6 \"Close Date\": \"2026-13-01\" is not a date",
                          "opportunities.csv:10: 8 fields, but the header has 7",
                          "opportunities.csv:13: column 4 \"Amount\": \"oops\" is not an amount",
                          "4 errors; nothing was imported"));
}

// ---------------------------------------------------------------------------------------------
// As-of, currency and the summary.

TEST_F(ImportTest, AsOfAndCurrencyOptions) {
  std::filesystem::remove(dir_ + "/" + kSnapshotFile);
  Write(kOpportunitiesFile,
        "Opportunity ID,Owner ID,Amount,Stage,Close Date,Currency\nA1,U1,1.5,Proposal,2026-12-01,\n");
  // Nothing says: no as-of, USD assumed.
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(IsSet(c->company.header.as_of()));
  EXPECT_EQ(c->as_of_from, "");
  EXPECT_THAT(c->notes, ElementsAre("no currency in snapshot.json, --currency or the rows: USD assumed"));
  EXPECT_THAT(std::string(CheckUploadable(*c).message()), HasSubstr("no as-of date: pass --as-of"));

  ImportOptions options;
  options.as_of = D(2026, 11, 30);
  options.currency = "jpy";
  c = Import(options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->company.header.currency_code(), "JPY");
  EXPECT_EQ(c->company.opportunities[0].amount().minor_units(), 2);  // yen: no decimals
  EXPECT_TRUE(CheckUploadable(*c).ok());

  // --as-of wins over snapshot.json, with a note; --currency must agree with it.
  Write(kSnapshotFile, "{\"as_of\": \"2026-11-27\", \"currency\": \"USD\"}");
  options.currency = "";
  c = Import(options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(FromProtoDate(c->company.header.as_of()), D(2026, 11, 30));
  EXPECT_THAT(c->notes, ElementsAre("as of 2026-11-30 from --as-of (snapshot.json says 2026-11-27)"));
  options.currency = "EUR";
  EXPECT_EQ(Error(options), "snapshot.json: \"currency\" is \"USD\", but --currency is \"EUR\"");
  options.currency = "euro";
  EXPECT_EQ(Error(options), "--currency: \"euro\" is not an ISO 4217 code like \"USD\"");
}

TEST_F(ImportTest, Summary) {
  Write(kSnapshotFile, "{\"as_of\": \"2026-11-27\", \"currency\": \"USD\", \"fiscal_start_month\": 2, "
                       "\"source\": \"test export\"}");
  Write(kOpportunitiesFile,
        "Opportunity ID,Owner ID,Amount,Stage,Close Date,Created Date\n"
        "A1,U1,1000,Negotiation,2026-12-15,2026-09-01\n"
        "A2,U1,2500.50,Prospecting,2027-02-01,2026-11-01\n"
        "A3,U2,1234567.89,Closed Won,2026-03-31,2025-12-01\n"
        "A4,U2,99,Closed Lost,2026-01-31,\n"
        "A5,U1,1,Negotiation,2026-12-20,2026-10-01\n");
  absl::StatusOr<CrmImport> c = Import();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(ImportSummaryText(*c),
            "export      " + dir_ + " (territories.csv, reps.csv, opportunities.csv)\n"
            "as of       2026-11-27 (from snapshot.json)\n"
            "currency    USD\n"
            "fiscal year starts in February\n"
            "source      test export\n"
            "rows        3 territories, 2 reps, 5 opportunities (3 open, 1 won, 1 lost)\n"
            "close dates 2026-01-31 .. 2027-02-01\n"
            "created     2025-12-01 .. 2026-11-01\n"
            "\n"
            "by stage:\n"
            "  Stage        Opportunities  Amount (USD)\n"
            "  Prospecting              1      2,500.50\n"
            "  Negotiation              2      1,001.00\n"
            "  Closed Won               1  1,234,567.89\n"
            "  Closed Lost              1         99.00\n"
            "  Total                    5  1,238,168.39\n");
}

// ---------------------------------------------------------------------------------------------
// Uploading: whole or nothing.

// Records what an upload would send.
class RecordingSink : public SnapshotSink {
 public:
  explicit RecordingSink(std::vector<v1::UploadSnapshotRequest>* messages) : messages_(messages) {}
  bool Write(const v1::UploadSnapshotRequest& message) override {
    messages_->push_back(message);
    return true;
  }
  absl::StatusOr<v1::SnapshotInfo> Finish() override {
    v1::SnapshotInfo info;
    info.set_snapshot_id("fake");
    return info;
  }

 private:
  std::vector<v1::UploadSnapshotRequest>* messages_;
};

// Writes an export of `n` opportunities (on lines 2..n+1 of opportunities.csv).
void WriteGeneratedExport(const std::string& dir, int n, int reps = 200) {
  std::string territories = "Territory ID,Territory Name,Parent Territory ID,Level\nCO,Company,,company\n";
  for (int r = 0; r < 10; ++r) absl::StrAppend(&territories, "R", r, ",Region ", r, ",CO,region\n");
  std::string rep_rows = "User ID,Full Name,Territory ID,Hire Date,End Date\n";
  for (int r = 0; r < reps; ++r) {
    absl::StrAppend(&rep_rows, "U", r, ",Rep ", r, ",R", r % 10, ",2020-01-", 10 + r % 18, ",\n");
  }
  static constexpr const char* kStages[] = {"Prospecting", "Qualification", "Proposal",
                                            "Negotiation", "Closed Won",    "Closed Lost"};
  std::string opps =
      "Opportunity ID,Opportunity Name,Account Name,Opportunity Owner,Amount,Amount Currency,Stage,"
      "Probability (%),Close Date,Created Date,Forecast Category,Closed,Won\n";
  opps.reserve(static_cast<size_t>(n) * 150);
  for (int i = 0; i < n; ++i) {
    const char* stage = kStages[i % 6];
    const bool closed = i % 6 >= 4, won = i % 6 == 4;
    absl::StrAppend(&opps, "OPP-", i, ",Deal ", i, ",\"Account ", i % 5000, ", Inc\",U", i % reps,
                    ",\"$", 1 + i % 97, ",", 100 + i % 900, ".", 10 + i % 90, "\",USD,", stage, ",",
                    won ? 100 : closed ? 0 : 10 + (i % 6) * 20, ",", 2025 + i % 3, "-",
                    1 + i % 12 < 10 ? "0" : "", 1 + i % 12, "-", 10 + i % 19, ",2024-",
                    1 + i % 9 < 10 ? "0" : "", 1 + i % 9, "-0", 1 + i % 9, ",",
                    closed ? (won ? "Closed" : "Omitted") : "Pipeline", ",", closed ? "TRUE" : "FALSE",
                    ",", won ? "TRUE" : "FALSE", "\n");
  }
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/territories.csv", std::ios::binary) << territories;
  std::ofstream(dir + "/reps.csv", std::ios::binary) << rep_rows;
  std::ofstream(dir + "/opportunities.csv", std::ios::binary) << opps;
  std::ofstream(dir + "/snapshot.json", std::ios::binary)
      << "{\"as_of\": \"2026-11-27\", \"currency\": \"USD\", \"fiscal_start_month\": 2}";
}

TEST_F(ImportTest, NothingIsSentWhenAnyRowIsBad) {
  const std::string dir = dir_ + "/big";
  WriteGeneratedExport(dir, 2000);
  // The last row of the file is bad.
  std::ofstream(dir + "/opportunities.csv", std::ios::binary | std::ios::app)
      << "OPP-X,,,U1,100,USD,Proposal,50,2026-12-01,2026-01-01,Pipeline,FALSE,TRUE\n";
  int opened = 0, validated = 0;
  std::vector<v1::UploadSnapshotRequest> sent;
  auto open = [&]() -> std::unique_ptr<SnapshotSink> {
    ++opened;
    return std::make_unique<RecordingSink>(&sent);
  };
  absl::StatusOr<ImportAndUploadResult> result = ImportAndUpload(
      dir, {}, open, {}, [&](const CrmImport&) { ++validated; });
  EXPECT_EQ(result.status().message(),
            "opportunities.csv:2002: column 13 \"Won\": \"TRUE\", but the opportunity is not closed");
  EXPECT_EQ(opened, 0);
  EXPECT_EQ(validated, 0);
  EXPECT_TRUE(sent.empty());

  // A good export without an as-of date is refused before anything is opened too.
  WriteGeneratedExport(dir, 2000);
  std::filesystem::remove(dir + "/snapshot.json");
  result = ImportAndUpload(dir, {}, open);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("no as-of date"));
  EXPECT_EQ(opened, 0);
  EXPECT_TRUE(sent.empty());

  // With --as-of, it is all sent: the header, the structure, every opportunity, in order.
  ImportOptions options;
  options.as_of = D(2026, 11, 27);
  ChunkLimits limits;
  limits.max_opportunities = 300;
  std::vector<int64_t> progress;
  result = ImportAndUpload(
      dir, options, open, limits, [&](const CrmImport&) { EXPECT_EQ(opened, 0); ++validated; },
      [&](int64_t done, int64_t total) {
        EXPECT_EQ(total, 2000);
        progress.push_back(done);
      });
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(validated, 1);
  EXPECT_EQ(result->info.snapshot_id(), "fake");
  ASSERT_GE(sent.size(), 3u);
  EXPECT_TRUE(sent[0].has_header());
  EXPECT_EQ(FromProtoDate(sent[0].header().as_of()), D(2026, 11, 27));
  EXPECT_EQ(sent[1].chunk().territories_size(), 11);
  EXPECT_EQ(sent[1].chunk().reps_size(), 200);
  int64_t opportunities = 0;
  for (size_t i = 2; i < sent.size(); ++i) {
    EXPECT_LE(sent[i].chunk().opportunities_size(), 300);
    EXPECT_EQ(sent[i].chunk().opportunities(0).id(), absl::StrCat("OPP-", opportunities));
    opportunities += sent[i].chunk().opportunities_size();
  }
  EXPECT_EQ(opportunities, 2000);
  EXPECT_EQ(sent.size(), 2u + 7u);  // ceil(2000 / 300)
  EXPECT_THAT(progress, ElementsAre(300, 600, 900, 1200, 1500, 1800, 2000));
}

TEST_F(ImportTest, ChunksStayUnderTheByteLimit) {
  const std::string dir = dir_ + "/bytes";
  WriteGeneratedExport(dir, 1000);
  absl::StatusOr<CrmImport> c = ImportCrmExport(dir, {});
  ASSERT_TRUE(c.ok()) << c.status();
  std::vector<v1::UploadSnapshotRequest> sent;
  RecordingSink sink(&sent);
  ChunkLimits limits;
  limits.max_bytes = 8 << 10;
  ASSERT_TRUE(StreamCompany(c->company, sink, limits).ok());
  int64_t opportunities = 0;
  for (size_t i = 1; i < sent.size(); ++i) {
    EXPECT_LE(sent[i].ByteSizeLong(), limits.max_bytes + 16) << i;
    opportunities += sent[i].chunk().opportunities_size();
  }
  EXPECT_EQ(opportunities, 1000);
  EXPECT_GT(sent.size(), 10u);
}

TEST_F(ImportTest, HundredThousandRows) {
  const std::string dir = dir_ + "/100k";
  WriteGeneratedExport(dir, 100000);
  int64_t last_done = 0, calls = 0;
  ImportOptions options;
  options.progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(total, 11 + 200 + 100000);
    EXPECT_GE(done, last_done);
    last_done = done;
    ++calls;
  };
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CrmImport> c = ImportCrmExport(dir, options);
  double import_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->company.opportunities.size(), 100000u);
  EXPECT_EQ(last_done, 11 + 200 + 100000);
  EXPECT_GT(calls, 10);
  EXPECT_EQ(c->company.opportunities[99999].amount().minor_units(),
            (1 + 99999 % 97) * 100000 + (100 + 99999 % 900) * 100 + 10 + 99999 % 90);

  std::vector<v1::UploadSnapshotRequest> sent;
  RecordingSink sink(&sent);
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(StreamCompany(c->company, sink).ok());
  double stream_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ measured ] 100,000-row export: read and validated in " << import_seconds
            << " s; cut into " << sent.size() << " upload messages in " << stream_seconds << " s\n";
  RecordProperty("import_seconds", std::to_string(import_seconds));
}

// ---------------------------------------------------------------------------------------------
// The progress bar.

TEST(ProgressTest, RenderLine) {
  EXPECT_EQ(RenderProgressLine("reading", 45000, 100000, 2.0, "rows", 80),
            "reading  [#########............]  45,000/100,000 rows  45%  22.5k/s  ETA 0:03");
  EXPECT_EQ(RenderProgressLine("reading", 0, 100000, 0.0, "rows", 80),
            "reading  [.....................]  0/100,000 rows  0%  -  ETA -:--");
  EXPECT_EQ(RenderProgressLine("uploading", 100000, 100000, 1.25, "", 80),
            "uploading  [########################]  100,000/100,000  100%  80.0k/s  in 1.2s");
  // 99.9% is not 100%.
  EXPECT_THAT(RenderProgressLine("x", 999, 1000, 10, "", 80), HasSubstr(" 99%  "));
  // Long jobs: hours in the ETA, minutes in the time taken.
  EXPECT_THAT(RenderProgressLine("x", 1, 10000, 1, "", 80), HasSubstr("1/s  ETA 2:46:39"));
  EXPECT_THAT(RenderProgressLine("x", 500, 500, 125, "", 80), HasSubstr("in 2:05"));
  // A wide terminal: at most 30 cells. Narrow ones: a smaller bar, then none.
  EXPECT_EQ(RenderProgressLine("reading", 50, 100, 1, "", 200),
            "reading  [###############...............]  50/100  50%  50/s  ETA 0:01");
  EXPECT_EQ(RenderProgressLine("reading", 50, 100, 1, "", 60),
            "reading  [#######.......]  50/100  50%  50/s  ETA 0:01");
  EXPECT_EQ(RenderProgressLine("reading", 50, 100, 1, "", 40), "reading  50/100  50%  50/s  ETA 0:01");
  // No total: a count, the rate and the time so far.
  EXPECT_EQ(RenderProgressLine("reading", 1234567, 0, 61, "rows", 80),
            "reading  1,234,567 rows  20.2k/s  1:01");
  // The bar keeps its size while the numbers grow.
  EXPECT_EQ(RenderProgressLine("r", 5, 100000, 1, "", 80).find(']'),
            RenderProgressLine("r", 99999, 100000, 1, "", 80).find(']'));
}

TEST(ProgressTest, Formats) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(-1234567), "-1,234,567");
  EXPECT_EQ(FormatRate(0), "-");
  EXPECT_EQ(FormatRate(850.4), "850/s");
  EXPECT_EQ(FormatRate(12345), "12.3k/s");
  EXPECT_EQ(FormatRate(2.5e6), "2.5M/s");
  EXPECT_EQ(FormatClock(0), "0:00");
  EXPECT_EQ(FormatClock(4.2), "0:05");
  EXPECT_EQ(FormatClock(725), "12:05");
  EXPECT_EQ(FormatClock(3723), "1:02:03");
}

TEST(ProgressTest, RedrawsAreRateLimited) {
  double now = 100;
  std::string out;
  ProgressOptions options;
  options.width = 80;
  options.initial_delay_seconds = 0.3;
  options.min_interval_seconds = 0.1;
  options.clock = [&] { return now; };
  options.write = [&](std::string_view s) { out.append(s); };
  {
    ProgressBar bar("up", 100, "", options);
    bar.Update(1);
    now += 0.2;
    bar.Update(2);
    EXPECT_EQ(out, "");  // quick work draws nothing
    now += 0.2;
    bar.Update(40);
    EXPECT_EQ(out, "\r" + RenderProgressLine("up", 40, 100, 0.4, "", 79));
    now += 0.05;
    bar.Update(50);  // too soon
    EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 1);
    now += 0.1;
    bar.Update(60);
    EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 2);
    now += 0.01;
    bar.Update(100);  // the last step is drawn at once
    EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 3);
    now += 0.01;
    bar.Finish();
    bar.Finish();
  }
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 4);
  EXPECT_THAT(out, ::testing::EndsWith(RenderProgressLine("up", 100, 100, now - 100, "", 79) + "\n"));

  // Work that ends before the first draw leaves nothing behind; a disabled bar never draws.
  out.clear();
  {
    ProgressBar bar("up", 100, "", options);
    bar.Update(100);
  }
  EXPECT_EQ(out, "");
  options.enabled = false;
  options.initial_delay_seconds = 0;
  {
    ProgressBar bar("up", 100, "", options);
    now += 1;
    bar.Update(50);
  }
  EXPECT_EQ(out, "");
}

TEST(ProgressTest, ShorterLinesOverwriteLongerOnes) {
  double now = 0;
  std::string out;
  ProgressOptions options;
  options.width = 80;
  options.initial_delay_seconds = 0;
  options.min_interval_seconds = 0;
  options.clock = [&] { return now; };
  options.write = [&](std::string_view s) { out.append(s); };
  ProgressBar bar("n", 0, "", options);  // no total: the line is as long as the numbers
  now = 1;
  bar.Update(1000000);
  const std::string first = out;
  out.clear();
  now = 2;
  bar.Update(5);
  EXPECT_EQ(out.size(), first.size());
  EXPECT_THAT(out, StartsWith("\r" + RenderProgressLine("n", 5, 0, 2, "", 79)));
  bar.Abandon();
  EXPECT_THAT(out, ::testing::EndsWith(" \n"));
}

TEST(ProgressTest, WantProgress) {
  EXPECT_FALSE(WantProgress(true, true));  // --quiet wins
  EXPECT_TRUE(WantProgress(true, false));
  EXPECT_EQ(WantProgress(false, false), ::isatty(STDERR_FILENO) != 0 && [] {
    const char* term = std::getenv("TERM");
    return term == nullptr || std::string(term) != "dumb";
  }());
}

}  // namespace
}  // namespace salesops::salesctl
