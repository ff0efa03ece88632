// Linear contextual bandits serving top-K slates.
//
// LinUCB: Li, Chu, Langford, Schapire, "A Contextual-Bandit Approach to Personalized News Article
//   Recommendation", WWW 2010 (Algorithm 1 and the hybrid model of §3.2). With A = λI + Σ φφᵀ and
//   b = Σ r φ over the observed (context, item, reward) triples, θ̂ = A⁻¹ b and the item's score
//     p(u, i) = θ̂ᵀφ(u, i) + α sqrt(φ(u, i)ᵀ A⁻¹ φ(u, i)).
// Linear Thompson sampling: Agrawal & Goyal, "Thompson Sampling for Contextual Bandits with Linear
//   Payoffs", ICML 2013 (Algorithm 1). Per decision draw θ̃ ~ N(θ̂, v² B⁻¹) with B = λI + Σ φφᵀ
//   (the paper's λ = 1) and score θ̃ᵀφ(u, i).
// ε-greedy: the same ridge regression; with probability ε (decaying linearly from 1 to
//   epsilon_final over epsilon_decay_steps after warm-up) the slate is uniformly random, otherwise
//   the items are ranked by θ̂ᵀφ (Sutton & Barto, §2.2).
// Slates: the top K candidates by score, best first (one draw θ̃ per slate for TS).
// Learning: every shown item of every served slate is one observation (φ, y), with y the item's
//   credit: target = reward gives the step's reward to the chosen slot and 0 to the others (RecSim:
//   the clicked item's watch time); target = FIELD takes the slot's response column (e.g. rating
//   on rating-log environments, whose reward is per slate). A, b accumulate at every observe(); θ̂
//   and the Cholesky factor of A are refreshed every update_period environment steps after
//   warmup_steps (uniform random slates are served during warm-up). Offline (data_section names a
//   [data] log): the same observations from the logged slates, in one pass over the log.
// Evaluation serves greedily by θ̂ᵀφ (eval_explore = true keeps the training-time exploration).
//
// Deviations: (1) one shared θ over features of the (user, item) pair (the hybrid model's shared
// part) and no per-item θ_a: in the fresh-items environments items never recur, and a shared model
// covers a corpus of any size. (2) TS's v is a tunable `scale`: the paper's v = R sqrt(24 d ln(1/δ)
// / ε) is a worst-case constant that explores far too much in practice. (3) Slates rather than one
// arm: items are scored independently and the top K shown, with per-slot credit as above (a
// position- and choice-model-free simplification; the choice model only decides the credit).
// (4) θ̂ and L are refreshed every update_period steps instead of after every observation.
#include "rlrec/agents/bandits.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>

#include "rlrec/agents/kit.h"
#include "rlrec/agents/offline.h"
#include "rlrec/agents/replay.h"
#include "rlrec/core/error.h"
#include "rlrec/logs/log.h"

namespace rlrec::agents {
namespace bandit {

int feature_dim(FeatureMap map, int U, int D) {
  switch (map) {
    case FeatureMap::kItem:
      return D + 1;
    case FeatureMap::kProduct:
      return 2 * D + 1;
    case FeatureMap::kOuter:
      return (U + 1) * (D + 1);
  }
  return 0;
}

void features(FeatureMap map, const float* u, int U, const float* x, int D, double* out) {
  if (map == FeatureMap::kOuter) {
    for (int a = 0; a <= U; ++a) {
      const double ua = a == 0 ? 1.0 : u[a - 1];
      for (int c = 0; c <= D; ++c) *out++ = ua * (c == 0 ? 1.0 : x[c - 1]);
    }
    return;
  }
  *out++ = 1.0;
  for (int c = 0; c < D; ++c) *out++ = x[c];
  if (map == FeatureMap::kProduct)
    for (int c = 0; c < D; ++c) *out++ = static_cast<double>(u[c]) * x[c];
}

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct RidgeModel::Impl {
  int d;
  double ridge;
  Mat A, A_fit;  // A now, and at the last refit
  Vec b, b_fit;
  int64_t count = 0;
  Eigen::LLT<Mat> llt;
  std::vector<double> theta;
  void fit() {
    llt.compute(A_fit);
    Vec t = llt.solve(b_fit);
    theta.assign(t.data(), t.data() + d);
  }
};

RidgeModel::RidgeModel(int dim, double ridge) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.d = dim;
  m.ridge = ridge;
  m.A = Mat::Identity(dim, dim) * ridge;
  m.b = Vec::Zero(dim);
  m.A_fit = m.A;
  m.b_fit = m.b;
  m.fit();
}
RidgeModel::~RidgeModel() = default;
RidgeModel::RidgeModel(const RidgeModel& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
RidgeModel& RidgeModel::operator=(const RidgeModel& o) {
  *impl_ = *o.impl_;
  return *this;
}

int RidgeModel::dim() const { return impl_->d; }
int64_t RidgeModel::count() const { return impl_->count; }
const std::vector<double>& RidgeModel::theta() const { return impl_->theta; }

void RidgeModel::add(const double* x, double y) {
  Eigen::Map<const Vec> v(x, impl_->d);
  impl_->A.noalias() += v * v.transpose();
  impl_->b += y * v;
  ++impl_->count;
}

void RidgeModel::refit() {
  impl_->A_fit = impl_->A;
  impl_->b_fit = impl_->b;
  impl_->fit();
}

void RidgeModel::means(const double* X, int n, double* out) const {
  Eigen::Map<const RowMat> x(X, n, impl_->d);
  Eigen::Map<const Vec> t(impl_->theta.data(), impl_->d);
  Eigen::Map<Vec>(out, n) = x * t;
}

void RidgeModel::widths(const double* X, int n, double* out) const {
  Eigen::Map<const RowMat> x(X, n, impl_->d);
  const Mat w = impl_->llt.matrixL().solve(x.transpose());  // L⁻¹ Xᵀ: column i = L⁻¹ x_i
  for (int i = 0; i < n; ++i) out[i] = std::sqrt(w.col(i).squaredNorm());
}

void RidgeModel::sample(Rng& rng, double scale, double* theta) const {
  const int d = impl_->d;
  Vec z(d);
  for (int j = 0; j < d; ++j) z[j] = rng.normal();
  const Vec e = impl_->llt.matrixU().solve(z);  // L⁻ᵀ z ~ N(0, A⁻¹)
  for (int j = 0; j < d; ++j) theta[j] = impl_->theta[j] + scale * e[j];
}

std::vector<double> RidgeModel::state() const {
  const Impl& m = *impl_;
  std::vector<double> s;
  auto put = [&s](const auto& e) { s.insert(s.end(), e.data(), e.data() + e.size()); };
  put(m.A), put(m.b), put(m.A_fit), put(m.b_fit);
  s.push_back(static_cast<double>(m.count));
  return s;
}

void RidgeModel::set_state(const std::vector<double>& s) {
  Impl& m = *impl_;
  const size_t dd = static_cast<size_t>(m.d) * m.d;
  RLREC_CHECK(s.size() == 2 * dd + 2 * static_cast<size_t>(m.d) + 1, "ridge state size");
  const double* p = s.data();
  auto get = [&p](auto& e) {
    std::copy(p, p + e.size(), e.data());
    p += e.size();
  };
  get(m.A), get(m.b), get(m.A_fit), get(m.b_fit);
  m.count = static_cast<int64_t>(*p);
  m.fit();
}

}  // namespace bandit

namespace {

using bandit::FeatureMap;
enum class Kind { kUcb, kThompson, kEpsilon };

struct BanditConfig {
  Kind kind = Kind::kUcb;
  std::string features = "auto";
  std::string target = "reward";
  double ridge = 1.0;
  double alpha = 1.0;
  double scale = 0.5;
  double epsilon_final = 0.05;
  int64_t epsilon_decay_steps = 10000;
  int64_t warmup_steps = 0;
  int64_t update_period = 1;
  bool eval_explore = false;
  std::string data_section;

  void visit(FieldVisitor& v) {
    v.field("features", features,
            "φ(u, x): auto (product when user and item dims match, else outer) | item | product "
            "| outer");
    v.field("target", target,
            "an item's credit: reward (the step's reward to the chosen slot) | a response field");
    v.field("ridge", ridge, "λ > 0 of A = λI + Σ φφᵀ");
    if (kind == Kind::kUcb) v.field("alpha", alpha, "α >= 0: width of the confidence bonus");
    if (kind == Kind::kThompson) v.field("scale", scale, "v >= 0: θ̃ ~ N(θ̂, v² A⁻¹)");
    if (kind == Kind::kEpsilon) {
      v.field("epsilon_final", epsilon_final, "exploration rate after the decay");
      v.field("epsilon_decay_steps", epsilon_decay_steps,
              "env steps of linear ε decay from 1 after warm-up");
    }
    v.field("warmup_steps", warmup_steps,
            "env steps of uniform random slates before the first fit");
    v.field("update_period", update_period, "env (or logged) steps between refits of θ̂");
    v.field("eval_explore", eval_explore, "evaluation keeps exploring (false: greedy by θ̂)");
    v.field("data_section", data_section,
            "config section naming a training log (\"\" = train online on served slates)");
  }

  void validate(const std::string& s, const sim::EnvSpec& spec) const {
    check_one_of(s + ".features", features, {"auto", "item", "product", "outer"});
    if (target != "reward" && std::find(spec.response_fields.begin(), spec.response_fields.end(),
                                        target) == spec.response_fields.end()) {
      std::vector<std::string> choices{"reward"};
      choices.insert(choices.end(), spec.response_fields.begin(), spec.response_fields.end());
      check_one_of(s + ".target", target, choices);
    }
    if (!(ridge > 0)) invalid_argument(s, ".ridge must be > 0, got ", format_double(ridge));
    check_range(s + ".alpha", alpha, 0.0, 1e9);
    check_range(s + ".scale", scale, 0.0, 1e9);
    check_range(s + ".epsilon_final", epsilon_final, 0.0, 1.0);
    check_range(s + ".epsilon_decay_steps", epsilon_decay_steps, 1, INT64_MAX);
    check_range(s + ".warmup_steps", warmup_steps, 0, INT64_MAX);
    check_range(s + ".update_period", update_period, 1, INT64_MAX);
    const int U = spec.user_dim - spec.history_length, D = spec.item_dim;
    if (features == "product" && U != D)
      invalid_argument(s, ".features = \"product\" needs equal user and item feature dims, got ", U,
                       " and ", D, "; use outer or item");
    const int64_t d = static_cast<int64_t>(U + 1) * (D + 1);
    if (map(spec) == FeatureMap::kOuter && d > 4096)
      invalid_argument(s, ".features = \"outer\" gives ", d,
                       " features (over 4096); use product or item");
  }

  FeatureMap map(const sim::EnvSpec& spec) const {
    const int U = spec.user_dim - spec.history_length;
    if (features == "item") return FeatureMap::kItem;
    if (features == "product" || (features == "auto" && U == spec.item_dim))
      return FeatureMap::kProduct;
    return FeatureMap::kOuter;
  }
};

class LinearBandit final : public Agent, public OfflineLearner {
 public:
  LinearBandit(std::string name, BanditConfig cfg, const AgentContext& ctx)
      : name_(std::move(name)),
        cfg_(std::move(cfg)),
        env_(ctx.env),
        rng_(ctx.seed, hash_name("bandit")),
        spec_(ctx.env->spec()),
        map_(cfg_.map(spec_)),
        U_(spec_.user_dim - spec_.history_length),
        D_(spec_.item_dim),
        N_(spec_.num_candidates),
        K_(spec_.slate_size),
        d_(bandit::feature_dim(map_, U_, D_)),
        model_(d_, cfg_.ridge),
        eps_{cfg_.warmup_steps, cfg_.epsilon_decay_steps, 1.0, cfg_.epsilon_final},
        rows_([this](Row& r) { r.x.resize(static_cast<size_t>(K_) * d_); }) {
    const auto& f = spec_.response_fields;
    field_ = cfg_.target == "reward"
                 ? -1
                 : static_cast<int>(std::find(f.begin(), f.end(), cfg_.target) - f.begin());
    ckpt_.counters("state.bin", rng_, env_steps_, updates_)
        .part(
            "model.bin", [this](const std::string& p) { save_model(p); },
            [this](const std::string& p) { load_model(p); })
        .after_load([this] { rows_.forget_pending(); });
  }

  std::string_view name() const override { return name_; }
  void set_training(bool t) override { training_ = t; }

  // The observation's own sizes, not the environment's: the rating-log offline protocol
  // (datasim::evaluate_offline) shows each user's test items, any number of them, one pick at a
  // time.
  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    rows_.ensure(obs.batch);
    const bool explore = training_ || cfg_.eval_explore;
    const int N = obs.num_candidates, K = obs.slate_size;
    X_.resize(static_cast<size_t>(N) * d_);
    score_.resize(N);
    for (int b = 0; b < obs.batch; ++b) {
      if (!obs.is_active(b)) continue;
      int32_t* slate = slates + static_cast<size_t>(b) * K;
      fill_features(obs, b, N);
      if (explore && uniform_now(rngs[b])) {
        sim::random_slate(rngs[b], N, K, slate);
      } else {
        score(explore, rngs[b], N);
        sim::top_k_positions(score_.data(), N, K, slate, scratch_);
      }
      Row& row = rows_[b];
      row.x.resize(static_cast<size_t>(K) * d_);
      for (int k = 0; k < K; ++k)
        std::copy_n(&X_[static_cast<size_t>(slate[k]) * d_], d_,
                    &row.x[static_cast<size_t>(k) * d_]);
      if (training_) rows_.mark_acted(b);
    }
  }

  void observe(const StepOutcomes& step, const sim::Observation&) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      const Row& row = rows_.take(b);
      ++env_steps_;
      learn(row.x.data(), step.rewards[b], step.choices[b], step.responses.row(b));
    }
  }

  UpdateStats update() override { return refit_due(); }

  // --------------------------------------------------------------------------- offline learning
  std::string data_section() const override { return cfg_.data_section; }
  void set_log(std::shared_ptr<const logs::LogData> log, const std::string&) override {
    log_ = std::move(log);
    logged_obs_ = std::make_unique<logs::LoggedObservation>(*log_, env_->catalogue());
    cursor_ = 0;
  }
  UpdateStats train_offline(int64_t events) override {
    RLREC_CHECK(log_ != nullptr, "train_offline() before set_log()");
    std::vector<double> x(static_cast<size_t>(K_) * d_);
    const int R = spec_.response_dim();
    for (int64_t e = 0; e < events && cursor_ < log_->size; ++e, ++cursor_) {
      const sim::Observation& obs = logged_obs_->at(cursor_);
      const int32_t* slate = log_->slate_row(cursor_);
      for (int k = 0; k < K_; ++k)
        bandit::features(map_, obs.user_row(0), U_, obs.item_features(0, slate[k]), D_,
                         &x[static_cast<size_t>(k) * d_]);
      learn(x.data(), log_->reward[cursor_], log_->choice[cursor_],
            log_->responses.data() + cursor_ * K_ * R);
    }
    env_steps_ += events;  // logged events consumed (a second pass adds nothing: see the header)
    return refit_due();
  }

  void save(const std::string& dir) const override { ckpt_.save(dir); }
  void load(const std::string& dir) override { ckpt_.load(dir); }

 private:
  struct Row {
    std::vector<double> x;  // K x d: φ of the shown items
  };

  bool uniform_now(Rng& rng) const {
    if (env_steps_ < cfg_.warmup_steps && training_) return true;
    if (cfg_.kind != Kind::kEpsilon) return false;
    const double eps = eps_.value(env_steps_);
    return eps > 0 && rng.uniform() < eps;
  }

  void fill_features(const sim::Observation& obs, int b, int N) {
    for (int i = 0; i < N; ++i)
      bandit::features(map_, obs.user_row(b), U_, obs.item_features(b, i), D_,
                       &X_[static_cast<size_t>(i) * d_]);
  }

  // score_ = the ranking score of each of the N candidates in X_.
  void score(bool explore, Rng& rng, int N) {
    if (explore && cfg_.kind == Kind::kThompson) {
      theta_.resize(d_);
      model_.sample(rng, cfg_.scale, theta_.data());
      for (int i = 0; i < N; ++i) {
        const double* x = &X_[static_cast<size_t>(i) * d_];
        double s = 0;
        for (int j = 0; j < d_; ++j) s += theta_[j] * x[j];
        score_[i] = s;
      }
      return;
    }
    model_.means(X_.data(), N, score_.data());
    if (explore && cfg_.kind == Kind::kUcb && cfg_.alpha > 0) {
      width_.resize(N);
      model_.widths(X_.data(), N, width_.data());
      for (int i = 0; i < N; ++i) score_[i] += cfg_.alpha * width_[i];
    }
  }

  // One served (or logged) slate: K observations (φ_k, credit_k).
  void learn(const double* x, double reward, int choice, const float* responses) {
    const int R = spec_.response_dim();
    for (int k = 0; k < K_; ++k) {
      const double y = field_ < 0 ? (k == choice ? reward : 0.0) : responses[k * R + field_];
      const double* xk = x + static_cast<size_t>(k) * d_;
      double pred = 0;
      model_.means(xk, 1, &pred);
      sq_err_ += (y - pred) * (y - pred);
      target_sum_ += y;
      ++seen_;
      model_.add(xk, y);
    }
  }

  // Refits once when update periods are due; counts every due period as one update.
  UpdateStats refit_due() {
    UpdateStats st;
    const int64_t due =
        env_steps_ < cfg_.warmup_steps ? 0 : (env_steps_ - cfg_.warmup_steps) / cfg_.update_period;
    if (updates_ >= due) return st;
    model_.refit();
    st.updates = due - updates_;
    updates_ = due;
    const double n = static_cast<double>(std::max<int64_t>(seen_, 1));
    st.loss_sum = sq_err_ / n * static_cast<double>(st.updates);           // prequential MSE
    st.td_target_sum = target_sum_ / n * static_cast<double>(st.updates);  // mean credit
    sq_err_ = target_sum_ = 0;
    seen_ = 0;
    return st;
  }

  CheckpointMeta meta() const {
    return {"linear_bandit",
            name_,
            spec_.name,
            {{"features", map_ == FeatureMap::kItem      ? "item"
                          : map_ == FeatureMap::kProduct ? "product"
                                                         : "outer"},
             {"target", cfg_.target}},
            {{"user_dim", spec_.user_dim},
             {"item_dim", D_},
             {"num_candidates", N_},
             {"slate_size", K_},
             {"feature_dim", d_}}};
  }
  void save_model(const std::string& path) const {
    std::vector<double> s = model_.state();
    s.push_back(sq_err_), s.push_back(target_sum_), s.push_back(static_cast<double>(seen_));
    s.push_back(static_cast<double>(cursor_));
    std::ofstream os(path, std::ios::binary);
    os.write(reinterpret_cast<const char*>(s.data()),
             static_cast<std::streamsize>(s.size() * sizeof(double)));
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
  }
  void load_model(const std::string& path) {
    std::vector<double> s(model_.state().size() + 4);
    std::ifstream is(path, std::ios::binary);
    is.read(reinterpret_cast<char*>(s.data()),
            static_cast<std::streamsize>(s.size() * sizeof(double)));
    if (!is || is.peek() != std::char_traits<char>::eof())
      throw_error(ErrorCode::kCorrupt, path, ": not a model of ", d_, " features");
    cursor_ = static_cast<int64_t>(s.back()), s.pop_back();
    seen_ = static_cast<int64_t>(s.back()), s.pop_back();
    target_sum_ = s.back(), s.pop_back();
    sq_err_ = s.back(), s.pop_back();
    model_.set_state(s);
  }

  std::string name_;
  BanditConfig cfg_;
  const sim::Environment* env_;
  Rng rng_;  // unused by the bandits' decisions (they draw from the per-row streams); checkpointed
  const sim::EnvSpec& spec_;
  FeatureMap map_;
  int U_, D_, N_, K_, d_, field_ = -1;
  bandit::RidgeModel model_;
  LinearSchedule eps_;
  bool training_ = false;
  int64_t env_steps_ = 0, updates_ = 0, seen_ = 0, cursor_ = 0;
  double sq_err_ = 0, target_sum_ = 0;
  RowSlots<Row> rows_;
  std::vector<double> X_, score_, width_, theta_;
  std::vector<int32_t> scratch_;
  std::shared_ptr<const logs::LogData> log_;
  std::unique_ptr<logs::LoggedObservation> logged_obs_;
  Checkpoint ckpt_{[this] { return meta(); }};
};

std::unique_ptr<Agent> make_kind(const AgentContext& ctx, const char* name, Kind kind) {
  BanditConfig cfg;
  cfg.kind = kind;
  read_section(*ctx.config, ctx.section, cfg);
  cfg.validate(ctx.section, ctx.env->spec());
  return std::make_unique<LinearBandit>(name, std::move(cfg), ctx);
}

std::string defaults_for(const char* name, Kind kind) {
  BanditConfig cfg;
  cfg.kind = kind;
  return dump_section(name, "", cfg);
}

}  // namespace

std::unique_ptr<Agent> make_linucb(const AgentContext& c) {
  return make_kind(c, "linucb", Kind::kUcb);
}
std::unique_ptr<Agent> make_linear_ts(const AgentContext& c) {
  return make_kind(c, "linear_ts", Kind::kThompson);
}
std::unique_ptr<Agent> make_epsilon_greedy(const AgentContext& c) {
  return make_kind(c, "epsilon_greedy", Kind::kEpsilon);
}
std::string linucb_defaults() { return defaults_for("linucb", Kind::kUcb); }
std::string linear_ts_defaults() { return defaults_for("linear_ts", Kind::kThompson); }
std::string epsilon_greedy_defaults() { return defaults_for("epsilon_greedy", Kind::kEpsilon); }

}  // namespace rlrec::agents
