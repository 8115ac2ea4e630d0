#include "tools/salesctl/crm_csv.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

template <typename T>
void ExpectSame(const std::vector<T>& a, const std::vector<T>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a[i], b[i]))
        << "#" << i << "\n" << a[i].DebugString() << "vs\n" << b[i].DebugString();
  }
}

void ExpectSameCompany(const DemoCompany& a, const DemoCompany& b) {
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a.header, b.header))
      << a.header.DebugString() << "vs\n" << b.header.DebugString();
  ExpectSame(a.territories, b.territories);
  ExpectSame(a.reps, b.reps);
  ExpectSame(a.opportunities, b.opportunities);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kTerritories[] =
    "Territory ID,Territory Name,Parent Territory ID,Level\n"
    "ACME,Acme Cloud,,company\n"
    "NA,North America,ACME,region\n"
    "NA-WEST,NA West,NA,territory\n";
constexpr char kReps[] =
    "User ID,Full Name,Territory ID,Hire Date,End Date\n"
    "U1,Ann Lee,NA-WEST,2020-01-15,\n"
    "U2,Bo Chen,NA,2021-03-01,2025-06-30\n";
constexpr char kOppHeader[] =
    "Opportunity ID,Account Name,Opportunity Owner,Territory,Product,Amount,Currency,Stage,"
    "Probability (%),Close Date,Created Date,Forecast Category,Closed,Won\n";
constexpr char kOpp1[] =
    "OPP-1,Globex,U1,NA-WEST,Platform,12500.00,USD,Proposal,60,2026-12-15,2026-09-01,Best Case,"
    "FALSE,FALSE\n";
constexpr char kOpp2[] =
    "OPP-2,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE\n";
constexpr char kSnapshot[] =
    "{\"as_of\": \"2026-11-27\", \"currency\": \"USD\", \"fiscal_start_month\": 2, "
    "\"source\": \"test\"}\n";

class CrmCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            absl::StrCat("salesctl_crm_", ::getpid(), "_",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Write(kTerritoriesFile, kTerritories);
    Write(kRepsFile, kReps);
    Write(kOpportunitiesFile, std::string(kOppHeader) + kOpp1 + kOpp2);
    Write(kSnapshotFile, kSnapshot);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& file, const std::string& content) {
    std::ofstream out(dir_ + "/" + file, std::ios::binary | std::ios::trunc);
    out << content;
  }
  // opportunities.csv with OPP-1 on line 2 and `row` on line 3.
  void WriteOpp(const std::string& row) {
    Write(kOpportunitiesFile, std::string(kOppHeader) + kOpp1 + row + "\n");
  }
  absl::StatusOr<DemoCompany> Read(const ColumnMapping& mapping = {}) {
    return ReadCrmExport(dir_, mapping);
  }
  // The message of the error reading the export; fails the test when it reads fine.
  std::string Error(const ColumnMapping& mapping = {}) {
    absl::StatusOr<DemoCompany> c = Read(mapping);
    EXPECT_FALSE(c.ok()) << "read fine";
    return std::string(c.status().message());
  }

  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// Writing and round trips.

TEST_F(CrmCsvTest, DemoCompanyRoundTrips) {
  DemoOptions options;
  options.as_of = D(2026, 11, 27);
  absl::StatusOr<DemoCompany> company = GenerateDemoCompany(options);
  ASSERT_TRUE(company.ok());
  std::string out = dir_ + "/export";
  ASSERT_TRUE(WriteCrmExport(*company, out).ok());
  absl::StatusOr<DemoCompany> back = ReadCrmExport(out);
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameCompany(*company, *back);
}

TEST_F(CrmCsvTest, OtherCurrencyRoundTrips) {
  DemoOptions options;
  options.as_of = D(2025, 6, 30);
  options.currency = "JPY";
  options.fiscal_start_month = 4;
  options.scale = 0.2;
  absl::StatusOr<DemoCompany> company = GenerateDemoCompany(options);
  ASSERT_TRUE(company.ok());
  ASSERT_TRUE(WriteCrmExport(*company, dir_ + "/jpy").ok());
  absl::StatusOr<DemoCompany> back = ReadCrmExport(dir_ + "/jpy");
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameCompany(*company, *back);
  // Yen have no minor unit: no decimals.
  EXPECT_THAT(Slurp(dir_ + "/jpy/opportunities.csv"), HasSubstr(",JPY,"));
  EXPECT_THAT(Slurp(dir_ + "/jpy/opportunities.csv"), ::testing::Not(HasSubstr(".00,JPY")));
}

TEST_F(CrmCsvTest, WrittenFilesLookLikeACrmExport) {
  DemoCompany c;
  c.header.set_currency_code("USD");
  *c.header.mutable_as_of() = ToProto(D(2026, 11, 27));
  c.header.mutable_calendar()->set_start_month(2);
  c.header.set_source("unit test");
  v1::TerritoryNode root;
  root.set_id("ACME");
  root.set_name("Acme, \"the\" Cloud");
  root.set_level("company");
  c.territories.push_back(root);
  v1::Rep rep;
  rep.set_id("U0001");
  rep.set_name("Ann Lee");
  rep.set_territory_id("ACME");
  *rep.mutable_hire_date() = ToProto(D(2020, 1, 15));
  c.reps.push_back(rep);
  v1::Opportunity o;
  o.set_id("OPP-000001");
  o.set_account_id("Globex\nEurope");
  o.set_owner_rep_id("U0001");
  o.set_territory_id("ACME");
  o.set_product("Platform");
  o.mutable_amount()->set_currency_code("USD");
  o.mutable_amount()->set_minor_units(1250000);
  o.set_stage("Proposal");
  o.set_probability(0.6);
  o.set_forecast_category(v1::FORECAST_CATEGORY_BEST_CASE);
  *o.mutable_close_date() = ToProto(D(2026, 12, 15));
  *o.mutable_created_date() = ToProto(D(2026, 9, 1));
  c.opportunities.push_back(o);
  o.set_id("OPP-000002");
  o.set_account_id("Initech");
  o.mutable_amount()->set_minor_units(-5);
  o.set_stage("Closed Won");
  o.set_probability(1);
  o.set_forecast_category(v1::FORECAST_CATEGORY_CLOSED);
  o.set_closed(true);
  o.set_won(true);
  o.clear_created_date();
  c.opportunities.push_back(o);
  ASSERT_TRUE(WriteCrmExport(c, dir_ + "/w").ok());

  EXPECT_EQ(Slurp(dir_ + "/w/territories.csv"),
            "Territory ID,Territory Name,Parent Territory ID,Level\n"
            "ACME,\"Acme, \"\"the\"\" Cloud\",,company\n");
  EXPECT_EQ(Slurp(dir_ + "/w/reps.csv"),
            "User ID,Full Name,Territory ID,Hire Date,End Date\n"
            "U0001,Ann Lee,ACME,2020-01-15,\n");
  EXPECT_EQ(Slurp(dir_ + "/w/opportunities.csv"),
            std::string(kOppHeader) +
                "OPP-000001,\"Globex\nEurope\",U0001,ACME,Platform,12500.00,USD,Proposal,60%,"
                "2026-12-15,2026-09-01,Best Case,FALSE,FALSE\n"
                "OPP-000002,Initech,U0001,ACME,Platform,-0.05,USD,Closed Won,100%,2026-12-15,,"
                "Closed,TRUE,TRUE\n");
  EXPECT_EQ(Slurp(dir_ + "/w/snapshot.json"),
            "{\n  \"as_of\": \"2026-11-27\",\n  \"currency\": \"USD\",\n"
            "  \"fiscal_start_month\": 2,\n  \"source\": \"unit test\"\n}\n");
  absl::StatusOr<DemoCompany> back = ReadCrmExport(dir_ + "/w");
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameCompany(c, *back);
}

// ---------------------------------------------------------------------------------------------
// Reading what CRMs and spreadsheets produce.

TEST_F(CrmCsvTest, ReadsTheFixture) {
  absl::StatusOr<DemoCompany> c = Read();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->header.source(), "test");
  EXPECT_EQ(FromProtoDate(c->header.as_of()), D(2026, 11, 27));
  ASSERT_EQ(c->territories.size(), 3u);
  EXPECT_EQ(c->territories[2].parent_id(), "NA");
  ASSERT_EQ(c->reps.size(), 2u);
  EXPECT_FALSE(IsSet(c->reps[0].end_date()));
  EXPECT_EQ(FromProtoDate(c->reps[1].end_date()), D(2025, 6, 30));
  ASSERT_EQ(c->opportunities.size(), 2u);
  const v1::Opportunity& o = c->opportunities[1];
  EXPECT_EQ(o.amount().minor_units(), 80050);
  EXPECT_EQ(o.amount().currency_code(), "USD");
  EXPECT_EQ(o.probability(), 1.0);
  EXPECT_TRUE(o.closed());
  EXPECT_TRUE(o.won());
  EXPECT_EQ(o.forecast_category(), v1::FORECAST_CATEGORY_CLOSED);
  EXPECT_EQ(c->opportunities[0].probability(), 0.6);
  EXPECT_EQ(c->opportunities[0].forecast_category(), v1::FORECAST_CATEGORY_BEST_CASE);
}

TEST_F(CrmCsvTest, HeaderVariantsFormatsAndQuoting) {
  // Different header spellings and order, BOM, CRLF, quoted fields, spreadsheet formats.
  Write(kTerritoriesFile,
        "\xEF\xBB\xBF" "id,NAME,parent id\r\nACME,Acme,\r\nNA,\"North America, Inc\",ACME\r\n");
  Write(kRepsFile, "Rep ID,Name,Territory\r\nU1,\"Lee, Ann\",NA\r\n");
  Write(kOpportunitiesFile,
        "Stage,Amount,Close Date,Owner ID,Opportunity ID,Probability,Is Won,Is Closed,"
        "Forecast Category Name,Account Name\r\n"
        "Negotiation,\"$12,500.00\",12/1/2026,U1,A1,80%,false,0,COMMIT,\"Globex\r\nEurope\"\r\n"
        "Closed Won,\"1,234,567\",2026/03/01,U1,A2,100,true,1,closed,Initech\r\n"
        "Closed Lost,(250.5),2026-02-01,U1,A3,0,no,yes,omitted,\"Hooli \"\"Labs\"\"\"\r\n");
  std::filesystem::remove(dir_ + "/" + kSnapshotFile);
  absl::StatusOr<DemoCompany> c = Read();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->territories[1].name(), "North America, Inc");
  EXPECT_EQ(c->territories[0].level(), "");
  EXPECT_EQ(c->reps[0].name(), "Lee, Ann");
  EXPECT_FALSE(IsSet(c->reps[0].hire_date()));
  ASSERT_EQ(c->opportunities.size(), 3u);
  const auto& a1 = c->opportunities[0];
  EXPECT_EQ(a1.id(), "A1");
  EXPECT_EQ(a1.account_id(), "Globex\r\nEurope");
  EXPECT_EQ(a1.territory_id(), "NA");  // the owner's
  EXPECT_EQ(a1.amount().minor_units(), 1250000);
  EXPECT_EQ(FromProtoDate(a1.close_date()), D(2026, 12, 1));
  EXPECT_EQ(a1.probability(), 0.8);
  EXPECT_EQ(a1.forecast_category(), v1::FORECAST_CATEGORY_COMMIT);
  EXPECT_FALSE(a1.closed());
  const auto& a2 = c->opportunities[1];
  EXPECT_EQ(a2.amount().minor_units(), 123456700);
  EXPECT_EQ(FromProtoDate(a2.close_date()), D(2026, 3, 1));
  EXPECT_TRUE(a2.won());
  const auto& a3 = c->opportunities[2];
  EXPECT_EQ(a3.amount().minor_units(), -25050);
  EXPECT_EQ(a3.account_id(), "Hooli \"Labs\"");
  EXPECT_TRUE(a3.closed());
  EXPECT_FALSE(a3.won());
  // Without snapshot.json: no as_of, the currency defaults, the source names the directory.
  EXPECT_FALSE(IsSet(c->header.as_of()));
  EXPECT_EQ(c->header.currency_code(), "USD");
  EXPECT_EQ(c->header.source(), "crm export " + dir_);
}

TEST_F(CrmCsvTest, MissingOptionalColumnsAreDerived) {
  Write(kOpportunitiesFile,
        "Opportunity ID,Opportunity Owner,Amount,Stage,Close Date,Currency\n"
        "A1,U1,100,Closed Won,2026-01-05,eur\n"
        "A2,U1,100,Closed Lost,2026-01-05,\n"
        "A3,U1,,Negotiation,2026-12-05,\n"
        "A4,U1,100,Proposal,2026-12-05,\n"
        "A5,U1,100,Qualification,2026-12-05,\n"
        "A6,U1,100,Custom Stage,2026-12-05,\n");
  std::filesystem::remove(dir_ + "/" + kSnapshotFile);
  absl::StatusOr<DemoCompany> c = Read();
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->header.currency_code(), "EUR");  // from the rows
  const auto& o = c->opportunities;
  EXPECT_TRUE(o[0].closed() && o[0].won());
  EXPECT_EQ(o[0].probability(), 1.0);
  EXPECT_EQ(o[0].forecast_category(), v1::FORECAST_CATEGORY_CLOSED);
  EXPECT_EQ(o[0].amount().currency_code(), "EUR");
  EXPECT_TRUE(o[1].closed() && !o[1].won());
  EXPECT_EQ(o[1].probability(), 0.0);
  EXPECT_EQ(o[1].forecast_category(), v1::FORECAST_CATEGORY_OMITTED);
  EXPECT_EQ(o[2].amount().minor_units(), 0);  // empty amount
  EXPECT_EQ(o[2].probability(), 0.8);
  EXPECT_EQ(o[2].forecast_category(), v1::FORECAST_CATEGORY_COMMIT);
  EXPECT_EQ(o[3].forecast_category(), v1::FORECAST_CATEGORY_BEST_CASE);
  EXPECT_EQ(o[4].probability(), 0.2);
  EXPECT_EQ(o[4].forecast_category(), v1::FORECAST_CATEGORY_PIPELINE);
  EXPECT_EQ(o[5].probability(), 0.0);
  EXPECT_FALSE(o[5].closed());
  EXPECT_EQ(o[0].territory_id(), "NA-WEST");
  EXPECT_EQ(o[0].account_id(), "");
  EXPECT_FALSE(IsSet(o[0].created_date()));
}

// ---------------------------------------------------------------------------------------------
// Column mapping.

TEST_F(CrmCsvTest, ColumnMappingRenamesColumns) {
  Write(kRepsFile, "Employee Number,Name,Sales Region\nU1,Ann,NA-WEST\nU2,Bo,NA\n");
  Write(kOpportunitiesFile,
        "Deal,Deal Owner,Deal Value,Phase,Expected Close,Sales Region\n"
        "D1,U1,5000,Proposal,2026-12-01,NA\n");
  ColumnMapping mapping = {{"user_id", "employee number"},
                           {"reps.territory_id", "Sales Region"},
                           {"opportunities.territory", "sales region"},
                           {"opportunity_id", "Deal"},
                           {"opportunity_owner", "Deal Owner"},
                           {"amount", "Deal Value"},
                           {"stage", "Phase"},
                           {"close_date", "Expected Close"}};
  absl::StatusOr<DemoCompany> c = Read(mapping);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->reps[1].territory_id(), "NA");
  EXPECT_EQ(c->opportunities[0].id(), "D1");
  EXPECT_EQ(c->opportunities[0].territory_id(), "NA");
  EXPECT_EQ(c->opportunities[0].amount().minor_units(), 500000);
}

TEST_F(CrmCsvTest, ColumnMappingErrors) {
  EXPECT_THAT(Error({{"close_dat", "X"}}),
              StartsWith("column mapping: unknown column \"close_dat\" (known: territory_id, "));
  EXPECT_THAT(Error({{"reps.close_date", "X"}}), StartsWith("column mapping: unknown column \"reps.close_date\""));
  EXPECT_EQ(Error({{"close_date", "Expected Close"}}),
            "opportunities.csv:1: column mapping close_date = \"Expected Close\", but the header has "
            "no column \"Expected Close\"");
}

TEST(ColumnMappingFileTest, Parses) {
  absl::StatusOr<ColumnMapping> m = ParseColumnMapping(
      "# Salesforce report export\n"
      "\n"
      "opportunity_owner = Opportunity Owner: User ID\n"
      "  Reps.Territory_ID=\"Sales Territory \"  \n"
      "account_name = Account # = name\n",
      "map.txt");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->size(), 3u);
  EXPECT_EQ(m->at("opportunity_owner"), "Opportunity Owner: User ID");
  EXPECT_EQ(m->at("reps.territory_id"), "Sales Territory ");
  EXPECT_EQ(m->at("account_name"), "Account # = name");
}

TEST(ColumnMappingFileTest, Errors) {
  auto error = [](std::string_view text) {
    absl::StatusOr<ColumnMapping> m = ParseColumnMapping(text, "map.txt");
    EXPECT_FALSE(m.ok());
    return std::string(m.status().message());
  };
  EXPECT_EQ(error("# c\nowner Opportunity Owner\n"),
            "map.txt:2: expected `canonical_name = File Header`, got \"owner Opportunity Owner\"");
  EXPECT_THAT(error("owner = X\n"), StartsWith("map.txt:1: unknown column \"owner\" (known: "));
  EXPECT_EQ(error("amount = A\n\namount = B\n"), "map.txt:3: \"amount\" is mapped twice (first on line 1)");
  EXPECT_EQ(error("amount =  \n"), "map.txt:1: no header after \"amount\" =");
  EXPECT_EQ(error("= Amount\n"), "map.txt:1: no column name before '='");
}

TEST(ColumnMappingFileTest, LoadsFromAFile) {
  std::string path = (std::filesystem::temp_directory_path() /
                      absl::StrCat("salesctl_mapping_", ::getpid(), ".txt"))
                         .string();
  {
    std::ofstream out(path);
    out << "amount = Deal Value\r\nbogus = X\r\n";
  }
  absl::StatusOr<ColumnMapping> m = LoadColumnMapping(path);
  EXPECT_THAT(std::string(m.status().message()),
              StartsWith(absl::StrCat(std::filesystem::path(path).filename().string(),
                                      ":2: unknown column \"bogus\"")));
  std::filesystem::remove(path);
  EXPECT_EQ(LoadColumnMapping(path).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(CanonicalColumnNames().front(), "territories.territory_id");
  EXPECT_EQ(CanonicalColumnNames().size(), 23u);
}

// ---------------------------------------------------------------------------------------------
// Every error, with its file, line and column.

TEST_F(CrmCsvTest, MissingDirectoryAndFiles) {
  absl::StatusOr<DemoCompany> c = ReadCrmExport(dir_ + "/nope");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), dir_ + "/nope: no such directory");
  std::filesystem::remove(dir_ + "/reps.csv");
  c = Read();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(c.status().message(), "reps.csv: cannot read: " + dir_ + "/reps.csv: no such file");
}

TEST_F(CrmCsvTest, EmptyFileAndMissingColumns) {
  Write(kTerritoriesFile, "");
  EXPECT_EQ(Error(), "territories.csv:1: empty file, expected a header row");
  Write(kTerritoriesFile, "Territory ID,Territory Name,Parent Territory ID,Level\n");
  EXPECT_EQ(Error(), "territories.csv: no territories");
  Write(kTerritoriesFile, kTerritories);
  Write(kOpportunitiesFile, "Opportunity ID,Opportunity Owner,Amount,Stage\nA1,U1,1,Proposal\n");
  EXPECT_EQ(Error(),
            "opportunities.csv:1: missing column \"Close Date\" (accepted headers: \"Close Date\", "
            "\"Expected Close Date\", \"Closing Date\"; or map yours with `close_date = <header>`)");
  Write(kOpportunitiesFile,
        "Opportunity ID,Opportunity Owner,Amount,Stage,Close Date,close_date\nA1,U1,1,Proposal,"
        "2026-01-01,2026-01-01\n");
  EXPECT_EQ(Error(), "opportunities.csv:1: column \"Close Date\" appears more than once in the header");
}

TEST_F(CrmCsvTest, RowWidth) {
  WriteOpp("OPP-2,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE");
  EXPECT_EQ(Error(), "opportunities.csv:3: 13 fields, but the header has 14");
  WriteOpp("OPP-2,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,"
           "TRUE,x");
  EXPECT_EQ(Error(), "opportunities.csv:3: 15 fields, but the header has 14");
  // Padding with empty fields, as spreadsheets do, is fine.
  WriteOpp("OPP-2,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,"
           "TRUE,,");
  EXPECT_TRUE(Read().ok());
}

TEST_F(CrmCsvTest, MalformedCsv) {
  WriteOpp("OPP-2,\"Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,"
           "TRUE,TRUE");
  EXPECT_EQ(Error(), "opportunities.csv:3: malformed CSV in field 2: a quoted field is never closed");
  WriteOpp("OPP-2,Init\"ech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,"
           "TRUE,TRUE");
  EXPECT_THAT(Error(), StartsWith("opportunities.csv:3: malformed CSV in field 2: a quote inside"));
}

TEST_F(CrmCsvTest, LineNumbersCountLinesInsideQuotes) {
  Write(kOpportunitiesFile,
        std::string(kOppHeader) +
            "OPP-1,\"Globex\nEurope\nDivision\",U1,NA-WEST,Platform,1,USD,Proposal,60,2026-12-15,,,"
            "FALSE,FALSE\n\n"
            "OPP-2,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2026-13-01,,,TRUE,TRUE\n");
  EXPECT_EQ(Error(), "opportunities.csv:6: column 10 \"Close Date\": \"2026-13-01\" is not a date");
}

// Probabilities are written with "%", so an export whose probabilities are all at most 1% does
// not read back as fractions (0.5% once came back as 50%).
TEST_F(CrmCsvTest, SmallProbabilitiesRoundTrip) {
  absl::StatusOr<DemoCompany> company = Read();
  ASSERT_TRUE(company.ok()) << company.status();
  for (size_t i = 0; i < company->opportunities.size(); ++i)
    company->opportunities[i].set_probability(i % 2 ? 0.005 : 0.01);
  ASSERT_TRUE(WriteCrmExport(*company, dir_ + "/small").ok());
  absl::StatusOr<DemoCompany> back = ReadCrmExport(dir_ + "/small");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->opportunities.size(), company->opportunities.size());
  for (size_t i = 0; i < back->opportunities.size(); ++i)
    EXPECT_DOUBLE_EQ(back->opportunities[i].probability(), i % 2 ? 0.005 : 0.01) << i;
}

// The file's amounts together may not pass the snapshot's total limit (2^62 minor units), which
// keeps every sum the import and the services make inside an int64.
TEST_F(CrmCsvTest, AmountsTotalLimit) {
  std::string rows;
  for (int i = 0; i < 600; ++i)
    absl::StrAppend(&rows, "OPP-", i, ",Initech,U2,NA,Support,90071992547409.92,USD,Closed Won,100,"
                    "2025-05-10,2025-02-01,Closed,TRUE,TRUE\n");
  Write(kOpportunitiesFile, std::string(kOppHeader) + rows);
  EXPECT_THAT(Error(), ::testing::HasSubstr("takes the file's amounts past the total limit of "
                                   "46,116,860,184,273,879.04 (2^62 minor units)"));
}

TEST_F(CrmCsvTest, OpportunityValueErrors) {
  struct Case {
    std::string row;
    std::string message;
  };
  const std::string p = "OPP-2,Initech,U2,NA,Support,";
  const std::vector<Case> cases = {
      {",Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 1 \"Opportunity ID\": empty"},
      {"OPP-1,Initech,U2,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 1 \"Opportunity ID\": duplicate \"OPP-1\" (first on line 2)"},
      {"OPP-2,Initech,,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 3 \"Opportunity Owner\": empty"},
      {"OPP-2,Initech,U9,NA,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 3 \"Opportunity Owner\": \"U9\" is not a rep in reps.csv"},
      {"OPP-2,Initech,U2,EU,Support,800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 4 \"Territory\": \"EU\" is not a territory in territories.csv"},
      {p + "12.5.0,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 6 \"Amount\": \"12.5.0\" is not an amount"},
      {p + "\"1,23\",USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 6 \"Amount\": \"1,23\" is not an amount"},
      {p + "90071992547409.93,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 6 \"Amount\": \"90071992547409.93\" is beyond the amount limit of "
       "90,071,992,547,409.92 (2^53 minor units)"},
      {p + "800.50,EUR,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 7 \"Currency\": \"EUR\" differs from the snapshot's currency \"USD\""},
      {p + "800.50,dollars,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 7 \"Currency\": \"dollars\" is not an ISO 4217 code like \"USD\""},
      {p + "800.50,USD,,100,2025-05-10,2025-02-01,Closed,TRUE,TRUE", "column 8 \"Stage\": empty"},
      {p + "800.50,USD,Closed Won,140,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 9 \"Probability (%)\": \"140\" is not a percentage 0..100"},
      {p + "800.50,USD,Closed Won,high,2025-05-10,2025-02-01,Closed,TRUE,TRUE",
       "column 9 \"Probability (%)\": \"high\" is not a percentage 0..100"},
      {p + "800.50,USD,Closed Won,100,,2025-02-01,Closed,TRUE,TRUE", "column 10 \"Close Date\": empty"},
      {p + "800.50,USD,Closed Won,100,2026-13-01,2025-02-01,Closed,TRUE,TRUE",
       "column 10 \"Close Date\": \"2026-13-01\" is not a date"},
      {p + "800.50,USD,Closed Won,100,2025-02-30,2025-02-01,Closed,TRUE,TRUE",
       "column 10 \"Close Date\": \"2025-02-30\" is not a date"},
      {p + "800.50,USD,Closed Won,100,2025-05-10,last week,Closed,TRUE,TRUE",
       "column 11 \"Created Date\": \"last week\" is not a date"},
      {p + "800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Upside,TRUE,TRUE",
       "column 12 \"Forecast Category\": \"Upside\" is not a forecast category (Pipeline, Best Case, "
       "Commit, Closed, Omitted)"},
      {p + "800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,maybe,TRUE",
       "column 13 \"Closed\": \"maybe\" is not a yes/no value (TRUE/FALSE, yes/no, 1/0)"},
      {p + "800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,TRUE,2",
       "column 14 \"Won\": \"2\" is not a yes/no value (TRUE/FALSE, yes/no, 1/0)"},
      {p + "800.50,USD,Closed Won,100,2025-05-10,2025-02-01,Closed,FALSE,TRUE",
       "column 14 \"Won\": \"TRUE\", but the opportunity is not closed"},
  };
  for (const Case& c : cases) {
    WriteOpp(c.row);
    EXPECT_EQ(Error(), "opportunities.csv:3: " + c.message) << c.row;
  }
}

TEST_F(CrmCsvTest, ErrorsUseTheFilesOwnHeaders) {
  Write(kOpportunitiesFile,
        "opportunity id,owner id,amount,stage name,CLOSE DATE\nA1,U1,1,Proposal,soon\n");
  EXPECT_EQ(Error(), "opportunities.csv:2: column 5 \"CLOSE DATE\": \"soon\" is not a date");
}

TEST_F(CrmCsvTest, RepErrors) {
  struct Case {
    std::string rows;
    std::string message;
  };
  const std::vector<Case> cases = {
      {",Ann,NA-WEST,,", "reps.csv:2: column 1 \"User ID\": empty"},
      {"U1,Ann,NA-WEST,,\nU1,Ann again,NA,,", "reps.csv:3: column 1 \"User ID\": duplicate \"U1\" (first on line 2)"},
      {"U1,Ann,,,", "reps.csv:2: column 3 \"Territory ID\": empty"},
      {"U1,Ann,NA-EAST,,", "reps.csv:2: column 3 \"Territory ID\": \"NA-EAST\" is not a territory in territories.csv"},
      {"U1,Ann,NA,2020-02-30,", "reps.csv:2: column 4 \"Hire Date\": \"2020-02-30\" is not a date"},
      {"U1,Ann,NA,,31/12/20", "reps.csv:2: column 5 \"End Date\": \"31/12/20\" is not a date"},
      {"U1,Ann,NA,2021-05-01,2021-04-30",
       "reps.csv:2: column 5 \"End Date\": 2021-04-30 is before the hire date 2021-05-01"},
  };
  for (const Case& c : cases) {
    Write(kRepsFile, "User ID,Full Name,Territory ID,Hire Date,End Date\n" + c.rows + "\n");
    // The first error; the opportunities of the fixture's other rep add more.
    std::string error = Error();
    EXPECT_EQ(error.substr(0, error.find('\n')), c.message) << c.rows;
  }
}

TEST_F(CrmCsvTest, TerritoryErrors) {
  struct Case {
    std::string rows;
    std::string message;
  };
  const std::vector<Case> cases = {
      {",Acme,,", "territories.csv:2: column 1 \"Territory ID\": empty"},
      {"ACME,Acme,,\nACME,Again,ACME,", "territories.csv:3: column 1 \"Territory ID\": duplicate \"ACME\" (first on line 2)"},
      {"ACME,Acme,,\nNA,NA,EARTH,", "territories.csv:3: column 3 \"Parent Territory ID\": \"EARTH\" is not a territory in territories.csv"},
      {"ACME,Acme,,\nNA,NA,,", "territories.csv:3: column 3 \"Parent Territory ID\": empty, but \"ACME\" on line 2 is already the root (there must be exactly one)"},
      {"A,A,B,\nB,B,A,", "territories.csv: no root territory: exactly one row must have an empty \"Parent Territory ID\""},
      {"ACME,Acme,,\nX,X,Z,\nY,Y,X,\nZ,Z,Y,", "territories.csv:3: column 3 \"Parent Territory ID\": \"Z\" makes a cycle: X -> Z -> Y -> X"},
      {"ACME,Acme,,\nSELF,Self,SELF,", "territories.csv:3: column 3 \"Parent Territory ID\": \"SELF\" makes a cycle: SELF -> SELF"},
  };
  for (const Case& c : cases) {
    Write(kTerritoriesFile, "Territory ID,Territory Name,Parent Territory ID,Level\n" + c.rows + "\n");
    // The first error; the fixture's reps and opportunities in other territories add more.
    std::string error = Error();
    EXPECT_EQ(error.substr(0, error.find('\n')), c.message) << c.rows;
  }
}

TEST_F(CrmCsvTest, SnapshotJsonErrors) {
  struct Case {
    std::string json;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{\"as_of\": ", "snapshot.json: not valid JSON"},
      {"[1, 2]", "snapshot.json: expected a JSON object"},
      {"{\"as_of\": \"2026-13-01\"}", "snapshot.json: \"as_of\": \"2026-13-01\" is not a date"},
      {"{\"as_of\": 20261101}", "snapshot.json: \"as_of\": 20261101 is not a date"},
      {"{\"currency\": \"dollar\"}", "snapshot.json: \"currency\": \"dollar\" is not an ISO 4217 code like \"USD\""},
      {"{\"fiscal_start_month\": 13}", "snapshot.json: \"fiscal_start_month\": 13 is not a month 1..12"},
      {"{\"fiscal_start_month\": \"feb\"}", "snapshot.json: \"fiscal_start_month\": \"feb\" is not a month 1..12"},
      {"{\"source\": 5}", "snapshot.json: \"source\": 5 is not a string"},
  };
  for (const Case& c : cases) {
    Write(kSnapshotFile, c.json);
    EXPECT_EQ(Error(), c.message) << c.json;
  }
}

// ---------------------------------------------------------------------------------------------
// Value formats.

TEST(CrmValuesTest, ParseAmount) {
  EXPECT_EQ(ParseAmount("12500", 2), 1250000);
  EXPECT_EQ(ParseAmount("12500.00", 2), 1250000);
  EXPECT_EQ(ParseAmount("12,500.00", 2), 1250000);
  EXPECT_EQ(ParseAmount("$12500", 2), 1250000);
  EXPECT_EQ(ParseAmount(" $ 12,500.5 ", 2), 1250050);
  EXPECT_EQ(ParseAmount("-1,234.5", 2), -123450);
  EXPECT_EQ(ParseAmount("$-5", 2), -500);
  EXPECT_EQ(ParseAmount("(1,234.00)", 2), -123400);
  EXPECT_EQ(ParseAmount("\xE2\x82\xAC" "99", 2), 9900);
  EXPECT_EQ(ParseAmount("99 \xE2\x82\xAC", 2), 9900);
  EXPECT_EQ(ParseAmount(".5", 2), 50);
  EXPECT_EQ(ParseAmount("7.", 2), 700);
  EXPECT_EQ(ParseAmount("0.005", 2), 1);  // rounded half away from zero
  EXPECT_EQ(ParseAmount("-0.004", 2), 0);
  EXPECT_EQ(ParseAmount("1234", 0), 1234);
  EXPECT_EQ(ParseAmount("1.5", 0), 2);
  EXPECT_EQ(ParseAmount("1.5", 3), 1500);
  EXPECT_EQ(ParseAmount("92233720368547758.07", 2), INT64_MAX);
  EXPECT_EQ(ParseAmount("92233720368547758.08", 2), std::nullopt);
  EXPECT_EQ(ParseAmount("99999999999999999999999", 2), std::nullopt);
  for (const char* bad : {"", "abc", "12.5.0", "1,23", "1234,567", ",123", "12,", "--1", "(-1)",
                          "1e5", "$", "12 500", "0x10", "1.2.3", "USD 12"}) {
    EXPECT_EQ(ParseAmount(bad, 2), std::nullopt) << bad;
  }
}

TEST(CrmValuesTest, FormatAmount) {
  EXPECT_EQ(FormatAmount(1250000, 2), "12500.00");
  EXPECT_EQ(FormatAmount(5, 2), "0.05");
  EXPECT_EQ(FormatAmount(-5, 2), "-0.05");
  EXPECT_EQ(FormatAmount(1234, 0), "1234");
  EXPECT_EQ(FormatAmount(1234, 3), "1.234");
  EXPECT_EQ(FormatAmount(INT64_MIN, 2), "-92233720368547758.08");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-99}, int64_t{123456789}, INT64_MAX}) {
    EXPECT_EQ(ParseAmount(FormatAmount(v, 2), 2), v);
  }
}

TEST(CrmValuesTest, ForecastCategories) {
  for (auto c : {v1::FORECAST_CATEGORY_PIPELINE, v1::FORECAST_CATEGORY_BEST_CASE,
                 v1::FORECAST_CATEGORY_COMMIT, v1::FORECAST_CATEGORY_CLOSED,
                 v1::FORECAST_CATEGORY_OMITTED}) {
    EXPECT_EQ(ParseForecastCategory(ForecastCategoryName(c)), c);
    EXPECT_EQ(ParseForecastCategory(v1::ForecastCategory_Name(c)), c);
  }
  EXPECT_EQ(ForecastCategoryName(v1::FORECAST_CATEGORY_BEST_CASE), "Best Case");
  EXPECT_EQ(ParseForecastCategory("best_case"), v1::FORECAST_CATEGORY_BEST_CASE);
  EXPECT_EQ(ParseForecastCategory("Omit"), v1::FORECAST_CATEGORY_OMITTED);
  EXPECT_EQ(ParseForecastCategory("Upside"), std::nullopt);
  EXPECT_EQ(ParseForecastCategory(""), std::nullopt);
}

}  // namespace
}  // namespace salesops::salesctl
