// BPR-MF: see bpr.h for the paper, the equations and the deviations.
#include "rlrec/models/bpr.h"

#include <cmath>
#include <vector>

#include "rlrec/core/interrupt.h"
#include "rlrec/core/rng.h"
#include "rlrec/models/kernels.h"
#include "rlrec/models/sparse.h"
#include "rlrec/models/strata.h"
#include "rlrec/models/train_util.h"

namespace rlrec::models {

void BprConfig::visit(FieldVisitor& v) {
  v.field("factors", factors, "latent dimension k of the user and item factors");
  v.field("epochs", epochs, "passes over the positive (user, item) pairs");
  v.field("lr", lr, "SGD step size gamma");
  v.field("reg", reg, "L2 penalty lambda on factors and item biases");
  v.field("init_std", init_std, "standard deviation of the N(0, s^2) initial factors");
  v.field("item_bias", item_bias, "learn an item bias b_i");
  v.field("neg_tries", neg_tries, "negative draws per triple before it is skipped");
  v.field("blocks", blocks,
          "DSGD blocks per side (fixes the sampling order; not the thread count)");
  v.field("seed", seed, "run seed: initial factors, order and negatives");
  v.field("threads", threads, "worker threads (0 = all cores)");
}

void BprConfig::validate(std::string_view section) const {
  auto k = [&](const char* key) { return str_cat(section, ".", key); };
  check_range(k("factors"), factors, 1, 4096);
  check_range(k("epochs"), epochs, 1, 100000);
  detail::check_gt(k("lr"), lr, 0);
  detail::check_min(k("reg"), reg, 0);
  detail::check_gt(k("init_std"), init_std, 0);
  check_range(k("neg_tries"), neg_tries, 1, 1000);
  check_range(k("blocks"), blocks, 1, 1024);
  check_range(k("seed"), seed, 0, INT64_MAX);
  check_range(k("threads"), threads, 0, 4096);
}

Bpr::Bpr(BprConfig config) : config_(config) { config_.validate(); }

std::string Bpr::config_toml(std::string_view section) const {
  return dump_section(section, "bpr", config_);
}

namespace {

struct CellResult {
  double loss = 0;
  int64_t skipped = 0;
};

template <int K>
RLREC_MF_INLINE CellResult bpr_cell_k(const Strata::Cell& cell,
                                      const std::vector<int32_t>& pos_user,
                                      const std::vector<int32_t>& pos_item, const Csr& ui, int k,
                                      float lr, float reg, int neg_tries, bool use_bias,
                                      Matrix<float>& P, Matrix<float>& Q, std::vector<float>& b) {
  CellResult out;
  if (cell.rows.empty()) return out;
  Rng rng(cell.key, 0);
  const int n = kernels::len<K>(k);
  for (uint32_t r : cell.rows) {
    const int32_t u = pos_user[r], i = pos_item[r];
    int32_t j = -1;
    if (!cell.items.empty()) {
      for (int t = 0; t < neg_tries; ++t) {
        const int32_t cand = cell.items[rng.uniform_int(cell.items.size())];
        if (!ui.contains(u, cand)) {
          j = cand;
          break;
        }
      }
    }
    if (j < 0) {
      ++out.skipped;
      continue;
    }
    float* __restrict p = P.row(u);
    float* __restrict qi = Q.row(i);
    float* __restrict qj = Q.row(j);
    float x = 0;
#pragma omp simd reduction(+ : x)
    for (int d = 0; d < n; ++d) x += p[d] * (qi[d] - qj[d]);
    if (use_bias) x += b[i] - b[j];
    // g = sigma(-x); loss = -ln sigma(x) = ln(1 + e^-x), both computed without overflow.
    const float g = x >= 0 ? std::exp(-x) / (1.0f + std::exp(-x)) : 1.0f / (1.0f + std::exp(x));
    out.loss += x >= 0 ? std::log1p(std::exp(-static_cast<double>(x)))
                       : -static_cast<double>(x) + std::log1p(std::exp(static_cast<double>(x)));
#pragma omp simd
    for (int d = 0; d < n; ++d) {
      const float pd = p[d], qid = qi[d], qjd = qj[d];
      p[d] = pd + lr * (g * (qid - qjd) - reg * pd);
      qi[d] = qid + lr * (g * pd - reg * qid);
      qj[d] = qjd + lr * (-g * pd - reg * qjd);
    }
    if (use_bias) {
      b[i] += lr * (g - reg * b[i]);
      b[j] += lr * (-g - reg * b[j]);
    }
  }
  return out;
}

RLREC_MF_CLONES
CellResult bpr_cell(const Strata::Cell& cell, const std::vector<int32_t>& pos_user,
                    const std::vector<int32_t>& pos_item, const Csr& ui, int k, float lr, float reg,
                    int neg_tries, bool use_bias, Matrix<float>& P, Matrix<float>& Q,
                    std::vector<float>& b) {
  CellResult out;
  RLREC_MF_DISPATCH(k, out = bpr_cell_k<K>(cell, pos_user, pos_item, ui, k, lr, reg, neg_tries,
                                           use_bias, P, Q, b))
  return out;
}

}  // namespace

void Bpr::fit(const data::InteractionLog& log, ThreadPool& pool) {
  detail::check_log(log, "bpr");
  const BprConfig& c = config_;
  const Csr ui = user_item_matrix(log, Duplicates::kSum);
  std::vector<int32_t> pos_user, pos_item;
  pos_user.reserve(static_cast<size_t>(ui.nnz()));
  pos_item.reserve(static_cast<size_t>(ui.nnz()));
  for (int32_t u = 0; u < ui.rows; ++u)
    for (int64_t t = ui.indptr[u]; t < ui.indptr[u + 1]; ++t)
      if (ui.values[t] > 0) {
        pos_user.push_back(u);
        pos_item.push_back(ui.indices[t]);
      }
  if (pos_user.empty())
    invalid_argument("bpr: the training log has no positive (value > 0) interactions");

  MfModel m;
  m.kind = "bpr";
  m.users = log.users;
  m.items = log.items;
  m.config_toml = config_toml("mf");
  m.user_factors.resize(log.num_users(), c.factors);
  m.item_factors.resize(log.num_items(), c.factors);
  detail::init_normal(m.user_factors, static_cast<uint64_t>(c.seed), "bpr.user", c.init_std);
  detail::init_normal(m.item_factors, static_cast<uint64_t>(c.seed), "bpr.item", c.init_std);
  std::vector<float> bias(static_cast<size_t>(log.num_items()), 0.0f);

  Strata strata(pos_user, pos_item, log.num_users(), log.num_items(), c.blocks);
  std::vector<CellResult> cells(static_cast<size_t>(c.blocks) * c.blocks);
  skipped_ = 0;
  for (int epoch = 0; epoch < c.epochs; ++epoch) {
    throw_if_interrupted();  // core/interrupt.h
    strata.shuffle(static_cast<uint64_t>(c.seed), epoch);
    strata.run(pool, [&](const Strata::Cell& cell) {
      cells[cell.index] = bpr_cell(cell, pos_user, pos_item, ui, c.factors,
                                   static_cast<float>(c.lr), static_cast<float>(c.reg), c.neg_tries,
                                   c.item_bias, m.user_factors, m.item_factors, bias);
    });
    double loss = 0;
    int64_t skipped = 0;
    for (const auto& r : cells) {  // fixed order: deterministic
      loss += r.loss;
      skipped += r.skipped;
    }
    skipped_ += skipped;
    const int64_t used = static_cast<int64_t>(pos_user.size()) - skipped;
    if (!std::isfinite(loss))
      throw_error(ErrorCode::kInternal, "bpr training diverged at epoch ", epoch + 1,
                  " (non-finite loss); lower mf.lr (", c.lr, ") or raise mf.reg");
    report({epoch + 1, c.epochs, used > 0 ? loss / static_cast<double>(used) : std::nan("")});
  }
  const char* hint = "lower mf.lr or raise mf.reg";
  detail::check_finite(m.user_factors.data(), m.user_factors.storage().size(), "bpr",
                       "user factors", hint);
  detail::check_finite(m.item_factors.data(), m.item_factors.storage().size(), "bpr",
                       "item factors", hint);
  if (c.item_bias) m.item_bias = std::move(bias);
  model_ = std::move(m);
}

}  // namespace rlrec::models
