#include "services/reporting/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/money.h"
#include "services/reporting/svg_chart.h"

namespace salesops::reporting {
namespace {

using svg::Anchor;
using svg::Axis;
using svg::Compact;
using svg::Escape;
using svg::LinearScale;
using svg::NiceAxis;
using svg::Point;
using svg::SvgWriter;

// Debian's Abseil has its own string_view type, which StrCat takes; std::string_view needs this.
absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }

// ---------------------------------------------------------------------------------------------
// Formatting.

int64_t Pow10(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// Minor units as whole major units, rounded half away from zero: "48,000,000".
std::string WholeUnits(int64_t minor, int digits) {
  const int64_t scale = Pow10(digits);
  int64_t q = minor / scale;
  const int64_t r = minor % scale;
  if (scale > 1 && 2 * (r < 0 ? -r : r) >= scale) q += minor < 0 ? -1 : 1;
  return FormatMinorUnits(q, 0);
}

// A double amount of minor units as whole major units when it fits an int64, compact otherwise.
std::string WholeUnits(double minor, int digits) {
  if (!std::isfinite(minor)) return "–";
  if (std::fabs(minor) < 9.2e18)
    return WholeUnits(static_cast<int64_t>(std::llround(minor)), digits);
  return Compact(minor / static_cast<double>(Pow10(digits)));
}

std::string Pct(double v) {
  if (!std::isfinite(v)) return "–";
  return absl::StrFormat("%.0f%%", v);
}

std::string Times(double v) {
  if (!std::isfinite(v)) return "–";
  return absl::StrFormat("%.1fx", v);
}

std::string DateText(const v1::Date& d) {
  if (d.year() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string PeriodText(const v1::Period& p) {
  switch (p.type()) {
    case v1::PERIOD_TYPE_MONTH:
      return absl::StrFormat("FY%d month %d", p.fiscal_year(), p.index());
    case v1::PERIOD_TYPE_QUARTER:
      return absl::StrFormat("FY%d Q%d", p.fiscal_year(), p.index());
    case v1::PERIOD_TYPE_YEAR:
      return absl::StrFormat("FY%d", p.fiscal_year());
    default:
      return "";
  }
}

double Major(double minor, int digits) { return minor / static_cast<double>(Pow10(digits)); }

double Finite(double v, double fallback = 0) { return std::isfinite(v) ? v : fallback; }

// Signed compact amount for the waterfall: "+1.2M", "−300k", "0".
std::string SignedCompact(double v) {
  if (std::isfinite(v) && v > 0 && Compact(v) != "0") return "+" + Compact(v);
  return Compact(v);
}

// ---------------------------------------------------------------------------------------------
// The page's stylesheet. Muted colours; the swatches in the legends repeat the chart colours.

constexpr std::string_view kCss = R"css(
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f6f8;color:#1f2933;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Liberation Sans","DejaVu Sans",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;font-weight:600;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:16px;font-weight:600;margin:0;overflow-wrap:anywhere}
.subtitle{margin:0;color:#52606d}
.facts{list-style:none;margin:10px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.facts li{font-size:12px;color:#52606d;background:#e6eaee;border-radius:4px;padding:2px 8px;overflow-wrap:anywhere}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:20px 0 0}
.tile{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:12px 14px}
.tile-label{font-size:11.5px;color:#616e7c;text-transform:uppercase;letter-spacing:.04em}
.tile-value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap}
.tile-value .unit{font-size:12px;color:#7b8794;font-weight:400;margin-left:4px}
.tile-sub{font-size:12px;color:#616e7c}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px;margin:16px 0;align-items:start}
.card{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:16px;margin:0;min-width:0}
.wide{grid-column:1/-1}
.note{margin:2px 0 10px;color:#616e7c;font-size:12.5px}
.warning{color:#a8431f}
svg.chart{display:block;width:100%;height:auto;max-width:100%;overflow:visible}
svg.chart text{font-size:12px;fill:#3e4c59}
svg.chart .tick{font-size:11px;fill:#7b8794}
svg.chart .label.top{font-weight:600}
svg.chart .value,svg.chart .end-label,svg.chart .marker-label,svg.chart .quota-label{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg.chart .value{font-size:11.5px;fill:#323f4b}
svg.chart .muted{fill:#9aa5b1;font-style:italic}
svg.chart .marker-label{font-size:11px;fill:#323f4b;font-weight:600}
svg.chart .empty{font-size:14px;fill:#7b8794}
svg.chart .grid-box{fill:#fafbfc;stroke:#e4e7eb;stroke-width:1}
svg.chart .grid{stroke:#e4e7eb;stroke-width:1}
svg.chart .axis{stroke:#9aa5b1;stroke-width:1}
svg.chart .zero{stroke:#7b8794;stroke-width:1}
svg.chart .history{fill:none;stroke:#243b53;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}
svg.chart .history-point{fill:#243b53}
svg.chart .p50{fill:none;stroke:#2f6fad;stroke-width:2;stroke-dasharray:7 4;stroke-linejoin:round}
svg.chart .band{fill:#a9c8e6;fill-opacity:.5;stroke:none}
svg.chart .band-whisker{stroke:#a9c8e6;stroke-width:6}
svg.chart .quota{stroke:#c2622d;stroke-width:1.5;stroke-dasharray:8 4}
svg.chart .quota-label{fill:#c2622d;font-weight:600}
svg.chart .now{stroke:#9aa5b1;stroke-width:1;stroke-dasharray:2 3}
svg.chart .end-label{font-size:11.5px;fill:#2f6fad}
svg.chart .target{stroke:#323f4b;stroke-width:1.5}
svg.chart .pace{stroke:#7b8794;stroke-width:1.5;stroke-dasharray:4 3}
svg.chart .guide{stroke:#323f4b;stroke-width:1.5;stroke-dasharray:6 4}
svg.chart .bar.met,svg.chart .bar.strong{fill:#5a9e6f}
svg.chart .bar.on-pace{fill:#5b84b1}
svg.chart .bar.behind,svg.chart .bar.fair{fill:#e0a458}
svg.chart .bar.weak{fill:#d0705f}
svg.chart .bar.total{fill:#627d98}
svg.chart .bar.up{fill:#79b68b}
svg.chart .bar.down{fill:#dc8f82}
svg.chart .bar.won{fill:#3f8f8b}
svg.chart .bar.lost{fill:#a9575e}
svg.chart .connector{stroke:#9aa5b1;stroke-width:1;stroke-dasharray:3 3}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;margin:10px 0 0;padding:0;font-size:12px;color:#52606d}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.sw.line{height:0;border-radius:0;border-top:2.5px solid}
.sw.dash{height:0;border-radius:0;border-top:2px dashed}
.tables{display:grid;gap:16px;margin:16px 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
caption{text-align:left;color:#616e7c;font-size:12.5px;padding:0 0 8px}
th{font-size:11px;text-transform:uppercase;letter-spacing:.03em;color:#616e7c;font-weight:600;text-align:left;border-bottom:1px solid #cbd2d9;padding:6px 7px;vertical-align:bottom}
td{padding:5px 7px;border-bottom:1px solid #eef1f4}
th.num{text-align:right}
td.num{text-align:right;white-space:nowrap}
td.name{overflow-wrap:anywhere;min-width:150px}
tr.node td{font-weight:600}
tr.top td{background:#f0f4f8}
tr.empty-row td{color:#7b8794;font-style:italic}
td.met{color:#2f7d4a}
td.behind{color:#a8661b}
td.weak{color:#a8431f}
.muted{color:#9aa5b1}
footer{color:#7b8794;font-size:12px;margin:24px 0 8px}
@media (max-width:900px){.charts{grid-template-columns:minmax(0,1fr)}}
@media print{body{background:#fff}.card,.tile{break-inside:avoid}}
)css";

// Chart colours used by the HTML legends (same as the stylesheet's).
constexpr std::string_view kColHistory = "#243b53";
constexpr std::string_view kColP50 = "#2f6fad";
constexpr std::string_view kColBand = "#c6dbef";
constexpr std::string_view kColQuota = "#c2622d";
constexpr std::string_view kColMet = "#5a9e6f";
constexpr std::string_view kColOnPace = "#5b84b1";
constexpr std::string_view kColBehind = "#e0a458";
constexpr std::string_view kColWeak = "#d0705f";
constexpr std::string_view kColTotal = "#627d98";
constexpr std::string_view kColUp = "#79b68b";
constexpr std::string_view kColDown = "#dc8f82";
constexpr std::string_view kColWon = "#3f8f8b";
constexpr std::string_view kColLost = "#a9575e";
constexpr std::string_view kColMarker = "#323f4b";

struct LegendItem {
  std::string_view shape;  // "" (box), "line" or "dash"
  std::string_view colour;
  std::string text;
};

std::string Legend(const std::vector<LegendItem>& items) {
  std::string out = "<ul class=\"legend\">";
  for (const LegendItem& item : items) {
    const bool box = item.shape.empty();
    absl::StrAppend(&out, "<li><span class=\"sw", box ? "" : " ", AV(item.shape), "\" style=\"",
                    box ? "background:" : "border-color:", AV(item.colour), "\"></span>",
                    Escape(item.text), "</li>");
  }
  out += "</ul>";
  return out;
}

// A chart card: heading, note, the chart, then a legend or further notes.
std::string Card(std::string_view id, bool wide, std::string_view heading, std::string_view note,
                 const std::string& chart, const std::string& after = "") {
  return absl::StrCat("<figure class=\"card", wide ? " wide" : "", "\" id=\"", AV(id),
                      "\"><figcaption><h2>", Escape(heading), "</h2><p class=\"note\">",
                      Escape(note), "</p></figcaption>", chart, after, "</figure>\n");
}

// An SVG holding only a message, for a chart with nothing to draw.
std::string EmptyChart(std::string_view id, double width, std::string_view label,
                       std::string_view message) {
  SvgWriter svg(id, "chart empty-chart", width, 120, label);
  svg.Rect(0.5, 0.5, width - 1, 119, "grid-box");
  svg.Text(width / 2, 64, message, "empty", Anchor::kMiddle);
  return svg.Finish();
}

// ---------------------------------------------------------------------------------------------
// The fan chart.

constexpr double kWide = 1120;
constexpr double kHalf = 536;

std::string FanChartSvg(const FanChart& fan) {
  const int digits = CurrencyMinorDigits(fan.currency);
  const size_t h = fan.history.size();
  const size_t f = std::max({fan.p10.size(), fan.p50.size(), fan.p90.size()});
  const size_t n = std::max(fan.labels.size(), h + f);
  const std::string label = fan.title.empty() ? "Bookings forecast" : fan.title;

  double lo = 0, hi = 0;
  bool any = false;
  const auto see = [&](double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    any = true;
  };
  for (const auto* series : {&fan.history, &fan.p10, &fan.p50, &fan.p90}) {
    for (double v : *series) see(v);
  }
  const bool has_quota = std::isfinite(fan.quota) && fan.quota > 0;
  if (n == 0 || !any) {
    return EmptyChart("fan-chart", kWide, label, "No bookings history or forecast to show");
  }
  if (has_quota) hi = std::max(hi, fan.quota);

  constexpr double W = kWide, H = 380, L = 72, R = 150, T = 16, B = 40;
  const double plot_w = W - L - R, plot_h = H - T - B;
  const Axis axis = NiceAxis(Major(lo, digits), Major(hi, digits), 5);
  const LinearScale y{axis.lo, axis.hi, T + plot_h, T};
  const auto ym = [&](double minor) { return y(Major(minor, digits)); };
  const auto x = [&](size_t i) {
    return n <= 1 ? L + plot_w / 2
                  : L + plot_w * static_cast<double>(i) / static_cast<double>(n - 1);
  };

  SvgWriter svg("fan-chart", "chart fan", W, H, label);
  svg.BeginGroup("y-axis");
  for (double t : axis.ticks) {
    svg.Line(L, y(t), L + plot_w, y(t), t == 0 && axis.lo < 0 ? "zero" : "grid");
    svg.Text(L - 8, y(t) + 4, Compact(t), "tick", Anchor::kEnd);
  }
  svg.EndGroup();
  svg.Line(L, T + plot_h, L + plot_w, T + plot_h, "axis");

  svg.BeginGroup("x-axis");
  const size_t every =
      std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(n) * 64.0 / plot_w)));
  const double label_room =
      n <= 1 ? plot_w : plot_w * static_cast<double>(every) / static_cast<double>(n - 1) - 6;
  for (size_t i = 0; i < n && i < fan.labels.size(); ++i) {
    if (i % every != 0) continue;
    svg.Text(x(i), T + plot_h + 18,
             svg::FitText(fan.labels[i], std::min(label_room, 2.0 * L - 8), 11), "tick",
             Anchor::kMiddle, fan.labels[i]);
  }
  svg.EndGroup();

  // Where the forecast starts from: the last history point, when there is one.
  std::optional<Point> start;
  if (h > 0 && std::isfinite(fan.history.back())) start = Point{x(h - 1), ym(fan.history.back())};

  if (h > 0 && f > 0) {
    svg.Line(x(h - 1), T, x(h - 1), T + plot_h, "now");
    svg.Text(x(h - 1) + 4, T + 11, "now", "tick");
  }

  // The P10–P90 band: along P90, back along P10.
  std::vector<Point> upper, lower;
  if (start) {
    upper.push_back(*start);
    lower.push_back(*start);
  }
  for (size_t j = 0; j < f; ++j) {
    if (j >= fan.p10.size() || j >= fan.p90.size()) continue;
    if (!std::isfinite(fan.p10[j]) || !std::isfinite(fan.p90[j])) continue;
    upper.push_back({x(h + j), ym(fan.p90[j])});
    lower.push_back({x(h + j), ym(fan.p10[j])});
  }
  if (upper.size() >= 2) {
    std::vector<Point> band = upper;
    band.insert(band.end(), lower.rbegin(), lower.rend());
    svg.Polygon(band, "band");
  } else if (upper.size() == 1) {
    svg.Line(upper[0].x, upper[0].y, lower[0].x, lower[0].y, "band-whisker");
  }

  // End labels on the right, kept apart vertically.
  struct EndLabel {
    double y;
    std::string text;
    std::string_view css_class;
  };
  std::vector<EndLabel> end_labels;

  if (has_quota) {
    svg.Line(L, ym(fan.quota), L + plot_w, ym(fan.quota), "quota");
    end_labels.push_back(
        {ym(fan.quota), "Quota " + Compact(Major(fan.quota, digits)), "quota-label"});
  }

  std::vector<Point> history;
  for (size_t i = 0; i < h; ++i) {
    if (std::isfinite(fan.history[i])) history.push_back({x(i), ym(fan.history[i])});
  }
  svg.Polyline(history, "history");
  if (n <= 40) {
    for (size_t i = 0; i < h; ++i) {
      if (!std::isfinite(fan.history[i])) continue;
      svg.Circle(x(i), ym(fan.history[i]), 3, "history-point",
                 absl::StrCat(i < fan.labels.size() ? fan.labels[i] + ": " : "",
                              WholeUnits(fan.history[i], digits), " booked"));
    }
  }

  std::vector<Point> p50;
  if (start) p50.push_back(*start);
  for (size_t j = 0; j < fan.p50.size(); ++j) {
    if (std::isfinite(fan.p50[j])) p50.push_back({x(h + j), ym(fan.p50[j])});
  }
  svg.Polyline(p50, "p50");
  if (p50.size() == 1 && !start) svg.Circle(p50[0].x, p50[0].y, 3, "p50");

  const auto last_finite = [](const std::vector<double>& v) -> std::optional<double> {
    for (auto it = v.rbegin(); it != v.rend(); ++it) {
      if (std::isfinite(*it)) return *it;
    }
    return std::nullopt;
  };
  if (auto v = last_finite(fan.p90))
    end_labels.push_back({ym(*v), "P90 " + Compact(Major(*v, digits)), "end-label"});
  if (auto v = last_finite(fan.p50))
    end_labels.push_back({ym(*v), "P50 " + Compact(Major(*v, digits)), "end-label"});
  if (auto v = last_finite(fan.p10))
    end_labels.push_back({ym(*v), "P10 " + Compact(Major(*v, digits)), "end-label"});
  if (f == 0 && !history.empty()) {
    end_labels.push_back(
        {history.back().y, Compact(Major(*last_finite(fan.history), digits)), "value"});
  }
  std::stable_sort(end_labels.begin(), end_labels.end(),
                   [](const EndLabel& a, const EndLabel& b) { return a.y < b.y; });
  constexpr double kGap = 14;
  for (size_t i = 1; i < end_labels.size(); ++i) {
    end_labels[i].y = std::max(end_labels[i].y, end_labels[i - 1].y + kGap);
  }
  if (!end_labels.empty() && end_labels.back().y > T + plot_h) {
    const double shift = end_labels.back().y - (T + plot_h);
    for (auto& e : end_labels) e.y -= shift;
  }
  for (const auto& e : end_labels) svg.Text(L + plot_w + 10, e.y + 4, e.text, e.css_class);
  return svg.Finish();
}

// ---------------------------------------------------------------------------------------------
// Attainment by rep.

std::string AttainmentStatus(double att, double pace_pct) {
  if (att >= 100) return "met";
  if (pace_pct > 0 && att < pace_pct) return "behind";
  return "on-pace";
}

std::string AttainmentChartSvg(const v1::AttainmentReportResponse& report) {
  const int digits = CurrencyMinorDigits(report.currency_code());
  std::vector<const v1::AttainmentRow*> reps;
  for (const auto& row : report.rows()) {
    if (row.kind() == v1::ROW_KIND_REP) reps.push_back(&row);
  }
  if (reps.empty()) {
    return EmptyChart("attainment-chart", kHalf, "Attainment by rep", "No reps in this report");
  }
  const auto att_of = [](const v1::AttainmentRow* r) {
    if (r->quota().minor_units() <= 0) return -HUGE_VAL;  // no quota: last
    return Finite(r->attainment_pct(), -HUGE_VAL);
  };
  std::stable_sort(reps.begin(), reps.end(), [&](const auto* a, const auto* b) {
    const double x = att_of(a), y = att_of(b);
    if (x != y) return x > y;
    return a->name() < b->name();
  });

  double max_att = 0;
  for (const auto* r : reps) max_att = std::max(max_att, Finite(att_of(r), 0));
  const double pace = std::isfinite(report.elapsed_fraction())
                          ? std::clamp(report.elapsed_fraction(), 0.0, 1.0) * 100
                          : 0;

  const double row_h = reps.size() > 40 ? 16 : 24;
  constexpr double W = kHalf, L = 150, R = 50, T = 22, B = 26;
  const double plot_w = W - L - R;
  const double plot_h = row_h * static_cast<double>(reps.size());
  const Axis axis = NiceAxis(0, std::clamp(max_att * 1.05, 110.0, 200.0), 4);
  const LinearScale x{0, axis.hi, L, L + plot_w};

  SvgWriter svg("attainment-chart", "chart attainment", W, T + plot_h + B, "Attainment by rep");
  svg.BeginGroup("x-axis");
  for (double t : axis.ticks) {
    svg.Line(x(t), T, x(t), T + plot_h, "grid");
    svg.Text(x(t), T + plot_h + 16, Pct(t), "tick", Anchor::kMiddle);
  }
  svg.EndGroup();

  const double bar_h = row_h * 0.64;
  svg.BeginGroup("bars");
  for (size_t i = 0; i < reps.size(); ++i) {
    const auto& r = *reps[i];
    const double yc = T + row_h * (static_cast<double>(i) + 0.5);
    svg.Text(L - 8, yc + 4, svg::FitText(r.name().empty() ? r.id() : r.name(), L - 14, 12), "label",
             Anchor::kEnd, r.name());
    if (r.quota().minor_units() <= 0) {
      svg.Text(L + 4, yc + 4, "no quota", "value muted");
      continue;
    }
    const double att = Finite(r.attainment_pct());
    const double end = x.Clamped(std::max(att, 0.0));
    svg.Rect(L, yc - bar_h / 2, end - L, bar_h, "bar " + AttainmentStatus(att, pace),
             absl::StrCat(r.name(), ": ", Pct(att), " of quota (",
                          WholeUnits(r.closed_won().minor_units(), digits), " of ",
                          WholeUnits(r.quota().minor_units(), digits), ")"));
    svg.Text(end + 4, yc + 4, Pct(att), "value");
  }
  svg.EndGroup();

  svg.Line(L, T, L, T + plot_h, "axis");
  svg.Line(x(100), T - 6, x(100), T + plot_h, "target");
  svg.Text(x(100) + 3, T - 9, "100%", "marker-label");
  if (pace > 0 && pace < 100) {
    svg.Line(x(pace), T - 6, x(pace), T + plot_h, "pace");
    svg.Text(x(pace) - 3, T - 9, "pace", "tick", Anchor::kEnd);
  }
  return svg.Finish();
}

// ---------------------------------------------------------------------------------------------
// Coverage by territory.

struct CoverageItem {
  std::string name;
  int depth;
  double coverage;
  int64_t remaining;  // minor units
};

std::string CoverageChartSvg(const std::vector<CoverageItem>& items, int digits) {
  constexpr double W = kHalf, L = 160, R = 64, T = 22, B = 26;
  const double row_h = items.size() > 40 ? 16 : 24;
  const double plot_w = W - L - R;
  const double plot_h = row_h * static_cast<double>(items.size());
  double max_cov = 0;
  for (const auto& item : items) max_cov = std::max(max_cov, Finite(item.coverage));
  const Axis axis = NiceAxis(0, std::clamp(max_cov * 1.05, 4.0, 10.0), 4);
  const LinearScale x{0, axis.hi, L, L + plot_w};

  SvgWriter svg("coverage-chart", "chart coverage", W, T + plot_h + B, "Coverage by territory");
  svg.BeginGroup("x-axis");
  for (double t : axis.ticks) {
    svg.Line(x(t), T, x(t), T + plot_h, "grid");
    svg.Text(x(t), T + plot_h + 16, absl::StrFormat("%gx", t), "tick", Anchor::kMiddle);
  }
  svg.EndGroup();

  const double bar_h = row_h * 0.64;
  svg.BeginGroup("bars");
  for (size_t i = 0; i < items.size(); ++i) {
    const CoverageItem& item = items[i];
    const double yc = T + row_h * (static_cast<double>(i) + 0.5);
    const int depth = std::clamp(item.depth, 0, 6);
    const double indent = 4 + 12 * depth;
    // The top row is bold: a little wider.
    svg.Text(indent, yc + 4,
             svg::FitText(item.name, (L - indent - 10) * (depth == 0 ? 0.9 : 1), 12),
             depth == 0 ? "label top" : "label", Anchor::kStart, item.name);
    if (item.remaining <= 0) {
      svg.Text(L + 4, yc + 4, "quota met", "value muted");
      continue;
    }
    const double cov = std::max(0.0, Finite(item.coverage));
    const double end = x.Clamped(cov);
    const std::string_view status = cov >= 3 ? "strong" : cov >= 2 ? "fair" : "weak";
    svg.Rect(L, yc - bar_h / 2, end - L, bar_h, absl::StrCat("bar ", AV(status)),
             absl::StrCat(item.name, ": ", Times(cov), " of the remaining quota (",
                          WholeUnits(item.remaining, digits), ")"));
    svg.Text(end + 4, yc + 4, Times(cov), "value");
  }
  svg.EndGroup();
  svg.Line(L, T, L, T + plot_h, "axis");
  svg.Line(x(3), T - 6, x(3), T + plot_h, "guide");
  svg.Text(x(3) + 3, T - 9, "3x", "marker-label");
  return svg.Finish();
}

// ---------------------------------------------------------------------------------------------
// The pipeline waterfall.

struct WaterfallStep {
  std::string_view name;
  std::string_view css_class;  // total, up, down, won, lost
  double amount;               // minor units: the total, or the signed change
  bool total;
};

std::vector<WaterfallStep> WaterfallSteps(const v1::PipelineWaterfall& w) {
  const auto d = [](const v1::Money& m) { return static_cast<double>(m.minor_units()); };
  return {
      {"Starting", "total", d(w.starting()), true},
      {"New", "up", d(w.new_pipeline()), false},
      {"Pulled in", "up", d(w.pulled_in()), false},
      {"Pushed out", "down", -d(w.pushed_out()), false},
      {"Increased", "up", d(w.increased()), false},
      {"Decreased", "down", -d(w.decreased()), false},
      {"Won", "won", -d(w.won()), false},
      {"Lost", "lost", -d(w.lost()), false},
      {"Ending", "total", d(w.ending()), true},
  };
}

std::string WaterfallChartSvg(const std::vector<WaterfallStep>& steps, int digits) {
  constexpr double W = kWide, H = 340, L = 72, R = 16, T = 24, B = 40;
  const double plot_w = W - L - R, plot_h = H - T - B;
  // Each step's bar runs from `from` to `to` (minor units).
  std::vector<std::pair<double, double>> bars;
  double running = 0, lo = 0, hi = 0;
  for (const auto& s : steps) {
    if (s.total) {
      bars.push_back({0, s.amount});
      running = s.amount;
    } else {
      bars.push_back({running, running + s.amount});
      running += s.amount;
    }
    lo = std::min({lo, bars.back().first, bars.back().second});
    hi = std::max({hi, bars.back().first, bars.back().second});
  }
  const Axis axis = NiceAxis(Major(lo, digits), Major(hi, digits), 5);
  const LinearScale y{axis.lo, axis.hi, T + plot_h, T};
  const auto ym = [&](double minor) { return y.Clamped(Major(minor, digits)); };

  SvgWriter svg("waterfall-chart", "chart waterfall", W, H, "Pipeline waterfall");
  svg.BeginGroup("y-axis");
  for (double t : axis.ticks) {
    svg.Line(L, y(t), L + plot_w, y(t), "grid");
    svg.Text(L - 8, y(t) + 4, Compact(t), "tick", Anchor::kEnd);
  }
  svg.EndGroup();
  svg.Line(L, ym(0), L + plot_w, ym(0), "zero");

  const double band = plot_w / static_cast<double>(steps.size());
  const double bar_w = band * 0.62;
  svg.BeginGroup("bars");
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& s = steps[i];
    const double cx = L + band * (static_cast<double>(i) + 0.5);
    const auto [from, to] = bars[i];
    const double top = std::min(ym(from), ym(to));
    svg.Rect(cx - bar_w / 2, ym(from), bar_w, ym(to) - ym(from),
             absl::StrCat("bar ", AV(s.css_class)),
             absl::StrCat(AV(s.name), ": ", s.total ? "" : (s.amount >= 0 ? "+" : "−"),
                          WholeUnits(std::fabs(s.amount), digits)));
    svg.Text(cx, top - 6,
             s.total ? Compact(Major(s.amount, digits)) : SignedCompact(Major(s.amount, digits)),
             "value", Anchor::kMiddle);
    svg.Text(cx, T + plot_h + 18, s.name, "tick", Anchor::kMiddle);
    if (i + 1 < steps.size() && !steps[i + 1].total) {
      svg.Line(cx + bar_w / 2, ym(to), cx + band - bar_w / 2, ym(to), "connector");
    }
  }
  svg.EndGroup();
  return svg.Finish();
}

// ---------------------------------------------------------------------------------------------
// Page parts.

std::string Tile(std::string_view label, std::string_view value, std::string_view unit,
                 std::string_view sub) {
  return absl::StrCat(
      "<div class=\"tile\"><div class=\"tile-label\">", Escape(label),
      "</div><div class=\"tile-value\">", Escape(value),
      unit.empty() ? "" : absl::StrCat("<span class=\"unit\">", Escape(unit), "</span>"),
      "</div><div class=\"tile-sub\">", Escape(sub), "</div></div>");
}

std::string Headline(const v1::AttainmentReportResponse& report) {
  if (report.rows_size() == 0) return "";
  const auto& top = report.rows(0);
  const int digits = CurrencyMinorDigits(report.currency_code());
  const std::string& cur = report.currency_code();
  const auto c = [&](const v1::Money& m) {
    return Compact(Major(static_cast<double>(m.minor_units()), digits));
  };
  const double pace = Finite(report.elapsed_fraction()) * 100;
  std::string out = "<section class=\"tiles\" id=\"headline\">";
  out += Tile("Quota", c(top.quota()), cur, top.name());
  out += Tile("Closed won", c(top.closed_won()), cur,
              absl::StrCat(WholeUnits(top.closed_won().minor_units(), digits), " ", cur));
  const bool has_quota = top.quota().minor_units() > 0;
  out += Tile("Attainment", has_quota ? Pct(top.attainment_pct()) : "–", "",
              has_quota ? absl::StrCat("pace ", Pct(pace), " of the period elapsed") : "no quota");
  out += Tile("Gap to quota", c(top.gap()), cur,
              absl::StrCat(WholeUnits(top.gap().minor_units(), digits), " ", cur));
  out +=
      Tile("Open pipeline", c(top.open_pipeline()), cur,
           top.gap().minor_units() > 0 ? absl::StrCat(Times(top.coverage()), " coverage of the gap")
                                       : absl::StrCat(c(top.weighted_pipeline()), " weighted"));
  if (top.has_landing()) {
    const auto& l = top.landing();
    out += Tile("Landing (P50)", c(l.p50()), cur,
                absl::StrCat("P10–P90 ", c(l.p10()), " – ", c(l.p90()),
                             has_quota ? absl::StrCat(" · ", Pct(Finite(l.probability_of_quota()) * 100),
                                                      " chance of quota")
                                       : ""));
  }
  if (top.has_categories()) {
    const auto& k = top.categories();
    out += Tile("Commit", c(k.commit()), cur,
                absl::StrCat("best case ", c(k.best_case()), " · pipeline ", c(k.pipeline())));
  }
  out += "</section>\n";
  return out;
}

std::string Subtitle(const v1::Period& period, const v1::Date& start, const v1::Date& end,
                     const v1::Date& as_of, double elapsed, const std::string& currency,
                     bool with_elapsed) {
  std::vector<std::string> parts;
  if (!PeriodText(period).empty()) parts.push_back(PeriodText(period));
  if (!DateText(start).empty())
    parts.push_back(absl::StrCat(DateText(start), " to ", DateText(end)));
  if (!DateText(as_of).empty()) {
    parts.push_back(
        absl::StrCat("as of ", DateText(as_of),
                     with_elapsed && std::isfinite(elapsed)
                         ? absl::StrCat(" (", Pct(elapsed * 100), " of the period elapsed)")
                         : ""));
  }
  if (!currency.empty()) parts.push_back(absl::StrCat("amounts in ", currency));
  std::string out;
  for (const auto& p : parts) absl::StrAppend(&out, out.empty() ? "" : " · ", p);
  return out;
}

// The first cell of a table row: the name, indented by depth.
std::string NameCell(const std::string& name, const std::string& id, int depth) {
  return absl::StrFormat("<td class=\"name\" style=\"padding-left:%dpx\" title=\"%s\">%s</td>",
                         8 + 16 * std::clamp(depth, 0, 8), Escape(id),
                         Escape(name.empty() ? id : name));
}

std::string RowClass(v1::RowKind kind, int index) {
  return absl::StrCat(kind == v1::ROW_KIND_REP ? "rep" : "node", index == 0 ? " top" : "");
}

std::string Num(std::string_view text, std::string_view extra_class = "") {
  return absl::StrCat("<td class=\"num", extra_class.empty() ? "" : " ", AV(extra_class), "\">",
                      Escape(text), "</td>");
}

std::string Header(const std::vector<std::pair<std::string_view, bool>>& columns) {
  std::string out = "<thead><tr>";
  for (const auto& [name, numeric] : columns) {
    absl::StrAppend(&out, "<th", numeric ? " class=\"num\"" : "", " scope=\"col\">", Escape(name),
                    "</th>");
  }
  out += "</tr></thead>";
  return out;
}

std::string EmptyRow(size_t columns, std::string_view text) {
  return absl::StrCat("<tr class=\"empty-row\"><td colspan=\"", columns, "\">", Escape(text),
                      "</td></tr>");
}

std::string AttainmentTable(const v1::AttainmentReportResponse& report) {
  const int digits = CurrencyMinorDigits(report.currency_code());
  const auto m = [&](const v1::Money& v) { return WholeUnits(v.minor_units(), digits); };
  const auto c = [&](const v1::Money& v) {
    return Compact(Major(static_cast<double>(v.minor_units()), digits));
  };
  const double pace = Finite(report.elapsed_fraction()) * 100;
  const std::vector<std::pair<std::string_view, bool>> columns = {
      {"Name", false},        {"Quota", true},      {"Closed won", true},
      {"Attainment", true},   {"Open pipeline", true}, {"Coverage", true},
      {"Commit", true},       {"Best case", true},  {"Landing P50", true},
      {"P10 – P90", true},    {"P(quota)", true}};
  std::string out = absl::StrCat(
      "<section class=\"card table-wrap\"><table id=\"attainment-table\"><caption>Attainment by "
      "node "
      "and rep, amounts in whole ",
      Escape(report.currency_code().empty() ? "units" : report.currency_code()), "</caption>",
      Header(columns), "<tbody>");
  if (report.rows_size() == 0) out += EmptyRow(columns.size(), "No rows");
  for (int i = 0; i < report.rows_size(); ++i) {
    const auto& r = report.rows(i);
    const bool has_quota = r.quota().minor_units() > 0;
    absl::StrAppend(
        &out, "<tr class=\"", RowClass(r.kind(), i), "\">", NameCell(r.name(), r.id(), r.depth()),
        Num(m(r.quota())), Num(m(r.closed_won())),
        has_quota ? Num(Pct(r.attainment_pct()), AttainmentStatus(Finite(r.attainment_pct()), pace))
                  : Num("–", "muted"),
        Num(m(r.open_pipeline())),
        r.gap().minor_units() > 0 ? Num(Times(r.coverage())) : Num("–", "muted"));
    if (r.has_categories()) {
      absl::StrAppend(&out, Num(m(r.categories().commit())), Num(m(r.categories().best_case())));
    } else {
      absl::StrAppend(&out, Num("–", "muted"), Num("–", "muted"));
    }
    if (r.has_landing()) {
      absl::StrAppend(&out, Num(m(r.landing().p50())),
                      Num(absl::StrCat(c(r.landing().p10()), " – ", c(r.landing().p90()))),
                      has_quota ? Num(Pct(Finite(r.landing().probability_of_quota()) * 100))
                                : Num("–", "muted"));
    } else {
      absl::StrAppend(&out, Num("–", "muted"), Num("–", "muted"), Num("–", "muted"));
    }
    out += "</tr>";
  }
  out += "</tbody></table></section>\n";
  return out;
}

std::string PipelineTable(const v1::PipelineReportResponse& report) {
  const int digits = CurrencyMinorDigits(report.currency_code());
  const auto m = [&](const v1::Money& v) { return WholeUnits(v.minor_units(), digits); };
  const bool has_plan = !report.plan_id().empty();
  const std::vector<std::pair<std::string_view, bool>> columns = {
      {"Name", false},         {"Open deals", true},      {"Open pipeline", true},
      {"Weighted", true},      {"Commit", true},          {"Best case", true},
      {"Pipeline", true},      {"Remaining quota", true}, {"Coverage", true},
      {"Created deals", true}, {"Created amount", true}};
  std::string out = absl::StrCat(
      "<section class=\"card table-wrap\"><table id=\"pipeline-table\"><caption>Pipeline closing "
      "in "
      "the period by node and rep, amounts in whole ",
      Escape(report.currency_code().empty() ? "units" : report.currency_code()), "</caption>",
      Header(columns), "<tbody>");
  if (report.rows_size() == 0) out += EmptyRow(columns.size(), "No rows");
  for (int i = 0; i < report.rows_size(); ++i) {
    const auto& r = report.rows(i);
    const bool covered = has_plan && r.remaining_quota().minor_units() > 0;
    const std::string_view cov_class = r.coverage() >= 3 ? "met" : r.coverage() >= 2 ? "" : "weak";
    absl::StrAppend(
        &out, "<tr class=\"", RowClass(r.kind(), i), "\">", NameCell(r.name(), r.id(), r.depth()),
        Num(FormatMinorUnits(r.open_count(), 0)), Num(m(r.open_pipeline())),
        Num(m(r.weighted_pipeline())), Num(m(r.commit())), Num(m(r.best_case())),
        Num(m(r.pipeline_category())), has_plan ? Num(m(r.remaining_quota())) : Num("–", "muted"),
        covered ? Num(Times(r.coverage()), cov_class) : Num("–", "muted"),
        Num(FormatMinorUnits(r.created_count(), 0)), Num(m(r.created_pipeline())), "</tr>");
  }
  out += "</tbody></table></section>\n";
  return out;
}

std::string WaterfallTable(const std::vector<WaterfallStep>& steps, int digits,
                           const std::string& currency) {
  std::string out = absl::StrCat(
      "<section class=\"card table-wrap\"><table id=\"waterfall-table\"><caption>Pipeline "
      "waterfall, "
      "amounts in whole ",
      Escape(currency.empty() ? "units" : currency), "</caption>",
      Header({{"Step", false}, {"Change", true}, {"Pipeline after", true}}), "<tbody>");
  double running = 0;
  for (const auto& s : steps) {
    std::string change;
    if (s.total) {
      running = s.amount;
    } else {
      running += s.amount;
      change = absl::StrCat(s.amount >= 0 ? "+" : "−", WholeUnits(std::fabs(s.amount), digits));
    }
    absl::StrAppend(&out, "<tr class=\"", s.total ? "node" : "rep", "\"><td class=\"name\">",
                    Escape(s.name), "</td>", Num(change),
                    Num(WholeUnits(s.total ? s.amount : running, digits)), "</tr>");
  }
  out += "</tbody></table></section>\n";
  return out;
}

}  // namespace

std::string RenderHtmlReport(const ReportPage& page) {
  const std::string title = page.title.empty() ? "Sales report" : page.title;
  const v1::AttainmentReportResponse* att = page.attainment;
  const v1::PipelineReportResponse* pipe = page.pipeline;

  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>",
      Escape(title), "</title>\n<style>", AV(kCss),
      "</style>\n</head>\n<body>\n<main class=\"report\">\n");

  // Heading.
  absl::StrAppend(&out, "<header>\n<h1>", Escape(title), "</h1>\n");
  std::string subtitle;
  if (att != nullptr) {
    subtitle = Subtitle(att->period(), att->period_start(), att->period_end(), att->as_of(),
                        att->elapsed_fraction(), att->currency_code(), true);
  } else if (pipe != nullptr) {
    subtitle = Subtitle(pipe->period(), pipe->period_start(), pipe->period_end(), pipe->as_of(), 0,
                        pipe->currency_code(), false);
  }
  if (!subtitle.empty())
    absl::StrAppend(&out, "<p class=\"subtitle\">", Escape(subtitle), "</p>\n");
  if (!page.facts.empty()) {
    out += "<ul class=\"facts\">";
    for (const auto& fact : page.facts) absl::StrAppend(&out, "<li>", Escape(fact), "</li>");
    out += "</ul>\n";
  }
  out += "</header>\n";

  if (att != nullptr) out += Headline(*att);

  // Charts.
  std::string charts;
  if (page.fan) {
    const FanChart& fan = *page.fan;
    charts += Card("fan-card", true, fan.title.empty() ? "Bookings forecast" : fan.title,
                   "Closed-won bookings accumulated through the period, then the forecast of the "
                   "months left: the median (P50) and the P10–P90 band, against the quota.",
                   FanChartSvg(fan),
                   Legend({{"line", kColHistory, "Booked"},
                           {"dash", kColP50, "P50 forecast"},
                           {"", kColBand, "P10–P90"},
                           {"dash", kColQuota, "Quota"}}));
  }
  if (att != nullptr) {
    charts += Card("attainment-card", false, "Attainment by rep",
                   "Closed won as a share of each rep's quota, best first. The solid line is 100%, "
                   "the dashed one the share of the period elapsed.",
                   AttainmentChartSvg(*att),
                   Legend({{"", kColMet, "quota met"},
                           {"", kColOnPace, "on pace"},
                           {"", kColBehind, "behind pace"},
                           {"line", kColMarker, "100%"}}));
  }
  std::vector<CoverageItem> coverage;
  std::string coverage_empty;
  int coverage_digits = 2;
  if (pipe != nullptr) {
    coverage_digits = CurrencyMinorDigits(pipe->currency_code());
    for (const auto& r : pipe->rows()) {
      if (r.kind() == v1::ROW_KIND_REP) continue;
      coverage.push_back({r.name().empty() ? r.id() : r.name(), r.depth(), r.coverage(),
                          r.remaining_quota().minor_units()});
    }
    if (pipe->plan_id().empty()) coverage_empty = "No quota plan given: coverage needs quotas";
  } else if (att != nullptr) {
    coverage_digits = CurrencyMinorDigits(att->currency_code());
    for (const auto& r : att->rows()) {
      if (r.kind() == v1::ROW_KIND_REP) continue;
      coverage.push_back(
          {r.name().empty() ? r.id() : r.name(), r.depth(), r.coverage(), r.gap().minor_units()});
    }
  }
  if (coverage.empty() && coverage_empty.empty()) coverage_empty = "No territories in this report";
  if (pipe != nullptr || att != nullptr) {
    charts += Card("coverage-card", false, "Coverage by territory",
                   "Open pipeline closing in the period divided by the quota still to close. The "
                   "dashed line is the 3x rule of thumb.",
                   coverage_empty.empty() ? CoverageChartSvg(coverage, coverage_digits)
                                          : EmptyChart("coverage-chart", kHalf,
                                                       "Coverage by territory", coverage_empty),
                   coverage_empty.empty() ? Legend({{"", kColMet, "3x or more"},
                                                    {"", kColBehind, "2x to 3x"},
                                                    {"", kColWeak, "under 2x"}})
                                          : "");
  }
  std::vector<WaterfallStep> steps;
  if (pipe != nullptr) {
    const int digits = CurrencyMinorDigits(pipe->currency_code());
    std::string chart, after;
    if (pipe->rows_size() > 0 && pipe->rows(0).has_waterfall()) {
      steps = WaterfallSteps(pipe->rows(0).waterfall());
      chart = WaterfallChartSvg(steps, digits);
      after = Legend({{"", kColTotal, "pipeline"},
                      {"", kColUp, "added"},
                      {"", kColDown, "removed"},
                      {"", kColWon, "won"},
                      {"", kColLost, "lost"}});
      double sum = 0;
      for (const auto& s : steps) {
        if (!s.total) sum += s.amount;
      }
      sum += steps.front().amount;
      if (std::fabs(sum - steps.back().amount) >= 0.5) {
        absl::StrAppend(
            &after, "<p class=\"note warning\">",
            Escape(absl::StrCat("The steps add up to ", WholeUnits(sum, digits),
                                ", not the ending ", WholeUnits(steps.back().amount, digits), ".")),
            "</p>");
      }
    } else {
      chart =
          EmptyChart("waterfall-chart", kWide, "Pipeline waterfall",
                     "No baseline snapshot: the waterfall needs one from the start of the period");
    }
    const std::string top_name =
        pipe->rows_size() > 0
            ? (pipe->rows(0).name().empty() ? pipe->rows(0).id() : pipe->rows(0).name())
            : "";
    charts += Card(
        "waterfall-card", true, "Pipeline waterfall",
        absl::StrCat("How the pipeline closing in the period moved since the baseline snapshot",
                     top_name.empty() ? "" : absl::StrCat(" (", top_name, ")"),
                     ": deals added, pulled in, pushed out, resized, won and lost."),
        chart, after);
  }
  if (!charts.empty())
    absl::StrAppend(&out, "<section class=\"charts\">\n", charts, "</section>\n");

  // Tables.
  std::string tables;
  if (att != nullptr) tables += AttainmentTable(*att);
  if (pipe != nullptr) tables += PipelineTable(*pipe);
  if (!steps.empty())
    tables +=
        WaterfallTable(steps, CurrencyMinorDigits(pipe->currency_code()), pipe->currency_code());
  if (!tables.empty())
    absl::StrAppend(&out, "<section class=\"tables\">\n", tables, "</section>\n");

  std::string engine;
  if (att != nullptr && !att->engine_version().empty()) engine = att->engine_version();
  if (engine.empty() && pipe != nullptr) engine = pipe->engine_version();
  absl::StrAppend(&out, "<footer>salesops report",
                  engine.empty() ? "" : absl::StrCat(" · engine ", Escape(engine)),
                  "</footer>\n</main>\n</body>\n</html>\n");
  return out;
}

}  // namespace salesops::reporting
