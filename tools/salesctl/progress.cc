#include "tools/salesctl/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salesops::salesctl {
namespace {

// Abseil here has its own string_view type; bridge from std's.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

std::string WithThousands(int64_t value) {
  std::string digits = absl::StrCat(value < 0 ? 0 - static_cast<uint64_t>(value)
                                              : static_cast<uint64_t>(value));
  std::string out = value < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string FormatRate(double per_second) {
  if (!(per_second > 0) || !std::isfinite(per_second)) return "-";
  if (per_second < 1000) return absl::StrFormat("%.0f/s", per_second);
  if (per_second < 1e6) return absl::StrFormat("%.1fk/s", per_second / 1e3);
  return absl::StrFormat("%.1fM/s", per_second / 1e6);
}

std::string FormatClock(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "-:--";
  int64_t s = static_cast<int64_t>(std::ceil(seconds));
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

namespace {

std::string Took(double seconds) {
  if (seconds < 60) return absl::StrFormat("in %.1fs", seconds);
  return absl::StrCat("in ", FormatClock(seconds));
}

}  // namespace

std::string RenderProgressLine(std::string_view label, int64_t done, int64_t total,
                               double elapsed_seconds, std::string_view unit, int width) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0;
  const std::string unit_part = unit.empty() ? "" : absl::StrCat(" ", AV(unit));
  if (total <= 0) {
    return absl::StrCat(AV(label), "  ", WithThousands(done), unit_part, "  ", FormatRate(rate), "  ",
                        FormatClock(elapsed_seconds));
  }
  const int64_t shown = std::clamp<int64_t>(done, 0, total);
  const double fraction = static_cast<double>(shown) / static_cast<double>(total);
  // Floor, so 100% only once everything is done.
  const int percent = static_cast<int>(std::floor(fraction * 100.0 + 1e-9));
  std::string tail = absl::StrCat("  ", WithThousands(done), "/", WithThousands(total), unit_part,
                                  "  ", percent, "%  ", FormatRate(rate), "  ");
  if (done >= total) {
    absl::StrAppend(&tail, Took(elapsed_seconds));
  } else {
    absl::StrAppend(&tail, "ETA ", rate > 0 ? FormatClock((total - done) / rate) : "-:--");
  }
  const std::string head = std::string(label);
  // "label  [" + cells + "]" + tail. The bar's size comes from the widest tail this total can
  // have, so that it does not change as the numbers grow.
  const size_t widest_tail = 2 + 2 * WithThousands(total).size() + 1 + unit_part.size() +
                             std::string_view("  100%  999.9k/s  ETA 0:00").size();
  const int fixed = static_cast<int>(head.size() + 3 + 1 + std::max(widest_tail, tail.size()));
  const int cells = std::min(30, width - fixed);
  if (cells < 10) return absl::StrCat(head, tail);
  const int filled = static_cast<int>(std::floor(fraction * cells + 1e-9));
  return absl::StrCat(head, "  [", std::string(filled, '#'), std::string(cells - filled, '.'), "]",
                      tail);
}

bool WantProgress(bool force, bool quiet) {
  if (quiet) return false;
  if (force) return true;
  if (::isatty(STDERR_FILENO) == 0) return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit,
                         ProgressOptions options)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), options_(std::move(options)) {
  if (!options_.write) {
    options_.write = [](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    };
  }
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
    };
  }
  if (options_.width <= 0) {
    options_.width = 80;
    if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
      int n = std::atoi(columns);
      if (n >= 20 && n <= 1000) options_.width = n;
    }
  }
  start_ = options_.clock();
}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  done_ = done;
  if (!options_.enabled || finished_) return;
  const double now = options_.clock();
  if (!drawn_ && now - start_ < options_.initial_delay_seconds) return;
  // The last step is drawn at once; others when the last draw is old enough.
  const bool complete = total_ > 0 && done >= total_;
  if (drawn_ && !complete && now - last_draw_ < options_.min_interval_seconds) return;
  Draw(now);
}

void ProgressBar::Draw(double now) {
  // One column short of the width: writing into the last column wraps on some terminals.
  std::string line =
      RenderProgressLine(label_, done_, total_, now - start_, unit_, options_.width - 1);
  const size_t length = line.size();
  if (length < last_length_) line.append(last_length_ - length, ' ');
  options_.write("\r" + line);
  last_length_ = length;
  last_draw_ = now;
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (finished_) return;
  if (options_.enabled && drawn_) {
    Draw(options_.clock());
    options_.write("\n");
  }
  finished_ = true;
}

void ProgressBar::Abandon() {
  if (finished_) return;
  if (options_.enabled && drawn_) options_.write("\n");
  finished_ = true;
}

}  // namespace salesops::salesctl
