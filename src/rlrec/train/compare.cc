#include "rlrec/train/compare.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/manifest.h"
#include "rlrec/core/output.h"
#include "rlrec/core/progress.h"
#include "rlrec/core/stopwatch.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/dist/comm.h"
#include "rlrec/eval/runner.h"
#include "rlrec/experiment/baseline.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"
#include "rlrec/train/experiments.h"
#include "rlrec/train/offline_data.h"
#include "rlrec/train/report.h"
#include "rlrec/train/tables.h"

namespace rlrec::train {

void CompareConfig::visit(FieldVisitor& v) {
  v.field("agents", agents,
          "agents to compare: baseline policies, learning agents, or names of sections whose "
          "`name` key picks the agent");
  v.field("seeds", seeds, "independent seeds per agent (run.seed, run.seed + 1, ...)");
  v.field("protocol", protocol,
          "online: evaluate in [env]; offline: also run the rating-log offline protocol "
          "(P@5/10, NDCG@5/10 on each user's test items; rating-log environments only)");
  v.field("reference", reference,
          "the agent of compare.agents that paired differences are taken to (\"\" = the "
          "strongest baseline: highest mean return, oracles only when nothing else)");
  v.field("jobs", jobs,
          "(agent, seed) runs at once per process, each in a worker thread (0 = the available "
          "cores, at most one per run; 1 = one after another); results do not depend on it");
}

void CompareConfig::validate() const {
  if (agents.empty()) invalid_argument("compare.agents must list at least one agent");
  check_range("compare.seeds", seeds, 1, 100000);
  check_one_of("compare.protocol", protocol, {"online", "offline"});
  check_range("compare.jobs", jobs, 0, 4096);
}

std::vector<std::string> compare_sections(const Config& experiment) {
  CompareConfig cc;
  read_section(experiment, "compare", cc, {});
  std::vector<std::string> used{"env", "run", "compare", "data", "policy"};
  auto in = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const auto& a : cc.agents)
    if (!in(used, a)) used.push_back(a);
  // Agent sections left out of this run (e.g. compare.agents overridden to a subset of the file)
  // are a comparison's too: those naming a catalogue policy or agent (by `name`, or by their own
  // name) count as used.
  const auto known = catalog::policy_and_agent_names();
  for (const auto& s : experiment.sections()) {
    if (in(used, s)) continue;
    const auto entry = experiment.get_string(s, "name");
    if (entry ? in(known, *entry) : in(known, s)) used.push_back(s);
  }
  return used;
}

namespace {

struct NoFields {  // the section of a baseline accepts only `name`
  void visit(FieldVisitor&) {}
};

// "[low, high]" (built with str_cat: GCC 12 warns falsely (-Wrestrict) on "[" + std::string).
std::string interval(double low, double high, int decimals) {
  return str_cat("[", fmt(low, decimals), ", ", fmt(high, decimals), "]");
}

double mean_of(const CompareResult& r, const std::string& label) {
  for (const auto& a : r.agents)
    if (a.spec.label == label) return a.summary.mean;
  return std::nan("");
}

// Relative change vs a baseline's mean (NaN without that baseline or when it is 0).
double rel(double x, double base) {
  return std::isnan(base) || base == 0 ? std::nan("") : (x - base) / std::abs(base);
}

// One job of a comparison: agent `a` on seed index s (seed run.seed + s): trained (learning
// agents, run directory OUT/runs/AGENT/seed-N) and evaluated on the seed's evaluation users, with
// the offline protocol when `offline`, with a progress bar when `progress`. Its result as JSON
// (numbers exact through CBOR).
nlohmann::json run_job(const Config& cfg, const CompareAgentResult& a, const eval::RunConfig& run,
                       int s, int seeds, bool offline, const std::string& out,
                       const SharedLogDir& logs_dir, ThreadPool& pool, bool progress) {
  eval::RunConfig rs = run;
  rs.seed = run.seed + s;
  const uint64_t seed = static_cast<uint64_t>(rs.seed);
  const std::string label = str_cat(a.spec.label, " seed ", seed, " (", s + 1, "/", seeds, ")");
  nlohmann::json done;
  eval::EpisodeResults res;
  // The offline protocol on the data of this seed's environment (cached: the same fit).
  auto run_offline = [&](sim::Policy& policy) {
    auto env = catalog::make_environment(cfg, seed);
    const auto off = datasim::evaluate_offline(*env, policy, eval::eval_policy_seed(seed));
    done["offline"] = {off.p5, off.p10, off.ndcg5, off.ndcg10};
  };
  if (a.learning) {
    const std::string dir = out.empty() ? "" : str_cat(out, "/runs/", a.spec.label, "/seed-", seed);
    Trainer t(cfg, a.spec, rs, pool, dir, logs_dir.path());
    t.run(-1, progress ? "train " + label : "");
    done["train_seconds"] = t.train_seconds();
    done["train_steps"] = t.env_steps();
    done["updates"] = t.metrics().empty() ? 0 : t.metrics().back().updates;
    nlohmann::json curve = nlohmann::json::array();
    for (const MetricsRow& m : t.metrics())
      curve.push_back({m.iteration, m.env_steps, m.updates, m.mean_return, m.se_return, m.ctr,
                       m.mean_length, m.mean_loss, m.train_seconds, m.updates_per_second,
                       m.env_steps_per_second});
    done["curve"] = std::move(curve);
    done["learns_offline"] = t.learns_offline();
    res = t.evaluate(rs.episodes);
    t.agent().set_training(false);
    if (offline) run_offline(t.agent());
  } else {
    res = experiment::evaluate_baseline(cfg, a.spec.entry, rs, seed, pool,
                                        progress ? "eval " + label : "");
    if (offline) {
      auto env = catalog::make_environment(cfg, seed);
      sim::PolicyContext ctx{env.get(), &cfg, &pool};
      auto policy = catalog::find_policy(a.spec.entry).make(ctx);
      run_offline(*policy);
    }
  }
  double total = 0;
  for (double x : res.returns) total += x;
  done["reward"] = res.steps > 0 ? total / static_cast<double>(res.steps) : 0.0;
  done["return"] = res.return_summary().mean;
  done["episode_returns"] = res.returns;
  done["ctr"] = res.ctr();
  done["eval_seconds"] = res.seconds;
  return done;
}

// Adds one job's result (run_job) as the next seed of `a`.
void add_seed(CompareAgentResult& a, const nlohmann::json& done) {
  if (done.contains("curve")) {
    a.train_seconds += done.at("train_seconds").get<double>();
    a.train_steps += done.at("train_steps").get<int64_t>();
    a.updates += done.at("updates").get<int64_t>();
    std::vector<MetricsRow> curve;
    for (const auto& c : done.at("curve"))
      curve.push_back({c[0].get<int>(), c[1].get<int64_t>(), c[2].get<int64_t>(),
                       c[3].get<double>(), c[4].get<double>(), c[5].get<double>(),
                       c[6].get<double>(), c[7].get<double>(), c[8].get<double>(),
                       c[9].get<double>(), c[10].get<double>()});
    a.curves.push_back(std::move(curve));
    a.learns_offline = done.at("learns_offline").get<bool>();
  }
  if (done.contains("offline")) {
    const auto& off = done.at("offline");
    a.seed_p5.push_back(off[0].get<double>());
    a.seed_p10.push_back(off[1].get<double>());
    a.seed_n5.push_back(off[2].get<double>());
    a.seed_n10.push_back(off[3].get<double>());
  }
  a.seed_reward.push_back(done.at("reward").get<double>());
  a.seed_returns.push_back(done.at("return").get<double>());
  a.seed_episode_returns.push_back(done.at("episode_returns").get<std::vector<double>>());
  a.seed_ctr.push_back(done.at("ctr").get<double>());
  a.eval_seconds += done.at("eval_seconds").get<double>();
}

// What determines a comparison's numbers: the config as run (seeds and episodes included; threads
// and jobs left out: results do not depend on them), as an FNV-1a 64 hex string. A resumed
// comparison reuses only results written under the same fingerprint.
std::string compare_fingerprint(const CompareResult& r, const Config& cfg) {
  Config ran = cfg;
  ran.set_int("compare", "seeds", r.seeds);
  ran.set_int("run", "episodes", r.episodes_per_seed);
  ran.set_int("run", "threads", 0);
  ran.set_int("compare", "jobs", 0);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a64(ran.to_toml())));
  return hex;
}

// A finished job's result file (OUT/jobs/LABEL-seed-N.cbor): the CBOR of {fingerprint, result}
// followed by the FNV-1a 64 of those bytes (16 hex digits), written atomically.
void write_job(const std::string& file, const std::string& fingerprint,
               const nlohmann::json& done) {
  const auto cbor =
      nlohmann::json::to_cbor(nlohmann::json{{"fingerprint", fingerprint}, {"result", done}});
  std::string bytes(cbor.begin(), cbor.end());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  write_file_atomically(file, bytes + hex);
}

nlohmann::json read_job(const std::string& file, const std::string& fingerprint) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  char hex[17];
  if (bytes.size() > 16)
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(
                      fnv1a64(std::string_view(bytes).substr(0, bytes.size() - 16))));
  if (bytes.size() <= 16 || bytes.compare(bytes.size() - 16, 16, hex) != 0)
    throw_error(ErrorCode::kCorrupt, file,
                ": corrupt (checksum differs or file truncated); remove it to run that agent and "
                "seed again");
  nlohmann::json j;
  try {
    j = nlohmann::json::from_cbor(std::string_view(bytes).substr(0, bytes.size() - 16));
  } catch (const nlohmann::json::exception&) {
    throw_error(ErrorCode::kCorrupt, file, ": corrupt (not a job result)");
  }
  if (!j.is_object() || !j.contains("fingerprint") || !j.contains("result"))
    throw_error(ErrorCode::kCorrupt, file, ": corrupt (not a job result)");
  if (j.at("fingerprint") != fingerprint)
    invalid_argument(file, " was written by a comparison with another configuration (fingerprint ",
                     j.at("fingerprint").get<std::string>(), ", this one ", fingerprint,
                     "); resume only the same comparison, or start it again without resuming");
  return j.at("result");
}

// An output directory a comparison may write into: absent, empty, or a comparison's (it holds one
// of the files or directories a comparison writes). Anything else is never written into.
void check_compare_dir(const std::string& out) {
  namespace fs = std::filesystem;
  if (!fs::exists(out)) return;
  if (!fs::is_directory(out))
    invalid_argument("comparison output directory '", out, "' exists and is not a directory");
  if (fs::is_empty(out)) return;
  for (const char* own : {"leaderboard.json", "leaderboard.csv", "leaderboard.png", "report.html",
                          "learning_curves.png", "jobs", "runs", "behaviour_logs"})
    if (fs::exists(fs::path(out) / own)) return;
  invalid_argument("comparison output directory '", out,
                   "' is not empty and holds no comparison (no leaderboard.*, report.html, "
                   "learning_curves.png, jobs/, runs/ or behaviour_logs/); choose a new or empty "
                   "directory");
}

// A rank's finished jobs as bytes for the collectives (CBOR keeps every double exact, NaN too).
std::string pack(const std::vector<nlohmann::json>& jobs) {
  const auto bytes = nlohmann::json::to_cbor(nlohmann::json(jobs));
  return std::string(bytes.begin(), bytes.end());
}
std::vector<nlohmann::json> unpack(const std::string& bytes) {
  return nlohmann::json::from_cbor(bytes).get<std::vector<nlohmann::json>>();
}

void write_outputs(const CompareResult& r, const Config& cfg) {
  const std::string& out = r.out;
  std::filesystem::create_directories(out);
  write_file_atomically(out + "/leaderboard.csv", leaderboard_csv(r));
  write_file_atomically(out + "/leaderboard.json", to_json(r).dump(2) + "\n");
  // What ran: the file with its --set overrides and the flags' values (seeds, episodes, threads).
  Config ran = cfg;
  ran.set_int("compare", "seeds", r.seeds);
  ran.set_int("run", "episodes", r.episodes_per_seed);
  ran.set_int("run", "threads", r.threads);
  ran.set_int("compare", "jobs", r.jobs);
  write_file_atomically(out + "/config.toml", ran.to_toml() + "\n");
  write_plots(r);
  write_report(r, cfg);
}

}  // namespace

ComparePlan plan_compare(const CompareOptions& o) {
  const Config& cfg = o.experiment;
  ComparePlan plan;
  CompareConfig& cc = plan.compare;
  read_section(cfg, "compare", cc, {});
  if (o.seeds) cc.seeds = *o.seeds;
  if (o.jobs) cc.jobs = *o.jobs;
  cc.validate();
  plan.run = eval::read_run_section(cfg, o.episodes, std::nullopt, o.threads);
  const eval::RunConfig& run = plan.run;
  // Resolve every agent (and read its section, which validates its keys) before any work.
  const bool offline = cc.protocol == "offline";
  const std::string env_name = catalog::env_name(cfg);
  if (offline && catalog::find_environment(env_name).family != "rating_log")
    invalid_argument(
        "compare.protocol = \"offline\" needs a rating-log environment (movielens_mf, "
        "movielens_replay, movielens_seq); env.name is '",
        env_name, "'");
  catalog::make_environment(cfg, 0);
  CompareResult& r = plan.result;
  r.env = env_name;
  r.protocol = cc.protocol;
  r.seeds = cc.seeds;
  r.episodes_per_seed = run.episodes;
  r.train_steps = run.train_steps;
  r.out = o.out;
  for (const auto& name : cc.agents) {
    CompareAgentResult a;
    a.spec = agent_spec(cfg, name, name);
    a.learning = is_learning_agent(a.spec.entry);
    check_agent_keys(cfg, a.spec);
    if (!a.learning) {
      a.privileged = catalog::find_policy(a.spec.entry).privileged;
      NoFields none;
      read_section(cfg, name, none);
    }
    for (const auto& b : r.agents)
      if (b.spec.label == a.spec.label)
        invalid_argument("compare.agents lists '", a.spec.label,
                         "' twice; each agent may appear once (compare a variant through a "
                         "section of its own whose `name` key picks the agent)");
    r.agents.push_back(std::move(a));
  }
  r.reference = cc.reference;
  if (!r.reference.empty() &&
      std::none_of(r.agents.begin(), r.agents.end(),
                   [&](const CompareAgentResult& a) { return a.spec.label == r.reference; })) {
    std::string known;
    for (const auto& a : r.agents) {
      if (!known.empty()) known += ", ";
      known += a.spec.label;
    }
    invalid_argument("compare.reference '", r.reference, "' is not one of compare.agents (", known,
                     ")");
  }
  return plan;
}

ComparePlan check_compare_experiment(const CompareOptions& o) {
  ComparePlan plan = plan_compare(o);
  ThreadPool pool(1);
  for (const auto& a : plan.result.agents)
    if (a.learning) make_training_agent(o.experiment, a.spec, plan.run, pool);
  return plan;
}

CompareResult run_compare(const CompareOptions& o) {
  const Config& cfg = o.experiment;
  ComparePlan plan = plan_compare(o);
  const CompareConfig& cc = plan.compare;
  const eval::RunConfig& run = plan.run;
  const bool offline = cc.protocol == "offline";
  CompareResult r = std::move(plan.result);
  // The jobs (agent, seed), learning agents first (the long ones), handed out over the ranks of
  // the job and the worker threads of each rank by a shared counter; a job's result does not
  // depend on the rank, worker or thread count that ran it. Offline agents of one seed learn from
  // the same generated behaviour log ([data] without `log`): written once per process by the
  // first job needing it (attach_offline_data), with several ranks once per rank (identical: same
  // seed).
  dist::Communicator& comm = dist::world();
  if (o.resume && o.out.empty())
    invalid_argument("resuming a comparison needs its output directory (the one it was writing)");
  std::vector<std::pair<int, int>> jobs;  // (agent index, seed index)
  for (int learning = 1; learning >= 0; --learning)
    for (int i = 0; i < static_cast<int>(r.agents.size()); ++i)
      if (r.agents[i].learning == (learning == 1))
        for (int s = 0; s < cc.seeds; ++s) jobs.emplace_back(i, s);
  // Workers and their threads: the cores of this node shared by its ranks, then by the workers.
  const int cores =
      std::max(1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) /
                      std::max(1, comm.local_size()));
  const int per_rank_jobs = static_cast<int>((jobs.size() + static_cast<size_t>(comm.size()) - 1) /
                                             static_cast<size_t>(comm.size()));
  const int workers = std::max(1, std::min(cc.jobs > 0 ? cc.jobs : cores, per_rank_jobs));
  const int run_threads = run.threads > 0 ? run.threads : std::max(1, cores / workers);
  r.jobs = workers;
  r.threads = run_threads;
  // The output directory is claimed by rank 0 for the whole comparison (a second writer fails at
  // once, naming the holder); without resume, results of an earlier comparison there are dropped.
  std::optional<OutputLock> claim;
  const std::string jobs_dir = o.out.empty() ? "" : o.out + "/jobs";
  const std::string fingerprint = o.out.empty() ? "" : compare_fingerprint(r, cfg);
  if (!o.out.empty()) {
    if (comm.rank() == 0) {
      check_compare_dir(o.out);
      claim.emplace(o.out, "comparison output directory");
      if (!o.resume) std::filesystem::remove_all(jobs_dir);
      std::filesystem::create_directories(jobs_dir);
    }
    comm.barrier();
  }
  const SharedLogDir logs_dir(o.out, comm);
  std::vector<nlohmann::json> mine;
  std::atomic<int64_t> resumed{0};
  const auto counter = comm.make_counter();
  // Shared by the workers, under `mu`: mine, the first failure, the finished-job lines.
  std::mutex mu;
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  size_t finished = 0;
  const bool lines = workers > 1 && Progress::enabled();
  const auto start = std::chrono::steady_clock::now();
  // One worker: takes jobs until none is left (or another worker failed; its job's exception is
  // rethrown below once every worker has stopped). With one worker it runs in the calling thread
  // with progress bars; with several, each has its own pool and prints one line per finished job.
  auto work = [&](bool progress) {
    try {
      ThreadPool pool(run_threads);
      while (!failed.load()) {
        const int64_t j = counter->fetch_add();
        if (j >= static_cast<int64_t>(jobs.size())) break;
        const auto [i, s] = jobs[static_cast<size_t>(j)];
        const std::string file = jobs_dir.empty() ? ""
                                                  : str_cat(jobs_dir, "/", r.agents[i].spec.label,
                                                            "-seed-", run.seed + s, ".cbor");
        nlohmann::json done;
        bool reused = false;
        if (o.resume && std::filesystem::exists(file)) {
          done = read_job(file, fingerprint);
          reused = true;
          ++resumed;
        } else {
          done =
              run_job(cfg, r.agents[i], run, s, cc.seeds, offline, o.out, logs_dir, pool, progress);
          if (!file.empty()) write_job(file, fingerprint, done);
        }
        done["job"] = j;
        std::lock_guard<std::mutex> lock(mu);
        mine.push_back(std::move(done));
        ++finished;
        if (lines)
          std::fprintf(stderr, "%s %s seed %lld (%zu of %zu runs done%s, %.0f s)\n",
                       reused ? "resumed" : "finished", r.agents[i].spec.label.c_str(),
                       static_cast<long long>(run.seed + s), finished, jobs.size(),
                       comm.size() > 1 ? " by this rank" : "", seconds_since(start));
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!failure) failure = std::current_exception();
      failed = true;
    }
  };
  if (workers == 1) {
    work(true);
  } else {
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) threads.emplace_back(work, false);
    for (auto& t : threads) t.join();
  }
  if (failure) std::rethrow_exception(failure);
  // Every rank gets every job's result and assembles them in (agent, seed) order.
  std::vector<nlohmann::json> results(jobs.size());
  for (const auto& bytes : comm.all_gather(pack(mine)))
    for (auto& done : unpack(bytes)) {
      const auto j = done.at("job").get<size_t>();  // (json's operator= takes its argument by
      results[j] = std::move(done);                 // value: read the index before moving)
    }
  for (int i = 0; i < static_cast<int>(r.agents.size()); ++i) {
    for (size_t j = 0; j < jobs.size(); ++j)
      if (jobs[j].first == i) add_seed(r.agents[i], results[j]);
    r.agents[i].summary = eval::summarize(r.agents[i].seed_returns, 0.95);
  }
  if (o.resume) {
    std::array<int64_t, 1> n{resumed.load()};
    comm.all_reduce_sum(n);
    if (comm.rank() == 0)
      std::fprintf(stderr, "note: resumed %lld of %zu (agent, seed) runs from %s\n",
                   static_cast<long long>(n[0]), jobs.size(), jobs_dir.c_str());
  }
  if (comm.rank() != 0) return r;  // rank 0 writes the outputs
  if (!o.out.empty()) write_outputs(r, cfg);
  return r;
}

nlohmann::json to_json(const CompareResult& r) {
  const double random_mean = mean_of(r, "random"), myopic_mean = mean_of(r, "myopic");
  auto jnum = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  auto metric = [](const std::vector<double>& xs) {
    const auto s = eval::summarize(xs, 0.95);
    return nlohmann::json{
        {"mean", s.mean}, {"ci_low", s.ci_low}, {"ci_high", s.ci_high}, {"seeds", xs}};
  };
  nlohmann::json j;
  j["env"] = r.env;
  j["protocol"] = r.protocol;
  j["seeds"] = r.seeds;
  j["episodes_per_seed"] = r.episodes_per_seed;
  j["train_steps"] = r.train_steps;
  const auto diffs = paired_differences(r);
  j["reference"] = diffs.empty() ? "" : diffs.front().reference;
  j["agents"] = nlohmann::json::array();
  for (size_t i = 0; i < r.agents.size(); ++i) {
    const auto& x = r.agents[i];
    const double ups = x.train_seconds > 0 ? x.updates / x.train_seconds : 0;
    nlohmann::json a;
    a["name"] = x.spec.label;
    a["agent"] = x.spec.entry;
    a["privileged"] = x.privileged;
    a["mean_return"] = x.summary.mean;
    a["ci_low"] = x.summary.ci_low;
    a["ci_high"] = x.summary.ci_high;
    a["seed_returns"] = x.seed_returns;
    a["ctr"] = eval::summarize(x.seed_ctr).mean;
    const auto ctr = eval::summarize(x.seed_ctr, 0.95);
    a["seed_ctr"] = x.seed_ctr;
    a["ctr_ci_low"] = ctr.ci_low;
    a["ctr_ci_high"] = ctr.ci_high;
    const auto& d = diffs[i];
    a["diff_vs_reference"] = {{"reference", d.reference}, {"mean", d.mean},
                              {"ci_low", jnum(d.ci_low)}, {"ci_high", jnum(d.ci_high)},
                              {"ci_over", d.ci_over},     {"pairs", d.pairs}};
    a["vs_random"] = jnum(rel(x.summary.mean, random_mean));
    a["vs_myopic"] = jnum(rel(x.summary.mean, myopic_mean));
    a["train_seconds"] = x.train_seconds;
    a["train_env_steps"] = x.train_steps;
    a["updates"] = x.updates;
    a["updates_per_second"] = ups;
    a["train_env_steps_per_second"] = x.train_seconds > 0 ? x.train_steps / x.train_seconds : 0.0;
    a["eval_seconds"] = x.eval_seconds;
    a["mean_reward"] = metric(x.seed_reward);
    if (r.protocol == "offline") {
      a["p@5"] = metric(x.seed_p5);
      a["p@10"] = metric(x.seed_p10);
      a["ndcg@5"] = metric(x.seed_n5);
      a["ndcg@10"] = metric(x.seed_n10);
    }
    j["agents"].push_back(a);
  }
  return j;
}

Table leaderboard_table(const CompareResult& r) {
  const double random_mean = mean_of(r, "random"), myopic_mean = mean_of(r, "myopic");
  auto pct = [](double v) { return std::isnan(v) ? std::string("-") : fmt(100 * v, 1) + "%"; };
  Table t({"agent", "mean return", "95% CI", "vs random", "vs myopic", "CTR", "train s",
           "updates/s", "eval s"});
  for (const auto& a : r.agents) {
    const double ups = a.train_seconds > 0 ? a.updates / a.train_seconds : 0;
    t.add_row(
        {a.spec.label + (a.privileged ? " (oracle)" : ""), fmt(a.summary.mean, 2),
         a.seed_returns.size() >= 2 ? interval(a.summary.ci_low, a.summary.ci_high, 2) : "n/a",
         pct(rel(a.summary.mean, random_mean)), pct(rel(a.summary.mean, myopic_mean)),
         fmt(eval::summarize(a.seed_ctr).mean, 4), fmt(a.train_seconds, 1),
         a.learning ? fmt(ups, 0) : "-", fmt(a.eval_seconds, 1)});
  }
  return t;
}

Table reward_table(const CompareResult& r) {
  const bool offline = r.protocol == "offline";
  Table t({"agent", "mean reward/step", "95% CI"});
  if (offline)
    for (const char* h : {"P@5", "P@10", "95% CI", "NDCG@5", "NDCG@10", "95% CI"}) t.add_header(h);
  auto ci = [](const eval::Summary& s) {
    return s.n >= 2 ? interval(s.ci_low, s.ci_high, 4) : std::string("n/a");
  };
  for (const auto& a : r.agents) {
    auto cell = [&](const std::vector<double>& xs, bool with_ci) {
      if (xs.empty()) return std::string("-");
      const auto s = eval::summarize(xs, 0.95);
      return with_ci ? ci(s) : fmt(s.mean, 4);
    };
    const auto w = eval::summarize(a.seed_reward, 0.95);
    std::vector<std::string> row = {a.spec.label, fmt(w.mean, 4), ci(w)};
    if (offline)
      for (auto c : {cell(a.seed_p5, false), cell(a.seed_p10, false), cell(a.seed_p10, true),
                     cell(a.seed_n5, false), cell(a.seed_n10, false), cell(a.seed_n10, true)})
        row.push_back(std::move(c));
    t.add_row(std::move(row));
  }
  return t;
}

}  // namespace rlrec::train
