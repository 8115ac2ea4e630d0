// What the report builders (attainment, pipeline, KPIs) share, so every report has the same rows,
// counts a deal in the same rows and reads a period and a plan the same way:
//   - ReportRows: the rows of a report on one node — the node first, then depth-first each node
//     followed by its reps and then its child nodes' rows — and the rows a deal counts in (its
//     owner's rep row, and the row of every node from its territory up to the report's node);
//   - PeriodDays: a period as day numbers, with what "open in", "closed in", "created in" mean;
//   - the plan: CheckPlanFits (fiscal year, currency, calendar) and a row's quota for a period.
#ifndef SALESOPS_SERVICES_REPORTING_REPORT_COMMON_H_
#define SALESOPS_SERVICES_REPORTING_REPORT_COMMON_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/calendar.h"
#include "common/hierarchy.h"
#include "salesops/v1/quota.pb.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::reporting {

// One report row: a node (with its subtree) or a rep.
struct RowRef {
  bool is_rep = false;
  int index = -1;  // Hierarchy node or rep index
  int depth = 0;   // below the report's node
  std::string parent_id;  // empty for the report's node
};

class ReportRows {
 public:
  // The rows of a report on `node_id` (empty: the root). NotFound naming node_id when the
  // hierarchy has no such node. The hierarchy must outlive the ReportRows.
  static absl::StatusOr<ReportRows> Build(const Hierarchy& hierarchy, const std::string& node_id);

  int size() const { return static_cast<int>(rows_.size()); }
  const RowRef& row(int i) const { return rows_[i]; }
  // Node index of the report's node.
  int top() const { return top_; }
  // Node or rep id of row i.
  const std::string& id(int i) const;

  // Calls f(row) for every row the deal of owner `rep` booked to territory `node` counts in: the
  // owner's rep row (when the rep is in the report) and the row of each node from `node` up to
  // the report's node. Either index may be -1 (counts in no rep row / no node row).
  template <class F>
  void ForEachRowOf(int rep, int node, F&& f) const {
    if (rep >= 0 && rep_row_[rep] >= 0) f(rep_row_[rep]);
    for (int v = node; v >= 0; v = hierarchy_->parent(v)) {
      if (node_row_[v] >= 0) f(node_row_[v]);
      if (v == top_) break;
    }
  }
  template <class F>
  void ForEachRowOf(const Deal& d, F&& f) const {
    ForEachRowOf(d.rep, d.node, f);
  }

  // Sets id, name, kind, parent_id and depth of a report row message (AttainmentRow,
  // PipelineRow, KpiRow...).
  template <class RowMessage>
  void Describe(int i, RowMessage* out) const {
    const RowRef& r = rows_[i];
    if (r.is_rep) {
      out->set_id(hierarchy_->rep(r.index).id());
      out->set_name(hierarchy_->rep(r.index).name());
      out->set_kind(v1::ROW_KIND_REP);
    } else {
      out->set_id(hierarchy_->node(r.index).id());
      out->set_name(hierarchy_->node(r.index).name());
      out->set_kind(v1::ROW_KIND_NODE);
    }
    out->set_parent_id(r.parent_id);
    out->set_depth(r.depth);
  }

 private:
  const Hierarchy* hierarchy_ = nullptr;
  int top_ = -1;
  std::vector<RowRef> rows_;
  std::vector<int> node_row_, rep_row_;  // row of each node / rep, -1 when not in the report
};

// A period as day numbers (DayNumber), with the snapshot's as-of date.
struct PeriodDays {
  int first = 0;  // first day of the period
  int last = 0;   // last day of the period
  int as_of = 0;  // the snapshot's as-of day

  PeriodDays(const DateRange& range, int as_of_day)
      : first(DayNumber(range.first)), last(DayNumber(range.last)), as_of(as_of_day) {}

  bool Contains(int day) const { return day >= first && day <= last; }
  // The last day of what has already happened in the period: min(last, as_of).
  int until() const { return std::min(last, as_of); }
  bool ContainsSoFar(int day) const { return day >= first && day <= until(); }

  // Open pipeline of the period: not closed, not OMITTED, close date in the period (slipped deals
  // dated before the as-of date included).
  bool OpenIn(const Deal& d) const {
    return !d.closed && d.category != v1::FORECAST_CATEGORY_OMITTED && Contains(d.close_day);
  }
  // Closed (won or lost) with a close date in the period, up to the as-of date.
  bool ClosedIn(const Deal& d) const { return d.closed && ContainsSoFar(d.close_day); }
  // Closed-won with a close date in the period, up to the as-of date.
  bool WonIn(const Deal& d) const { return d.won && ClosedIn(d); }
  // Created in the period, up to the as-of date (any state).
  bool CreatedIn(const Deal& d) const { return ContainsSoFar(d.created_day); }
};

// OK, or FailedPrecondition when the plan's fiscal year is not the period's, or its currency or
// fiscal calendar is not the snapshot's.
absl::Status CheckPlanFits(const v1::Plan& plan, const FiscalPeriod& period, const Snapshot& snapshot);

// An allocation's quota for a period of the plan's fiscal year (the quarterly and annual quotas
// are the sums of the monthly ones); 0 for a period the allocation does not have.
int64_t PeriodQuota(const v1::Allocation& allocation, const FiscalPeriod& period);

// The quota of every report row for the period, by node or rep id; 0 for a row the plan does not
// allocate to.
std::vector<int64_t> RowQuotas(const v1::Plan& plan, const FiscalPeriod& period, const ReportRows& rows);

// The quota of every report row due by the as-of date by the plan's monthly quotas: the period's
// months before the as-of month in full, the as-of month pro rata to its days up to as-of.
std::vector<double> RowQuotasDueBy(const v1::Plan& plan, const FiscalPeriod& period,
                                   const ReportRows& rows, int as_of_day, int start_month);

// Minor units from a sum of fractions of them (weighted pipeline, averages).
inline int64_t RoundMinor(double v) { return static_cast<int64_t>(std::llround(v)); }

}  // namespace salesops::reporting

#endif  // SALESOPS_SERVICES_REPORTING_REPORT_COMMON_H_
