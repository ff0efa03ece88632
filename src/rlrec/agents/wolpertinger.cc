// Wolpertinger: Dulac-Arnold, Evans, van Hasselt, Sunehag, Lillicrap, Hunt, Mann, Weber, Degris,
// Coppin, "Deep Reinforcement Learning in Large Discrete Action Spaces", arXiv 1512.07679 (2015),
// Algorithm 1, on DDPG (Lillicrap et al., "Continuous control with deep reinforcement learning",
// ICLR 2016). Notes: shared/reference/algorithms.md §1.
//
// Every item a has a fixed embedding e_a (its feature row). With s the user observation (plus
// session statistics, see deviation 5):
//   proto  = f_θ(s)                                   actor, squashed into the items' bounding box
//   C_k    = the k items nearest to proto (L2)        rlrec::index (exact or HNSW) over the
//                                                     catalogue, or an exact scan of the candidates
//   a*     = argmax_{a ∈ C_k} Q_φ(s, e_a)             critic on [s, e_a]; a slate of K items is the
//                                                     top-K of C_k by Q (best first)
// Training (DDPG on the executed item a_t, replay, minibatch of N transitions):
//   y_i   = r_i + γ (1 - terminal_i) Q_φ'(s'_i, e_{a'_i}),
//           a'_i = argmax_{a ∈ kNN(f_θ'(s'_i))} Q_φ'(s'_i, e_a)  (target_action = "knn": the full
//           Wolpertinger policy with the target networks), or Q_φ'(s'_i, f_θ'(s'_i)) on the
//           proto-action itself (target_action = "proto": plain DDPG's target, k critic
//           evaluations cheaper per transition, but it bootstraps from off-manifold points
//           where the critic is untrained, and diverged in our interest_evolution runs).
//           target_k caps the target's kNN at min(target_k, k) neighbours (deviation 7).
//   critic: minimise (1/N) Σ (y_i - Q_φ(s_i, e_{a_i}))²
//   actor:  ascend   (1/N) Σ Q_φ(s_i, f_θ(s_i))  (the critic's gradient at the proto-action)
//   targets: θ' ← τ θ + (1 - τ) θ',  φ' ← τ φ + (1 - τ) φ'  (τ = 0: hard copies every
//           target_update_period gradient steps)
// k is a count (`k`) or a fraction of the items the agent chooses from (`k_fraction`, rounded up).
// Exploration: noise on the proto-action before the lookup, Gaussian N(0, noise_sigma²) per
// dimension or Ornstein-Uhlenbeck x ← x - ou_theta x + noise_sigma ε (reset at each episode start),
// plus ε-greedy uniform slates on the shared schedule (ε = 1 during warm-up).
//
// Deviations and choices, each with its reason:
//  1. Slates. The paper picks one action. For K > 1 the slate is the critic's top-K among the k
//     neighbours, and the executed action the critic learns from is the slate's first item (the
//     item the actor's proto-action and the critic chose; its value is that of leading the slate).
//     With K = 1 this is the paper's algorithm exactly. The step's reward is the slate's reward.
//  2. The actor's output is squashed into the bounding box of the item embeddings,
//     proto = lo + (hi - lo) (tanh(z) + 1) / 2 per dimension (pkorobov clips to [min, max]; the
//     squash keeps gradients), so proto-actions cannot drift far off the item manifold.
//  3. tau defaults to 0.005 (the paper's DDPG uses 0.001): our runs are 10^4-10^5 steps, not 10^6.
//  4. Fresh-items environments (a new candidate set every step, e.g. RecSim's default) have no
//     catalogue to index: the kNN is an exact scan of the row's N candidates, and the replay stores
//     the next candidates' features for the target (num_candidates <= 1000). With a fixed corpus
//     whose candidates are the whole catalogue the index is built once over the catalogue (or
//     loaded from `index_path`, rejected if it was built for another catalogue); candidates sampled
//     from a fixed corpus (num_candidates < corpus_size) are scanned like fresh items.
//  5. With history_features = true (default) the state is the user observation plus session
//     statistics (history.h), as SlateQ here; interest_evolution's hidden budget depends on them.
//  6. Optional (proto_reg = λ > 0, default 0 = the paper): the actor loss gets λ‖proto − e_near‖²,
//     e_near = the catalogue item nearest to the proto (fixed corpus) or the executed item (fresh
//     items). Proto-actions otherwise drift off the item manifold (algorithms.md §1.3), where the
//     critic is untrained and approximate kNN (HNSW) loses recall: the k nearest items of a query
//     far from every item are the extreme points of many clusters, which graph search misses.
//     pkorobov's variant regularises the critic instead (‖Q(s, proto) − Q(s, 1NN(proto))‖²); it
//     is not implemented.
//  7. target_k (0 = k, the paper) caps the neighbours of the TD target's kNN: with k = 10% of a
//     large catalogue the paper's target costs k critic evaluations per sampled transition.
#include "rlrec/agents/wolpertinger.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rlrec/agents/ddpg.h"
#include "rlrec/agents/dqn_config.h"
#include "rlrec/agents/item_search.h"
#include "rlrec/agents/kit.h"
#include "rlrec/agents/nn.h"
#include "rlrec/agents/replay.h"
#include "rlrec/agents/targets.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/index/hnsw_index.h"

namespace rlrec::agents {
namespace {

struct WolpertingerConfig {
  int64_t k = 0;
  double k_fraction = 0.1;
  CatalogueIndexOptions index;  // keys index, hnsw_*, index_threads, index_path
  int64_t embedding_dim = 0;
  std::string noise = "gaussian";
  double noise_sigma = 0.1;
  double ou_theta = 0.15;
  std::string target_action = "knn";
  int64_t target_k = 0;
  double actor_lr = 1e-3;
  double proto_reg = 0.0;
  double tau = 0.005;
  bool history_features = true;
  DqnConfig dqn;
  nn::OptimizerConfig opt;

  WolpertingerConfig() {
    dqn.hidden = {64, 32};
    dqn.batch_size = 64;
    dqn.warmup_steps = 2000;
    dqn.update_period = 1;
    dqn.epsilon_final = 0.0;
    dqn.epsilon_decay_steps = 1;
  }

  void visit(FieldVisitor& v) {
    v.field("k", k,
            "neighbours re-ranked by the critic, a count >= env.slate_size (0: use k_fraction)");
    v.field(
        "k_fraction", k_fraction,
        "neighbours as a fraction in (0, 1] of the items chosen from (catalogue or candidates), "
        "rounded up; used when k = 0");
    index.visit(v);
    v.field("embedding_dim", embedding_dim,
            "expected item embedding dimension (0 = take env.item_dim; else must equal it)");
    v.field("noise", noise, "exploration noise on the proto-action: gaussian | ou | none");
    v.field("noise_sigma", noise_sigma, "noise standard deviation (embedding units)");
    v.field("ou_theta", ou_theta, "Ornstein-Uhlenbeck mean reversion rate");
    v.field("target_action", target_action,
            "TD target action: knn (target actor -> kNN -> target critic argmax) | proto (DDPG)");
    v.field("target_k", target_k,
            "target_action = knn: neighbours re-ranked in the TD target, min(target_k, k) "
            "(0 = k; caps the target's cost of k critic evaluations per transition)");
    v.field("actor_lr", actor_lr, "actor learning rate (lr is the critic's)");
    v.field("proto_reg", proto_reg,
            "λ of the actor penalty λ·‖proto − nearest item‖² keeping proto-actions on the item "
            "manifold (0 = off, the paper)");
    v.field("tau", tau,
            "Polyak rate of both target networks (0 = hard copies every target_update_period)");
    v.field("history_features", history_features,
            "append session statistics (steps, no-click steps, sums of the chosen responses) to "
            "the state");
    dqn.visit(v);
    opt.visit(v);
  }

  void validate(const std::string& s) const {
    if (k < 0) invalid_argument(s, ".k must be >= 1 (or 0 to use ", s, ".k_fraction), got ", k);
    if (!(k_fraction > 0 && k_fraction <= 1))
      invalid_argument(s, ".k_fraction must be in (0, 1], got ", format_double(k_fraction));
    index.validate(s);
    check_range(s + ".embedding_dim", embedding_dim, 0, 1 << 20);
    check_one_of(s + ".noise", noise, {"gaussian", "ou", "none"});
    check_range(s + ".noise_sigma", noise_sigma, 0.0, 1e6);
    check_range(s + ".ou_theta", ou_theta, 0.0, 1.0);
    check_one_of(s + ".target_action", target_action, {"knn", "proto"});
    check_range(s + ".target_k", target_k, 0, INT64_MAX);
    check_positive(s + ".actor_lr", actor_lr);
    check_range(s + ".proto_reg", proto_reg, 0.0, 1e6);
    check_range(s + ".tau", tau, 0.0, 1.0);
    dqn.validate(s);
    opt.validate(s);
  }
};

// k from the config for `M` items to choose from and slates of K (validated: one-line errors).
int64_t resolve_k(const WolpertingerConfig& c, const std::string& s, int64_t M, int K,
                  const std::string& what) {
  if (c.k > 0) {
    if (c.k > M)
      invalid_argument(s, ".k must be <= the number of items to choose from (", M, ": ", what,
                       "), got ", c.k);
    if (c.k < K) invalid_argument(s, ".k must be >= env.slate_size (", K, "), got ", c.k);
    return c.k;
  }
  const auto k = static_cast<int64_t>(std::ceil(c.k_fraction * static_cast<double>(M) - 1e-9));
  return std::clamp<int64_t>(k, K, M);
}

class Wolpertinger final : public AgentBase {
 public:
  Wolpertinger(WolpertingerConfig cfg, const AgentContext& ctx)
      : AgentBase("wolpertinger", ctx, "wolpertinger"),
        cfg_(std::move(cfg)),
        pool_(ctx.pool),
        users_(ctx.env->spec(), cfg_.history_features) {
    nn::configure_torch();
    const auto& spec = env_->spec();
    const std::string& s = ctx.section;
    catalogue_mode_ = spec.candidates_are_catalogue();
    U_ = users_.dim();
    D_ = spec.item_dim;
    N_ = spec.num_candidates;
    K_ = spec.slate_size;
    if (cfg_.embedding_dim > 0 && cfg_.embedding_dim != D_)
      invalid_argument(s, ".embedding_dim (", cfg_.embedding_dim,
                       ") does not match the environment's item embeddings (env '", spec.name,
                       "' items have ", D_, " features)");
    if (!catalogue_mode_ && N_ > 1000)
      invalid_argument(
          "wolpertinger without a catalogue stores the next candidates of every "
          "transition: env.num_candidates must be <= 1000 (or equal env.corpus_size), got ",
          N_);
    const int64_t M = catalogue_mode_ ? spec.corpus_size : N_;
    k_ = resolve_k(cfg_, s, M, K_,
                   catalogue_mode_ ? "env.corpus_size" : "env.num_candidates per step");
    tk_ = cfg_.target_k > 0 ? std::min(cfg_.target_k, k_) : k_;
    if (catalogue_mode_) {
      const sim::Catalogue* cat = env_->catalogue();
      RLREC_CHECK(cat != nullptr, "fixed-corpus environment without a catalogue");
      box_ = bounding_box({cat->features.data(), cat->features.rows(), cat->features.cols()});
      search_ = std::make_unique<CatalogueSearch>(*cat, cfg_.index, s, spec.name);
    } else {
      box_ = uniform_box(D_, spec.item_low, spec.item_high);
    }
    lo_t_ = torch::from_blob(box_.lo.data(), {1, D_}, torch::kFloat).clone();
    half_t_ = (torch::from_blob(box_.hi.data(), {1, D_}, torch::kFloat).clone() - lo_t_) * 0.5;
    I_ = U_ + D_;
    actor_ = nn::mlp(U_, cfg_.dqn.hidden, D_, rng_);
    critic_ = nn::mlp(I_, cfg_.dqn.hidden, 1, rng_);
    actor_target_ = nn::mlp(U_, cfg_.dqn.hidden, D_, rng_);
    critic_target_ = nn::mlp(I_, cfg_.dqn.hidden, 1, rng_);
    nn::hard_update(*actor_target_, *actor_);
    nn::hard_update(*critic_target_, *critic_);
    nn::OptimizerConfig aopt = cfg_.opt;
    aopt.lr = cfg_.actor_lr;
    actor_opt_ = nn::make_optimizer(aopt, actor_->parameters());
    critic_opt_ = nn::make_optimizer(cfg_.opt, critic_->parameters());
    eps_ = cfg_.dqn.epsilon();
    std::vector<ReplayBuffer::Column> cols{
        {"user", U_}, {"item", D_}, {"reward", 1}, {"terminal", 1}, {"next_user", U_}};
    if (!catalogue_mode_) cols.push_back({"next_items", N_ * D_});
    replay_ = std::make_unique<ReplayBuffer>(cfg_.dqn.replay_capacity, cols);
    c_user_ = replay_->column("user");
    c_item_ = replay_->column("item");
    c_reward_ = replay_->column("reward");
    c_terminal_ = replay_->column("terminal");
    c_next_user_ = replay_->column("next_user");
    c_next_items_ = catalogue_mode_ ? -1 : replay_->column("next_items");
    rows_ = RowSlots<Row>([this](Row& r) {
      r.user.resize(U_);
      r.item.resize(D_);
      r.ou.resize(D_, 0.f);
    });
    nn::add_module(ckpt_, "actor.pt", *actor_);
    nn::add_module(ckpt_, "critic.pt", *critic_);
    nn::add_module(ckpt_, "actor_target.pt", *actor_target_);
    nn::add_module(ckpt_, "critic_target.pt", *critic_target_);
    nn::add_optimizer(ckpt_, "actor_optimizer.pt", *actor_opt_);
    nn::add_optimizer(ckpt_, "critic_optimizer.pt", *critic_opt_);
    ckpt_.replay("replay.bin", *replay_)
        .counters("state.bin", rng_, env_steps_, updates_)
        .after_load([this] { rows_.forget_pending(); });
  }

  int64_t k() const { return k_; }

  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    const int B = obs.batch;
    check_observation(obs);
    rows_.ensure(B);
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      users_.advance(obs, b);
      if (obs.episode_step[b] == 0) std::fill(rows_[b].ou.begin(), rows_[b].ou.end(), 0.f);
    }
    const double eps = training_ ? eps_.value(env_steps_) : cfg_.dqn.epsilon_eval;
    explore_or_collect(obs, eps, rngs, slates, greedy_);
    if (!greedy_.empty()) {
      const int64_t R = static_cast<int64_t>(greedy_.size());
      std::vector<float>& users = users_tmp_;
      users.resize(static_cast<size_t>(R) * U_);
      for (int64_t r = 0; r < R; ++r)
        std::copy(user_row(greedy_[r]), user_row(greedy_[r]) + U_, users.begin() + r * U_);
      std::vector<float>& protos = protos_tmp_;
      proto_actions(actor_, users.data(), R, protos);
      if (training_ && cfg_.noise != "none" && cfg_.noise_sigma > 0) add_noise(protos, rngs);
      select(obs, greedy_.data(), users.data(), protos.data(), R, critic_, K_, slates);
    }
    if (!training_) return;
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      Row& row = rows_[b];
      std::copy(user_row(b), user_row(b) + U_, row.user.begin());
      const float* f = obs.item_features(b, slates[static_cast<size_t>(b) * K_]);
      std::copy(f, f + D_, row.item.begin());
      rows_.mark_acted(b);
    }
  }

  void observe(const StepOutcomes& step, const sim::Observation& next) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      const Row& row = rows_.take(b);
      ++env_steps_;
      const int64_t idx = replay_->add();
      replay_->put(c_user_, idx, row.user);
      replay_->put(c_item_, idx, row.item);
      replay_->put(c_reward_, idx, static_cast<float>(step.rewards[b]));
      replay_->put(c_terminal_, idx, step.terminated[b] ? 1.f : 0.f);
      users_.next(next, b, step.choices[b], step.responses.row(b), replay_->row(c_next_user_, idx));
      if (!catalogue_mode_) copy_candidate_features(next, b, replay_->row(c_next_items_, idx));
    }
  }

  UpdateStats update() override {
    if (replay_->size() == 0) return {};
    return run_due_updates(cfg_.dqn.updates_due(env_steps_), updates_,
                           [&] { return gradient_update(); });
  }

  // Test hooks (wolpertinger.h).
  WolpertingerProbe probe(const sim::Observation& obs, int b) {
    check_observation(obs);
    std::vector<float> u(U_);
    users_.peek(obs, b, u.data());  // no session yet: zero statistics
    WolpertingerProbe p;
    proto_actions(actor_, u.data(), 1, p.proto);
    std::vector<int64_t> ids;
    neighbours(obs, &b, p.proto.data(), 1, ids);
    std::vector<float> q;
    critic_scores(critic_, obs, &b, u.data(), ids.data(), 1, q);
    p.neighbours = ids;
    p.q.assign(q.begin(), q.end());
    return p;
  }
  bool set_ef_search(int ef) {
    auto* h = search_ ? dynamic_cast<index::HnswIndex*>(&search_->index()) : nullptr;
    if (!h) return false;
    h->set_ef_search(ef);
    return true;
  }
  double q_value(const float* user, const float* item) {
    auto x = torch::empty({1, I_}, torch::kFloat);
    std::copy(user, user + U_, x.data_ptr<float>());
    std::copy(item, item + D_, x.data_ptr<float>() + U_);
    torch::NoGradGuard ng;
    return critic_->forward(x).item<double>();
  }

 private:
  struct Row {
    std::vector<float> user, item, ou;
  };

  const float* user_row(int b) const { return users_.row(b); }

  void check_observation(const sim::Observation& obs) const {
    if (obs.item_dim != D_ || obs.num_candidates != N_ || obs.slate_size != K_ ||
        obs.user_dim != users_.obs_dim())
      invalid_argument("wolpertinger: observation shapes (user_dim ", obs.user_dim, ", item_dim ",
                       obs.item_dim, ", num_candidates ", obs.num_candidates, ", slate_size ",
                       obs.slate_size, ") differ from the environment the agent was built for (",
                       users_.obs_dim(), ", ", D_, ", ", N_, ", ", K_, ")");
    if (catalogue_mode_ && (obs.catalogue == nullptr ||
                            obs.catalogue->fingerprint != search_->catalogue_fingerprint()))
      invalid_argument("wolpertinger: the observation's catalogue (fingerprint ",
                       obs.catalogue ? obs.catalogue->fingerprint : 0,
                       ") is not the one the agent's index was built for (",
                       search_->catalogue_fingerprint(), ")");
  }

  // protos (R x D) = lo + (hi - lo) (tanh(actor(users)) + 1) / 2.
  torch::Tensor squash(const torch::Tensor& z) const {
    return lo_t_ + half_t_ * (torch::tanh(z) + 1.0);
  }

  void proto_actions(torch::nn::Sequential& actor, const float* users, int64_t R,
                     std::vector<float>& out) const {
    torch::InferenceMode im;  // no autograd bookkeeping: read back as floats
    auto x = torch::from_blob(const_cast<float*>(users), {R, U_}, torch::kFloat);
    auto p = squash(actor->forward(x)).contiguous();
    out.assign(p.data_ptr<float>(), p.data_ptr<float>() + R * D_);
  }

  void add_noise(std::vector<float>& protos, Rng* rngs) {
    const bool ou = cfg_.noise == "ou";
    for (size_t r = 0; r < greedy_.size(); ++r) {
      const int b = greedy_[r];
      float* p = protos.data() + r * D_;
      float* x = rows_[b].ou.data();
      for (int d = 0; d < D_; ++d) {
        const auto e = static_cast<float>(cfg_.noise_sigma * rngs[b].normal());
        float n = e;
        if (ou) n = x[d] = x[d] - static_cast<float>(cfg_.ou_theta) * x[d] + e;
        p[d] = std::clamp(p[d] + n, box_.lo[d], box_.hi[d]);
      }
    }
  }

  // The k nearest items of each proto (R x D) for rows `rows` of obs: R x k positions, nearest
  // first.
  void neighbours(const sim::Observation& obs, const int* rows, const float* protos, int64_t R,
                  std::vector<int64_t>& ids) {
    ids.resize(static_cast<size_t>(R) * k_);
    if (catalogue_mode_) {
      search_->search(protos, R, k_, ids.data(), pool_);
      return;
    }
    for (int64_t r = 0; r < R; ++r) {
      const int b = rows[r];
      nearest_by_scan(
          protos + r * D_, N_, D_, [&](int p) { return obs.item_features(b, p); },
          ids.data() + r * k_, k_, dist_tmp_, order_tmp_);
    }
  }

  // Critic Q(s_r, e) for each row's k neighbours: q is R x k. The first layer is split,
  // W [s; e] + b = (W_s s + b) + W_e e, so the user part is computed once per row, not k times
  // (the same function as critic->forward on [s, e], up to float rounding).
  template <class Feature>
  void critic_rows(torch::nn::Sequential& critic, const float* users, const int64_t* ids, int64_t R,
                   Feature feature, std::vector<float>& q, int64_t kk) {
    q.resize(static_cast<size_t>(R) * kk);
    torch::InferenceMode im;  // no autograd bookkeeping: read back as floats
    auto first = critic->ptr<torch::nn::LinearImpl>(0);
    const auto w_s = first->weight.narrow(1, 0, U_).t();   // U x H
    const auto w_e = first->weight.narrow(1, U_, D_).t();  // D x H
    const int64_t H = first->weight.size(0);
    // Chunks of at most ~2^18 critic inputs bound the memory for large k.
    const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 18) / kk);
    for (int64_t r0 = 0; r0 < R; r0 += chunk) {
      const int64_t n = std::min(chunk, R - r0);
      auto e = torch::empty({n * kk, D_}, torch::kFloat);
      float* pe = e.data_ptr<float>();
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < kk; ++j) {
          const float* f = feature(r0 + r, ids[(r0 + r) * kk + j]);
          std::copy(f, f + D_, pe + (r * kk + j) * D_);
        }
      auto s = torch::from_blob(const_cast<float*>(users + r0 * U_), {n, U_}, torch::kFloat);
      auto a = torch::addmm(first->bias, s, w_s);  // n x H
      auto h = torch::mm(e, w_e).view({n, kk, H}).add_(a.unsqueeze(1)).view({n * kk, H});
      for (auto it = critic->begin() + 1; it != critic->end(); ++it) h = it->forward(h);
      h = h.contiguous();
      std::copy(h.data_ptr<float>(), h.data_ptr<float>() + n * kk, q.begin() + r0 * kk);
    }
  }

  void critic_scores(torch::nn::Sequential& critic, const sim::Observation& obs, const int* rows,
                     const float* users, const int64_t* ids, int64_t R, std::vector<float>& q) {
    critic_rows(
        critic, users, ids, R,
        [&](int64_t r, int64_t pos) { return obs.item_features(rows[r], static_cast<int>(pos)); },
        q, k_);
  }

  // kNN, critic, top-K: the slates of rows `rows` (R of them).
  void select(const sim::Observation& obs, const int* rows, const float* users, const float* protos,
              int64_t R, torch::nn::Sequential& critic, int K, int32_t* slates) {
    neighbours(obs, rows, protos, R, ids_tmp_);
    critic_scores(critic, obs, rows, users, ids_tmp_.data(), R, q_tmp_);
    for (int64_t r = 0; r < R; ++r) {
      top_k_of(q_tmp_.data() + r * k_, k_, K, order_);
      for (int i = 0; i < K; ++i)
        slates[static_cast<size_t>(rows[r]) * K + i] =
            static_cast<int32_t>(ids_tmp_[r * k_ + order_[i]]);
    }
  }

  std::pair<double, double> gradient_update() {
    const int Bt = cfg_.dqn.batch_size;
    replay_->sample(Bt, rng_, idx_);
    std::vector<float> u(static_cast<size_t>(Bt) * U_), x(static_cast<size_t>(Bt) * I_),
        nu(static_cast<size_t>(Bt) * U_), y(Bt);
    for (int r = 0; r < Bt; ++r) {
      const float* su = replay_->row(c_user_, idx_[r]);
      std::copy(su, su + U_, u.begin() + r * U_);
      std::copy(su, su + U_, x.begin() + r * I_);
      const float* si = replay_->row(c_item_, idx_[r]);
      std::copy(si, si + D_, x.begin() + r * I_ + U_);
      const float* sn = replay_->row(c_next_user_, idx_[r]);
      std::copy(sn, sn + U_, nu.begin() + r * U_);
    }
    std::vector<float> next_q(Bt, 0.f);
    if (cfg_.dqn.gamma > 0) next_values(nu, next_q);
    double mean_y = 0;
    for (int r = 0; r < Bt; ++r) {
      const float term = replay_->row(c_terminal_, idx_[r])[0];
      y[r] = td_target<float>(replay_->row(c_reward_, idx_[r])[0],
                              static_cast<float>(cfg_.dqn.gamma), term, next_q[r]);
      mean_y += y[r];
    }
    // Critic on the executed items.
    auto xt = torch::from_blob(x.data(), {Bt, I_}, torch::kFloat);
    auto yt = torch::from_blob(y.data(), {Bt}, torch::kFloat);
    auto q = critic_->forward(xt).reshape({Bt});
    auto loss = ddpg::critic_loss(q, yt);
    ++updates_;
    nn::check_finite(loss, *critic_, "wolpertinger", updates_);
    nn::gradient_step(*critic_opt_, loss, critic_->parameters(), cfg_.opt.grad_clip);
    // Actor by the critic's gradient at its proto-action (the critic's own gradients from this
    // backward pass are discarded: its optimizer zeroes them before its next step).
    auto ut = torch::from_blob(u.data(), {Bt, U_}, torch::kFloat);
    auto proto = squash(actor_->forward(ut));
    auto actor_loss = ddpg::actor_loss(critic_->forward(torch::cat({ut, proto}, 1)));
    if (cfg_.proto_reg > 0) actor_loss = actor_loss + cfg_.proto_reg * manifold_penalty(proto, x);
    nn::check_finite(actor_loss, *actor_, "wolpertinger", updates_);
    nn::gradient_step(*actor_opt_, actor_loss, actor_->parameters(), cfg_.opt.grad_clip);
    if (cfg_.tau > 0) {
      nn::polyak_update(*actor_target_, *actor_, cfg_.tau);
      nn::polyak_update(*critic_target_, *critic_, cfg_.tau);
    } else if (updates_ % cfg_.dqn.target_update_period == 0) {
      nn::hard_update(*actor_target_, *actor_);
      nn::hard_update(*critic_target_, *critic_);
    }
    return {loss.item<double>(), mean_y / Bt};
  }

  // Mean over the batch of ‖proto − e‖², e = the catalogue item nearest to the proto (fixed corpus)
  // or the executed item (fresh items: the state's candidates are not stored). x: [s, e_executed].
  torch::Tensor manifold_penalty(const torch::Tensor& proto, const std::vector<float>& x) {
    const int Bt = cfg_.dqn.batch_size;
    std::vector<float> near(static_cast<size_t>(Bt) * D_);
    if (catalogue_mode_) {
      auto p = proto.detach().contiguous();
      std::vector<int64_t> id(Bt);
      search_->search(p.data_ptr<float>(), Bt, 1, id.data());
      const sim::Catalogue* cat = env_->catalogue();
      for (int r = 0; r < Bt; ++r)
        std::copy(cat->features.row(id[r]), cat->features.row(id[r]) + D_, near.begin() + r * D_);
    } else {
      for (int r = 0; r < Bt; ++r)
        std::copy(x.begin() + r * I_ + U_, x.begin() + (r + 1) * I_, near.begin() + r * D_);
    }
    auto e = torch::from_blob(near.data(), {Bt, D_}, torch::kFloat).clone();
    return (proto - e).pow(2).sum(1).mean();
  }

  // Q'(s', a') for the sampled transitions (target networks).
  void next_values(const std::vector<float>& nu, std::vector<float>& out) {
    const int Bt = cfg_.dqn.batch_size;
    std::vector<float> protos;
    proto_actions(actor_target_, nu.data(), Bt, protos);
    if (cfg_.target_action == "proto") {
      std::vector<float> x(static_cast<size_t>(Bt) * I_);
      for (int r = 0; r < Bt; ++r) {
        std::copy(nu.begin() + r * U_, nu.begin() + (r + 1) * U_, x.begin() + r * I_);
        std::copy(protos.begin() + r * D_, protos.begin() + (r + 1) * D_, x.begin() + r * I_ + U_);
      }
      torch::InferenceMode im;  // no autograd bookkeeping: read back as floats
      auto q =
          critic_target_->forward(torch::from_blob(x.data(), {Bt, I_}, torch::kFloat)).contiguous();
      std::copy(q.data_ptr<float>(), q.data_ptr<float>() + Bt, out.begin());
      return;
    }
    std::vector<int64_t> ids(static_cast<size_t>(Bt) * tk_);
    std::vector<float> q;
    if (catalogue_mode_) {
      search_->search(protos.data(), Bt, tk_, ids.data(), pool_);
      const sim::Catalogue* cat = env_->catalogue();
      critic_rows(
          critic_target_, nu.data(), ids.data(), Bt,
          [&](int64_t, int64_t id) { return cat->features.row(id); }, q, tk_);
    } else {
      for (int r = 0; r < Bt; ++r) {
        const float* items = replay_->row(c_next_items_, idx_[r]);
        nearest_by_scan(
            protos.data() + r * D_, N_, D_,
            [&](int p) { return items + static_cast<size_t>(p) * D_; },
            ids.data() + static_cast<size_t>(r) * tk_, tk_, dist_tmp_, order_tmp_);
      }
      critic_rows(
          critic_target_, nu.data(), ids.data(), Bt,
          [&](int64_t r, int64_t p) { return replay_->row(c_next_items_, idx_[r]) + p * D_; }, q,
          tk_);
    }
    for (int r = 0; r < Bt; ++r)
      out[r] = *std::max_element(q.begin() + static_cast<size_t>(r) * tk_,
                                 q.begin() + static_cast<size_t>(r + 1) * tk_);
  }

  CheckpointMeta meta() const override {
    auto shapes = slate_shapes(U_, env_->spec());
    shapes.insert(shapes.end(), {{"corpus_size", env_->spec().corpus_size}, {"k", k_}});
    return {"wolpertinger", "", env_->spec().name, {}, shapes};
  }

  WolpertingerConfig cfg_;
  ThreadPool* pool_;
  UserState users_;
  bool catalogue_mode_ = false;
  int U_ = 0, D_ = 0, N_ = 0, K_ = 0, I_ = 0;
  int64_t k_ = 1, tk_ = 1;                   // k; neighbours in the TD target's kNN (target_k)
  std::unique_ptr<CatalogueSearch> search_;  // fixed corpus: the catalogue's index
  ItemBox box_;
  torch::Tensor lo_t_, half_t_;
  torch::nn::Sequential actor_{nullptr}, critic_{nullptr}, actor_target_{nullptr},
      critic_target_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> actor_opt_, critic_opt_;
  std::unique_ptr<ReplayBuffer> replay_;
  LinearSchedule eps_;
  int c_user_ = 0, c_item_ = 0, c_reward_ = 0, c_terminal_ = 0, c_next_user_ = 0,
      c_next_items_ = -1;
  RowSlots<Row> rows_;
  std::vector<float> users_tmp_, protos_tmp_, q_tmp_;
  std::vector<double> dist_tmp_;
  std::vector<int> greedy_, order_tmp_;
  std::vector<int64_t> ids_tmp_, order_, idx_;
};

Wolpertinger* as_wolpertinger(Agent& agent) {
  return &agent_as<Wolpertinger>(agent, "wolpertinger");
}

}  // namespace

std::unique_ptr<Agent> make_wolpertinger(const AgentContext& ctx) {
  return std::make_unique<Wolpertinger>(read_agent_config<WolpertingerConfig>(ctx), ctx);
}

std::string wolpertinger_defaults() {
  return dump_section("wolpertinger", "", WolpertingerConfig{});
}

WolpertingerProbe wolpertinger_probe(Agent& agent, const sim::Observation& obs, int row) {
  return as_wolpertinger(agent)->probe(obs, row);
}
double wolpertinger_q(Agent& agent, const float* user, const float* item) {
  return as_wolpertinger(agent)->q_value(user, item);
}
int64_t wolpertinger_k(Agent& agent) { return as_wolpertinger(agent)->k(); }
bool wolpertinger_set_ef_search(Agent& agent, int ef) {
  return as_wolpertinger(agent)->set_ef_search(ef);
}

}  // namespace rlrec::agents
