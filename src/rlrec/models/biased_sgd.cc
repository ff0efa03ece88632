// Biased MF by SGD: see biased_sgd.h for the paper, the equations and the deviations.
#include "rlrec/models/biased_sgd.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "rlrec/core/interrupt.h"
#include "rlrec/models/kernels.h"
#include "rlrec/models/strata.h"
#include "rlrec/models/train_util.h"

namespace rlrec::models {

void BiasedSgdConfig::visit(FieldVisitor& v) {
  v.field("factors", factors, "latent dimension k of the user and item factors");
  v.field("epochs", epochs, "passes over the training ratings");
  v.field("lr", lr, "SGD step size gamma of the first epoch");
  v.field("lr_decay", lr_decay, "step size multiplier applied after every epoch, in (0, 1]");
  v.field("reg", reg, "L2 penalty lambda on the user and item factors");
  v.field("reg_bias", reg_bias, "L2 penalty lambda_b on the user and item biases");
  v.field("init_std", init_std, "standard deviation of the N(0, s^2) initial factors");
  v.field("blocks", blocks, "DSGD blocks per side (fixes the update order; not the thread count)");
  v.field("clip", clip, "clip predicted ratings to the train [min, max] rating");
  v.field("seed", seed, "run seed: initial factors and update order");
  v.field("threads", threads, "worker threads (0 = all cores)");
}

void BiasedSgdConfig::validate(std::string_view section) const {
  auto k = [&](const char* key) { return str_cat(section, ".", key); };
  check_range(k("factors"), factors, 1, 4096);
  check_range(k("epochs"), epochs, 1, 100000);
  detail::check_gt(k("lr"), lr, 0);
  detail::check_half_open(k("lr_decay"), lr_decay, 0, 1);
  detail::check_min(k("reg"), reg, 0);
  detail::check_min(k("reg_bias"), reg_bias, 0);
  detail::check_gt(k("init_std"), init_std, 0);
  check_range(k("blocks"), blocks, 1, 1024);
  check_range(k("seed"), seed, 0, INT64_MAX);
  check_range(k("threads"), threads, 0, 4096);
}

BiasedSgd::BiasedSgd(BiasedSgdConfig config) : config_(config) { config_.validate(); }

std::string BiasedSgd::config_toml(std::string_view section) const {
  return dump_section(section, "biased_sgd", config_);
}

namespace {

// One pass over a cell's ratings; returns the sum of squared residuals (before each update).
template <int K>
RLREC_MF_INLINE double sgd_cell_k(std::span<const uint32_t> rows, const data::InteractionLog& log,
                                  float mu, float lr, float reg, float reg_bias, int k,
                                  Matrix<float>& P, Matrix<float>& Q, std::vector<float>& bu,
                                  std::vector<float>& bi) {
  double sq = 0;
  for (uint32_t r : rows) {
    const int32_t u = log.user[r], i = log.item[r];
    float* __restrict p = P.row(u);
    float* __restrict q = Q.row(i);
    const float e = log.rating[r] - (mu + bu[u] + bi[i] + kernels::dot<K>(p, q, k));
    sq += static_cast<double>(e) * e;
    bu[u] += lr * (e - reg_bias * bu[u]);
    bi[i] += lr * (e - reg_bias * bi[i]);
    const int m = kernels::len<K>(k);
#pragma omp simd
    for (int j = 0; j < m; ++j) {
      const float pj = p[j], qj = q[j];
      p[j] = pj + lr * (e * qj - reg * pj);
      q[j] = qj + lr * (e * pj - reg * qj);
    }
  }
  return sq;
}

RLREC_MF_CLONES
double sgd_cell(std::span<const uint32_t> rows, const data::InteractionLog& log, float mu, float lr,
                float reg, float reg_bias, int k, Matrix<float>& P, Matrix<float>& Q,
                std::vector<float>& bu, std::vector<float>& bi) {
  double sq = 0;
  RLREC_MF_DISPATCH(k, sq = sgd_cell_k<K>(rows, log, mu, lr, reg, reg_bias, k, P, Q, bu, bi))
  return sq;
}

}  // namespace

void BiasedSgd::fit(const data::InteractionLog& log, ThreadPool& pool) {
  detail::check_log(log, "biased_sgd");
  const BiasedSgdConfig& c = config_;
  const int k = c.factors;
  MfModel m;
  m.kind = "biased_sgd";
  m.users = log.users;
  m.items = log.items;
  m.config_toml = config_toml("mf");
  m.clip = c.clip;
  double sum = 0;
  float lo = log.rating[0], hi = log.rating[0];
  for (float r : log.rating) {
    sum += r;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  m.global_bias = static_cast<float>(sum / static_cast<double>(log.size()));
  m.min_rating = lo;
  m.max_rating = hi;
  m.user_factors.resize(log.num_users(), k);
  m.item_factors.resize(log.num_items(), k);
  detail::init_normal(m.user_factors, static_cast<uint64_t>(c.seed), "biased_sgd.user", c.init_std);
  detail::init_normal(m.item_factors, static_cast<uint64_t>(c.seed), "biased_sgd.item", c.init_std);
  m.user_bias.assign(log.num_users(), 0.0f);
  m.item_bias.assign(log.num_items(), 0.0f);

  Strata strata(log.user, log.item, log.num_users(), log.num_items(), c.blocks);
  std::vector<double> cell_sq(static_cast<size_t>(c.blocks) * c.blocks);
  double lr = c.lr;
  for (int epoch = 0; epoch < c.epochs; ++epoch) {
    throw_if_interrupted();  // core/interrupt.h
    strata.shuffle(static_cast<uint64_t>(c.seed), epoch);
    const float lr_f = static_cast<float>(lr);
    strata.run(pool, [&](const Strata::Cell& cell) {
      cell_sq[cell.index] = sgd_cell(cell.rows, log, m.global_bias, lr_f, static_cast<float>(c.reg),
                                     static_cast<float>(c.reg_bias), k, m.user_factors,
                                     m.item_factors, m.user_bias, m.item_bias);
    });
    double sq = 0;
    for (double s : cell_sq) sq += s;  // fixed order: deterministic
    if (!std::isfinite(sq))
      throw_error(ErrorCode::kInternal, "biased_sgd training diverged at epoch ", epoch + 1,
                  " (non-finite residuals); lower mf.lr (", c.lr, ") or raise mf.reg");
    report({epoch + 1, c.epochs, std::sqrt(sq / static_cast<double>(log.size()))});
    lr *= c.lr_decay;
  }
  const char* hint = "lower mf.lr or raise mf.reg";
  detail::check_finite(m.user_factors.data(), m.user_factors.storage().size(), "biased_sgd",
                       "user factors", hint);
  detail::check_finite(m.item_factors.data(), m.item_factors.storage().size(), "biased_sgd",
                       "item factors", hint);
  model_ = std::move(m);
}

}  // namespace rlrec::models
