// A progress bar on stderr for long imports and uploads:
//
//   uploading  [##########..........]  45,000/100,000 opportunities  45%  61.2k/s  ETA 0:01
//
// Shown only when stderr is a terminal (or when forced, e.g. by --progress), never with --quiet.
// Redraws are rate-limited (at most one per `min_interval_seconds`), nothing is drawn for work that
// finishes within `initial_delay_seconds`, and the final state is drawn once, followed by a line
// break, when the bar is finished. RenderProgressLine is the pure part, for tests.
#ifndef SALESOPS_TOOLS_SALESCTL_PROGRESS_H_
#define SALESOPS_TOOLS_SALESCTL_PROGRESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace salesops::salesctl {

// One line of a progress bar, without control characters: the label, a bar, done/total with
// thousands separators (and the unit when given), the percentage, the rate and the time left
// ("ETA m:ss"), or the time taken ("in 1.2s") once done >= total. Without a total (total <= 0):
// the label, the count, the rate and the elapsed time. At most `width` characters wide: the bar
// shrinks to fit (to no less than 10 cells, then it is dropped).
std::string RenderProgressLine(std::string_view label, int64_t done, int64_t total,
                               double elapsed_seconds, std::string_view unit = "", int width = 80);

// 1,234,567.
std::string WithThousands(int64_t value);
// "850/s", "12.3k/s", "1.2M/s"; "-" for an unknown rate (nothing done or no time elapsed).
std::string FormatRate(double per_second);
// "0:04", "12:05", "1:02:03" (rounded up to whole seconds).
std::string FormatClock(double seconds);

// Whether to draw: never when `quiet`, always when `force`, else when stderr is a terminal
// (and TERM is not "dumb").
bool WantProgress(bool force, bool quiet);

struct ProgressOptions {
  bool enabled = true;
  double min_interval_seconds = 0.1;
  double initial_delay_seconds = 0.3;
  int width = 0;  // 0: $COLUMNS, else 80
  // Where the drawing goes (default: stderr, flushed).
  std::function<void(std::string_view)> write;
  // Seconds on a monotonic clock (default: std::chrono::steady_clock).
  std::function<double()> clock;
};

// A progress bar for one piece of work. Draws "\r" + the line, padded with spaces over a longer
// previous one; Finish (or the destructor) draws the final state and a line break if anything was
// drawn. Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit, ProgressOptions options = {});
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void SetTotal(int64_t total) { total_ = total; }
  // Records progress; redraws when the last draw is old enough, and at once when done reaches
  // the total (after the initial delay either way).
  void Update(int64_t done);
  // Draws the final state (when anything was drawn) and ends the line. Idempotent.
  void Finish();
  // As Finish, but leaves the last drawn state (for a failed operation).
  void Abandon();

  bool drawn() const { return drawn_; }

 private:
  void Draw(double now);

  std::string label_, unit_;
  int64_t total_ = 0, done_ = 0;
  ProgressOptions options_;
  double start_ = 0, last_draw_ = 0;
  size_t last_length_ = 0;
  bool drawn_ = false, finished_ = false;
};

}  // namespace salesops::salesctl

#endif  // SALESOPS_TOOLS_SALESCTL_PROGRESS_H_
