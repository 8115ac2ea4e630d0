// salesctl: the command-line client of the salesops services.
//
//   salesctl demo-data --out DIR                 write a synthetic company as a CRM export
//   salesctl import --dir DIR [--upload]         check a CRM export, print a summary, upload it
//   salesctl upload --dir DIR                    import --upload
//   salesctl forecast --input series.csv ...     forecast series (via ForecastService or --local)
//   salesctl plan create|show|list|versions|override|approve|archive|reopen|diff|simulate
//                                                quota plans
//   salesctl snapshots list|delete               stored snapshots
//   salesctl report attainment|pipeline|kpi ...  attainment with the landing forecast, pipeline
//                                                with coverage and waterfall, KPIs (--html FILE:
//                                                also the HTML page with charts)
//   salesctl report accuracy ...                 how past periods' forecasts compared with what
//                                                closed
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/calendar.h"
#include "common/grpc_status.h"
#include "common/rpc.h"
#include "common/tls.h"
#include "common/thread_pool.h"
#include "salesops/v1/forecasting.grpc.pb.h"
#include "salesops/v1/quota.grpc.pb.h"
#include "tools/salesctl/csv.h"
#include "services/forecasting/forecast_request.h"
#include "tools/salesctl/crm_csv.h"
#include "tools/salesctl/demo_data.h"
#include "tools/salesctl/plan_render.h"
#include "tools/salesctl/progress.h"
#include "tools/salesctl/plan_request.h"
#include "tools/salesctl/render.h"
#include "tools/salesctl/report_render.h"
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
  // TLS and the bearer token (README, "Security").
  ClientTlsConfig tls;
  std::string token_file;
  mutable std::optional<CallerCredentials> caller;  // loaded on first use
};

// The credentials every channel uses; a file that cannot be read ends salesctl (exit code 2).
const CallerCredentials& Caller(const Globals& g) {
  if (!g.caller) {
    auto caller = LoadCaller(g.tls, {}, "--token-file", g.token_file);
    if (!caller.ok()) {
      std::cerr << "salesctl: " << caller.status().message() << "\n";
      std::exit(2);
    }
    if (g.token_file.empty()) {
      if (const char* token = std::getenv("SALESOPS_TOKEN"); token != nullptr) caller->bearer_token = token;
    }
    g.caller = *std::move(caller);
  }
  return *g.caller;
}

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

// salesctl import (and upload, which is import --upload).
struct ImportArgs {
  std::string dir, mapping, as_of, currency, date_order = "auto";
  int max_errors = 20;
  bool upload = false, progress = false, quiet = false;
};

// The end of `salesctl import --help`: the files, the headers recognised, the mapping file format
// and the value formats.
std::string ImportHelpFooter() {
  std::string out =
      "An export is a directory of CSV files as a CRM report produces them:\n"
      "  territories.csv, reps.csv (or users.csv), opportunities.csv (or deals.csv), and an\n"
      "  optional snapshot.json {\"as_of\": \"2026-11-27\", \"currency\": \"USD\",\n"
      "  \"fiscal_start_month\": 2, \"source\": \"...\"}.\n"
      "Every row is checked before anything is uploaded: the snapshot uploads whole or not at all.\n"
      "Errors name the file, line and column, e.g.\n"
      "  opportunities.csv:1234: column 6 \"Amount\": \"12,3x\" is not an amount\n"
      "and up to --max-errors of them are listed.\n\n"
      "Headers recognised (any case, spaces and punctuation ignored; other columns are ignored):\n";
  for (const std::string& name : CanonicalColumnNames()) {
    absl::StrAppend(&out, absl::StrFormat("  %-35s ", name));
    std::vector<std::string> accepted = AcceptedHeaders(name);
    for (size_t i = 0; i < accepted.size(); ++i) absl::StrAppend(&out, i > 0 ? ", " : "", accepted[i]);
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(
      &out,
      "\nA mapping file (--mapping) names other headers, one `name = Their Header` a line, the\n"
      "name as above, qualified by its file or not (then it applies to every file with it):\n"
      "  # our Salesforce report\n"
      "  opportunity_owner = Opportunity Owner: User ID\n"
      "  reps.territory_id = \"Region \"          # quotes keep spaces at the ends\n"
      "Blank lines and lines starting with # are ignored. An unknown name, or a header the file\n"
      "does not have, is an error naming the mapping file and line.\n\n"
      "Values:\n"
      "  amounts        12500, 12,500.00, $12,500 (also the euro, pound and yen signs),\n"
      "                 (1,234.00) for negatives; empty is 0\n"
      "  dates          2026-03-01 (also with / or . and with a time after it), 1 Mar 2026,\n"
      "                 Mar 1, 2026, 1.3.2026 (day first), 3/1/2026 or 1/3/2026: month or day\n"
      "                 first by --date-order; auto decides from dates like 13/01/2026 and\n"
      "                 notes its choice; two-digit years are refused\n"
      "  booleans       TRUE/FALSE, yes/no, Y/N, T/F, 1/0\n"
      "  probabilities  0..100 or 60%; 0..1 when every value in the file is within 0..1 and\n"
      "                 one is a fraction like 0.25 (a note says so)\n"
      "  owners         a rep's User ID, or their Full Name when no other rep has it\n");
  return out;
}

int Import(const Globals& g, const ImportArgs& a) {
  ImportOptions options;
  if (!a.mapping.empty()) {
    auto loaded = LoadColumnMapping(a.mapping, &options.mapping_source);
    if (!loaded.ok()) return Fail(loaded.status());
    options.mapping = *loaded;
  }
  if (!a.as_of.empty()) {
    options.as_of = ParseDate(a.as_of);
    if (!options.as_of)
      return Fail(absl::InvalidArgumentError("--as-of: \"" + a.as_of + "\" is not a date (YYYY-MM-DD)"));
  }
  options.currency = a.currency;
  auto order = ParseDateOrder(a.date_order);
  if (!order) return Fail(absl::InvalidArgumentError("--date-order: \"" + a.date_order + "\" is not auto, mdy or dmy"));
  options.date_order = *order;
  options.max_errors = a.max_errors;
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());

  ProgressOptions bar;
  bar.enabled = WantProgress(a.progress, a.quiet);
  if (a.progress) bar.initial_delay_seconds = 0;
  ProgressBar reading("reading  ", 0, "rows", bar);  // aligned with "uploading"
  options.progress = [&reading](int64_t done, int64_t total) {
    reading.SetTotal(total);
    reading.Update(done);
  };

  if (!a.upload) {
    auto imported = ImportCrmExport(a.dir, options);
    if (!imported.ok()) {
      reading.Abandon();
      return Fail(imported.status());
    }
    reading.Finish();
    if (!a.quiet) std::cout << ImportSummaryText(*imported);
    return 0;
  }

  auto stub = v1::ReportingService::NewStub(MakeServiceChannel(g.reporting_addr, Caller(g)));
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<ProgressBar> uploading;
  auto result = ImportAndUpload(
      a.dir, options,
      [&] {
        context = Context(g);
        return OpenUploadStream(*stub, *context);
      },
      ChunkLimits{},
      [&](const CrmImport& imported) {
        reading.Finish();
        if (!a.quiet) std::cerr << ImportSummaryText(imported) << "\n";
        uploading = std::make_unique<ProgressBar>(
            "uploading", static_cast<int64_t>(imported.company.opportunities.size()), "opps", bar);
      },
      [&](int64_t sent, int64_t) { uploading->Update(sent); });
  if (!result.ok()) {
    reading.Abandon();
    if (uploading) uploading->Abandon();
    return Fail(result.status());
  }
  uploading->Finish();
  const v1::SnapshotInfo& info = result->info;
  if (*format == OutputFormat::kJson) return Emit(ToJson(info) + "\n", "");
  std::cout << info.snapshot_id() << "\n";
  if (!a.quiet)
    std::cerr << "snapshot " << (info.already_existed() ? "already stored" : "stored") << ": "
              << info.territory_count() << " territories, " << info.rep_count() << " reps, "
              << info.opportunity_count() << " opportunities\n";
  return 0;
}

struct ForecastArgs {
  std::string input, output, model = "auto";
  int horizon = 12, season_length = 0;
  std::vector<double> levels = {80, 95};
  bool local = false;
  bool batch = false;
  int series_per_task = 0;
  bool quiet = false;
  // With --batch: a stored snapshot's bookings instead of --input, grouped by these keys.
  std::string from_snapshot;
  std::vector<std::string> group_by = {"account", "product"};
};

// Every page of a batch job's results as one response, in submission order; the failed series
// are returned in `failed`.
absl::StatusOr<v1::ForecastResponse> ReadBatchResults(const Globals& g, v1::ForecastService::Stub& stub,
                                                      const std::string& batch_id,
                                                      std::vector<v1::FailedSeries>* failed) {
  v1::ForecastResponse all;
  all.set_engine_version(SALESOPS_ENGINE_VERSION);
  v1::GetBatchResultsRequest request;
  request.set_batch_id(batch_id);
  do {
    v1::GetBatchResultsResponse page;
    auto context = Context(g);
    grpc::Status status = stub.GetBatchResults(context.get(), request, &page);
    if (!status.ok()) return FromGrpcStatus(status);
    for (auto& f : *page.mutable_forecasts()) *all.add_forecasts() = std::move(f);
    for (auto& f : *page.mutable_failed()) failed->push_back(std::move(f));
    all.set_engine_version(page.status().engine_version());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

// Submits the request as a batch job, follows it (WatchBatch) with a progress bar on stderr, and
// reads the results. Cancelled or unfinished jobs are errors naming the job.
absl::StatusOr<v1::ForecastResponse> ForecastAsBatch(const Globals& g, const ForecastArgs& a,
                                                     const v1::ForecastRequest& request) {
  auto stub = v1::ForecastService::NewStub(MakeServiceChannel(g.forecast_addr, Caller(g)));
  v1::SubmitBatchRequest submit;
  *submit.mutable_forecast() = request;
  submit.set_series_per_task(a.series_per_task);
  if (!a.from_snapshot.empty()) {
    submit.mutable_from_snapshot()->set_snapshot_id(a.from_snapshot);
    for (const std::string& key : a.group_by) {
      v1::BookingsKey parsed;
      if (!v1::BookingsKey_Parse("BOOKINGS_KEY_" + absl::AsciiStrToUpper(key), &parsed))
        return absl::InvalidArgumentError(absl::StrCat(
            "--group-by: \"", key, "\" is not a key (account, product, rep, territory)"));
      submit.mutable_from_snapshot()->add_group_by(parsed);
    }
  }
  v1::BatchStatus status;
  {
    auto context = Context(g);
    grpc::Status s = stub->SubmitBatch(context.get(), submit, &status);
    if (!s.ok()) return FromGrpcStatus(s);
  }
  if (!a.quiet) std::cerr << "batch " << status.batch_id() << ": " << status.tasks_total() << " tasks\n";
  ProgressOptions options;
  options.enabled = WantProgress(false, a.quiet);
  ProgressBar bar("forecasting", status.series_total(), "series", options);
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(24));
  v1::GetBatchRequest watch;
  watch.set_batch_id(status.batch_id());
  auto reader = stub->WatchBatch(&watch_context, watch);
  while (reader->Read(&status)) bar.Update(status.series_done() + status.series_failed());
  grpc::Status finished = reader->Finish();
  if (!finished.ok()) {
    bar.Abandon();
    return FromGrpcStatus(finished);
  }
  bar.Finish();
  if (status.state() != v1::BATCH_STATE_DONE)
    return absl::AbortedError(absl::StrCat("batch ", status.batch_id(), " did not finish (",
                                           v1::BatchState_Name(status.state()), ")"));
  std::vector<v1::FailedSeries> failed;
  auto response = ReadBatchResults(g, *stub, status.batch_id(), &failed);
  if (!response.ok()) return response.status();
  if (!failed.empty()) {
    std::cerr << "salesctl: " << failed.size() << " series failed, e.g. " << failed[0].series_id()
              << ": " << failed[0].error() << "\n";
  }
  return response;
}

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
  if (a.input.empty() == a.from_snapshot.empty())
    return Fail(absl::InvalidArgumentError("give --input FILE, or --batch --from-snapshot ID"));
  absl::StatusOr<std::vector<v1::TimeSeries>> series = std::vector<v1::TimeSeries>{};
  if (!a.input.empty()) series = ReadSeriesCsv(a.input);
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
  if (a.batch) {
    auto batch = ForecastAsBatch(g, a, request);
    if (!batch.ok()) return Fail(batch.status());
    response = std::move(*batch);
  } else if (a.local) {
    if (auto s = forecast::ValidateForecastRequest(request, {}); !s.ok()) return Fail(s);
    ThreadPool pool(0);
    auto computed = forecast::ComputeForecasts(request, pool);
    if (!computed.ok()) return Fail(computed.status());
    response = std::move(*computed);
  } else {
    auto stub = v1::ForecastService::NewStub(MakeServiceChannel(g.forecast_addr, Caller(g)));
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

// Who is recorded with a plan change: $USER, else $LOGNAME, else "salesctl".
std::string DefaultAuthor() {
  for (const char* name : {"USER", "LOGNAME"})
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
  return "salesctl";
}

std::unique_ptr<v1::QuotaService::Stub> QuotaStub(const Globals& g) {
  return v1::QuotaService::NewStub(MakeServiceChannel(g.quota_addr, Caller(g)));
}

// The latest version number of a plan.
absl::StatusOr<int> LatestVersion(const Globals& g, v1::QuotaService::Stub& stub, const std::string& plan_id) {
  v1::ListPlanVersionsRequest request;
  request.set_plan_id(plan_id);
  v1::ListPlanVersionsResponse response;
  auto context = Context(g);
  grpc::Status status = stub.ListPlanVersions(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  if (response.versions_size() == 0) return absl::NotFoundError(absl::StrCat("plan ", plan_id, " has no versions"));
  return response.versions(0).version();
}

// Fails a change made on `read_version`. When someone else changed the plan since (ABORTED),
// says who and when; when an edit finds the plan read-only (FAILED_PRECONDITION), how to edit it.
int FailPlanChange(const Globals& g, v1::QuotaService::Stub& stub, const std::string& plan_id,
                   int read_version, const grpc::Status& status, bool edit) {
  absl::Status s = FromGrpcStatus(status);
  int rc = Fail(s);
  if (s.code() == absl::StatusCode::kAborted) {
    v1::ListPlanVersionsRequest request;
    request.set_plan_id(plan_id);
    v1::ListPlanVersionsResponse versions;
    auto context = Context(g);
    (void)stub.ListPlanVersions(context.get(), request, &versions);  // without it: no names, same advice
    std::cerr << StalePlanText(plan_id, read_version, versions);
  } else if (edit && s.code() == absl::StatusCode::kFailedPrecondition) {
    std::cerr << "An approved or archived plan is read-only: `salesctl plan reopen " << plan_id
              << "` starts a new draft from it.\n";
  }
  return rc;
}

// Prints a plan: the tree (table), the plan (json) or the tree's rows (csv).
int EmitPlan(const Globals& g, const v1::Plan& plan) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (*format == OutputFormat::kTable) return Emit(PlanText(plan), "");
  return Emit(Render(*format, PlanTable(plan), plan), "");
}

struct PlanCreateArgs {
  std::string dir, name, target;
  int fiscal_year = 0;
  double growth_pct = 20;
  PlanFlags flags;
};

int PlanCreate(const Globals& g, const PlanCreateArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto company = ReadCrmExport(a.dir);
  if (!company.ok()) return Fail(company.status());
  int fiscal_year = a.fiscal_year;
  if (fiscal_year == 0) {
    auto as_of = FromProtoDate(company->header.as_of());
    if (!as_of.ok()) return Fail(absl::InvalidArgumentError("--fiscal-year: required (the export has no as_of)"));
    fiscal_year = FiscalYearOf(as_of, company->header.calendar().start_month());
  }
  const int quarter = a.flags.fiscal_quarter;
  std::string name = !a.name.empty() ? a.name
                     : quarter == 0  ? absl::StrCat("FY", fiscal_year, " plan")
                                     : absl::StrCat("FY", fiscal_year, " Q", quarter, " plan");
  auto target = PlanTarget(*company, fiscal_year, a.target, a.growth_pct, quarter);
  if (!target.ok()) return Fail(target.status());
  auto request = PlanRequestFromExport(*company, name, fiscal_year, *target, v1::ALLOCATION_METHOD_UNSPECIFIED);
  if (auto s = ApplyPlanFlags(a.flags, &request); !s.ok()) return Fail(s);
  auto stub = QuotaStub(g);
  auto context = Context(g);
  v1::Plan plan;
  grpc::Status status = stub->CreatePlan(context.get(), request, &plan);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  return EmitPlan(g, plan);
}

int PlanShow(const Globals& g, const std::string& plan_id, int version) {
  auto stub = QuotaStub(g);
  auto context = Context(g);
  v1::GetPlanRequest request;
  request.set_plan_id(plan_id);
  request.set_version(version);
  v1::Plan plan;
  grpc::Status status = stub->GetPlan(context.get(), request, &plan);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  return EmitPlan(g, plan);
}

int PlanList(const Globals& g, int fiscal_year) {
  auto stub = QuotaStub(g);
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

int PlanVersions(const Globals& g, const std::string& plan_id) {
  auto stub = QuotaStub(g);
  auto context = Context(g);
  v1::ListPlanVersionsRequest request;
  request.set_plan_id(plan_id);
  v1::ListPlanVersionsResponse response;
  grpc::Status status = stub->ListPlanVersions(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  std::string text;
  if (*format == OutputFormat::kTable)
    text = absl::StrCat("plan ", plan_id, ": ", response.versions_size(), " versions, newest first\n\n");
  return Emit(text + Render(*format, PlanVersionsTable(response), response), "");
}

struct PlanOverrideArgs {
  std::string plan_id, reason, author;
  std::vector<std::string> sets, clears;
};

// Edits the overrides of the latest version; no retry when someone else changed it meanwhile.
int PlanOverride(const Globals& g, const PlanOverrideArgs& a) {
  if (a.sets.empty() && a.clears.empty())
    return Fail(absl::InvalidArgumentError("plan override: give --set ID=AMOUNT or --clear ID"));
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto stub = QuotaStub(g);
  v1::GetPlanRequest get;
  get.set_plan_id(a.plan_id);
  v1::Plan plan;
  auto context = Context(g);
  grpc::Status status = stub->GetPlan(context.get(), get, &plan);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (!plan.has_inputs())
    return Fail(absl::FailedPreconditionError(absl::StrCat(
        "plan ", a.plan_id, " version ", plan.version(), " has no stored inputs to edit")));
  v1::UpdatePlanRequest request;
  request.set_plan_id(a.plan_id);
  request.set_expected_version(plan.version());
  *request.mutable_inputs() = plan.inputs();
  if (auto s = EditOverrides(a.sets, a.clears, a.reason, request.mutable_inputs()); !s.ok()) return Fail(s);
  request.set_author(a.author);
  request.set_reason(a.reason);
  v1::Plan updated;
  context = Context(g);
  status = stub->UpdatePlan(context.get(), request, &updated);
  if (!status.ok()) return FailPlanChange(g, *stub, a.plan_id, plan.version(), status, /*edit=*/true);
  return EmitPlan(g, updated);
}

enum class StatusChange { kApprove, kArchive, kReopen };

struct PlanStatusArgs {
  std::string plan_id, reason, author;
  int expect_version = 0;
};

int PlanChangeStatus(const Globals& g, StatusChange change, const PlanStatusArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto stub = QuotaStub(g);
  int version = a.expect_version;
  if (version == 0) {
    auto latest = LatestVersion(g, *stub, a.plan_id);
    if (!latest.ok()) return Fail(latest.status());
    version = *latest;
  }
  v1::ChangePlanStatusRequest request;
  request.set_plan_id(a.plan_id);
  request.set_expected_version(version);
  request.set_author(a.author);
  request.set_reason(a.reason);
  v1::Plan plan;
  auto context = Context(g);
  grpc::Status status;
  switch (change) {
    case StatusChange::kApprove: status = stub->ApprovePlan(context.get(), request, &plan); break;
    case StatusChange::kArchive: status = stub->ArchivePlan(context.get(), request, &plan); break;
    case StatusChange::kReopen: status = stub->ReopenPlan(context.get(), request, &plan); break;
  }
  if (!status.ok()) return FailPlanChange(g, *stub, a.plan_id, version, status, /*edit=*/false);
  if (*format != OutputFormat::kTable) return Emit(Render(*format, PlanTable(plan), plan), "");
  std::cout << "plan " << plan.plan_id() << " version " << plan.version() << " (from version " << version
            << "): " << StatusName(plan.status()) << "\n";
  return 0;
}

struct PlanDiffArgs {
  std::vector<std::string> plan_ids;
  int from = 0, to = 0;  // 0: not given
};

int PlanDiff(const Globals& g, const PlanDiffArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto stub = QuotaStub(g);
  v1::ComparePlansRequest request;
  request.mutable_base()->set_plan_id(a.plan_ids[0]);
  request.mutable_base()->set_version(a.from);
  request.mutable_other()->set_plan_id(a.plan_ids.size() > 1 ? a.plan_ids[1] : a.plan_ids[0]);
  request.mutable_other()->set_version(a.to);
  if (a.plan_ids.size() == 1 && a.from == 0) {  // one plan: by default the version before --to
    int to = a.to;
    if (to == 0) {
      auto latest = LatestVersion(g, *stub, a.plan_ids[0]);
      if (!latest.ok()) return Fail(latest.status());
      to = *latest;
    }
    if (to <= 1)
      return Fail(absl::InvalidArgumentError(absl::StrCat(
          "plan diff: plan ", a.plan_ids[0], " version ", to, " has no earlier version to compare with (--from)")));
    request.mutable_base()->set_version(to - 1);
    request.mutable_other()->set_version(to);
  }
  v1::ComparePlansResponse response;
  auto context = Context(g);
  grpc::Status status = stub->ComparePlans(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (*format == OutputFormat::kTable) return Emit(PlanDiffText(response), "");
  return Emit(Render(*format, PlanDiffTable(response), response), "");
}

struct PlanSimulateArgs {
  std::string plan_id;
  int version = 0, paths = 0;
  uint64_t seed = 0;
};

int PlanSimulate(const Globals& g, const PlanSimulateArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  v1::SimulatePlanRequest request;
  request.mutable_plan()->set_plan_id(a.plan_id);
  request.mutable_plan()->set_version(a.version);
  request.set_paths(a.paths);
  request.set_seed(a.seed);
  auto stub = QuotaStub(g);
  auto context = Context(g);
  v1::SimulatePlanResponse response;
  grpc::Status status = stub->SimulatePlan(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (*format == OutputFormat::kTable) return Emit(SimulationText(response), "");
  return Emit(Render(*format, SimulationTable(response), response), "");
}

struct ReportArgs {
  std::string snapshot, plan, period, node, output, html;
  int plan_version = 0;
};

std::unique_ptr<v1::ReportingService::Stub> ReportingStub(const Globals& g) {
  return v1::ReportingService::NewStub(MakeServiceChannel(g.reporting_addr, Caller(g)));
}

// The RenderReport request naming what `report` (an attainment or pipeline request) names.
template <class ReportRequest>
v1::RenderReportRequest RenderRequestFor(const ReportRequest& report) {
  v1::RenderReportRequest render;
  render.set_snapshot_id(report.snapshot_id());
  render.set_plan_id(report.plan_id());
  render.set_plan_version(report.plan_version());
  if (report.has_period()) *render.mutable_period() = report.period();
  render.set_node_id(report.node_id());
  if constexpr (std::is_same_v<ReportRequest, v1::PipelineReportRequest>)
    render.set_baseline_snapshot_id(report.baseline_snapshot_id());
  return render;
}

// --html FILE: RenderReport with the report's own arguments, written to `path`; "wrote FILE (N KB)"
// on stdout with the table format, on stderr otherwise (stdout stays JSON or CSV).
template <class ReportRequest>
int WriteHtmlReport(const Globals& g, v1::ReportingService::Stub& stub,
                    const ReportRequest& report, const std::string& path, OutputFormat format) {
  auto context = Context(g);
  v1::RenderReportResponse page;
  grpc::Status status = stub.RenderReport(context.get(), RenderRequestFor(report), &page);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (auto s = WriteWholeFile(path, page.html()); !s.ok()) return Fail(s);
  (format == OutputFormat::kTable ? std::cout : std::cerr)
      << WroteFileText(path, page.html().size()) << "\n";
  return 0;
}

// --period: nullopt for "" and "current" (the server's default, the current quarter).
absl::StatusOr<std::optional<v1::Period>> PeriodFlag(const std::string& text) {
  if (text.empty() || text == "current") return std::nullopt;
  auto parsed = ParsePeriod(text);
  if (!parsed.ok()) return parsed.status();
  return std::optional<v1::Period>(*parsed);
}

// Sets the request's period from --period (left unset for the server's default).
template <class Request>
absl::Status SetPeriodFlag(const std::string& text, Request& request) {
  auto period = PeriodFlag(text);
  if (!period.ok()) return period.status();
  if (*period) *request.mutable_period() = **period;
  return absl::OkStatus();
}

int ReportAttainment(const Globals& g, const ReportArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  v1::AttainmentReportRequest request;
  request.set_snapshot_id(a.snapshot);
  request.set_plan_id(a.plan);
  request.set_plan_version(a.plan_version);
  request.set_node_id(a.node);
  if (auto s = SetPeriodFlag(a.period, request); !s.ok()) return Fail(s);
  auto stub = ReportingStub(g);
  auto context = Context(g);
  v1::AttainmentReportResponse report;
  grpc::Status status = stub->AttainmentReport(context.get(), request, &report);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  std::string text = *format == OutputFormat::kTable ? AttainmentText(report)
                                                     : Render(*format, AttainmentTable(report), report);
  if (int rc = Emit(text, a.output); rc != 0 || a.html.empty()) return rc;
  return WriteHtmlReport(g, *stub, request, a.html, *format);
}

int SnapshotsList(const Globals& g, int page_size, const std::string& page_token, bool all) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto stub = ReportingStub(g);
  v1::ListSnapshotsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  v1::ListSnapshotsResponse response;
  while (true) {  // with --all, every page into one response
    v1::ListSnapshotsResponse page;
    auto context = Context(g);
    grpc::Status status = stub->ListSnapshots(context.get(), request, &page);
    if (!status.ok()) return Fail(FromGrpcStatus(status));
    for (auto& s : *page.mutable_snapshots()) *response.add_snapshots() = std::move(s);
    response.set_next_page_token(page.next_page_token());
    if (!all || page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  if (*format == OutputFormat::kTable) return Emit(SnapshotsText(response), "");
  return Emit(Render(*format, SnapshotsTable(response), response), "");
}

int SnapshotsDelete(const Globals& g, const std::string& snapshot_id) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  auto stub = ReportingStub(g);
  v1::DeleteSnapshotRequest request;
  request.set_snapshot_id(snapshot_id);
  v1::DeleteSnapshotResponse response;
  auto context = Context(g);
  grpc::Status status = stub->DeleteSnapshot(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (*format == OutputFormat::kJson) return Emit(ToJson(response) + "\n", "");
  std::cout << "deleted snapshot " << response.snapshot_id() << "\n";
  return 0;
}

struct PipelineArgs {
  std::string snapshot, baseline, plan, period, node, output, html;
  int plan_version = 0;
};

int ReportPipeline(const Globals& g, const PipelineArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  if (!a.html.empty() && a.plan.empty())
    return Fail(absl::InvalidArgumentError("--html: needs --plan (the page shows attainment against the plan's quotas)"));
  v1::PipelineReportRequest request;
  request.set_snapshot_id(a.snapshot);
  request.set_baseline_snapshot_id(a.baseline);
  request.set_plan_id(a.plan);
  request.set_plan_version(a.plan_version);
  request.set_node_id(a.node);
  if (auto s = SetPeriodFlag(a.period, request); !s.ok()) return Fail(s);
  auto stub = ReportingStub(g);
  auto context = Context(g);
  v1::PipelineReportResponse report;
  grpc::Status status = stub->PipelineReport(context.get(), request, &report);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  std::string text = *format == OutputFormat::kTable ? PipelineText(report)
                                                     : Render(*format, PipelineTable(report), report);
  if (int rc = Emit(text, a.output); rc != 0 || a.html.empty()) return rc;
  return WriteHtmlReport(g, *stub, request, a.html, *format);
}

struct KpiArgs {
  std::string snapshot, period, node, output;
};

int ReportKpi(const Globals& g, const KpiArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  v1::KpiReportRequest request;
  request.set_snapshot_id(a.snapshot);
  request.set_node_id(a.node);
  if (auto s = SetPeriodFlag(a.period, request); !s.ok()) return Fail(s);
  auto stub = ReportingStub(g);
  auto context = Context(g);
  v1::KpiReportResponse report;
  grpc::Status status = stub->KpiReport(context.get(), request, &report);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (*format == OutputFormat::kTable) return Emit(KpiText(report), a.output);
  return Emit(Render(*format, KpiTable(report), report), a.output);
}

struct AccuracyArgs {
  std::string snapshot, node, period_type = "quarter", output;
  int periods = 0;
};

int ReportAccuracy(const Globals& g, const AccuracyArgs& a) {
  auto format = Format(g);
  if (!format.ok()) return Fail(format.status());
  v1::ForecastAccuracyRequest request;
  request.set_snapshot_id(a.snapshot);
  request.set_node_id(a.node);
  const std::string type = absl::AsciiStrToLower(a.period_type);
  if (type == "quarter") {
    request.set_period_type(v1::PERIOD_TYPE_QUARTER);
  } else if (type == "month") {
    request.set_period_type(v1::PERIOD_TYPE_MONTH);
  } else {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--period-type: \"", a.period_type, "\" is not quarter or month")));
  }
  request.set_periods(a.periods);
  auto stub = ReportingStub(g);
  auto context = Context(g);
  v1::ForecastAccuracyResponse response;
  grpc::Status status = stub->ForecastAccuracyReport(context.get(), request, &response);
  if (!status.ok()) return Fail(FromGrpcStatus(status));
  if (*format == OutputFormat::kTable) return Emit(AccuracyText(response), a.output);
  return Emit(Render(*format, AccuracyTable(response), response), a.output);
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
  app.add_option("--tls-ca-file", g.tls.ca_file, "TLS: CA that signed the servers' certificates")
      ->envname("SALESOPS_CLIENT_TLS_CA_FILE");
  app.add_option("--tls-cert-file", g.tls.cert_file, "mutual TLS: client certificate (PEM)")
      ->envname("SALESOPS_CLIENT_TLS_CERT_FILE");
  app.add_option("--tls-key-file", g.tls.key_file, "mutual TLS: the client certificate's key (PEM)")
      ->envname("SALESOPS_CLIENT_TLS_KEY_FILE");
  app.add_option("--token-file", g.token_file,
                 "file holding the bearer token (else $SALESOPS_TOKEN, the token itself)")
      ->envname("SALESOPS_TOKEN_FILE");
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

  ImportArgs ia;
  auto import_options = [&](CLI::App* command) {
    command->add_option("--dir", ia.dir, "export directory (territories.csv, reps.csv, opportunities.csv, snapshot.json)")->required();
    command->add_option("--mapping", ia.mapping, "column mapping file for other headers (format below)");
    command->add_option("--as-of", ia.as_of, "the export's date, YYYY-MM-DD (overrides snapshot.json)");
    command->add_option("--currency", ia.currency, "the export's currency, e.g. EUR (default: snapshot.json's, else the rows', else USD)");
    command->add_option("--date-order", ia.date_order, "how to read 03/04/2026: auto, mdy or dmy")->capture_default_str();
    command->add_option("--max-errors", ia.max_errors, "errors listed before reading stops")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    command->add_flag("--progress", ia.progress, "show progress bars even when stderr is not a terminal");
    command->add_flag("--quiet", ia.quiet, "no summary and no progress bars (with --upload: print only the snapshot id)");
    command->footer(ImportHelpFooter());
  };
  auto* import = app.add_subcommand("import", "check a CRM export (CSV files) and print a summary; --upload: upload it as a snapshot");
  import_options(import);
  import->add_flag("--upload", ia.upload, "upload it to ReportingService once every row has been checked");
  import->callback([&] { rc = Import(g, ia); });
  auto* upload = app.add_subcommand("upload", "import --upload: upload a CRM export (CSV files) as a snapshot");
  import_options(upload);
  upload->callback([&] {
    ia.upload = true;
    rc = Import(g, ia);
  });

  auto* forecast = app.add_subcommand("forecast", "forecast series from a long CSV (series_id,t,value)");
  ForecastArgs fa;
  forecast->add_option("--input", fa.input, "CSV file");
  forecast->add_option("--output", fa.output, "write the forecast CSV here (default: stdout)");
  forecast->add_option("--horizon", fa.horizon, "steps ahead")->capture_default_str();
  forecast->add_option("--season-length", fa.season_length, "seasonal period (0: from the dates)")->capture_default_str();
  forecast->add_option("--levels", fa.levels, "interval levels in percent")->delimiter(',')->capture_default_str();
  forecast->add_option("--model", fa.model, "auto, naive, seasonal_naive, drift, ses, holt, damped_holt, holt_winters_additive")->capture_default_str();
  forecast->add_flag("--local", fa.local, "run the engine in this process instead of calling the server");
  forecast->add_flag("--batch", fa.batch, "submit as a batch job (SubmitBatch), follow it, then read the results: for many series")
      ->excludes("--local");
  forecast->add_option("--series-per-task", fa.series_per_task, "with --batch: series per task (default: the server's, 200)");
  forecast->add_flag("--quiet", fa.quiet, "with --batch: no progress");
  forecast->add_option("--from-snapshot", fa.from_snapshot, "with --batch: forecast a stored snapshot's monthly bookings instead of --input")
      ->needs("--batch");
  forecast->add_option("--group-by", fa.group_by, "with --from-snapshot: series per account, product, rep and/or territory")
      ->delimiter(',')->capture_default_str();
  forecast->callback([&] { rc = Forecast(g, fa); });

  auto* plan = app.add_subcommand("plan", "quota plans");
  plan->require_subcommand(1);
  const std::string author_help = "who makes the change (default: $USER)";
  auto* plan_create = plan->add_subcommand("create", "allocate a target over the export's hierarchy");
  PlanCreateArgs pc;
  pc.flags.author = DefaultAuthor();
  plan_create->add_option("--dir", pc.dir, "CRM export directory (hierarchy, reps, bookings history)")->required();
  plan_create->add_option("--target", pc.target, "company target in major units, e.g. 48000000 (the quarter's with --quarter)");
  plan_create->add_option("--growth", pc.growth_pct,
                          "without --target: last fiscal year's bookings (same quarter with --quarter) plus this many percent")
      ->capture_default_str();
  plan_create->add_option("--fiscal-year", pc.fiscal_year, "fiscal year (default: the export's current one)");
  plan_create->add_option("--quarter", pc.flags.fiscal_quarter, "plan only this fiscal quarter, 1..4")
      ->check(CLI::Range(1, 4));
  plan_create->add_option("--method", pc.flags.method,
                          "equal, historical, forecast, blended or capacity (default: forecast, blended with --blend)");
  plan_create->add_option("--blend", pc.flags.blend, "blended weights, e.g. equal=0.2,historical=0.4,forecast=0.4");
  plan_create->add_option("--over-assign", pc.flags.over_assignment,
                          "reps' quotas exceed the target by this fraction, e.g. 0.15");
  plan_create->add_option("--round", pc.flags.rounding, "round every quota to a multiple of this amount, e.g. 1000");
  plan_create->add_option("--seasonality", pc.flags.seasonality, "split into months: even, last-year or forecast (default: even)");
  plan_create->add_option("--full-quota", pc.flags.full_quota, "capacity: annual quota of a fully ramped rep");
  plan_create->add_option("--ramp", pc.flags.ramp, "capacity: productivity by month since hire in percent, e.g. 25,50,75");
  plan_create->add_option("--attrition", pc.flags.attrition, "capacity: expected share of reps leaving over a year, e.g. 0.12");
  plan_create->add_option("--hire", pc.flags.hires, "capacity: a planned hire ID:TERRITORY:YYYY-MM-DD (repeatable)")
      ->allow_extra_args(false);
  plan_create->add_option("--name", pc.name, "plan name");
  plan_create->add_option("--reason", pc.flags.reason, "why the plan is made, recorded with version 1");
  plan_create->add_option("--author", pc.flags.author, author_help);
  plan_create->callback([&] { rc = PlanCreate(g, pc); });

  auto* plan_show = plan->add_subcommand("show", "show a plan as a tree with totals")->alias("get");
  std::string show_id;
  int show_version = 0;
  plan_show->add_option("plan_id", show_id, "plan id")->required();
  plan_show->add_option("--version", show_version, "version (default: latest)");
  plan_show->callback([&] { rc = PlanShow(g, show_id, show_version); });

  auto* plan_list = plan->add_subcommand("list", "list plans, newest first");
  int list_year = 0;
  plan_list->add_option("--fiscal-year", list_year, "only this fiscal year");
  plan_list->callback([&] { rc = PlanList(g, list_year); });

  auto* plan_versions = plan->add_subcommand("versions", "a plan's versions: who, when, why");
  std::string versions_id;
  plan_versions->add_option("plan_id", versions_id, "plan id")->required();
  plan_versions->callback([&] { rc = PlanVersions(g, versions_id); });

  auto* plan_override = plan->add_subcommand("override", "set or clear manual quotas on the latest draft");
  PlanOverrideArgs po;
  po.author = DefaultAuthor();
  plan_override->add_option("plan_id", po.plan_id, "plan id")->required();
  plan_override->add_option("--set", po.sets, "ID=AMOUNT: lock a node's or rep's quota (major units; repeatable)")
      ->allow_extra_args(false);
  plan_override->add_option("--clear", po.clears, "ID: remove its override (repeatable)")->allow_extra_args(false);
  plan_override->add_option("--reason", po.reason, "why, recorded with the new version")->required();
  plan_override->add_option("--author", po.author, author_help);
  plan_override->callback([&] { rc = PlanOverride(g, po); });

  PlanStatusArgs ps;
  ps.author = DefaultAuthor();
  auto status_command = [&](const char* name, const char* help, StatusChange change) {
    auto* command = plan->add_subcommand(name, help);
    command->add_option("plan_id", ps.plan_id, "plan id")->required();
    command->add_option("--reason", ps.reason, "why, recorded with the new version");
    command->add_option("--expect-version", ps.expect_version, "the version decided on (default: the latest)")
        ->check(CLI::PositiveNumber);
    command->add_option("--author", ps.author, author_help);
    command->callback([&rc, &g, &ps, change] { rc = PlanChangeStatus(g, change, ps); });
  };
  status_command("approve", "approve the latest draft (read-only from then on)", StatusChange::kApprove);
  status_command("archive", "retire a plan", StatusChange::kArchive);
  status_command("reopen", "start a new draft from an approved or archived plan", StatusChange::kReopen);

  auto* plan_diff = plan->add_subcommand("diff", "compare two versions of a plan, or two plans");
  PlanDiffArgs pd;
  plan_diff->add_option("plan_ids", pd.plan_ids, "PLAN_ID (two versions) or PLAN_A PLAN_B")->required()->expected(1, 2);
  plan_diff->add_option("--from", pd.from, "base version (default: the one before --to; of PLAN_A: its latest)")
      ->check(CLI::PositiveNumber);
  plan_diff->add_option("--to", pd.to, "other version (default: the latest)")->check(CLI::PositiveNumber);
  plan_diff->callback([&] { rc = PlanDiff(g, pd); });

  auto* plan_simulate = plan->add_subcommand("simulate", "Monte Carlo: chances of the target and of each rep's quota");
  PlanSimulateArgs sim;
  plan_simulate->add_option("plan_id", sim.plan_id, "plan id")->required();
  plan_simulate->add_option("--version", sim.version, "version (default: latest)");
  plan_simulate->add_option("--paths", sim.paths, "simulated paths, 100..200000 (default: the server's, 20000)");
  plan_simulate->add_option("--seed", sim.seed, "random seed (the same seed gives the same answer)");
  plan_simulate->callback([&] { rc = PlanSimulate(g, sim); });

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
  attainment->add_option("--html", ra.html, "also write the report as an HTML page with charts to this file");
  attainment->callback([&] { rc = ReportAttainment(g, ra); });

  auto* pipeline = report->add_subcommand("pipeline", "open pipeline, coverage, created, and the waterfall since a baseline");
  PipelineArgs rp;
  pipeline->add_option("--snapshot", rp.snapshot, "snapshot id (now)")->required();
  pipeline->add_option("--baseline", rp.baseline, "snapshot id taken at the start of the period: adds the waterfall");
  pipeline->add_option("--plan", rp.plan, "plan id: adds the remaining quota and the coverage");
  pipeline->add_option("--plan-version", rp.plan_version, "plan version (default: latest)");
  pipeline->add_option("--period", rp.period, "FY2027-Q4, FY2027-M05, FY2027 (default: the current quarter)");
  pipeline->add_option("--node", rp.node, "territory node (default: the whole company)");
  pipeline->add_option("--output", rp.output, "write here instead of stdout");
  pipeline->add_option("--html", rp.html, "also write the HTML page with charts to this file (needs --plan)");
  pipeline->callback([&] { rc = ReportPipeline(g, rp); });

  auto* kpi = report->add_subcommand("kpi", "win rate, deal size, sales cycle, velocity, against the prior period");
  KpiArgs rk;
  kpi->add_option("--snapshot", rk.snapshot, "snapshot id")->required();
  kpi->add_option("--period", rk.period, "FY2027-Q4, FY2027-M05, FY2027 (default: the current quarter)");
  kpi->add_option("--node", rk.node, "territory node (default: the whole company)");
  kpi->add_option("--output", rk.output, "write here instead of stdout");
  kpi->callback([&] { rc = ReportKpi(g, rk); });

  auto* accuracy = report->add_subcommand(
      "accuracy", "past periods: what each snapshot taken during them forecast, against what closed");
  AccuracyArgs rx;
  accuracy->add_option("--snapshot", rx.snapshot, "the latest snapshot (what closed is read from it)")->required();
  accuracy->add_option("--node", rx.node, "territory node (default: the whole company)");
  accuracy->add_option("--period-type", rx.period_type, "quarter or month")
      ->check(CLI::IsMember({"quarter", "month"}, CLI::ignore_case))->capture_default_str();
  accuracy->add_option("--periods", rx.periods, "complete periods before the current one, 1..12 (default: 4)")
      ->check(CLI::Range(1, 12));
  accuracy->add_option("--output", rx.output, "write here instead of stdout");
  accuracy->callback([&] { rc = ReportAccuracy(g, rx); });

  auto* snapshots = app.add_subcommand("snapshots", "stored snapshots");
  snapshots->require_subcommand(1);
  auto* snapshots_list = snapshots->add_subcommand("list", "snapshots, newest as-of date first, with their counts");
  int list_page_size = 0;
  std::string list_page_token;
  bool list_all = false;
  snapshots_list->add_option("--page-size", list_page_size, "snapshots per page, 1..1000 (default: the server's, 100)");
  snapshots_list->add_option("--page-token", list_page_token, "continue from a previous page");
  snapshots_list->add_flag("--all", list_all, "every page");
  snapshots_list->callback([&] { rc = SnapshotsList(g, list_page_size, list_page_token, list_all); });
  auto* snapshots_delete = snapshots->add_subcommand("delete", "delete a snapshot (its cached reports are no longer served)");
  std::string delete_id;
  snapshots_delete->add_option("snapshot_id", delete_id, "snapshot id")->required();
  snapshots_delete->callback([&] { rc = SnapshotsDelete(g, delete_id); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
