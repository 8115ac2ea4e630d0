// Building blocks for the HTML report's inline SVG charts: escaping, number formatting, linear
// scales with "nice" axis ticks, and a small writer for SVG elements. Pure functions, no I/O.
//
// Every coordinate goes through Coord(), which prints what it is given (a NaN comes out as "nan"):
// the chart code guards its divisions instead, and the tests check that no such number reaches the
// page. Rects with a negative width or height are flipped (SVG rejects negative sizes).
#ifndef SALESOPS_SERVICES_REPORTING_SVG_CHART_H_
#define SALESOPS_SERVICES_REPORTING_SVG_CHART_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace salesops::reporting::svg {

// Text made safe for HTML and SVG content and for attribute values in double or single quotes:
// & < > " ' escaped; control characters other than tab and newline become spaces; bytes that are
// not valid UTF-8 become U+FFFD.
std::string Escape(std::string_view text);

// At most `max_chars` characters (code points) of UTF-8 text, ending in "…" when cut.
std::string Truncate(std::string_view text, size_t max_chars);

// Estimated width of UTF-8 text in ems, on the generous side for common sans-serif fonts (DejaVu
// Sans, the fallback on Debian, is among the widest): narrow letters 0.38, most lower case 0.62,
// capitals and digits 0.74, m/w 0.98, East Asian wide characters and emoji 1.
double TextWidthEm(std::string_view text);

// The text, cut with "…" when its estimated width at `font_px` exceeds `max_width_px`.
std::string FitText(std::string_view text, double max_width_px, double font_px);

// A coordinate or size with at most one decimal: 12.5 -> "12.5", 3.0 -> "3", -0.04 -> "0".
std::string Coord(double v);

// A number in few characters (three significant digits), for axis ticks and chart labels:
// 950 -> "950", 12345 -> "12.3k", 5.97e6 -> "5.97M", 4.8e7 -> "48M", 2.5e9 -> "2.5B",
// 7e12 -> "7T", larger -> "1.2e+15". Negative numbers start with
// a minus sign (U+2212). Non-finite values -> "–".
std::string Compact(double v);

// A linear map from a domain [lo, hi] to a range [r0, r1] (r0 > r1 for a y axis).
struct LinearScale {
  double lo = 0, hi = 1, r0 = 0, r1 = 1;
  // Values outside the domain map outside the range; non-finite values map to r0.
  double operator()(double v) const;
  // Like operator(), clamped to the range.
  double Clamped(double v) const;
};

// An axis over the data's extent [lo, hi], widened to round tick values.
struct Axis {
  double lo = 0;
  double hi = 1;
  std::vector<double> ticks;  // from lo to hi inclusive, evenly spaced, at most ~2 * target
};

// Ticks at 1, 2, 2.5 or 5 times a power of ten, about `target` of them. A degenerate extent
// (lo == hi) is widened to include 0 (or to [0, 1] at 0); non-finite bounds are treated as 0 and
// bounds beyond ±1e300 are clamped to it.
Axis NiceAxis(double lo, double hi, int target);

enum class Anchor { kStart, kMiddle, kEnd };

struct Point {
  double x = 0;
  double y = 0;
};

// Writes one <svg> element. Every element takes a CSS class (styled by the page's stylesheet) and
// an optional tooltip (a <title> child).
class SvgWriter {
 public:
  // `id` and `css_class` go on the <svg>; `label` is its accessible name (role="img").
  SvgWriter(std::string_view id, std::string_view css_class, double width, double height,
            std::string_view label);

  void Line(double x1, double y1, double x2, double y2, std::string_view css_class);
  void Rect(double x, double y, double width, double height, std::string_view css_class,
            std::string_view tooltip = "");
  void Circle(double cx, double cy, double r, std::string_view css_class,
              std::string_view tooltip = "");
  void Text(double x, double y, std::string_view text, std::string_view css_class,
            Anchor anchor = Anchor::kStart, std::string_view tooltip = "");
  // Nothing is drawn for fewer than two points.
  void Polyline(const std::vector<Point>& points, std::string_view css_class);
  // Nothing is drawn for fewer than three points.
  void Polygon(const std::vector<Point>& points, std::string_view css_class);
  void BeginGroup(std::string_view css_class);
  void EndGroup();

  double width() const { return width_; }
  double height() const { return height_; }

  // The markup, closing open groups and the <svg>.
  std::string Finish();

 private:
  std::string out_;
  double width_;
  double height_;
  int open_groups_ = 0;
};

}  // namespace salesops::reporting::svg

#endif  // SALESOPS_SERVICES_REPORTING_SVG_CHART_H_
