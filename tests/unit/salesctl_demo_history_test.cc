// The demo company's past: CompanyAsOf views are deterministic, consistent with the final state
// and with each other, and the deals slip and win at realistic rates.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/landing_history.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
Date ToDate(const v1::Date& d) { return FromProtoDate(d); }
int Day(const v1::Date& d) { return DayNumber(FromProtoDate(d)); }

const Date kAsOf = D(2026, 11, 27);  // FY2027 Q4 with a February fiscal year

DemoOptions Options() {
  DemoOptions o;
  o.as_of = kAsOf;
  return o;
}

const DemoCompany& Company() {
  static const DemoCompany* company = [] {
    absl::StatusOr<DemoCompany> c = GenerateDemoCompany(Options());
    EXPECT_TRUE(c.ok()) << c.status();
    return new DemoCompany(std::move(*c));
  }();
  return *company;
}

DemoCompany View(const DemoCompany& c, Date date) {
  absl::StatusOr<DemoCompany> view = CompanyAsOf(c, date);
  EXPECT_TRUE(view.ok()) << view.status();
  return view.ok() ? std::move(*view) : DemoCompany{};
}

// FNV-1a over the serialized entities (as in salesctl_demo_data_test).
uint64_t Fingerprint(const DemoCompany& c) {
  uint64_t h = 1469598103934665603ull;
  auto add = [&](const std::string& bytes) {
    for (unsigned char b : bytes) h = (h ^ b) * 1099511628211ull;
  };
  add(c.header.SerializeAsString());
  for (const auto& t : c.territories) add(t.SerializeAsString());
  for (const auto& r : c.reps) add(r.SerializeAsString());
  for (const auto& o : c.opportunities) add(o.SerializeAsString());
  return h;
}

int StageIndex(const std::string& name) {
  const auto& stages = DemoStages();
  for (size_t i = 0; i < stages.size(); ++i) {
    if (name == stages[i].name) return static_cast<int>(i);
  }
  return -1;
}

// Weekly dates from `first` to `last`.
std::vector<Date> Weekly(Date first, Date last) {
  std::vector<Date> dates;
  for (int d = DayNumber(first); d <= DayNumber(last); d += 7) dates.push_back(FromDayNumber(d));
  return dates;
}

TEST(DemoHistoryTest, EveryOpportunityHasAHistory) {
  const DemoCompany& c = Company();
  ASSERT_NE(c.history, nullptr);
  ASSERT_EQ(c.history->opportunities.size(), c.opportunities.size());
  EXPECT_EQ(c.history->complete_from, D(2024, 2, 1));  // FY2025, two years before FY2027
  const int as_of = DayNumber(kAsOf);
  for (size_t i = 0; i < c.opportunities.size(); ++i) {
    const v1::Opportunity& o = c.opportunities[i];
    const OpportunityHistory& h = c.history->opportunities[i];
    SCOPED_TRACE(o.id());
    EXPECT_EQ(h.created, Day(o.created_date()));
    EXPECT_EQ(h.stage_entered[0], h.created);
    // Stages in order, none skipped: entered days non-decreasing up to the last one reached.
    int reached = 0;
    while (reached + 1 < OpportunityHistory::kOpenStages &&
           h.stage_entered[reached + 1] != OpportunityHistory::kNever) {
      EXPECT_LE(h.stage_entered[reached], h.stage_entered[reached + 1]);
      ++reached;
    }
    for (int j = reached + 1; j < OpportunityHistory::kOpenStages; ++j) {
      EXPECT_EQ(h.stage_entered[j], OpportunityHistory::kNever);
    }
    // Expected close dates only move later, each push made before the new date.
    ASSERT_GE(h.close_date_count, 1);
    EXPECT_EQ(h.close_dates[0].from, h.created);
    EXPECT_GT(h.close_dates[0].value, h.created);
    for (int k = 1; k < h.close_date_count; ++k) {
      EXPECT_LT(h.close_dates[k - 1].from, h.close_dates[k].from);
      EXPECT_LT(h.close_dates[k - 1].value, h.close_dates[k].value);
      EXPECT_LT(h.close_dates[k].from, h.close_dates[k].value);
    }
    ASSERT_GE(h.amount_count, 1);
    EXPECT_EQ(h.amounts[0].from, h.created);
    EXPECT_EQ(h.amounts[h.amount_count - 1].value, o.amount().minor_units());
    for (int k = 1; k < h.amount_count; ++k) EXPECT_LT(h.amounts[k - 1].from, h.amounts[k].from);
    if (o.closed()) {
      EXPECT_EQ(h.closed_on, Day(o.close_date()));
      EXPECT_LT(h.stage_entered[reached], h.closed_on);
      EXPECT_LT(h.close_dates[h.close_date_count - 1].from, h.closed_on);
      if (o.won()) {
        EXPECT_GE(reached, 2) << "won deals get past Needs Analysis";
      }
    } else {
      EXPECT_EQ(h.closed_on, OpportunityHistory::kNever);
      EXPECT_EQ(StageIndex(o.stage()), reached);
      EXPECT_LE(h.stage_entered[reached], as_of);
      EXPECT_EQ(h.close_dates[h.close_date_count - 1].value, Day(o.close_date()));
      EXPECT_LE(h.close_dates[h.close_date_count - 1].from, as_of);
    }
  }
}

TEST(DemoHistoryTest, SameOptionsSameHistory) {
  absl::StatusOr<DemoCompany> again = GenerateDemoCompany(Options());
  ASSERT_TRUE(again.ok());
  for (Date d : {D(2024, 6, 3), D(2025, 10, 31), D(2026, 8, 14)}) {
    EXPECT_EQ(Fingerprint(View(*again, d)), Fingerprint(View(Company(), d))) << FormatDate(d);
  }
  DemoOptions other = Options();
  other.seed = 7;
  absl::StatusOr<DemoCompany> different = GenerateDemoCompany(other);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(Fingerprint(View(*different, D(2026, 8, 14))), Fingerprint(View(Company(), D(2026, 8, 14))));
}

TEST(DemoHistoryTest, ViewOnTheAsOfDateIsTheCompany) {
  const DemoCompany& c = Company();
  DemoCompany view = View(c, kAsOf);
  EXPECT_EQ(Fingerprint(view), Fingerprint(c));
  // Also the long way round: an earlier-looking path through the history gives the same deals.
  absl::StatusOr<DemoCompany> copy = CompanyAsOf(view, kAsOf);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(Fingerprint(*copy), Fingerprint(c));
}

TEST(DemoHistoryTest, HeaderRepsAndErrors) {
  const DemoCompany& c = Company();
  const Date d = D(2025, 12, 1);
  DemoCompany view = View(c, d);
  EXPECT_EQ(ToDate(view.header.as_of()), d);
  EXPECT_EQ(view.header.currency_code(), "USD");
  EXPECT_EQ(view.header.calendar().start_month(), 2);
  EXPECT_EQ(view.territories.size(), c.territories.size());
  std::set<std::string> rep_ids;
  int hired_later = 0, left_later = 0, left_before = 0;
  for (const v1::Rep& r : c.reps) {
    if (ToDate(r.hire_date()) > d) ++hired_later;
    if (IsSet(r.end_date()) && ToDate(r.end_date()) > d) ++left_later;
    if (IsSet(r.end_date()) && ToDate(r.end_date()) <= d) ++left_before;
  }
  EXPECT_GT(hired_later, 0);
  EXPECT_GT(left_later, 0);
  EXPECT_EQ(view.reps.size(), c.reps.size() - hired_later);
  int shown_left = 0;
  for (const v1::Rep& r : view.reps) {
    rep_ids.insert(r.id());
    EXPECT_LE(ToDate(r.hire_date()), d) << r.id();
    if (IsSet(r.end_date())) {
      ++shown_left;
      EXPECT_LE(ToDate(r.end_date()), d) << r.id();
    }
  }
  EXPECT_EQ(shown_left, left_before);
  for (const v1::Opportunity& o : view.opportunities) {
    EXPECT_TRUE(rep_ids.count(o.owner_rep_id())) << o.id() << " owned by a rep not in the view";
  }

  EXPECT_EQ(CompanyAsOf(c, D(2026, 11, 28)).status().code(), absl::StatusCode::kInvalidArgument);
  // Before the generated history starts the view would be incomplete: refused.
  EXPECT_EQ(CompanyAsOf(c, D(2024, 1, 31)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(CompanyAsOf(c, D(2024, 2, 1)).ok());
  absl::StatusOr<OwnedSnapshot> early = DemoSnapshotSource(c)(D(2024, 1, 31));
  EXPECT_EQ(early.status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<OwnedSnapshot> snapshot = DemoSnapshotSource(c)(d);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->as_of, d);
  EXPECT_EQ(snapshot->opportunities.size(), view.opportunities.size());
  EXPECT_EQ(CompanyAsOf(c, Date{}).status().code(), absl::StatusCode::kInvalidArgument);
  DemoCompany no_history = c;
  no_history.history.reset();
  EXPECT_EQ(CompanyAsOf(no_history, d).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(CompanyAsOf(no_history, kAsOf).ok());
  // A view cannot see past its own date, but can give earlier ones.
  EXPECT_FALSE(CompanyAsOf(view, D(2026, 1, 1)).ok());
  EXPECT_EQ(Fingerprint(View(view, D(2025, 6, 1))), Fingerprint(View(c, D(2025, 6, 1))));
  // A company whose deals no longer match the history is refused rather than misread.
  DemoCompany modified = c;
  modified.opportunities.erase(modified.opportunities.begin());
  EXPECT_EQ(CompanyAsOf(modified, d).status().code(), absl::StatusCode::kFailedPrecondition);
}

// Weekly views over the whole history: no deal before its creation, closed deals stay closed the
// same way, open deals move forward through the stages and only push their dates later.
TEST(DemoHistoryTest, ViewsAreConsistentOverTime) {
  const DemoCompany& c = Company();
  std::map<std::string, const v1::Opportunity*> final_state;
  for (const auto& o : c.opportunities) final_state[o.id()] = &o;
  std::map<std::string, v1::Opportunity> previous;
  const std::vector<Date> dates = Weekly(D(2024, 2, 2), kAsOf);
  int64_t open_seen = 0, past_due = 0, amount_differs = 0, close_differs = 0;
  for (Date d : dates) {
    SCOPED_TRACE(FormatDate(d));
    DemoCompany view = View(c, d);
    int expected_count = 0;
    for (const auto& o : c.opportunities) expected_count += ToDate(o.created_date()) <= d;
    ASSERT_EQ(static_cast<int>(view.opportunities.size()), expected_count);
    for (const v1::Opportunity& o : view.opportunities) {
      SCOPED_TRACE(o.id());
      const v1::Opportunity& last = *final_state.at(o.id());
      ASSERT_LE(ToDate(o.created_date()), d);
      EXPECT_EQ(o.created_date().SerializeAsString(), last.created_date().SerializeAsString());
      EXPECT_EQ(o.owner_rep_id(), last.owner_rep_id());
      EXPECT_EQ(o.account_id(), last.account_id());
      int stage = StageIndex(o.stage());
      ASSERT_GE(stage, 0);
      EXPECT_EQ(o.probability(), DemoStages()[stage].probability_pct / 100.0);
      EXPECT_EQ(o.forecast_category(), DemoStages()[stage].category);
      EXPECT_EQ(o.closed(), stage >= 5);
      EXPECT_EQ(o.won(), stage == 5);
      if (o.closed()) {
        // Closed on or before d, exactly as in the final state.
        EXPECT_LE(ToDate(o.close_date()), d);
        EXPECT_EQ(o.SerializeAsString(), last.SerializeAsString());
      } else {
        ++open_seen;
        EXPECT_TRUE(!last.closed() || ToDate(last.close_date()) > d);
        if (ToDate(o.close_date()) < d) ++past_due;
        amount_differs += o.amount().minor_units() != last.amount().minor_units();
        close_differs += Day(o.close_date()) != Day(last.close_date());
      }
      auto it = previous.find(o.id());
      if (it != previous.end()) {
        const v1::Opportunity& before = it->second;
        if (before.closed()) {
          EXPECT_EQ(o.SerializeAsString(), before.SerializeAsString()) << "closed deals stay closed";
        } else if (!o.closed()) {
          EXPECT_GE(stage, StageIndex(before.stage())) << "stages only move forward";
          EXPECT_GE(Day(o.close_date()), Day(before.close_date())) << "pushes only move later";
        }
      }
      previous[o.id()] = o;
    }
  }
  // Some deals are past due in past views, most are not; amounts and dates change along the way.
  EXPECT_GT(past_due, open_seen / 100);
  EXPECT_LT(past_due, open_seen / 5);
  EXPECT_GT(amount_differs, open_seen / 20);
  EXPECT_GT(close_differs, open_seen / 10);
  std::cout << "open deal-weeks " << open_seen << ", past due " << past_due << ", amount revised "
            << amount_differs << ", date differs " << close_differs << "\n";
}

// Outcome statistics of the deals seen open weekly over the four quarters before as_of, each
// compared with the final company (all four periods ended before it).
struct Rates {
  std::map<v1::DealOutcome, int64_t> outcomes;
  std::map<v1::ForecastCategory, std::map<v1::DealOutcome, int64_t>> by_category;
  int64_t examples = 0;
};

const Rates& ObservedRates() {
  static const Rates* rates = [] {
    auto* r = new Rates;
    const DemoCompany& c = Company();
    // FY2027 Q4 started 2026-11-01: observe FY2026 Q4 .. FY2027 Q3.
    for (Date d : Weekly(D(2025, 11, 3), D(2026, 10, 31))) {
      DemoCompany view = View(c, d);
      DateRange period = PeriodAround(d, PeriodKind::kQuarter, 0, 2);
      absl::StatusOr<LandingObservation> obs =
          ObserveLanding({d, view.opportunities}, {kAsOf, c.opportunities}, period, "USD");
      EXPECT_TRUE(obs.ok()) << obs.status();
      for (const v1::LandingExample& e : obs->examples) {
        ++r->examples;
        ++r->outcomes[e.outcome()];
        ++r->by_category[e.deal().forecast_category()][e.outcome()];
      }
    }
    return r;
  }();
  return *rates;
}

double Share(const std::map<v1::DealOutcome, int64_t>& m, std::initializer_list<v1::DealOutcome> kinds,
             std::initializer_list<v1::DealOutcome> of) {
  int64_t num = 0, den = 0;
  for (auto k : kinds) num += m.count(k) ? m.at(k) : 0;
  for (auto k : of) den += m.count(k) ? m.at(k) : 0;
  return den == 0 ? 0 : static_cast<double>(num) / den;
}

constexpr auto kWonIn = v1::DEAL_OUTCOME_WON_IN_PERIOD;
constexpr auto kWonLater = v1::DEAL_OUTCOME_WON_LATER;
constexpr auto kLost = v1::DEAL_OUTCOME_LOST;
constexpr auto kOpen = v1::DEAL_OUTCOME_STILL_OPEN;

TEST(DemoHistoryTest, EveryOutcomeKindAppears) {
  const Rates& r = ObservedRates();
  EXPECT_GT(r.examples, 5000);
  for (auto kind : {kWonIn, kWonLater, kLost, kOpen}) {
    EXPECT_GT(r.outcomes.count(kind) ? r.outcomes.at(kind) : 0, r.examples / 100)
        << v1::DealOutcome_Name(kind);
  }
}

TEST(DemoHistoryTest, SlipAndWinRates) {
  const Rates& r = ObservedRates();
  // Of the deals expected in a period that did not end up lost, a fifth to a third slipped out of
  // it (won later or still open).
  double slip = Share(r.outcomes, {kWonLater, kOpen}, {kWonIn, kWonLater, kOpen});
  // Of all deals expected in a period, the share won in it.
  double win = Share(r.outcomes, {kWonIn}, {kWonIn, kWonLater, kLost, kOpen});
  std::cout << "examples " << r.examples << ": won in period " << r.outcomes.at(kWonIn)
            << ", won later " << r.outcomes.at(kWonLater) << ", lost " << r.outcomes.at(kLost)
            << ", still open " << r.outcomes.at(kOpen) << "; slip " << slip << ", win " << win
            << ", slipped of all "
            << Share(r.outcomes, {kWonLater, kOpen}, {kWonIn, kWonLater, kLost, kOpen}) << "\n";
  EXPECT_GT(slip, 0.20);
  EXPECT_LT(slip, 0.35);
  EXPECT_GT(win, 0.10);
  EXPECT_LT(win, 0.40);
  // Later forecast categories win more often within the period, and slip less.
  std::map<v1::ForecastCategory, double> win_by, slip_by;
  for (const auto& [category, m] : r.by_category) {
    win_by[category] = Share(m, {kWonIn}, {kWonIn, kWonLater, kLost, kOpen});
    slip_by[category] = Share(m, {kWonLater, kOpen}, {kWonIn, kWonLater, kOpen});
    std::cout << v1::ForecastCategory_Name(category) << ": win in period " << win_by[category]
              << ", slip (of not lost) " << slip_by[category] << "\n";
  }
  EXPECT_LT(win_by[v1::FORECAST_CATEGORY_PIPELINE], win_by[v1::FORECAST_CATEGORY_BEST_CASE]);
  EXPECT_LT(win_by[v1::FORECAST_CATEGORY_BEST_CASE], win_by[v1::FORECAST_CATEGORY_COMMIT]);
  EXPECT_GT(win_by[v1::FORECAST_CATEGORY_COMMIT], 0.40);
  EXPECT_LT(win_by[v1::FORECAST_CATEGORY_COMMIT], 0.85);
  EXPECT_GT(slip_by[v1::FORECAST_CATEGORY_PIPELINE], slip_by[v1::FORECAST_CATEGORY_COMMIT]);
}

TEST(DemoHistoryTest, BigDealsSlipMore) {
  const DemoCompany& c = Company();
  // Per product, deals above and below the median amount: the share with a pushed close date.
  std::map<std::string, std::vector<std::pair<int64_t, int>>> by_product;  // amount, pushes
  int64_t won = 0, won_pushed = 0, won_across_quarter = 0, pushed = 0, pushes = 0,
          across_quarter_end = 0;
  for (size_t i = 0; i < c.opportunities.size(); ++i) {
    const v1::Opportunity& o = c.opportunities[i];
    const OpportunityHistory& h = c.history->opportunities[i];
    by_product[o.product()].push_back({o.amount().minor_units(), h.Pushes()});
    pushed += h.Pushes() > 0;
    for (int k = 1; k < h.close_date_count; ++k) {
      ++pushes;
      FiscalPeriod from = PeriodContaining(FromDayNumber(static_cast<int>(h.close_dates[k - 1].value)),
                                           PeriodKind::kQuarter, 2);
      FiscalPeriod to = PeriodContaining(FromDayNumber(static_cast<int>(h.close_dates[k].value)),
                                         PeriodKind::kQuarter, 2);
      across_quarter_end += from.fiscal_year != to.fiscal_year || from.index != to.index;
    }
    if (o.won()) {
      ++won;
      won_pushed += h.Pushes() > 0;
      FiscalPeriod first = PeriodContaining(FromDayNumber(static_cast<int>(h.close_dates[0].value)),
                                            PeriodKind::kQuarter, 2);
      FiscalPeriod closed = PeriodContaining(ToDate(o.close_date()), PeriodKind::kQuarter, 2);
      won_across_quarter += first.fiscal_year * 4 + first.index != closed.fiscal_year * 4 + closed.index;
    }
  }
  int64_t big = 0, big_pushed = 0, small = 0, small_pushed = 0;
  for (auto& [product, deals] : by_product) {
    std::sort(deals.begin(), deals.end());
    for (size_t i = 0; i < deals.size(); ++i) {
      bool upper = i >= deals.size() / 2;
      (upper ? big : small) += 1;
      (upper ? big_pushed : small_pushed) += deals[i].second > 0;
    }
  }
  double big_rate = static_cast<double>(big_pushed) / big;
  double small_rate = static_cast<double>(small_pushed) / small;
  std::cout << "deals pushed at least once " << static_cast<double>(pushed) / c.opportunities.size()
            << " (bigger half " << big_rate << ", smaller half " << small_rate << "); won deals pushed "
            << static_cast<double>(won_pushed) / won << ", won in a later quarter than first expected "
            << static_cast<double>(won_across_quarter) / won << "\n";
  std::cout << pushes << " pushes, " << static_cast<double>(across_quarter_end) / pushes
            << " of them across a quarter end\n";
  EXPECT_GT(big_rate, small_rate * 1.2);
  // Pushes often move the date into a later quarter, and some deals are pushed several times.
  EXPECT_GT(across_quarter_end, pushes / 3);
  EXPECT_GT(pushes, pushed * 5 / 4);
  double across = static_cast<double>(won_across_quarter) / won;
  EXPECT_GT(across, 0.15);
  EXPECT_LT(across, 0.40);
}

TEST(DemoHistoryTest, WritesWeeklySnapshots) {
  std::vector<Date> dates = WeeklySnapshotDates(kAsOf, 52);
  ASSERT_EQ(dates.size(), 52u);
  EXPECT_EQ(dates.front(), D(2026, 11, 20));
  EXPECT_EQ(DayNumber(kAsOf) - DayNumber(dates.back()), 364);

  const std::string dir = ::testing::TempDir() + "/demo_history_snapshots";
  std::filesystem::remove_all(dir);
  std::vector<Date> two = {dates[0], dates[30]};
  absl::StatusOr<int> written = WritePastSnapshots(Company(), two, dir);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, 2);
  for (Date d : two) {
    absl::StatusOr<DemoCompany> read = ReadCrmExport(dir + "/" + FormatDate(d));
    ASSERT_TRUE(read.ok()) << read.status();
    DemoCompany view = View(Company(), d);
    EXPECT_EQ(ToDate(read->header.as_of()), d);
    ASSERT_EQ(read->opportunities.size(), view.opportunities.size());
    ASSERT_EQ(read->reps.size(), view.reps.size());
    for (size_t i = 0; i < view.opportunities.size(); ++i) {
      EXPECT_EQ(read->opportunities[i].SerializeAsString(), view.opportunities[i].SerializeAsString())
          << view.opportunities[i].id();
    }
  }
  std::filesystem::remove_all(dir);

  // With one year of history, the weeks before it starts are skipped.
  DemoOptions short_history = Options();
  short_history.history_years = 1;  // FY2027 from 2026-02-01
  absl::StatusOr<DemoCompany> young = GenerateDemoCompany(short_history);
  ASSERT_TRUE(young.ok());
  std::vector<Date> year(dates.begin(), dates.end());
  written = WritePastSnapshots(*young, year, dir);
  ASSERT_TRUE(written.ok()) << written.status();
  int expected = 0;
  for (Date d : year) expected += d >= D(2026, 2, 1);
  EXPECT_EQ(*written, expected);
  EXPECT_FALSE(std::filesystem::exists(dir + "/" + FormatDate(dates.back())));
  std::filesystem::remove_all(dir);
}

// Not asserted: prints how long views take.
TEST(DemoHistoryTest, ViewTimings) {
  for (double scale : {1.0, 20.0}) {
    DemoOptions o = Options();
    o.scale = scale;
    auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<DemoCompany> c = GenerateDemoCompany(o);
    ASSERT_TRUE(c.ok());
    auto t1 = std::chrono::steady_clock::now();
    double worst = 0, total = 0;
    int n = 0;
    for (Date d : {D(2024, 3, 1), D(2025, 5, 30), D(2026, 2, 1), D(2026, 11, 20), D(2026, 11, 26)}) {
      auto a = std::chrono::steady_clock::now();
      absl::StatusOr<DemoCompany> view = CompanyAsOf(*c, d);
      auto b = std::chrono::steady_clock::now();
      ASSERT_TRUE(view.ok());
      double ms = std::chrono::duration<double, std::milli>(b - a).count();
      worst = std::max(worst, ms);
      total += ms;
      ++n;
    }
    std::cout << "scale " << scale << " (" << c->opportunities.size() << " deals): generate "
              << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms, a past view "
              << total / n << " ms on average, " << worst << " ms at most\n";
  }
}

}  // namespace
}  // namespace salesops::salesctl
