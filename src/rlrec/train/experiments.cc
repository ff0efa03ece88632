#include "rlrec/train/experiments.h"

#include <unistd.h>

#include <filesystem>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/output.h"
#include "rlrec/core/thread_pool.h"

namespace fs = std::filesystem;

namespace rlrec::train {

TrainPlan plan_train(const Config& cfg, std::optional<int> threads) {
  TrainPlan p;
  p.run = eval::read_run_section(cfg, std::nullopt, std::nullopt, threads);
  if (!cfg.get_string("agent", "name"))
    invalid_argument(
        cfg.source(), ": [agent] needs name = \"...\" (learning agents: ",
        [] {
          std::vector<std::string> n;
          for (auto& a : catalog::agents()) n.emplace_back(a.name);
          return join(n);
        }(),
        ")");
  p.spec = agent_spec(cfg, "agent", "");
  return p;
}

TrainPlan check_train_experiment(const Config& cfg) {
  TrainPlan p = plan_train(cfg);
  check_agent_keys(cfg, p.spec);
  ThreadPool pool(1);
  make_training_agent(cfg, p.spec, p.run, pool);  // every value of [env] and [agent]
  return p;
}

TrainResult run_train(const TrainOptions& o) {
  const Config& cfg = o.experiment;
  const TrainPlan plan = plan_train(cfg, o.threads);
  const eval::RunConfig& run = plan.run;
  const AgentSpec& spec = plan.spec;
  TrainResult r;
  r.run_dir = o.run_dir.empty() ? str_cat("runs/", spec.label, "-seed", run.seed) : o.run_dir;
  while (r.run_dir.size() > 1 && r.run_dir.back() == '/') r.run_dir.pop_back();
  const std::string& out = r.run_dir;
  if (o.resume && o.force)
    invalid_argument("resume continues the run in '", out, "' and force replaces it: choose one");
  // Claim the run directory for the whole run: a second writer fails now, naming this one.
  std::error_code ec;
  const fs::path parent = fs::path(out).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    fs::create_directories(parent, ec);
    if (ec)
      invalid_argument("cannot create the parent directory of the run directory '", out,
                       "': ", ec.message());
  }
  check_replaceable(out, OutputKind::kDirectory, {false, [](const fs::path&) { return true; }},
                    "run directory");
  const OutputLock claim(out, "run directory");
  const bool exists = fs::is_directory(out, ec);
  if (exists) {
    const std::string foreign = foreign_entry(out);
    if (!foreign.empty())
      invalid_argument("'", out, "' is not an rlrec run directory (it holds '", foreign,
                       "', which rlrec train does not write); rlrec never replaces or adds to "
                       "another directory: choose another run directory");
  }
  const bool holds_run =
      exists && (fs::exists(out + "/config.toml") || fs::exists(out + "/checkpoint") ||
                 fs::exists(out + "/metrics.csv"));
  if (o.resume) {
    if (!fs::exists(out + "/config.toml"))
      throw_error(ErrorCode::kNotFound, "resume: '", out, "' holds no run (no config.toml)");
    Config saved = Config::parse_file(out + "/config.toml");
    if (saved.to_toml() != cfg.to_toml())
      invalid_argument(
          "resume: the experiment config (", cfg.source(),
          " with its overrides) differs from the run's ", out,
          "/config.toml; resume with the same config, or train into a new run directory");
  } else if (holds_run && !o.force) {
    invalid_argument("'", out,
                     "' already holds a run; resume it, force a new run over it, or choose "
                     "another run directory (nothing was overwritten)");
  } else if (exists) {
    // A forced new run (or a directory with only what a run killed at its start left): every
    // entry is a run's (checked above), so the whole content goes. The checkpoint first, and in
    // one step (renamed to a temporary name), so that a kill during the removal never leaves a
    // partial checkpoint, or a checkpoint without its metrics, to resume from.
    if (fs::exists(out + "/checkpoint")) {
      const std::string aside = str_cat(out, "/checkpoint.tmp.", ::getpid(), ".replaced");
      fs::rename(out + "/checkpoint", aside);
      fs::remove_all(aside);
    }
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(out)) entries.push_back(e.path());
    for (const auto& e : entries) fs::remove_all(e);
  }
  ThreadPool pool(run.threads);
  // Build and check everything (including the checkpoint when resuming) before writing anything.
  Trainer t(cfg, spec, run, pool, out);
  if (o.resume) t.resume();
  // On Ctrl-C or SIGTERM: what is saved and the command that continues the run (its config.toml
  // holds the overrides, so it resumes whatever --set flags built it).
  const std::string resume_cmd =
      str_cat("rlrec train ", out, "/config.toml --out ", out, " --resume",
              o.threads ? str_cat(" --threads ", *o.threads) : std::string());
  auto saved = [&](const MetricsRow& m) {
    set_interrupt_message(str_cat("interrupted: the checkpoint of iteration ", m.iteration, " (",
                                  m.env_steps, " environment steps) is saved in ", out,
                                  "/checkpoint; resume with:\n  ", resume_cmd));
  };
  if (t.metrics().empty())
    set_interrupt_message(
        str_cat("interrupted before the first checkpoint: nothing to resume in ", out));
  else
    saved(t.metrics().back());
  if (o.on_row)
    for (const auto& m : t.metrics()) o.on_row(m);
  r.metrics = t.run(o.max_iterations, o.progress.empty() ? "train " + spec.label : o.progress,
                    [&](const MetricsRow& m) {
                      saved(m);
                      if (o.on_row) o.on_row(m);
                    });
  set_interrupt_message("");
  r.agent = spec.entry;
  r.label = spec.label;
  r.env_steps = t.env_steps();
  r.train_seconds = t.train_seconds();
  r.finished = t.finished();
  return r;
}

nlohmann::json to_json(const TrainResult& r) {
  nlohmann::json j;
  j["run_dir"] = r.run_dir;
  j["agent"] = r.agent;
  j["env_steps"] = r.env_steps;
  j["train_seconds"] = r.train_seconds;
  j["finished"] = r.finished;
  j["metrics"] = nlohmann::json::array();
  for (const auto& m : r.metrics)
    j["metrics"].push_back({{"iteration", m.iteration},
                            {"env_steps", m.env_steps},
                            {"updates", m.updates},
                            {"mean_return", m.mean_return},
                            {"se_return", m.se_return},
                            {"ctr", m.ctr},
                            {"updates_per_second", m.updates_per_second},
                            {"env_steps_per_second", m.env_steps_per_second}});
  return j;
}

LoadedRun load_run_dir(const EvalOptions& o) {
  const std::string& dir = o.run_dir;
  if (!fs::exists(dir + "/config.toml"))
    throw_error(ErrorCode::kNotFound, "'", dir, "' is not a run directory (no config.toml)");
  LoadedRun l;
  l.cfg = Config::parse_file(dir + "/config.toml");
  l.run = eval::read_run_section(l.cfg, o.episodes, std::nullopt, o.threads);
  l.spec = agent_spec(l.cfg, "agent", "");
  l.pool = std::make_unique<ThreadPool>(l.run.threads);
  l.agent = make_training_agent(l.cfg, l.spec, l.run, *l.pool);
  l.checkpoint = latest_checkpoint(dir);
  if (l.checkpoint.empty() || !fs::exists(l.checkpoint + "/agent"))
    throw_error(ErrorCode::kNotFound, "no checkpoint in '", dir, "'");
  l.agent.agent->load(l.checkpoint + "/agent");
  return l;
}

EvalResult evaluate_run_dir(const EvalOptions& o) {
  LoadedRun l = load_run_dir(o);
  EvalResult r;
  r.checkpoint = l.checkpoint;
  r.results = evaluate_agent(*make_eval_env(l.cfg, l.run, *l.pool), *l.agent.agent, l.run,
                             l.run.episodes, "eval " + l.spec.label);
  r.run_dir = o.run_dir;
  r.agent = l.spec.entry;
  r.episodes = l.run.episodes;
  return r;
}

nlohmann::json to_json(const EvalResult& r) {
  const auto s = r.results.return_summary();
  return nlohmann::json{{"run_dir", r.run_dir},
                        {"agent", r.agent},
                        {"episodes", r.episodes},
                        {"mean_return", s.mean},
                        {"se_return", s.se},
                        {"ctr", r.results.ctr()},
                        {"mean_length", r.results.mean_length()},
                        {"steps", r.results.steps}};
}

}  // namespace rlrec::train
