#include "rlrec/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/manifest.h"
#include "rlrec/core/output.h"
#include "rlrec/core/progress.h"
#include "rlrec/core/registry.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/sim/episode_driver.h"
#include "rlrec/train/offline_data.h"
#include "rlrec/train/plots.h"

#ifndef RLREC_GIT_COMMIT
#define RLREC_GIT_COMMIT "unknown"
#endif

namespace fs = std::filesystem;

namespace rlrec::train {

std::string git_commit() { return RLREC_GIT_COMMIT; }

AgentSpec agent_spec(const Config& cfg, const std::string& section, const std::string& fallback) {
  AgentSpec s;
  s.section = section;
  s.entry = cfg.get_string(section, "name").value_or(fallback);
  s.label = section == "agent" ? s.entry : section;
  if (!agents::find_agent(s.entry)) {
    const bool baseline = catalog::find_policy_or_null(s.entry) != nullptr;
    if (!baseline) throw_unknown("agent", s.entry, catalog::policy_and_agent_names());
  }
  return s;
}

bool is_learning_agent(const std::string& entry) { return agents::find_agent(entry) != nullptr; }

void check_agent_keys(const Config& cfg, const AgentSpec& spec) {
  if (cfg.has_section("data")) {
    DataConfig data;
    read_section(cfg, "data", data, {});
  }
  const auto* entry = agents::find_agent(spec.entry);
  if (!entry || !cfg.has_section(spec.section)) return;
  const Config defaults = Config::parse_string(entry->defaults());
  const auto sections = defaults.sections();
  if (sections.empty()) return;
  std::vector<std::string> known = defaults.keys(sections.front());
  known.push_back("name");
  for (const auto& key : cfg.keys(spec.section)) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string msg =
        str_cat("unknown key '", spec.section, ".", key, "' (agent '", spec.entry, "')");
    const std::string near = closest_match(key, known);
    if (!near.empty()) msg += str_cat("; did you mean '", spec.section, ".", near, "'?");
    invalid_argument(msg, near.empty() ? "; valid keys: " : " valid keys: ", join(known));
  }
}

namespace {

constexpr int kCheckpointFormat = 1;
const ManifestLabel kCheckpointLabel{"kind", "train_checkpoint"};
constexpr const char* kConfigHeader = "# effective configuration of this run (rlrec train)";

// Every regular file under `root`, relative to it, sorted.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void verify_checkpoint(const std::string& ck) {
  try {
    const auto files = verify_manifest(ck, kCheckpointFormat, kCheckpointLabel, {}, "checkpoint");
    for (const char* need : {"runner.toml", "agent/meta.toml", "agent/manifest.json"})
      if (std::find(files.begin(), files.end(), need) == files.end())
        throw_error(ErrorCode::kCorrupt, ck, "/manifest.json: lists no ", need, " (edited)");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kCorrupt && e.code() != ErrorCode::kNotFound) throw;
    // kNotFound too: a checkpoint directory without its manifest is not one rlrec wrote whole.
    throw_error(ErrorCode::kCorrupt, "corrupt checkpoint: ", e.what(),
                "; nothing was loaded (train again, or restore the run directory from a copy)");
  }
}

std::string latest_checkpoint(const std::string& run_dir) {
  const std::string ck = run_dir + "/checkpoint";
  std::error_code ec;
  if (!fs::exists(ck, ec)) return "";
  verify_checkpoint(ck);
  return ck;
}

bool is_run_entry(const std::string& name) {
  for (const char* known : {"config.toml", "seed", "git_commit", "metrics.csv", "metrics.jsonl",
                            "learning_curve.png", "checkpoint", "behaviour_log.bin"}) {
    const std::string k = known;
    if (name == k || name == k + ".lock" || name.rfind(k + ".tmp.", 0) == 0) return true;
  }
  // What an rlrec before crash-consistent checkpoints left between its renames.
  return name == "checkpoint.tmp" || name == "checkpoint.old";
}

std::string foreign_entry(const std::string& run_dir) {
  for (const auto& e : fs::directory_iterator(run_dir)) {
    const std::string name = e.path().filename().string();
    if (!is_run_entry(name)) return name;
    if (name == "config.toml") {
      std::ifstream in(e.path());
      std::string first;
      std::getline(in, first);
      if (first != kConfigHeader) return name;
    }
  }
  return "";
}

TrainingAgent make_training_agent(const Config& cfg, const AgentSpec& spec,
                                  const eval::RunConfig& run, ThreadPool& pool) {
  const auto* entry = agents::find_agent(spec.entry);
  if (!entry)
    invalid_argument("'", spec.entry,
                     "' is not a learning agent (baseline policies need no "
                     "training; use rlrec simulate)");
  const uint64_t seed = static_cast<uint64_t>(run.seed);
  TrainingAgent t;
  t.env = std::make_unique<sim::VectorEnv>(catalog::make_environment(cfg, seed), run.train_batch,
                                           eval::train_env_seed(seed), &pool);
  agents::AgentContext ctx{&t.env->env(), &cfg, spec.section, eval::agent_seed(seed), &pool};
  t.agent = entry->make(ctx);
  return t;
}

std::unique_ptr<sim::VectorEnv> make_eval_env(const Config& cfg, const eval::RunConfig& run,
                                              ThreadPool& pool) {
  const uint64_t seed = static_cast<uint64_t>(run.seed);
  return std::make_unique<sim::VectorEnv>(catalog::make_environment(cfg, seed), run.batch,
                                          eval::eval_env_seed(seed), &pool);
}

eval::EpisodeResults evaluate_agent(sim::VectorEnv& eval_env, agents::Agent& agent,
                                    const eval::RunConfig& run, int64_t episodes,
                                    const std::string& progress) {
  agent.set_training(false);
  auto r = eval::run_episodes(eval_env, agent, episodes,
                              eval::eval_policy_seed(static_cast<uint64_t>(run.seed)), progress);
  agent.set_training(true);
  return r;
}

Trainer::Trainer(const Config& cfg, AgentSpec spec, eval::RunConfig run, ThreadPool& pool,
                 std::string run_dir, const std::string& shared_log_dir)
    : cfg_(cfg), spec_(std::move(spec)), run_(run), pool_(pool), dir_(std::move(run_dir)) {
  auto built = make_training_agent(cfg_, spec_, run_, pool_);
  train_env_ = std::move(built.env);
  agent_ = std::move(built.agent);
  const uint64_t seed = static_cast<uint64_t>(run_.seed);
  // Offline learning from a log ([data], train/offline_data.h); `rlrec train` ([agent]) rejects a
  // [data] section its agent cannot use, compare lets other agents train online beside it.
  offline_ = attach_offline_data(cfg_, *agent_, train_env_->env(), seed, dir_,
                                 spec_.section == "agent", shared_log_dir);
  if (!dir_.empty()) fs::create_directories(dir_);
}

Config Trainer::run_config() const {
  if (spec_.section == "agent") return cfg_;  // rlrec train: the file as run
  // A run of a comparison: what `rlrec train` would need to run exactly this run (and what
  // `rlrec eval` and --resume read): [env], [policy], the agent's section as [agent] with its
  // registry name, [run] with this run's seed and episodes, [data] only for an offline learner.
  Config rec;
  for (const char* s : {"env", "run", "policy"}) rec.overlay_section(cfg_, s);
  if (offline_) rec.overlay_section(cfg_, "data");
  rec.overlay_section(cfg_, spec_.section, "agent");
  rec.set_string("agent", "name", spec_.entry);
  rec.set_int("run", "seed", run_.seed);
  rec.set_int("run", "episodes", run_.episodes);
  rec.set_int("run", "threads", run_.threads);
  return rec;
}

void Trainer::write_run_files() {
  // config.toml last: its presence says that seed and git_commit are there too.
  write_file_atomically(dir_ + "/seed", str_cat(run_.seed, "\n"));
  write_file_atomically(dir_ + "/git_commit", git_commit() + "\n");
  write_file_atomically(dir_ + "/config.toml",
                        str_cat(kConfigHeader, "\n", run_config().to_toml(), "\n"));
  run_files_written_ = true;
}

Trainer::~Trainer() = default;

namespace {

std::string csv_header() {
  return "iteration,env_steps,updates,mean_return,se_return,ctr,mean_length,mean_loss,"
         "train_seconds,updates_per_second,env_steps_per_second";
}

std::string num(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);  // round-trips exactly (resume reads it back)
  return buf;
}

std::string json_num(double v) { return std::isfinite(v) ? num(v) : "null"; }

}  // namespace

void Trainer::write_metrics(bool plot) const {
  if (dir_.empty()) return;
  std::ostringstream js, csv;
  csv << csv_header() << "\n";
  for (const auto& r : rows_) {
    js << "{\"iteration\":" << r.iteration << ",\"env_steps\":" << r.env_steps
       << ",\"updates\":" << r.updates << ",\"mean_return\":" << json_num(r.mean_return)
       << ",\"se_return\":" << json_num(r.se_return) << ",\"ctr\":" << json_num(r.ctr)
       << ",\"mean_length\":" << json_num(r.mean_length)
       << ",\"mean_loss\":" << json_num(r.mean_loss)
       << ",\"train_seconds\":" << json_num(r.train_seconds)
       << ",\"updates_per_second\":" << json_num(r.updates_per_second)
       << ",\"env_steps_per_second\":" << json_num(r.env_steps_per_second) << "}\n";
    csv << r.iteration << "," << r.env_steps << "," << r.updates << "," << num(r.mean_return) << ","
        << num(r.se_return) << "," << num(r.ctr) << "," << num(r.mean_length) << ","
        << num(r.mean_loss) << "," << num(r.train_seconds) << "," << num(r.updates_per_second)
        << "," << num(r.env_steps_per_second) << "\n";
  }
  // Each file is replaced in one step: a crash leaves the previous rows or the new ones.
  write_file_atomically(dir_ + "/metrics.jsonl", js.str());
  write_file_atomically(dir_ + "/metrics.csv", csv.str());
  if (!plot) return;
  std::vector<double> x, y;
  for (const auto& r : rows_) {
    x.push_back(static_cast<double>(r.env_steps));
    y.push_back(r.mean_return);
  }
  if (!rows_.empty())
    plot_curves(dir_ + "/learning_curve.png", spec_.label + " on " + catalog::env_name(cfg_),
                offline_ ? "logged events consumed (offline learning)" : "environment steps",
                "mean evaluation return", {{spec_.label, x, y}});
}

void Trainer::checkpoint() const {
  if (dir_.empty()) return;
  // Written whole under a temporary name with a manifest of every file, flushed, then swapped
  // with the previous checkpoint in one rename (TempDir::commit): after a crash at any moment,
  // DIR/checkpoint is a complete checkpoint, the previous one or this one.
  TempDir tmp(fs::path(dir_) / "checkpoint");
  const std::string t = tmp.path().string();
  agent_->save(t + "/agent");
  {
    std::ofstream os(t + "/runner.toml");
    os << "[runner]\niteration = " << iteration_ << "\nenv_steps = " << env_steps_
       << "\nupdates = " << updates_ << "\nnext_episode = " << next_episode_
       << "\ntrain_seconds = " << num(train_seconds_) << "\nagent = \"" << spec_.entry << "\"\n";
    os.close();
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", t, "/runner.toml'");
  }
  write_manifest(t, kCheckpointFormat, kCheckpointLabel, files_under(t));
  tmp.commit();
}

void Trainer::resume() {
  if (dir_.empty()) invalid_argument("resume needs a run directory (the run to continue)");
  // Verifies every file of the checkpoint against its manifest before anything is read.
  const std::string ck = latest_checkpoint(dir_);
  if (ck.empty())
    throw_error(ErrorCode::kNotFound, "no checkpoint to resume in '", dir_, "' (no ", dir_,
                "/checkpoint: the run stopped before its first checkpoint); train it again");
  const auto read_line = [&](const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::string line;
    if (!std::getline(in, line))
      throw_error(ErrorCode::kCorrupt, dir_, "/", name, ": missing or empty (the run wrote it)");
    return line;
  };
  if (const std::string seed = read_line("seed"); seed != std::to_string(run_.seed))
    throw_error(ErrorCode::kCorrupt, dir_, "/seed: '", seed, "' differs from run.seed ", run_.seed,
                " of ", dir_, "/config.toml (edited or corrupt)");
  if (const std::string commit = read_line("git_commit"); commit != git_commit())
    std::fprintf(stderr,
                 "note: %s was started by rlrec built from commit %s; this rlrec is %s (%s keeps "
                 "the first)\n",
                 dir_.c_str(), commit.c_str(), git_commit().c_str(),
                 (dir_ + "/git_commit").c_str());
  run_files_written_ = true;
  Config r = Config::parse_file(ck + "/runner.toml");
  struct State {
    int iteration = 0;
    int64_t env_steps = 0, updates = 0, next_episode = 0;
    double train_seconds = 0;
    void visit(FieldVisitor& v) {
      v.field("iteration", iteration, "");
      v.field("env_steps", env_steps, "");
      v.field("updates", updates, "");
      v.field("next_episode", next_episode, "");
      v.field("train_seconds", train_seconds, "");
    }
  } st;
  read_section(r, "runner", st, {"agent"});
  const auto agent = r.get_string("runner", "agent").value_or("");
  if (agent != spec_.entry)
    invalid_argument(ck, ": checkpoint was written by agent '", agent, "', not '", spec_.entry,
                     "'");
  agent_->load(ck + "/agent");
  iteration_ = st.iteration;
  env_steps_ = st.env_steps;
  updates_ = st.updates;
  next_episode_ = static_cast<uint64_t>(st.next_episode);
  train_seconds_ = st.train_seconds;
  // Metrics rows up to the checkpoint.
  rows_.clear();
  std::ifstream csv(dir_ + "/metrics.csv");
  std::string line;
  std::getline(csv, line);
  while (std::getline(csv, line) && static_cast<int>(rows_.size()) < iteration_) {
    std::stringstream ss(line);
    std::string f;
    std::vector<double> v;
    while (std::getline(ss, f, ',')) v.push_back(f == "nan" ? std::nan("") : std::stod(f));
    if (v.size() != 11)
      throw_error(ErrorCode::kCorrupt, dir_, "/metrics.csv: malformed row '", line, "'");
    MetricsRow m;
    m.iteration = static_cast<int>(v[0]);
    m.env_steps = static_cast<int64_t>(v[1]);
    m.updates = static_cast<int64_t>(v[2]);
    m.mean_return = v[3];
    m.se_return = v[4];
    m.ctr = v[5];
    m.mean_length = v[6];
    m.mean_loss = v[7];
    m.train_seconds = v[8];
    m.updates_per_second = v[9];
    m.env_steps_per_second = v[10];
    rows_.push_back(m);
  }
  if (static_cast<int>(rows_.size()) != iteration_)
    throw_error(ErrorCode::kCorrupt, dir_, "/metrics.csv has ", rows_.size(),
                " rows but the checkpoint is at iteration ", iteration_);
  // Rows past the checkpoint (a run killed between its metrics and its checkpoint) are dropped:
  // the resumed run writes them again.
  write_metrics(/*plot=*/false);
  // What a killed run left: its temporary files and checkpoint, or an older rlrec's
  // checkpoint.tmp/.old.
  for (const char* name : {"checkpoint", "metrics.csv", "metrics.jsonl", "learning_curve.png",
                           "config.toml", "seed", "git_commit"})
    remove_stale_temporaries(fs::path(dir_) / name);
  for (const char* name : {"/checkpoint.tmp", "/checkpoint.old"}) fs::remove_all(dir_ + name);
}

void Trainer::iteration() {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  sim::VectorEnv& env = *train_env_;
  const uint64_t policy_seed = eval::train_policy_seed(static_cast<uint64_t>(run_.seed));
  int64_t steps = 0, updates = 0;
  double loss_sum = 0;
  agent_->set_training(true);
  if (offline_) {  // one iteration = run.eval_interval logged events (no interaction)
    steps = std::min(run_.eval_interval, run_.train_steps - env_steps_);
    const auto st = offline_->train_offline(steps);
    updates += st.updates;
    loss_sum += st.loss_sum;
  } else {
    sim::EpisodeHooks hooks;
    hooks.act = [&](const sim::Observation& obs, int32_t* slates, Rng* rngs) {
      agent_->act(obs, slates, rngs);
    };
    hooks.stepped = [&](const uint8_t* active, const int32_t* slates) {
      const agents::StepOutcomes out{env.batch(),     active,         slates,
                                     env.rewards(),   env.choices(),  env.terminated(),
                                     env.truncated(), env.responses()};
      agent_->observe(out, env.observation(active));
      const auto st = agent_->update();
      updates += st.updates;
      loss_sum += st.loss_sum;
    };
    const auto more = [&](int64_t s) {
      return s < run_.eval_interval && env_steps_ + s < run_.train_steps;
    };
    const auto st = sim::drive_episodes(env, policy_seed,
                                        sim::EpisodePlan::sequential(next_episode_, more), hooks);
    steps = st.steps;
    next_episode_ = st.next_episode;
  }
  const double secs = seconds_since(t0);
  env_steps_ += steps;
  updates_ += updates;
  train_seconds_ += secs;
  ++iteration_;
  const auto ev = evaluate(run_.eval_episodes);
  const auto s = ev.return_summary();
  MetricsRow m;
  m.iteration = iteration_;
  m.env_steps = env_steps_;
  m.updates = updates_;
  m.mean_return = s.mean;
  m.se_return = s.se;
  m.ctr = ev.ctr();
  m.mean_length = ev.mean_length();
  m.mean_loss = updates > 0 ? loss_sum / static_cast<double>(updates) : std::nan("");
  m.train_seconds = train_seconds_;
  m.updates_per_second = secs > 0 ? updates / secs : 0;
  m.env_steps_per_second = secs > 0 ? steps / secs : 0;
  rows_.push_back(m);
}

eval::EpisodeResults Trainer::evaluate(int64_t episodes) {
  if (!eval_env_) eval_env_ = make_eval_env(cfg_, run_, pool_);
  return evaluate_agent(*eval_env_, *agent_, run_, episodes);
}

const std::vector<MetricsRow>& Trainer::run(int max_iterations, const std::string& progress,
                                            const std::function<void(const MetricsRow&)>& on_row) {
  if (!dir_.empty() && !run_files_written_) write_run_files();
  Progress bar(progress, static_cast<uint64_t>(run_.train_steps));
  bar.set(static_cast<uint64_t>(env_steps_));
  int done = 0;
  while (!finished() && (max_iterations < 0 || done < max_iterations)) {
    iteration();
    ++done;
    write_metrics();
    checkpoint();
    if (on_row) {
      bar.clear();  // the row goes to stdout, which may be the same terminal
      on_row(rows_.back());
    }
    if (!progress.empty()) bar.set(static_cast<uint64_t>(env_steps_));
  }
  bar.finish();
  return rows_;
}

}  // namespace rlrec::train
