#include "rlrec/core/table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace rlrec {

namespace {
bool numeric(const std::string& s) {
  if (s.empty()) return false;
  char c = s[0];
  return std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
}
}  // namespace

std::string Table::to_string() const {
  std::vector<size_t> w(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) w[c] = header_[c].size();
  for (auto& r : rows_)
    for (size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], r[c].size());
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r, bool head) {
    for (size_t c = 0; c < w.size(); ++c) {
      std::string cell = c < r.size() ? r[c] : "";
      size_t pad = w[c] - cell.size();
      if (c) os << "  ";
      if (!head && c > 0 && numeric(cell))
        os << std::string(pad, ' ') << cell;
      else
        os << cell << std::string(c + 1 < w.size() ? pad : 0, ' ');
    }
    os << "\n";
  };
  line(header_, true);
  size_t total = 0;
  for (auto x : w) total += x;
  os << std::string(total + 2 * (w.size() - 1), '-') << "\n";
  for (auto& r : rows_) line(r, false);
  return os.str();
}

std::string Table::to_csv() const {
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t c = 0; c < r.size(); ++c) {
      if (c) os << ",";
      const auto& s = r[c];
      if (s.find_first_of(",\"\n") != std::string::npos) {
        os << '"';
        for (char ch : s) os << (ch == '"' ? "\"\"" : std::string(1, ch));
        os << '"';
      } else {
        os << s;
      }
    }
    os << "\n";
  };
  line(header_);
  for (auto& r : rows_) line(r);
  return os.str();
}

std::string fmt(double v, int decimals) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_pm(double mean, double half_width, int decimals) {
  return fmt(mean, decimals) + " ± " + fmt(half_width, decimals);
}

}  // namespace rlrec
