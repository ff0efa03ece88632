// Full-slate Q-learning: the non-decomposed baseline of SlateQ (Ie et al. 2019, "SlateQ: A
// Tractable Decomposition for Reinforcement Learning with Recommendation Sets", §5 "FSQ"; RecSim's
// FullSlateQAgent). Every ordered slate A = (a_1..a_K) of distinct candidates is one discrete
// action; one network scores Q(s, A) = MLP([user, item_{a_1}, ..., item_{a_K}]) (shared across
// slates), and DQN (Mnih et al. 2015) learns it from every transition:
//     y = r + γ (1 - terminal) max_{A'} Q_target(s', A'),   loss = Huber(Q(s, A) - y)
// with the target network on the next state, hard copies every `target_update_period` steps, and
// ε-greedy serving over all N!/(N-K)! slates (so N must stay small: at most 5040 slates).
// Deviation: ε counted in environment steps (warm-up at 1, then linear decay), as for SlateQ.
#include "rlrec/agents/full_slate_q.h"

#include "rlrec/agents/dqn_config.h"
#include "rlrec/agents/kit.h"
#include "rlrec/agents/nn.h"
#include "rlrec/agents/replay.h"
#include "rlrec/agents/targets.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

struct FullSlateQConfig {
  DqnConfig dqn;
  nn::OptimizerConfig opt;
  void visit(FieldVisitor& v) {
    dqn.visit(v);
    opt.visit(v);
  }
  void validate(const std::string& s) const {
    dqn.validate(s);
    opt.validate(s);
  }
};

int64_t count_slates(int n, int k) {
  int64_t p = 1;
  for (int i = 0; i < k; ++i) {
    p *= (n - i);
    if (p > 5040) return p;
  }
  return p;
}

class FullSlateQ final : public Agent {
 public:
  FullSlateQ(FullSlateQConfig cfg, const AgentContext& ctx)
      : cfg_(std::move(cfg)),
        env_(ctx.env),
        rng_(ctx.seed, hash_name("full_slate_q")),
        replay_(cfg_.dqn.replay_capacity, columns(ctx.env->spec())) {
    nn::configure_torch();
    const auto& s = env_->spec();
    U_ = s.user_dim;
    D_ = s.item_dim;
    N_ = s.num_candidates;
    K_ = s.slate_size;
    // All ordered K-permutations of N positions, in lexicographic order.
    std::vector<int32_t> cur(K_);
    std::vector<char> used(N_, 0);
    enumerate(0, cur, used);
    P_ = static_cast<int>(slates_.size()) / K_;
    in_ = U_ + K_ * D_;
    online_ = nn::mlp(in_, cfg_.dqn.hidden, 1, rng_);
    target_ = nn::mlp(in_, cfg_.dqn.hidden, 1, rng_);
    nn::hard_update(*target_, *online_);
    optimizer_ = nn::make_optimizer(cfg_.opt, online_->parameters());
    eps_ = cfg_.dqn.epsilon();
    rows_ = RowSlots<Row>([this](Row& r) { r.input.resize(in_); });
    nn::add_module(ckpt_, "online.pt", *online_);
    nn::add_module(ckpt_, "target.pt", *target_);
    nn::add_optimizer(ckpt_, "optimizer.pt", *optimizer_);
    ckpt_.replay("replay.bin", replay_)
        .counters("state.bin", rng_, env_steps_, updates_)
        .after_load([this] { rows_.forget_pending(); });
  }

  std::string_view name() const override { return "full_slate_q"; }
  void set_training(bool t) override { training_ = t; }

  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    const int B = obs.batch;
    rows_.ensure(B);
    const double eps = training_ ? eps_.value(env_steps_) : cfg_.dqn.epsilon_eval;
    std::vector<int> greedy;
    explore_or_collect(obs, eps, rngs, slates, greedy);
    if (!greedy.empty()) {
      const int64_t R = static_cast<int64_t>(greedy.size());
      auto x = torch::empty({R * P_, in_}, torch::kFloat);
      float* px = x.data_ptr<float>();
      for (int64_t r = 0; r < R; ++r) {
        const int b = greedy[r];
        for (int a = 0; a < P_; ++a) {
          float* dst = px + (r * P_ + a) * in_;
          std::copy(obs.user_row(b), obs.user_row(b) + U_, dst);
          for (int i = 0; i < K_; ++i) {
            const float* f = obs.item_features(b, slates_[a * K_ + i]);
            std::copy(f, f + D_, dst + U_ + i * D_);
          }
        }
      }
      torch::Tensor q;
      {
        torch::NoGradGuard ng;
        q = online_->forward(x).reshape({R, P_}).argmax(1).contiguous();
      }
      const int64_t* best = q.data_ptr<int64_t>();
      for (int64_t r = 0; r < R; ++r)
        std::copy(&slates_[best[r] * K_], &slates_[best[r] * K_] + K_, slates + greedy[r] * K_);
    }
    if (!training_) return;
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      Row& row = rows_[b];
      std::copy(obs.user_row(b), obs.user_row(b) + U_, row.input.begin());
      for (int i = 0; i < K_; ++i) {
        const float* f = obs.item_features(b, slates[b * K_ + i]);
        std::copy(f, f + D_, row.input.begin() + U_ + i * D_);
      }
      rows_.mark_acted(b);
    }
  }

  void observe(const StepOutcomes& step, const sim::Observation& next) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      const Row& row = rows_.take(b);
      ++env_steps_;
      const int64_t idx = replay_.add();
      std::copy(row.input.begin(), row.input.end(), replay_.row(0, idx));
      replay_.row(1, idx)[0] = static_cast<float>(step.rewards[b]);
      replay_.row(2, idx)[0] = step.terminated[b] ? 1.f : 0.f;
      std::copy(next.user_row(b), next.user_row(b) + U_, replay_.row(3, idx));
      float* items = replay_.row(4, idx);
      for (int p = 0; p < N_; ++p) {
        const float* f = next.item_features(b, p);
        std::copy(f, f + D_, items + static_cast<size_t>(p) * D_);
      }
    }
  }

  UpdateStats update() override {
    if (replay_.size() == 0) return {};
    return run_due_updates(cfg_.dqn.updates_due(env_steps_), updates_,
                           [&] { return gradient_update(); });
  }

  void save(const std::string& dir) const override { ckpt_.save(dir); }
  void load(const std::string& dir) override { ckpt_.load(dir); }

 private:
  // What meta.toml records and load() requires (checkpoint_meta.h).
  CheckpointMeta meta() const {
    return {"full_slate_q",
            "full_slate_q",
            env_->spec().name,
            {},
            {{"input_dim", in_}, {"num_slates", P_}}};
  }

  struct Row {
    std::vector<float> input;
  };

  std::pair<double, double> gradient_update() {
    const int Bt = cfg_.dqn.batch_size;
    replay_.sample(Bt, rng_, idx_);
    auto x = torch::empty({Bt, in_}, torch::kFloat);
    auto nx = torch::empty({static_cast<int64_t>(Bt) * P_, in_}, torch::kFloat);
    float* px = x.data_ptr<float>();
    float* pn = nx.data_ptr<float>();
    for (int r = 0; r < Bt; ++r) {
      std::copy(replay_.row(0, idx_[r]), replay_.row(0, idx_[r]) + in_, px + r * in_);
      const float* u = replay_.row(3, idx_[r]);
      const float* items = replay_.row(4, idx_[r]);
      for (int a = 0; a < P_; ++a) {
        float* dst = pn + (static_cast<size_t>(r) * P_ + a) * in_;
        std::copy(u, u + U_, dst);
        for (int i = 0; i < K_; ++i)
          std::copy(items + slates_[a * K_ + i] * D_, items + (slates_[a * K_ + i] + 1) * D_,
                    dst + U_ + i * D_);
      }
    }
    torch::Tensor vnext;
    {
      torch::NoGradGuard ng;
      vnext = std::get<0>(target_->forward(nx).reshape({Bt, P_}).max(1)).contiguous();
    }
    std::vector<float> y(Bt);
    const float* pv = vnext.data_ptr<float>();
    double mean_y = 0;
    for (int r = 0; r < Bt; ++r) {
      const float term = replay_.row(2, idx_[r])[0];
      y[r] = td_target<float>(replay_.row(1, idx_[r])[0], static_cast<float>(cfg_.dqn.gamma), term,
                              pv[r]);
      mean_y += y[r];
    }
    auto yt = torch::from_blob(y.data(), {Bt}, torch::kFloat).clone();
    auto loss = torch::huber_loss(online_->forward(x).reshape({Bt}), yt);
    ++updates_;
    nn::check_finite(loss, *online_, "full_slate_q", updates_);
    nn::gradient_step(*optimizer_, loss, online_->parameters(), cfg_.opt.grad_clip);
    if (updates_ % cfg_.dqn.target_update_period == 0) nn::hard_update(*target_, *online_);
    return {loss.item<double>(), mean_y / Bt};
  }

  static std::vector<ReplayBuffer::Column> columns(const sim::EnvSpec& s) {
    const int64_t p = count_slates(s.num_candidates, s.slate_size);
    if (p > 5040)
      invalid_argument("full_slate_q enumerates every ordered slate: env.num_candidates = ",
                       s.num_candidates, " and env.slate_size = ", s.slate_size,
                       " give more than "
                       "5040 slates; use slateq_* for larger problems");
    return {{"input", s.user_dim + s.slate_size * s.item_dim},
            {"reward", 1},
            {"terminal", 1},
            {"next_user", s.user_dim},
            {"next_items", s.num_candidates * s.item_dim}};
  }

  void enumerate(int depth, std::vector<int32_t>& cur, std::vector<char>& used) {
    if (depth == K_) {
      slates_.insert(slates_.end(), cur.begin(), cur.end());
      return;
    }
    for (int i = 0; i < N_; ++i) {
      if (used[i]) continue;
      used[i] = 1;
      cur[depth] = i;
      enumerate(depth + 1, cur, used);
      used[i] = 0;
    }
  }

  FullSlateQConfig cfg_;
  const sim::Environment* env_;
  Rng rng_;
  ReplayBuffer replay_;
  int U_ = 0, D_ = 0, N_ = 0, K_ = 0, P_ = 0, in_ = 0;
  std::vector<int32_t> slates_;
  torch::nn::Sequential online_{nullptr}, target_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  LinearSchedule eps_;
  bool training_ = false;
  int64_t env_steps_ = 0, updates_ = 0;
  RowSlots<Row> rows_;
  std::vector<int64_t> idx_;
  Checkpoint ckpt_{[this] { return meta(); }};
};

}  // namespace

std::unique_ptr<Agent> make_full_slate_q(const AgentContext& ctx) {
  FullSlateQConfig cfg;
  read_section(*ctx.config, ctx.section, cfg);
  cfg.validate(ctx.section);
  return std::make_unique<FullSlateQ>(std::move(cfg), ctx);
}

std::string full_slate_q_defaults() { return dump_section("full_slate_q", "", FullSlateQConfig{}); }

}  // namespace rlrec::agents
