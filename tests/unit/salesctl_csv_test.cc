#include "tools/salesctl/csv.h"

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::salesctl {
namespace {

using ::testing::ElementsAre;

using Fields = std::vector<std::string>;

std::vector<CsvRow> Parse(std::string_view text) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text, "f.csv");
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? *rows : std::vector<CsvRow>{};
}

std::string ParseError(std::string_view text) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text, "f.csv");
  EXPECT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(rows.status().message());
}

TEST(CsvTest, PlainRecords) {
  std::vector<CsvRow> rows = Parse("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", "c"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2", "3"}));
}

TEST(CsvTest, EmptyInput) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(Parse("\n\r\n  \n").empty());
}

TEST(CsvTest, QuotedFields) {
  std::vector<CsvRow> rows =
      Parse("\"Acme, Inc\",\"He said \"\"hi\"\"\",\"\",plain\n\"  padded  \",\"a\"\"\"\"b\"\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"Acme, Inc", "He said \"hi\"", "", "plain"}));
  EXPECT_EQ(rows[1].fields, (Fields{"  padded  ", "a\"\"b"}));
}

TEST(CsvTest, LineBreaksInsideQuotesKeepLineNumbers) {
  std::vector<CsvRow> rows = Parse("id,note\n1,\"two\nlines\"\n2,\"three\r\nlines\r\nhere\"\n3,x\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "two\nlines"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].fields, (Fields{"2", "three\r\nlines\r\nhere"}));
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_EQ(rows[3].fields, (Fields{"3", "x"}));
  EXPECT_EQ(rows[3].line, 7);
}

TEST(CsvTest, CrLfBomBlankLinesAndNoFinalNewline) {
  std::vector<CsvRow> rows = Parse("\xEF\xBB\xBFid,name\r\n\r\n1,Ann\r\n   \r\n,,\r\n2,Bo");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"id", "name"}));  // no BOM in the first header
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "Ann"}));
  // "   " and ",," are blank records: skipped, but they count as lines.
  EXPECT_EQ(rows[2].line, 6);
  EXPECT_EQ(rows[2].fields, (Fields{"2", "Bo"}));
}

TEST(CsvTest, OldMacLineEnds) {
  std::vector<CsvRow> rows = Parse("a,b\r1,\"x\ry\"\r2,z\r");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "x\ry"}));
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvTest, TrimsUnquotedFieldsAndKeepsEmptyOnes) {
  std::vector<CsvRow> rows = Parse(" a , b\t,\n1,,3,\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"a", "b", ""}));
  EXPECT_EQ(rows[1].fields, (Fields{"1", "", "3", ""}));
}

TEST(CsvTest, QuoteInsideUnquotedFieldIsAnError) {
  EXPECT_EQ(ParseError("a,b\n1,2\n3,x\"y\n"),
            "f.csv:3: malformed CSV in field 2: a quote inside an unquoted field, or text after a "
            "closing quote (fields containing quotes must be quoted, with the quotes doubled)");
}

TEST(CsvTest, TextAfterClosingQuoteIsAnError) {
  EXPECT_EQ(ParseError("a,b\n\"x\"y,2\n"),
            "f.csv:2: malformed CSV in field 1: a quote inside an unquoted field, or text after a "
            "closing quote (fields containing quotes must be quoted, with the quotes doubled)");
}

TEST(CsvTest, UnterminatedQuoteNamesTheRecordsFirstLine) {
  EXPECT_EQ(ParseError("a,b\n1,2\n\n3,\"never\nclosed\n4,5\n"),
            "f.csv:4: malformed CSV in field 2: a quoted field is never closed");
}

TEST(CsvTest, FormatField) {
  EXPECT_EQ(FormatCsvField("plain"), "plain");
  EXPECT_EQ(FormatCsvField(""), "");
  EXPECT_EQ(FormatCsvField("ETS(A,Ad,N)"), "\"ETS(A,Ad,N)\"");
  EXPECT_EQ(FormatCsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(FormatCsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(FormatCsvField(" padded"), "\" padded\"");
  EXPECT_EQ(FormatCsvField("tab\t"), "\"tab\t\"");
}

TEST(CsvTest, WriteThenParseGivesTheSameFields) {
  std::vector<Fields> records = {
      {"id", "text", "more"},
      {"1", "Acme, Inc", "\"quoted\""},
      {"2", "multi\nline\r\ntext", ""},
      {"3", "  spaces  ", "\t"},
      {"4", "caf\xC3\xA9 \xE2\x82\xAC", "a,\"b\",c"},
  };
  std::string text;
  for (const Fields& r : records) AppendCsvRecord(r, &text);
  std::vector<CsvRow> rows = Parse(text);
  ASSERT_EQ(rows.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(rows[i].fields, records[i]) << i;
  EXPECT_EQ(rows[3].line, 6);  // record 2 spans lines 3-5
}

// Random text never crashes the parser, and what it accepts has increasing line numbers.
TEST(CsvTest, RandomTextIsSafe) {
  std::mt19937_64 rng(1);
  const std::string alphabet = "ab,\"\n\r \t";
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    size_t length = rng() % 40;
    for (size_t i = 0; i < length; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(text, "f.csv");
    if (!rows.ok()) {
      EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    for (size_t i = 1; i < rows->size(); ++i) EXPECT_LT((*rows)[i - 1].line, (*rows)[i].line) << text;
  }
}

// Any fields written are read back unchanged.
TEST(CsvTest, RandomFieldsRoundTrip) {
  std::mt19937_64 rng(2);
  const std::string alphabet = "ab,\"\n\r \t\xC3\xA9";
  for (int round = 0; round < 500; ++round) {
    std::vector<Fields> records(1 + rng() % 4, Fields(1 + rng() % 4));
    std::string text;
    for (Fields& record : records) {
      for (std::string& field : record) {
        size_t length = rng() % 6;
        for (size_t i = 0; i < length; ++i) field.push_back(alphabet[rng() % alphabet.size()]);
      }
      record[0] = "x" + record[0];  // blank records are dropped by design
      AppendCsvRecord(record, &text);
    }
    std::vector<CsvRow> rows = Parse(text);
    ASSERT_EQ(rows.size(), records.size()) << text;
    for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(rows[i].fields, records[i]) << text;
  }
}

TEST(CsvTest, NormalizeHeader) {
  EXPECT_EQ(NormalizeHeader("Close Date"), "closedate");
  EXPECT_EQ(NormalizeHeader("close_date"), "closedate");
  EXPECT_EQ(NormalizeHeader(" CloseDate "), "closedate");
  EXPECT_EQ(NormalizeHeader("Probability (%)"), "probability%");
}

TEST(CsvTest, Files) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("salesctl_csv_test_" + std::to_string(::getpid())))
                        .string();
  std::filesystem::create_directories(dir);
  std::string path = dir + "/x.csv";
  ASSERT_TRUE(WriteWholeFile(path, "a,b\n1,2\n").ok());
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "a,b\n1,2\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  absl::StatusOr<std::string> missing = ReadWholeFile(dir + "/nope.csv");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), dir + "/nope.csv: no such file");
  EXPECT_EQ(ReadWholeFile(dir).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(WriteWholeFile(dir + "/no/such/dir/x.csv", "x").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace salesops::salesctl
