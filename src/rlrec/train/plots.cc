#include "rlrec/train/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "rlrec/core/error.h"
#include "rlrec/core/output.h"

namespace rlrec::train {

namespace {

namespace fs = std::filesystem;

// Colours of the curves, in order (gnuplot's default palette, spelled out so a band and its
// line share one colour).
const char* const kColours[] = {"#9400d3", "#009e73", "#56b4e9", "#e69f00",
                                "#f0e442", "#0072b2", "#e51e10", "#000000"};
const char* colour(size_t i) { return kColours[i % (sizeof kColours / sizeof kColours[0])]; }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string esc(std::string s) {  // inside a gnuplot "..." string
  for (auto& c : s)
    if (c == '"' || c == '\\') c = '\'';
  return s;
}

bool have_gnuplot(const std::string& png) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) return true;
  std::fprintf(stderr, "note: gnuplot not found; skipping %s (scripts/setup.sh installs it)\n",
               png.c_str());
  return false;
}

// "set Xrange [..]; set Xtics (..)" for the values in [lo, hi].
void axis(std::ostream& g, const char* name, double lo, double hi, int max_ticks) {
  const auto t = nice_ticks(lo, hi, max_ticks);
  const double step = t.size() > 1 ? t[1] - t[0] : 1;
  g << "set " << name << "range [" << num(t.front()) << ":" << num(t.back()) << "]\n"
    << "set " << name << "tics (";
  for (size_t i = 0; i < t.size(); ++i)
    g << (i ? ", " : "") << "\"" << tick_label(t[i], step) << "\" " << num(t[i]);
  g << ")\n";
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void fix() {
    if (lo > hi) lo = 0, hi = 1;
  }
};

// The files of one plot: gnuplot's data and script, and the image, all under temporary names
// beside the image (core/output.h TempFile: removed on SIGINT/SIGTERM, or by the next writer after
// a kill); the image is renamed onto `png` once gnuplot has drawn it whole.
struct PlotFiles {
  explicit PlotFiles(const std::string& png) : png(png), data_(png), script_(png), image_(png) {}
  std::string png;
  std::string data() const { return data_.path().string(); }
  std::string script() const { return script_.path().string(); }
  std::string image() const { return image_.path().string(); }

  bool run() {
    remove_stale_temporaries(png);
    const int rc = std::system(("gnuplot \"" + script() + "\" 2>/dev/null").c_str());
    if (rc != 0 || !fs::exists(image())) {
      std::fprintf(stderr, "note: gnuplot failed to draw %s\n", png.c_str());
      return false;
    }
    image_.commit();
    return true;
  }

 private:
  TempFile data_, script_, image_;
};

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  max_ticks = std::max(max_ticks, 1);
  const double raw = (hi - lo) / max_ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = 10 * mag;
  for (double m : {1.0, 2.0, 5.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  const double first = std::floor(lo / step + 1e-9) * step;
  for (int i = 0;; ++i) {
    const double v = first + i * step;
    t.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
    if (v >= hi - step * 1e-9) break;
  }
  if (t.size() < 2) t.push_back(t.back() + step);
  return t;
}

std::string tick_label(double v, double step) {
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::abs(v));
  std::string s = buf;
  const size_t dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  const bool negative = v < 0 && std::stod(s) != 0;
  return (negative ? "-" : "") + grouped + frac;
}

bool plot_panels(const std::string& png, const std::string& title,
                 const std::vector<PlotPanel>& panels) {
  if (!have_gnuplot(png)) return false;
  std::vector<const PlotPanel*> shown;
  for (const auto& p : panels)
    if (!p.curves.empty() || !p.hlines.empty()) shown.push_back(&p);
  if (shown.empty()) return false;
  PlotFiles files(png);
  const std::string data = files.data();
  std::ofstream d(data), g(files.script());
  const int height = 80 + 420 * static_cast<int>(shown.size());
  g << "set terminal pngcairo size 900," << height << " noenhanced\nset output \""
    << esc(files.image()) << "\"\nset key outside right\nset grid\n";
  if (shown.size() > 1)
    g << "set multiplot layout " << shown.size() << ",1 title \"" << esc(title) << "\"\n";
  else
    g << "set title \"" << esc(title) << "\"\n";
  int block = 0;
  for (const PlotPanel* p : shown) {
    Range x, y;
    for (const auto& c : p->curves)
      for (size_t i = 0; i < c.x.size(); ++i) {
        x.add(c.x[i]);
        y.add(c.y[i]);
        if (!c.low.empty()) y.add(c.low[i]), y.add(c.high[i]);
      }
    for (const auto& [name, v] : p->hlines) y.add(v);
    if (x.lo > 0 && x.lo <= x.hi) x.lo = 0;  // training curves start where training does
    x.fix();
    y.fix();
    g << "set xlabel \"" << esc(p->xlabel) << "\"\nset ylabel \"" << esc(p->ylabel) << "\"\n";
    axis(g, "x", x.lo, x.hi, 6);
    axis(g, "y", y.lo, y.hi, 8);
    g << "plot ";
    bool first = true;
    size_t k = 0;
    for (const auto& c : p->curves) {
      if (c.x.empty()) continue;
      const bool band = !c.low.empty();
      for (size_t i = 0; i < c.x.size(); ++i)
        d << num(c.x[i]) << " " << num(c.y[i]) << " " << num(band ? c.low[i] : c.y[i]) << " "
          << num(band ? c.high[i] : c.y[i]) << "\n";
      d << "\n\n";
      const std::string src = str_cat("\"", esc(data), "\" index ", block++);
      std::string sep = first ? "" : ", ";
      if (band) {
        g << sep << src << " using 1:3:4 with filledcurves fc rgb \"" << colour(k)
          << "\" fs transparent solid 0.2 noborder notitle";
        sep = ", ";
      }
      g << sep << src << " using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb \"" << colour(k)
        << "\" title \"" << esc(c.title) << "\"";
      first = false;
      ++k;
    }
    for (const auto& [name, v] : p->hlines) {
      g << (first ? "" : ", ") << num(v) << " with lines dashtype 2 lw 2 lc rgb \"" << colour(k++)
        << "\" title \"" << esc(name) << "\"";
      first = false;
    }
    g << "\n";
  }
  if (shown.size() > 1) g << "unset multiplot\n";
  d.close();
  g.close();
  return files.run();
}

bool plot_curves(
    const std::string& png, const std::string& title, const std::string& xlabel,
    const std::string& ylabel,
    const std::vector<std::tuple<std::string, std::vector<double>, std::vector<double>>>& series,
    const std::vector<std::pair<std::string, double>>& hlines) {
  PlotPanel p;
  p.xlabel = xlabel;
  p.ylabel = ylabel;
  p.hlines = hlines;
  for (const auto& [name, x, y] : series) p.curves.push_back(Curve{name, x, y, {}, {}});
  return plot_panels(png, title, {p});
}

bool plot_bars(const std::string& png, const std::string& title, const std::string& ylabel,
               const std::vector<std::tuple<std::string, double, double, double>>& bars) {
  if (bars.empty() || !have_gnuplot(png)) return false;
  PlotFiles files(png);
  const std::string data = files.data();
  std::ofstream d(data), g(files.script());
  Range y;
  for (size_t i = 0; i < bars.size(); ++i) {
    const auto& [name, mean, low, high] = bars[i];
    d << i + 1 << " " << num(mean) << " " << num(low) << " " << num(high) << "\n";
    y.add(low);
    y.add(high);
    y.add(mean);
  }
  y.fix();
  const int width = std::max(900, 160 + 110 * static_cast<int>(bars.size()));
  g << "set terminal pngcairo size " << width << ",480 noenhanced\nset output \""
    << esc(files.image()) << "\"\nset title \"" << esc(title) << "\"\nset ylabel \"" << esc(ylabel)
    << "\"\nset grid ytics\nunset key\nset xrange [0.5:" << bars.size() + 0.5 << "]\n";
  axis(g, "y", y.lo, y.hi, 8);
  g << "set xtics rotate by -25 (";
  for (size_t i = 0; i < bars.size(); ++i)
    g << (i ? ", " : "") << "\"" << esc(std::get<0>(bars[i])) << "\" " << i + 1;
  g << ")\nplot \"" << esc(data) << "\" using 1:2:3:4 with yerrorbars lw 2 pt 7 ps 1.5 lc rgb \""
    << colour(0) << "\"\n";
  d.close();
  g.close();
  return files.run();
}

}  // namespace rlrec::train
