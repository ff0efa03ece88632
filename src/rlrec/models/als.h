// Implicit-feedback matrix factorization by weighted alternating least squares, each least-squares
// problem solved approximately by a few conjugate-gradient steps.
//
// Hu, Koren, Volinsky, "Collaborative filtering for implicit feedback datasets", ICDM 2008, §4:
//   preference p_ui = 1 if r_ui > 0 else 0, confidence c_ui = 1 + alpha r_ui (eq. 2 and §4)
//   minimise sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + lambda (sum_u |x_u|^2 + sum_i |y_i|^2)  (eq. 3)
//   x_u = (Y^T C^u Y + lambda I)^-1 Y^T C^u p(u),  Y^T C^u Y = Y^T Y + Y^T (C^u - I) Y   (eq. 4)
//   and symmetrically for y_i. Y^T Y is computed once per half-step; only the user's observed
//   items enter the correction term, so a half-step costs O(nnz k + n k^2) with CG.
// Takács, Pilászy, Tikk, "Applications of the conjugate gradient method for implicit feedback
// collaborative filtering", RecSys 2011: instead of solving eq. 4 exactly (O(k^3) per user), run
// cg_steps steps of conjugate gradient on A x = b (A = Y^T Y + lambda I + sum_i (c_ui - 1) y_i
// y_i^T, b = sum_i c_ui p_ui y_i) started from the previous x_u. Each step costs one pass over the
// user's items plus one k x k matrix-vector product. This is also what the `implicit` library does.
//
// Deviations and choices:
//   * r_ui is the log's rating/value as given (duplicates summed); stored zeros are p = 0, c = 1,
//     i.e. the same as unobserved. Negative values are rejected (confidence must be >= 1).
//   * CG stops early when the squared residual falls below 1e-20 (nothing left to improve).
//   * Float32 throughout (as in `implicit`); the k x k Gram matrix Y^T Y is summed over a fixed
//     number of row chunks in a fixed order, so results do not depend on the thread count.
//   * Rows with many entries (popular items) run the same CG in lockstep with a different memory
//     layout (AlsHalfStep below): same arithmetic per row, summed in column order.
// train_loss (EpochInfo) is not computed (NaN): the full objective costs a dense pass.
#pragma once

#include <cstdint>
#include <vector>

#include "rlrec/core/matrix_view.h"
#include "rlrec/models/mf.h"
#include "rlrec/models/sparse.h"

namespace rlrec::models {

// Defaults tuned on MovieLens 100K (ratings as r_ui, per-user temporal 80/20 split, full-ranking
// NDCG@10; grid alpha in {0.2, 0.5, 1, 2, 5} x lambda in {0.1, 1, 10, 30}, k in {16..128}): 0.202
// at alpha 0.5, lambda 10 against 0.191 at alpha 1, lambda 0.1; the popularity baseline scores
// 0.121. lambda scales with the data (it competes with Y^T Y, which grows with the number of rows).
struct AlsConfig {
  int factors = 64;        // latent dimension k of x_u and y_i
  int iterations = 15;     // ALS sweeps (each solves all users, then all items)
  double reg = 10.0;       // lambda, L2 penalty on x_u and y_i
  double alpha = 0.5;      // confidence slope: c_ui = 1 + alpha r_ui
  int cg_steps = 3;        // conjugate-gradient steps per row and half-step
  double init_std = 0.01;  // factors start as N(0, init_std^2)
  int64_t seed = 42;       // run seed: initial factors
  int threads = 0;         // worker threads when the caller sizes the pool from the config; 0 = all

  void visit(FieldVisitor& v);
  // Throws rlrec::Error naming "<section>.<key>", the rule and the value.
  void validate(std::string_view section = "mf") const;
};

class ImplicitAls : public MfTrainer {
 public:
  explicit ImplicitAls(AlsConfig config);
  void fit(const data::InteractionLog& train, ThreadPool& pool) override;
  std::string config_toml(std::string_view section) const override;
  int threads() const override { return config_.threads; }
  const AlsConfig& config() const { return config_; }

 private:
  AlsConfig config_;
};

// One half-step: for every row u of m (m.cols == Y.rows), updates X[u] (warm start) by cg_steps CG
// steps on eq. 4 with Y fixed. X is m.rows x k, Y is m.cols x k. Built once per matrix (it keeps a
// reference to m, which must outlive it), run once per iteration.
//
// Work split (speed only; both paths compute the same CG): rows with at most heavy_threshold
// entries ("light") are solved one at a time, their gathered Y rows staying in cache across the
// cg_steps + 1 passes; rows with more ("heavy": popular items) are solved together in lockstep,
// each pass walking m's columns in order so that Y is streamed instead of being gathered from
// memory again by every heavy row. Every row's sums run in a fixed order on either path, so the
// result does not depend on the pool size.
class AlsHalfStep {
 public:
  // heavy_threshold < 0 picks max(64, 65536 / factors) entries (a 256 KiB gather of Y rows).
  AlsHalfStep(const Csr& m, int factors, int64_t heavy_threshold = -1);
  void run(MatrixView<const float> Y, MatrixView<float> X, const AlsConfig& c,
           ThreadPool& pool) const;
  size_t heavy_rows() const { return heavy_.size(); }

 private:
  const Csr& m_;
  int k_;
  std::vector<int32_t> light_, heavy_;
  std::vector<int64_t> light_cost_;  // prefix sums of (nnz + 2k) over light_ (size + 1)
  std::vector<int64_t> heavy_cost_;  // prefix sums of (nnz + mean heavy nnz) over heavy_
  Csr heavy_t_;                      // m.cols x heavy_.size(): heavy_t_(f, h) = m(heavy_[h], f)
};

// AlsHalfStep(m, Y.cols).run(Y, X, c, pool) (builds the split on every call).
void als_half_step(const Csr& m, MatrixView<const float> Y, MatrixView<float> X, const AlsConfig& c,
                   ThreadPool& pool);

// Y^T Y + lambda I (k x k, row-major) summed over a fixed number of row chunks (deterministic).
void gram_matrix(MatrixView<const float> Y, double lambda, MatrixView<float> out, ThreadPool& pool);

}  // namespace rlrec::models
