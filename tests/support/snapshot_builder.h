// Small reporting snapshots built by hand for unit tests: the header, the territory tree, the reps
// and the opportunities, decoded as the reporting service decodes an upload.
//
//   SnapshotBuilder b;
//   b.AsOf("2026-05-16").Currency("USD").FiscalStartMonth(1);
//   b.Territory("CO", "").Territory("NA", "CO").Territory("EU", "CO");
//   b.Rep("u1", "NA").Rep("u2", "NA").Rep("u3", "EU");
//   b.Opportunity("o1", "u1", "NA", 1000, "2026-01-15", "2026-05-10", false, false)
//       ->set_probability(0.5);
//   reporting::Snapshot snapshot = b.Build("snap");
//
// Header only: the reporting engine is linked by the tests that use it, not by the support library.
#ifndef SALESOPS_TESTS_SUPPORT_SNAPSHOT_BUILDER_H_
#define SALESOPS_TESTS_SUPPORT_SNAPSHOT_BUILDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/calendar.h"
#include "common/proto_convert.h"
#include "gtest/gtest.h"
#include "salesops/v1/reporting.pb.h"
#include "services/reporting/snapshot.h"

namespace salesops::testing {

// "2026-05-16" as a proto date; a test failure (and an unset date) for anything else.
inline v1::Date PD(std::string_view text) {
  const std::optional<Date> date = ParseDate(text);
  if (!date) {
    ADD_FAILURE() << "not a date: " << text;
    return v1::Date();
  }
  return ToProto(*date);
}

class SnapshotBuilder {
 public:
  // The header. Unless set: currency USD, fiscal years starting in January; as_of must be set.
  SnapshotBuilder& AsOf(std::string_view date) {
    *header_.mutable_as_of() = PD(date);
    return *this;
  }
  SnapshotBuilder& Currency(const std::string& code) {
    header_.set_currency_code(code);
    return *this;
  }
  SnapshotBuilder& FiscalStartMonth(int month) {
    header_.mutable_calendar()->set_start_month(month);
    return *this;
  }

  // A territory under `parent` ("" for the root), named `name` (its id when empty).
  SnapshotBuilder& Territory(const std::string& id, const std::string& parent,
                             const std::string& name = "") {
    auto* n = structure_.add_territories();
    n->set_id(id);
    n->set_name(name.empty() ? id : name);
    n->set_parent_id(parent);
    return *this;
  }
  // A rep of `territory`, named "Rep <id>".
  SnapshotBuilder& Rep(const std::string& id, const std::string& territory) {
    auto* r = structure_.add_reps();
    r->set_id(id);
    r->set_name("Rep " + id);
    r->set_territory_id(territory);
    return *this;
  }

  // An opportunity with the fields every report reads; the amount is in the currency set so far.
  // Set the rest (probability, forecast category, stage) on the returned message; it stays valid
  // until the next call to Opportunity.
  v1::Opportunity* Opportunity(const std::string& id, const std::string& owner,
                               const std::string& territory, int64_t amount,
                               std::string_view created, std::string_view close, bool closed,
                               bool won) {
    auto* o = opportunities_.add_opportunities();
    o->set_id(id);
    o->set_owner_rep_id(owner);
    o->set_territory_id(territory);
    *o->mutable_amount() = MakeMoney(header_.currency_code(), amount);
    *o->mutable_created_date() = PD(created);
    *o->mutable_close_date() = PD(close);
    o->set_closed(closed);
    o->set_won(won);
    return o;
  }

  // The snapshot `id` as SnapshotDecoder decodes it: the structure, then the opportunities in one
  // chunk. A decoding error is a test failure (and an empty snapshot).
  reporting::Snapshot Build(std::string id) const {
    auto decoder = reporting::SnapshotDecoder::Start(std::move(id), header_, structure_);
    if (!decoder.ok()) {
      ADD_FAILURE() << decoder.status();
      return reporting::Snapshot();
    }
    const absl::Status added = decoder->AddOpportunities(opportunities_);
    EXPECT_TRUE(added.ok()) << added;
    return std::move(*decoder).Finish();
  }
  std::shared_ptr<const reporting::Snapshot> BuildShared(std::string id) const {
    return std::make_shared<const reporting::Snapshot>(Build(std::move(id)));
  }

 private:
  v1::SnapshotHeader header_ = [] {
    v1::SnapshotHeader header;
    header.set_currency_code("USD");
    header.mutable_calendar()->set_start_month(1);
    return header;
  }();
  v1::SnapshotChunk structure_;
  v1::SnapshotChunk opportunities_;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_SUPPORT_SNAPSHOT_BUILDER_H_
