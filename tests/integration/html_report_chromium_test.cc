// Opens the HTML report in headless Chromium (Debian's chromium package, installed by
// scripts/setup): the page must render without console messages, hold the four charts, lay out
// within a 1280-pixel window, and leave a screenshot as a test artifact:
//   <build>/test-artifacts/report.html      the page
//   <build>/test-artifacts/report.png       1280x2400 screenshot
//   <build>/test-artifacts/report.dom.html  the DOM after load (--dump-dom)
//   <build>/test-artifacts/chromium-*.log   Chromium's stderr of each run
//
// The console check. With --enable-logging=stderr --v=0, Chromium 156 prints every console message
// of the page to stderr as
//   [pid:tid:MMDD/hhmmss.micros:INFO:CONSOLE:2] "Uncaught ReferenceError: undefinedFunction is not
//   defined", source: file:///…/report-broken.html (2)
// (older versions: "INFO:CONSOLE(2)]"): script errors ("Uncaught …"), console.error/warn/log, and
// the SVG parser's attribute errors ("Error: <rect> attribute x: Expected length, \"NaN\"."). The
// page has no scripts, so any such line is a failure. Chromium's own noise on this machine (D-Bus,
// VA-API, sandbox warnings) does not have ":CONSOLE". ConsoleCheckCatchesABrokenPage runs the same
// check on a copy of the page with a script error and a NaN coordinate added, so the check is
// known to fail when it should (a missing image, by contrast, prints nothing: that is why the page
// is also checked for external URLs).
//
// Chromium runs on file:// only, with every host name resolving to nothing, under `timeout`.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/html_report.h"

namespace salesops::reporting {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kTimeoutSeconds = 90;
const char* const kChartIds[] = {"fan-chart", "attainment-chart", "waterfall-chart",
                                 "coverage-chart"};

// ---------------------------------------------------------------------------------------------
// A realistic report: Northwind Analytics, three regions, eight reps, FY2026 Q2 as of 2026-05-16.

v1::Money Usd(double dollars) {
  v1::Money m;
  m.set_currency_code("USD");
  m.set_minor_units(static_cast<int64_t>(std::llround(dollars * 100)));
  return m;
}

struct RepData {
  const char* id;
  const char* name;
  const char* region;
  double quota, won, open;
};

const RepData kReps[] = {
    {"u-chen", "Maya Chen", "AMER", 900e3, 610e3, 1150e3},
    {"u-ortega", "Luis Ortega", "AMER", 850e3, 320e3, 980e3},
    {"u-natarajan", "Priya Natarajan", "AMER", 800e3, 905e3, 640e3},
    {"u-obrien", "Zoë O'Brien & <Partners>", "EMEA", 750e3, 410e3, 1020e3},
    {"u-larsen", "Henrik Larsen", "EMEA", 700e3, 180e3, 760e3},
    {"u-okafor", "Amara Okafor", "EMEA", 720e3, 540e3, 450e3},
    {"u-watanabe", "Kenji Watanabe", "APAC", 650e3, 500e3, 520e3},
    {"u-tan", "Sophie Tan", "APAC", 600e3, 150e3, 700e3},
};

const std::pair<const char*, const char*> kRegions[] = {
    {"AMER", "Americas"}, {"EMEA", "Europe, Middle East & Africa"}, {"APAC", "Asia Pacific"}};

struct Totals {
  double quota = 0, won = 0, open = 0;
};

Totals Sum(const char* region) {
  Totals t;
  for (const auto& r : kReps) {
    if (region != nullptr && std::string(r.region) != region) continue;
    t.quota += r.quota;
    t.won += r.won;
    t.open += r.open;
  }
  return t;
}

void FillAttainmentRow(v1::AttainmentRow* row, const std::string& id, const std::string& name,
                       v1::RowKind kind, const std::string& parent, int depth, const Totals& t) {
  row->set_id(id);
  row->set_name(name);
  row->set_kind(kind);
  row->set_parent_id(parent);
  row->set_depth(depth);
  const double gap = std::max(0.0, t.quota - t.won);
  *row->mutable_quota() = Usd(t.quota);
  *row->mutable_closed_won() = Usd(t.won);
  row->set_attainment_pct(100 * t.won / t.quota);
  *row->mutable_gap() = Usd(gap);
  *row->mutable_open_pipeline() = Usd(t.open);
  *row->mutable_weighted_pipeline() = Usd(t.open * 0.38);
  row->set_coverage(gap > 0 ? t.open / gap : 0);
  auto* landing = row->mutable_landing();
  *landing->mutable_expected() = Usd(t.won + t.open * 0.42);
  *landing->mutable_p50() = Usd(t.won + t.open * 0.42);
  *landing->mutable_p10() = Usd(t.won + t.open * 0.27);
  *landing->mutable_p90() = Usd(t.won + t.open * 0.58);
  landing->set_probability_of_quota(0.35);
  landing->set_p50_attainment_pct(100 * (t.won + t.open * 0.42) / t.quota);
  auto* categories = row->mutable_categories();
  *categories->mutable_closed() = Usd(t.won);
  *categories->mutable_commit() = Usd(t.won + t.open * 0.3);
  *categories->mutable_best_case() = Usd(t.won + t.open * 0.6);
  *categories->mutable_pipeline() = Usd(t.won + t.open);
}

void FillPipelineRow(v1::PipelineRow* row, const std::string& id, const std::string& name,
                     v1::RowKind kind, const std::string& parent, int depth, const Totals& t) {
  row->set_id(id);
  row->set_name(name);
  row->set_kind(kind);
  row->set_parent_id(parent);
  row->set_depth(depth);
  const double remaining = std::max(0.0, t.quota - t.won);
  row->set_open_count(static_cast<int64_t>(t.open / 42e3));
  *row->mutable_open_pipeline() = Usd(t.open);
  *row->mutable_weighted_pipeline() = Usd(t.open * 0.38);
  *row->mutable_remaining_quota() = Usd(remaining);
  row->set_coverage(remaining > 0 ? t.open / remaining : 0);
  row->set_created_count(static_cast<int64_t>(t.open / 95e3));
  *row->mutable_created_pipeline() = Usd(t.open * 0.41);
  *row->mutable_commit() = Usd(t.open * 0.31);
  *row->mutable_best_case() = Usd(t.open * 0.24);
  *row->mutable_pipeline_category() = Usd(t.open * 0.45);
}

struct Reports {
  v1::AttainmentReportResponse attainment;
  v1::PipelineReportResponse pipeline;
  FanChart fan;
};

Reports MakeReports() {
  Reports out;
  auto& a = out.attainment;
  a.set_snapshot_id("73dc83e1f0a44c1bb7a2d0c9e8f5a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7");
  a.set_plan_id("northwind-fy2026");
  a.set_plan_version(3);
  a.set_engine_version("0.1.0");
  a.mutable_period()->set_type(v1::PERIOD_TYPE_QUARTER);
  a.mutable_period()->set_fiscal_year(2026);
  a.mutable_period()->set_index(2);
  a.mutable_period_start()->set_year(2026);
  a.mutable_period_start()->set_month(4);
  a.mutable_period_start()->set_day(1);
  a.mutable_period_end()->set_year(2026);
  a.mutable_period_end()->set_month(6);
  a.mutable_period_end()->set_day(30);
  a.mutable_as_of()->set_year(2026);
  a.mutable_as_of()->set_month(5);
  a.mutable_as_of()->set_day(16);
  a.set_elapsed_fraction(46.0 / 91.0);
  a.set_currency_code("USD");

  auto& p = out.pipeline;
  p.set_snapshot_id(a.snapshot_id());
  p.set_baseline_snapshot_id("5b0e2c7d9a8f4e3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b");
  p.set_plan_id(a.plan_id());
  p.set_plan_version(3);
  p.set_engine_version("0.1.0");
  *p.mutable_period() = a.period();
  *p.mutable_period_start() = a.period_start();
  *p.mutable_period_end() = a.period_end();
  *p.mutable_as_of() = a.as_of();
  p.set_currency_code("USD");

  FillAttainmentRow(a.add_rows(), "CO", "Northwind Analytics", v1::ROW_KIND_NODE, "", 0,
                    Sum(nullptr));
  FillPipelineRow(p.add_rows(), "CO", "Northwind Analytics", v1::ROW_KIND_NODE, "", 0,
                  Sum(nullptr));
  for (const auto& [region, region_name] : kRegions) {
    FillAttainmentRow(a.add_rows(), region, region_name, v1::ROW_KIND_NODE, "CO", 1, Sum(region));
    FillPipelineRow(p.add_rows(), region, region_name, v1::ROW_KIND_NODE, "CO", 1, Sum(region));
    for (const auto& r : kReps) {
      if (std::string(r.region) != region) continue;
      const Totals t{r.quota, r.won, r.open};
      FillAttainmentRow(a.add_rows(), r.id, r.name, v1::ROW_KIND_REP, region, 2, t);
      FillPipelineRow(p.add_rows(), r.id, r.name, v1::ROW_KIND_REP, region, 2, t);
    }
  }
  // The company's waterfall since the baseline snapshot of 2026-04-01.
  auto* w = p.mutable_rows(0)->mutable_waterfall();
  const double start = 5.2e6, added = 1.45e6, pulled = 0.38e6, pushed = 0.92e6, up = 0.21e6,
               down = 0.16e6, won = 1.9e6, lost = 0.74e6;
  *w->mutable_starting() = Usd(start);
  *w->mutable_new_pipeline() = Usd(added);
  *w->mutable_pulled_in() = Usd(pulled);
  *w->mutable_pushed_out() = Usd(pushed);
  *w->mutable_increased() = Usd(up);
  *w->mutable_decreased() = Usd(down);
  *w->mutable_won() = Usd(won);
  *w->mutable_lost() = Usd(lost);
  *w->mutable_ending() = Usd(start + added + pulled - pushed + up - down - won - lost);

  // FY2026 bookings, cumulative: January to April booked, May to December forecast.
  FanChart& fan = out.fan;
  fan.title = "FY2026 bookings, cumulative";
  fan.labels = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  fan.history = {1.6e8, 3.5e8, 6.1e8, 7.9e8};
  const double p50[] = {9.6e8, 12.3e8, 13.9e8, 15.8e8, 18.6e8, 20.3e8, 22.2e8, 25.4e8};
  for (int k = 0; k < 8; ++k) {
    const double spread = 0.55e8 * std::sqrt(k + 1.0) + 0.1e8 * k;
    fan.p50.push_back(p50[k]);
    fan.p10.push_back(p50[k] - spread);
    fan.p90.push_back(p50[k] + spread * 1.1);
  }
  fan.quota = Sum(nullptr).quota * 4 * 100;
  fan.currency = "USD";
  return out;
}

std::string PageHtml(const Reports& r) {
  ReportPage page;
  page.title = "Northwind Analytics — FY2026 Q2 sales report";
  page.facts = {"snapshot " + r.attainment.snapshot_id().substr(0, 12) + "…",
                "baseline " + r.pipeline.baseline_snapshot_id().substr(0, 12) + "…",
                "plan northwind-fy2026 v3", "engine 0.1.0", "source salesforce export 2026-05-16"};
  page.attainment = &r.attainment;
  page.pipeline = &r.pipeline;
  page.fan = r.fan;
  return RenderHtmlReport(page);
}

// ---------------------------------------------------------------------------------------------
// Running Chromium.

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The chromium binary: $SALESOPS_CHROMIUM, else chromium or chromium-browser on the PATH.
std::optional<std::string> FindChromium() {
  if (const char* env = std::getenv("SALESOPS_CHROMIUM"); env != nullptr && *env != '\0')
    return env;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path candidate = fs::path(dir) / name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return std::nullopt;
}

fs::path Artifacts() {
  const fs::path dir = fs::path(SALESOPS_BINARY_DIR) / "test-artifacts";
  fs::create_directories(dir);
  return dir;
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  double seconds = 0;
};

// Runs chromium headless on a file with `args`, in a fresh profile, bounded by `timeout`.
// stdout goes to `out_file`, stderr to `log_file` (both kept as artifacts).
RunResult RunChromium(const std::string& chromium, const std::vector<std::string>& args,
                      const fs::path& page, const fs::path& out_file, const fs::path& log_file) {
  std::string profile_template = (fs::temp_directory_path() / "salesops-chromium-XXXXXX").string();
  const char* profile = mkdtemp(profile_template.data());
  EXPECT_NE(profile, nullptr);
  std::string cmd =
      Join({"timeout", "-k", "10", std::to_string(kTimeoutSeconds), ShellQuote(chromium),
            "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-component-update", "--disable-background-networking", "--disable-sync",
            "--mute-audio", "--host-resolver-rules=" + ShellQuote("MAP * ~NOTFOUND"),
            "--user-data-dir=" + ShellQuote(profile_template)});
  for (const auto& a : args) cmd += " " + a;
  cmd += " " + ShellQuote("file://" + fs::absolute(page).string());
  cmd +=
      " >" + ShellQuote(out_file.string()) + " 2>" + ShellQuote(log_file.string()) + " </dev/null";
  const auto t0 = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_file);
  r.err = ReadFile(log_file);
  std::error_code ec;
  fs::remove_all(profile_template, ec);
  return r;
}

// Lines of Chromium's stderr that report a console message of the page (see the top comment).
std::vector<std::string> ConsoleMessages(const std::string& stderr_text) {
  std::vector<std::string> out;
  std::stringstream lines(stderr_text);
  std::string line;
  static const std::regex kConsole(R"re(:CONSOLE[:(]\d*|Uncaught )re");
  while (std::getline(lines, line)) {
    if (std::regex_search(line, kConsole)) out.push_back(line);
  }
  return out;
}

class HtmlReportChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = FindChromium();
    ASSERT_TRUE(found.has_value())
        << "chromium is not installed: run scripts/setup (it installs Debian's chromium package; "
           "scripts/test and scripts/build run it), or set SALESOPS_CHROMIUM to a Chromium binary";
    chromium_ = *found;
    artifacts_ = Artifacts();
  }

  // --dump-dom with console logging: the DOM after load, and the console messages.
  RunResult DumpDom(const fs::path& page, const std::string& name) {
    RunResult r = RunChromium(chromium_,
                              {"--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                               "--window-size=1280,2400", "--dump-dom"},
                              page, artifacts_ / (name + ".dom.html"),
                              artifacts_ / ("chromium-" + name + "-dom.log"));
    EXPECT_NE(r.exit_code, 124) << "chromium timed out after " << kTimeoutSeconds << " s";
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::cout << "chromium --dump-dom " << page.filename() << ": " << r.seconds << " s\n";
    return r;
  }

  std::string chromium_;
  fs::path artifacts_;
};

uint32_t BigEndian32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

std::string SvgById(const std::string& dom, const std::string& id) {
  const size_t start = dom.find("<svg id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  return dom.substr(start, dom.find("</svg>", start) + 6 - start);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST_F(HtmlReportChromium, RendersWithoutConsoleErrorsAndKeepsAScreenshot) {
  const auto t0 = std::chrono::steady_clock::now();
  const Reports reports = MakeReports();
  const fs::path page = artifacts_ / "report.html";
  WriteFile(page, PageHtml(reports));

  // 1. The screenshot, kept as an artifact.
  const fs::path png = artifacts_ / "report.png";
  fs::remove(png);
  const RunResult shot = RunChromium(
      chromium_, {"--window-size=1280,2400", "--screenshot=" + ShellQuote(png.string())}, page,
      artifacts_ / "chromium-screenshot.out", artifacts_ / "chromium-screenshot.log");
  std::cout << "chromium --screenshot: " << shot.seconds << " s\n";
  ASSERT_NE(shot.exit_code, 124) << "chromium timed out after " << kTimeoutSeconds << " s";
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  const std::string image = ReadFile(png);
  ASSERT_GE(image.size(), 24u) << "no screenshot at " << png;
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(BigEndian32(image, 16), 1280u);
  EXPECT_EQ(BigEndian32(image, 20), 2400u);
  // A blank 1280x2400 page compresses to a few kilobytes; charts, text and tables do not.
  EXPECT_GT(image.size(), 60000u) << "the screenshot looks blank";

  // 2. The DOM after load, with the console: no messages at all, the four charts with their marks.
  const RunResult dom = DumpDom(page, "report");
  EXPECT_THAT(ConsoleMessages(dom.err), ::testing::IsEmpty())
      << "console messages (full log: " << (artifacts_ / "chromium-report-dom.log") << ")";
  const std::string& html = dom.out;
  ASSERT_THAT(html, HasSubstr("</html>"));
  for (const char* id : kChartIds)
    EXPECT_THAT(html, HasSubstr(std::string("<svg id=\"") + id + "\"")) << id;
  const std::string fan = SvgById(html, "fan-chart");
  for (const char* mark :
       {"<polygon class=\"band\"", "<polyline class=\"history\"", "<polyline class=\"p50\"",
        "<line class=\"quota\"", ">Jan</text>", ">Dec</text>"}) {
    EXPECT_THAT(fan, HasSubstr(mark));
  }
  EXPECT_EQ(Count(SvgById(html, "attainment-chart"), "<rect class=\"bar "), 8u);
  EXPECT_THAT(SvgById(html, "attainment-chart"), HasSubstr("<line class=\"target\""));
  EXPECT_EQ(Count(SvgById(html, "waterfall-chart"), "<rect class=\"bar "), 9u);
  EXPECT_EQ(Count(SvgById(html, "coverage-chart"), "<rect class=\"bar "), 4u);
  EXPECT_THAT(SvgById(html, "coverage-chart"), HasSubstr("<line class=\"guide\""));
  EXPECT_THAT(html, HasSubstr("<table id=\"attainment-table\">"));
  EXPECT_THAT(html, HasSubstr("<table id=\"pipeline-table\">"));
  // The name with markup in it is text, not elements, once parsed by a browser.
  EXPECT_THAT(html, HasSubstr("Zoë O'Brien &amp; &lt;Partners&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<partners")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));

  // 3. Layout, measured by a copy of the page with a probe script: the charts have their size,
  // nothing is wider than the window, no table needs scrolling sideways, and every chart label
  // lies inside its chart.
  std::string probe_page = ReadFile(page);
  const std::string probe = R"js(<script>
addEventListener('load', () => {
  const out = [];
  for (const id of ['fan-chart', 'attainment-chart', 'waterfall-chart', 'coverage-chart']) {
    const svg = document.getElementById(id);
    if (!svg) { out.push(id + ' missing'); continue; }
    const box = svg.getBoundingClientRect();
    out.push('size ' + id + ' ' + Math.round(box.width) + ' ' + Math.round(box.height));
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < -1 || b.y < -1 || b.x + b.width > vb.width + 1 || b.y + b.height > vb.height + 1) {
        out.push('outside ' + id + ' ' + JSON.stringify(t.textContent) + ' ' +
                 [b.x, b.y, b.width, b.height].map(Math.round).join(','));
      }
    }
  }
  for (const w of document.querySelectorAll('.table-wrap')) {
    if (w.scrollWidth > w.clientWidth + 1) {
      out.push('outside table ' + w.querySelector('table').id + ' ' + w.scrollWidth + '>' +
               w.clientWidth);
    }
  }
  out.push('scroll-width ' + document.documentElement.scrollWidth);
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = out.join('\n');
  document.body.appendChild(pre);
});
</script>)js";
  probe_page.insert(probe_page.find("</body>"), probe);
  const fs::path probe_file = artifacts_ / "report-probe.html";
  WriteFile(probe_file, probe_page);
  const RunResult measured = DumpDom(probe_file, "report-probe");
  EXPECT_THAT(ConsoleMessages(measured.err), ::testing::IsEmpty());
  const size_t at = measured.out.find("<pre id=\"probe\">");
  ASSERT_NE(at, std::string::npos) << "the probe script did not run";
  const std::string report = measured.out.substr(at, measured.out.find("</pre>", at) - at);
  std::cout << report << "\n";
  EXPECT_THAT(report, Not(HasSubstr("missing")));
  EXPECT_THAT(report, Not(HasSubstr("outside"))) << report;
  static const std::regex kSize(R"re(size (\S+) (\d+) (\d+))re");
  int sized = 0;
  for (auto it = std::sregex_iterator(report.begin(), report.end(), kSize);
       it != std::sregex_iterator(); ++it) {
    EXPECT_GT(std::stoi((*it)[2]), 400) << it->str();
    EXPECT_GT(std::stoi((*it)[3]), 100) << it->str();
    ++sized;
  }
  EXPECT_EQ(sized, 4);
  static const std::regex kScroll(R"re(scroll-width (\d+))re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(report, m, kScroll));
  EXPECT_LE(std::stoi(m[1]), 1280) << "the page is wider than the window";

  std::cout << "artifacts: " << artifacts_ << "\nwhole test: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n";
}

// The console check above can fail: a copy of the page with a script error and a NaN coordinate
// makes Chromium print console lines, and ConsoleMessages finds both.
TEST_F(HtmlReportChromium, ConsoleCheckCatchesABrokenPage) {
  std::string broken = PageHtml(MakeReports());
  broken.insert(broken.find("</body>"),
                "<svg id=\"broken\" width=\"10\" height=\"10\"><rect x=\"NaN\" y=\"0\" width=\"1\" "
                "height=\"1\"/></svg><script>undefinedFunction();</script>");
  const fs::path page = artifacts_ / "report-broken.html";
  WriteFile(page, broken);
  const RunResult dom = DumpDom(page, "report-broken");
  const std::vector<std::string> messages = ConsoleMessages(dom.err);
  EXPECT_THAT(messages, ::testing::Contains(
                            HasSubstr("Uncaught ReferenceError: undefinedFunction is not defined")))
      << dom.err;
  EXPECT_THAT(messages,
              ::testing::Contains(HasSubstr("<rect> attribute x: Expected length, \"NaN\"")))
      << dom.err;
}

}  // namespace
}  // namespace salesops::reporting
