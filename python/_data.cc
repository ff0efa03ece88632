// Data, off-policy estimators and vector search of the `rlrec` Python package (rlrec.ope,
// rlrec.read_bandit_feedback, rlrec.Index). Thin, as _rlrec.cc: the library does the work
// (data::load_open_bandit + ope::obd_to_bandit, experiment::estimate_bandit, index::make_index);
// this file converts numpy arrays in and out.
//
//   _read_obd(log, item_context) -> dict: the rounds as ope::obd_to_bandit turns them into
//       ope::BanditData (0-based positions), the user features (codes), the user-item affinity,
//       the item context, and "reward_features": an opaque RewardFeatures (the reward model's
//       inputs, for _ope_estimate's dm and DR family).
//   _read_rlrec(log, policy) -> dict: experiment::load_sim_ope_data's per-slot rows of a simulator
//       log, the target policy's action_dist on them, the slates and the reward-model features.
//   _ope_estimate(action, position, reward, pscore, n_actions, n_positions, action_dist,
//       estimated_rewards, reward_features, estimators, bootstrap, seed, level) -> dict name ->
//       estimate fields, as `rlrec ope estimate --json` prints them.
//   _mf_fit(config_toml) -> dict: experiment::run_mf on the options and hyperparameters of the
//       [mf] section (as `rlrec mf fit --config`), quiet: "json" (to_json of the result, the text
//       `rlrec mf fit --json` prints), the fitted embeddings, biases and original ids.
//   Index(kind, dim, metric, M, ef_construction, ef_search, threads, seed): add(vectors, ids),
//       search(queries, k) -> (ids, scores).
//
// Arrays: exact dtypes are required (no silent conversion; the Python layer converts); a wrong
// dtype or shape raises the library's InvalidArgumentError (a ValueError) naming the argument.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "interrupt_guard.h"
#include "rlrec/core/config.h"
#include "rlrec/core/error.h"
#include "rlrec/data/open_bandit.h"
#include "rlrec/experiment/mf_experiment.h"
#include "rlrec/experiment/ope_experiment.h"
#include "rlrec/index/index.h"
#include "rlrec/ope/bandit_data.h"
#include "rlrec/ope/obd.h"
#include "rlrec/ope/reward_model.h"
#include "rlrec/ope/sim_ope.h"
#include "rlrec/ope/slate.h"

namespace py = pybind11;

namespace rlrec::python {
namespace {

template <class T>
using CArray = py::array_t<T, py::array::c_style>;

template <class T>
py::array_t<T> copy_out(const T* data, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(shape);
  std::copy(data, data + a.size(), a.mutable_data());
  return a;
}

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

// `a` as a C-contiguous T array of ndim dimensions; errors name `what` and the rule.
template <class T>
CArray<T> checked(const py::object& obj, const char* what, py::ssize_t ndim, const char* dtype) {
  const py::array a = py::array::ensure(obj);
  if (!a) invalid_argument(what, " must be a numpy array of ", dtype);
  if (!a.dtype().is(py::dtype::of<T>()))
    invalid_argument(what, " must have dtype ", dtype, ", got ",
                     py::str(a.dtype()).cast<std::string>());
  if (a.ndim() != ndim)
    invalid_argument(what, " must have ", ndim, " dimensions, got shape ", shape_text(a));
  return CArray<T>::ensure(a);
}

template <class T>
std::vector<T> to_vector(const CArray<T>& a) {
  return std::vector<T>(a.data(), a.data() + a.size());
}

py::dict read_obd(const std::string& log_path, const std::string& item_context) {
  data::LoadReport report;
  const data::BanditLog log = data::load_open_bandit(log_path, item_context, {}, &report);
  auto b = std::make_shared<ope::ObdBandit>(ope::obd_to_bandit(log));
  const auto n = static_cast<py::ssize_t>(b->data.size());
  py::dict d;
  d["n_rounds"] = n;
  d["n_actions"] = b->data.n_actions;
  d["len_list"] = b->data.n_positions;
  d["action"] = copy_out(b->data.action.data(), {n});
  d["position"] = copy_out(b->data.position.data(), {n});
  d["reward"] = copy_out(b->data.reward.data(), {n});
  d["pscore"] = copy_out(b->data.pscore.data(), {n});
  d["timestamp"] = copy_out(log.timestamp_us.data(), {n});
  d["context"] = copy_out(log.user_features.view().data,
                          {n, static_cast<py::ssize_t>(log.user_features.view().cols)});
  d["context_names"] = log.user_feature_names;
  d["affinity"] =
      copy_out(log.affinity.view().data, {n, static_cast<py::ssize_t>(log.affinity.view().cols)});
  const auto items = static_cast<py::ssize_t>(log.items.num_items);
  d["action_context"] = copy_out(log.items.numeric.view().data,
                                 {items, static_cast<py::ssize_t>(log.items.numeric.view().cols)});
  d["action_context_names"] = log.items.numeric_names;
  d["action_context_categorical"] =
      copy_out(log.items.categorical.view().data,
               {items, static_cast<py::ssize_t>(log.items.categorical.view().cols)});
  d["action_context_categorical_names"] = log.items.categorical_names;
  d["rows_read"] = report.read;
  d["rows_rejected"] = report.rejected;
  // Shares the loaded rounds: the features are the part the Python dict cannot carry.
  d["reward_features"] = std::shared_ptr<ope::RewardFeatures>(b, &b->features);
  return d;
}

py::dict read_rlrec(const std::string& log_path, const std::string& policy) {
  experiment::SimLogInfo info;
  auto d =
      std::make_shared<ope::SimOpeData>(experiment::load_sim_ope_data(log_path, policy, &info));
  const ope::BanditData& b = d->rows;
  const auto n = static_cast<py::ssize_t>(b.size());
  const auto steps = static_cast<py::ssize_t>(d->slate.size());
  const auto N = static_cast<py::ssize_t>(d->num_candidates);
  const int K = d->slate_size;
  py::dict out;
  out["n_rounds"] = n;
  out["n_actions"] = b.n_actions;
  out["len_list"] = b.n_positions;
  out["action"] = copy_out(b.action.data(), {n});
  out["position"] = copy_out(b.position.data(), {n});
  out["reward"] = copy_out(b.reward.data(), {n});
  out["pscore"] = copy_out(b.pscore.data(), {n});
  out["action_dist"] = copy_out(d->target.p.data(), {n, N, static_cast<py::ssize_t>(K)});
  out["n_steps"] = steps;
  out["slate"] = copy_out(d->slate.item.data(), {steps, static_cast<py::ssize_t>(K)});
  out["slate_reward"] = copy_out(d->slate.reward.data(), {steps, static_cast<py::ssize_t>(K)});
  const std::vector<py::ssize_t> slate_shape{steps, static_cast<py::ssize_t>(K)};
  out["pscore_cascade"] = copy_out(d->slate.pb_cascade.data(), slate_shape);
  out["pscore_item_position"] = copy_out(d->slate.pb_slot.data(), slate_shape);
  out["evaluation_policy_pscore_item_position"] = copy_out(d->slate.pe_slot.data(), slate_shape);
  // The target's whole-slate probability is its cascade's last slot (ope/sim_ope.h); None where
  // the target does not expose it (sips and rips then refuse to run).
  if (d->has_target_cascade)
    out["evaluation_policy_pscore_cascade"] = copy_out(d->slate.pe_cascade.data(), slate_shape);
  else
    out["evaluation_policy_pscore_cascade"] = py::none();
  if (d->has_target_slate) {
    py::array_t<double> joint(steps);
    for (py::ssize_t i = 0; i < steps; ++i)
      joint.mutable_data()[i] = d->slate.pe_cascade[static_cast<size_t>(i) * K + K - 1];
    out["evaluation_policy_pscore"] = joint;
  } else {
    out["evaluation_policy_pscore"] = py::none();
  }
  out["env"] = info.env;
  out["behaviour"] = info.behaviour;
  out["policy"] = policy;
  out["reward_features"] = std::shared_ptr<ope::RewardFeatures>(d, &d->features);
  return out;
}

py::dict estimate_to_dict(const ope::Estimate& e) {
  py::dict d;
  d["estimate"] = e.estimate;
  d["ci_low"] = e.ci_low;
  d["ci_high"] = e.ci_high;
  d["mean"] = e.boot_mean;  // the keys of `rlrec ope estimate --json`
  d["std"] = e.boot_std;
  d["lambda"] = std::isfinite(e.lambda) ? py::object(py::float_(e.lambda)) : py::object(py::none());
  d["bootstrap"] = e.bootstrap;
  d["level"] = e.level;
  return d;
}

py::dict ope_estimate(const py::object& action, const py::object& position,
                      const py::object& reward, const py::object& pscore, int n_actions,
                      int n_positions, const py::object& action_dist,
                      const py::object& estimated_rewards, const py::object& reward_features,
                      const std::string& estimators, int bootstrap, int64_t seed, double level,
                      const std::string& reward_model, double model_c, int folds,
                      double clip_lambda, double switch_lambda, double dros_lambda) {
  ope::BanditData data;
  data.n_actions = n_actions;
  data.n_positions = n_positions;
  data.action = to_vector(checked<int32_t>(action, "bandit_feedback['action']", 1, "int32"));
  data.position = to_vector(checked<int32_t>(position, "bandit_feedback['position']", 1, "int32"));
  data.reward = to_vector(checked<double>(reward, "bandit_feedback['reward']", 1, "float64"));
  data.pscore = to_vector(checked<double>(pscore, "bandit_feedback['pscore']", 1, "float64"));
  const size_t n = data.action.size();
  if (data.position.size() != n || data.reward.size() != n || data.pscore.size() != n)
    invalid_argument(
        "bandit_feedback: action, position, reward and pscore must have one value per "
        "round, got lengths ",
        n, ", ", data.position.size(), ", ", data.reward.size(), ", ", data.pscore.size());
  const auto dist_arr = checked<double>(action_dist, "action_dist", 3, "float64");
  if (static_cast<size_t>(dist_arr.shape(0)) != n || dist_arr.shape(1) != n_actions ||
      dist_arr.shape(2) != n_positions)
    invalid_argument("action_dist must have shape (n_rounds, n_actions, len_list) = (", n, ", ",
                     n_actions, ", ", n_positions, "), got ", shape_text(dist_arr));
  ope::ActionDist dist;
  dist.n_actions = n_actions;
  dist.n_positions = n_positions;
  dist.per_round = true;
  dist.p = to_vector(dist_arr);

  std::vector<double> q;
  const std::vector<double>* q_ptr = nullptr;
  if (!estimated_rewards.is_none()) {
    const auto qa =
        checked<double>(estimated_rewards, "estimated_rewards_by_reg_model", 3, "float64");
    if (static_cast<size_t>(qa.shape(0)) != n || qa.shape(1) != n_actions ||
        qa.shape(2) != n_positions)
      invalid_argument(
          "estimated_rewards_by_reg_model must have shape (n_rounds, n_actions, "
          "len_list) = (",
          n, ", ", n_actions, ", ", n_positions, "), got ", shape_text(qa));
    // The library's q_hat is qhat at the logged position: OBP's array at [i, a, position_i].
    q.resize(n * static_cast<size_t>(n_actions));
    for (size_t i = 0; i < n; ++i)
      for (int a = 0; a < n_actions; ++a)
        q[i * n_actions + a] = qa.at(static_cast<py::ssize_t>(i), a, data.position[i]);
    q_ptr = &q;
  }
  const ope::RewardFeatures* features = nullptr;
  if (!reward_features.is_none()) features = reward_features.cast<const ope::RewardFeatures*>();
  if (features != nullptr && features->context.rows() != n)
    invalid_argument("bandit_feedback['reward_features'] describes ", features->context.rows(),
                     " rounds, the feedback has ", n);

  experiment::OpeEstimateOptions o;
  o.estimators = estimators;
  o.bootstrap = bootstrap;
  o.seed = seed;
  o.level = level;
  o.model.reward_model = reward_model;
  o.model.model_c = model_c;
  o.model.folds = folds;
  o.model.clip_lambda = clip_lambda;
  o.model.switch_lambda = switch_lambda;
  o.model.dros_lambda = dros_lambda;
  experiment::OpeEstimateResult r;
  interruptible([&] { r = experiment::estimate_bandit(data, dist, features, q_ptr, o); });
  py::dict out;
  for (const auto& e : r.estimates) out[py::str(e.name)] = estimate_to_dict(e);
  return out;
}

// Slate estimators on whole slates (ope/sim_ope.h estimate_slates): every array (n_slates, L);
// the target's joint probability (n_slates,) or None, its cascade (n_slates, L) or None.
py::dict ope_estimate_slate(const py::object& slate, const py::object& slate_reward,
                            const py::object& pscore_item_position,
                            const py::object& pscore_cascade, const py::object& eval_item_position,
                            const py::object& eval_cascade, const py::object& eval_joint,
                            int n_actions, const std::vector<std::string>& estimators,
                            int bootstrap, int64_t seed) {
  ope::SlateData d;
  const auto items = checked<int32_t>(slate, "slate_feedback['slate']", 2, "int32");
  const py::ssize_t n = items.shape(0), L = items.shape(1);
  d.n_actions = n_actions;
  d.slate_size = static_cast<int>(L);
  d.item = to_vector(items);
  auto column = [&](const py::object& obj, const char* what) {
    const auto a = checked<double>(obj, what, 2, "float64");
    if (a.shape(0) != n || a.shape(1) != L)
      invalid_argument(what, " must have the shape of slate_feedback['slate'] ", shape_text(items),
                       ", got ", shape_text(a));
    return to_vector(a);
  };
  d.reward = column(slate_reward, "slate_feedback['slate_reward']");
  d.pb_slot = column(pscore_item_position, "slate_feedback['pscore_item_position']");
  d.pb_cascade = column(pscore_cascade, "slate_feedback['pscore_cascade']");
  d.pe_slot = column(eval_item_position, "evaluation_policy_pscore_item_position");
  const bool has_cascade = !eval_cascade.is_none(), has_joint = !eval_joint.is_none();
  if (has_cascade) {
    d.pe_cascade = column(eval_cascade, "evaluation_policy_pscore_cascade");
    if (has_joint)
      invalid_argument(
          "give evaluation_policy_pscore_cascade or "
          "evaluation_policy_pscore, not both (the joint probability "
          "is the cascade's last slot)");
  } else {
    // As ope/sim_ope.cc stores a target without conditionals: the whole-slate probability at the
    // last slot, zeros before it.
    d.pe_cascade.assign(d.item.size(), 0.0);
    if (has_joint) {
      const auto j = checked<double>(eval_joint, "evaluation_policy_pscore", 1, "float64");
      if (j.shape(0) != n)
        invalid_argument("evaluation_policy_pscore must have one value per slate (", n,
                         "), got shape ", shape_text(j));
      for (py::ssize_t i = 0; i < n; ++i) d.pe_cascade[i * L + L - 1] = j.data()[i];
    }
  }
  std::vector<ope::Estimate> r;
  interruptible([&] {
    r = ope::estimate_slates(d, estimators, has_cascade || has_joint, has_cascade, bootstrap,
                             static_cast<uint64_t>(seed), "slate_feedback");
  });
  py::dict out;
  for (const auto& e : r) out[py::str(e.name)] = estimate_to_dict(e);
  return out;
}

py::dict mf_fit(const std::string& config_toml) {
  const Config cfg = Config::parse_string(config_toml, "rlrec.mf_fit");
  experiment::MfOptions o;
  read_section(cfg, "mf", o, experiment::mf_hyperparameter_keys());
  o.hyperparameters = cfg;
  o.verbose = false;
  experiment::MfResult r;
  interruptible([&] { r = experiment::run_mf(o); });
  const models::MfModel& m = *r.model;
  const auto f = static_cast<py::ssize_t>(m.factors());
  py::dict d;
  d["json"] = experiment::to_json(r).dump();
  d["user_factors"] = copy_out(m.user_factors.view().data, {m.num_users(), f});
  d["item_factors"] = copy_out(m.item_factors.view().data, {m.num_items(), f});
  d["user_bias"] = copy_out(m.user_bias.data(), {static_cast<py::ssize_t>(m.user_bias.size())});
  d["item_bias"] = copy_out(m.item_bias.data(), {static_cast<py::ssize_t>(m.item_bias.size())});
  d["global_bias"] = m.global_bias;
  d["user_ids"] = m.users.originals();
  d["item_ids"] = m.items.originals();
  d["config_toml"] = r.config_toml;
  return d;
}

class PyIndex {
 public:
  PyIndex(const std::string& kind, size_t dim, const index::IndexConfig& config)
      : index_(index::make_index(kind, dim, config)) {}

  void add(const py::object& vectors, const py::object& ids) {
    const auto v = checked<float>(vectors, "vectors", 2, "float32");
    const auto i = checked<int64_t>(ids, "ids", 1, "int64");
    if (v.shape(0) != i.shape(0))
      invalid_argument("ids must have one id per vector row: vectors ", shape_text(v), ", ids ",
                       shape_text(i));
    if (static_cast<size_t>(v.shape(1)) != index_->dim())
      invalid_argument("vectors must have ", index_->dim(), " columns (the index dim), got shape ",
                       shape_text(v));
    MatrixView<const float> view(v.data(), static_cast<size_t>(v.shape(0)),
                                 static_cast<size_t>(v.shape(1)));
    std::span<const int64_t> id_span(i.data(), static_cast<size_t>(i.shape(0)));
    py::gil_scoped_release release;
    index_->add(view, id_span);
  }

  py::tuple search(const py::object& queries, int64_t k) const {
    const auto q = checked<float>(queries, "queries", 2, "float32");
    if (static_cast<size_t>(q.shape(1)) != index_->dim())
      invalid_argument("queries must have ", index_->dim(), " columns (the index dim), got shape ",
                       shape_text(q));
    MatrixView<const float> view(q.data(), static_cast<size_t>(q.shape(0)),
                                 static_cast<size_t>(q.shape(1)));
    const py::ssize_t rows = q.shape(0);
    // k is checked by the library (1 <= k <= size()); allocate only a sane shape.
    const py::ssize_t cols = k >= 1 && static_cast<size_t>(k) <= index_->size() ? k : 0;
    py::array_t<int64_t> ids({rows, cols});
    py::array_t<float> scores({rows, cols});
    MatrixView<int64_t> ids_view(ids.mutable_data(), static_cast<size_t>(rows),
                                 static_cast<size_t>(cols));
    MatrixView<float> scores_view(scores.mutable_data(), static_cast<size_t>(rows),
                                  static_cast<size_t>(cols));
    {
      py::gil_scoped_release release;
      index_->search(view, k, ids_view, scores_view);
    }
    return py::make_tuple(ids, scores);
  }

  const index::Index& get() const { return *index_; }

 private:
  std::unique_ptr<index::Index> index_;
};

}  // namespace

void add_data_bindings(py::module_& m) {
  py::class_<ope::RewardFeatures, std::shared_ptr<ope::RewardFeatures>>(m, "RewardFeatures")
      .def_property_readonly("n_rounds",
                             [](const ope::RewardFeatures& f) { return f.context.rows(); });
  m.def("_read_obd", &read_obd, py::arg("log"), py::arg("item_context"));
  m.def("_read_rlrec", &read_rlrec, py::arg("log"), py::arg("policy"));
  m.def("_ope_estimate", &ope_estimate, py::arg("action"), py::arg("position"), py::arg("reward"),
        py::arg("pscore"), py::arg("n_actions"), py::arg("n_positions"), py::arg("action_dist"),
        py::arg("estimated_rewards"), py::arg("reward_features"), py::arg("estimators"),
        py::arg("bootstrap"), py::arg("seed"), py::arg("level"), py::arg("reward_model"),
        py::arg("model_c"), py::arg("folds"), py::arg("clip_lambda"), py::arg("switch_lambda"),
        py::arg("dros_lambda"));
  m.def("_ope_estimate_slate", &ope_estimate_slate, py::arg("slate"), py::arg("slate_reward"),
        py::arg("pscore_item_position"), py::arg("pscore_cascade"), py::arg("eval_item_position"),
        py::arg("eval_cascade"), py::arg("eval_joint"), py::arg("n_actions"), py::arg("estimators"),
        py::arg("bootstrap"), py::arg("seed"));
  m.def("_mf_fit", &mf_fit, py::arg("config_toml"));
  m.def("_index_kinds", [] {
    std::vector<std::string> names;
    for (const auto& k : index::index_kinds()) names.emplace_back(k.name);
    return names;
  });
  py::class_<PyIndex>(m, "Index")
      .def(py::init([](const std::string& kind, size_t dim, const std::string& metric, int M,
                       int ef_construction, int ef_search, int threads, int64_t seed) {
             index::IndexConfig c;
             c.metric = metric;
             c.M = M;
             c.ef_construction = ef_construction;
             c.ef_search = ef_search;
             c.threads = threads;
             c.seed = seed;
             return PyIndex(kind, dim, c);
           }),
           py::arg("kind"), py::arg("dim"), py::arg("metric"), py::arg("M"),
           py::arg("ef_construction"), py::arg("ef_search"), py::arg("threads"), py::arg("seed"))
      .def("add", &PyIndex::add, py::arg("vectors"), py::arg("ids"))
      .def("search", &PyIndex::search, py::arg("queries"), py::arg("k"))
      .def_property_readonly("kind", [](const PyIndex& i) { return std::string(i.get().kind()); })
      .def_property_readonly("dim", [](const PyIndex& i) { return i.get().dim(); })
      .def("__len__", [](const PyIndex& i) { return i.get().size(); });
}

}  // namespace rlrec::python
