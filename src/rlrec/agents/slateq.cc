// SlateQ: Ie, Jain, Wang, Narvekar, Agarwal, Wu, Cheng, Chandra, Boutilier, "SlateQ: A Tractable
// Decomposition for Reinforcement Learning with Recommendation Sets", IJCAI 2019 (arXiv
// 1905.12767).
//
// Decomposition (single choice, reward and transition depend only on the consumed item):
//     Q(s, A) = Σ_{i∈A} P(i | s, A) Q̄(s, i)
// with the environment's conditional-logit choice model P(i | s, A) = v(s,i) / (v⊥ + Σ_{j∈A}
// v(s,j)) (multinomial proportional or logit; v from the user's observed score, as RecSim's agent).
// Q̄(s, i) is one network on [user observation, item features] (RecSim: 256-32 ReLU).
// TD learning on the consumed item only (transitions without a choice are not used, as in RecSim):
//     y = r + γ (1 - terminal) V(s'),   loss = (Q̄(s, i) - y)^2   (or Huber)
//   target = myopic:      V(s') = 0 (γ = 0: MYOP)
//   target = sarsa:       V(s') = Σ_{j∈A'} P(j | s', A') Q̄_target(s', j), A' = the slate served
//   next target = q_learning:  V(s') = max_{A'} Σ_{j∈A'} P(j | s', A') Q̄_target(s', j), maximized
//   by
//                         `target_optimizer` (exact = the optimum: QL-OT; top_k = TT; greedy = GT)
// Q̄_target is the target network evaluated on the NEXT state s' (RecSim evaluates it on the current
// state: google-research/recsim#26; we do not copy that bug), updated by a hard copy every
// `target_update_period` gradient steps (or Polyak averaging with rate `tau` > 0).
// Serving: ε-greedy; the greedy slate maximizes Σ P(i|s,A) Q̄(s,i) with `slate_optimizer`
// (top_k = TS, greedy = GS, exact = OS; see slate_optim.h: exact uses Dinkelbach's method instead
// of the paper's LP, same optimum).
// Deviations: (1) ε is counted in environment steps: 1 during `warmup_steps`, then linear to
// `epsilon_final` over `epsilon_decay_steps`. (2) When an episode is truncated (env.max_steps), the
// SARSA target falls back to the serving slate under the target network (no next slate is served).
// (3) The no-choice option ⊥ has an item value of its own (null_item_value = true, the default):
//     Q(s, A) = Σ_{i∈A} P(i|s,A) Q̄(s,i) + P(⊥|s,A) Q̄(s,⊥),
// learned from the transitions without a choice (y = 0 + γ V(s')); the optimizers then work on
// q_i - Q̄(s,⊥) (the value is Q̄(s,⊥) + Σ v_i (q_i - Q̄(s,⊥)) / (v⊥ + Σ v_i)). RecSim's agent drops
// this term and learns from clicks only (null_item_value = false reproduces it), which treats
// "no click" as worth 0 although the session goes on, and so overvalues click probability.
// (4) With history_features = true (default) the network's user input is the observation plus
// session statistics (history.h: steps, no-click steps, sums of the chosen slot's responses), the
// analogue of RecSim's ClusterClickStatsLayer. In interest_evolution they determine the hidden time
// budget, without which the state is not Markov and TD targets cannot value longer sessions.
// (5) prioritized = true (default false): proportional prioritized replay (Schaul et al. 2016,
// replay.h) with priorities (|y - Q̄(s, i)| + 1e-6)^per_alpha and the importance-weighted loss
//     (1/B) Σ_j w_j ℓ(Q̄(s_j, i_j), y_j),  w_j = (N P(j))^-per_beta / max w.
#include "rlrec/agents/slateq.h"

#include <algorithm>
#include <cmath>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/dqn_config.h"
#include "rlrec/agents/kit.h"
#include "rlrec/agents/nn.h"
#include "rlrec/agents/replay.h"
#include "rlrec/agents/slate_optim.h"
#include "rlrec/agents/targets.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

struct SlateQConfig {
  std::string target = "sarsa";
  std::string slate_optimizer = "top_k";
  std::string target_optimizer = "exact";
  DqnConfig dqn;
  nn::OptimizerConfig opt;
  std::string loss = "mse";
  double tau = 0.0;
  bool history_features = true;
  bool null_item_value = true;
  bool prioritized = false;
  double per_alpha = 0.6;
  double per_beta = 0.4;

  void visit(FieldVisitor& v) {
    v.field("target", target, "TD target: myopic | sarsa | q_learning");
    v.field("slate_optimizer", slate_optimizer, "serving slate: top_k | greedy | exact");
    v.field("target_optimizer", target_optimizer,
            "q_learning target slate: top_k | greedy | exact");
    dqn.visit(v);
    opt.visit(v);
    v.field("loss", loss, "mse | huber");
    v.field("tau", tau, "Polyak rate for the target network (0 = hard copies)");
    v.field("history_features", history_features,
            "append session statistics (steps, no-click steps, sums of the chosen responses) to "
            "the user observation");
    v.field("null_item_value", null_item_value,
            "learn Q̄(s, no choice) and include P(no choice) Q̄(s, no choice) in slate values "
            "(false: RecSim's agent, clicks only)");
    v.field("prioritized", prioritized, "proportional prioritized replay (false: uniform)");
    v.field("per_alpha", per_alpha, "prioritized replay: priority exponent α");
    v.field("per_beta", per_beta, "prioritized replay: importance-weight exponent β");
  }

  void validate(const std::string& s) const {
    check_one_of(s + ".target", target, {"myopic", "sarsa", "q_learning"});
    parse_slate_optimizer(slate_optimizer);
    parse_slate_optimizer(target_optimizer);
    dqn.validate(s);
    opt.validate(s);
    check_one_of(s + ".loss", loss, {"mse", "huber"});
    check_range(s + ".tau", tau, 0.0, 1.0);
    check_range(s + ".per_alpha", per_alpha, 0.0, 10.0);
    check_range(s + ".per_beta", per_beta, 0.0, 1.0);
  }
};

enum class Target { kMyopic, kSarsa, kQLearning };

class SlateQ final : public AgentBase {
 public:
  SlateQ(std::string name, SlateQConfig cfg, const AgentContext& ctx)
      : AgentBase(std::move(name), ctx, "slateq"),
        cfg_(std::move(cfg)),
        choice_(&ctx.env->choice_model()),
        serving_(parse_slate_optimizer(cfg_.slate_optimizer)),
        target_opt_(parse_slate_optimizer(cfg_.target_optimizer)),
        users_(ctx.env->spec(), cfg_.history_features),
        replay_(cfg_.dqn.replay_capacity, columns(ctx.env->spec(), users_.dim())) {
    nn::configure_torch();
    const auto& spec = env_->spec();
    U_ = users_.dim();
    D_ = spec.item_dim;
    N_ = spec.num_candidates;
    K_ = spec.slate_size;
    target_ = cfg_.target == "myopic"  ? Target::kMyopic
              : cfg_.target == "sarsa" ? Target::kSarsa
                                       : Target::kQLearning;
    I_ = U_ + D_ + 1;  // user, item features, null-item flag
    online_ = nn::mlp(I_, cfg_.dqn.hidden, 1, rng_);
    target_net_ = nn::mlp(I_, cfg_.dqn.hidden, 1, rng_);
    nn::hard_update(*target_net_, *online_);
    optimizer_ = nn::make_optimizer(cfg_.opt, online_->parameters());
    eps_ = cfg_.dqn.epsilon();
    c_user_ = replay_.column("user");
    c_item_ = replay_.column("item");
    c_reward_ = replay_.column("reward");
    c_terminal_ = replay_.column("terminal");
    c_next_user_ = replay_.column("next_user");
    c_next_items_ = replay_.column("next_items");
    c_next_slate_ = replay_.column("next_slate");
    rows_ = RowSlots<Row>([this](Row& r) {
      r.user.resize(U_);
      r.slate_items.resize(static_cast<size_t>(K_) * D_);
      r.item.resize(D_ + 1);
      r.next_user.resize(U_);
      r.next_items.resize(static_cast<size_t>(N_) * D_);
    });
    nn::add_module(ckpt_, "online.pt", *online_);
    nn::add_module(ckpt_, "target.pt", *target_net_);
    nn::add_optimizer(ckpt_, "optimizer.pt", *optimizer_);
    ckpt_.replay("replay.bin", replay_);
    if (cfg_.prioritized) {
      per_ = std::make_unique<PrioritizedSampler>(replay_, cfg_.per_alpha, cfg_.per_beta);
      ckpt_.priorities("priorities.txt", *per_);
    }
    ckpt_.counters("state.bin", rng_, env_steps_, updates_).after_load([this] {
      rows_.forget_pending([](Row& r) { r.waiting = false; });
    });
  }

  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    const int B = obs.batch;
    rows_.ensure(B);
    const double eps = training_ ? eps_.value(env_steps_) : cfg_.dqn.epsilon_eval;
    // The (augmented) user vector of every active row.
    for (int b = 0; b < B; ++b)
      if (obs.is_active(b)) users_.advance(obs, b);
    // Rows that explore get a uniform slate; the others are scored in one forward pass.
    std::vector<int>& greedy = greedy_rows_;
    explore_or_collect(obs, eps, rngs, slates, greedy);
    if (!greedy.empty()) {
      const int64_t R = static_cast<int64_t>(greedy.size());
      const int64_t W = N_ + 1;  // candidates, then the null item
      auto x = torch::empty({R * W, I_}, torch::kFloat);
      float* px = x.data_ptr<float>();
      for (int64_t r = 0; r < R; ++r) {
        for (int p = 0; p < N_; ++p)
          fill_input(px + (r * W + p) * I_, user_row(greedy[r]), obs.item_features(greedy[r], p));
        fill_input(px + (r * W + N_) * I_, user_row(greedy[r]), nullptr);
      }
      torch::Tensor q;
      {
        torch::InferenceMode im;  // no autograd bookkeeping while acting
        q = online_->forward(x).reshape({R, W}).contiguous();
      }
      const float* pq = q.data_ptr<float>();  // read as doubles below (the same values)
      std::vector<double> v(N_), qrel(N_);
      for (int64_t r = 0; r < R; ++r) {
        const int b = greedy[r];
        const double q0 = cfg_.null_item_value ? pq[r * W + N_] : 0.0;
        for (int p = 0; p < N_; ++p) {
          v[p] = attraction(obs.user_row(b), obs.item_features(b, p));
          qrel[p] = pq[r * W + p] - q0;
        }
        optimize_slate(serving_, v.data(), qrel.data(), choice_->null_attraction(), N_, K_,
                       slates + b * K_);
      }
    }
    if (!training_) return;
    // Remember what observe() needs: the user observation and the slate's item features; and
    // complete the SARSA transitions waiting for this row's next slate.
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      Row& row = rows_[b];
      if (row.waiting) {
        const int64_t idx = replay_.add();
        store(row, idx, slates + b * K_);
        row.waiting = false;
      }
      std::copy(user_row(b), user_row(b) + U_, row.user.begin());
      copy_slate_features(obs, b, slates + b * K_, K_, row.slate_items.data());
      rows_.mark_acted(b);
    }
  }

  void observe(const StepOutcomes& step, const sim::Observation& next) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      Row& row = rows_.take(b);
      ++env_steps_;
      const int c = step.choices[b];
      if (c < 0 && !cfg_.null_item_value) continue;  // RecSim: learn from consumed items only
      row.reward = static_cast<float>(step.rewards[b]);
      row.terminal = step.terminated[b] ? 1.f : 0.f;
      if (c >= 0) {
        std::copy(row.slate_items.begin() + static_cast<size_t>(c) * D_,
                  row.slate_items.begin() + static_cast<size_t>(c + 1) * D_, row.item.begin());
        row.item[D_] = 0.f;
      } else {
        std::fill(row.item.begin(), row.item.end(), 0.f);
        row.item[D_] = 1.f;  // the null item
      }
      users_.next(next, b, c, step.responses.row(b), row.next_user.data());
      copy_candidate_features(next, b, row.next_items.data());
      if (step.terminated[b] || step.truncated[b] || target_ != Target::kSarsa) {
        store(row, replay_.add(), nullptr);
      } else {
        row.waiting = true;  // stored when the next slate is served
      }
    }
  }

  UpdateStats update() override {
    if (replay_.size() == 0) return {};
    return run_due_updates(cfg_.dqn.updates_due(env_steps_), updates_,
                           [&] { return gradient_update(); });
  }

  // For tests: the item values Q̄(s, i) of the online network for one user and item.
  double item_value(const float* user, const float* item) {
    auto x = torch::empty({1, I_}, torch::kFloat);
    fill_input(x.data_ptr<float>(), user, item);
    torch::NoGradGuard ng;
    return online_->forward(x).item<double>();
  }

 private:
  struct Row {
    std::vector<float> user, slate_items, item, next_user, next_items;
    float reward = 0, terminal = 0;
    bool waiting = false;  // SARSA: stored when the next slate is served
  };

  static std::vector<ReplayBuffer::Column> columns(const sim::EnvSpec& s, int extra) {
    if (s.num_candidates > 1000)
      invalid_argument(
          "slateq stores the next candidates of every transition: env.num_candidates "
          "must be <= 1000, got ",
          s.num_candidates);
    return {{"user", s.user_dim + extra},
            {"item", s.item_dim + 1},
            {"reward", 1},
            {"terminal", 1},
            {"next_user", s.user_dim + extra},
            {"next_items", s.num_candidates * s.item_dim},
            {"next_slate", s.slate_size + 1}};  // last entry: 1 if a next slate is present
  }

  const float* user_row(int b) const { return users_.row(b); }

  void store(const Row& row, int64_t idx, const int32_t* next_slate) {
    if (per_) per_->added(idx);
    replay_.put(c_user_, idx, row.user);
    replay_.put(c_item_, idx, row.item);
    replay_.put(c_reward_, idx, row.reward);
    replay_.put(c_terminal_, idx, row.terminal);
    replay_.put(c_next_user_, idx, row.next_user);
    replay_.put(c_next_items_, idx, row.next_items);
    float* ns = replay_.row(c_next_slate_, idx);
    for (int i = 0; i < K_; ++i) ns[i] = next_slate ? static_cast<float>(next_slate[i]) : 0.f;
    ns[K_] = next_slate ? 1.f : 0.f;
  }

  // [user (U_), item features (D_), null flag]; item == nullptr: the null item (zeros, flag 1).
  void fill_input(float* dst, const float* user, const float* item) const {
    std::copy(user, user + U_, dst);
    if (item) {
      std::copy(item, item + D_, dst + U_);
      dst[U_ + D_] = 0.f;
    } else {
      std::fill(dst + U_, dst + U_ + D_, 0.f);
      dst[U_ + D_] = 1.f;
    }
  }
  // A stored item row already holds [features, flag].
  void fill_stored(float* dst, const float* user, const float* item_with_flag) const {
    std::copy(user, user + U_, dst);
    std::copy(item_with_flag, item_with_flag + D_ + 1, dst + U_);
  }

  double attraction(const float* user, const float* item) const {
    double v = 0;
    choice_->attraction(env_->observed_score(user, item), &v);
    return v;
  }

  std::pair<double, double> gradient_update() {
    const int Bt = cfg_.dqn.batch_size;
    if (per_)
      per_->sample(Bt, rng_, idx_, weights_);
    else
      replay_.sample(Bt, rng_, idx_);
    // Input and target tensors are reused across updates (no allocation per step); the graph of
    // the previous update is gone by now.
    if (!x_.defined()) {
      x_ = torch::empty({Bt, I_}, torch::kFloat);
      y_ = torch::empty({Bt}, torch::kFloat);
    }
    const torch::Tensor& x = x_;
    float* px = x.data_ptr<float>();
    float* y = y_.data_ptr<float>();
    for (int r = 0; r < Bt; ++r)
      fill_stored(px + static_cast<size_t>(r) * I_, replay_.row(c_user_, idx_[r]),
                  replay_.row(c_item_, idx_[r]));
    std::vector<double> next_value(Bt, 0.0);
    if (target_ != Target::kMyopic && cfg_.dqn.gamma > 0) next_value = next_state_values();
    double mean_y = 0;
    for (int r = 0; r < Bt; ++r) {
      const double term = replay_.row(c_terminal_, idx_[r])[0];  // myopic: next_value = 0
      y[r] = static_cast<float>(td_target<double>(replay_.row(c_reward_, idx_[r])[0],
                                                  cfg_.dqn.gamma, term, next_value[r]));
      mean_y += y[r];
    }
    const torch::Tensor& yt = y_;
    auto q = online_->forward(x).reshape({Bt});
    torch::Tensor loss;
    if (per_) {
      std::vector<float> wv(weights_.begin(), weights_.end());
      auto w = torch::from_blob(wv.data(), {Bt}, torch::kFloat).clone();
      auto each =
          cfg_.loss == "mse" ? (q - yt).pow(2) : torch::huber_loss(q, yt, at::Reduction::None);
      loss = (w * each).mean();
    } else {
      loss = cfg_.loss == "mse" ? torch::mse_loss(q, yt) : torch::huber_loss(q, yt);
    }
    ++updates_;
    nn::check_finite(loss, *online_, name_, updates_);
    nn::gradient_step(*optimizer_, loss, online_->parameters(), cfg_.opt.grad_clip);
    if (per_) {
      auto td = (q.detach() - yt).abs().contiguous();
      per_->update(idx_, td.data_ptr<float>());
    }
    if (cfg_.tau > 0)
      nn::polyak_update(*target_net_, *online_, cfg_.tau);
    else if (updates_ % cfg_.dqn.target_update_period == 0)
      nn::hard_update(*target_net_, *online_);
    return {loss.item<double>(), mean_y / Bt};
  }

  // V(s') for the sampled transitions, with the target network on the next state.
  std::vector<double> next_state_values() {
    const int Bt = cfg_.dqn.batch_size;
    const int W = N_ + 1;
    if (!xn_.defined()) xn_ = torch::empty({static_cast<int64_t>(Bt) * W, I_}, torch::kFloat);
    const torch::Tensor& x = xn_;
    float* px = x.data_ptr<float>();
    for (int r = 0; r < Bt; ++r) {
      const float* u = replay_.row(c_next_user_, idx_[r]);
      const float* items = replay_.row(c_next_items_, idx_[r]);
      for (int p = 0; p < N_; ++p)
        fill_input(px + (static_cast<size_t>(r) * W + p) * I_, u,
                   items + static_cast<size_t>(p) * D_);
      fill_input(px + (static_cast<size_t>(r) * W + N_) * I_, u, nullptr);
    }
    torch::Tensor qn;
    {
      torch::InferenceMode im;  // the target network needs no autograd bookkeeping
      qn = target_net_->forward(x).reshape({Bt, W}).contiguous();
    }
    const float* pq = qn.data_ptr<float>();  // read as doubles below (the same values)
    std::vector<double> out(Bt), v(N_), qrel(N_);
    std::vector<int32_t> slate(K_), served_slate(K_);
    const double v0 = choice_->null_attraction();
    for (int r = 0; r < Bt; ++r) {
      const float* u = replay_.row(c_next_user_, idx_[r]);
      const float* items = replay_.row(c_next_items_, idx_[r]);
      const double q0 = cfg_.null_item_value ? pq[r * W + N_] : 0.0;
      for (int p = 0; p < N_; ++p) {
        v[p] = attraction(u, items + static_cast<size_t>(p) * D_);
        qrel[p] = pq[r * W + p] - q0;
      }
      const float* ns = replay_.row(c_next_slate_, idx_[r]);
      const bool served = target_ == Target::kSarsa && ns[K_] > 0.5f;
      if (served)
        for (int i = 0; i < K_; ++i) served_slate[i] = static_cast<int32_t>(ns[i]);
      out[r] = slateq_next_value(v.data(), qrel.data(), v0, q0, N_, K_,
                                 served ? served_slate.data() : nullptr,
                                 target_ == Target::kSarsa ? serving_ : target_opt_, slate.data());
    }
    return out;
  }

  CheckpointMeta meta() const override {
    return {"slateq", name_, env_->spec().name, {}, slate_shapes(U_, env_->spec())};
  }

  SlateQConfig cfg_;
  const sim::ChoiceModel* choice_;
  SlateOptimizer serving_, target_opt_;
  UserState users_;
  Target target_;
  int U_ = 0, D_ = 0, N_ = 0, K_ = 0, I_ = 0;
  torch::nn::Sequential online_{nullptr}, target_net_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  ReplayBuffer replay_;
  std::unique_ptr<PrioritizedSampler> per_;  // prioritized = true
  std::vector<double> weights_;
  LinearSchedule eps_;
  int c_user_, c_item_, c_reward_, c_terminal_, c_next_user_, c_next_items_, c_next_slate_;
  RowSlots<Row> rows_;
  std::vector<int> greedy_rows_;
  std::vector<int64_t> idx_;
  torch::Tensor x_, y_, xn_;  // update inputs, reused (gradient_update, next_state_values)
};

// A variant's defaults: its target (and γ = 0 for the myopic one).
SlateQConfig preset(const char* target) {
  SlateQConfig cfg;
  cfg.target = target;
  if (std::string(target) == "myopic") cfg.dqn.gamma = 0;
  return cfg;
}

std::unique_ptr<Agent> make_variant(const AgentContext& ctx, const char* name, const char* target) {
  SlateQConfig cfg = read_agent_config(ctx, preset(target));
  double v = 0;
  if (!ctx.env->choice_model().attraction(0.0, &v))
    invalid_argument(name,
                     " needs a conditional-logit choice model (multinomial_logit or "
                     "multinomial_proportional); environment '",
                     ctx.env->spec().name, "' uses ", ctx.env->choice_model().name());
  return std::make_unique<SlateQ>(name, std::move(cfg), ctx);
}

std::string defaults_for(const char* name, const char* target) {
  return dump_section(name, "", preset(target));
}

}  // namespace

std::unique_ptr<Agent> make_slateq_myopic(const AgentContext& c) {
  return make_variant(c, "slateq_myopic", "myopic");
}
std::unique_ptr<Agent> make_slateq_sarsa(const AgentContext& c) {
  return make_variant(c, "slateq_sarsa", "sarsa");
}
std::unique_ptr<Agent> make_slateq_qlearning(const AgentContext& c) {
  return make_variant(c, "slateq_qlearning", "q_learning");
}
std::string slateq_myopic_defaults() { return defaults_for("slateq_myopic", "myopic"); }
std::string slateq_sarsa_defaults() { return defaults_for("slateq_sarsa", "sarsa"); }
std::string slateq_qlearning_defaults() { return defaults_for("slateq_qlearning", "q_learning"); }

double slateq_item_value(Agent& agent, const float* user, const float* item) {
  return agent_as<SlateQ>(agent, "SlateQ").item_value(user, item);
}

}  // namespace rlrec::agents
