// A small structure-aware mutator for the targets whose input is serialized protos (libprotobuf-
// mutator is not packaged in Debian). Byte mutations rarely get past protobuf's framing: a varint
// grown by one byte breaks the length of every message around it. This one parses the input,
// changes one field through reflection, and serializes again:
//  - numbers become edge values (0, -1, the type's limits, 2^53, NaN, infinities...) or move a
//    little; enums take any number, known or not; bools flip;
//  - strings become "" or a string found elsewhere in the input (so ids start to match across
//    messages: a deal's owner becomes some rep's id), or grow by a byte;
//  - repeated fields gain a copy of an element, lose one, or have two swapped; messages are
//    cleared or mutated inside.
// One mutation in four, and any input that does not parse, gets libFuzzer's own byte mutations.
//
// Only the libFuzzer build defines SALESOPS_LIBFUZZER (LLVMFuzzerMutate is libFuzzer's); the
// replay build compiles the same targets without the mutator.
#ifndef SALESOPS_FUZZ_PROTO_MUTATOR_H_
#define SALESOPS_FUZZ_PROTO_MUTATOR_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"

namespace salesops::fuzz {

class ProtoMutator {
 public:
  explicit ProtoMutator(unsigned seed) : rng_(seed) {}

  // Mutates one field somewhere in one of `messages` (strings are drawn from all of them).
  void Mutate(const std::vector<google::protobuf::Message*>& messages) {
    strings_.clear();
    for (auto* m : messages) CollectStrings(*m);
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (MutateMessage(messages[Below(messages.size())], 0)) return;
    }
  }

  size_t Below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool OneIn(size_t n) { return Below(n) == 0; }

 private:
  using FD = google::protobuf::FieldDescriptor;

  void CollectStrings(const google::protobuf::Message& m) {
    const auto* r = m.GetReflection();
    std::vector<const FD*> fields;
    r->ListFields(m, &fields);
    for (const FD* f : fields) {
      if (f->cpp_type() == FD::CPPTYPE_STRING) {
        if (f->is_repeated()) {
          for (int i = 0; i < r->FieldSize(m, f) && strings_.size() < 256; ++i)
            strings_.push_back(r->GetRepeatedString(m, f, i));
        } else if (strings_.size() < 256) {
          strings_.push_back(r->GetString(m, f));
        }
      } else if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
        if (f->is_repeated()) {
          for (int i = 0; i < r->FieldSize(m, f); ++i) CollectStrings(r->GetRepeatedMessage(m, f, i));
        } else {
          CollectStrings(r->GetMessage(m, f));
        }
      }
    }
  }

  // True when something changed.
  bool MutateMessage(google::protobuf::Message* m, int depth) {
    const auto* d = m->GetDescriptor();
    const auto* r = m->GetReflection();
    if (d->field_count() == 0 || depth > 8) return false;
    // Prefer fields that are set: that is where the seeds' structure is.
    std::vector<const FD*> set;
    r->ListFields(*m, &set);
    const FD* f = !set.empty() && !OneIn(4) ? set[Below(set.size())] : d->field(static_cast<int>(Below(d->field_count())));
    if (f->is_map()) return false;
    if (f->is_repeated()) return MutateRepeated(m, f, depth);
    if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (OneIn(8)) {
        r->ClearField(m, f);
        return true;
      }
      return MutateMessage(r->MutableMessage(m, f), depth + 1);
    }
    MutateScalar(m, f, -1);
    return true;
  }

  bool MutateRepeated(google::protobuf::Message* m, const FD* f, int depth) {
    const auto* r = m->GetReflection();
    const int n = r->FieldSize(*m, f);
    switch (n == 0 ? 0 : Below(6)) {
      case 0:  // add: a copy of an element, or a new one
        if (f->cpp_type() == FD::CPPTYPE_MESSAGE) {
          google::protobuf::Message* added = r->AddMessage(m, f);
          if (n > 0) added->CopyFrom(r->GetRepeatedMessage(*m, f, static_cast<int>(Below(n))));
          if (n == 0 || OneIn(2)) MutateMessage(added, depth + 1);
        } else {
          AddScalar(m, f);
          if (n > 0) CopyRepeatedScalar(m, f, static_cast<int>(Below(n)), n);
          if (n == 0 || OneIn(2)) MutateScalar(m, f, n);
        }
        return true;
      case 1:  // remove the last
        r->RemoveLast(m, f);
        return true;
      case 2:  // swap two
        r->SwapElements(m, f, static_cast<int>(Below(n)), static_cast<int>(Below(n)));
        return true;
      default:  // change one
        if (f->cpp_type() == FD::CPPTYPE_MESSAGE)
          return MutateMessage(r->MutableRepeatedMessage(m, f, static_cast<int>(Below(n))), depth + 1);
        MutateScalar(m, f, static_cast<int>(Below(n)));
        return true;
    }
  }

  void AddScalar(google::protobuf::Message* m, const FD* f) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FD::CPPTYPE_INT32: r->AddInt32(m, f, 0); break;
      case FD::CPPTYPE_INT64: r->AddInt64(m, f, 0); break;
      case FD::CPPTYPE_UINT32: r->AddUInt32(m, f, 0); break;
      case FD::CPPTYPE_UINT64: r->AddUInt64(m, f, 0); break;
      case FD::CPPTYPE_DOUBLE: r->AddDouble(m, f, 0); break;
      case FD::CPPTYPE_FLOAT: r->AddFloat(m, f, 0); break;
      case FD::CPPTYPE_BOOL: r->AddBool(m, f, false); break;
      case FD::CPPTYPE_ENUM: r->AddEnumValue(m, f, 0); break;
      case FD::CPPTYPE_STRING: r->AddString(m, f, ""); break;
      case FD::CPPTYPE_MESSAGE: break;
    }
  }

  void CopyRepeatedScalar(google::protobuf::Message* m, const FD* f, int from, int to) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FD::CPPTYPE_INT32: r->SetRepeatedInt32(m, f, to, r->GetRepeatedInt32(*m, f, from)); break;
      case FD::CPPTYPE_INT64: r->SetRepeatedInt64(m, f, to, r->GetRepeatedInt64(*m, f, from)); break;
      case FD::CPPTYPE_UINT32: r->SetRepeatedUInt32(m, f, to, r->GetRepeatedUInt32(*m, f, from)); break;
      case FD::CPPTYPE_UINT64: r->SetRepeatedUInt64(m, f, to, r->GetRepeatedUInt64(*m, f, from)); break;
      case FD::CPPTYPE_DOUBLE: r->SetRepeatedDouble(m, f, to, r->GetRepeatedDouble(*m, f, from)); break;
      case FD::CPPTYPE_FLOAT: r->SetRepeatedFloat(m, f, to, r->GetRepeatedFloat(*m, f, from)); break;
      case FD::CPPTYPE_BOOL: r->SetRepeatedBool(m, f, to, r->GetRepeatedBool(*m, f, from)); break;
      case FD::CPPTYPE_ENUM: r->SetRepeatedEnumValue(m, f, to, r->GetRepeatedEnumValue(*m, f, from)); break;
      case FD::CPPTYPE_STRING: r->SetRepeatedString(m, f, to, r->GetRepeatedString(*m, f, from)); break;
      case FD::CPPTYPE_MESSAGE: break;
    }
  }

  template <typename T>
  T Integer(T current) {
    static_assert(std::is_integral_v<T>);
    using L = std::numeric_limits<T>;
    using U = std::make_unsigned_t<T>;
    const T edges[] = {T(0), T(1), static_cast<T>(-1), L::max(), L::min(), static_cast<T>(L::max() / 2 + 1),
                       static_cast<T>(int64_t{1} << (L::digits > 53 ? 53 : L::digits - 1)),
                       T(12), T(13), T(31), T(100), T(1000), T(1900), T(2200), static_cast<T>(1000000)};
    switch (Below(4)) {
      case 0: return edges[Below(std::size(edges))];
      // In unsigned arithmetic: wraps instead of overflowing (UBSan watches this code too).
      case 1: return static_cast<T>(static_cast<U>(current) + static_cast<U>(Below(3)) - U{1});
      case 2: return static_cast<T>(static_cast<U>(current) * U{2});
      default: return static_cast<T>(std::uniform_int_distribution<int64_t>(-1000, 100000)(rng_));
    }
  }

  double Floating(double current) {
    const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 100.0, 1e-300, 4.9e-324, 1e19, 1e300,
                            std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN()};
    switch (Below(4)) {
      case 0: return edges[Below(std::size(edges))];
      case 1: return current * (OneIn(2) ? 10 : 0.1);
      case 2: return current + std::uniform_real_distribution<double>(-1, 1)(rng_);
      default: return std::uniform_real_distribution<double>(-1000, 100000)(rng_);
    }
  }

  std::string String(const std::string& current) {
    switch (Below(5)) {
      case 0: return "";
      case 1: return current + static_cast<char>(Below(256));
      case 2: return current.empty() ? current : current.substr(0, Below(current.size()));
      default: return strings_.empty() ? current : strings_[Below(strings_.size())];
    }
  }

  // Mutates the singular field `f`, or element `index` of the repeated field `f`.
  void MutateScalar(google::protobuf::Message* m, const FD* f, int index) {
    const auto* r = m->GetReflection();
    const bool rep = index >= 0;
    switch (f->cpp_type()) {
#define SALESOPS_FUZZ_SCALAR(CPP, Name, Kind)                                                   \
  case FD::CPP:                                                                                 \
    if (rep)                                                                                    \
      r->SetRepeated##Name(m, f, index, Kind(r->GetRepeated##Name(*m, f, index)));             \
    else                                                                                        \
      r->Set##Name(m, f, Kind(r->Get##Name(*m, f)));                                            \
    break;
      SALESOPS_FUZZ_SCALAR(CPPTYPE_INT32, Int32, Integer)
      SALESOPS_FUZZ_SCALAR(CPPTYPE_INT64, Int64, Integer)
      SALESOPS_FUZZ_SCALAR(CPPTYPE_UINT32, UInt32, Integer)
      SALESOPS_FUZZ_SCALAR(CPPTYPE_UINT64, UInt64, Integer)
      SALESOPS_FUZZ_SCALAR(CPPTYPE_DOUBLE, Double, Floating)
      SALESOPS_FUZZ_SCALAR(CPPTYPE_STRING, String, String)
#undef SALESOPS_FUZZ_SCALAR
      case FD::CPPTYPE_FLOAT:
        if (rep) r->SetRepeatedFloat(m, f, index, static_cast<float>(Floating(r->GetRepeatedFloat(*m, f, index))));
        else r->SetFloat(m, f, static_cast<float>(Floating(r->GetFloat(*m, f))));
        break;
      case FD::CPPTYPE_BOOL:
        if (rep) r->SetRepeatedBool(m, f, index, !r->GetRepeatedBool(*m, f, index));
        else r->SetBool(m, f, !r->GetBool(*m, f));
        break;
      case FD::CPPTYPE_ENUM: {
        const auto* e = f->enum_type();
        const int value = OneIn(4) ? static_cast<int>(Integer<int32_t>(0))
                                   : e->value(static_cast<int>(Below(e->value_count())))->number();
        if (rep) r->SetRepeatedEnumValue(m, f, index, value);
        else r->SetEnumValue(m, f, value);
        break;
      }
      case FD::CPPTYPE_MESSAGE:
        break;
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> strings_;
};

}  // namespace salesops::fuzz

#ifdef SALESOPS_LIBFUZZER
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

// Defines libFuzzer's custom mutator for a target whose whole input is one serialized `Message`.
#define SALESOPS_FUZZ_PROTO_MUTATOR(Message)                                                    \
  extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size,       \
                                            unsigned int seed) {                                \
    salesops::fuzz::ProtoMutator mutator(seed);                                                 \
    Message message;                                                                            \
    if (mutator.OneIn(4) || !message.ParseFromArray(data, static_cast<int>(size)))              \
      return LLVMFuzzerMutate(data, size, max_size);                                            \
    mutator.Mutate({&message});                                                                 \
    std::string out = message.SerializeAsString();                                              \
    if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);                   \
    std::memcpy(data, out.data(), out.size());                                                  \
    return out.size();                                                                          \
  }
#else
#define SALESOPS_FUZZ_PROTO_MUTATOR(Message)
#endif

#endif  // SALESOPS_FUZZ_PROTO_MUTATOR_H_
