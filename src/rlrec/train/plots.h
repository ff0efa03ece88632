// Line plots with gnuplot (PNG, pngcairo) for run directories and comparisons.
//
// Readable axes: the tick marks are chosen here (at most a handful per axis, steps of 1, 2 or 5 x
// 10^k, so labels never run together) and labelled with thousands separators ("12,000"). A curve
// may carry a band (low, high per point: compare draws the 95% CI over seeds); a panel has its own
// x label, so curves in different units (environment steps, logged events) never share an axis.
// Several panels are stacked in one PNG. Every function returns false (and says why on stderr)
// when gnuplot is missing or fails; nothing else depends on gnuplot.
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rlrec::train {

struct Curve {
  std::string title;
  std::vector<double> x, y;
  std::vector<double> low, high;  // band per point (same size as x), or both empty for none
};

struct PlotPanel {
  std::string xlabel, ylabel;
  std::vector<Curve> curves;
  std::vector<std::pair<std::string, double>> hlines;  // (title, y): dashed reference lines
};

// One PNG: the panels stacked top to bottom under `title`. A panel's x axis starts at 0 (or
// below, for negative x).
bool plot_panels(const std::string& png, const std::string& title,
                 const std::vector<PlotPanel>& panels);

// One panel without bands: one series per (title, x, y), hlines as dashed lines.
bool plot_curves(
    const std::string& png, const std::string& title, const std::string& xlabel,
    const std::string& ylabel,
    const std::vector<std::tuple<std::string, std::vector<double>, std::vector<double>>>& series,
    const std::vector<std::pair<std::string, double>>& hlines = {});

// A bar per (label, mean, low, high) with its interval as an error bar (low = high = mean: none).
bool plot_bars(const std::string& png, const std::string& title, const std::string& ylabel,
               const std::vector<std::tuple<std::string, double, double, double>>& bars);

// Tick positions covering [lo, hi]: multiples of a step 1, 2 or 5 x 10^k, at most max_ticks + 1
// of them, the first <= lo and the last >= hi. lo == hi is widened around the value.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// A tick label with thousands separators and as many decimals as `step` needs:
// tick_label(12000, 2000) = "12,000", tick_label(-0.25, 0.05) = "-0.25".
std::string tick_label(double v, double step);

}  // namespace rlrec::train
