// ForecastService end to end: the real binary, a real Redis cache, gRPC on loopback.
#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "tests/support/redis_server.h"
#include "tests/support/service_process.h"

namespace salesops {
namespace {

using ::testing::HasSubstr;
using testing::MetricValue;
using testing::RedisServer;
using testing::ServiceProcess;

v1::ForecastRequest MonthlyRequest() {
  v1::ForecastRequest request;
  request.set_horizon(12);
  // Two series: a seasonal one and a trend.
  auto* seasonal = request.add_series();
  seasonal->set_id("seasonal");
  seasonal->set_granularity(v1::GRANULARITY_MONTH);
  seasonal->mutable_start()->set_year(2022);
  seasonal->mutable_start()->set_month(1);
  seasonal->mutable_start()->set_day(1);
  for (int t = 0; t < 48; ++t)
    seasonal->add_values(100 + 2 * t + 20 * std::sin(2 * M_PI * t / 12.0) + ((t * 7) % 5));
  auto* trend = request.add_series();
  trend->set_id("trend");
  for (int t = 0; t < 30; ++t) trend->add_values(10 + 3 * t + ((t * 3) % 4));
  return request;
}

grpc::Status Call(v1::ForecastService::Stub& stub, const v1::ForecastRequest& request,
                  v1::ForecastResponse* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub.Forecast(&context, request, response);
}

class ForecastServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    service_ = std::make_unique<ServiceProcess>(
        "salesops-forecast", std::vector<std::string>{"--cache-redis", redis_.address()});
    ASSERT_TRUE(service_->Start());
    stub_ = v1::ForecastService::NewStub(service_->Channel());
  }

  RedisServer redis_;
  std::unique_ptr<ServiceProcess> service_;
  std::unique_ptr<v1::ForecastService::Stub> stub_;
};

TEST_F(ForecastServiceTest, ForecastsEverySeriesWithIntervals) {
  v1::ForecastResponse response;
  grpc::Status status = Call(*stub_, MonthlyRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.forecasts_size(), 2);
  EXPECT_FALSE(response.engine_version().empty());
  for (const auto& f : response.forecasts()) {
    ASSERT_EQ(f.mean_size(), 12);
    ASSERT_EQ(f.intervals_size(), 2);  // default levels 80 and 95
    EXPECT_EQ(f.intervals(0).level(), 80);
    EXPECT_EQ(f.intervals(1).level(), 95);
    for (int h = 0; h < 12; ++h) {
      EXPECT_TRUE(std::isfinite(f.mean(h)));
      EXPECT_LE(f.intervals(1).lower(h), f.intervals(0).lower(h));
      EXPECT_LE(f.intervals(0).lower(h), f.mean(h));
      EXPECT_LE(f.mean(h), f.intervals(0).upper(h));
      EXPECT_LE(f.intervals(0).upper(h), f.intervals(1).upper(h));
    }
    EXPECT_FALSE(f.model().empty());
    EXPECT_TRUE(f.parameters().contains("sigma"));
  }
  const auto& seasonal = response.forecasts(0);
  EXPECT_EQ(seasonal.series_id(), "seasonal");
  EXPECT_EQ(seasonal.season_length(), 12);  // inferred from the monthly granularity
  EXPECT_EQ(seasonal.first_date().year(), 2026);  // 48 months after 2022-01
  EXPECT_EQ(seasonal.first_date().month(), 1);
  // The trend keeps rising.
  const auto& trend = response.forecasts(1);
  EXPECT_GT(trend.mean(11), trend.mean(0));
  EXPECT_GT(trend.mean(0), 90);
}

TEST_F(ForecastServiceTest, NamedModelsAnswerWithThatModel) {
  struct Case {
    v1::ModelType type;
    const char* name;
  };
  for (Case c : {Case{v1::MODEL_TYPE_NAIVE, "NAIVE"}, Case{v1::MODEL_TYPE_SES, "ETS(A,N,N)"},
                 Case{v1::MODEL_TYPE_HOLT, "ETS(A,A,N)"}, Case{v1::MODEL_TYPE_DAMPED_HOLT, "ETS(A,Ad,N)"},
                 Case{v1::MODEL_TYPE_HOLT_WINTERS_ADDITIVE, "ETS(A,A,A)"}}) {
    v1::ForecastRequest request = MonthlyRequest();
    request.mutable_series()->DeleteSubrange(1, 1);
    request.set_model(c.type);
    v1::ForecastResponse response;
    grpc::Status status = Call(*stub_, request, &response);
    ASSERT_TRUE(status.ok()) << c.name << ": " << status.error_message();
    EXPECT_EQ(response.forecasts(0).model_type(), c.type);
    EXPECT_EQ(response.forecasts(0).model(), c.name);
  }
  // Naive forecasts the last value.
  v1::ForecastRequest request = MonthlyRequest();
  request.set_model(v1::MODEL_TYPE_NAIVE);
  v1::ForecastResponse response;
  ASSERT_TRUE(Call(*stub_, request, &response).ok());
  EXPECT_DOUBLE_EQ(response.forecasts(1).mean(5), request.series(1).values(29));
}

TEST_F(ForecastServiceTest, RepeatedRequestIsServedFromTheCacheAndSurvivesRedisDown) {
  v1::ForecastRequest request = MonthlyRequest();
  v1::ForecastResponse first, second, third;
  ASSERT_TRUE(Call(*stub_, request, &first).ok());
  ASSERT_TRUE(Call(*stub_, request, &second).ok());
  const std::string metrics = service_->ScrapeMetrics();
  EXPECT_GE(MetricValue(metrics, "salesops_cache_requests_total{cache=\"forecast\",result=\"hit\"}"), 1)
      << metrics;
  EXPECT_GE(MetricValue(metrics, "salesops_cache_requests_total{cache=\"forecast\",result=\"miss\"}"), 1);
  EXPECT_GE(MetricValue(metrics, "salesops_rpc_requests_total{code=\"OK\",method=\"/salesops.v1.ForecastService/Forecast\"}"), 2);
  EXPECT_GE(MetricValue(metrics, "salesops_rpc_started_total{method=\"/salesops.v1.ForecastService/Forecast\"}"), 2);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));

  // With Redis gone the in-process cache in front of it still answers the same request; anything
  // else is computed again (and the failed lookup counted), and is the same as with Redis.
  redis_.Kill();
  ASSERT_TRUE(Call(*stub_, request, &third).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, third));
  EXPECT_GE(MetricValue(service_->ScrapeMetrics(),
                        "salesops_local_cache_requests_total{cache=\"forecast\",result=\"hit\"}"), 1);
  v1::ForecastRequest other = request;  // the same series under other ids: not in any cache
  for (auto& series : *other.mutable_series()) series.set_id(series.id() + "-again");
  v1::ForecastResponse computed;
  ASSERT_TRUE(Call(*stub_, other, &computed).ok());
  ASSERT_EQ(computed.forecasts_size(), first.forecasts_size());
  for (int i = 0; i < first.forecasts_size(); ++i)
    EXPECT_THAT(computed.forecasts(i).mean(), ::testing::ElementsAreArray(first.forecasts(i).mean()));
  EXPECT_GE(MetricValue(service_->ScrapeMetrics(),
                        "salesops_cache_requests_total{cache=\"forecast\",result=\"error\"}"), 1);
}

TEST_F(ForecastServiceTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(v1::ForecastRequest&)> mutate;
    const char* message;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<Case> cases = {
      {[](auto& r) { r.clear_series(); }, "series: at least one series"},
      {[](auto& r) { r.mutable_series(1)->clear_values(); }, "series[1].values: the series is empty"},
      {[nan](auto& r) { r.mutable_series(0)->set_values(7, nan); }, "series[0].values[7]: not a finite number"},
      {[](auto& r) { r.mutable_series(0)->set_values(3, std::numeric_limits<double>::infinity()); },
       "series[0].values[3]: not a finite number"},
      {[](auto& r) { r.set_horizon(0); }, "horizon: must be between 1 and"},
      {[](auto& r) { r.set_horizon(1000000000); }, "horizon: must be between 1 and"},
      {[](auto& r) { r.set_horizon(-3); }, "horizon"},
      {[](auto& r) { r.add_levels(100); }, "levels[0]: must be a percentage"},
      {[nan](auto& r) { r.add_levels(nan); }, "levels[0]"},
      {[](auto& r) { r.set_model(static_cast<v1::ModelType>(99)); }, "model: unknown model type 99"},
      {[](auto& r) { r.set_season_length(-1); }, "season_length"},
      {[](auto& r) { r.mutable_series(1)->set_id("seasonal"); }, "series[1].id: duplicate series id"},
      {[](auto& r) { r.mutable_series(1)->clear_id(); }, "series[1].id: required"},
      {[](auto& r) { r.mutable_series(0)->mutable_start()->set_month(13); }, "series[0].start"},
      {[](auto& r) {
         r.mutable_series(1)->mutable_values()->Truncate(3);
         r.set_model(v1::MODEL_TYPE_HOLT_WINTERS_ADDITIVE);
       },
       "series[1]"},
  };
  for (const auto& c : cases) {
    v1::ForecastRequest request = MonthlyRequest();
    c.mutate(request);
    v1::ForecastResponse response;
    grpc::Status status = Call(*stub_, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message << " -> " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
  // Still serving after all that.
  v1::ForecastResponse response;
  EXPECT_TRUE(Call(*stub_, MonthlyRequest(), &response).ok());
}

TEST_F(ForecastServiceTest, HealthServingAndCleanShutdownOnSigterm) {
  EXPECT_EQ(service_->Health(), "SERVING");
  EXPECT_EQ(service_->Stop(), 0) << service_->Log();
  EXPECT_THAT(service_->Log(), HasSubstr("\"event\":\"draining\""));
  EXPECT_THAT(service_->Log(), HasSubstr("\"event\":\"stopped\""));
}

TEST_F(ForecastServiceTest, BacktestScoresEveryModelAndPicksTheBest) {
  v1::BacktestRequest request;
  const v1::ForecastRequest monthly = MonthlyRequest();
  *request.add_series() = monthly.series(0);
  *request.add_series() = monthly.series(1);
  request.set_horizon(6);
  request.set_windows(3);
  request.add_models(v1::MODEL_TYPE_NAIVE);
  request.add_models(v1::MODEL_TYPE_DAMPED_HOLT);
  request.add_models(v1::MODEL_TYPE_DRIFT);
  v1::BacktestResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status status = stub_->Backtest(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.series_size(), 2);
  ASSERT_EQ(response.overall_size(), 3);
  for (const auto& series : response.series()) {
    ASSERT_EQ(series.models_size(), 3);
    for (const auto& m : series.models()) {
      EXPECT_EQ(m.points(), 18);  // 3 windows x 6 steps
      EXPECT_GE(m.smape(), 0);
      ASSERT_EQ(m.coverage_size(), 2);
    }
    EXPECT_NE(series.best_model(), v1::MODEL_TYPE_UNSPECIFIED);
  }
  // The trending series: drift and damped beat naive.
  const auto& trend = response.series(1);
  EXPECT_LT(trend.models(2).mase(), trend.models(0).mase());
  // Too short for the windows asked: the field is named.
  request.set_windows(50);
  v1::BacktestResponse bad;
  grpc::ClientContext context2;
  status = stub_->Backtest(&context2, request, &bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("windows"));
}

TEST_F(ForecastServiceTest, ReconcileMakesRegionsSumUp) {
  // Region = T1 + T2, with history that does not quite add up.
  v1::ReconcileRequest request;
  const v1::ForecastRequest monthly = MonthlyRequest();
  const v1::TimeSeries& base = monthly.series(0);
  for (const char* id : {"region", "t1", "t2"}) {
    auto* s = request.add_series();
    *s = base;
    s->set_id(id);
  }
  for (int t = 0; t < base.values_size(); ++t) {
    request.mutable_series(1)->set_values(t, 0.6 * base.values(t));
    request.mutable_series(2)->set_values(t, 0.4 * base.values(t) + (t % 3));
  }
  auto* aggregate = request.add_aggregates();
  aggregate->set_series_id("region");
  aggregate->add_bottom_series_ids("t1");
  aggregate->add_bottom_series_ids("t2");
  request.set_horizon(6);
  request.set_model(v1::MODEL_TYPE_DAMPED_HOLT);
  for (auto method : {v1::RECONCILE_METHOD_BOTTOM_UP, v1::RECONCILE_METHOD_TOP_DOWN_PROPORTIONS,
                      v1::RECONCILE_METHOD_MINT_SHRINK}) {
    request.set_method(method);
    v1::ReconcileResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub_->Reconcile(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.method(), method);
    ASSERT_EQ(response.forecasts_size(), 3);
    for (int h = 0; h < 6; ++h) {
      EXPECT_NEAR(response.forecasts(0).mean(h), response.forecasts(1).mean(h) + response.forecasts(2).mean(h), 1e-6);
    }
  }
  aggregate->add_bottom_series_ids("t9");
  v1::ReconcileResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Reconcile(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("aggregates[0].bottom_series_ids[2]: no series \"t9\""));
}

// A landing request: 500,000 closed won, 40 open deals closing in the period.
v1::ForecastLandingRequest LandingRequest() {
  v1::ForecastLandingRequest request;
  auto date = [](int y, int m, int d) {
    v1::Date out;
    out.set_year(y);
    out.set_month(m);
    out.set_day(d);
    return out;
  };
  *request.mutable_as_of() = date(2026, 11, 28);
  *request.mutable_period_start() = date(2026, 11, 1);
  *request.mutable_period_end() = date(2027, 1, 31);
  request.set_currency_code("USD");
  request.mutable_closed_won_to_date()->set_currency_code("USD");
  request.mutable_closed_won_to_date()->set_minor_units(500000);
  for (int i = 0; i < 40; ++i) {
    auto* deal = request.add_open_deals();
    deal->set_id("d" + std::to_string(i));
    deal->mutable_amount()->set_currency_code("USD");
    deal->mutable_amount()->set_minor_units(10000 * (1 + i % 7));
    deal->set_stage(i % 2 ? "Negotiation" : "Proposal");
    deal->set_forecast_category(i % 2 ? v1::FORECAST_CATEGORY_COMMIT : v1::FORECAST_CATEGORY_BEST_CASE);
    deal->set_probability(i % 2 ? 0.8 : 0.6);
    *deal->mutable_close_date() = date(2026, 12, 15);
  }
  return request;
}

TEST_F(ForecastServiceTest, ForecastLandingGivesQuantilesAndQuotaOdds) {
  v1::ForecastLandingRequest request = LandingRequest();
  // The expected landing is 500,000 + 1,084,000 = 1,584,000 with a standard deviation of about
  // 123,000 (independent deals, the CRM's probabilities): a quota of 1,650,000 is met about 30%
  // of the time.
  request.mutable_quota()->set_currency_code("USD");
  request.mutable_quota()->set_minor_units(1650000);
  v1::ForecastLandingResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->ForecastLanding(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LE(response.p10().minor_units(), response.p50().minor_units());
  EXPECT_LE(response.p50().minor_units(), response.p90().minor_units());
  EXPECT_GE(response.p10().minor_units(), 500000);
  EXPECT_NEAR(response.expected().minor_units(), 1584000, 5000);
  EXPECT_GT(response.probability_of_quota(), 0.2);
  EXPECT_LT(response.probability_of_quota(), 0.45);
  EXPECT_EQ(response.categories_size(), 2);
  // Reproducible: the same request gives the same numbers.
  v1::ForecastLandingResponse again;
  grpc::ClientContext context2;
  ASSERT_TRUE(stub_->ForecastLanding(&context2, request, &again).ok());
  EXPECT_EQ(again.p90().minor_units(), response.p90().minor_units());
  // Bad input names the field.
  request.mutable_open_deals(3)->mutable_amount()->set_currency_code("EUR");
  grpc::ClientContext context3;
  status = stub_->ForecastLanding(&context3, request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("open_deals[3].amount.currency_code"));
  // Amounts are bounded one by one (2^53 minor units) and together (2^62), so no sum overflows.
  request.mutable_open_deals(3)->mutable_amount()->set_currency_code(request.currency_code());
  request.mutable_open_deals(3)->mutable_amount()->set_minor_units((int64_t{1} << 53) + 1);
  grpc::ClientContext context4;
  status = stub_->ForecastLanding(&context4, request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("open_deals[3].amount: 9007199254740993 minor units is "
                                                "beyond the amount limit"));
  for (int i = 0; i < 600; ++i) {
    auto* deal = request.add_open_deals();
    *deal = request.open_deals(0);
    deal->mutable_amount()->set_minor_units(int64_t{1} << 53);
  }
  request.mutable_open_deals(3)->mutable_amount()->set_minor_units(1);
  grpc::ClientContext context5;
  status = stub_->ForecastLanding(&context5, request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("the amounts add up to more than the total limit"));
}

// The request limits are flags; a request beyond one is refused naming the field and the limit,
// before any work.
TEST(ForecastServiceLimitsTest, LimitsAreFlagsAndExceedingOneNamesIt) {
  ServiceProcess service("salesops-forecast",
                         {"--max-series", "1", "--max-series-length", "20", "--max-horizon", "6",
                          "--max-landing-deals", "39", "--max-landing-history", "1"});
  ASSERT_TRUE(service.Start());
  auto stub = v1::ForecastService::NewStub(service.Channel());
  auto forecast_error = [&](const v1::ForecastRequest& request) {
    v1::ForecastResponse response;
    grpc::Status s = Call(*stub, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    return s.error_message();
  };
  v1::ForecastRequest two = MonthlyRequest();  // 2 series of 48 and 30 values, horizon 12
  EXPECT_THAT(forecast_error(two), HasSubstr("(max_series)"));
  v1::ForecastRequest one;
  one.set_horizon(6);
  *one.add_series() = two.series(1);
  EXPECT_THAT(forecast_error(one), HasSubstr("max_series_length"));
  one.mutable_series(0)->mutable_values()->Truncate(20);
  v1::ForecastResponse ok;
  ASSERT_TRUE(Call(*stub, one, &ok).ok());  // at every limit: answered
  one.set_horizon(7);
  EXPECT_THAT(forecast_error(one), HasSubstr("max_horizon"));

  auto landing = [&](const v1::ForecastLandingRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    v1::ForecastLandingResponse response;
    return stub->ForecastLanding(&context, request, &response);
  };
  v1::ForecastLandingRequest request = LandingRequest();  // 40 open deals
  grpc::Status s = landing(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "open_deals: 40 deals exceed the limit of 39 (max_landing_deals)");
  request.mutable_open_deals()->RemoveLast();
  EXPECT_TRUE(landing(request).ok());
  request.add_history();  // the size is checked before the content
  request.add_history();
  s = landing(request);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "history: 2 examples exceed the limit of 1 (max_landing_history)");
}

}  // namespace
}  // namespace salesops
