// Compare's pictures and its report, written into the output directory OUT (compare.h):
//   OUT/leaderboard.png      mean return per agent with its 95% CI over seeds (an error bar)
//   OUT/learning_curves.png  only when some agent learns: per learning agent the mean over seeds of
//                            each periodic evaluation, with a band of the 95% CI over seeds (2
//                            seeds or more); one panel per x unit (training environment steps for
//                            online learners, logged events consumed for offline learners);
//                            baselines as dashed flat lines in every panel
//   OUT/report.html          one self-contained page (inline CSS, the plots as base64 PNG, no
//                            network): leaderboard, paired differences, reward and ranking table,
//                            the plots, the effective config, machine facts (CPU model, hardware
//                            threads, threads used, the commit rlrec was built from)
// Plots need gnuplot (skipped with a note on stderr without it; the report then says so).
#pragma once

#include <string>

#include "rlrec/core/config.h"
#include "rlrec/train/compare.h"

namespace rlrec::train {

// Writes leaderboard.png and (with a learning agent) learning_curves.png into r.out; removes a
// learning_curves.png left by an earlier run otherwise.
void write_plots(const CompareResult& r);

// The HTML page of r; `cfg` is the effective experiment config, `pngs` the plots to embed as
// (caption, PNG file) pairs (missing files are skipped).
std::string report_html(const CompareResult& r, const Config& cfg,
                        const std::vector<std::pair<std::string, std::string>>& pngs);

// Writes r.out/report.html with the plots write_plots made.
void write_report(const CompareResult& r, const Config& cfg);

// Standard base64 (RFC 4648, with padding).
std::string base64(const std::string& bytes);
// Text with &, <, >, " escaped for HTML.
std::string html_escape(const std::string& s);

}  // namespace rlrec::train
