#include "services/reporting/render_page.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/calendar.h"
#include "common/proto_convert.h"
#include "services/reporting/report_common.h"

namespace salesops::reporting {
namespace {

constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// One calendar month of the period, clamped to it.
struct MonthSpan {
  int first = 0;  // DayNumber
  int last = 0;   // DayNumber
  std::string label;
};

std::vector<MonthSpan> MonthsOf(int first_day, int last_day) {
  std::vector<MonthSpan> months;
  if (last_day < first_day) return months;
  const int m0 = MonthNumber(FromDayNumber(first_day));
  const int m1 = MonthNumber(FromDayNumber(last_day));
  for (int m = m0; m <= m1; ++m) {
    const Date start = FirstDayOfMonthNumber(m);
    MonthSpan span;
    span.first = std::max(first_day, DayNumber(start));
    span.last = std::min(last_day, DayNumber(FirstDayOfMonthNumber(m + 1)) - 1);
    span.label = kMonthNames[static_cast<unsigned>(start.month()) - 1];
    months.push_back(std::move(span));
  }
  return months;
}

// "73dc83aa12bc…" for a long id, the id itself when short.
std::string ShortId(const std::string& id) {
  constexpr size_t kShown = 12;
  return id.size() > kShown ? id.substr(0, kShown) + "…" : id;
}

std::string DateText(const v1::Date& date) {
  auto d = FromProto(date);
  return d.ok() ? FormatDate(*d) : "?";
}

std::string PeriodText(const v1::AttainmentReportResponse& attainment) {
  return PeriodName(FromProto(attainment.period()));
}

}  // namespace

FanChart BuildFanChart(const Snapshot& snapshot, const v1::AttainmentReportResponse& attainment) {
  FanChart fan;
  fan.title = absl::StrCat(PeriodText(attainment), " bookings, cumulative");
  fan.currency = attainment.currency_code();
  const v1::AttainmentRow* top = attainment.rows_size() > 0 ? &attainment.rows(0) : nullptr;
  if (top != nullptr) fan.quota = static_cast<double>(top->quota().minor_units());

  auto first = FromProto(attainment.period_start());
  auto last = FromProto(attainment.period_end());
  if (!first.ok() || !last.ok()) return fan;
  const PeriodDays days(DateRange{*first, *last}, snapshot.as_of_day);
  const std::vector<MonthSpan> months = MonthsOf(days.first, days.last);
  for (const MonthSpan& m : months) fan.labels.push_back(m.label);

  // History: months started by the as-of date.
  size_t started = 0;
  while (started < months.size() && months[started].first <= days.as_of) ++started;
  std::vector<int64_t> won_by_month(started, 0);
  bool known_row = false;
  if (top != nullptr && started > 0) {
    auto rows = ReportRows::Build(snapshot.hierarchy, top->id());
    if (rows.ok()) {
      known_row = true;
      for (const Deal& d : snapshot.deals) {
        if (!days.WonIn(d)) continue;
        bool in_top = false;
        rows->ForEachRowOf(d, [&](int row) { in_top = in_top || row == 0; });
        if (!in_top) continue;
        // WonIn: close_day in [first, until()], so in one of the started months.
        auto it = std::upper_bound(months.begin(), months.begin() + started, d.close_day,
                                   [](int day, const MonthSpan& m) { return day < m.first; });
        won_by_month[static_cast<size_t>(it - months.begin()) - 1] += d.amount;
      }
    }
  }
  // Closed-won to date: the last history point (the row's own figure when the snapshot does not
  // know the row; 0 before the period).
  double closed = top != nullptr && started > 0 ? static_cast<double>(top->closed_won().minor_units()) : 0;
  if (known_row) {
    int64_t running = 0;
    for (int64_t won : won_by_month) {
      running += won;
      fan.history.push_back(static_cast<double>(running));
    }
    if (!fan.history.empty()) closed = fan.history.back();
  }

  // Forecast: the months ending after the as-of date, from the landing's percentiles.
  if (top == nullptr || !top->has_landing() || days.last <= days.as_of) return fan;
  const v1::LandingForecast& landing = top->landing();
  const int known_until = std::max(days.as_of, days.first - 1);
  const double remaining = static_cast<double>(days.last - known_until);
  const auto add_point = [&](int end_day) {
    const double share = static_cast<double>(end_day - known_until) / remaining;
    const auto at = [&](const v1::Money& p) {
      return closed + (static_cast<double>(p.minor_units()) - closed) * share;
    };
    fan.p10.push_back(at(landing.p10()));
    fan.p50.push_back(at(landing.p50()));
    fan.p90.push_back(at(landing.p90()));
  };
  for (size_t i = started; i < months.size(); ++i) add_point(months[i].last);
  if (!months.empty() && started == months.size()) {
    // The as-of date lies in the period's last month, before its end: one point at the end, with
    // a label of its own ("Jan 31"), so the landing still shows.
    const Date end = FromDayNumber(days.last);
    fan.labels.push_back(absl::StrCat(kMonthNames[static_cast<unsigned>(end.month()) - 1], " ",
                                      static_cast<unsigned>(end.day())));
    add_point(days.last);
  }
  return fan;
}

ReportPage BuildReportPage(const Snapshot& snapshot, const v1::AttainmentReportResponse& attainment,
                           const v1::PipelineReportResponse* pipeline) {
  ReportPage page;
  const v1::AttainmentRow* top = attainment.rows_size() > 0 ? &attainment.rows(0) : nullptr;
  std::string subject;
  if (top != nullptr) subject = top->name().empty() ? top->id() : top->name();
  page.title = absl::StrCat(subject, subject.empty() ? "" : " — ", PeriodText(attainment),
                            pipeline != nullptr ? " attainment and pipeline" : " attainment");

  page.facts.push_back(absl::StrCat("snapshot ", ShortId(attainment.snapshot_id()), " as of ",
                                    DateText(attainment.as_of())));
  page.facts.push_back(absl::StrCat("plan ", attainment.plan_id(), " v", attainment.plan_version()));
  if (pipeline != nullptr && !pipeline->baseline_snapshot_id().empty())
    page.facts.push_back(absl::StrCat("baseline snapshot ", ShortId(pipeline->baseline_snapshot_id())));
  if (top != nullptr && top->has_landing()) {
    const int n = top->landing().history_snapshots();
    page.facts.push_back(n > 0 ? absl::StrCat("landing calibrated on ", n, " past snapshot",
                                              n == 1 ? "" : "s")
                               : "landing from the CRM's probabilities");
  }
  page.facts.push_back(absl::StrCat("engine ", attainment.engine_version()));
  page.facts.push_back(absl::StrCat("amounts in ", attainment.currency_code()));

  page.attainment = &attainment;
  page.pipeline = pipeline;
  page.fan = BuildFanChart(snapshot, attainment);
  return page;
}

}  // namespace salesops::reporting
