// Text tables and number formatting for results printed to people (the CLI's tables, compare's
// leaderboard.csv). One implementation for every command and library experiment.
#pragma once

#include <string>
#include <vector>

namespace rlrec {

// A text table with a header row. to_string(): columns aligned, numeric-looking cells (after the
// first column) right-aligned, a dashed rule under the header. to_csv(): RFC 4180-style, cells
// holding a comma, quote or newline quoted, quotes doubled.
class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_header(std::string column) { header_.push_back(std::move(column)); }
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  std::string to_string() const;
  std::string to_csv() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point: fmt(3.14159, 2) = "3.14"; NaN prints "nan".
std::string fmt(double v, int decimals = 3);
// "mean ± half_width".
std::string fmt_pm(double mean, double half_width, int decimals = 2);

}  // namespace rlrec
