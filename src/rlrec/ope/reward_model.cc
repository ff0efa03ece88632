// Cross-fitted LIBLINEAR reward models; equations and references in reward_model.h.
#include "rlrec/ope/reward_model.h"

#include <linear.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"

namespace rlrec::ope {

SparseRows SparseRows::subset(const std::vector<size_t>& rows) const {
  SparseRows out;
  out.dim = dim;
  for (size_t r : rows) {
    for (int64_t k = offsets[r]; k < offsets[r + 1]; ++k) out.add(index[k], value[k]);
    out.end_row();
  }
  return out;
}

RewardFeatures RewardFeatures::subset(const std::vector<size_t>& rows, int n_actions) const {
  RewardFeatures out;
  out.context = context.subset(rows);
  out.action = action;
  out.pair_dim = pair_dim;
  const size_t stride = static_cast<size_t>(n_actions) * pair_dim;
  out.pair.reserve(rows.size() * stride);
  for (size_t r : rows)
    out.pair.insert(out.pair.end(), pair.begin() + r * stride, pair.begin() + (r + 1) * stride);
  return out;
}

namespace {

void quiet(const char*) {}

// Builds LIBLINEAR feature_node rows (1-based indices, bias last, -1 terminated).
class Rows {
 public:
  Rows(const RewardFeatures& f, int n_actions) : f_(f), n_actions_(n_actions) {
    dim_ = f.context.dim + f.action.dim + f.pair_dim;
  }
  int dim() const { return dim_; }  // without the bias
  // Appends z(x_i, a) to nodes and returns the offset where it starts.
  size_t append(size_t i, int a, std::vector<feature_node>& nodes) const {
    const size_t start = nodes.size();
    const auto& c = f_.context;
    for (int64_t k = c.offsets[i]; k < c.offsets[i + 1]; ++k)
      nodes.push_back({c.index[k] + 1, c.value[k]});
    const auto& s = f_.action;
    for (int64_t k = s.offsets[a]; k < s.offsets[a + 1]; ++k)
      nodes.push_back({c.dim + s.index[k] + 1, s.value[k]});
    const float* p = f_.pair.data() + (i * n_actions_ + a) * f_.pair_dim;
    for (int k = 0; k < f_.pair_dim; ++k)
      if (p[k] != 0.0f) nodes.push_back({c.dim + s.dim + k + 1, p[k]});
    nodes.push_back({dim_ + 1, 1.0});  // bias
    nodes.push_back({-1, 0.0});
    return start;
  }

 private:
  const RewardFeatures& f_;
  int n_actions_;
  int dim_;
};

}  // namespace

std::vector<double> fit_predict_cross_fitted(const BanditData& data, const RewardFeatures& f,
                                             const RewardModelOptions& opt, FitReport* report) {
  const size_t n = data.size();
  const int A = data.n_actions;
  const bool logistic = opt.kind == "logistic";
  if (!logistic && opt.kind != "ridge")
    invalid_argument("unknown reward model '", opt.kind, "'; known: logistic, ridge");
  // A non-finite C or tolerance would make LIBLINEAR's solver iterate forever.
  if (!(opt.C > 0) || !std::isfinite(opt.C))
    invalid_argument("reward model C must be finite and > 0, got ", opt.C);
  if (!(opt.eps > 0) || !std::isfinite(opt.eps))
    invalid_argument("reward model tolerance eps must be finite and > 0, got ", opt.eps);
  if (opt.folds < 1) invalid_argument("cross-fitting folds must be >= 1, got ", opt.folds);
  if (static_cast<size_t>(opt.folds) > n)
    invalid_argument("cross-fitting folds (", opt.folds, ") exceed the number of rounds (", n, ")");
  if (f.context.rows() != n)
    invalid_argument("reward features have ", f.context.rows(), " context rows, the log has ", n,
                     " rounds");
  if (f.action.rows() != static_cast<size_t>(A))
    invalid_argument("reward features have ", f.action.rows(), " action rows, the log has ", A,
                     " actions");
  if (f.pair.size() != n * A * static_cast<size_t>(f.pair_dim))
    invalid_argument("pair features have ", f.pair.size(), " values, expected ",
                     n * A * f.pair_dim);
  if (logistic)
    for (size_t i = 0; i < n; ++i)
      if (data.reward[i] != 0.0 && data.reward[i] != 1.0)
        invalid_argument("round ", i, ": reward ", data.reward[i],
                         " is not 0/1; the logistic reward model needs binary rewards (use ridge)");
  {
    static std::once_flag once;
    std::call_once(once, [] { set_print_string_function(quiet); });
  }

  // Seeded fold assignment: a permutation dealt round-robin.
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(opt.seed, hash_name("ope.folds"));
  for (size_t i = n; i > 1; --i) std::swap(perm[i - 1], perm[rng.uniform_int(i)]);
  std::vector<int> fold(n);
  for (size_t k = 0; k < n; ++k) fold[perm[k]] = static_cast<int>(k % opt.folds);

  Rows rows(f, A);
  std::vector<double> q(n * A, 0.0);
  const int groups = opt.per_position ? data.n_positions : 1;
  FitReport rep;
  for (int g = 0; g < groups; ++g) {
    for (int fo = 0; fo < opt.folds; ++fo) {
      // Training rounds: other folds (all rounds when folds == 1), this position group.
      std::vector<size_t> train, test;
      for (size_t i = 0; i < n; ++i) {
        if (opt.per_position && data.position[i] != g) continue;
        if (opt.folds == 1 || fold[i] != fo) train.push_back(i);
        if (opt.folds == 1 || fold[i] == fo) test.push_back(i);
      }
      if (test.empty()) continue;
      ++rep.models;
      double mean = 0;
      bool has0 = false, has1 = false;
      for (size_t i : train) {
        mean += data.reward[i];
        (data.reward[i] > 0.5 ? has1 : has0) = true;
      }
      mean = train.empty() ? 0.0 : mean / static_cast<double>(train.size());
      const bool degenerate = train.size() < 2 || (logistic && !(has0 && has1));
      std::vector<feature_node> nodes;
      model* m = nullptr;
      if (!degenerate) {
        std::vector<size_t> starts;
        starts.reserve(train.size());
        for (size_t i : train) starts.push_back(rows.append(i, data.action[i], nodes));
        std::vector<feature_node*> x(train.size());
        std::vector<double> y(train.size());
        for (size_t k = 0; k < train.size(); ++k) {
          x[k] = nodes.data() + starts[k];
          y[k] = logistic ? (data.reward[train[k]] > 0.5 ? 1.0 : -1.0) : data.reward[train[k]];
        }
        problem prob{};
        prob.l = static_cast<int>(train.size());
        prob.n = rows.dim() + 1;
        prob.y = y.data();
        prob.x = x.data();
        prob.bias = -1;  // the bias is an explicit feature (index dim+1)
        parameter param{};
        param.solver_type = logistic ? L2R_LR : L2R_L2LOSS_SVR;
        param.eps = opt.eps;
        param.C = opt.C;
        param.p = 0.0;
        if (const char* err = check_parameter(&prob, &param))
          throw_error(ErrorCode::kInternal,
                      "LIBLINEAR rejected the reward model parameters: ", err);
        m = ::train(&prob, &param);
      } else {
        ++rep.constant_models;
      }
      int label1 = 0;
      if (m && logistic) label1 = m->label[0] == 1 ? 0 : 1;
      std::vector<feature_node> z;
      double probs[2];
      for (size_t i : test) {
        for (int a = 0; a < A; ++a) {
          double v = mean;
          if (m) {
            z.clear();
            rows.append(i, a, z);
            if (logistic) {
              predict_probability(m, z.data(), probs);
              v = probs[label1];
            } else {
              v = predict(m, z.data());
            }
          }
          q[i * A + a] = v;
        }
      }
      if (m) free_and_destroy_model(&m);
    }
  }
  if (report) *report = rep;
  return q;
}

}  // namespace rlrec::ope
