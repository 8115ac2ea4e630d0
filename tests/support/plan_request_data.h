// The small CreatePlanRequest the quota tests and the plan_request fuzzer's seeds start from:
// CO -> {NA {u1, u2}, EU {u3}}; FY2027 starting February (2026-02 .. 2027-01); target
// 1,000,000.00 USD; the given method and nothing else.
#ifndef SALESOPS_TESTS_SUPPORT_PLAN_REQUEST_DATA_H_
#define SALESOPS_TESTS_SUPPORT_PLAN_REQUEST_DATA_H_

#include <string>
#include <utility>

#include "common/proto_convert.h"
#include "salesops/v1/quota.pb.h"

namespace salesops::testing {

inline v1::CreatePlanRequest SmallPlanRequest(v1::AllocationMethod method) {
  v1::CreatePlanRequest r;
  r.set_name("FY2027 plan");
  r.set_fiscal_year(2027);
  r.mutable_calendar()->set_start_month(2);
  *r.mutable_target() = MakeMoney("USD", 100'000'000);
  r.set_method(method);
  for (auto [id, parent] : {std::pair{"CO", ""}, {"NA", "CO"}, {"EU", "CO"}}) {
    auto* n = r.add_territories();
    n->set_id(id);
    n->set_name(std::string("Name of ") + id);
    n->set_parent_id(parent);
  }
  for (auto [id, t] : {std::pair{"u1", "NA"}, {"u2", "NA"}, {"u3", "EU"}}) {
    auto* rep = r.add_reps();
    rep->set_id(id);
    rep->set_territory_id(t);
  }
  return r;
}

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_SUPPORT_PLAN_REQUEST_DATA_H_
