#include "services/reporting/pipeline.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_convert.h"
#include "services/reporting/report_common.h"

namespace salesops::reporting {
namespace {

// The waterfall terms of one deal or one row (minor units).
struct Flow {
  int64_t starting = 0, new_pipeline = 0, pulled_in = 0, pushed_out = 0, increased = 0,
          decreased = 0, won = 0, lost = 0, ending = 0;

  Flow& operator+=(const Flow& o) {
    starting += o.starting;
    new_pipeline += o.new_pipeline;
    pulled_in += o.pulled_in;
    pushed_out += o.pushed_out;
    increased += o.increased;
    decreased += o.decreased;
    won += o.won;
    lost += o.lost;
    ending += o.ending;
    return *this;
  }
};

// The figures of one report row (ReportRows says which node or rep).
struct Row {
  int64_t open_count = 0;
  int64_t open = 0;
  double weighted = 0;
  int64_t closed_won = 0;
  int64_t created_count = 0;
  int64_t created = 0;
  int64_t commit = 0, best_case = 0, pipeline = 0;
  Flow flow;
};

// The waterfall terms of one deal as pipeline.h lays them out: `b` is the deal at the baseline
// (null when it was not there), `n` now (null when it is gone); not both null. False when the deal
// is not part of the waterfall.
bool Classify(const Deal* b, const Deal* n, const PeriodDays& days, Flow* f) {
  const bool was = b != nullptr && days.OpenIn(*b);
  const bool is = n != nullptr && days.OpenIn(*n);
  const bool closed_in = n != nullptr && n->closed && days.Contains(n->close_day);
  if (was) {
    const int64_t a0 = b->amount;
    f->starting = a0;
    if (n == nullptr) {
      f->lost = a0;  // deleted in the CRM
    } else if (is) {
      f->ending = n->amount;
      const int64_t change = n->amount - a0;
      if (change >= 0) {
        f->increased = change;
      } else {
        f->decreased = -change;
      }
    } else if (closed_in) {
      (n->won ? f->won : f->lost) = a0;
    } else if (n->closed || !days.Contains(n->close_day)) {
      f->pushed_out = a0;
    } else {
      f->decreased = a0;  // still open in the period, now OMITTED
    }
    return true;
  }
  if (b == nullptr) {  // new since the baseline
    if (is) {
      f->new_pipeline = f->ending = n->amount;
      return true;
    }
    if (closed_in) {
      f->new_pipeline = n->amount;
      (n->won ? f->won : f->lost) = n->amount;
      return true;
    }
    return false;
  }
  if (!is) return false;
  f->ending = n->amount;
  if (!b->closed && days.Contains(b->close_day)) {
    f->increased = n->amount;  // was OMITTED in the period at the baseline
  } else {
    f->pulled_in = n->amount;  // dated outside the period then, or closed then and reopened
  }
  return true;
}

struct Keyed {
  uint64_t key;
  uint32_t index;
};

// The deals' keys with their indexes, by key (then index, so equal keys pair up in input order).
std::vector<Keyed> SortedKeys(const std::vector<Deal>& deals) {
  std::vector<Keyed> keys(deals.size());
  for (size_t i = 0; i < deals.size(); ++i) keys[i] = {deals[i].key, static_cast<uint32_t>(i)};
  std::sort(keys.begin(), keys.end(), [](const Keyed& a, const Keyed& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  return keys;
}

// Adds every deal's waterfall terms to its rows. Deals are matched by key, one to one (a sorted
// merge), so each deal of either snapshot is classified exactly once.
void AddWaterfall(const Snapshot& now, const Snapshot& baseline, const PeriodDays& days,
                  const ReportRows& layout, std::vector<Row>& rows) {
  // The baseline's reps and territories in `now`'s hierarchy, for deals gone since: the rep by id
  // (-1 when it is gone too), the node by id or else its nearest ancestor still there.
  const Hierarchy& bh = baseline.hierarchy;
  std::vector<int> rep_map(bh.rep_count()), node_map(bh.node_count(), -1);
  for (int r = 0; r < bh.rep_count(); ++r) rep_map[r] = now.hierarchy.FindRep(bh.rep(r).id());
  for (int v : bh.Subtree(bh.root())) {  // parents before children
    node_map[v] = now.hierarchy.FindNode(bh.node(v).id());
    if (node_map[v] < 0 && bh.parent(v) >= 0) node_map[v] = node_map[bh.parent(v)];
  }

  auto apply = [&](const Deal* b, const Deal* n) {
    Flow f;
    if (!Classify(b, n, days, &f)) return;
    const int rep = n != nullptr ? n->rep : rep_map[b->rep];
    const int node = n != nullptr ? n->node : node_map[b->node];
    layout.ForEachRowOf(rep, node, [&](int i) { rows[i].flow += f; });
  };
  const std::vector<Keyed> was = SortedKeys(baseline.deals), is = SortedKeys(now.deals);
  size_t i = 0, j = 0;
  while (i < was.size() || j < is.size()) {
    if (j == is.size() || (i < was.size() && was[i].key < is[j].key)) {
      apply(&baseline.deals[was[i++].index], nullptr);
    } else if (i == was.size() || is[j].key < was[i].key) {
      apply(nullptr, &now.deals[is[j++].index]);
    } else {
      apply(&baseline.deals[was[i++].index], &now.deals[is[j++].index]);
    }
  }
}

}  // namespace

absl::StatusOr<v1::PipelineReportResponse> BuildPipelineReport(const Snapshot& now,
                                                               const Snapshot* baseline,
                                                               const v1::Plan* plan,
                                                               const FiscalPeriod& period,
                                                               const std::string& node_id) {
  const std::string& currency = now.header.currency_code();
  auto layout = ReportRows::Build(now.hierarchy, node_id);
  if (!layout.ok()) return layout.status();
  if (plan != nullptr) {
    if (auto s = CheckPlanFits(*plan, period, now); !s.ok()) return s;
  }
  if (baseline != nullptr && baseline->header.currency_code() != currency)
    return absl::FailedPreconditionError(
        absl::StrCat("baseline_snapshot_id: the baseline is in ", baseline->header.currency_code(),
                     ", the snapshot in ", currency));

  const DateRange range = RangeOf(period, now.header.calendar().start_month());
  const PeriodDays days(range, now.as_of_day);

  std::vector<Row> rows(layout->size());
  for (const Deal& d : now.deals) {
    const bool open = days.OpenIn(d), won = days.WonIn(d), created = days.CreatedIn(d);
    if (!open && !won && !created) continue;
    layout->ForEachRowOf(d, [&](int i) {
      Row& row = rows[i];
      if (open) {
        ++row.open_count;
        row.open += d.amount;
        row.weighted += d.amount * d.probability;
        switch (d.category) {
          case v1::FORECAST_CATEGORY_COMMIT: row.commit += d.amount; break;
          case v1::FORECAST_CATEGORY_BEST_CASE: row.best_case += d.amount; break;
          case v1::FORECAST_CATEGORY_PIPELINE: row.pipeline += d.amount; break;
          default: break;
        }
      }
      if (won) row.closed_won += d.amount;
      if (created) {
        ++row.created_count;
        row.created += d.amount;
      }
    });
  }
  if (baseline != nullptr) AddWaterfall(now, *baseline, days, *layout, rows);

  std::vector<int64_t> quotas;
  if (plan != nullptr) quotas = RowQuotas(*plan, period, *layout);

  v1::PipelineReportResponse report;
  report.set_snapshot_id(now.id);
  if (baseline != nullptr) report.set_baseline_snapshot_id(baseline->id);
  if (plan != nullptr) {
    report.set_plan_id(plan->plan_id());
    report.set_plan_version(plan->version());
  }
  report.set_engine_version(SALESOPS_ENGINE_VERSION);
  *report.mutable_period() = ToProto(period);
  *report.mutable_period_start() = ToProto(range.first);
  *report.mutable_period_end() = ToProto(range.last);
  *report.mutable_as_of() = now.header.as_of();
  report.set_currency_code(currency);
  for (int i = 0; i < layout->size(); ++i) {
    const Row& row = rows[i];
    v1::PipelineRow* out = report.add_rows();
    layout->Describe(i, out);
    out->set_open_count(row.open_count);
    *out->mutable_open_pipeline() = MakeMoney(currency, row.open);
    *out->mutable_weighted_pipeline() = MakeMoney(currency, RoundMinor(row.weighted));
    if (plan != nullptr) {
      const int64_t remaining = std::max<int64_t>(0, quotas[i] - row.closed_won);
      *out->mutable_remaining_quota() = MakeMoney(currency, remaining);
      out->set_coverage(remaining > 0 ? static_cast<double>(row.open) / remaining : 0.0);
    }
    out->set_created_count(row.created_count);
    *out->mutable_created_pipeline() = MakeMoney(currency, row.created);
    *out->mutable_commit() = MakeMoney(currency, row.commit);
    *out->mutable_best_case() = MakeMoney(currency, row.best_case);
    *out->mutable_pipeline_category() = MakeMoney(currency, row.pipeline);
    if (baseline != nullptr) {
      const Flow& f = row.flow;
      v1::PipelineWaterfall* w = out->mutable_waterfall();
      *w->mutable_starting() = MakeMoney(currency, f.starting);
      *w->mutable_new_pipeline() = MakeMoney(currency, f.new_pipeline);
      *w->mutable_pulled_in() = MakeMoney(currency, f.pulled_in);
      *w->mutable_pushed_out() = MakeMoney(currency, f.pushed_out);
      *w->mutable_increased() = MakeMoney(currency, f.increased);
      *w->mutable_decreased() = MakeMoney(currency, f.decreased);
      *w->mutable_won() = MakeMoney(currency, f.won);
      *w->mutable_lost() = MakeMoney(currency, f.lost);
      *w->mutable_ending() = MakeMoney(currency, f.ending);
    }
  }
  return report;
}

}  // namespace salesops::reporting
