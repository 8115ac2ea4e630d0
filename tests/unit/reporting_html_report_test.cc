#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/html_report.h"
#include "services/reporting/svg_chart.h"

namespace salesops::reporting {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------------------------
// Helpers: report protos and checks of the output.

v1::Money M(int64_t minor, const char* currency = "USD") {
  v1::Money m;
  m.set_currency_code(currency);
  m.set_minor_units(minor);
  return m;
}

v1::Date D(int y, int m, int d) {
  v1::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

v1::AttainmentRow* AddAttainmentRow(v1::AttainmentReportResponse& r, const std::string& id,
                                    const std::string& name, v1::RowKind kind, int depth,
                                    int64_t quota, int64_t won, int64_t open = 0) {
  auto* row = r.add_rows();
  row->set_id(id);
  row->set_name(name);
  row->set_kind(kind);
  row->set_depth(depth);
  *row->mutable_quota() = M(quota);
  *row->mutable_closed_won() = M(won);
  row->set_attainment_pct(quota > 0 ? 100.0 * static_cast<double>(won) / static_cast<double>(quota)
                                    : 0);
  *row->mutable_gap() = M(std::max<int64_t>(0, quota - won));
  *row->mutable_open_pipeline() = M(open);
  *row->mutable_weighted_pipeline() = M(open / 3);
  const int64_t gap = std::max<int64_t>(0, quota - won);
  row->set_coverage(gap > 0 ? static_cast<double>(open) / static_cast<double>(gap) : 0);
  auto* landing = row->mutable_landing();
  *landing->mutable_expected() = M(won + open / 3);
  *landing->mutable_p50() = M(won + open / 3);
  *landing->mutable_p10() = M(won + open / 6);
  *landing->mutable_p90() = M(won + open / 2);
  landing->set_probability_of_quota(0.4);
  auto* categories = row->mutable_categories();
  *categories->mutable_closed() = M(won);
  *categories->mutable_commit() = M(won + open / 4);
  *categories->mutable_best_case() = M(won + open / 2);
  *categories->mutable_pipeline() = M(won + open);
  return row;
}

v1::AttainmentReportResponse Attainment() {
  v1::AttainmentReportResponse r;
  r.set_snapshot_id("73dc83aa");
  r.set_plan_id("plan-2026");
  r.set_plan_version(3);
  r.set_engine_version("0.1.0");
  r.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);
  r.mutable_period()->set_fiscal_year(2026);
  r.mutable_period()->set_index(2);
  *r.mutable_period_start() = D(2026, 4, 1);
  *r.mutable_period_end() = D(2026, 6, 30);
  *r.mutable_as_of() = D(2026, 5, 16);
  r.set_elapsed_fraction(0.5);
  r.set_currency_code("USD");
  AddAttainmentRow(r, "CO", "Company", v1::ROW_KIND_NODE, 0, 300000000, 160000000, 400000000);
  AddAttainmentRow(r, "NA", "North America", v1::ROW_KIND_NODE, 1, 200000000, 90000000, 250000000);
  AddAttainmentRow(r, "u1", "Ann Able", v1::ROW_KIND_REP, 2, 100000000, 30000000, 100000000);
  AddAttainmentRow(r, "u2", "Bob Baker", v1::ROW_KIND_REP, 2, 100000000, 60000000, 150000000);
  AddAttainmentRow(r, "EU", "Europe", v1::ROW_KIND_NODE, 1, 100000000, 70000000, 150000000);
  AddAttainmentRow(r, "u3", "Cleo Cruz", v1::ROW_KIND_REP, 2, 100000000, 123456789, 150000000);
  return r;
}

v1::PipelineRow* AddPipelineRow(v1::PipelineReportResponse& r, const std::string& id,
                                const std::string& name, v1::RowKind kind, int depth, int64_t open,
                                int64_t remaining) {
  auto* row = r.add_rows();
  row->set_id(id);
  row->set_name(name);
  row->set_kind(kind);
  row->set_depth(depth);
  row->set_open_count(open / 1000000);
  *row->mutable_open_pipeline() = M(open);
  *row->mutable_weighted_pipeline() = M(open / 3);
  *row->mutable_remaining_quota() = M(remaining);
  row->set_coverage(remaining > 0 ? static_cast<double>(open) / static_cast<double>(remaining) : 0);
  row->set_created_count(4);
  *row->mutable_created_pipeline() = M(open / 4);
  *row->mutable_commit() = M(open / 5);
  *row->mutable_best_case() = M(open / 5);
  *row->mutable_pipeline_category() = M(open - 2 * (open / 5));
  return row;
}

void SetWaterfall(v1::PipelineRow* row, int64_t start, int64_t added, int64_t pulled,
                  int64_t pushed, int64_t up, int64_t down, int64_t won, int64_t lost) {
  auto* w = row->mutable_waterfall();
  *w->mutable_starting() = M(start);
  *w->mutable_new_pipeline() = M(added);
  *w->mutable_pulled_in() = M(pulled);
  *w->mutable_pushed_out() = M(pushed);
  *w->mutable_increased() = M(up);
  *w->mutable_decreased() = M(down);
  *w->mutable_won() = M(won);
  *w->mutable_lost() = M(lost);
  // In unsigned arithmetic: HugeAndNonFiniteValues passes int64 extremes, whose signed sum would
  // overflow (undefined behaviour); any ending will do for that test, so it wraps.
  const uint64_t ending = static_cast<uint64_t>(start) + added + pulled - pushed + up - down -
                          won - lost;
  *w->mutable_ending() = M(static_cast<int64_t>(ending));
}

v1::PipelineReportResponse Pipeline() {
  v1::PipelineReportResponse r;
  r.set_snapshot_id("73dc83aa");
  r.set_baseline_snapshot_id("11aa22bb");
  r.set_plan_id("plan-2026");
  r.set_plan_version(3);
  r.set_engine_version("0.1.0");
  r.set_currency_code("USD");
  auto* top = AddPipelineRow(r, "CO", "Company", v1::ROW_KIND_NODE, 0, 400000000, 140000000);
  SetWaterfall(top, 380000000, 90000000, 20000000, 40000000, 15000000, 5000000, 50000000, 10000000);
  AddPipelineRow(r, "NA", "North America", v1::ROW_KIND_NODE, 1, 250000000, 110000000);
  AddPipelineRow(r, "u1", "Ann Able", v1::ROW_KIND_REP, 2, 100000000, 70000000);
  AddPipelineRow(r, "EU", "Europe", v1::ROW_KIND_NODE, 1, 150000000, 30000000);
  return r;
}

FanChart Fan() {
  FanChart fan;
  fan.title = "FY2026 bookings, cumulative";
  fan.labels = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  fan.history = {80e6, 170e6, 260e6, 330e6};
  for (int i = 1; i <= 8; ++i) {
    fan.p50.push_back(330e6 + i * 95e6);
    fan.p10.push_back(330e6 + i * 80e6);
    fan.p90.push_back(330e6 + i * 110e6);
  }
  fan.quota = 1200e6;
  fan.currency = "USD";
  return fan;
}

// A page; designated initializers would leave fields out (and -Wextra warns about that).
ReportPage Page(const v1::AttainmentReportResponse* att, const v1::PipelineReportResponse* pipe,
                std::optional<FanChart> fan, std::string title = "",
                std::vector<std::string> facts = {}) {
  ReportPage page;
  page.title = std::move(title);
  page.facts = std::move(facts);
  page.attainment = att;
  page.pipeline = pipe;
  page.fan = std::move(fan);
  return page;
}

// The <svg>…</svg> element with the given id, or "" when there is none.
std::string SvgById(const std::string& html, const std::string& id) {
  const size_t start = html.find("<svg id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  const size_t end = html.find("</svg>", start);
  return html.substr(start, end == std::string::npos ? std::string::npos : end + 6 - start);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// What is wrong with the numbers of the page: every number in every geometric attribute of every
// <svg> must parse and be finite, and no "nan" or "inf" may appear anywhere (labels included).
std::vector<std::string> NonFiniteNumbers(const std::string& html) {
  static const std::regex kAttr(
      R"re(\s(x|y|x1|y1|x2|y2|cx|cy|r|width|height|points|viewBox)="([^"]*)")re");
  static const std::regex kToken(R"re([^\s,]+)re");
  std::vector<std::string> problems;
  for (size_t pos = html.find("<svg"); pos != std::string::npos; pos = html.find("<svg", pos + 1)) {
    const std::string svg = html.substr(pos, html.find("</svg>", pos) - pos);
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kAttr);
         it != std::sregex_iterator(); ++it) {
      const std::string value = (*it)[2];
      for (auto t = std::sregex_iterator(value.begin(), value.end(), kToken);
           t != std::sregex_iterator(); ++t) {
        const std::string token = t->str();
        char* end = nullptr;
        const double v = std::strtod(token.c_str(), &end);
        if (end == token.c_str() || *end != '\0' || !std::isfinite(v)) {
          problems.push_back(absl::StrCat((*it)[1].str(), "=\"", value, "\""));
        }
      }
    }
  }
  static const std::regex kNonFinite(R"re(\b(nan|inf|infinity)\b)re", std::regex::icase);
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kNonFinite);
       it != std::sregex_iterator(); ++it) {
    problems.push_back(absl::StrCat(
        "\"", it->str(), "\" near: ", html.substr(std::max<long>(0, it->position() - 60), 120)));
  }
  return problems;
}

void ExpectFiniteNumbers(const std::string& html) {
  EXPECT_THAT(NonFiniteNumbers(html), ::testing::IsEmpty());
  EXPECT_THAT(html, HasSubstr("<svg"));
}

// The check above can fail: on a NaN coordinate, an "inf" in a list of points, a "NaN%" label.
TEST(HtmlReport, FiniteNumberCheckCatchesNonFiniteNumbers) {
  EXPECT_THAT(NonFiniteNumbers("<svg><rect x=\"nan\" y=\"1\"/></svg>"),
              ::testing::Contains("x=\"nan\""));
  EXPECT_THAT(NonFiniteNumbers("<svg><polyline points=\"1,2 -inf,3\"/></svg>"),
              ::testing::Contains("points=\"1,2 -inf,3\""));
  EXPECT_THAT(NonFiniteNumbers("<svg><text x=\"1\" y=\"2e\">NaN%</text></svg>"),
              ::testing::ElementsAre("y=\"2e\"", HasSubstr("\"NaN\" near")));
  EXPECT_THAT(NonFiniteNumbers("<svg><rect x=\"1.5\" width=\"-2\"/></svg>"), ::testing::IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// SVG primitives.

TEST(SvgChart, EscapesMarkupQuotesAndControlCharacters) {
  EXPECT_EQ(svg::Escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(svg::Escape(std::string("a\x01"
                                    "b\tc\x7f",
                                    6)),
            "a b\tc ");
  EXPECT_EQ(svg::Escape("Zoë 東京"), "Zoë 東京");
  EXPECT_EQ(svg::Escape("bad \xff\xfe byte"), "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
  EXPECT_EQ(svg::Escape("cut \xE6\x9D"), "cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SvgChart, TruncatesByCharactersNotBytes) {
  EXPECT_EQ(svg::Truncate("short", 10), "short");
  EXPECT_EQ(svg::Truncate("exactly10!", 10), "exactly10!");
  EXPECT_EQ(svg::Truncate("a much longer name", 10), "a much lo…");
  EXPECT_EQ(svg::Truncate("東京東京東京東京", 4), "東京東…");
}

TEST(SvgChart, FitsTextToAWidth) {
  EXPECT_EQ(svg::FitText("Maya Chen", 136, 12), "Maya Chen");
  const std::string long_name = svg::FitText("Zoë O'Brien & <Partners> International", 136, 12);
  EXPECT_THAT(long_name, ::testing::EndsWith("…"));
  EXPECT_LE(svg::TextWidthEm(long_name) * 12, 136);
  EXPECT_GT(svg::TextWidthEm(long_name) * 12, 100);
  // Wide characters take more room: fewer of them fit.
  const std::string cjk = svg::FitText("東京都渋谷区営業第一部第二課", 136, 12);
  EXPECT_EQ(cjk, "東京都渋谷区営業第一…");
  EXPECT_GT(svg::TextWidthEm("WWWW"), svg::TextWidthEm("iiii") * 2);
  // No trailing space before the ellipsis, never a cut inside a character.
  EXPECT_EQ(svg::FitText("ab cd", 2.5 * 12, 12), "ab…");
  EXPECT_EQ(svg::FitText("ééééé", 2 * 12, 12), "é…");
  EXPECT_EQ(svg::FitText("anything", 0, 12), "…");
}

TEST(SvgChart, FormatsCoordinatesAndCompactNumbers) {
  EXPECT_EQ(svg::Coord(12.5), "12.5");
  EXPECT_EQ(svg::Coord(3.0), "3");
  EXPECT_EQ(svg::Coord(-0.04), "0");
  EXPECT_EQ(svg::Coord(1234.56), "1234.6");
  EXPECT_EQ(svg::Compact(950), "950");
  EXPECT_EQ(svg::Compact(12345), "12.3k");
  EXPECT_EQ(svg::Compact(4.8e7), "48M");
  EXPECT_EQ(svg::Compact(5.97e6), "5.97M");
  EXPECT_EQ(svg::Compact(6.001e6), "6M");
  EXPECT_EQ(svg::Compact(999.4e3), "999k");
  EXPECT_EQ(svg::Compact(2.5e6), "2.5M");
  EXPECT_EQ(svg::Compact(999999), "1M");
  EXPECT_EQ(svg::Compact(2.5e9), "2.5B");
  EXPECT_EQ(svg::Compact(7e12), "7T");
  EXPECT_EQ(svg::Compact(-300000), "−300k");
  EXPECT_EQ(svg::Compact(0), "0");
  EXPECT_EQ(svg::Compact(9.2e16), "9.2e+16");
  EXPECT_EQ(svg::Compact(kNaN), "–");
  EXPECT_EQ(svg::Compact(kInf), "–");
}

TEST(SvgChart, NiceAxesCoverTheDataWithRoundTicks) {
  svg::Axis a = svg::NiceAxis(0, 97, 5);
  EXPECT_EQ(a.lo, 0);
  EXPECT_EQ(a.hi, 100);
  EXPECT_THAT(a.ticks, ::testing::ElementsAre(0, 20, 40, 60, 80, 100));
  a = svg::NiceAxis(-30, 70, 5);
  EXPECT_LE(a.lo, -30);
  EXPECT_GE(a.hi, 70);
  EXPECT_THAT(a.ticks, ::testing::Contains(0.0));
  for (auto [lo, hi] : std::vector<std::pair<double, double>>{{0, 0},
                                                              {5, 5},
                                                              {-5, -5},
                                                              {kNaN, kNaN},
                                                              {kNaN, 10},
                                                              {-kInf, kInf},
                                                              {0, 9.2e16},
                                                              {-9.2e18, 9.2e18},
                                                              {1e-300, 2e-300},
                                                              {-1.7e308, 1.7e308}}) {
    a = svg::NiceAxis(lo, hi, 5);
    EXPECT_TRUE(std::isfinite(a.lo) && std::isfinite(a.hi)) << lo << ".." << hi;
    EXPECT_LT(a.lo, a.hi) << lo << ".." << hi;
    EXPECT_GE(a.ticks.size(), 2u) << lo << ".." << hi;
    EXPECT_LE(a.ticks.size(), 13u) << lo << ".." << hi;
    for (double t : a.ticks) EXPECT_TRUE(std::isfinite(t)) << lo << ".." << hi;
  }
}

TEST(SvgChart, ScalesSurviveDegenerateDomains) {
  svg::LinearScale s{0, 0, 10, 20};
  EXPECT_EQ(s(5), 10);
  svg::LinearScale y{0, 100, 200, 0};
  EXPECT_EQ(y(50), 100);
  EXPECT_EQ(y(kNaN), 200);
  EXPECT_EQ(y.Clamped(1000), 0);
  EXPECT_EQ(y.Clamped(-1000), 200);
}

TEST(SvgChart, WriterFlipsNegativeRectsAndEscapesText) {
  svg::SvgWriter w("c", "chart", 100, 50, "A & B");
  w.Rect(50, 40, -20, -30, "bar", "tip <1>");
  w.Text(1, 2, "<x>", "label", svg::Anchor::kEnd);
  w.Polyline({{0, 0}}, "skipped");
  w.BeginGroup("g");
  const std::string out = w.Finish();
  EXPECT_THAT(out, HasSubstr("aria-label=\"A &amp; B\""));
  EXPECT_THAT(out, HasSubstr("<rect class=\"bar\" x=\"30\" y=\"10\" width=\"20\" "
                             "height=\"30\"><title>tip &lt;1&gt;</title></rect>"));
  EXPECT_THAT(out, HasSubstr("text-anchor=\"end\">&lt;x&gt;</text>"));
  EXPECT_THAT(out, Not(HasSubstr("skipped")));
  EXPECT_THAT(out, HasSubstr("</g></svg>"));
  EXPECT_THAT(out, Not(HasSubstr("xmlns")));
}

// ---------------------------------------------------------------------------------------------
// The page.

TEST(HtmlReport, HasTheFourChartsAndTheTables) {
  const auto att = Attainment();
  const auto pipe = Pipeline();
  const ReportPage page =
      Page(&att, &pipe, Fan(), "Q2 report", {"snapshot 73dc83aa", "plan plan-2026 v3"});
  const std::string html = RenderHtmlReport(page);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_THAT(html, HasSubstr("</html>"));
  EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));

  const std::string fan = SvgById(html, "fan-chart");
  ASSERT_FALSE(fan.empty());
  EXPECT_THAT(fan, HasSubstr("<polygon class=\"band\""));
  EXPECT_THAT(fan, HasSubstr("<polyline class=\"history\""));
  EXPECT_THAT(fan, HasSubstr("<polyline class=\"p50\""));
  EXPECT_THAT(fan, HasSubstr("<line class=\"quota\""));
  EXPECT_THAT(fan, HasSubstr(">Quota 12M</text>"));
  EXPECT_THAT(fan, HasSubstr(">Jan</text>"));
  EXPECT_THAT(fan, HasSubstr(">P90 "));
  EXPECT_THAT(fan, HasSubstr(">P10 "));

  const std::string reps = SvgById(html, "attainment-chart");
  ASSERT_FALSE(reps.empty());
  EXPECT_EQ(Count(reps, "<rect class=\"bar "), 3u);
  EXPECT_THAT(reps, HasSubstr("<line class=\"target\""));
  EXPECT_THAT(reps, HasSubstr(">100%</text>"));
  EXPECT_THAT(reps, HasSubstr("<line class=\"pace\""));
  // Best first: Cleo 123%, Bob 60%, Ann 30%.
  const size_t cleo = reps.find(">Cleo Cruz<"), bob = reps.find(">Bob Baker<"),
               ann = reps.find(">Ann Able<");
  ASSERT_NE(cleo, std::string::npos);
  EXPECT_LT(cleo, bob);
  EXPECT_LT(bob, ann);
  EXPECT_THAT(reps, HasSubstr("class=\"bar met\""));
  EXPECT_THAT(reps, HasSubstr("class=\"bar on-pace\""));  // Bob: 60% at 50% elapsed
  EXPECT_THAT(reps, HasSubstr("class=\"bar behind\""));   // Ann: 30%

  const std::string waterfall = SvgById(html, "waterfall-chart");
  ASSERT_FALSE(waterfall.empty());
  EXPECT_EQ(Count(waterfall, "<rect class=\"bar "), 9u);
  EXPECT_EQ(Count(waterfall, "<rect class=\"bar total\""), 2u);
  EXPECT_EQ(Count(waterfall, "<rect class=\"bar up\""), 3u);
  EXPECT_EQ(Count(waterfall, "<rect class=\"bar down\""), 2u);
  for (const char* label : {">Starting<", ">New<", ">Pulled in<", ">Pushed out<", ">Increased<",
                            ">Decreased<", ">Won<", ">Lost<", ">Ending<", ">+900k<", ">−400k<"}) {
    EXPECT_THAT(waterfall, HasSubstr(label));
  }
  EXPECT_THAT(html, Not(HasSubstr("steps add up to")));

  const std::string coverage = SvgById(html, "coverage-chart");
  ASSERT_FALSE(coverage.empty());
  EXPECT_EQ(Count(coverage, "<rect class=\"bar "), 3u);  // Company, North America, Europe
  EXPECT_THAT(coverage, HasSubstr("<line class=\"guide\""));
  EXPECT_THAT(coverage, HasSubstr(">3x</text>"));
  EXPECT_THAT(coverage, HasSubstr(">5.0x</text>"));  // Europe: 1.5M / 300k
  EXPECT_THAT(coverage, Not(HasSubstr("Ann Able")));

  EXPECT_THAT(html, HasSubstr("<table id=\"attainment-table\">"));
  EXPECT_THAT(html, HasSubstr("<table id=\"pipeline-table\">"));
  EXPECT_THAT(html, HasSubstr("<table id=\"waterfall-table\">"));
  // Whole units with thousands separators, right-aligned.
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">3,000,000</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">1,234,568</td>"));  // 123456789 cents, rounded
  EXPECT_THAT(html, HasSubstr(">FY2026 Q2 · 2026-04-01 to 2026-06-30 · as of 2026-05-16 (50% of "
                              "the period elapsed) · amounts in USD<"));
  EXPECT_THAT(html, HasSubstr("<li>snapshot 73dc83aa</li>"));
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, IsSelfContained) {
  const auto att = Attainment();
  const auto pipe = Pipeline();
  const std::string html = RenderHtmlReport(Page(&att, &pipe, Fan(), "t", {"f"}));
  for (const char* forbidden : {"http://", "https://", "<link", "<script", "src=", "url(",
                                "@import", "<img", "<iframe", "<object", "<embed", "href="}) {
    EXPECT_THAT(html, Not(HasSubstr(forbidden))) << forbidden;
  }
  EXPECT_THAT(html, HasSubstr("<style>"));
}

TEST(HtmlReport, EscapesEveryTextFromTheInput) {
  const std::string evil = "<script>alert(\"x\")</script> & 'Co' <b>";
  auto att = Attainment();
  for (auto& row : *att.mutable_rows()) {
    row.set_name(evil + row.name());
    row.set_id(evil + row.id());
  }
  att.set_currency_code("<U>");
  auto pipe = Pipeline();
  for (auto& row : *pipe.mutable_rows()) {
    row.set_name(evil + row.name());
    row.set_id(evil + row.id());
  }
  pipe.set_engine_version(evil);
  FanChart fan = Fan();
  fan.title = evil;
  fan.labels[0] = evil;
  fan.currency = evil;
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan, evil, {evil, "a\"b"}));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(html, Not(HasSubstr("'Co'")));
  EXPECT_THAT(html, Not(HasSubstr("\"x\"")));
  EXPECT_THAT(html, Not(HasSubstr("<U>")));
  EXPECT_THAT(
      html,
      HasSubstr("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39; &lt;b&gt;"));
  EXPECT_THAT(html, HasSubstr("<title>&lt;script&gt;"));
  EXPECT_THAT(html, HasSubstr("<li>a&quot;b</li>"));
  // Every '<' of the page opens a tag this renderer writes.
  static const std::regex kTag(R"re(<(/?)([a-zA-Z!][a-zA-Z0-9]*))re");
  const std::set<std::string> allowed = {
      "!DOCTYPE",   "html",    "head",  "meta",  "title", "style",   "body", "main",     "header",
      "h1",         "h2",      "p",     "ul",    "li",    "section", "div",  "span",     "figure",
      "figcaption", "svg",     "g",     "line",  "rect",  "circle",  "text", "polyline", "polygon",
      "table",      "caption", "thead", "tbody", "tr",    "th",      "td",   "footer"};
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kTag); it != std::sregex_iterator();
       ++it) {
    EXPECT_TRUE(allowed.count((*it)[2])) << it->str();
  }
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, NothingGivenIsAValidEmptyPage) {
  const std::string html = RenderHtmlReport({});
  EXPECT_THAT(html, HasSubstr("<title>Sales report</title>"));
  EXPECT_THAT(html, Not(HasSubstr("<svg")));
  EXPECT_THAT(html, Not(HasSubstr("<table")));
  EXPECT_THAT(html, HasSubstr("</html>"));
}

TEST(HtmlReport, EmptyReportsSayWhatIsMissing) {
  v1::AttainmentReportResponse att;
  v1::PipelineReportResponse pipe;
  FanChart fan;
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan, "empty"));
  EXPECT_THAT(SvgById(html, "fan-chart"), HasSubstr("No bookings history or forecast to show"));
  EXPECT_THAT(SvgById(html, "attainment-chart"), HasSubstr("No reps in this report"));
  EXPECT_THAT(SvgById(html, "waterfall-chart"), HasSubstr("No baseline snapshot"));
  EXPECT_THAT(SvgById(html, "coverage-chart"), HasSubstr("No quota plan given"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"empty-row\"><td colspan=\"11\">No rows</td></tr>"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"empty-row\"><td colspan=\"11\">No rows</td></tr>"));
  EXPECT_THAT(html, Not(HasSubstr("id=\"headline\"")));
  ExpectFiniteNumbers(html);

  pipe.set_plan_id("p");
  const std::string with_plan = RenderHtmlReport(Page(nullptr, &pipe, std::nullopt));
  EXPECT_THAT(SvgById(with_plan, "coverage-chart"), HasSubstr("No territories in this report"));
  EXPECT_THAT(with_plan, Not(HasSubstr("attainment-chart")));
  EXPECT_THAT(with_plan, Not(HasSubstr("fan-chart")));
}

TEST(HtmlReport, ZeroQuotaEverywhere) {
  auto att = Attainment();
  for (auto& row : *att.mutable_rows()) {
    *row.mutable_quota() = M(0);
    *row.mutable_gap() = M(0);
    row.set_attainment_pct(0);
    row.set_coverage(0);
    row.mutable_landing()->set_p50_attainment_pct(0);
  }
  auto pipe = Pipeline();
  for (auto& row : *pipe.mutable_rows()) {
    *row.mutable_remaining_quota() = M(0);
    row.set_coverage(0);
  }
  FanChart fan = Fan();
  fan.quota = 0;
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan));
  EXPECT_THAT(SvgById(html, "fan-chart"), Not(HasSubstr("class=\"quota\"")));
  EXPECT_EQ(Count(SvgById(html, "attainment-chart"), ">no quota</text>"), 3u);
  EXPECT_EQ(Count(SvgById(html, "coverage-chart"), ">quota met</text>"), 3u);
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, OneRep) {
  v1::AttainmentReportResponse att;
  att.set_currency_code("USD");
  att.set_elapsed_fraction(1);
  AddAttainmentRow(att, "u1", "Solo", v1::ROW_KIND_REP, 0, 500000, 250000, 0);
  v1::PipelineReportResponse pipe;
  pipe.set_currency_code("USD");
  pipe.set_plan_id("p");
  AddPipelineRow(pipe, "u1", "Solo", v1::ROW_KIND_REP, 0, 0, 250000);
  FanChart fan;
  fan.labels = {"Jan"};
  fan.history = {250000};
  fan.quota = 500000;
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan));
  EXPECT_EQ(Count(SvgById(html, "attainment-chart"), "<rect class=\"bar "), 1u);
  EXPECT_THAT(SvgById(html, "attainment-chart"), Not(HasSubstr("class=\"pace\"")));  // period over
  EXPECT_THAT(SvgById(html, "coverage-chart"), HasSubstr("No territories"));
  EXPECT_THAT(SvgById(html, "fan-chart"), HasSubstr("class=\"history-point\""));
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, NegativeChangesAndAmounts) {
  auto att = Attainment();
  AddAttainmentRow(att, "u9", "Credit Note", v1::ROW_KIND_REP, 2, 100000000, -5000000, -1);
  att.mutable_rows(2)->set_coverage(-2);
  auto pipe = Pipeline();
  // Pipeline emptied out: more pushed out and lost than there was, ending negative; and negative
  // "changes" given where amounts were expected.
  SetWaterfall(pipe.mutable_rows(0), 1000000, -300000, 0, 5000000, -20000, 40000, 100000, 2000000);
  pipe.mutable_rows(1)->set_coverage(-1);
  FanChart fan = Fan();
  fan.history = {-5e6, -10e6, 20e6};
  fan.p10 = {-50e6, -80e6};
  fan.p50 = {30e6, 40e6};
  fan.p90 = {60e6, 90e6};
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan));
  EXPECT_THAT(SvgById(html, "fan-chart"), HasSubstr("class=\"zero\""));
  EXPECT_THAT(SvgById(html, "waterfall-chart"), HasSubstr(">−64.6k<"));  // ending
  EXPECT_THAT(SvgById(html, "attainment-chart"), HasSubstr(">-5%</text>"));
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, HugeAndNonFiniteValues) {
  auto att = Attainment();
  for (auto& row : *att.mutable_rows()) {
    *row.mutable_quota() = M(kMax);
    *row.mutable_closed_won() = M(kMin);
    *row.mutable_gap() = M(kMax);
    *row.mutable_open_pipeline() = M(kMax);
    row.set_attainment_pct(1e300);
    row.set_coverage(kInf);
    row.mutable_landing()->set_probability_of_quota(kNaN);
    *row.mutable_landing()->mutable_p90() = M(kMax);
    *row.mutable_landing()->mutable_p10() = M(kMin);
  }
  att.mutable_rows(3)->set_attainment_pct(kNaN);
  att.mutable_rows(5)->set_attainment_pct(-kInf);
  att.set_elapsed_fraction(kNaN);
  auto pipe = Pipeline();
  SetWaterfall(pipe.mutable_rows(0), kMax, kMax, kMax, kMin, kMax, kMin, kMin, kMax);
  pipe.mutable_rows(1)->set_coverage(kNaN);
  pipe.mutable_rows(3)->set_coverage(1e300);
  *pipe.mutable_rows(3)->mutable_remaining_quota() = M(kMax);
  FanChart fan = Fan();
  fan.history = {kNaN, 9e18, kInf, 9.2e18};
  fan.p10 = {kNaN, -9e18, 1e20};
  fan.p50 = {kInf, 1e30};
  fan.p90 = {1e30, kNaN, 1e300};
  fan.quota = kNaN;
  const std::string html = RenderHtmlReport(Page(&att, &pipe, fan));
  EXPECT_THAT(SvgById(html, "fan-chart"), HasSubstr("class=\"band\""));
  EXPECT_THAT(html, HasSubstr("92,233,720,368,547,758"));  // INT64_MAX cents in whole dollars
  ExpectFiniteNumbers(html);

  fan.quota = 1e308;
  fan.history = {1e308, -1e308};
  const std::string extreme = RenderHtmlReport(Page(nullptr, nullptr, fan));
  ExpectFiniteNumbers(extreme);
}

TEST(HtmlReport, FanChartShapes) {
  const auto render = [](const FanChart& fan) {
    return SvgById(RenderHtmlReport(Page(nullptr, nullptr, fan)), "fan-chart");
  };
  FanChart history_only;
  history_only.labels = {"Jan", "Feb"};
  history_only.history = {1, 2};
  EXPECT_THAT(render(history_only), HasSubstr("class=\"history\""));
  EXPECT_THAT(render(history_only), Not(HasSubstr("class=\"band\"")));
  ExpectFiniteNumbers(render(history_only));

  FanChart one_step;
  one_step.p10 = {10};
  one_step.p50 = {20};
  one_step.p90 = {30};
  EXPECT_THAT(render(one_step), HasSubstr("class=\"band-whisker\""));
  ExpectFiniteNumbers(render(one_step));

  FanChart mismatched = Fan();
  mismatched.labels.resize(2);
  mismatched.p10.resize(3);
  mismatched.p90.push_back(2e9);
  ExpectFiniteNumbers(render(mismatched));

  FanChart all_zero;
  all_zero.labels = {"a", "b", "c"};
  all_zero.history = {0, 0};
  all_zero.p10 = all_zero.p50 = all_zero.p90 = {0};
  ExpectFiniteNumbers(render(all_zero));

  FanChart labels_only;
  labels_only.labels = {"a", "b"};
  EXPECT_THAT(render(labels_only), HasSubstr("No bookings history or forecast"));

  FanChart all_nan;
  all_nan.history = {kNaN};
  all_nan.p50 = {kNaN};
  EXPECT_THAT(render(all_nan), HasSubstr("No bookings history or forecast"));

  FanChart many;
  for (int i = 0; i < 120; ++i) {
    many.labels.push_back("M" + std::to_string(i));
    many.history.push_back(i * 1e6);
  }
  const std::string svg = render(many);
  EXPECT_THAT(svg, Not(HasSubstr("history-point")));
  EXPECT_LT(Count(svg, "class=\"tick\" x="), 60u);  // labels thinned out
  ExpectFiniteNumbers(svg);
}

TEST(HtmlReport, ManyRepsGetCompactRows) {
  v1::AttainmentReportResponse att;
  att.set_currency_code("JPY");
  att.set_elapsed_fraction(0.3);
  AddAttainmentRow(att, "CO", "Company", v1::ROW_KIND_NODE, 0, 200 * 1000000, 200 * 300000, 0);
  for (int i = 0; i < 200; ++i) {
    AddAttainmentRow(att, "r" + std::to_string(i), "Rep " + std::to_string(i), v1::ROW_KIND_REP, 1,
                     1000000, (i * 7919) % 2000000, 0);
  }
  const std::string html = RenderHtmlReport(Page(&att, nullptr, std::nullopt));
  const std::string reps = SvgById(html, "attainment-chart");
  EXPECT_EQ(Count(reps, "<rect class=\"bar "), 200u);
  EXPECT_THAT(reps, HasSubstr("height=\"3248\""));                     // 22 + 200 * 16 + 26
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">200,000,000</td>"));  // yen: no minor digits
  ExpectFiniteNumbers(html);
}

TEST(HtmlReport, WarnsWhenTheWaterfallDoesNotAddUp) {
  auto pipe = Pipeline();
  *pipe.mutable_rows(0)->mutable_waterfall()->mutable_ending() = M(1);
  const std::string html = RenderHtmlReport(Page(nullptr, &pipe, std::nullopt));
  EXPECT_THAT(html, HasSubstr("The steps add up to 4,000,000, not the ending 0."));
}

TEST(HtmlReport, IsDeterministic) {
  const auto att = Attainment();
  const auto pipe = Pipeline();
  const ReportPage page = Page(&att, &pipe, Fan(), "t");
  EXPECT_EQ(RenderHtmlReport(page), RenderHtmlReport(page));
}

}  // namespace
}  // namespace salesops::reporting
