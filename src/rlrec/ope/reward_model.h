// Reward models qhat(x, a, l) for the direct method and the doubly robust family, fitted with
// k-fold cross-fitting (Chernozhukov et al. 2018, "Double/debiased machine learning", Econometrics
// J. 21; used for DR by Narita, Yasui & Yata 2021 and in OBP's RegressionModel): the rounds are
// split into k folds by a seeded permutation; the model predicting fold f is trained on the other
// k-1 folds, so no round is scored by a model that saw its own reward.
//
// Learners (LIBLINEAR 2.x, Fan et al. 2008, JMLR 9, Debian liblinear-dev; not hand-written):
//   logistic  L2-regularized logistic regression (solver L2R_LR):
//             min_w 1/2 |w|^2 + C sum_i log(1 + exp(-y_i w.z_i)), y in {-1,+1}; qhat =
//             sigmoid(w.z). Rewards must be 0/1.
//   ridge     L2-regularized least squares (solver L2R_L2LOSS_SVR with epsilon p = 0):
//             min_w 1/2 |w|^2 + C sum_i (r_i - w.z_i)^2, i.e. ridge with penalty 1/(2C).
// A bias feature (constant 1, regularized as LIBLINEAR does) is appended.
// Features z(x_i, a) = [context_i, action_a, pair(i, a)] (sparse, concatenated). As in OBP, one
// model per position (per_position) is fitted, since click rates differ by slot.
// Degenerate training sets (a fold/position with a single reward class for logistic) predict the
// training mean instead of calling the solver (stated, counted in FitReport::constant_models).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rlrec/ope/bandit_data.h"

namespace rlrec::ope {

// Compressed sparse rows: row r's entries are index[offsets[r]..offsets[r+1]) (0-based feature
// ids < dim, strictly increasing within a row) with values value[...].
struct SparseRows {
  int dim = 0;
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> index;
  std::vector<float> value;

  size_t rows() const { return offsets.size() - 1; }
  void add(int32_t i, float v) {
    index.push_back(i);
    value.push_back(v);
  }
  void end_row() { offsets.push_back(static_cast<int64_t>(index.size())); }
  SparseRows subset(const std::vector<size_t>& rows) const;
};

struct RewardFeatures {
  SparseRows context;  // n rows (one per round)
  SparseRows action;   // n_actions rows
  // Optional dense features of the (round, action) pair: n x n_actions x pair_dim (e.g. OBD's
  // user-item affinity of that action). pair_dim may be 0.
  int pair_dim = 0;
  std::vector<float> pair;
  RewardFeatures subset(const std::vector<size_t>& rows, int n_actions) const;
};

struct RewardModelOptions {
  std::string kind = "logistic";  // logistic | ridge
  double C = 1.0;                 // inverse regularization strength, > 0
  int folds = 3;                  // cross-fitting folds, >= 2 (1: fit and predict on all rounds)
  bool per_position = true;       // one model per position
  double eps = 1e-4;              // LIBLINEAR stopping tolerance
  uint64_t seed = 0;              // fold assignment
};

struct FitReport {
  int models = 0;
  int constant_models = 0;
};

// Returns qhat(x_i, a, l_i) for every round i and action a: n x n_actions, row-major.
std::vector<double> fit_predict_cross_fitted(const BanditData& data, const RewardFeatures& features,
                                             const RewardModelOptions& options,
                                             FitReport* report = nullptr);

}  // namespace rlrec::ope
