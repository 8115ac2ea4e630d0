#include "tools/salesctl/demo_data.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/salesctl/crm_csv.h"

namespace salesops::salesctl {
namespace {

// ---------------------------------------------------------------------------------------------
// Randomness. std::mt19937_64's sequence is fixed by the standard; the distributions below are
// our own transforms of its raw output, so the company is the same with every standard library.

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Random {
 public:
  // `stream` separates independent sequences drawn from one seed.
  Random(uint64_t seed, uint64_t stream) : engine_(SplitMix64(seed ^ SplitMix64(stream))) {}

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), n >= 1.
  int Index(int n) { return std::min(n - 1, static_cast<int>(Uniform() * n)); }
  // Standard normal, Marsaglia's polar method.
  double Normal() {
    for (;;) {
      double u = 2.0 * Uniform() - 1.0;
      double v = 2.0 * Uniform() - 1.0;
      double s = u * u + v * v;
      if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
    }
  }
  // An index drawn with the given cumulative weights (non-decreasing, last > 0).
  int Pick(const std::vector<double>& cumulative) {
    double target = Uniform() * cumulative.back();
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    return static_cast<int>(std::min<size_t>(it - cumulative.begin(), cumulative.size() - 1));
  }
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (int i = static_cast<int>(items.size()) - 1; i > 0; --i) std::swap(items[i], items[Index(i + 1)]);
  }

 private:
  std::mt19937_64 engine_;
};

std::vector<double> Cumulative(const std::vector<double>& weights) {
  std::vector<double> out(weights.size());
  double sum = 0;
  for (size_t i = 0; i < weights.size(); ++i) out[i] = sum += weights[i];
  return out;
}

// Randomness for one deal's history: a SplitMix64 stream keyed by the seed and the deal's draw
// order, so each history depends on nothing else and the final state's draws are untouched.
class DealRandom {
 public:
  DealRandom(uint64_t seed, uint64_t serial)
      : state_(SplitMix64(seed ^ SplitMix64(0x4869737472790000ull + serial))) {}

  double Uniform() {
    uint64_t r = SplitMix64(state_);
    state_ += 0x9E3779B97F4A7C15ull;
    return static_cast<double>(r >> 11) * 0x1.0p-53;
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), n >= 1.
  int Index(int n) { return std::min(n - 1, static_cast<int>(Uniform() * n)); }
  // Uniform integer in [lo, hi].
  int Between(int lo, int hi) { return lo + std::min(hi - lo, static_cast<int>(Uniform() * (hi - lo + 1))); }
  // An index drawn with the given weights (not all zero).
  template <size_t N>
  int Pick(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double target = Uniform() * total;
    for (size_t i = 0; i < N; ++i) {
      if (target < weights[i]) return static_cast<int>(i);
      target -= weights[i];
    }
    for (size_t i = N; i-- > 0;) {
      if (weights[i] > 0) return static_cast<int>(i);
    }
    return 0;
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// The company.

struct RegionSpec {
  const char* id;
  const char* name;
};
constexpr std::array<RegionSpec, 4> kRegions = {{
    {"NA", "North America"},
    {"EMEA", "Europe, Middle East & Africa"},
    {"APAC", "Asia Pacific"},
    {"LATAM", "Latin America"},
}};

struct TerritorySpec {
  const char* id;
  const char* name;
  const char* region;
  int reps;
};
constexpr std::array<TerritorySpec, 13> kTerritories = {{
    {"NA-WEST", "NA West", "NA", 5},
    {"NA-CENTRAL", "NA Central", "NA", 3},
    {"NA-EAST", "NA East", "NA", 5},
    {"NA-CANADA", "Canada", "NA", 2},
    {"EMEA-UKI", "UK & Ireland", "EMEA", 4},
    {"EMEA-DACH", "DACH", "EMEA", 3},
    {"EMEA-FRANCE", "France & Benelux", "EMEA", 3},
    {"EMEA-NORDICS", "Nordics", "EMEA", 2},
    {"APAC-ANZ", "Australia & New Zealand", "APAC", 3},
    {"APAC-JAPAN", "Japan", "APAC", 3},
    {"APAC-SEA", "Southeast Asia", "APAC", 2},
    {"LATAM-BRAZIL", "Brazil", "LATAM", 3},
    {"LATAM-MEXICO", "Mexico & Andean", "LATAM", 2},
}};

constexpr std::array<const char*, 40> kFirstNames = {
    "Olivia", "Liam",   "Emma",   "Noah",    "Ava",    "Mateo",  "Sophia", "Lucas",
    "Mia",    "Ethan",  "Amara",  "Hiroshi", "Chloe",  "Daniel", "Priya",  "Jonas",
    "Isabel", "Samuel", "Yuki",   "Diego",   "Freya",  "Omar",   "Grace",  "Lars",
    "Leila",  "Marco",  "Nadia",  "Oscar",   "Rosa",   "Tariq",  "Valentina", "Wei",
    "Zoe",    "Aaron",  "Bianca", "Carlos",  "Daphne", "Emil",   "Fatima", "Gabriel"};
constexpr std::array<const char*, 40> kLastNames = {
    "Anderson", "Brooks",  "Carvalho", "Dubois",   "Eriksen", "Fischer",  "Garcia",  "Hughes",
    "Ito",      "Jensen",  "Kowalski", "Larsen",   "Moreau",  "Nakamura", "Okafor",  "Patel",
    "Quinn",    "Rossi",   "Schmidt",  "Tanaka",   "Usman",   "Valdez",   "Walsh",   "Xu",
    "Yilmaz",   "Zhang",   "Murphy",   "Bennett",  "Costa",   "Lindqvist", "Mendes", "Novak",
    "Ortega",   "Park",    "Reyes",    "Silva",    "Thompson", "Weber",   "Kim",     "Lopez"};

// Customer names: prefix x industry x suffix, scrambled so neighbours differ.
constexpr std::array<const char*, 45> kAccountPrefixes = {
    "Acorn",     "Apex",      "Aurora",   "Bayside",  "Beacon",    "Blue Harbor", "Bright",
    "Cascade",   "Cedar",     "Cobalt",   "Copper",   "Crescent",  "Crystal",     "Delta",
    "Eagle",     "Emerald",   "Evergreen", "Falcon",  "Frontier",  "Golden",      "Granite",
    "Harbor",    "Highland",  "Horizon",  "Iron",     "Keystone",  "Lakeside",    "Liberty",
    "Maple",     "Meridian",  "Northstar", "Oakridge", "Pacific",  "Pinnacle",    "Prairie",
    "Redwood",   "Riverbend", "Sierra",   "Silver",   "Summit",    "Sunrise",     "Tidewater",
    "Trinity",   "Vista",     "Willow"};
constexpr std::array<const char*, 32> kAccountIndustries = {
    "Analytics", "Bank",     "Biotech",   "Brewing",  "Capital",      "Clinics",  "Construction",
    "Dynamics",  "Energy",   "Foods",     "Freight",  "Health",       "Holdings", "Insurance",
    "Labs",      "Logistics", "Manufacturing", "Media", "Medical",    "Mining",   "Motors",
    "Networks",  "Partners", "Pharma",    "Retail",   "Robotics",     "Software", "Systems",
    "Telecom",   "Textiles", "Travel",    "Utilities"};
constexpr std::array<const char*, 8> kAccountSuffixes = {"Inc", "LLC", "Ltd", "Group",
                                                         "Corp", "Co", "GmbH", "PLC"};

std::string AccountName(int index) {
  constexpr int kCapacity = static_cast<int>(kAccountPrefixes.size() * kAccountIndustries.size() *
                                             kAccountSuffixes.size());
  // 7919 is prime and does not divide kCapacity, so this permutes 0..kCapacity-1.
  int j = static_cast<int>((static_cast<int64_t>(index % kCapacity) * 7919 + 13) % kCapacity);
  std::string name = absl::StrCat(kAccountPrefixes[j % kAccountPrefixes.size()], " ",
                                  kAccountIndustries[(j / kAccountPrefixes.size()) % kAccountIndustries.size()], " ",
                                  kAccountSuffixes[j / (kAccountPrefixes.size() * kAccountIndustries.size())]);
  if (index >= kCapacity) absl::StrAppend(&name, " ", index / kCapacity + 1);
  return name;
}

struct ProductSpec {
  const char* name;
  double share;         // of all deals
  double median;        // deal size in major units
  double sigma;         // of log deal size
  double win_factor;    // multiplies the rep's win rate
  bool long_cycle;      // platform deals take longer
};
constexpr std::array<ProductSpec, 4> kProducts = {{
    {"Platform", 0.30, 110000, 0.75, 0.85, true},
    {"Analytics", 0.25, 45000, 0.70, 1.00, false},
    {"Services", 0.20, 25000, 0.60, 1.10, false},
    {"Support", 0.25, 15000, 0.50, 1.15, false},
}};

constexpr double kBaseWinRate = 0.25;
// Relative deal volume by fiscal quarter (Q4 heaviest, Q1 lightest) and by month of the quarter.
constexpr std::array<double, 4> kQuarterSeason = {0.75, 0.95, 1.05, 1.45};
constexpr std::array<double, 3> kMonthOfQuarter = {0.85, 0.95, 1.20};
// Days at the end of a quarter with the quarter-end rush, and how much busier they are.
constexpr int kQuarterEndDays = 14;
constexpr double kQuarterEndBoost = 2.5;
// Share of deals due in the last 60 days that slipped: still open with a past close date.
constexpr double kSlipShare = 0.08;
constexpr int kSlipWindowDays = 60;

// Stage indexes into DemoStages().
enum Stage { kProspecting, kQualification, kNeedsAnalysis, kProposal, kNegotiation, kWon, kLost };

struct RepPlan {
  std::string id;
  std::string name;
  int territory = 0;
  int hire_day = 0;
  int end_day = std::numeric_limits<int>::max();  // max: still employed
  double productivity = 1;
  double win_factor = 1;
};

struct Deal {
  int created = 0;
  int close = 0;
  int serial = 0;  // draw order, the last tie-break
  int rep = 0;
  int product = 0;
  int account = 0;
  int64_t major_units = 0;
  Stage stage = kProspecting;
};

absl::Status Validate(const DemoOptions& o) {
  if (!o.as_of.ok()) return absl::InvalidArgumentError("as_of: required, a valid date");
  int year = static_cast<int>(o.as_of.year());
  if (year < 1920 || year > 2180) {
    return absl::InvalidArgumentError(absl::StrCat("as_of: ", FormatDate(o.as_of),
                                                   " is outside the years 1920..2180"));
  }
  if (o.fiscal_start_month < 1 || o.fiscal_start_month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("fiscal_start_month: ", o.fiscal_start_month, " is not a month 1..12"));
  }
  if (o.currency.size() != 3 || !std::all_of(o.currency.begin(), o.currency.end(), [](char c) {
        return c >= 'A' && c <= 'Z';
      })) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency: \"", o.currency, "\" is not an ISO 4217 code like \"USD\""));
  }
  if (o.history_years < 1 || o.history_years > 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("history_years: ", o.history_years, " is not in 1..10"));
  }
  if (!std::isfinite(o.scale) || o.scale <= 0 || o.scale > 400) {
    return absl::InvalidArgumentError(absl::StrCat("scale: ", o.scale, " is not in (0, 400]"));
  }
  return absl::OkStatus();
}

std::vector<RepPlan> PlanReps(int history_start, int as_of, Random& rng) {
  std::vector<int> first(kFirstNames.size()), last(kLastNames.size());
  std::iota(first.begin(), first.end(), 0);
  std::iota(last.begin(), last.end(), 0);
  rng.Shuffle(first);
  rng.Shuffle(last);

  std::vector<RepPlan> reps;
  std::vector<int> others;  // reps that are not their territory's first (who stays throughout)
  for (int t = 0; t < static_cast<int>(kTerritories.size()); ++t) {
    for (int k = 0; k < kTerritories[t].reps; ++k) {
      RepPlan rep;
      int n = static_cast<int>(reps.size());
      rep.id = absl::StrFormat("U%04d", n + 1);
      rep.name = absl::StrCat(kFirstNames[first[n % first.size()]], " ",
                              kLastNames[last[n % last.size()]]);
      rep.territory = t;
      // Veterans by default: hired one to six years before the history starts.
      rep.hire_day = history_start - 365 - rng.Index(5 * 365);
      rep.productivity = rng.Uniform(0.7, 1.3);
      rep.win_factor = rng.Uniform(0.6, 1.4);
      if (k > 0) others.push_back(n);
      reps.push_back(std::move(rep));
    }
  }
  rng.Shuffle(others);
  size_t next = 0;
  // Three recent hires, one to five months in: still ramping.
  for (int i = 0; i < 3 && next < others.size(); ++i) {
    reps[others[next++]].hire_day = as_of - 20 - rng.Index(131);
  }
  // Two who left during the last year.
  for (int i = 0; i < 2 && next < others.size(); ++i) {
    RepPlan& rep = reps[others[next++]];
    rep.end_day = as_of - 30 - rng.Index(271);
  }
  // Eight hired during the history, as the company grew (when there is room for it).
  int lo = history_start + 30, hi = as_of - 180;
  for (int i = 0; i < 8 && next < others.size() && lo <= hi; ++i) {
    reps[others[next++]].hire_day = lo + rng.Index(hi - lo + 1);
  }
  return reps;
}

// The first and last day of the fiscal quarter `offset` quarters after the one holding `day`.
DateRange QuarterAfter(Date day, int offset, int start_month) {
  FiscalPeriod q = PeriodContaining(day, PeriodKind::kQuarter, start_month);
  int n = q.fiscal_year * 4 + (q.index - 1) + offset;
  return RangeOf(FiscalPeriod{PeriodKind::kQuarter, n / 4, n % 4 + 1}, start_month);
}

// ---------------------------------------------------------------------------------------------
// Deal histories. Drawn after the final state, from each deal's own random stream, and shaped to
// end exactly in that state.

// Where a closed deal stood when it closed: won deals mostly from Negotiation, lost ones from
// anywhere (most die early).
constexpr std::array<double, 5> kWonFromStage = {0, 0, 0.05, 0.25, 0.70};
constexpr std::array<double, 5> kLostFromStage = {0.25, 0.25, 0.20, 0.18, 0.12};
// Chance that a deal's expected close date was pushed out at least once, by what became of it
// (still open, won, lost), before the deal-size factor; and how many pushes (1..4) it then had.
constexpr double kPushedOpen = 0.50;
constexpr double kPushedWon = 0.50;
constexpr double kPushedLost = 0.35;
constexpr std::array<double, 4> kPushCount = {0.55, 0.28, 0.12, 0.05};
// How far a push moves the date: a few weeks, about a month, a quarter.
constexpr std::array<double, 3> kPushKind = {0.25, 0.35, 0.40};
// Share of pushed deals that had reached Proposal or later (their last open stage) before their
// last push, and stalled there.
constexpr double kStalledLate = 0.7;
// Share of deals whose amount was revised once, and twice.
constexpr double kAmountRevisedOnce = 0.22;
constexpr double kAmountRevisedTwice = 0.08;

int QuarterFirstDay(int day, int start_month) {
  return DayNumber(RangeOf(PeriodContaining(FromDayNumber(day), PeriodKind::kQuarter, start_month),
                           start_month)
                       .first);
}
int QuarterLastDay(int day, int start_month) {
  return DayNumber(RangeOf(PeriodContaining(FromDayNumber(day), PeriodKind::kQuarter, start_month),
                           start_month)
                       .last);
}

// A major-unit amount rounded as the generator rounds them (to 100 from 10,000 up, at least 500).
int64_t RoundMajor(double major) {
  return major < 10000 ? std::max<int64_t>(500, std::llround(major)) : std::llround(major / 100) * 100;
}

OpportunityHistory MakeHistory(const Deal& deal, int as_of, int start_month,
                               int64_t minor_per_major, uint64_t seed) {
  using H = OpportunityHistory;
  DealRandom rng(seed, static_cast<uint64_t>(deal.serial));
  const ProductSpec& product = kProducts[deal.product];
  const bool won = deal.stage == kWon, lost = deal.stage == kLost, open = !won && !lost;
  const int created = deal.created, close = deal.close;
  // Changes happen up to the close (closed deals) or up to as_of (open ones).
  const int end = open ? as_of : close;

  H h;
  h.created = created;
  h.closed_on = open ? H::kNever : close;

  // Stages: Prospecting on the created date, then each next stage in turn up to the last open one,
  // with random relative spacing (timed below, once the pushes are known).
  const int last = open ? static_cast<int>(deal.stage)
                        : rng.Pick(won ? kWonFromStage : kLostFromStage);
  std::array<double, H::kOpenStages> gap{};
  double total = 0;
  for (int j = 0; j <= last; ++j) total += gap[j] = rng.Uniform(0.4, 1.6);

  // The expected close date just before the deal closed (or today, for an open deal): won deals
  // mostly close on it, some a little early or late; lost ones are often dropped before it.
  int expected = close;
  if (won) {
    double u = rng.Uniform();
    if (u < 0.12) {
      expected = std::min(close + rng.Between(1, 14), QuarterLastDay(close, start_month));
    } else if (u < 0.20) {
      expected = close - rng.Between(1, 10);
    }
  } else if (lost) {
    double u = rng.Uniform();
    if (u < 0.55) {
      expected = close + rng.Between(7, 75);
    } else if (u < 0.70) {
      expected = close - rng.Between(1, 21);
    }
  }
  if (!open) expected = std::max(expected, created + 7);

  // Pushes, drawn backwards from that date: each earlier expected date lies a few weeks, a month or
  // a quarter before the next, and the rep moved it around the time it came due (up to two weeks
  // before, or up to three weeks after: past due until then). Bigger deals slip more.
  const double size_z = (std::log(static_cast<double>(deal.major_units)) - std::log(product.median)) /
                        product.sigma;
  const double size_factor = std::clamp(std::exp(0.45 * size_z), 0.5, 2.0);
  const double pushed = (open ? kPushedOpen : won ? kPushedWon : kPushedLost) * size_factor;
  int pushes = rng.Uniform() < std::min(0.9, pushed) ? 1 + rng.Pick(kPushCount) : 0;
  std::array<H::Step, H::kMaxCloseDates> backwards{};
  int count = 0;
  int current = expected;
  int latest_push = open ? as_of : close - 1;
  for (int i = 0; i < pushes; ++i) {
    int previous;
    switch (rng.Pick(kPushKind)) {
      case 0:
        previous = current - 7 * rng.Between(1, 3);
        break;
      case 1:
        previous = current - rng.Between(28, 35);
        break;
      default:
        previous = rng.Uniform() < 0.5 ? QuarterFirstDay(current, start_month) - 1 - rng.Between(0, 9)
                                       : current - rng.Between(84, 98);
        break;
    }
    int when = std::min({previous + rng.Between(-14, 21), latest_push, current - 3});
    if (when <= created || previous < created + 7) break;
    backwards[count++] = {when, current};
    current = previous;
    latest_push = when - 1;
  }
  h.close_dates[0] = {created, current};
  h.close_date_count = 1;
  for (int i = count; i-- > 0;) h.close_dates[h.close_date_count++] = backwards[i];

  // The stages follow, spread over the deal's life; but some pushed deals had reached their last
  // stage before the last push and stalled there (a late-stage slip: legal, budget sign-off...).
  int progress_end = end;
  if (count > 0 && last >= kProposal && rng.Uniform() < kStalledLate) {
    progress_end = std::max(created + 1, std::min(end, backwards[0].from - rng.Between(0, 21)));
  }
  h.stage_entered.fill(H::kNever);
  double elapsed = 0;
  for (int j = 0; j <= last; ++j) {
    h.stage_entered[j] =
        created + static_cast<int>(std::floor((progress_end - created) * elapsed / total));
    elapsed += gap[j];
  }

  // Amounts: some deals were revised once or twice along the way, by up to about a fifth.
  const int64_t final_minor = deal.major_units * minor_per_major;
  double u = rng.Uniform();
  int revisions = u < kAmountRevisedTwice ? 2 : u < kAmountRevisedOnce + kAmountRevisedTwice ? 1 : 0;
  if (end - created < 3) revisions = 0;
  std::array<int, 2> when{};
  for (int i = 0; i < revisions; ++i) when[i] = created + 1 + rng.Index(end - created);
  if (revisions == 2) {
    if (when[0] > when[1]) std::swap(when[0], when[1]);
    if (when[0] == when[1]) revisions = 1;
  }
  h.amounts[0] = {created, final_minor};
  h.amount_count = 1;
  if (revisions > 0) {
    for (int i = 0; i < revisions; ++i) {
      double factor = rng.Uniform() < 0.5 ? rng.Uniform(0.8, 0.95) : rng.Uniform(1.05, 1.2);
      h.amounts[i].value = RoundMajor(static_cast<double>(deal.major_units) * factor) * minor_per_major;
      h.amounts[i + 1] = {when[i], final_minor};
    }
    h.amount_count = revisions + 1;
  }
  return h;
}

}  // namespace

Date FromProtoDate(const v1::Date& date) {
  auto converted = FromProto(date);
  return converted.ok() ? *converted : Date{};
}

const std::vector<StageInfo>& DemoStages() {
  static const std::vector<StageInfo> kStages = {
      {"Prospecting", 10, v1::FORECAST_CATEGORY_PIPELINE},
      {"Qualification", 20, v1::FORECAST_CATEGORY_PIPELINE},
      {"Needs Analysis", 40, v1::FORECAST_CATEGORY_PIPELINE},
      {"Proposal", 60, v1::FORECAST_CATEGORY_BEST_CASE},
      {"Negotiation", 80, v1::FORECAST_CATEGORY_COMMIT},
      {"Closed Won", 100, v1::FORECAST_CATEGORY_CLOSED},
      {"Closed Lost", 0, v1::FORECAST_CATEGORY_OMITTED},
  };
  return kStages;
}

absl::StatusOr<DemoCompany> GenerateDemoCompany(const DemoOptions& options) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  const int start_month = options.fiscal_start_month;
  const int as_of = DayNumber(options.as_of);
  const int current_fy = FiscalYearOf(options.as_of, start_month);
  const int history_start =
      DayNumber(RangeOf(FiscalPeriod{PeriodKind::kYear, current_fy - options.history_years + 1, 1},
                        start_month)
                    .first);
  // Open pipeline closes up to the end of the second quarter after the current one.
  const int horizon_end = DayNumber(QuarterAfter(options.as_of, 2, start_month).last);

  Random structure_rng(options.seed, 1);
  Random deal_rng(options.seed, 2);

  DemoCompany company;
  v1::SnapshotHeader& header = company.header;
  *header.mutable_as_of() = ToProto(options.as_of);
  header.set_currency_code(options.currency);
  header.mutable_calendar()->set_start_month(start_month);
  header.set_source(absl::StrFormat("salesctl demo (seed %d, scale %g)", options.seed, options.scale));

  // Hierarchy: the company, its regions, their territories.
  {
    v1::TerritoryNode root;
    root.set_id("ACME");
    root.set_name("Acme Cloud");
    root.set_level("company");
    company.territories.push_back(root);
    for (const RegionSpec& r : kRegions) {
      v1::TerritoryNode node;
      node.set_id(r.id);
      node.set_name(r.name);
      node.set_parent_id("ACME");
      node.set_level("region");
      company.territories.push_back(node);
    }
    for (const TerritorySpec& t : kTerritories) {
      v1::TerritoryNode node;
      node.set_id(t.id);
      node.set_name(t.name);
      node.set_parent_id(t.region);
      node.set_level("territory");
      company.territories.push_back(node);
    }
  }

  std::vector<RepPlan> reps = PlanReps(history_start, as_of, structure_rng);
  const double growth = structure_rng.Uniform(0.15, 0.25);
  for (const RepPlan& plan : reps) {
    v1::Rep rep;
    rep.set_id(plan.id);
    rep.set_name(plan.name);
    rep.set_territory_id(kTerritories[plan.territory].id);
    *rep.mutable_hire_date() = ToProto(FromDayNumber(plan.hire_day));
    if (plan.end_day != std::numeric_limits<int>::max()) {
      *rep.mutable_end_date() = ToProto(FromDayNumber(plan.end_day));
    }
    company.reps.push_back(std::move(rep));
  }

  // Accounts: each territory has its own customers, in proportion to its reps.
  const int64_t deal_count =
      std::max<int64_t>(1, std::llround(kDemoBaseOpportunityCount * options.scale));
  const int total_reps = static_cast<int>(reps.size());
  const int64_t account_target = std::max<int64_t>(40, deal_count / 4);
  std::vector<int> account_offset(kTerritories.size()), account_count(kTerritories.size());
  {
    int offset = 0;
    for (size_t t = 0; t < kTerritories.size(); ++t) {
      account_offset[t] = offset;
      account_count[t] =
          static_cast<int>(std::max<int64_t>(3, account_target * kTerritories[t].reps / total_reps));
      offset += account_count[t];
    }
  }

  // How likely a deal is to close on each day of the span.
  const int span_days = horizon_end - history_start + 1;
  std::vector<double> day_weight(span_days);
  for (int i = 0; i < span_days; ++i) {
    int day = history_start + i;
    Date date = FromDayNumber(day);
    FiscalPeriod quarter = PeriodContaining(date, PeriodKind::kQuarter, start_month);
    int quarter_last = DayNumber(RangeOf(quarter, start_month).last);
    int month_of_quarter = (FiscalMonthOf(date, start_month) - 1) % 3;
    double w = std::exp(std::log1p(growth) * (day - history_start) / 365.25);
    w *= kQuarterSeason[quarter.index - 1] * kMonthOfQuarter[month_of_quarter];
    if (quarter_last - day < kQuarterEndDays) w *= kQuarterEndBoost;
    unsigned weekday = std::chrono::weekday(std::chrono::sys_days(date)).c_encoding();
    if (weekday == 0 || weekday == 6) w *= 0.15;
    // Later close dates have less pipeline yet: many of those deals have not been created.
    if (day > as_of) w *= 1.0 - 0.65 * (day - as_of) / std::max(1, horizon_end - as_of);
    day_weight[i] = w;
  }
  const std::vector<double> day_cumulative = Cumulative(day_weight);

  std::vector<double> product_weights;
  for (const ProductSpec& p : kProducts) product_weights.push_back(p.share);
  const std::vector<double> product_cumulative = Cumulative(product_weights);

  // Stage mixes of open deals by how far away their close date is.
  const std::vector<double> slipped_stages = Cumulative({0, 0, 0.2, 0.4, 0.4});
  const std::vector<double> near_stages = Cumulative({0.05, 0.10, 0.20, 0.30, 0.35});
  const std::vector<double> mid_stages = Cumulative({0.12, 0.20, 0.28, 0.25, 0.15});
  const std::vector<double> far_stages = Cumulative({0.30, 0.30, 0.22, 0.12, 0.06});

  std::vector<Deal> deals;
  deals.reserve(static_cast<size_t>(deal_count));
  std::vector<double> rep_cumulative(reps.size());
  for (int64_t serial = 0; serial < deal_count; ++serial) {
    Deal deal;
    deal.serial = static_cast<int>(serial);
    deal.close = history_start + deal_rng.Pick(day_cumulative);
    deal.product = deal_rng.Pick(product_cumulative);
    const ProductSpec& product = kProducts[deal.product];

    double major = std::exp(std::log(product.median) + product.sigma * deal_rng.Normal());
    deal.major_units = major < 10000 ? std::max<int64_t>(500, std::llround(major))
                                     : std::llround(major / 100) * 100;

    double u = deal_rng.Uniform();
    int cycle = product.long_cycle ? 45 + static_cast<int>(135 * std::pow(u, 0.8))
                                   : 30 + static_cast<int>(150 * std::pow(u, 1.4));
    deal.created = deal.close - cycle;
    if (deal.created > as_of) deal.created = as_of - deal_rng.Index(45);

    bool slipped = deal.close <= as_of && as_of - deal.close < kSlipWindowDays &&
                   deal_rng.Uniform() < kSlipShare;
    bool open = deal.close > as_of || slipped;

    // The owner: employed when the deal was created and, for closed deals, when it closed; open
    // deals belong to reps still employed. New reps get fewer deals while they ramp (6 months).
    double total = 0;
    for (size_t r = 0; r < reps.size(); ++r) {
      const RepPlan& rep = reps[r];
      bool eligible = rep.hire_day <= deal.created &&
                      (open ? rep.end_day == std::numeric_limits<int>::max()
                            : deal.close <= rep.end_day);
      if (eligible) {
        total += rep.productivity * std::min(1.0, (deal.created - rep.hire_day + 30) / 180.0);
      }
      rep_cumulative[r] = total;
    }
    deal.rep = total > 0 ? deal_rng.Pick(rep_cumulative) : 0;
    const RepPlan& owner = reps[deal.rep];

    int pool = account_count[owner.territory];
    deal.account = account_offset[owner.territory] +
                   std::min(pool - 1, static_cast<int>(pool * std::pow(deal_rng.Uniform(), 1.6)));

    if (!open) {
      double win_rate =
          std::clamp(kBaseWinRate * owner.win_factor * product.win_factor, 0.03, 0.6);
      deal.stage = deal_rng.Uniform() < win_rate ? kWon : kLost;
    } else {
      int days_to_close = deal.close - as_of;
      const std::vector<double>& mix = days_to_close <= 0   ? slipped_stages
                                       : days_to_close <= 30 ? near_stages
                                       : days_to_close <= 90 ? mid_stages
                                                             : far_stages;
      deal.stage = static_cast<Stage>(deal_rng.Pick(mix));
      // Young deals cannot be far along yet.
      int age = as_of - deal.created;
      Stage furthest = age < 14 ? kQualification : age < 30 ? kNeedsAnalysis
                                                : age < 60 ? kProposal : kNegotiation;
      deal.stage = std::min(deal.stage, furthest);
    }
    deals.push_back(deal);
  }

  std::sort(deals.begin(), deals.end(), [](const Deal& a, const Deal& b) {
    return std::tie(a.created, a.close, a.serial) < std::tie(b.created, b.close, b.serial);
  });

  const int id_width = std::max<int>(6, static_cast<int>(std::to_string(deal_count).size()));
  int64_t minor_per_major = 1;
  for (int i = 0; i < CurrencyMinorDigits(options.currency); ++i) minor_per_major *= 10;
  std::vector<std::string> account_names(account_offset.back() + account_count.back());
  for (size_t i = 0; i < account_names.size(); ++i) account_names[i] = AccountName(static_cast<int>(i));
  const std::vector<StageInfo>& stages = DemoStages();

  company.opportunities.reserve(deals.size());
  for (size_t i = 0; i < deals.size(); ++i) {
    const Deal& deal = deals[i];
    const StageInfo& stage = stages[deal.stage];
    v1::Opportunity opp;
    opp.set_id(absl::StrFormat("OPP-%0*d", id_width, static_cast<int64_t>(i + 1)));
    opp.set_account_id(account_names[deal.account]);
    opp.set_owner_rep_id(reps[deal.rep].id);
    opp.set_territory_id(kTerritories[reps[deal.rep].territory].id);
    opp.set_product(kProducts[deal.product].name);
    opp.mutable_amount()->set_currency_code(options.currency);
    opp.mutable_amount()->set_minor_units(deal.major_units * minor_per_major);
    opp.set_stage(stage.name);
    opp.set_probability(stage.probability_pct / 100.0);
    opp.set_forecast_category(stage.category);
    *opp.mutable_created_date() = ToProto(FromDayNumber(deal.created));
    *opp.mutable_close_date() = ToProto(FromDayNumber(deal.close));
    opp.set_closed(deal.stage == kWon || deal.stage == kLost);
    opp.set_won(deal.stage == kWon);
    company.opportunities.push_back(std::move(opp));
  }

  auto history = std::make_shared<DemoHistory>();
  history->complete_from = FromDayNumber(history_start);
  history->opportunities.reserve(deals.size());
  for (const Deal& deal : deals) {
    history->opportunities.push_back(
        MakeHistory(deal, as_of, start_month, minor_per_major, options.seed));
  }
  company.history = std::move(history);
  return company;
}

int OpportunityHistory::OpenStageOn(int day) const {
  int stage = 0;
  while (stage + 1 < kOpenStages && stage_entered[stage + 1] <= day) ++stage;
  return stage;
}

int OpportunityHistory::ExpectedCloseOn(int day) const {
  int i = 0;
  while (i + 1 < close_date_count && close_dates[i + 1].from <= day) ++i;
  return static_cast<int>(close_dates[i].value);
}

int64_t OpportunityHistory::AmountOn(int day) const {
  int i = 0;
  while (i + 1 < amount_count && amounts[i + 1].from <= day) ++i;
  return amounts[i].value;
}

absl::StatusOr<DemoCompany> CompanyAsOf(const DemoCompany& company, Date date) {
  if (!date.ok()) return absl::InvalidArgumentError("date: not a valid date");
  const Date as_of = FromProtoDate(company.header.as_of());
  if (!as_of.ok()) {
    return absl::FailedPreconditionError("the company has no as-of date (header.as_of)");
  }
  if (date > as_of) {
    return absl::InvalidArgumentError(absl::StrCat("date: ", FormatDate(date),
                                                   " is after the company's as-of date ",
                                                   FormatDate(as_of), "; its future is unknown"));
  }
  const DemoHistory* history = company.history.get();
  if (date < as_of &&
      (history == nullptr || history->opportunities.size() < company.opportunities.size())) {
    return absl::FailedPreconditionError(
        "the company has no history of its opportunities (only generated companies have one)");
  }
  if (history != nullptr && date < history->complete_from) {
    return absl::OutOfRangeError(absl::StrCat(
        "date: ", FormatDate(date), " is before the generated history starts (",
        FormatDate(history->complete_from), "): deals closed before then were never generated"));
  }
  const int day = DayNumber(date);

  DemoCompany view;
  view.header = company.header;
  *view.header.mutable_as_of() = ToProto(date);
  view.territories = company.territories;
  view.history = company.history;
  view.reps.reserve(company.reps.size());
  for (const v1::Rep& rep : company.reps) {
    if (IsSet(rep.hire_date()) && FromProtoDate(rep.hire_date()) > date) continue;
    view.reps.push_back(rep);
    if (IsSet(rep.end_date()) && FromProtoDate(rep.end_date()) > date) {
      view.reps.back().clear_end_date();
    }
  }
  if (date == as_of) {
    view.opportunities = company.opportunities;
    return view;
  }

  // Opportunities are sorted by created date (ids grow with it), so those created by `day` are a
  // prefix; their histories are at the same indexes.
  const std::vector<StageInfo>& stages = DemoStages();
  const std::vector<OpportunityHistory>& histories = history->opportunities;
  const size_t count = static_cast<size_t>(
      std::upper_bound(histories.begin(), histories.begin() + company.opportunities.size(), day,
                       [](int d, const OpportunityHistory& h) { return d < h.created; }) -
      histories.begin());
  view.opportunities.reserve(count);
  for (size_t i = 0; i < company.opportunities.size(); ++i) {
    const OpportunityHistory& h = histories[i];
    const v1::Opportunity& final_state = company.opportunities[i];
    if (h.created > day) break;
    if (DayNumber(FromProtoDate(final_state.created_date())) != h.created) {
      return absl::FailedPreconditionError(
          absl::StrCat("opportunity ", final_state.id(),
                       " does not match its history (the company was modified after generation)"));
    }
    view.opportunities.push_back(final_state);
    if (h.closed_on <= day) continue;
    v1::Opportunity& opp = view.opportunities.back();
    const StageInfo& stage = stages[h.OpenStageOn(day)];
    opp.set_stage(stage.name);
    opp.set_probability(stage.probability_pct / 100.0);
    opp.set_forecast_category(stage.category);
    opp.mutable_amount()->set_minor_units(h.AmountOn(day));
    *opp.mutable_close_date() = ToProto(FromDayNumber(h.ExpectedCloseOn(day)));
    opp.set_closed(false);
    opp.set_won(false);
  }
  return view;
}

SnapshotSource DemoSnapshotSource(const DemoCompany& company) {
  return [&company](Date date) -> absl::StatusOr<OwnedSnapshot> {
    absl::StatusOr<DemoCompany> view = CompanyAsOf(company, date);
    if (absl::IsOutOfRange(view.status())) return absl::NotFoundError(view.status().message());
    if (!view.ok()) return view.status();
    return OwnedSnapshot{date, std::move(view->opportunities)};
  };
}

std::vector<Date> WeeklySnapshotDates(Date as_of, int weeks) {
  std::vector<Date> dates;
  if (!as_of.ok()) return dates;
  for (int k = 1; k <= weeks; ++k) dates.push_back(FromDayNumber(DayNumber(as_of) - 7 * k));
  return dates;
}

absl::StatusOr<int> WritePastSnapshots(const DemoCompany& company, const std::vector<Date>& dates,
                                       const std::string& directory) {
  int written = 0;
  for (Date date : dates) {
    absl::StatusOr<DemoCompany> view = CompanyAsOf(company, date);
    if (absl::IsOutOfRange(view.status())) continue;
    if (!view.ok()) return view.status();
    std::string path = (std::filesystem::path(directory) / FormatDate(date)).string();
    if (absl::Status s = WriteCrmExport(*view, path); !s.ok()) return s;
    ++written;
  }
  return written;
}

}  // namespace salesops::salesctl
