// Landing history from snapshots: outcomes, examples, new business, and whole ForecastLanding
// requests for a date built from the demo company's past views without looking ahead.
#include "tools/salesctl/landing_history.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::salesctl {
namespace {

using ::testing::HasSubstr;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}
Date ToDate(const v1::Date& d) { return FromProtoDate(d); }

constexpr auto kWonIn = v1::DEAL_OUTCOME_WON_IN_PERIOD;
constexpr auto kWonLater = v1::DEAL_OUTCOME_WON_LATER;
constexpr auto kLost = v1::DEAL_OUTCOME_LOST;
constexpr auto kOpen = v1::DEAL_OUTCOME_STILL_OPEN;

// A hand-made opportunity.
v1::Opportunity Opp(const std::string& id, Date created, Date close, const std::string& state,
                    int64_t amount = 1000, const std::string& territory = "T1") {
  v1::Opportunity o;
  o.set_id(id);
  o.set_territory_id(territory);
  *o.mutable_amount() = MakeMoney("USD", amount);
  *o.mutable_created_date() = ToProto(created);
  *o.mutable_close_date() = ToProto(close);
  if (state == "won" || state == "lost") {
    o.set_closed(true);
    o.set_won(state == "won");
    o.set_stage(state == "won" ? "Closed Won" : "Closed Lost");
    o.set_forecast_category(state == "won" ? v1::FORECAST_CATEGORY_CLOSED : v1::FORECAST_CATEGORY_OMITTED);
  } else {
    o.set_stage(state);
    o.set_probability(0.6);
    o.set_forecast_category(state == "omitted" ? v1::FORECAST_CATEGORY_OMITTED
                                               : v1::FORECAST_CATEGORY_BEST_CASE);
  }
  return o;
}

const DateRange kQ = {D(2026, 5, 1), D(2026, 7, 31)};  // FY2027 Q2, February fiscal year

TEST(LandingHistoryTest, Outcomes) {
  const Date c = D(2026, 3, 1);
  EXPECT_EQ(OutcomeOf(nullptr, kQ), kLost);
  v1::Opportunity o = Opp("A", c, D(2026, 7, 31), "won");
  EXPECT_EQ(OutcomeOf(&o, kQ), kWonIn);
  o = Opp("A", c, D(2026, 5, 1), "won");
  EXPECT_EQ(OutcomeOf(&o, kQ), kWonIn);
  o = Opp("A", c, D(2026, 8, 1), "won");
  EXPECT_EQ(OutcomeOf(&o, kQ), kWonLater);
  o = Opp("A", c, D(2026, 4, 30), "won");  // before a future period: booked nothing in it
  EXPECT_EQ(OutcomeOf(&o, kQ), kLost);
  o = Opp("A", c, D(2026, 6, 1), "lost");
  EXPECT_EQ(OutcomeOf(&o, kQ), kLost);
  o = Opp("A", c, D(2026, 6, 1), "Proposal");
  EXPECT_EQ(OutcomeOf(&o, kQ), kOpen);
}

TEST(LandingHistoryTest, WhichDealsCount) {
  const Date c = D(2026, 3, 1), observed = D(2026, 6, 10);
  EXPECT_TRUE(ClosesBy(Opp("A", c, D(2026, 7, 31), "Proposal"), observed, kQ));
  EXPECT_TRUE(ClosesBy(Opp("A", c, D(2026, 6, 1), "Proposal"), observed, kQ));   // past due
  EXPECT_TRUE(ClosesBy(Opp("A", c, D(2026, 4, 20), "Proposal"), observed, kQ));  // long past due
  EXPECT_FALSE(ClosesBy(Opp("A", c, D(2026, 8, 1), "Proposal"), observed, kQ));
  EXPECT_FALSE(ClosesBy(Opp("A", c, D(2026, 7, 1), "omitted"), observed, kQ));
  EXPECT_FALSE(ClosesBy(Opp("A", c, D(2026, 7, 1), "won"), observed, kQ));
  EXPECT_FALSE(ClosesBy(Opp("A", c, D(2026, 7, 1), "lost"), observed, kQ));
  v1::Opportunity no_date = Opp("A", c, D(2026, 7, 1), "Proposal");
  no_date.clear_close_date();
  EXPECT_FALSE(ClosesBy(no_date, observed, kQ));
  // Observed before the period: only deals expected inside it.
  EXPECT_FALSE(ClosesBy(Opp("A", c, D(2026, 4, 20), "Proposal"), D(2026, 4, 10), kQ));
  EXPECT_TRUE(ClosesBy(Opp("A", c, D(2026, 5, 20), "Proposal"), D(2026, 4, 10), kQ));
}

TEST(LandingHistoryTest, ObservesOneDate) {
  const Date observed = D(2026, 6, 10), later = D(2026, 9, 1);
  std::vector<v1::Opportunity> past = {
      Opp("A", D(2026, 1, 5), D(2026, 6, 30), "Negotiation", 100),
      Opp("B", D(2026, 2, 5), D(2026, 7, 15), "Proposal", 200),
      Opp("C", D(2026, 2, 5), D(2026, 7, 20), "Proposal", 300),
      Opp("D", D(2026, 2, 5), D(2026, 6, 1), "Qualification", 400, "T2"),
      Opp("E", D(2026, 2, 5), D(2026, 9, 30), "Proposal", 500),   // expected after the period
      Opp("F", D(2026, 2, 5), D(2026, 5, 30), "won", 600),        // already won
      Opp("G", D(2026, 2, 5), D(2026, 7, 1), "Prospecting", 700), // deleted from the CRM later
  };
  // Unsorted on purpose: the latest snapshot is indexed by id.
  std::vector<v1::Opportunity> latest = {
      Opp("C", D(2026, 2, 5), D(2026, 7, 2), "lost", 300),
      Opp("B", D(2026, 2, 5), D(2026, 8, 20), "won", 250),
      Opp("A", D(2026, 1, 5), D(2026, 7, 28), "won", 110),
      Opp("D", D(2026, 2, 5), D(2026, 10, 1), "Proposal", 400, "T2"),
      Opp("E", D(2026, 2, 5), D(2026, 7, 30), "won", 500),
      Opp("F", D(2026, 2, 5), D(2026, 5, 30), "won", 600),
      Opp("H", D(2026, 6, 10), D(2026, 7, 10), "won", 800),   // created on the day: not new
      Opp("I", D(2026, 6, 11), D(2026, 7, 11), "won", 900),   // new business
      Opp("J", D(2026, 6, 12), D(2026, 8, 11), "won", 1000),  // new, but won after the period
      Opp("K", D(2026, 6, 12), D(2026, 7, 11), "lost", 1100),
      Opp("L", D(2026, 6, 20), D(2026, 7, 21), "won", 1200, "T2"),
  };
  absl::StatusOr<LandingObservation> obs =
      ObserveLanding({observed, past}, {later, latest}, kQ, "USD");
  ASSERT_TRUE(obs.ok()) << obs.status();
  std::map<std::string, v1::DealOutcome> outcomes;
  for (const auto& e : obs->examples) {
    outcomes[e.deal().id()] = e.outcome();
    EXPECT_EQ(ToDate(e.observed_on()), observed);
    EXPECT_EQ(ToDate(e.period_end()), kQ.last);
  }
  EXPECT_EQ(outcomes, (std::map<std::string, v1::DealOutcome>{
                          {"A", kWonIn}, {"B", kWonLater}, {"C", kLost}, {"D", kOpen}, {"G", kLost}}));
  // The deal as it was on the observation date, not as it ended.
  const v1::LandingDeal& a = obs->examples[0].deal();
  EXPECT_EQ(a.id(), "A");
  EXPECT_EQ(a.amount().minor_units(), 100);
  EXPECT_EQ(a.stage(), "Negotiation");
  EXPECT_EQ(ToDate(a.close_date()), D(2026, 6, 30));
  EXPECT_EQ(obs->new_business.won_from_new_deals().minor_units(), 900 + 1200);
  EXPECT_EQ(obs->new_business.won_from_new_deals().currency_code(), "USD");
  EXPECT_EQ(ToDate(obs->new_business.period_start()), kQ.first);
  EXPECT_EQ(ToDate(obs->new_business.period_end()), kQ.last);
  EXPECT_EQ(ToDate(obs->new_business.observed_on()), observed);

  // A filter applies to both.
  absl::StatusOr<LandingObservation> t2 = ObserveLanding(
      {observed, past}, {later, latest}, kQ, "USD", TerritoryFilter({"T2"}));
  ASSERT_TRUE(t2.ok());
  ASSERT_EQ(t2->examples.size(), 1u);
  EXPECT_EQ(t2->examples[0].deal().id(), "D");
  EXPECT_EQ(t2->new_business.won_from_new_deals().minor_units(), 1200);

  // Errors.
  EXPECT_THAT(ObserveLanding({later, past}, {observed, latest}, kQ, "USD").status().message(),
              HasSubstr("latest.as_of"));
  EXPECT_THAT(ObserveLanding({D(2026, 8, 1), past}, {later, latest}, kQ, "USD").status().message(),
              HasSubstr("period"));
  EXPECT_THAT(ObserveLanding({observed, past}, {later, latest}, kQ, "usd").status().message(),
              HasSubstr("currency_code"));
}

TEST(LandingHistoryTest, Periods) {
  EXPECT_EQ(PeriodAround(D(2026, 6, 10), PeriodKind::kQuarter, 0, 2).first, D(2026, 5, 1));
  EXPECT_EQ(PeriodAround(D(2026, 6, 10), PeriodKind::kQuarter, 0, 2).last, D(2026, 7, 31));
  EXPECT_EQ(PeriodAround(D(2026, 12, 10), PeriodKind::kQuarter, 1, 2).first, D(2027, 2, 1));
  EXPECT_EQ(PeriodAround(D(2026, 3, 10), PeriodKind::kQuarter, -1, 2).first, D(2025, 11, 1));
  EXPECT_EQ(PeriodAround(D(2026, 3, 10), PeriodKind::kQuarter, -6, 2).first, D(2024, 8, 1));
  EXPECT_EQ(PeriodAround(D(2026, 1, 10), PeriodKind::kMonth, -1, 1).first, D(2025, 12, 1));
  EXPECT_EQ(PeriodAround(D(2026, 12, 31), PeriodKind::kMonth, 1, 0).last, D(2027, 1, 31));
  EXPECT_EQ(PeriodAround(D(2026, 6, 10), PeriodKind::kYear, 1, 2).last, D(2028, 1, 31));
}

TEST(LandingHistoryTest, Subtrees) {
  std::vector<v1::TerritoryNode> nodes(5);
  const char* spec[5][2] = {{"ROOT", ""}, {"R1", "ROOT"}, {"R2", "ROOT"}, {"T1", "R1"}, {"T2", "R1"}};
  for (int i = 0; i < 5; ++i) {
    nodes[i].set_id(spec[i][0]);
    nodes[i].set_parent_id(spec[i][1]);
  }
  auto ids = SubtreeIds(nodes, "R1");
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ::testing::UnorderedElementsAre("R1", "T1", "T2"));
  EXPECT_EQ(SubtreeIds(nodes, "ROOT")->size(), 5u);
  EXPECT_EQ(SubtreeIds(nodes, "")->size(), 5u);
  EXPECT_EQ(SubtreeIds(nodes, "T2")->size(), 1u);
  EXPECT_THAT(SubtreeIds(nodes, "NOPE").status().message(), HasSubstr("NOPE"));
  DealFilter f = TerritoryFilter(*ids);
  EXPECT_TRUE(f(Opp("A", D(2026, 1, 1), D(2026, 2, 1), "Proposal", 1, "T2")));
  EXPECT_FALSE(f(Opp("A", D(2026, 1, 1), D(2026, 2, 1), "Proposal", 1, "R2")));
}

// ---------------------------------------------------------------------------------------------
// Whole requests from the demo company's past.

const Date kAsOf = D(2026, 11, 27);
// Mid FY2027 Q3 (August..October with a February fiscal year).
const Date kDate = D(2026, 9, 10);
const DateRange kQ3 = {D(2026, 8, 1), D(2026, 10, 31)};

const DemoCompany& Company() {
  static const DemoCompany* company = [] {
    DemoOptions o;
    o.as_of = kAsOf;
    absl::StatusOr<DemoCompany> c = GenerateDemoCompany(o);
    EXPECT_TRUE(c.ok()) << c.status();
    return new DemoCompany(std::move(*c));
  }();
  return *company;
}

const DemoCompany& ViewAtDate() {
  static const DemoCompany* view = new DemoCompany(*CompanyAsOf(Company(), kDate));
  return *view;
}

// Past views from the full company (which knows the future: a source must not leak it).
SnapshotSource DemoSource(int* calls = nullptr) {
  return [calls](Date d) -> absl::StatusOr<OwnedSnapshot> {
    if (calls) ++*calls;
    absl::StatusOr<DemoCompany> view = CompanyAsOf(Company(), d);
    if (!view.ok()) return view.status();
    return OwnedSnapshot{d, std::move(view->opportunities)};
  };
}

LandingContext ContextAt(const DemoCompany& view) {
  LandingContext context;
  context.current = {ToDate(view.header.as_of()), view.opportunities};
  context.territories = view.territories;
  context.currency_code = view.header.currency_code();
  context.fiscal_start_month = view.header.calendar().start_month();
  return context;
}

const v1::ForecastLandingRequest& CompanyRequest() {
  static const v1::ForecastLandingRequest* request = [] {
    LandingRequestOptions options;
    options.quota_minor_units = 5'000'000'000;
    options.seed = 9;
    auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<v1::ForecastLandingRequest> r =
        BuildLandingRequest(ContextAt(ViewAtDate()), DemoSnapshotSource(Company()), "", options);
    auto t1 = std::chrono::steady_clock::now();
    EXPECT_TRUE(r.ok()) << r.status();
    std::cout << "company request with " << r->history_size() << " history examples ("
              << r->ByteSizeLong() / 1024 << " KiB) built in "
              << std::chrono::duration<double, std::milli>(t1 - t0).count() << " ms\n";
    return new v1::ForecastLandingRequest(std::move(*r));
  }();
  return *request;
}

TEST(LandingRequestTest, TheCurrentPeriod) {
  const v1::ForecastLandingRequest& r = CompanyRequest();
  EXPECT_EQ(ToDate(r.as_of()), kDate);
  EXPECT_EQ(ToDate(r.period_start()), kQ3.first);
  EXPECT_EQ(ToDate(r.period_end()), kQ3.last);
  EXPECT_EQ(r.currency_code(), "USD");
  EXPECT_EQ(r.quota().minor_units(), 5'000'000'000);
  EXPECT_EQ(r.seed(), 9u);

  int64_t won = 0;
  std::set<std::string> expected_open;
  for (const v1::Opportunity& o : ViewAtDate().opportunities) {
    Date close = ToDate(o.close_date());
    if (o.won() && kQ3.first <= close && close <= kDate) won += o.amount().minor_units();
    if (!o.closed() && close <= kQ3.last) expected_open.insert(o.id());
  }
  EXPECT_GT(won, 0);
  EXPECT_EQ(r.closed_won_to_date().minor_units(), won);
  std::set<std::string> open;
  int past_due = 0;
  for (const v1::LandingDeal& d : r.open_deals()) {
    open.insert(d.id());
    past_due += ToDate(d.close_date()) < kDate;
    EXPECT_NE(d.forecast_category(), v1::FORECAST_CATEGORY_CLOSED);
    EXPECT_NE(d.forecast_category(), v1::FORECAST_CATEGORY_OMITTED);
  }
  EXPECT_EQ(open, expected_open);
  EXPECT_GT(open.size(), 100u);
  EXPECT_GT(past_due, 0);
}

TEST(LandingRequestTest, HistoryHasNoLookAhead) {
  const v1::ForecastLandingRequest& r = CompanyRequest();
  const DemoCompany& at_date = ViewAtDate();
  std::map<std::string, const v1::Opportunity*> known_then, final_state;
  for (const auto& o : at_date.opportunities) known_then[o.id()] = &o;
  for (const auto& o : Company().opportunities) final_state[o.id()] = &o;

  std::set<int> observation_days;
  std::map<v1::DealOutcome, int> outcomes;
  int differs_from_final = 0, deal_differs_from_final = 0;
  // The view on the observation date being checked (examples come oldest date first).
  int view_day = -1;
  DemoCompany view_then;
  std::map<std::string, const v1::Opportunity*> seen_then;
  for (const v1::LandingExample& e : r.history()) {
    const Date observed = ToDate(e.observed_on()), period_end = ToDate(e.period_end());
    SCOPED_TRACE(e.deal().id() + " observed " + FormatDate(observed));
    // Only periods that had ended by the request's date: every outcome was decided then.
    ASSERT_LT(observed, kDate);
    ASSERT_LT(period_end, kDate);
    EXPECT_EQ(period_end, PeriodAround(observed, PeriodKind::kQuarter, 0, 2).last);
    observation_days.insert(DayNumber(observed));
    ++outcomes[e.outcome()];
    // The outcome is what the CRM showed on the request's date, recomputed here.
    auto it = known_then.find(e.deal().id());
    ASSERT_NE(it, known_then.end()) << "a deal seen in the past is missing on the date";
    const v1::Opportunity& then = *it->second;
    v1::DealOutcome expected = !then.closed()  ? kOpen
                               : !then.won()   ? kLost
                               : ToDate(then.close_date()) <= period_end ? kWonIn
                                                                         : kWonLater;
    EXPECT_EQ(e.outcome(), expected);
    if (then.closed()) {
      EXPECT_LE(ToDate(then.close_date()), kDate);
    }
    const v1::Opportunity& last = *final_state.at(e.deal().id());
    differs_from_final += e.outcome() != OutcomeOf(&last, {FromDayNumber(0), period_end});
    // The deal as the CRM showed it on the observation date.
    if (view_day != DayNumber(observed)) {
      ASSERT_LT(view_day, DayNumber(observed));
      view_day = DayNumber(observed);
      view_then = *CompanyAsOf(Company(), observed);
      seen_then.clear();
      for (const auto& o : view_then.opportunities) seen_then[o.id()] = &o;
    }
    const v1::Opportunity& seen = *seen_then.at(e.deal().id());
    EXPECT_FALSE(seen.closed());
    EXPECT_EQ(ToLandingDeal(seen).SerializeAsString(), e.deal().SerializeAsString());
    deal_differs_from_final += ToLandingDeal(last).SerializeAsString() != e.deal().SerializeAsString();
  }
  // Weekly observations over the six quarters before FY2027 Q3, none from Q3 itself.
  ASSERT_FALSE(observation_days.empty());
  EXPECT_EQ(FromDayNumber(*observation_days.rbegin()), D(2026, 7, 30));
  EXPECT_GE(FromDayNumber(*observation_days.begin()), D(2025, 2, 1));
  EXPECT_LT(FromDayNumber(*observation_days.begin()), D(2025, 2, 8));
  for (int d : observation_days) EXPECT_EQ((DayNumber(kDate) - d) % 7, 0);
  EXPECT_EQ(observation_days.size(), 78u);
  EXPECT_EQ(r.new_business_history_size(), 78);
  for (auto kind : {kWonIn, kWonLater, kLost, kOpen}) {
    EXPECT_GT(outcomes[kind], 0) << v1::DealOutcome_Name(kind);
  }
  // The future would have told a different story for some (still open then, won or lost since),
  // and the deals looked different then than they do at the end.
  EXPECT_GT(differs_from_final, 0);
  EXPECT_GT(deal_differs_from_final, r.history_size() / 10);
  std::cout << r.history_size() << " examples; outcome differs from the final one for "
            << differs_from_final << "\n";

  // New business per observation: won in its quarter by deals created after it, as known then.
  for (const v1::NewBusinessExample& nb : r.new_business_history()) {
    const Date observed = ToDate(nb.observed_on());
    const DateRange period{ToDate(nb.period_start()), ToDate(nb.period_end())};
    ASSERT_LT(period.last, kDate);
    int64_t sum = 0;
    for (const auto& o : at_date.opportunities) {
      if (o.won() && period.Contains(ToDate(o.close_date())) && ToDate(o.created_date()) > observed) {
        sum += o.amount().minor_units();
      }
    }
    EXPECT_EQ(nb.won_from_new_deals().minor_units(), sum) << FormatDate(observed);
  }
}

TEST(LandingRequestTest, TheSameFromAViewThatDoesNotKnowTheFuture) {
  // Built from the view at the date, whose history cannot reach past it, the request is the same.
  const DemoCompany view = ViewAtDate();
  SnapshotSource from_view = [&view](Date d) -> absl::StatusOr<OwnedSnapshot> {
    absl::StatusOr<DemoCompany> past = CompanyAsOf(view, d);
    if (!past.ok()) return past.status();
    return OwnedSnapshot{d, std::move(past->opportunities)};
  };
  LandingRequestOptions options;
  options.quota_minor_units = 5'000'000'000;
  options.seed = 9;
  absl::StatusOr<v1::ForecastLandingRequest> r =
      BuildLandingRequest(ContextAt(view), from_view, "", options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->SerializeAsString(), CompanyRequest().SerializeAsString());
}

TEST(LandingRequestTest, NodesPartitionTheCompany) {
  const DemoCompany& view = ViewAtDate();
  std::vector<std::string> nodes = {"", "ACME", "EMEA"};
  for (const auto& t : view.territories) {
    if (t.level() == "territory") nodes.push_back(t.id());
  }
  int calls = 0;
  LandingRequestOptions options;
  options.history_quarters = 4;
  absl::StatusOr<std::vector<v1::ForecastLandingRequest>> rs =
      BuildLandingRequests(ContextAt(view), DemoSource(&calls), nodes, options);
  ASSERT_TRUE(rs.ok()) << rs.status();
  ASSERT_EQ(rs->size(), nodes.size());
  EXPECT_EQ(calls, 52);  // one past view per weekly date, shared by the nodes
  const auto& all = (*rs)[0];
  EXPECT_EQ(all.SerializeAsString(), (*rs)[1].SerializeAsString());
  int64_t won = 0, new_business = 0;
  int open = 0, history = 0, emea_history = 0;
  for (size_t i = 3; i < nodes.size(); ++i) {
    const auto& r = (*rs)[i];
    won += r.closed_won_to_date().minor_units();
    open += r.open_deals_size();
    history += r.history_size();
    for (const auto& nb : r.new_business_history()) new_business += nb.won_from_new_deals().minor_units();
    if (nodes[i].rfind("EMEA-", 0) == 0) emea_history += r.history_size();
  }
  EXPECT_EQ(won, all.closed_won_to_date().minor_units());
  EXPECT_EQ(open, all.open_deals_size());
  EXPECT_EQ(history, all.history_size());
  int64_t all_new = 0;
  for (const auto& nb : all.new_business_history()) all_new += nb.won_from_new_deals().minor_units();
  EXPECT_EQ(new_business, all_new);
  EXPECT_EQ(emea_history, (*rs)[2].history_size());
  EXPECT_GT(emea_history, 0);
  EXPECT_LT(emea_history, history);
}

TEST(LandingRequestTest, NextPeriodAndOptions) {
  const DemoCompany& view = ViewAtDate();
  LandingRequestOptions options;
  options.period_offset = 1;
  options.history_quarters = 4;
  absl::StatusOr<v1::ForecastLandingRequest> next =
      BuildLandingRequest(ContextAt(view), DemoSource(), "", options);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(ToDate(next->period_start()), D(2026, 11, 1));
  EXPECT_EQ(ToDate(next->period_end()), D(2027, 1, 31));
  EXPECT_EQ(next->closed_won_to_date().minor_units(), 0);
  EXPECT_FALSE(next->has_quota());
  EXPECT_GT(next->open_deals_size(), 0);
  for (const auto& d : next->open_deals()) {
    EXPECT_GE(ToDate(d.close_date()), D(2026, 11, 1));
    EXPECT_LE(ToDate(d.close_date()), D(2027, 1, 31));
  }
  for (const auto& e : next->history()) {
    Date observed = ToDate(e.observed_on());
    EXPECT_EQ(ToDate(e.period_end()), PeriodAround(observed, PeriodKind::kQuarter, 1, 2).last);
    ASSERT_LT(ToDate(e.period_end()), kDate);
    EXPECT_GT(ToDate(e.deal().close_date()), PeriodAround(observed, PeriodKind::kQuarter, 0, 2).last);
  }
  EXPECT_GT(next->history_size(), 0);

  options = {};
  options.history_quarters = 0;
  absl::StatusOr<v1::ForecastLandingRequest> bare =
      BuildLandingRequest(ContextAt(view), nullptr, "NA", options);
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->history_size(), 0);
  EXPECT_EQ(bare->new_business_history_size(), 0);
  EXPECT_GT(bare->open_deals_size(), 0);

  options = {};
  EXPECT_THAT(BuildLandingRequest(ContextAt(view), DemoSource(), "MARS", options).status().message(),
              HasSubstr("MARS"));
  EXPECT_FALSE(BuildLandingRequest(ContextAt(view), nullptr, "", options).ok());
  options.observation_step_days = 0;
  EXPECT_THAT(BuildLandingRequest(ContextAt(view), DemoSource(), "", options).status().message(),
              HasSubstr("observation_step_days"));
  LandingContext bad = ContextAt(view);
  bad.currency_code = "dollars";
  EXPECT_THAT(BuildLandingRequest(bad, DemoSource(), "", {}).status().message(),
              HasSubstr("currency_code"));
}

TEST(LandingRequestTest, StoredSnapshotsOnlySomeDays) {
  // A store with one snapshot a week on Mondays, from 2025-06-02 on: each observation uses the
  // latest snapshot on or before its date; earlier dates have none and are skipped.
  const DemoCompany& view = ViewAtDate();
  const Date first_stored = D(2025, 6, 2);
  SnapshotSource stored = [&](Date d) -> absl::StatusOr<OwnedSnapshot> {
    if (d < first_stored) return absl::NotFoundError("no snapshot");
    int day = DayNumber(first_stored) + (DayNumber(d) - DayNumber(first_stored)) / 14 * 14;
    Date on = FromDayNumber(day);  // fortnightly, so some dates map to the same snapshot
    absl::StatusOr<DemoCompany> past = CompanyAsOf(Company(), on);
    if (!past.ok()) return past.status();
    return OwnedSnapshot{on, std::move(past->opportunities)};
  };
  absl::StatusOr<v1::ForecastLandingRequest> r =
      BuildLandingRequest(ContextAt(view), stored, "", LandingRequestOptions{});
  ASSERT_TRUE(r.ok()) << r.status();
  std::set<int> days;
  for (const auto& nb : r->new_business_history()) {
    Date observed = ToDate(nb.observed_on());
    EXPECT_GE(observed, first_stored);
    EXPECT_EQ((DayNumber(observed) - DayNumber(first_stored)) % 14, 0);
    EXPECT_TRUE(days.insert(DayNumber(observed)).second) << "a snapshot used twice";
  }
  EXPECT_GT(days.size(), 20u);
  for (const auto& e : r->history()) EXPECT_TRUE(days.count(DayNumber(ToDate(e.observed_on()))));

  // A source that answers with a later snapshot than asked would leak the future: refused.
  SnapshotSource leaky = [&](Date d) -> absl::StatusOr<OwnedSnapshot> {
    return OwnedSnapshot{kDate, view.opportunities};
  };
  EXPECT_EQ(BuildLandingRequest(ContextAt(view), leaky, "", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace salesops::salesctl
