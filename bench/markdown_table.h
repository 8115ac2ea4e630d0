// A markdown table with padded columns, for the benchmarks' printed output.
//
//   MarkdownTable t({"method", "yearly", "all"});
//   t.AddRow({"AUTO", "16.90", "12.80"});
//   std::cout << t.Render();
#ifndef SALESOPS_BENCH_MARKDOWN_TABLE_H_
#define SALESOPS_BENCH_MARKDOWN_TABLE_H_

#include <string>
#include <vector>

namespace salesops::bench {

class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<std::string> header) : header_(std::move(header)) {}
  // Short rows are padded with empty cells.
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // The first column left-aligned, the others right-aligned.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// "12.34" with `decimals` places, or "—" for a negative / non-finite value when `dash_negative`.
std::string Fixed(double value, int decimals, bool dash_negative = false);

}  // namespace salesops::bench

#endif  // SALESOPS_BENCH_MARKDOWN_TABLE_H_
