#include "tools/salesctl/demo_data.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

DemoOptions Options() {
  DemoOptions o;
  o.as_of = D(2026, 11, 27);  // FY2027 Q4 with a February fiscal year
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

Date ToDate(const v1::Date& d) { return FromProtoDate(d); }

// FNV-1a over the serialized entities: a fingerprint that is the same on every machine.
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

TEST(DemoDataTest, RejectsBadOptions) {
  DemoOptions o = Options();
  o.as_of = Date{};
  EXPECT_THAT(GenerateDemoCompany(o).status().message(), HasSubstr("as_of"));
  o = Options();
  o.fiscal_start_month = 13;
  EXPECT_THAT(GenerateDemoCompany(o).status().message(), HasSubstr("fiscal_start_month"));
  o = Options();
  o.currency = "usd";
  EXPECT_THAT(GenerateDemoCompany(o).status().message(), HasSubstr("currency"));
  o = Options();
  o.history_years = 0;
  EXPECT_THAT(GenerateDemoCompany(o).status().message(), HasSubstr("history_years"));
  for (double scale : {0.0, -1.0, 1e9, std::nan("")}) {
    o = Options();
    o.scale = scale;
    absl::StatusOr<DemoCompany> c = GenerateDemoCompany(o);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << scale;
    EXPECT_THAT(c.status().message(), HasSubstr("scale"));
  }
}

TEST(DemoDataTest, SameOptionsSameCompany) {
  absl::StatusOr<DemoCompany> again = GenerateDemoCompany(Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Fingerprint(*again), Fingerprint(Company()));

  DemoOptions other = Options();
  other.seed = 7;
  absl::StatusOr<DemoCompany> different = GenerateDemoCompany(other);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(Fingerprint(*different), Fingerprint(Company()));
  // The hierarchy does not depend on the seed; the people and deals do.
  ASSERT_EQ(different->territories.size(), Company().territories.size());
  for (size_t i = 0; i < different->territories.size(); ++i) {
    EXPECT_EQ(different->territories[i].SerializeAsString(),
              Company().territories[i].SerializeAsString());
  }
}

// Recorded from a run: these change only when the generator does (which breaks everyone's demo
// data and benchmarks, so it should be deliberate).
TEST(DemoDataTest, RecordedFingerprint) {
  const DemoCompany& c = Company();
  ASSERT_EQ(c.opportunities.size(), 5000u);
  int64_t won = 0, won_amount = 0;
  for (const auto& o : c.opportunities) {
    if (o.won()) {
      ++won;
      won_amount += o.amount().minor_units();
    }
  }
  EXPECT_EQ(c.reps[0].name(), "Aaron Tanaka");
  EXPECT_EQ(c.opportunities[0].account_id(), "Silver Freight Group");
  EXPECT_EQ(won, 1043);
  EXPECT_EQ(won_amount, 6002638400);
  EXPECT_EQ(Fingerprint(c), 13553432642727163056u);
}

TEST(DemoDataTest, Header) {
  const v1::SnapshotHeader& h = Company().header;
  EXPECT_EQ(ToDate(h.as_of()), D(2026, 11, 27));
  EXPECT_EQ(h.currency_code(), "USD");
  EXPECT_EQ(h.calendar().start_month(), 2);
  EXPECT_THAT(h.source(), HasSubstr("seed 42"));
}

TEST(DemoDataTest, Hierarchy) {
  const DemoCompany& c = Company();
  std::map<std::string, std::string> parent;
  std::map<std::string, int> children;
  int roots = 0;
  for (const auto& t : c.territories) {
    EXPECT_TRUE(parent.emplace(t.id(), t.parent_id()).second) << "duplicate " << t.id();
    if (t.parent_id().empty()) ++roots;
    ++children[t.parent_id()];
  }
  EXPECT_EQ(roots, 1);
  EXPECT_EQ(c.territories[0].id(), "ACME");
  EXPECT_EQ(c.territories[0].name(), "Acme Cloud");
  EXPECT_EQ(children["ACME"], 4);  // regions
  int leaves = 0;
  for (const auto& t : c.territories) {
    if (!t.parent_id().empty()) {
      EXPECT_TRUE(parent.count(t.parent_id())) << t.id();
    }
    if (children[t.id()] == 0) {
      ++leaves;
      EXPECT_EQ(t.level(), "territory");
      // Every leaf is two levels below the root.
      EXPECT_EQ(parent[parent[t.id()]], "ACME") << t.id();
    }
  }
  EXPECT_EQ(leaves, 13);
}

TEST(DemoDataTest, Reps) {
  const DemoCompany& c = Company();
  ASSERT_EQ(c.reps.size(), 40u);
  std::set<std::string> territory_ids, names;
  for (const auto& t : c.territories) territory_ids.insert(t.id());
  const int as_of = DayNumber(D(2026, 11, 27));
  int ramping = 0, left = 0;
  for (size_t i = 0; i < c.reps.size(); ++i) {
    const v1::Rep& r = c.reps[i];
    if (i > 0) {
      EXPECT_LT(c.reps[i - 1].id(), r.id());
    }
    EXPECT_THAT(r.id(), ::testing::MatchesRegex("U[0-9]{4}"));
    EXPECT_TRUE(territory_ids.count(r.territory_id())) << r.id();
    EXPECT_TRUE(names.insert(r.name()).second) << "two reps named " << r.name();
    ASSERT_TRUE(IsSet(r.hire_date()));
    int hired = DayNumber(ToDate(r.hire_date()));
    EXPECT_LE(hired, as_of);
    if (as_of - hired < 183) ++ramping;
    if (IsSet(r.end_date())) {
      ++left;
      EXPECT_LT(DayNumber(ToDate(r.end_date())), as_of);
      EXPECT_GT(DayNumber(ToDate(r.end_date())), hired);
    }
  }
  EXPECT_GE(ramping, 2);
  EXPECT_LE(ramping, 5);
  EXPECT_GE(left, 1);
  EXPECT_LE(left, 2);
}

TEST(DemoDataTest, OpportunitiesAreConsistent) {
  const DemoCompany& c = Company();
  std::map<std::string, const v1::Rep*> reps;
  for (const auto& r : c.reps) reps[r.id()] = &r;
  std::map<std::string, const StageInfo*> stages;
  for (const StageInfo& s : DemoStages()) stages[s.name] = &s;
  const Date as_of = D(2026, 11, 27);
  // Open pipeline runs to the end of the second quarter after the current one: FY2028 Q2.
  const Date horizon = RangeOf(FiscalPeriod{PeriodKind::kQuarter, 2028, 2}, 2).last;
  int slipped = 0, open = 0;
  for (size_t i = 0; i < c.opportunities.size(); ++i) {
    const v1::Opportunity& o = c.opportunities[i];
    SCOPED_TRACE(o.id());
    if (i > 0) {
      EXPECT_LT(c.opportunities[i - 1].id(), o.id());
    }
    EXPECT_THAT(o.id(), ::testing::MatchesRegex("OPP-[0-9]{6}"));
    ASSERT_TRUE(reps.count(o.owner_rep_id()));
    const v1::Rep& owner = *reps[o.owner_rep_id()];
    EXPECT_EQ(o.territory_id(), owner.territory_id());
    EXPECT_FALSE(o.account_id().empty());
    EXPECT_EQ(o.amount().currency_code(), "USD");
    EXPECT_GT(o.amount().minor_units(), 0);
    EXPECT_EQ(o.amount().minor_units() % 100, 0);
    ASSERT_TRUE(stages.count(o.stage()));
    EXPECT_EQ(o.probability(), stages[o.stage()]->probability_pct / 100.0);
    EXPECT_EQ(o.forecast_category(), stages[o.stage()]->category);
    EXPECT_EQ(o.closed(), o.stage() == "Closed Won" || o.stage() == "Closed Lost");
    EXPECT_EQ(o.won(), o.stage() == "Closed Won");
    Date created = ToDate(o.created_date()), close = ToDate(o.close_date());
    ASSERT_TRUE(created.ok() && close.ok());
    EXPECT_LE(created, close);
    EXPECT_LE(created, as_of);
    EXPECT_GE(created, ToDate(owner.hire_date()));
    if (o.closed()) {
      EXPECT_LE(close, as_of);
      int cycle = DayNumber(close) - DayNumber(created);
      EXPECT_GE(cycle, 30);
      EXPECT_LE(cycle, 180);
      if (IsSet(owner.end_date())) {
        EXPECT_LE(close, ToDate(owner.end_date()));
      }
    } else {
      ++open;
      EXPECT_FALSE(IsSet(owner.end_date())) << "open deal owned by a rep who left";
      EXPECT_LE(close, horizon);
      if (close < as_of) ++slipped;
    }
  }
  EXPECT_GT(open, 300);
  EXPECT_GT(slipped, 5);
  EXPECT_LT(slipped, open / 5);
}

TEST(DemoDataTest, WinRateAroundAQuarterAndVariesByRep) {
  std::map<std::string, std::pair<int, int>> by_rep;  // won, closed
  int won = 0, closed = 0;
  for (const auto& o : Company().opportunities) {
    if (!o.closed()) continue;
    ++closed;
    won += o.won();
    by_rep[o.owner_rep_id()].first += o.won();
    by_rep[o.owner_rep_id()].second += 1;
  }
  double rate = static_cast<double>(won) / closed;
  EXPECT_GT(rate, 0.20);
  EXPECT_LT(rate, 0.30);
  double lo = 1, hi = 0;
  for (const auto& [rep, counts] : by_rep) {
    if (counts.second < 50) continue;
    double r = static_cast<double>(counts.first) / counts.second;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  EXPECT_GT(hi - lo, 0.12);
}

TEST(DemoDataTest, SeasonalityGrowthAndQuarterEndSpike) {
  std::map<int, std::array<int64_t, 4>> bookings;  // fiscal year -> per quarter
  int64_t won = 0, quarter_end = 0;
  for (const auto& o : Company().opportunities) {
    if (!o.won()) continue;
    Date close = ToDate(o.close_date());
    FiscalPeriod q = PeriodContaining(close, PeriodKind::kQuarter, 2);
    bookings[q.fiscal_year][q.index - 1] += o.amount().minor_units();
    ++won;
    if (DayNumber(RangeOf(q, 2).last) - DayNumber(close) < 14) ++quarter_end;
  }
  // History: FY2025 and FY2026 complete, FY2027 up to as_of.
  ASSERT_EQ(bookings.size(), 3u);
  EXPECT_EQ(bookings.begin()->first, 2025);
  for (int fy : {2025, 2026}) {
    const auto& q = bookings[fy];
    EXPECT_GT(q[3], q[0]) << "FY" << fy << ": Q4 should beat Q1";
    EXPECT_GT(q[3], q[1]) << "FY" << fy;
    EXPECT_GT(q[3], q[2]) << "FY" << fy;
  }
  auto total = [&](int fy) {
    const auto& q = bookings[fy];
    return q[0] + q[1] + q[2] + q[3];
  };
  double growth = static_cast<double>(total(2026)) / total(2025) - 1;
  EXPECT_GT(growth, 0.05);
  EXPECT_LT(growth, 0.45);
  // 14 of ~91 days is 15%; the quarter-end rush roughly doubles that.
  double share = static_cast<double>(quarter_end) / won;
  EXPECT_GT(share, 0.30) << share;
}

TEST(DemoDataTest, ProductsHaveDifferentDealSizes) {
  std::map<std::string, std::vector<int64_t>> sizes;
  for (const auto& o : Company().opportunities) sizes[o.product()].push_back(o.amount().minor_units());
  ASSERT_EQ(sizes.size(), 4u);
  auto median = [&](const std::string& product) {
    auto v = sizes[product];
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  EXPECT_GT(median("Platform"), median("Analytics"));
  EXPECT_GT(median("Analytics"), median("Services"));
  EXPECT_GT(median("Services"), median("Support"));
}

TEST(DemoDataTest, ScaleSetsTheOpportunityCount) {
  DemoOptions o = Options();
  o.scale = 20;
  absl::StatusOr<DemoCompany> big = GenerateDemoCompany(o);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->opportunities.size(), 100000u);
  EXPECT_EQ(big->reps.size(), 40u);
  EXPECT_EQ(big->opportunities.back().id(), "OPP-100000");

  o.scale = 0.0001;
  absl::StatusOr<DemoCompany> tiny = GenerateDemoCompany(o);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->opportunities.size(), 1u);

}

TEST(DemoDataTest, OtherCalendarsCurrenciesAndHistories) {
  DemoOptions o;
  o.as_of = D(2025, 1, 3);  // the first days of a calendar fiscal year
  o.fiscal_start_month = 1;
  o.currency = "JPY";
  o.history_years = 1;
  absl::StatusOr<DemoCompany> c = GenerateDemoCompany(o);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->header.calendar().start_month(), 1);
  for (const auto& opp : c->opportunities) {
    SCOPED_TRACE(opp.id());
    EXPECT_EQ(opp.amount().currency_code(), "JPY");
    if (opp.closed()) {
      EXPECT_LE(ToDate(opp.close_date()), o.as_of);
      EXPECT_GE(ToDate(opp.close_date()), D(2025, 1, 1));
    }
  }
  for (const auto& r : c->reps) EXPECT_LE(ToDate(r.hire_date()), o.as_of) << r.id();
}

TEST(DemoDataTest, CurrencyDigits) {
  EXPECT_EQ(CurrencyMinorDigits("USD"), 2);
  EXPECT_EQ(CurrencyMinorDigits("EUR"), 2);
  EXPECT_EQ(CurrencyMinorDigits("JPY"), 0);
  EXPECT_EQ(CurrencyMinorDigits("KWD"), 3);
}

TEST(DemoDataTest, ProtoDates) {
  EXPECT_EQ(FromProtoDate(ToProto(D(2024, 2, 29))), D(2024, 2, 29));
  EXPECT_FALSE(FromProtoDate(v1::Date()).ok());
  v1::Date bad;
  bad.set_year(2025);
  bad.set_month(2);
  bad.set_day(30);
  EXPECT_FALSE(FromProtoDate(bad).ok());
}

}  // namespace
}  // namespace salesops::salesctl
