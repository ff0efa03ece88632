// _rlrec's evaluation of Python policies and its statistics (rlrec.evaluate, rlrec.leaderboard in
// python/rlrec/evaluate.py). Glue only:
//   evaluate_callable(config_toml, act, episodes, seed, batch, threads): runs the Python callable
//     `act` as a sim::Policy through experiment::evaluate_policy, the evaluation of
//     experiment::evaluate_baseline (`rlrec simulate`, compare's baseline rows): the same users
//     (VectorEnv seeded with eval::eval_env_seed(seed), episode e = the same user). Each step,
//     act(obs, K) gets a dict of copies of the active rows' observation ("user" (n, user_dim)
//     float32, "candidate_features" (n, N, item_dim) float32 or "candidate_ids" (n, N) int64,
//     "episode_step" (n,) int32, "rows" (n,) int64: their rows in the batch) and the slate size K,
//     and returns a C-order (n, K) int32 array (python/rlrec/evaluate.py checks the user's slates
//     before they get here). The GIL is held only inside act; a pending signal (Ctrl-C) raises
//     before each step; an exception of act propagates unchanged.
//   summarize(xs, level): eval::summarize as a dict.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "interrupt_guard.h"
#include "rlrec/core/check.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/eval/stats.h"
#include "rlrec/experiment/baseline.h"
#include "rlrec/sim/policy.h"

namespace py = pybind11;

namespace rlrec::python {

py::dict results_dict(const eval::EpisodeResults& r);

namespace {

class CallbackPolicy final : public sim::Policy {
 public:
  explicit CallbackPolicy(py::object act) : act_(std::move(act)) {}
  // Drops the reference with the GIL held (evaluate_policy destroys the policy without it).
  ~CallbackPolicy() override {
    py::gil_scoped_acquire gil;
    act_ = py::object();
  }
  std::string_view name() const override { return "python"; }

  void act(const sim::Observation& obs, int32_t* slates, Rng* /*rngs*/) override {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    std::vector<int64_t> rows;
    for (int b = 0; b < obs.batch; ++b)
      if (obs.is_active(b)) rows.push_back(b);
    const auto n = static_cast<py::ssize_t>(rows.size());
    const int N = obs.num_candidates, K = obs.slate_size;
    py::dict d;
    py::array_t<float> user({n, static_cast<py::ssize_t>(obs.user_dim)});
    for (py::ssize_t i = 0; i < n; ++i)
      std::memcpy(user.mutable_data(i, 0), obs.user_row(static_cast<int>(rows[i])),
                  sizeof(float) * obs.user_dim);
    d["user"] = user;
    if (obs.candidate_features) {
      const size_t row = static_cast<size_t>(N) * obs.item_dim;
      py::array_t<float> f(
          {n, static_cast<py::ssize_t>(N), static_cast<py::ssize_t>(obs.item_dim)});
      for (py::ssize_t i = 0; i < n; ++i)
        std::memcpy(f.mutable_data(i, 0, 0), obs.candidate_features + rows[i] * row,
                    sizeof(float) * row);
      d["candidate_features"] = f;
    } else {
      py::array_t<int64_t> ids({n, static_cast<py::ssize_t>(N)});
      for (py::ssize_t i = 0; i < n; ++i)
        for (int p = 0; p < N; ++p)
          *ids.mutable_data(i, p) = obs.item_id(static_cast<int>(rows[i]), p);
      d["candidate_ids"] = ids;
    }
    py::array_t<int32_t> steps(n);
    for (py::ssize_t i = 0; i < n; ++i) steps.mutable_data()[i] = obs.episode_step[rows[i]];
    d["episode_step"] = steps;
    d["rows"] = py::array_t<int64_t>(n, rows.data());
    const py::object out = act_(d, K);
    const auto a = py::array_t<int32_t, py::array::c_style>::ensure(out);
    RLREC_CHECK(a && a.ndim() == 2 && a.shape(0) == n && a.shape(1) == K,
                "the slate checker returns an (n, K) int32 array");
    for (py::ssize_t i = 0; i < n; ++i)
      std::copy(a.data(i, 0), a.data(i, 0) + K, slates + rows[i] * K);
  }

 private:
  py::object act_;
};

// The evaluation run of rlrec.evaluate and rlrec.run_baseline, its numbers checked.
eval::RunConfig checked_run(int64_t episodes, int batch, int threads) {
  check_range("episodes", episodes, 1, int64_t{1} << 40);
  check_range("batch", batch, 1, 1 << 20);
  check_range("threads", threads, 0, 1024);
  eval::RunConfig run;
  run.episodes = episodes;
  run.batch = batch;
  return run;
}

// A baseline policy of the catalogue evaluated as `rlrec simulate` evaluates it
// (experiment::evaluate_baseline): per-episode returns, lengths and clicks.
py::dict run_baseline(const std::string& config_toml, const std::string& policy, int64_t episodes,
                      uint64_t seed, int batch, int threads) {
  const Config cfg = Config::parse_string(config_toml, "rlrec.run_baseline");
  const eval::RunConfig run = checked_run(episodes, batch, threads);
  eval::EpisodeResults r;
  interruptible([&] {
    ThreadPool pool(threads);
    r = experiment::evaluate_baseline(cfg, policy, run, seed, pool);
  });
  return results_dict(r);
}

py::dict evaluate_callable(const std::string& config_toml, py::object act, int64_t episodes,
                           uint64_t seed, int batch, int threads) {
  const Config cfg = Config::parse_string(config_toml, "rlrec.evaluate");
  const eval::RunConfig run = checked_run(episodes, batch, threads);
  eval::EpisodeResults r;
  {
    py::gil_scoped_release release;
    ThreadPool pool(threads);
    r = experiment::evaluate_policy(
        cfg,
        [&act](const sim::PolicyContext&) -> std::unique_ptr<sim::Policy> {
          py::gil_scoped_acquire gil;
          return std::make_unique<CallbackPolicy>(act);
        },
        run, seed, pool);
  }
  return results_dict(r);
}

py::dict summarize(const std::vector<double>& xs, double level) {
  if (!(level > 0 && level < 1)) invalid_argument("level must be in (0, 1), got ", level);
  const eval::Summary s = eval::summarize(xs, level);
  py::dict d;
  d["n"] = s.n;
  d["mean"] = s.mean;
  d["stddev"] = s.stddev;
  d["se"] = s.se;
  d["ci_low"] = s.ci_low;
  d["ci_high"] = s.ci_high;
  return d;
}

}  // namespace

// The per-episode results as numpy arrays.
py::dict results_dict(const eval::EpisodeResults& r) {
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

void add_evaluate(py::module_& m) {
  m.def("run_baseline", &run_baseline, py::arg("config_toml"), py::arg("policy"),
        py::arg("episodes"), py::arg("seed"), py::arg("batch"), py::arg("threads"));
  m.def("evaluate_callable", &evaluate_callable, py::arg("config_toml"), py::arg("act"),
        py::arg("episodes"), py::arg("seed"), py::arg("batch"), py::arg("threads"));
  m.def("summarize", &summarize, py::arg("xs"), py::arg("level") = 0.95);
}

}  // namespace rlrec::python
