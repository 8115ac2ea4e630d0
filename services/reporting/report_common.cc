#include "services/reporting/report_common.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace salesops::reporting {

absl::StatusOr<ReportRows> ReportRows::Build(const Hierarchy& h, const std::string& node_id) {
  const int top = node_id.empty() ? h.root() : h.FindNode(node_id);
  if (top < 0)
    return absl::NotFoundError(absl::StrCat("node_id: no node \"", node_id, "\" in the snapshot"));
  ReportRows rows;
  rows.hierarchy_ = &h;
  rows.top_ = top;
  rows.node_row_.assign(h.node_count(), -1);
  rows.rep_row_.assign(h.rep_count(), -1);
  // Each node, its reps, then its child nodes' rows.
  std::vector<int> stack = {top};
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    RowRef node;
    node.index = v;
    node.depth = h.depth(v) - h.depth(top);
    node.parent_id = v == top ? "" : h.node(v).parent_id();
    rows.node_row_[v] = rows.size();
    rows.rows_.push_back(std::move(node));
    for (int r : h.reps_of(v)) {
      RowRef rep;
      rep.is_rep = true;
      rep.index = r;
      rep.depth = h.depth(v) - h.depth(top) + 1;
      rep.parent_id = h.node(v).id();
      rows.rep_row_[r] = rows.size();
      rows.rows_.push_back(std::move(rep));
    }
    const auto& children = h.child_nodes(v);
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return rows;
}

const std::string& ReportRows::id(int i) const {
  const RowRef& r = rows_[i];
  return r.is_rep ? hierarchy_->rep(r.index).id() : hierarchy_->node(r.index).id();
}

absl::Status CheckPlanFits(const v1::Plan& plan, const FiscalPeriod& period, const Snapshot& snapshot) {
  const std::string& currency = snapshot.header.currency_code();
  if (plan.fiscal_year() != period.fiscal_year)
    return absl::FailedPreconditionError(absl::StrCat("period: plan ", plan.plan_id(), " covers FY",
                                                      plan.fiscal_year(), ", the period is in FY",
                                                      period.fiscal_year));
  if (plan.target().currency_code() != currency)
    return absl::FailedPreconditionError(absl::StrCat("plan_id: the plan is in ",
                                                      plan.target().currency_code(),
                                                      ", the snapshot in ", currency));
  if (NormalizeStartMonth(plan.calendar().start_month()) !=
      NormalizeStartMonth(snapshot.header.calendar().start_month()))
    return absl::FailedPreconditionError(
        "plan_id: the plan's fiscal calendar differs from the snapshot's");
  return absl::OkStatus();
}

int64_t PeriodQuota(const v1::Allocation& a, const FiscalPeriod& period) {
  switch (period.kind) {
    case PeriodKind::kMonth:
      return period.index <= a.monthly_quota_size() ? a.monthly_quota(period.index - 1).minor_units() : 0;
    case PeriodKind::kQuarter:
      return period.index <= a.quarterly_quota_size() ? a.quarterly_quota(period.index - 1).minor_units() : 0;
    case PeriodKind::kYear: return a.annual_quota().minor_units();
  }
  return 0;
}

std::vector<int64_t> RowQuotas(const v1::Plan& plan, const FiscalPeriod& period, const ReportRows& rows) {
  absl::flat_hash_map<std::string, const v1::Allocation*> allocations;
  for (const v1::Allocation& a : plan.allocations()) allocations[a.id()] = &a;
  std::vector<int64_t> quotas(rows.size(), 0);
  for (int i = 0; i < rows.size(); ++i) {
    auto it = allocations.find(rows.id(i));
    if (it != allocations.end()) quotas[i] = PeriodQuota(*it->second, period);
  }
  return quotas;
}

std::vector<double> RowQuotasDueBy(const v1::Plan& plan, const FiscalPeriod& period,
                                   const ReportRows& rows, int as_of_day, int start_month) {
  // The period's fiscal months (1-based) and how much of each is past.
  int first_month = 1, months = 12;
  if (period.kind == PeriodKind::kQuarter) first_month = 3 * (period.index - 1) + 1, months = 3;
  if (period.kind == PeriodKind::kMonth) first_month = period.index, months = 1;
  std::vector<std::pair<int, double>> past;  // fiscal month, fraction elapsed
  for (int m = first_month; m < first_month + months; ++m) {
    const DateRange range = RangeOf(FiscalPeriod{PeriodKind::kMonth, period.fiscal_year, m}, start_month);
    const int days = std::clamp(as_of_day - DayNumber(range.first) + 1, 0, range.Days());
    if (days > 0) past.emplace_back(m, static_cast<double>(days) / range.Days());
  }
  absl::flat_hash_map<std::string, const v1::Allocation*> allocations;
  for (const v1::Allocation& a : plan.allocations()) allocations[a.id()] = &a;
  std::vector<double> due(rows.size(), 0.0);
  for (int i = 0; i < rows.size(); ++i) {
    auto it = allocations.find(rows.id(i));
    if (it == allocations.end()) continue;
    for (const auto& [m, fraction] : past) {
      if (m <= it->second->monthly_quota_size())
        due[i] += fraction * static_cast<double>(it->second->monthly_quota(m - 1).minor_units());
    }
  }
  return due;
}

}  // namespace salesops::reporting
