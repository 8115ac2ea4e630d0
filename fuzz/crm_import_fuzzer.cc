// Fuzzes the CRM export importer (ImportCrmExport, tools/salesctl/crm_csv.h) on whole exports.
//
// The input is the export's files separated by form feeds ('\f'):
//   opportunities.csv \f reps.csv \f territories.csv \f snapshot.json \f column mapping \f options
// A plain CSV (no '\f') is opportunities.csv alone, with the small reps.csv and territories.csv
// below; snapshot.json and the mapping are absent unless given. The options part holds
// space-separated words: a date order ("dmy", "mdy", "auto"), "as_of=DATE", "currency=CODE",
// "max_errors=N".
//
// The files are written to a private directory (in /dev/shm when there is one) for each input.
// Besides never crashing, it checks:
//  - an error is InvalidArgument (or NotFound) with a message;
//  - progress never counts more rows than the files have;
//  - an accepted export written back (WriteCrmExport) imports again, to the same company.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "fuzz/fuzz_util.h"
#include "tools/salesctl/crm_csv.h"

namespace salesops::fuzz {
namespace {

constexpr char kDefaultTerritories[] =
    "Territory ID,Territory Name,Parent Territory ID,Level\n"
    "CO,Acme Cloud,,company\n"
    "NA,North America,CO,region\n"
    "EU,Europe,CO,region\n";
constexpr char kDefaultReps[] =
    "User ID,Full Name,Territory ID,Hire Date,End Date\n"
    "u1,Ada Lovelace,NA,2024-02-01,\n"
    "u2,Alan Turing,NA,2025-06-15,\n"
    "u3,Grace Hopper,EU,2023-11-01,2026-09-30\n";

std::string* work_dir = nullptr;

void RemoveWorkDir() {
  std::error_code ec;
  if (work_dir != nullptr) std::filesystem::remove_all(*work_dir, ec);
}

// A private directory for this process, removed at exit.
const std::string& WorkDir() {
  if (work_dir != nullptr) return *work_dir;
  std::string base = "/dev/shm";
  if (access(base.c_str(), W_OK) != 0) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string pattern = base + "/salesops-fuzz-crm-XXXXXX";
  Check(mkdtemp(pattern.data()) != nullptr, "cannot create a work directory", pattern);
  work_dir = new std::string(pattern);
  std::filesystem::create_directories(*work_dir + "/in");
  std::atexit(RemoveWorkDir);
  return *work_dir;
}

void WriteFile(const std::string& path, std::string_view content) {
  FILE* f = std::fopen(path.c_str(), "wb");
  Check(f != nullptr, "cannot write", path);
  Check(std::fwrite(content.data(), 1, content.size(), f) == content.size(), "short write", path);
  std::fclose(f);
}

std::string Opportunity(v1::Opportunity o) {
  o.clear_probability();
  return o.ShortDebugString();
}

// The same company, but for header.source (which names the directory) and probabilities that the
// second import read as fractions (see below).
void CheckSameCompany(const salesctl::DemoCompany& a, const salesctl::DemoCompany& b,
                      bool compare_probabilities) {
  // (An unset calendar and one with start_month 0 are the same.)
  auto header = [](const v1::SnapshotHeader& h) {
    return h.as_of().ShortDebugString() + " " + h.currency_code() + " " +
           std::to_string(h.calendar().start_month());
  };
  Check(header(a.header) == header(b.header), "round trip changed the header",
        header(a.header) + "\n" + header(b.header));
  Check(a.territories.size() == b.territories.size(), "round trip changed the territories");
  for (size_t i = 0; i < a.territories.size(); ++i) {
    Check(a.territories[i].ShortDebugString() == b.territories[i].ShortDebugString(),
          "round trip changed a territory",
          a.territories[i].ShortDebugString() + "\n" + b.territories[i].ShortDebugString());
  }
  Check(a.reps.size() == b.reps.size(), "round trip changed the reps");
  for (size_t i = 0; i < a.reps.size(); ++i) {
    Check(a.reps[i].ShortDebugString() == b.reps[i].ShortDebugString(), "round trip changed a rep",
          a.reps[i].ShortDebugString() + "\n" + b.reps[i].ShortDebugString());
  }
  Check(a.opportunities.size() == b.opportunities.size(), "round trip changed the opportunities");
  for (size_t i = 0; i < a.opportunities.size(); ++i) {
    const v1::Opportunity &x = a.opportunities[i], &y = b.opportunities[i];
    Check(Opportunity(x) == Opportunity(y), "round trip changed an opportunity",
          x.ShortDebugString() + "\n" + y.ShortDebugString());
    // Written with 10 significant digits.
    if (compare_probabilities) {
      Check(std::fabs(x.probability() - y.probability()) <= 1e-9, "round trip changed a probability",
            x.ShortDebugString() + "\n" + y.ShortDebugString());
    }
  }
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;
  using namespace salesops::fuzz;
  const std::vector<std::string_view> parts = SplitParts(AsText(data, size), '\f', 6);
  const std::string dir = WorkDir() + "/in";
  WriteFile(dir + "/opportunities.csv", parts[0]);
  WriteFile(dir + "/reps.csv", parts.size() > 1 ? parts[1] : kDefaultReps);
  WriteFile(dir + "/territories.csv", parts.size() > 2 ? parts[2] : kDefaultTerritories);
  std::error_code ec;
  if (parts.size() > 3) {
    WriteFile(dir + "/snapshot.json", parts[3]);
  } else {
    std::filesystem::remove(dir + "/snapshot.json", ec);
  }

  salesctl::ImportOptions options;
  if (parts.size() > 4) {
    salesctl::ColumnMappingSource source;
    auto mapping = salesctl::ParseColumnMapping(parts[4], "mapping.txt", &source);
    if (!mapping.ok()) {
      Note("mapping rejected", mapping.status().message());
      Check(mapping.status().code() == absl::StatusCode::kInvalidArgument &&
                absl::StartsWith(mapping.status().message(), "mapping.txt:"),
            "ParseColumnMapping error is not InvalidArgument naming the file",
            mapping.status().ToString());
      return 0;
    }
    options.mapping = *mapping;
    options.mapping_source = source;
  }
  if (parts.size() > 5) {
    for (absl::string_view word : absl::StrSplit(absl::string_view(parts[5].data(), parts[5].size()),
                                                 absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
      std::string_view w(word.data(), word.size());
      if (auto order = salesctl::ParseDateOrder(w)) {
        options.date_order = *order;
      } else if (absl::StartsWith(word, "as_of=")) {
        options.as_of = salesctl::ParseCrmDate(w.substr(6), salesctl::DateOrder::kMonthFirst);
      } else if (absl::StartsWith(word, "currency=")) {
        options.currency = std::string(w.substr(9));
      } else if (absl::StartsWith(word, "max_errors=")) {
        int n = 0;
        if (absl::SimpleAtoi(word.substr(11), &n)) options.max_errors = n < -5 ? -5 : n > 50 ? 50 : n;
      }
    }
  }
  int64_t last_total = -1;
  options.progress = [&](int64_t done, int64_t total) {
    Check(done >= 0 && done <= total, "progress counts more rows than the files have",
          std::to_string(done) + " of " + std::to_string(total));
    Check(last_total < 0 || total == last_total, "progress total changed");
    last_total = total;
  };

  auto imported = salesctl::ImportCrmExport(dir, options);
  if (!imported.ok()) {
    Note("rejected", imported.status().message());
    Check((imported.status().code() == absl::StatusCode::kInvalidArgument ||
           imported.status().code() == absl::StatusCode::kNotFound) &&
              !imported.status().message().empty(),
          "ImportCrmExport error is not InvalidArgument or NotFound", imported.status().ToString());
    return 0;
  }
  Note("imported", std::to_string(imported->company.opportunities.size()) + " opportunities");
  (void)salesctl::ImportSummaryText(*imported);

  // Written back and imported again: the same company.
  const std::string out = WorkDir() + "/out";
  std::filesystem::remove_all(out, ec);
  absl::Status written = salesctl::WriteCrmExport(imported->company, out);
  Check(written.ok(), "WriteCrmExport failed", written.ToString());
  auto again = salesctl::ImportCrmExport(out, {});
  Check(again.ok(), "an accepted export, written back, does not import", again.status().ToString());
  // Known: WriteCrmExport writes percentages, and an export whose probabilities are all at most 1%
  // (one strictly between 0% and 1%) reads back as fractions, 100 times larger (fuzz/README.md).
  bool fractions = false;
  for (const std::string& note : again->notes) fractions = fractions || absl::StrContains(note, "read as fractions");
  if (fractions) Note("written back, the probabilities read back as fractions");
  CheckSameCompany(imported->company, again->company, !fractions);
  return 0;
}
