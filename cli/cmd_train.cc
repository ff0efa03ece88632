// rlrec train EXP.toml: trains the [agent] of an experiment file on its [env], evaluating every
// run.eval_interval steps, and writes a run directory (train/experiments.h run_train; the run
// directory's layout: train/trainer.h).
#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli/checks.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "rlrec/train/experiments.h"

namespace rlrec::cli {
namespace {

struct TrainFlags {
  std::string experiment;
  std::vector<std::string> sets;
  train::TrainOptions options;
  bool json = false;
};

// "-" where nothing was measured (no updates: no loss).
std::string cell(double v, int decimals) { return std::isnan(v) ? "-" : fmt(v, decimals); }

// One metrics row per line, aligned under a header printed up front, flushed as soon as the row
// exists (piped or not).
class LiveRows {
 public:
  explicit LiveRows(std::vector<std::string> header) : header_(std::move(header)) {
    for (const auto& h : header_) width_.push_back(std::max<size_t>(h.size(), 10));
  }
  void row(const std::vector<std::string>& cells) {
    if (!started_) {
      line(header_);
      std::string rule;
      for (size_t i = 0; i < width_.size(); ++i)
        rule += (i ? "  " : "") + std::string(width_[i], '-');
      std::cout << rule << "\n";
      started_ = true;
    }
    line(cells);
    std::cout.flush();
  }

 private:
  void line(const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      const size_t pad = cells[i].size() < width_[i] ? width_[i] - cells[i].size() : 0;
      out += (i ? "  " : "") + std::string(pad, ' ') + cells[i];
    }
    std::cout << out << "\n";
  }
  std::vector<std::string> header_;
  std::vector<size_t> width_;
  bool started_ = false;
};

void run_train(TrainFlags& f) {
  Config cfg = Config::parse_file(f.experiment);
  for (const auto& s : f.sets) cfg.set(s);
  check_sections(cfg, train_sections(), "train");
  f.options.experiment = cfg;
  LiveRows live({"iteration", "env steps", "updates", "eval return ± se", "CTR", "loss",
                 "updates/s", "steps/s"});
  if (!f.json)
    f.options.on_row = [&](const train::MetricsRow& m) {
      live.row({std::to_string(m.iteration), std::to_string(m.env_steps), std::to_string(m.updates),
                fmt_pm(m.mean_return, m.se_return, 2), fmt(m.ctr, 4), cell(m.mean_loss, 4),
                fmt(m.updates_per_second, 0), fmt(m.env_steps_per_second, 0)});
    };
  const auto r = train::run_train(f.options);
  if (!r.metrics.empty() && r.metrics.back().updates == 0)
    std::cerr << "warning: the agent made no updates in " << r.env_steps
              << " steps: the run is shorter than the agent's warm-up (agent.warmup_steps or "
                 "its batch size); raise run.train_steps or lower the warm-up\n";
  if (f.json) {
    print_json(train::to_json(r));
    return;
  }
  std::cout << (r.finished ? "finished" : "stopped") << " after " << r.env_steps
            << " environment steps, " << fmt(r.train_seconds, 1) << " s of training; run directory "
            << r.run_dir << "\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand("train", std::string(command_description("train")));
  cmd->add_option("experiment", f->experiment, "experiment TOML file with [env], [agent], [run]")
      ->required();
  cmd->add_option("--set", f->sets, "override one value: section.key=value (repeatable)");
  cmd->add_option("--out", f->options.run_dir,
                  "run directory (default runs/AGENT-seedS), locked while training (OUT.lock)");
  cmd->add_flag("--resume", f->options.resume,
                "continue the run in --out from its last checkpoint (verified; rows written after "
                "it are dropped and trained again)");
  cmd->add_flag("--force", f->options.force,
                "start a new run in --out even if it holds a run (a directory holding anything "
                "else is never replaced)");
  cmd->add_option("--stop-after", f->options.max_iterations,
                  "stop after this many iterations (resume later with --resume)");
  cmd->add_option("--threads", f->options.threads,
                  "worker threads, 0 = all cores (default: run.threads)");
  cmd->add_flag("--json", f->json, "print one JSON object with the metrics rows");
  cmd->callback([f] { run_train(*f); });
}

}  // namespace rlrec::cli
