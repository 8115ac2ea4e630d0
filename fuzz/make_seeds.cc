// Writes the hand-made seeds of fuzz/corpus/ (the files named seed-*): small valid inputs for each
// fuzz target, from the demo company (tools/salesctl/demo_data.h) and a few requests built here.
// The fuzzer's own finds sit beside them. Run it after changing an input format:
//   ninja -C build fuzz_make_seeds && build/fuzz/fuzz_make_seeds fuzz/corpus
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "fuzz/fuzz_util.h"
#include "salesops/v1/forecasting.pb.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "tests/support/plan_request_data.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/csv.h"
#include "tools/salesctl/demo_data.h"

namespace salesops::fuzz {
namespace {

namespace fs = std::filesystem;

fs::path corpus;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(corpus / target);
  fs::path path = corpus / target / ("seed-" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  if (bytes.size() >= 10 * 1024) std::fprintf(stderr, "warning: %s is %zu bytes\n", path.c_str(), bytes.size());
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

v1::Date Day(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::Money Usd(int64_t minor) { return MakeMoney("USD", minor); }

// ---------------------------------------------------------------------------------------------
// CSV and CRM exports.

// Opportunities against the fuzzer's default reps (u1..u3) and territories (CO, NA, EU), in the
// forms the importer accepts.
constexpr char kOpportunitiesForDefaults[] =
    "Opportunity ID,Account Name,Opportunity Owner,Territory,Product,Amount,Currency,Stage,"
    "Probability (%),Close Date,Created Date,Forecast Category,Closed,Won\n"
    "O-1,Initech,u1,NA,Platform,12500.00,USD,Negotiation,80,2026-12-15,2026-09-01,Commit,FALSE,FALSE\n"
    "O-2,\"Globex, Inc.\",u2,,Add-ons,\"$1,250.50\",usd,Proposal,60%,12/20/2026,9/15/2026,Best Case,F,N\n"
    "O-3,Umbrella,Grace Hopper,Europe,Services,(1000),,Closed Won,,1 Nov 2026,Oct 1 2026,,yes,yes\n"
    "O-4,\"Stark \"\"Industries\"\"\",u3,EU,Platform,,USD,Closed Lost,0,2026.10.31,2026-01-05T10:00:00Z,"
    "Omitted,TRUE,FALSE\n"
    "O-5,Wayne,u1,CO,Platform,\"99,999,999.99\",USD,Prospecting,10,\"March 1, 2027\",2026-11-20,"
    "Pipeline,0,0\n";

// HubSpot's deal export: its headers, owners by full name, fractional probabilities, day-first
// dates.
constexpr char kHubSpotDeals[] =
    "Record ID,Deal Name,Deal Owner,Amount,Deal Stage,Deal probability,Close Date,Create Date\r\n"
    "1001,Initech renewal,Ada Lovelace,4200,Negotiation,0.8,13/12/2026,01/09/2026\r\n"
    "1002,Globex upsell,Alan Turing,\"15,000\",Closed Won,1,02/11/2026,15/08/2026\r\n"
    "1003,Umbrella pilot,Grace Hopper,900.5,Qualification,0.2,20/01/2027,\r\n";

// A Salesforce report with its own headers, mapped.
constexpr char kSalesforceReport[] =
    "\xEF\xBB\xBF\"Opportunity ID\",\"Opportunity Owner: User ID\",\"Sales Territory\",\"Amount (converted)\","
    "\"Stage\",\"Close Date\"\n"
    "\"006A\",\"u1\",\"NA\",\"1,000.00\",\"Closed Won\",\"04/01/2026\"\n"
    "\"006B\",\"u3\",\"EU\",\"2,500.00\",\"Needs Analysis\",\"05/02/2026\"\n";
constexpr char kSalesforceMapping[] =
    "# Our Salesforce report\n"
    "opportunity_owner = Opportunity Owner: User ID\n"
    "opportunities.territory = \"Sales Territory\"\n"
    "amount = Amount (converted)\n";

// Errors of every kind, so the error paths start covered.
constexpr char kBrokenOpportunities[] =
    "Opportunity ID,Opportunity Owner,Amount,Stage,Close Date,Probability,Won,Closed\n"
    "X-1,u1,12.3x,Negotiation,2026-02-30,150,maybe,\n"
    "X-1,nobody,,,13/13/2026,,TRUE,FALSE\n"
    "X-2,u2,1,Closed Won,3/14/2026,\n"
    "X-3,u2,1,Closed Won,14/3/2026,50,,,extra\n";

void CsvAndCrmSeeds() {
  salesctl::DemoOptions options;
  options.as_of = Date{std::chrono::year(2026), std::chrono::month(11), std::chrono::day(27)};
  options.scale = 0.004;  // 20 opportunities
  auto company = salesctl::GenerateDemoCompany(options);
  if (!company.ok()) {
    std::fprintf(stderr, "%s\n", company.status().ToString().c_str());
    std::exit(1);
  }
  const fs::path dir = fs::temp_directory_path() / "salesops-fuzz-seeds";
  fs::remove_all(dir);
  if (auto s = salesctl::WriteCrmExport(*company, dir.string()); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
  const std::string opportunities = Read(dir / salesctl::kOpportunitiesFile);
  const std::string reps = Read(dir / salesctl::kRepsFile);
  const std::string territories = Read(dir / salesctl::kTerritoriesFile);
  const std::string snapshot = Read(dir / salesctl::kSnapshotFile);
  fs::remove_all(dir);

  Write("csv", "demo-opportunities", opportunities);
  Write("csv", "demo-reps", reps);
  Write("csv", "demo-territories", territories);
  Write("csv", "opportunities-forms", kOpportunitiesForDefaults);
  Write("csv", "hubspot-crlf", kHubSpotDeals);
  Write("csv", "bom-quoted", kSalesforceReport);
  Write("csv", "multiline", "id,note\n1,\"two\nlines\"\n2,\"a \"\"quote\"\"\"\r\n\n3,  padded  ,\n");
  Write("csv", "broken-quote", "a,b\n1,x\"y\n");

  const std::string ff = "\f";
  Write("crm_import", "demo-export", opportunities + ff + reps + ff + territories + ff + snapshot);
  Write("crm_import", "opportunities-forms", kOpportunitiesForDefaults);
  Write("crm_import", "hubspot", std::string(kHubSpotDeals) + ff + "User ID,Full Name,Territory\n"
        "u1,Ada Lovelace,North America\nu2,Alan Turing,NA\nu3,Grace Hopper,Europe\n" + ff +
        "Id,Name,Parent\nCO,Acme,\nNA,North America,CO\nEU,Europe,CO\n" + ff +
        "{\"currency\": \"eur\", \"fiscal_start_month\": 1}" + ff + ff + "dmy");
  Write("crm_import", "salesforce-mapping", std::string(kSalesforceReport) + ff +
        "User ID,Full Name,Territory ID\nu1,Ada,NA\nu3,Grace,EU\n" + ff +
        "Territory ID,Parent Territory ID\nCO,\nNA,CO\nEU,CO\n" + ff +
        "{\"as_of\": \"2026-06-30\", \"source\": \"salesforce\"}" + ff + kSalesforceMapping + ff +
        "auto currency=USD as_of=2026-07-01 max_errors=5");
  Write("crm_import", "broken", kBrokenOpportunities);
}

// ---------------------------------------------------------------------------------------------
// Snapshots.

std::string SnapshotInput(const v1::SnapshotChunk& structure, const std::string& header,
                          const v1::SnapshotChunk& opportunities) {
  std::string s = structure.SerializeAsString();
  return U16Prefix(s.size()) + s + U16Prefix(header.size()) + header +
         opportunities.SerializeAsString();
}

void SnapshotSeeds() {
  salesctl::DemoOptions options;
  options.as_of = Date{std::chrono::year(2026), std::chrono::month(11), std::chrono::day(27)};
  options.scale = 0.004;
  auto company = salesctl::GenerateDemoCompany(options);
  if (!company.ok()) std::exit(1);

  // A small hierarchy: the root, its first region and the territories below that.
  v1::SnapshotChunk structure;
  std::set<std::string> nodes;
  std::string root, region;
  for (const auto& t : company->territories) {
    if (t.parent_id().empty()) root = t.id();
  }
  for (const auto& t : company->territories) {
    if (region.empty() && t.parent_id() == root) region = t.id();
  }
  for (const auto& t : company->territories) {
    if (t.id() == root || t.id() == region || (t.parent_id() == region && nodes.size() < 5)) {
      *structure.add_territories() = t;
      nodes.insert(t.id());
    }
  }
  for (const auto& t : structure.territories()) nodes.insert(t.id());
  std::set<std::string> reps;
  for (const auto& r : company->reps) {
    if (nodes.count(r.territory_id()) && reps.size() < 8) {
      *structure.add_reps() = r;
      reps.insert(r.id());
    }
  }
  v1::SnapshotChunk opportunities;
  for (const auto& o : company->opportunities) {
    if (reps.count(o.owner_rep_id()) && nodes.count(o.territory_id())) *opportunities.add_opportunities() = o;
  }
  if (structure.reps_size() == 0) {
    std::fprintf(stderr, "no reps in the chosen territories\n");
    std::exit(1);
  }
  // At least a few: reassign some to the kept reps.
  for (const auto& o : company->opportunities) {
    if (opportunities.opportunities_size() >= 12) break;
    if (reps.count(o.owner_rep_id())) continue;
    v1::Opportunity copy = o;
    copy.set_owner_rep_id(structure.reps(0).id());
    copy.set_territory_id(structure.reps(0).territory_id());
    *opportunities.add_opportunities() = copy;
  }
  Write("snapshot", "demo", SnapshotInput(structure, "", opportunities));
  Write("snapshot", "demo-header", SnapshotInput(structure, company->header.SerializeAsString(), opportunities));
  // Everything in one chunk, the opportunities part empty.
  v1::SnapshotChunk all = structure;
  *all.mutable_opportunities() = opportunities.opportunities();
  Write("snapshot", "one-chunk", SnapshotInput(all, "", v1::SnapshotChunk()));
  // An opportunity naming an unknown rep.
  v1::SnapshotChunk unknown = opportunities;
  unknown.mutable_opportunities(0)->set_owner_rep_id("nobody");
  Write("snapshot", "unknown-rep", SnapshotInput(structure, "", unknown));
}

// ---------------------------------------------------------------------------------------------
// Requests.

v1::TimeSeries Series(const std::string& id, v1::Granularity granularity, std::vector<double> values,
                      int y = 2023, int m = 1, int d = 1) {
  v1::TimeSeries s;
  s.set_id(id);
  s.set_granularity(granularity);
  *s.mutable_start() = Day(y, m, d);
  s.mutable_values()->Assign(values.begin(), values.end());
  return s;
}

std::vector<double> Seasonal(int n, int period, double level, double trend, double amplitude) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) {
    double season = amplitude * std::sin(2 * M_PI * (i % period) / period);
    double noise = ((i * 7919) % 13 - 6) * level * 0.01;
    v.push_back(level + trend * i + season + noise);
  }
  return v;
}

void ForecastSeeds() {
  auto request = [](v1::ModelType model, std::vector<v1::TimeSeries> series, int horizon) {
    v1::ForecastRequest r;
    for (auto& s : series) *r.add_series() = s;
    r.set_horizon(horizon);
    r.set_model(model);
    return r;
  };
  const auto monthly = Series("NA/Platform", v1::GRANULARITY_MONTH, Seasonal(36, 12, 1000, 8, 150));
  const auto quarterly = Series("EU", v1::GRANULARITY_QUARTER, Seasonal(16, 4, 400, 5, 60));
  const auto short_series = Series("new", v1::GRANULARITY_MONTH, {120, 130, 90});
  const auto intermittent =
      Series("spares", v1::GRANULARITY_WEEK, {0, 0, 3, 0, 0, 0, 5, 0, 1, 0, 0, 0, 0, 2, 0, 0, 4, 0, 0, 1});
  const auto daily = Series("web", v1::GRANULARITY_DAY, Seasonal(42, 7, 50, 0.2, 10), 2026, 10, 1);

  v1::ForecastRequest r = request(v1::MODEL_TYPE_AUTO, {monthly, quarterly}, 12);
  r.add_levels(80);
  r.add_levels(95);
  Write("forecast_request", "auto", r.SerializeAsString());
  Write("forecast_request", "naive", request(v1::MODEL_TYPE_NAIVE, {short_series}, 3).SerializeAsString());
  Write("forecast_request", "seasonal-naive",
        request(v1::MODEL_TYPE_SEASONAL_NAIVE, {monthly}, 6).SerializeAsString());
  Write("forecast_request", "drift", request(v1::MODEL_TYPE_DRIFT, {quarterly}, 4).SerializeAsString());
  Write("forecast_request", "ses", request(v1::MODEL_TYPE_SES, {daily, quarterly}, 5).SerializeAsString());
  Write("forecast_request", "holt", request(v1::MODEL_TYPE_HOLT, {quarterly}, 4).SerializeAsString());
  Write("forecast_request", "damped", request(v1::MODEL_TYPE_DAMPED_HOLT, {monthly}, 12).SerializeAsString());
  Write("forecast_request", "holt-winters",
        request(v1::MODEL_TYPE_HOLT_WINTERS_ADDITIVE, {quarterly}, 8).SerializeAsString());
  r = request(v1::MODEL_TYPE_ETS, {monthly}, 12);
  r.set_ets_model("MAdM");
  Write("forecast_request", "ets-madm", r.SerializeAsString());
  r = request(v1::MODEL_TYPE_ETS, {daily}, 7);
  r.set_ets_model("ZZZ");
  r.set_season_length(7);
  Write("forecast_request", "ets-zzz", r.SerializeAsString());
  Write("forecast_request", "theta", request(v1::MODEL_TYPE_THETA, {monthly}, 12).SerializeAsString());
  Write("forecast_request", "optimized-theta",
        request(v1::MODEL_TYPE_OPTIMIZED_THETA, {quarterly}, 4).SerializeAsString());
  r = request(v1::MODEL_TYPE_ARIMA, {quarterly}, 8);
  r.add_levels(50);
  Write("forecast_request", "arima", r.SerializeAsString());
  Write("forecast_request", "croston", request(v1::MODEL_TYPE_CROSTON, {intermittent}, 4).SerializeAsString());
  Write("forecast_request", "sba", request(v1::MODEL_TYPE_SBA, {intermittent}, 4).SerializeAsString());
  Write("forecast_request", "tsb", request(v1::MODEL_TYPE_TSB, {intermittent}, 4).SerializeAsString());
  v1::TimeSeries nan = short_series;
  nan.set_values(1, std::nan(""));
  Write("forecast_request", "not-finite", request(v1::MODEL_TYPE_AUTO, {nan}, 3).SerializeAsString());
}

v1::LandingDeal Deal(const std::string& id, int64_t amount, const std::string& stage,
                     v1::ForecastCategory category, double probability, v1::Date close) {
  v1::LandingDeal d;
  d.set_id(id);
  *d.mutable_amount() = Usd(amount);
  d.set_stage(stage);
  d.set_forecast_category(category);
  d.set_probability(probability);
  *d.mutable_created_date() = Day(2026, 6, 1);
  *d.mutable_close_date() = close;
  return d;
}

void LandingSeeds() {
  v1::ForecastLandingRequest r;
  *r.mutable_as_of() = Day(2026, 11, 27);
  *r.mutable_period_start() = Day(2026, 11, 1);
  *r.mutable_period_end() = Day(2027, 1, 31);
  r.set_currency_code("USD");
  *r.mutable_closed_won_to_date() = Usd(150'000'00);
  *r.add_open_deals() = Deal("O-1", 50'000'00, "Negotiation", v1::FORECAST_CATEGORY_COMMIT, 0.8, Day(2026, 12, 15));
  *r.add_open_deals() = Deal("O-2", 20'000'00, "Proposal", v1::FORECAST_CATEGORY_BEST_CASE, 0.6, Day(2027, 1, 20));
  *r.add_open_deals() = Deal("O-3", 8'000'00, "Qualification", v1::FORECAST_CATEGORY_PIPELINE, 0.2, Day(2026, 11, 2));
  *r.add_open_deals() = Deal("O-4", 3'000'00, "", v1::FORECAST_CATEGORY_PIPELINE, 0.1, Day(2027, 1, 31));
  Write("landing_request", "no-history", r.SerializeAsString());

  const v1::DealOutcome outcomes[] = {v1::DEAL_OUTCOME_WON_IN_PERIOD, v1::DEAL_OUTCOME_LOST,
                                      v1::DEAL_OUTCOME_WON_LATER, v1::DEAL_OUTCOME_STILL_OPEN};
  const char* stages[] = {"Negotiation", "Proposal", "Qualification"};
  const v1::ForecastCategory categories[] = {v1::FORECAST_CATEGORY_COMMIT, v1::FORECAST_CATEGORY_BEST_CASE,
                                             v1::FORECAST_CATEGORY_PIPELINE};
  for (int i = 0; i < 24; ++i) {
    v1::LandingExample* e = r.add_history();
    *e->mutable_deal() = Deal("H-" + std::to_string(i), (5 + i % 7) * 1'000'00, stages[i % 3],
                              categories[i % 3], 0.2 + 0.3 * (i % 3), Day(2026, 7, 1 + i));
    *e->mutable_observed_on() = Day(2026, 5 + i % 3, 1);
    *e->mutable_period_end() = Day(2026, 7, 31);
    e->set_outcome(outcomes[(i * 5) % 4]);
  }
  for (int i = 0; i < 4; ++i) {
    v1::NewBusinessExample* n = r.add_new_business_history();
    *n->mutable_observed_on() = Day(2025 + i / 2, 2 + 6 * (i % 2), 27);
    *n->mutable_period_start() = Day(2025 + i / 2, 2 + 6 * (i % 2), 1);
    *n->mutable_period_end() = Day(2025 + i / 2, 4 + 6 * (i % 2), 30);
    *n->mutable_won_from_new_deals() = Usd((10 + i) * 1'000'00);
  }
  *r.mutable_quota() = Usd(250'000'00);
  r.set_seed(7);
  Write("landing_request", "history-quota", r.SerializeAsString());
  r.set_simulations(999);
  Write("landing_request", "too-few-simulations", r.SerializeAsString());
}

v1::CreatePlanRequest PlanRequest(v1::AllocationMethod method) {
  v1::CreatePlanRequest r = salesops::testing::SmallPlanRequest(method);
  *r.mutable_reps(1)->mutable_hire_date() = Day(2026, 5, 1);
  *r.mutable_reps(2)->mutable_end_date() = Day(2026, 9, 30);
  int k = 0;
  for (const char* rep : {"u1", "u2", "u3"}) {
    auto* s = r.add_history();
    s->set_id(rep);
    s->set_granularity(v1::GRANULARITY_MONTH);
    *s->mutable_start() = Day(2024, 2, 1);
    for (double v : Seasonal(24 - 6 * k, 12, 50'000 + 20'000 * k, 500, 10'000)) s->add_values(std::round(v));
    ++k;
  }
  return r;
}

void PlanSeeds() {
  Write("plan_request", "equal", PlanRequest(v1::ALLOCATION_METHOD_EQUAL_SPLIT).SerializeAsString());
  v1::CreatePlanRequest r = PlanRequest(v1::ALLOCATION_METHOD_HISTORICAL_SHARE);
  r.set_history_window_months(12);
  r.set_seasonality(v1::SEASONALITY_SOURCE_LAST_YEAR);
  r.set_rounding_unit(1000'00);
  Write("plan_request", "historical", r.SerializeAsString());
  r = PlanRequest(v1::ALLOCATION_METHOD_FORECAST_SHARE);
  r.set_seasonality(v1::SEASONALITY_SOURCE_FORECAST);
  r.set_fiscal_quarter(3);
  Write("plan_request", "forecast-quarter", r.SerializeAsString());
  r = PlanRequest(v1::ALLOCATION_METHOD_BLENDED);
  r.mutable_blend()->set_equal_split(0.2);
  r.mutable_blend()->set_historical_share(0.4);
  r.mutable_blend()->set_forecast_share(0.4);
  r.set_over_assignment(0.15);
  auto* o = r.add_overrides();
  o->set_id("u1");
  *o->mutable_quota() = Usd(30'000'000);
  o->set_note("agreed");
  Write("plan_request", "blended-override", r.SerializeAsString());
  r = PlanRequest(v1::ALLOCATION_METHOD_CAPACITY);
  auto* c = r.mutable_capacity();
  *c->mutable_full_annual_quota() = Usd(40'000'000);
  for (double ramp : {0.25, 0.5, 0.75}) c->add_ramp(ramp);
  c->set_annual_attrition(0.1);
  auto* hire = c->add_planned_hires()->mutable_rep();
  hire->set_id("TBH-EU-1");
  hire->set_territory_id("EU");
  *hire->mutable_hire_date() = Day(2026, 6, 1);
  Write("plan_request", "capacity", r.SerializeAsString());
}

}  // namespace
}  // namespace salesops::fuzz

int main(int argc, char** argv) {
  using namespace salesops::fuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s fuzz/corpus\n", argv[0]);
    return 2;
  }
  corpus = argv[1];
  CsvAndCrmSeeds();
  SnapshotSeeds();
  ForecastSeeds();
  LandingSeeds();
  PlanSeeds();
  return 0;
}
