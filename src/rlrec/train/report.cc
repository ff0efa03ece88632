#include "rlrec/train/report.h"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "rlrec/core/error.h"
#include "rlrec/eval/stats.h"
#include "rlrec/train/plots.h"
#include "rlrec/train/tables.h"
#include "rlrec/train/trainer.h"

namespace rlrec::train {

namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  std::stringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

std::string cpu_model() {
  std::ifstream is("/proc/cpuinfo");
  std::string line;
  while (std::getline(is, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  return "unknown";
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// A Table as an HTML table (numeric-looking cells right-aligned by CSS class).
std::string html_table(const Table& t, const std::string& id) {
  auto numeric = [](const std::string& c) {
    return !c.empty() &&
           (std::isdigit(static_cast<unsigned char>(c[0])) || c[0] == '-' || c[0] == '[');
  };
  std::ostringstream os;
  os << "<table id=\"" << id << "\">\n<thead><tr>";
  for (const auto& h : t.header()) os << "<th>" << html_escape(h) << "</th>";
  os << "</tr></thead>\n<tbody>\n";
  for (const auto& row : t.rows()) {
    os << "<tr>";
    for (size_t i = 0; i < row.size(); ++i)
      os << (i > 0 && numeric(row[i]) ? "<td class=\"num\">" : "<td>") << html_escape(row[i])
         << "</td>";
    os << "</tr>\n";
  }
  os << "</tbody></table>\n";
  return os.str();
}

const char* kCss =
    R"(body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.3em .7em;border-bottom:1px solid #e4e4e4;text-align:left;white-space:nowrap}
th{background:#f4f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:hover{background:#fafaf0}img{max-width:100%;border:1px solid #e4e4e4;margin:.4em 0}
pre{background:#f6f6f8;padding:.8em;overflow-x:auto;font-size:.88em}.note{color:#666;font-size:.9em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
)";

}  // namespace

std::string base64(const std::string& bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 |
                       static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += k[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? k[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
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
      default:
        out += c;
    }
  }
  return out;
}

void write_plots(const CompareResult& r) {
  std::vector<std::tuple<std::string, double, double, double>> bars;
  for (const auto& a : r.agents) {
    const bool ci = a.seed_returns.size() >= 2;
    bars.emplace_back(a.spec.label + (a.privileged ? " (oracle)" : ""), a.summary.mean,
                      ci ? a.summary.ci_low : a.summary.mean,
                      ci ? a.summary.ci_high : a.summary.mean);
  }
  plot_bars(r.out + "/leaderboard.png",
            str_cat("rlrec compare: ", r.env, ", mean evaluation return",
                    r.seeds >= 2 ? " with its 95% CI over seeds" : " (1 seed: no CI)"),
            "mean evaluation return", bars);

  // Learning curves: one panel per x unit; nothing to draw when nothing learns.
  const std::string curves = r.out + "/learning_curves.png";
  PlotPanel online{"training environment steps", "mean evaluation return", {}, {}};
  PlotPanel offline{"logged events consumed (offline learning)", "mean evaluation return", {}, {}};
  std::vector<std::pair<std::string, double>> hlines;
  for (const auto& a : r.agents) {
    if (!a.learning) {
      hlines.emplace_back(a.spec.label, a.summary.mean);
      continue;
    }
    size_t n = a.curves.empty() ? 0 : SIZE_MAX;
    for (const auto& c : a.curves) n = std::min(n, c.size());
    Curve c;
    c.title = a.spec.label;
    for (size_t i = 0; i < n; ++i) {
      double sx = 0;
      std::vector<double> ys;
      for (const auto& s : a.curves) {
        sx += static_cast<double>(s[i].env_steps);
        ys.push_back(s[i].mean_return);
      }
      const auto s = eval::summarize(ys, 0.95);
      c.x.push_back(sx / static_cast<double>(a.curves.size()));
      c.y.push_back(s.mean);
      if (ys.size() >= 2) {
        c.low.push_back(s.ci_low);
        c.high.push_back(s.ci_high);
      }
    }
    (a.learns_offline ? offline : online).curves.push_back(std::move(c));
  }
  std::error_code ec;
  fs::remove(curves, ec);
  if (online.curves.empty() && offline.curves.empty()) return;
  std::vector<PlotPanel> panels;
  for (PlotPanel* p : {&online, &offline})
    if (!p->curves.empty()) {
      p->hlines = hlines;
      panels.push_back(*p);
    }
  plot_panels(curves,
              str_cat("rlrec compare: ", r.env, ", mean over ", r.seeds, " seed(s)",
                      r.seeds >= 2 ? "; band: 95% CI over seeds" : ""),
              panels);
}

std::string report_html(const CompareResult& r, const Config& cfg,
                        const std::vector<std::pair<std::string, std::string>>& pngs) {
  const auto diffs = paired_differences(r);
  const std::string ref = diffs.empty() ? "" : diffs.front().reference;
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>rlrec compare: " << html_escape(r.env) << "</title>\n<style>\n"
     << kCss << "</style>\n</head>\n<body>\n";
  os << "<h1>rlrec compare: " << html_escape(r.env) << "</h1>\n<p>" << r.agents.size()
     << " agent(s), " << r.seeds << " seed(s), " << r.episodes_per_seed
     << " evaluation episodes per agent and seed (the same users for every agent), protocol "
     << html_escape(r.protocol) << ", " << r.train_steps
     << " training steps per learning agent and seed. Confidence intervals: 95%, Student t over "
        "seeds (n/a with one seed).</p>\n";
  os << "<h2>Leaderboard</h2>\n" << html_table(leaderboard_table(r), "leaderboard");
  os << "<h2>Paired differences to " << html_escape(ref) << "</h2>\n"
     << "<p class=\"note\">Mean return of each agent minus that of " << html_escape(ref)
     << ", paired over seeds and the shared evaluation users (episode <i>i</i> of a seed is the "
        "same user for every agent). The CI is over seeds with two or more, otherwise over the "
        "users of the one seed (evaluation noise only).</p>\n"
     << html_table(paired_table(r), "paired");
  os << "<h2>"
     << (r.protocol == "offline" ? "Offline protocol and mean reward per step"
                                 : "Mean reward per step")
     << "</h2>\n"
     << html_table(reward_table(r), "reward");
  os << "<h2>Plots</h2>\n";
  int shown = 0;
  for (const auto& [caption, file] : pngs) {
    if (!fs::exists(file)) continue;
    os << "<figure><img alt=\"" << html_escape(caption) << "\" src=\"data:image/png;base64,"
       << base64(slurp(file)) << "\"><figcaption class=\"note\">" << html_escape(caption)
       << "</figcaption></figure>\n";
    ++shown;
  }
  if (shown == 0)
    os << "<p class=\"note\">No plots (gnuplot was not found; scripts/setup.sh installs "
          "it).</p>\n";
  bool learns = false;
  for (const auto& a : r.agents) learns = learns || a.learning;
  if (!learns)
    os << "<p class=\"note\">No learning curves: no agent of this comparison learns.</p>\n";
  os << "<h2>Effective config</h2>\n<pre>" << html_escape(cfg.to_toml()) << "</pre>\n";
  os << "<h2>Machine</h2>\n<dl>\n<dt>CPU</dt><dd>" << html_escape(cpu_model())
     << "</dd>\n<dt>hardware threads</dt><dd>" << std::thread::hardware_concurrency()
     << "</dd>\n<dt>threads used</dt><dd>" << r.threads
     << " (results do not depend on it)</dd>\n<dt>commit</dt><dd>" << html_escape(git_commit())
     << "</dd>\n<dt>written</dt><dd>" << utc_now() << "</dd>\n</dl>\n"
     << "<p class=\"note\">Simulator and baseline numbers are exact across machines; "
        "learned-agent numbers are exact per machine and build (floating-point kernels are "
        "chosen by CPU).</p>\n";
  // For tests and the curious: how many plots the browser decoded (data-plots="decoded/total").
  os << "<div id=\"render-check\" hidden></div>\n<script>\nwindow.addEventListener('load', "
        "function () {\n  var imgs = Array.prototype.slice.call(document.images);\n  var ok = "
        "imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;\n  "
        "document.getElementById('render-check').setAttribute('data-plots', ok + '/' + "
        "imgs.length);\n});\n</script>\n</body>\n</html>\n";
  return os.str();
}

void write_report(const CompareResult& r, const Config& cfg) {
  const std::string html = report_html(
      r, cfg,
      {{"Mean evaluation return per agent (95% CI over seeds)", r.out + "/leaderboard.png"},
       {"Learning curves: mean over seeds, band: 95% CI over seeds",
        r.out + "/learning_curves.png"}});
  std::ofstream os(r.out + "/report.html");
  os << html;
  if (!os) throw_error(ErrorCode::kIo, "cannot write '", r.out, "/report.html'");
}

}  // namespace rlrec::train
