// salesctl: the command-line client of the salesops services.
//
//   salesctl demo-data --out DIR                 write a synthetic company as a CRM export
//   salesctl upload --dir DIR                    upload a CRM export as a snapshot
//   salesctl forecast --input series.csv ...     forecast series (via ForecastService or --local)
//   salesctl plan create|get|list ...            quota plans
//   salesctl report attainment ...               attainment report with the landing forecast
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/grpc_status.h"
#include "common/rpc.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "tools/salesctl/csv.h"
#include "services/forecasting/forecast_request.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_request.h"
#include "tools/salesctl/render.h"
#include "tools/salesctl/series_csv.h"
#include "tools/salesctl/snapshot_upload.h"

namespace salesops::salesctl {
namespace {

struct Globals {
  std::string forecast_addr = "127.0.0.1:50051";
  std::string quota_addr = "127.0.0.1:50052";
  std::string reporting_addr = "127.0.0.1:50053";
  int deadline_seconds = 120;
  std::string format = "table";
};

// Prints the error and returns the exit code for it.
int Fail(const absl::Status& status) {
  std::cerr << "salesctl: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

std::unique_ptr<grpc::ClientContext> Context(const Globals& g) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(g.deadline_seconds));
  return context;
}

// Writes `text` to `path`, or stdout when empty.
int Emit(const std::string& text, const std::string& path) {
  if (path.empty()) {
    std::cout << text;
    return 0;
  }
  if (auto s = WriteWholeFile(path, text); !s.ok()) return Fail(s);
  return 0;
}

absl::StatusOr<OutputFormat> Format(const Globals& g) { return ParseOutputFormat(g.format); }

int DemoData(const std::string& out, const std::string& as_of, uint64_t seed, double scale,
             const std::string& snapshots) {
  DemoOptions options;
  std::optional<Date> date = as_of.empty() ? std::nullopt : ParseDate(as_of);
  if (as_of.empty()) {
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    date = Date(today);
  }
  if (!date) return Fail(absl::InvalidArgumentError("--as-of: \"" + as_of + "\" is not a date"));
  options.as_of = *date;
  options.seed = seed;
  options.scale = scale;
  auto company = GenerateDemoCompany(options);
  if (!company.ok()) return Fail(company.status());
  if (auto s = WriteCrmExport(*company, out); !s.ok()) return Fail(s);
  std::cout << "wrote " << company->territories.size() << " territories, " << company->reps.size()
            << " reps, " << company->opportunities.size() << " opportunities as of "
            << FormatDate(*date) << " to " << out << "\n";
  if (snapshots == "weekly") {  // past views every 7 days over the last year, for upload
    auto n = WritePastSnapshots(*company, WeeklySnapshotDates(*date, 52), out + "/snapshots");
    if (!n.ok()) return Fail(n.status());
    std::cout << "wrote " << *n << " weekly snapshots to " << out << "/snapshots\n";
  }
  return 0;
}

int Upload(const Globals& g, const std::string& dir, const std::string& mapping_file, bool quiet) {
  ColumnMapping mapping;
  if (!mapping_file.empty()) {
    auto loaded = LoadColumnMapping(mapping_file);
    if (!loaded.ok()) return Fail(loaded.status());
    mapping = *loaded;
  }
  auto company = ReadCrmExport(dir, mapping);
  if (!company.ok()) return Fail(company.status());
  if (!company->header.has_as_of() || company->header.as_of().year() == 0)
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(dir, "/", kSnapshotFile, ": as_of is required (the export's date)")));
  auto stub = v1::ReportingService::NewStub(MakeServiceChannel(g.reporting_addr));
  auto context = Context(g);
  UploadProgress progress = nullptr;
  if (!quiet) {
    progress = [](int64_t sent, int64_t total) {
      std::fprintf(stderr, "\ruploading %lld / %lld opportunities", static_cast<long long>(sent),
                   static_cast<long long>(total));
      if (sent == total) std::fprintf(stderr, "\n");
    };
  }
  auto info = UploadCompany(*stub, *context, *company, 5000, progress);
  if (!info.ok()) return Fail(info.status());
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (*format == OutputFormat::kJson) return Emit(ToJson(*info) + "\n", "");
  std::cout << info->snapshot_id() << "\n";
  if (!quiet)
    std::cerr << "snapshot " << (info->already_existed() ? "already stored" : "stored") << ": "
              << info->territory_count() << " territories, " << info->rep_count() << " reps, "
              << info->opportunity_count() << " opportunities\n";
  return 0;
}

struct ForecastArgs {
  std::string input, output, model = "auto";
  int horizon = 12, season_length = 0;
  std::vector<double> levels = {80, 95};
  bool local = false;
};

absl::StatusOr<v1::ModelType> ParseModel(const std::string& text) {
  std::string upper = absl::AsciiStrToUpper(text);
  for (char& c : upper) c = c == '-' ? '_' : c;
  v1::ModelType type;
  if (v1::ModelType_Parse("MODEL_TYPE_" + upper, &type) || v1::ModelType_Parse(upper, &type)) return type;
  return absl::InvalidArgumentError(absl::StrCat(
      "--model: \"", text, "\" is not a model (auto, naive, seasonal_naive, drift, ses, holt, "
      "damped_holt, holt_winters_additive)"));
}

int Forecast(const Globals& g, const ForecastArgs& a) {
  auto series = ReadSeriesCsv(a.input);
  if (!series.ok()) return Fail(series.status());
  auto model = ParseModel(a.model);
  if (!model.ok()) return Fail(model.status());
  v1::ForecastRequest request;
  for (auto& s : *series) *request.add_series() = std::move(s);
  request.set_horizon(a.horizon);
  for (double l : a.levels) request.add_levels(l);
  request.set_model(*model);
  request.set_season_length(a.season_length);
  v1::ForecastResponse response;
  if (a.local) {
    if (auto s = forecast::ValidateForecastRequest(request, {}); !s.ok()) return Fail(s);
    ThreadPool pool(0);
    auto computed = forecast::ComputeForecasts(request, pool);
    if (!computed.ok()) return Fail(computed.status());
    response = std::move(*computed);
  } else {
    auto stub = v1::ForecastService::NewStub(MakeServiceChannel(g.forecast_addr));
    auto context = Context(g);
    grpc::Status status = stub->Forecast(context.get(), request, &response);
    if (!status.ok()) return Fail(FromGrpcStatus(status));
  }
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (*format == OutputFormat::kCsv || (!a.output.empty() && *format == OutputFormat::kTable)) {
    auto csv = FormatForecastCsv(response);
    if (!csv.ok()) return Fail(csv.status());
    return Emit(*csv, a.output);
  }
  return Emit(Render(*format, ForecastTable(response), response), a.output);
}

struct PlanCreateArgs {
  std::string dir, name, target, method = "forecast";
  int fiscal_year = 0;
  double growth_pct = 20;
};

int PlanCreate(const Globals& g, const PlanCreateArgs& a) {
  auto company = ReadCrmExport(a.dir);
  if (!company.ok()) return Fail(company.status());
  auto method = ParseAllocationMethod(a.method);
  if (!method.ok()) return Fail(method.status());
  int fiscal_year = a.fiscal_year;
  if (fiscal_year == 0) {
    auto as_of = FromProtoDate(company->header.as_of());
    if (!as_of.ok()) return Fail(absl::InvalidArgumentError("--fiscal-year: required (the export has no as_of)"));
    fiscal_year = FiscalYearOf(as_of, company->header.calendar().start_month());
  }
  std::string name = a.name.empty() ? absl::StrCat("FY", fiscal_year, " plan") : a.name;
  auto target = PlanTarget(*company, fiscal_year, a.target, a.growth_pct);
  if (!target.ok()) return Fail(target.status());
  auto request = PlanRequestFromExport(*company, name, fiscal_year, *target, *method);
  auto stub = v1::QuotaService::NewStub(MakeServiceChannel(g.quota_addr));
  auto context = Context(g);
  v1::Plan plan;
  grpc::Status status = stub->CreatePlan(context.get(), request, &plan);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (*format == OutputFormat::kTable)
    std::cout << "plan " << plan.plan_id() << " version " << plan.version() << " (FY"
              << plan.fiscal_year() << ", " << v1::AllocationMethod_Name(plan.method()) << ")\n";
  return Emit(Render(*format, PlanTable(plan), plan), "");
}

int PlanGet(const Globals& g, const std::string& plan_id, int version) {
  auto stub = v1::QuotaService::NewStub(MakeServiceChannel(g.quota_addr));
  auto context = Context(g);
  v1::GetPlanRequest request;
  request.set_plan_id(plan_id);
  request.set_version(version);
  v1::Plan plan;
  grpc::Status status = stub->GetPlan(context.get(), request, &plan);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (*format == OutputFormat::kTable)
    std::cout << "plan " << plan.plan_id() << " version " << plan.version() << " \"" << plan.name()
              << "\" FY" << plan.fiscal_year() << ", " << v1::AllocationMethod_Name(plan.method())
              << "\n";
  return Emit(Render(*format, PlanTable(plan), plan), "");
}

int PlanList(const Globals& g, int fiscal_year) {
  auto stub = v1::QuotaService::NewStub(MakeServiceChannel(g.quota_addr));
  auto context = Context(g);
  v1::ListPlansRequest request;
  request.set_fiscal_year(fiscal_year);
  v1::ListPlansResponse response;
  grpc::Status status = stub->ListPlans(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  return Emit(Render(*format, PlanListTable(response), response), "");
}

struct ReportArgs {
  std::string snapshot, plan, period, node, output;
  int plan_version = 0;
};

int ReportAttainment(const Globals& g, const ReportArgs& a) {
  v1::AttainmentReportRequest request;
  request.set_snapshot_id(a.snapshot);
  request.set_plan_id(a.plan);
  request.set_plan_version(a.plan_version);
  request.set_node_id(a.node);
  if (!a.period.empty() && a.period != "current") {
    auto period = ParsePeriod(a.period);
    if (!period.ok()) return Fail(period.status());
    *request.mutable_period() = *period;
  }
  auto stub = v1::ReportingService::NewStub(MakeServiceChannel(g.reporting_addr));
  auto context = Context(g);
  v1::AttainmentReportResponse report;
  grpc::Status status = stub->AttainmentReport(context.get(), request, &report);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  std::string text;
  if (*format == OutputFormat::kTable) {
    FiscalPeriod period{report.period().type() == v1::PERIOD_TYPE_MONTH  ? PeriodKind::kMonth
                        : report.period().type() == v1::PERIOD_TYPE_YEAR ? PeriodKind::kYear
                                                                         : PeriodKind::kQuarter,
                        report.period().fiscal_year(), report.period().index()};
    text = absl::StrFormat(
        "Attainment %s (%04d-%02d-%02d .. %04d-%02d-%02d), as of %04d-%02d-%02d, %.0f%% of the "
        "period elapsed; amounts in %s; landing = P50 with its P10-P90 interval\n"
        "snapshot %s, plan %s v%d, engine %s\n\n",
        PeriodName(period), report.period_start().year(), report.period_start().month(),
        report.period_start().day(), report.period_end().year(), report.period_end().month(),
        report.period_end().day(), report.as_of().year(), report.as_of().month(),
        report.as_of().day(), 100 * report.elapsed_fraction(), report.currency_code(),
        report.snapshot_id().substr(0, 12), report.plan_id(), report.plan_version(),
        report.engine_version());
  }
  text += Render(*format, AttainmentTable(report), report);
  return Emit(text, a.output);
}

}  // namespace
}  // namespace salesops::salesctl

int main(int argc, char** argv) {
  using namespace salesops::salesctl;
  CLI::App app{"salesctl: command-line client of the salesops services"};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--forecast-addr", g.forecast_addr, "ForecastService address")
      ->envname("SALESOPS_FORECAST_ADDR")->capture_default_str();
  app.add_option("--quota-addr", g.quota_addr, "QuotaService address")
      ->envname("SALESOPS_QUOTA_ADDR")->capture_default_str();
  app.add_option("--reporting-addr", g.reporting_addr, "ReportingService address")
      ->envname("SALESOPS_REPORTING_ADDR")->capture_default_str();
  app.add_option("--deadline-seconds", g.deadline_seconds, "deadline of each call")
      ->check(CLI::Range(1, 86400))->capture_default_str();
  app.add_option("--format", g.format, "table, json or csv")->capture_default_str();
  int rc = 0;

  auto* demo = app.add_subcommand("demo-data", "write a synthetic company as a CRM export");
  std::string demo_out, demo_as_of;
  uint64_t demo_seed = 42;
  double demo_scale = 1.0;
  demo->add_option("--out", demo_out, "directory to write")->required();
  demo->add_option("--as-of", demo_as_of, "the export's date (default: today)");
  demo->add_option("--seed", demo_seed, "random seed")->capture_default_str();
  demo->add_option("--scale", demo_scale, "multiplies the number of opportunities (5,000 at 1)")
      ->capture_default_str();
  std::string demo_snapshots = "none";
  demo->add_option("--snapshots", demo_snapshots, "also write past weekly views to OUT/snapshots/DATE/")
      ->check(CLI::IsMember({"weekly", "none"}))->capture_default_str();
  demo->callback([&] { rc = DemoData(demo_out, demo_as_of, demo_seed, demo_scale, demo_snapshots); });

  auto* upload = app.add_subcommand("upload", "upload a CRM export (CSV files) as a snapshot");
  std::string upload_dir, upload_mapping;
  bool upload_quiet = false;
  upload->add_option("--dir", upload_dir, "export directory (territories.csv, reps.csv, opportunities.csv, snapshot.json)")->required();
  upload->add_option("--mapping", upload_mapping, "column mapping file for other headers");
  upload->add_flag("--quiet", upload_quiet, "print only the snapshot id");
  upload->callback([&] { rc = Upload(g, upload_dir, upload_mapping, upload_quiet); });

  auto* forecast = app.add_subcommand("forecast", "forecast series from a long CSV (series_id,t,value)");
  ForecastArgs fa;
  forecast->add_option("--input", fa.input, "CSV file")->required();
  forecast->add_option("--output", fa.output, "write the forecast CSV here (default: stdout)");
  forecast->add_option("--horizon", fa.horizon, "steps ahead")->capture_default_str();
  forecast->add_option("--season-length", fa.season_length, "seasonal period (0: from the dates)")->capture_default_str();
  forecast->add_option("--levels", fa.levels, "interval levels in percent")->delimiter(',')->capture_default_str();
  forecast->add_option("--model", fa.model, "auto, naive, seasonal_naive, drift, ses, holt, damped_holt, holt_winters_additive")->capture_default_str();
  forecast->add_flag("--local", fa.local, "run the engine in this process instead of calling the server");
  forecast->callback([&] { rc = Forecast(g, fa); });

  auto* plan = app.add_subcommand("plan", "quota plans");
  plan->require_subcommand(1);
  auto* plan_create = plan->add_subcommand("create", "allocate a target over the export's hierarchy");
  PlanCreateArgs pc;
  plan_create->add_option("--dir", pc.dir, "CRM export directory (hierarchy, reps, bookings history)")->required();
  plan_create->add_option("--target", pc.target, "company target in major units, e.g. 48000000");
  plan_create->add_option("--growth", pc.growth_pct,
                          "without --target: last fiscal year's bookings plus this many percent")
      ->capture_default_str();
  plan_create->add_option("--fiscal-year", pc.fiscal_year, "fiscal year (default: the export's current one)");
  plan_create->add_option("--method", pc.method, "equal, historical or forecast")->capture_default_str();
  plan_create->add_option("--name", pc.name, "plan name");
  plan_create->callback([&] { rc = PlanCreate(g, pc); });
  auto* plan_get = plan->add_subcommand("get", "show a plan as a tree");
  std::string plan_id;
  int plan_version = 0;
  plan_get->add_option("plan_id", plan_id, "plan id")->required();
  plan_get->add_option("--version", plan_version, "version (default: latest)");
  plan_get->callback([&] { rc = PlanGet(g, plan_id, plan_version); });
  auto* plan_list = plan->add_subcommand("list", "list plans, newest first");
  int list_year = 0;
  plan_list->add_option("--fiscal-year", list_year, "only this fiscal year");
  plan_list->callback([&] { rc = PlanList(g, list_year); });

  auto* report = app.add_subcommand("report", "reports");
  report->require_subcommand(1);
  auto* attainment = report->add_subcommand("attainment", "quota attainment with the landing forecast");
  ReportArgs ra;
  attainment->add_option("--snapshot", ra.snapshot, "snapshot id")->required();
  attainment->add_option("--plan", ra.plan, "plan id")->required();
  attainment->add_option("--plan-version", ra.plan_version, "plan version (default: latest)");
  attainment->add_option("--period", ra.period, "FY2027-Q4, FY2027-M05, FY2027 (default: the current quarter)");
  attainment->add_option("--node", ra.node, "territory node (default: the whole company)");
  attainment->add_option("--output", ra.output, "write here instead of stdout");
  attainment->callback([&] { rc = ReportAttainment(g, ra); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
