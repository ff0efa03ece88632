// _rlrec_agents: the learning agents of the `rlrec` Python package (rlrec.train, rlrec.compare,
// rlrec.evaluate_run, rlrec.load_policy; python/rlrec/agents.py). A second extension, linked with
// rlrec's agents and Debian's libtorch, imported on first use so that `import rlrec` stays
// torch-free. Thin: every behaviour is the library's (train/experiments.h run_train,
// evaluate_run_dir and load_run_dir; train/compare.h run_compare; experiment/baseline.h
// evaluate_policy); this file converts arguments and results.
//
//   _train(kind, source, sets, out, resume, force, max_iterations, threads) -> dict: run_train on
//       the experiment (kind "path": a TOML file, "text": TOML text; then each "section.key=value"
//       of sets, as `rlrec train --set`): "json" (to_json, the text `rlrec train --json` prints)
//       and "metrics" (every MetricsRow field, one dict per row).
//   _compare(kind, source, sets, seeds, episodes, threads, out, resume) -> the text of `rlrec
//       compare --json` (to_json of run_compare).
//   _evaluate_run(run_dir, episodes, threads) -> dict: "json" (`rlrec eval --json`'s text) and
//       the per-episode "returns", "lengths", "clicks".
//   Policy(run_dir, threads): the agent of a run directory (load_run_dir), greedy.
//       act(user, candidates, episode_step, last_responses, last_choice) -> (n, K) int32 slates
//       from numpy observations (python/rlrec/agents.py shapes and checks them);
//       evaluate(episodes, seed, batch, threads) -> per-episode results: the agent run by
//       experiment::evaluate_policy on the run's [env], as rlrec.evaluate evaluates a baseline.
//
// Long calls run with the GIL released; Ctrl-C raises KeyboardInterrupt (interrupt_guard.h).
// Errors: rlrec::Error becomes the class python/rlrec/errors.py registers for its code.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interrupt_guard.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/experiment/baseline.h"
#include "rlrec/sim/policy.h"
#include "rlrec/train/compare.h"
#include "rlrec/train/experiments.h"
#include "rlrec/train/trainer.h"

namespace py = pybind11;

namespace rlrec::python {
namespace {

Config experiment_config(const std::string& kind, const std::string& source,
                         const std::vector<std::string>& sets) {
  Config cfg = kind == "path" ? Config::parse_file(source)
                              : Config::parse_string(source, "<experiment text>");
  for (const auto& s : sets) cfg.set(s);
  return cfg;
}

py::dict metrics_row(const train::MetricsRow& m) {
  py::dict d;
  d["iteration"] = m.iteration;
  d["env_steps"] = m.env_steps;
  d["updates"] = m.updates;
  d["mean_return"] = m.mean_return;
  d["se_return"] = m.se_return;
  d["ctr"] = m.ctr;
  d["mean_length"] = m.mean_length;
  d["mean_loss"] = m.mean_loss;
  d["train_seconds"] = m.train_seconds;
  d["updates_per_second"] = m.updates_per_second;
  d["env_steps_per_second"] = m.env_steps_per_second;
  return d;
}

py::dict episode_results(const eval::EpisodeResults& r) {
  py::dict d;
  d["returns"] = py::array_t<double>(static_cast<py::ssize_t>(r.returns.size()), r.returns.data());
  d["lengths"] = py::array_t<int32_t>(static_cast<py::ssize_t>(r.lengths.size()), r.lengths.data());
  d["clicks"] = py::array_t<int32_t>(static_cast<py::ssize_t>(r.clicks.size()), r.clicks.data());
  d["steps"] = r.steps;
  d["truncated"] = r.truncated;
  d["ctr"] = r.ctr();
  d["seconds"] = r.seconds;
  return d;
}

py::dict train_call(const std::string& kind, const std::string& source,
                    const std::vector<std::string>& sets, const std::string& out, bool resume,
                    bool force, std::optional<int> max_iterations, std::optional<int> threads) {
  train::TrainOptions o;
  o.experiment = experiment_config(kind, source, sets);
  o.run_dir = out;
  o.resume = resume;
  o.force = force;
  if (max_iterations) o.max_iterations = *max_iterations;
  o.threads = threads;
  const train::TrainResult r = interruptible([&] { return train::run_train(o); });
  py::dict d;
  d["json"] = train::to_json(r).dump();
  d["label"] = r.label;
  py::list rows;
  for (const auto& m : r.metrics) rows.append(metrics_row(m));
  d["metrics"] = rows;
  return d;
}

std::string compare_call(const std::string& kind, const std::string& source,
                         const std::vector<std::string>& sets, std::optional<int> seeds,
                         std::optional<int64_t> episodes, std::optional<int> threads,
                         const std::string& out, bool resume) {
  train::CompareOptions o;
  o.experiment = experiment_config(kind, source, sets);
  o.seeds = seeds;
  o.episodes = episodes;
  o.threads = threads;
  o.out = out;
  o.resume = resume;
  const train::CompareResult r = interruptible([&] { return train::run_compare(o); });
  return train::to_json(r).dump();
}

py::dict evaluate_run_call(const std::string& run_dir, std::optional<int64_t> episodes,
                           std::optional<int> threads) {
  train::EvalOptions o;
  o.run_dir = run_dir;
  o.episodes = episodes;
  o.threads = threads;
  const train::EvalResult r = interruptible([&] { return train::evaluate_run_dir(o); });
  py::dict d = episode_results(r.results);
  d["json"] = train::to_json(r).dump();
  d["checkpoint"] = r.checkpoint;
  return d;
}

// The loaded agent seen as a sim::Policy that evaluate_policy may own (the agent stays the
// LoadedPolicy's).
class ForwardPolicy final : public sim::Policy {
 public:
  explicit ForwardPolicy(sim::Policy& p) : p_(p) {}
  std::string_view name() const override { return p_.name(); }
  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    p_.act(obs, slates, rngs);
  }

 private:
  sim::Policy& p_;
};

template <class T>
using CArray = py::array_t<T, py::array::c_style>;

class LoadedPolicy {
 public:
  LoadedPolicy(const std::string& run_dir, std::optional<int> threads)
      : loaded_(load(run_dir, threads)) {
    loaded_.agent.agent->set_training(false);
  }

  const sim::EnvSpec& spec() const { return loaded_.agent.env->spec(); }
  const train::LoadedRun& loaded() const { return loaded_; }

  // Arrays come shaped and typed by python/rlrec/agents.py: user (n, user_dim) float32;
  // candidates (n, N, item_dim) float32, (n, N) int64 item ids, or None (the candidates are the
  // catalogue); episode_step (n,) int32; last_responses (n, K, R) float32; last_choice (n,) int32.
  py::array act(const CArray<float>& user, const py::object& candidates,
                const CArray<int32_t>& episode_step, const CArray<float>& last_responses,
                const CArray<int32_t>& last_choice) {
    const sim::EnvSpec& s = spec();
    const int n = static_cast<int>(user.shape(0));
    sim::Observation obs;
    obs.batch = n;
    obs.num_candidates = s.num_candidates;
    obs.slate_size = s.slate_size;
    obs.user_dim = s.user_dim;
    obs.item_dim = s.item_dim;
    obs.user = user.data();
    obs.catalogue = loaded_.agent.env->env().catalogue();
    CArray<int64_t> ids;
    CArray<float> features;
    if (!candidates.is_none()) {
      if (s.fixed_corpus()) {
        ids = candidates.cast<CArray<int64_t>>();
        obs.candidate_ids = ids.data();
      } else {
        features = candidates.cast<CArray<float>>();
        obs.candidate_features = features.data();
      }
    }
    obs.response_dim = s.response_dim();
    obs.episode_step = episode_step.data();
    obs.last_responses = last_responses.data();
    obs.last_choice = last_choice.data();
    // Policy streams of the run's evaluation, one per row: Rng(eval_policy_seed(seed), row).
    while (rngs_.size() < static_cast<size_t>(n))
      rngs_.emplace_back(eval::eval_policy_seed(static_cast<uint64_t>(loaded_.run.seed)),
                         rngs_.size());
    py::array_t<int32_t> slates(
        {static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(s.slate_size)});
    int32_t* out = slates.mutable_data();
    interruptible([&] { loaded_.agent.agent->act(obs, out, rngs_.data()); });
    return slates;
  }

  // The agent evaluated by experiment::evaluate_policy (the evaluation of rlrec.evaluate and
  // `rlrec simulate`) on the run's [env]: for the run's seed and run.batch, the users, streams
  // and numbers of `rlrec eval`.
  py::dict evaluate(int64_t episodes, uint64_t seed, std::optional<int> batch, int threads) {
    eval::RunConfig run = eval::read_run_section(loaded_.cfg, episodes);
    if (batch) run.batch = *batch;
    check_range("batch", run.batch, 1, 1 << 20);
    check_range("threads", threads, 0, 1024);
    sim::Policy& agent = *loaded_.agent.agent;
    const eval::EpisodeResults r = interruptible([&] {
      ThreadPool pool(threads);
      return experiment::evaluate_policy(
          loaded_.cfg,
          [&agent](const sim::PolicyContext&) -> std::unique_ptr<sim::Policy> {
            return std::make_unique<ForwardPolicy>(agent);
          },
          run, seed, pool);
    });
    return episode_results(r);
  }

 private:
  static train::LoadedRun load(const std::string& run_dir, std::optional<int> threads) {
    train::EvalOptions o;
    o.run_dir = run_dir;
    o.threads = threads;
    return interruptible([&] { return train::load_run_dir(o); });
  }

  train::LoadedRun loaded_;
  std::vector<Rng> rngs_;
};

py::dict spec_dict(const sim::EnvSpec& s) {
  py::dict d;
  d["name"] = s.name;
  d["num_candidates"] = s.num_candidates;
  d["slate_size"] = s.slate_size;
  d["user_dim"] = s.user_dim;
  d["item_dim"] = s.item_dim;
  d["response_dim"] = s.response_dim();
  d["corpus_size"] = s.corpus_size;
  d["fixed_corpus"] = s.fixed_corpus();
  d["candidates_are_catalogue"] = s.candidates_are_catalogue();
  return d;
}

}  // namespace
}  // namespace rlrec::python

PYBIND11_MODULE(_rlrec_agents, m) {
  namespace rp = rlrec::python;
  m.doc() = "rlrec's learning agents (use the `rlrec` package, not this module)";
  rp::add_error_translation(m);
  m.def("_train", &rp::train_call, py::arg("kind"), py::arg("source"), py::arg("sets"),
        py::arg("out"), py::arg("resume"), py::arg("force"), py::arg("max_iterations"),
        py::arg("threads"));
  m.def("_compare", &rp::compare_call, py::arg("kind"), py::arg("source"), py::arg("sets"),
        py::arg("seeds"), py::arg("episodes"), py::arg("threads"), py::arg("out"),
        py::arg("resume"));
  m.def("_evaluate_run", &rp::evaluate_run_call, py::arg("run_dir"), py::arg("episodes"),
        py::arg("threads"));
  py::class_<rp::LoadedPolicy>(m, "Policy")
      .def(py::init<const std::string&, std::optional<int>>(), py::arg("run_dir"),
           py::arg("threads"))
      .def_property_readonly("spec",
                             [](const rp::LoadedPolicy& p) { return rp::spec_dict(p.spec()); })
      .def_property_readonly("agent",
                             [](const rp::LoadedPolicy& p) { return p.loaded().spec.entry; })
      .def_property_readonly("label",
                             [](const rp::LoadedPolicy& p) { return p.loaded().spec.label; })
      .def_property_readonly("seed", [](const rp::LoadedPolicy& p) { return p.loaded().run.seed; })
      .def_property_readonly("episodes",
                             [](const rp::LoadedPolicy& p) { return p.loaded().run.episodes; })
      .def_property_readonly("checkpoint",
                             [](const rp::LoadedPolicy& p) { return p.loaded().checkpoint; })
      .def_property_readonly("config_toml",
                             [](const rp::LoadedPolicy& p) { return p.loaded().cfg.to_toml(); })
      .def("act", &rp::LoadedPolicy::act, py::arg("user"), py::arg("candidates"),
           py::arg("episode_step"), py::arg("last_responses"), py::arg("last_choice"))
      .def("evaluate", &rp::LoadedPolicy::evaluate, py::arg("episodes"), py::arg("seed"),
           py::arg("batch"), py::arg("threads"));
}
