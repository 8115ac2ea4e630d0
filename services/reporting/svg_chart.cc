#include "services/reporting/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"

namespace salesops::reporting::svg {
namespace {

// Debian's Abseil has its own string_view type, which StrCat takes; std::string_view needs this.
absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not valid.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return n;
}

// The code point at text[i] and the length of its sequence (1 for an invalid byte, as U+FFFD).
size_t DecodeAt(std::string_view text, size_t i, uint32_t* cp) {
  const size_t n = Utf8SequenceLength(text, i);
  if (n == 0) {
    *cp = 0xFFFD;
    return 1;
  }
  static constexpr unsigned char kMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t v = static_cast<unsigned char>(text[i]) & kMask[n];
  for (size_t k = 1; k < n; ++k) v = (v << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  *cp = v;
  return n;
}

double CharWidthEm(uint32_t cp) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (c == ' ') return 0.32;
    if (std::string_view("iljtfrI.,:;'|!()[]{}`").find(c) != std::string_view::npos) return 0.38;
    if (c == 'm' || c == 'w' || c == 'M' || c == 'W') return 0.98;
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 0.74;
    if (c >= 'a' && c <= 'z') return 0.62;
    return 0.84;  // & < > % @ # and the like
  }
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                    (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 1.0 : 0.74;
}

std::string Printf1(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

}  // namespace

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out += static_cast<char>(c);
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += ' ';
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out;
}

std::string Truncate(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = std::max<size_t>(1, Utf8SequenceLength(text, i));
    ++chars;
    if (chars > max_chars) break;
    i += n;
  }
  if (i >= text.size()) return std::string(text);
  // Cut to leave room for the ellipsis.
  size_t keep = 0;
  size_t kept_chars = 0;
  while (keep < text.size() && kept_chars + 1 < max_chars) {
    keep += std::max<size_t>(1, Utf8SequenceLength(text, keep));
    ++kept_chars;
  }
  return absl::StrCat(AV(text.substr(0, keep)), "…");
}

double TextWidthEm(std::string_view text) {
  double em = 0;
  uint32_t cp = 0;
  size_t i = 0;
  while (i < text.size()) {
    i += DecodeAt(text, i, &cp);
    em += CharWidthEm(cp);
  }
  return em;
}

std::string FitText(std::string_view text, double max_width_px, double font_px) {
  const double max_em = font_px > 0 ? max_width_px / font_px : 0;
  if (TextWidthEm(text) <= max_em) return std::string(text);
  const double budget = max_em - CharWidthEm(0x2026);  // room for the ellipsis
  double em = 0;
  size_t keep = 0;
  uint32_t cp = 0;
  while (keep < text.size()) {
    const size_t n = DecodeAt(text, keep, &cp);
    if (em + CharWidthEm(cp) > budget) break;
    em += CharWidthEm(cp);
    keep += n;
  }
  // No trailing space before the ellipsis.
  while (keep > 0 && text[keep - 1] == ' ') --keep;
  return absl::StrCat(AV(text.substr(0, keep)), "…");
}

std::string Coord(double v) {
  if (std::fabs(v) < 0.05) return "0";
  return Printf1(v);
}

std::string Compact(double v) {
  if (!std::isfinite(v)) return "–";
  const double a = std::fabs(v);
  const std::string sign = v < 0 && a >= 0.5 ? "−" : "";
  char buf[64];
  if (a >= 999.95e12) {
    std::snprintf(buf, sizeof buf, "%.1e", a);
    return sign + buf;
  }
  static constexpr std::pair<double, const char*> kUnits[] = {
      {1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [unit, suffix] : kUnits) {
    if (a >= unit * 0.9995) {
      // Three significant digits, trailing zeros dropped: 5.97M, 12.3M, 250M, 6M.
      const double scaled = a / unit;
      std::snprintf(buf, sizeof buf,
                    scaled >= 99.95   ? "%.0f"
                    : scaled >= 9.995 ? "%.1f"
                                      : "%.2f",
                    scaled);
      std::string digits = buf;
      if (digits.find('.') != std::string::npos) {
        while (digits.back() == '0') digits.pop_back();
        if (digits.back() == '.') digits.pop_back();
      }
      return absl::StrCat(sign, digits, suffix);
    }
  }
  std::snprintf(buf, sizeof buf, "%.0f", a);
  return sign + buf;
}

double LinearScale::operator()(double v) const {
  const double span = hi - lo;
  if (!std::isfinite(v) || !std::isfinite(span) || span == 0) return r0;
  return r0 + (v - lo) / span * (r1 - r0);
}

double LinearScale::Clamped(double v) const {
  const double out = (*this)(v);
  return std::clamp(out, std::min(r0, r1), std::max(r0, r1));
}

Axis NiceAxis(double lo, double hi, int target) {
  // Beyond ±1e300 the tick arithmetic could overflow; no amount comes near it.
  constexpr double kLimit = 1e300;
  lo = std::isfinite(lo) ? std::clamp(lo, -kLimit, kLimit) : 0;
  hi = std::isfinite(hi) ? std::clamp(hi, -kLimit, kLimit) : 0;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) {
    if (lo == 0) {
      hi = 1;
    } else if (lo > 0) {
      lo = 0;
    } else {
      hi = 0;
    }
  }
  target = std::max(1, target);
  double raw = (hi - lo) / target;
  if (!std::isfinite(raw)) raw = hi / target - lo / target;
  Axis axis;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm <= 1     ? 1
                       : norm <= 2   ? 2
                       : norm <= 2.5 ? 2.5
                       : norm <= 5   ? 5
                                     : 10) *
                      mag;
  if (!std::isfinite(step) || step <= 0) {
    axis.lo = lo;
    axis.hi = hi;
    axis.ticks = {lo, hi};
    return axis;
  }
  axis.lo = std::floor(lo / step) * step;
  axis.hi = std::ceil(hi / step) * step;
  const double count = std::round((axis.hi - axis.lo) / step);
  const int n =
      std::isfinite(count) ? static_cast<int>(std::clamp(count, 1.0, 4.0 * target + 2)) : 1;
  for (int i = 0; i <= n; ++i) axis.ticks.push_back(i == n ? axis.hi : axis.lo + i * step);
  return axis;
}

namespace {

std::string TitleElement(std::string_view tooltip) {
  return tooltip.empty() ? "" : absl::StrCat("<title>", Escape(tooltip), "</title>");
}

std::string PointList(const std::vector<Point>& points) {
  std::string out;
  for (const Point& p : points) {
    if (!out.empty()) out += ' ';
    absl::StrAppend(&out, Coord(p.x), ",", Coord(p.y));
  }
  return out;
}

// Ends an element: self-closing without a tooltip, with a <title> child otherwise.
void Close(std::string& out, std::string_view tag, std::string_view tooltip) {
  if (tooltip.empty()) {
    out += "/>";
  } else {
    absl::StrAppend(&out, ">", TitleElement(tooltip), "</", AV(tag), ">");
  }
}

}  // namespace

SvgWriter::SvgWriter(std::string_view id, std::string_view css_class, double width, double height,
                     std::string_view label)
    : width_(width), height_(height) {
  absl::StrAppend(&out_, "<svg id=\"", Escape(id), "\" class=\"", Escape(css_class),
                  "\" viewBox=\"0 0 ", Coord(width), " ", Coord(height), "\" width=\"",
                  Coord(width), "\" height=\"", Coord(height), "\" role=\"img\" aria-label=\"",
                  Escape(label), "\">");
}

void SvgWriter::Line(double x1, double y1, double x2, double y2, std::string_view css_class) {
  absl::StrAppend(&out_, "<line class=\"", Escape(css_class), "\" x1=\"", Coord(x1), "\" y1=\"",
                  Coord(y1), "\" x2=\"", Coord(x2), "\" y2=\"", Coord(y2), "\"/>");
}

void SvgWriter::Rect(double x, double y, double width, double height, std::string_view css_class,
                     std::string_view tooltip) {
  if (width < 0) {
    x += width;
    width = -width;
  }
  if (height < 0) {
    y += height;
    height = -height;
  }
  absl::StrAppend(&out_, "<rect class=\"", Escape(css_class), "\" x=\"", Coord(x), "\" y=\"",
                  Coord(y), "\" width=\"", Coord(width), "\" height=\"", Coord(height), "\"");
  Close(out_, "rect", tooltip);
}

void SvgWriter::Circle(double cx, double cy, double r, std::string_view css_class,
                       std::string_view tooltip) {
  absl::StrAppend(&out_, "<circle class=\"", Escape(css_class), "\" cx=\"", Coord(cx), "\" cy=\"",
                  Coord(cy), "\" r=\"", Coord(std::fabs(r)), "\"");
  Close(out_, "circle", tooltip);
}

void SvgWriter::Text(double x, double y, std::string_view text, std::string_view css_class,
                     Anchor anchor, std::string_view tooltip) {
  absl::StrAppend(&out_, "<text class=\"", Escape(css_class), "\" x=\"", Coord(x), "\" y=\"",
                  Coord(y), "\"");
  if (anchor == Anchor::kMiddle) out_ += " text-anchor=\"middle\"";
  if (anchor == Anchor::kEnd) out_ += " text-anchor=\"end\"";
  absl::StrAppend(&out_, ">", TitleElement(tooltip), Escape(text), "</text>");
}

void SvgWriter::Polyline(const std::vector<Point>& points, std::string_view css_class) {
  if (points.size() < 2) return;
  absl::StrAppend(&out_, "<polyline class=\"", Escape(css_class), "\" points=\"", PointList(points),
                  "\"/>");
}

void SvgWriter::Polygon(const std::vector<Point>& points, std::string_view css_class) {
  if (points.size() < 3) return;
  absl::StrAppend(&out_, "<polygon class=\"", Escape(css_class), "\" points=\"", PointList(points),
                  "\"/>");
}

void SvgWriter::BeginGroup(std::string_view css_class) {
  absl::StrAppend(&out_, "<g class=\"", Escape(css_class), "\">");
  ++open_groups_;
}

void SvgWriter::EndGroup() {
  if (open_groups_ == 0) return;
  out_ += "</g>";
  --open_groups_;
}

std::string SvgWriter::Finish() {
  while (open_groups_ > 0) EndGroup();
  out_ += "</svg>";
  return std::move(out_);
}

}  // namespace salesops::reporting::svg
