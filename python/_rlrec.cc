// _rlrec: the pybind11 extension behind the `rlrec` Python package. Thin: every behaviour is the
// library's (catalog::make_environment, sim::VectorEnv, eval::run_episodes); this file converts
// arguments, exposes buffers as numpy views and maps errors. The pure-Python layer
// (python/rlrec/*.py) builds the Gymnasium-style API on top.
//
// Core(config_toml, num_envs, seed, threads): one sim::VectorEnv of num_envs slots for the [env]
// section of config_toml, seeded as the C++ runner seeds evaluation (eval::run_episodes as `rlrec
// simulate` calls it): the environment (its catalogue in fixed-corpus mode) is built with `seed`,
// the VectorEnv with eval::eval_env_seed(seed), so episode e is the runner's episode e.
//   views()           numpy views of the observation buffers (no copy; read-only; valid while the
//                     Core lives: each view holds a reference to it; contents change on step/reset)
//   reset_slot(b, e), reset_all(e0)
//   step(actions)     plain VectorEnv step of every slot (the single environment uses it)
//   step_autoreset(actions): Gymnasium's next-step autoreset: a slot that ended on the previous
//                     call is reset to its next episode (episode + num_envs, as the runner's slot b
//                     runs b, b + B, ...) and its action ignored; the others step.
// Actions: (num_envs, K) integer arrays; a wrong dtype raises TypeError, a wrong shape ValueError,
// an out-of-range or duplicate position the library's one-line error. The GIL is released while
// stepping and resetting.
//
// Errors: rlrec::Error becomes an instance of the Python class registered for its ErrorCode by
// _set_error_classes (python/rlrec/errors.py), with the same message; RuntimeError before that.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interrupt_guard.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/eval/run_config.h"
#include "rlrec/eval/runner.h"
#include "rlrec/experiment/baseline.h"
#include "rlrec/sim/policy.h"
#include "rlrec/sim/vector_env.h"

namespace py = pybind11;

namespace rlrec::python {
void add_data_bindings(py::module_& m);  // _data.cc
namespace {

py::array readonly(py::array a) {
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

template <class T>
py::array view(const T* data, std::vector<py::ssize_t> shape, py::handle owner) {
  return readonly(py::array_t<T>(std::move(shape), data, owner));
}

py::dict spec_dict(const sim::EnvSpec& s) {
  py::dict d;
  d["name"] = s.name;
  d["num_candidates"] = s.num_candidates;
  d["slate_size"] = s.slate_size;
  d["user_dim"] = s.user_dim;
  d["item_dim"] = s.item_dim;
  d["response_fields"] = s.response_fields;
  d["reward"] = s.reward;
  d["corpus_size"] = s.corpus_size;
  d["max_steps"] = s.max_steps;
  d["history_length"] = s.history_length;
  d["user_low"] = s.user_low;
  d["user_high"] = s.user_high;
  d["item_low"] = s.item_low;
  d["item_high"] = s.item_high;
  d["fixed_corpus"] = s.fixed_corpus();
  d["candidates_are_catalogue"] = s.candidates_are_catalogue();
  return d;
}

class Core {
 public:
  Core(const std::string& config_toml, int num_envs, uint64_t seed, int threads)
      : cfg_(Config::parse_string(config_toml, "rlrec.make")), seed_(seed) {
    if (num_envs < 1) invalid_argument("num_envs must be >= 1, got ", num_envs);
    check_range("threads", threads, 0, 1024);
    pool_ = std::make_unique<ThreadPool>(threads);
    venv_ = std::make_unique<sim::VectorEnv>(catalog::make_environment(cfg_, seed), num_envs,
                                             eval::eval_env_seed(seed), pool_.get());
    const int B = venv_->batch();
    slates_.assign(static_cast<size_t>(B) * venv_->spec().slate_size, 0);
    active_.assign(B, 1);
    needs_reset_.assign(B, 0);
  }

  const sim::EnvSpec& spec() const { return venv_->spec(); }
  int num_envs() const { return venv_->batch(); }
  int threads() const { return pool_->size(); }
  uint64_t seed() const { return seed_; }

  // Views of the observation buffers (the keys present depend on the candidate mode).
  py::dict views(py::handle self) const {
    const sim::EnvSpec& s = spec();
    const sim::Observation o = venv_->observation();
    const py::ssize_t B = num_envs(), N = s.num_candidates;
    py::dict d;
    d["user"] = view(o.user, {B, s.user_dim}, self);
    if (o.candidate_features)
      d["candidate_features"] = view(o.candidate_features, {B, N, s.item_dim}, self);
    if (o.candidate_ids) d["candidate_ids"] = view(o.candidate_ids, {B, N}, self);
    if (o.candidate_quality) d["candidate_quality"] = view(o.candidate_quality, {B, N}, self);
    const auto R = static_cast<py::ssize_t>(s.response_dim());
    d["responses"] = view(venv_->responses().data, {B, s.slate_size, R}, self);
    d["rewards"] = view(venv_->rewards(), {B}, self);
    // 0/1 bytes seen as numpy bool (the view of a read-only array is read-only).
    d["terminated"] = view(venv_->terminated(), {B}, self).attr("view")("bool");
    d["truncated"] = view(venv_->truncated(), {B}, self).attr("view")("bool");
    d["choices"] = view(venv_->choices(), {B}, self);
    return d;
  }

  // The fixed catalogue (fixed-corpus mode), or None.
  py::object catalogue(py::handle self) const {
    const sim::Catalogue* c = venv_->env().catalogue();
    if (!c) return py::none();
    py::dict d;
    const auto M = static_cast<py::ssize_t>(c->size());
    d["features"] =
        view(c->features.data(), {M, static_cast<py::ssize_t>(c->features.cols())}, self);
    d["quality"] = view(c->quality.data(), {M}, self);
    d["topic"] = view(c->topic.data(), {M}, self);
    d["fingerprint"] = c->fingerprint;
    return d;
  }

  void reset_slot(int slot, uint64_t episode) {
    check_slot(slot);
    Busy busy(*this);
    py::gil_scoped_release release;
    venv_->reset(slot, episode);
    needs_reset_[slot] = 0;
  }

  void reset_all(uint64_t first_episode) {
    Busy busy(*this);
    py::gil_scoped_release release;
    venv_->reset_all(first_episode);
    std::fill(needs_reset_.begin(), needs_reset_.end(), 0);
  }

  void step(const py::array& actions) {
    Busy busy(*this);
    read_actions(actions);
    py::gil_scoped_release release;
    venv_->step(slates_.data(), nullptr);
  }

  // Returns the mask of slots that were reset (their action was ignored) as a bool array.
  py::array step_autoreset(const py::array& actions) {
    Busy busy(*this);
    read_actions(actions);
    const int B = num_envs();
    py::array_t<bool> was_reset(B);
    bool* reset_out = was_reset.mutable_data();
    bool any_active = false;
    for (int b = 0; b < B; ++b) {
      active_[b] = !needs_reset_[b];
      reset_out[b] = needs_reset_[b] != 0;
      any_active = any_active || active_[b];
    }
    {
      py::gil_scoped_release release;
      if (any_active) venv_->step(slates_.data(), active_.data());
      for (int b = 0; b < B; ++b) {
        if (active_[b]) {
          needs_reset_[b] = venv_->done(b);
        } else {
          venv_->reset(b, venv_->episode(b) + static_cast<uint64_t>(B));
          needs_reset_[b] = 0;
        }
      }
    }
    return was_reset;
  }

  py::array episodes() const {
    py::array_t<uint64_t> out(num_envs());
    for (int b = 0; b < num_envs(); ++b) out.mutable_data()[b] = venv_->episode(b);
    return out;
  }
  py::array episode_steps() const {
    py::array_t<int32_t> out(num_envs());
    for (int b = 0; b < num_envs(); ++b) out.mutable_data()[b] = venv_->episode_step(b);
    return out;
  }

  // The environment's observed click score of every candidate: (num_envs, N) float64, the score
  // the myopic baseline ranks by (Environment::observed_score).
  py::array observed_scores() const {
    const sim::EnvSpec& s = spec();
    const sim::Observation o = venv_->observation();
    py::array_t<double> out(
        {static_cast<py::ssize_t>(num_envs()), static_cast<py::ssize_t>(s.num_candidates)});
    double* p = out.mutable_data();
    for (int b = 0; b < num_envs(); ++b)
      for (int i = 0; i < s.num_candidates; ++i)
        *p++ = venv_->env().observed_score(o.user_row(b), o.item_features(b, i));
    return out;
  }

 private:
  // The GIL is released while stepping: a second Python thread calling in meanwhile gets an
  // error instead of a data race. Set and cleared with the GIL held, so a plain bool suffices.
  struct Busy {
    explicit Busy(Core& c) : core(c) {
      if (core.busy_)
        throw py::value_error(
            "this environment is being stepped or reset by another thread; one "
            "thread at a time may drive it");
      core.busy_ = true;
    }
    ~Busy() { core.busy_ = false; }
    Core& core;
  };

  void check_slot(int slot) const {
    if (slot < 0 || slot >= num_envs())
      invalid_argument("slot must be in [0, ", num_envs(), "), got ", slot);
  }

  // Copies an integer (num_envs, K) array (or (K,) for one env) into slates_, range-checked to
  // int32.
  void read_actions(const py::array& a) {
    const int B = num_envs(), K = spec().slate_size;
    const py::dtype dt = a.dtype();
    if (dt.kind() != 'i' && dt.kind() != 'u')
      throw py::type_error("action must be an integer array of candidate positions, got dtype " +
                           dt.attr("name").cast<std::string>());
    const bool flat_ok = B == 1 && a.ndim() == 1 && a.shape(0) == K;
    if (!flat_ok && !(a.ndim() == 2 && a.shape(0) == B && a.shape(1) == K))
      throw py::value_error("action must have shape (" + std::to_string(B) + ", " +
                            std::to_string(K) + ")" +
                            (B == 1 ? " or (" + std::to_string(K) + ",)" : "") + ", got " +
                            py::str(a.attr("shape")).cast<std::string>());
    if (py::isinstance<py::array_t<int32_t, py::array::c_style>>(a)) {  // no conversion needed
      const auto* v = static_cast<const int32_t*>(a.data());
      std::copy(v, v + slates_.size(), slates_.begin());
      return;
    }
    const auto src = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!src) throw py::type_error("action could not be read as integers");
    const int64_t* v = src.data();
    const size_t n = slates_.size();
    for (size_t i = 0; i < n; ++i) {
      const int64_t p = v[i];
      // Out-of-int32 values become -1: VectorEnv's check reports them as out of range.
      slates_[i] =
          p < std::numeric_limits<int32_t>::min() || p > std::numeric_limits<int32_t>::max()
              ? -1
              : static_cast<int32_t>(p);
    }
  }

  Config cfg_;
  uint64_t seed_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<sim::VectorEnv> venv_;
  std::vector<int32_t> slates_;
  std::vector<uint8_t> active_, needs_reset_;
  bool busy_ = false;
};

}  // namespace

void add_evaluate(py::module_& m);  // _evaluate.cc: evaluate_callable, summarize

}  // namespace rlrec::python

PYBIND11_MODULE(_rlrec, m) {
  using rlrec::python::Core;
  namespace rp = rlrec::python;
  m.doc() = "rlrec's C++ core (use the `rlrec` package, not this module)";

  rp::add_error_translation(m);

  m.def("environments", [] {
    py::list out;
    for (const auto& e : rlrec::catalog::environments())
      out.append(
          py::make_tuple(std::string(e.name), std::string(e.description), std::string(e.family)));
    return out;
  });
  m.def("policies", [] {
    py::list out;
    for (const auto& p : rlrec::catalog::policies())
      out.append(py::make_tuple(std::string(p.name), std::string(p.description), p.privileged,
                                std::string(p.needs)));
    return out;
  });
  m.def("env_defaults",
        [](const std::string& name) { return rlrec::catalog::find_environment(name).defaults(); });
  m.def("eval_env_seed", &rlrec::eval::eval_env_seed);
  m.def("eval_policy_seed", &rlrec::eval::eval_policy_seed);
  rp::add_evaluate(m);

  py::class_<Core>(m, "Core")
      .def(py::init<const std::string&, int, uint64_t, int>(), py::arg("config_toml"),
           py::arg("num_envs"), py::arg("seed"), py::arg("threads"))
      .def_property_readonly("spec", [](const Core& c) { return rp::spec_dict(c.spec()); })
      .def_property_readonly("num_envs", &Core::num_envs)
      .def_property_readonly("threads", &Core::threads)
      .def_property_readonly("seed", &Core::seed)
      .def("views", [](py::object self) { return self.cast<const Core&>().views(self); })
      .def("catalogue", [](py::object self) { return self.cast<const Core&>().catalogue(self); })
      .def("reset_slot", &Core::reset_slot, py::arg("slot"), py::arg("episode"))
      .def("reset_all", &Core::reset_all, py::arg("first_episode"))
      .def("step", &Core::step, py::arg("actions"))
      .def("step_autoreset", &Core::step_autoreset, py::arg("actions"))
      .def("episodes", &Core::episodes)
      .def("episode_steps", &Core::episode_steps)
      .def("observed_scores", &Core::observed_scores);
  rp::add_data_bindings(m);
}
