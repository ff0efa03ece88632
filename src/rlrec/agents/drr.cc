// DRR: Liu, Tang, Li, Zhang, Ye, Chen, Guo, Zhang, "Deep Reinforcement Learning based
// Recommendation with Explicit User-Item Interactions Modeling", arXiv 1810.12027 (2018).
//
// State s_t = SRM(u, H_t): u the user embedding, H_t = (e_1 .. e_n) the embeddings of the user's n
// most recent positively rated items (oldest first; missing entries are zero vectors). State
// representation modules (w_l learnable scalars, ⊙ element-wise product):
//   drr_n    s = [e_1, .., e_n]                                                       (n D)
//   drr_p    s = [e_1, .., e_n, {w_a e_a ⊙ w_b e_b : a < b}]                          ((n +
//   n(n-1)/2) D) drr_u    s = [{u ⊙ w_l e_l : l = 1..n}, {w_a e_a ⊙ w_b e_b : a < b}] ((n +
//   n(n-1)/2) D) drr_ave  g = Σ_l w_l e_l (weighted average pooling, a 1x1 convolution over the n
//   positions),
//            s = [u, u ⊙ g, g]                                                        (3 D)
// Actor a = μ(s) = tanh(MLP(s)) ∈ [-1, 1]^D (but see deviation 6); score(i) = a · e_i over the
// candidates; the slate is the top K candidates. Critic Q(s, a) = MLP([s, a]). DDPG (Lillicrap et
// al. 2016) with target networks μ', Q', SRM' updated by Polyak averaging (rate tau; tau = 0: hard
// copies every target_update_period gradient steps):
//   y = r + γ (1 - terminal) Q'(SRM'(s'_raw), μ'(SRM'(s'_raw)))
//   critic + SRM:  minimize (1/B) Σ_j w_j (y_j - Q(SRM(s_raw_j), a_j))^2
//   actor:         maximize (1/B) Σ_j Q(s_j, μ(s_j)) with s_j = SRM(s_raw_j) held fixed
// Prioritized replay (Schaul et al. 2016, proportional): P(j) = p_j / Σ p, p_j = (|δ_j| + 1e-6)^α,
// new transitions get the running maximum priority; importance weights w_j = (N P(j))^-β / max_j
// w_j.
//
// Embeddings. On a rating-log environment (env spec history_length > 0, e.g. movielens_*) u = [p_u,
// 1] and e_i = [q_i, b_i] from the environment's MF model (its catalogue features) and the
// observation carries the history as item ids; with fine_tune_embeddings the item table
// (initialised from the MF catalogue) is a parameter trained with the critic loss (and used for
// scoring), otherwise it stays fixed. On any other environment the agent uses the candidates'
// features as e_i, keeps the history itself (the chosen item of each step with a positive reward)
// and maps the user observation to D dimensions with a learned linear layer when its dimension
// differs from D.
//
// Deviations, each with its reason:
//  (1) The SRM weights are trained end to end by the critic's loss (backpropagation through s);
//      the actor sees s as a constant (as in encoder-based actor-critic agents), so one optimizer
//      owns each weight. One public implementation never trains the SRM at all (a bug).
//  (2) Exploration: with probability ε (1 during warm-up, then linear to epsilon_final) the ranking
//      vector gets Gaussian noise N(0, exploration_noise²) before scoring (as backgom2357's DRR),
//      so the stored action is the one that produced the slate; a uniformly random item (the
//      paper's ε-greedy) would store an action that did not choose it. ε is counted in environment
//      steps.
//  (3) Slates of K > 1 items: the top K by a · e_i; the reward is the environment's slate reward.
//  (4) β of the importance weights is constant (per_beta), not annealed to 1.
//  (5) Truncated episodes bootstrap from the final state; only `terminated` stops bootstrapping.
//  (6) residual_actor (default on rating-log environments): a = p̃_u + c tanh(MLP(s)) (c =
//      residual_scale), so the policy
//      starts from the MF ranking vector (p̃_u · e_i = the MF score) and the actor learns a
//      state-dependent correction. With the paper's a = tanh(MLP(s)) DDPG has to discover the MF
//      ranking from the critic's gradient alone, and in our measurements stays below PMF after
//      20k steps (docs/drr.md). residual_actor = false gives the paper's actor.
#include "rlrec/agents/drr.h"

#include <algorithm>
#include <cmath>

#include "rlrec/agents/ddpg.h"
#include "rlrec/agents/dqn_config.h"
#include "rlrec/agents/history.h"
#include "rlrec/agents/kit.h"
#include "rlrec/agents/nn.h"
#include "rlrec/agents/replay.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"

namespace rlrec::agents {
namespace {

enum class Srm { kN, kP, kU, kAve };

Srm parse_srm(const std::string& s) {
  if (s == "n") return Srm::kN;
  if (s == "p") return Srm::kP;
  if (s == "u") return Srm::kU;
  return Srm::kAve;
}

struct DrrConfig {
  std::string state_module = "ave";
  int history_length = 5;
  DqnConfig dqn;
  nn::OptimizerConfig opt;  // critic (and SRM) optimizer; lr = critic learning rate
  double actor_lr = 1e-3;
  double tau = 0.01;
  double exploration_noise = 0.5;
  double per_alpha = 0.6;
  double per_beta = 0.4;
  bool fine_tune_embeddings = false;
  bool residual_actor = true;
  double residual_scale = 0.1;

  DrrConfig() {
    dqn.gamma = 0.9;
    dqn.hidden = {128, 128};
    dqn.batch_size = 64;
    dqn.warmup_steps = 1000;
    dqn.update_period = 1;
    dqn.target_update_period = 1;
    dqn.epsilon_final = 0.1;
    dqn.epsilon_decay_steps = 20000;
    opt.grad_clip = 0;  // DDPG does not clip gradients
  }

  void visit(FieldVisitor& v) {
    v.field("state_module", state_module, "state representation: n | p | u | ave");
    v.field("history_length", history_length, "n: positively rated items in the state");
    dqn.visit(v);
    opt.visit(v);
    v.field("actor_lr", actor_lr, "actor learning rate (lr is the critic's and the SRM's)");
    v.field("tau", tau, "Polyak rate of the target networks (0 = hard copies)");
    v.field("exploration_noise", exploration_noise,
            "std. dev. of the Gaussian noise added to the ranking vector when exploring");
    v.field("per_alpha", per_alpha, "prioritized replay exponent α (0 = uniform)");
    v.field("per_beta", per_beta, "importance-weight exponent β");
    v.field("fine_tune_embeddings", fine_tune_embeddings,
            "train the MF item embeddings with the critic loss (rating-log environments only)");
    v.field("residual_actor", residual_actor,
            "rating-log environments: a = p̃_u + tanh(MLP(s)), the actor starts from the MF ranking "
            "vector and learns a correction (false: the paper's a = tanh(MLP(s)))");
    v.field("residual_scale", residual_scale,
            "residual actor: a = p̃_u + residual_scale * tanh(MLP(s))");
  }

  void validate(const std::string& s) const {
    check_one_of(s + ".state_module", state_module, {"n", "p", "u", "ave"});
    check_range(s + ".history_length", history_length, 1, 64);
    dqn.validate(s);
    opt.validate(s);
    check_positive(s + ".actor_lr", actor_lr);
    check_range(s + ".tau", tau, 0.0, 1.0);
    check_range(s + ".exploration_noise", exploration_noise, 0.0, 1e6);
    check_range(s + ".per_alpha", per_alpha, 0.0, 10.0);
    check_range(s + ".per_beta", per_beta, 0.0, 1.0);
    check_range(s + ".residual_scale", residual_scale, 0.0, 1e6);
  }
};

// The state representation module. forward(u [B, U], E [B, n, D]) -> s [B, out_dim()].
struct StateModuleImpl : torch::nn::Module {
  StateModuleImpl(Srm kind, int n, int D, int U, Rng& rng) : kind(kind), n(n), D(D), U(U) {
    if (kind != Srm::kN)
      w = register_parameter("w", torch::full({n}, kind == Srm::kAve ? 1.0f / n : 1.0f));
    if (kind == Srm::kU || kind == Srm::kAve) {
      if (U == 0) {
        u0 = register_parameter("u0", torch::zeros({D}));
      } else if (U != D) {
        proj = register_module("proj", torch::nn::Linear(U, D));
        nn::init_uniform(*proj, rng);
      }
    }
  }
  int pairs() const { return n * (n - 1) / 2; }
  int out_dim() const {
    switch (kind) {
      case Srm::kN:
        return n * D;
      case Srm::kP:
      case Srm::kU:
        return (n + pairs()) * D;
      case Srm::kAve:
        return 3 * D;
    }
    return 0;
  }
  torch::Tensor user(const torch::Tensor& u) {
    if (U == 0) return u0.unsqueeze(0).expand({u.size(0), D});
    return proj ? proj->forward(u) : u;
  }
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& E) {
    const int64_t B = E.size(0);
    if (kind == Srm::kN) return E.reshape({B, n * D});
    if (kind == Srm::kAve) {
      auto g = (E * w.view({1, n, 1})).sum(1);
      auto uu = user(u);
      return torch::cat({uu, uu * g, g}, 1);
    }
    auto we = E * w.view({1, n, 1});  // w_l e_l
    std::vector<torch::Tensor> parts;
    if (kind == Srm::kP)
      parts.push_back(E.reshape({B, n * D}));
    else
      parts.push_back((user(u).unsqueeze(1) * we).reshape({B, n * D}));
    for (int a = 0; a < n; ++a)
      for (int b = a + 1; b < n; ++b) parts.push_back(we.select(1, a) * we.select(1, b));
    return torch::cat(parts, 1);
  }
  Srm kind;
  int n, D, U;
  torch::Tensor w, u0, table;  // table: fine-tuned item embeddings (rating-log envs only)
  torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(StateModule);

class Drr final : public AgentBase {
 public:
  Drr(std::string name, DrrConfig cfg, const AgentContext& ctx)
      : AgentBase(std::move(name), ctx, "drr"),
        cfg_(std::move(cfg)),
        kind_(parse_srm(cfg_.state_module)),
        env_hist_(ctx.env->spec().history_length),
        residual_(cfg_.residual_actor && env_hist_ > 0) {
    nn::configure_torch();
    const auto& spec = env_->spec();
    n_ = cfg_.history_length;
    D_ = spec.item_dim;
    if (env_hist_ > 0) {
      const int n_env = env_hist_;
      if (n_ > n_env)
        invalid_argument(ctx.section, ".history_length (", n_, ") must be <= env.history_length (",
                         n_env, ") on environment '", spec.name, "'");
      U_ = spec.user_dim - n_env;
      if (D_ != U_ || spec.user_dim != U_ + n_env)
        invalid_argument(name_, ": embedding dimension mismatch: env item_dim ", D_, ", user_dim ",
                         spec.user_dim, ", expected ", U_, " and ", U_ + n_env);
    } else {
      if (cfg_.fine_tune_embeddings)
        invalid_argument(ctx.section,
                         ".fine_tune_embeddings needs a rating-log environment "
                         "(movielens_mf, movielens_replay, movielens_seq); environment is '",
                         spec.name, "'");
      U_ = spec.user_dim;
    }
    srm_ = StateModule(kind_, n_, D_, U_, rng_);
    srm_target_ = StateModule(kind_, n_, D_, U_, rng_);
    S_ = srm_->out_dim();
    actor_ = nn::mlp(S_, cfg_.dqn.hidden, D_, rng_);
    actor_target_ = nn::mlp(S_, cfg_.dqn.hidden, D_, rng_);
    critic_ = nn::mlp(S_ + D_, cfg_.dqn.hidden, 1, rng_);
    critic_target_ = nn::mlp(S_ + D_, cfg_.dqn.hidden, 1, rng_);
    if (env_hist_ > 0) {
      const sim::Catalogue* cat = env_->catalogue();
      if (cat == nullptr || cat->features.cols() != static_cast<size_t>(D_))
        invalid_argument(name_, ": environment '", spec.name, "' has env.history_length ",
                         env_hist_, " but no catalogue of ", D_, "-dimensional item features");
      const auto& f = cat->features;
      table_ = torch::from_blob(const_cast<float*>(f.data()), {static_cast<int64_t>(f.rows()), D_},
                                torch::kFloat)
                   .clone();
      if (cfg_.fine_tune_embeddings) {
        table_ = srm_->table = srm_->register_parameter("table", table_);
        srm_target_->table = srm_target_->register_parameter("table", table_.detach().clone());
      }
    }
    nn::hard_update(*srm_target_, *srm_);
    nn::hard_update(*actor_target_, *actor_);
    nn::hard_update(*critic_target_, *critic_);
    auto cparams = critic_->parameters();
    for (auto& p : srm_->parameters()) cparams.push_back(p);
    critic_params_ = cparams;
    actor_params_ = actor_->parameters();
    online_params_ = srm_->parameters();
    target_params_ = srm_target_->parameters();
    auto ap = actor_->parameters(), atp = actor_target_->parameters();
    auto cp = critic_->parameters(), ctp = critic_target_->parameters();
    online_params_.insert(online_params_.end(), ap.begin(), ap.end());
    target_params_.insert(target_params_.end(), atp.begin(), atp.end());
    online_params_.insert(online_params_.end(), cp.begin(), cp.end());
    target_params_.insert(target_params_.end(), ctp.begin(), ctp.end());
    critic_opt_ = nn::make_optimizer(cfg_.opt, critic_params_);
    nn::OptimizerConfig aopt = cfg_.opt;
    aopt.lr = cfg_.actor_lr;
    actor_opt_ = nn::make_optimizer(aopt, actor_->parameters());
    eps_ = cfg_.dqn.epsilon();
    const int H = env_hist_ > 0 ? n_ : n_ * D_;  // history: ids, or embeddings
    replay_ = std::make_unique<ReplayBuffer>(cfg_.dqn.replay_capacity,
                                             std::vector<ReplayBuffer::Column>{{"user", U_},
                                                                               {"hist", H},
                                                                               {"action", D_},
                                                                               {"reward", 1},
                                                                               {"terminal", 1},
                                                                               {"next_user", U_},
                                                                               {"next_hist", H}});
    per_ = std::make_unique<PrioritizedSampler>(*replay_, cfg_.per_alpha, cfg_.per_beta);
    rows_ = RowSlots<Row>([this](Row& r) {
      r.user.resize(U_);
      r.hist.resize(hist_width());
      r.action.resize(D_);
      r.own_hist = RecentItems(n_, D_);
    });
    nn::add_module(ckpt_, "srm.pt", *srm_);
    nn::add_module(ckpt_, "srm_target.pt", *srm_target_);
    nn::add_module(ckpt_, "actor.pt", *actor_);
    nn::add_module(ckpt_, "actor_target.pt", *actor_target_);
    nn::add_module(ckpt_, "critic.pt", *critic_);
    nn::add_module(ckpt_, "critic_target.pt", *critic_target_);
    nn::add_optimizer(ckpt_, "critic_optimizer.pt", *critic_opt_);
    nn::add_optimizer(ckpt_, "actor_optimizer.pt", *actor_opt_);
    ckpt_.replay("replay.bin", *replay_)
        .priorities("priorities.txt", *per_)
        .counters("state.bin", rng_, env_steps_, updates_)
        .after_load([this] { rows_.forget_pending(); });
  }

  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    const int B = obs.batch, K = obs.slate_size, N = obs.num_candidates;
    rows_.ensure(B);
    std::vector<int>& act_rows = rows_list_;
    act_rows.clear();
    for (int b = 0; b < B; ++b) {
      if (!obs.is_active(b)) continue;
      act_rows.push_back(b);
      Row& row = rows_[b];
      if (env_hist_ == 0 && (obs.episode_step == nullptr || obs.episode_step[b] == 0))
        row.own_hist.clear();
      read_state(obs, b, row.user.data(), row.hist.data());
    }
    if (act_rows.empty()) return;
    const int64_t R = static_cast<int64_t>(act_rows.size());
    const int H = hist_width();
    std::vector<float> ub(static_cast<size_t>(R) * U_), hb(static_cast<size_t>(R) * H);
    for (int64_t r = 0; r < R; ++r) {
      const Row& row = rows_[act_rows[r]];
      std::copy(row.user.begin(), row.user.end(), ub.begin() + r * U_);
      std::copy(row.hist.begin(), row.hist.end(), hb.begin() + r * H);
    }
    torch::Tensor a;
    {
      torch::InferenceMode im;  // acting: no autograd bookkeeping
      auto s = srm_->forward(nn::to_tensor(ub.data(), R, U_), embed(hb.data(), R, *srm_));
      a = action_of(*actor_, s, nn::to_tensor(ub.data(), R, U_)).contiguous();
    }
    const float* pa = a.data_ptr<float>();
    const double eps = training_ ? eps_.value(env_steps_) : cfg_.dqn.epsilon_eval;
    std::vector<double> scores(N);
    std::vector<float> av(D_);
    for (int64_t r = 0; r < R; ++r) {
      const int b = act_rows[r];
      std::copy(pa + r * D_, pa + (r + 1) * D_, av.begin());
      if (eps > 0 && rngs[b].uniform() < eps)
        for (auto& x : av) x += static_cast<float>(rngs[b].normal(0.0, cfg_.exploration_noise));
      for (int p = 0; p < N; ++p) {
        const float* e = item_embedding(obs, b, p);
        double s = 0;
        for (int j = 0; j < D_; ++j) s += static_cast<double>(av[j]) * e[j];
        scores[p] = s;
      }
      sim::top_k_positions(scores.data(), N, K, slates + static_cast<size_t>(b) * K, scratch_);
      if (training_) {
        Row& row = rows_[b];
        std::copy(av.begin(), av.end(), row.action.begin());
        row.slate_items.resize(static_cast<size_t>(K) * D_);
        for (int i = 0; i < K; ++i) {
          const float* e = item_embedding(obs, b, slates[b * K + i]);
          std::copy(e, e + D_, row.slate_items.begin() + static_cast<size_t>(i) * D_);
        }
        rows_.mark_acted(b);
      }
    }
  }

  void observe(const StepOutcomes& step, const sim::Observation& next) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      Row& row = rows_.take(b);
      ++env_steps_;
      const double r = step.rewards[b];
      const int c = step.choices[b];
      if (env_hist_ == 0 && c >= 0 && r > 0)
        row.own_hist.push(&row.slate_items[static_cast<size_t>(c) * D_]);
      const int64_t idx = replay_->add();
      replay_->put(c_user_, idx, row.user);
      replay_->put(c_hist_, idx, row.hist);
      replay_->put(c_action_, idx, row.action);
      replay_->put(c_reward_, idx, static_cast<float>(r));
      replay_->put(c_terminal_, idx, step.terminated[b] ? 1.f : 0.f);
      read_state(next, b, replay_->row(c_next_user_, idx), replay_->row(c_next_hist_, idx));
      per_->added(idx);
    }
  }

  UpdateStats update() override {
    if (replay_->size() == 0) return {};
    return run_due_updates(cfg_.dqn.updates_due(env_steps_), updates_,
                           [&] { return gradient_update(); });
  }

 private:
  struct Row {
    std::vector<float> user, hist, action, slate_items;
    RecentItems own_hist;  // generic envs: the last n positively rated items
  };

  int hist_width() const { return env_hist_ > 0 ? n_ : n_ * D_; }

  // μ(s) = tanh(MLP(s)), plus the user vector p̃_u with the residual actor (rating-log envs).
  torch::Tensor action_of(torch::nn::SequentialImpl& actor, const torch::Tensor& s,
                          const torch::Tensor& user) const {
    auto a = torch::tanh(actor.forward(s));
    return residual_ ? user + cfg_.residual_scale * a : a;
  }

  // The raw state of row b: user vector (U_) and history (ids or embeddings).
  void read_state(const sim::Observation& obs, int b, float* user, float* hist) {
    if (env_hist_ > 0) {
      const float* u = obs.user_row(b);
      std::copy(u, u + U_, user);
      const int n_env = env_hist_;
      std::copy(u + U_ + (n_env - n_), u + U_ + n_env, hist);  // the most recent n
    } else {
      if (U_ > 0) std::copy(obs.user_row(b), obs.user_row(b) + U_, user);
      rows_.ensure(b + 1);
      const RecentItems& h = rows_[b].own_hist;
      std::copy(h.padded(), h.padded() + static_cast<size_t>(n_) * D_, hist);
    }
  }

  const float* item_embedding(const sim::Observation& obs, int b, int pos) const {
    if (env_hist_ > 0) return table_.data_ptr<float>() + obs.item_id(b, pos) * D_;
    return obs.item_features(b, pos);
  }

  // History rows -> E [R, n, D] (ids are looked up in the module's table; -1 gives zeros).
  torch::Tensor embed(const float* hist, int64_t R, StateModuleImpl& srm) const {
    if (env_hist_ == 0)
      return nn::to_tensor(hist, R, static_cast<int64_t>(n_) * D_).view({R, n_, D_});
    std::vector<int64_t> ids(static_cast<size_t>(R) * n_);
    std::vector<float> mask(ids.size());
    for (size_t j = 0; j < ids.size(); ++j) {
      ids[j] = hist[j] < 0 ? 0 : static_cast<int64_t>(hist[j]);
      mask[j] = hist[j] < 0 ? 0.f : 1.f;
    }
    auto idt = torch::from_blob(ids.data(), {R * n_}, torch::kLong).clone();
    auto mt = torch::from_blob(mask.data(), {R, n_, 1}, torch::kFloat).clone();
    const torch::Tensor& table = cfg_.fine_tune_embeddings ? srm.table : table_;
    return table.index_select(0, idt).view({R, n_, D_}) * mt;
  }

  torch::Tensor gather(int col, int width) const {
    auto t = torch::empty({static_cast<int64_t>(idx_.size()), width}, torch::kFloat);
    replay_->gather(col, idx_, t.data_ptr<float>());
    return t;
  }

  std::pair<double, double> gradient_update() {
    const int Bt = cfg_.dqn.batch_size;
    per_->sample(Bt, rng_, idx_, weights_);
    const int H = hist_width();
    auto user = gather(c_user_, U_), next_user = gather(c_next_user_, U_);
    auto hist = gather(c_hist_, H), next_hist = gather(c_next_hist_, H);
    auto action = gather(c_action_, D_);
    auto reward = gather(c_reward_, 1).view({Bt});
    auto terminal = gather(c_terminal_, 1).view({Bt});
    std::vector<float> wv(weights_.begin(), weights_.end());
    auto w = torch::from_blob(wv.data(), {Bt}, torch::kFloat).clone();
    torch::Tensor y;
    {
      torch::NoGradGuard ng;
      auto s2 =
          srm_target_->forward(next_user, embed(next_hist.data_ptr<float>(), Bt, *srm_target_));
      auto a2 = action_of(*actor_target_, s2, next_user);
      auto q2 = critic_target_->forward(torch::cat({s2, a2}, 1)).view({Bt});
      y = ddpg::target(reward, cfg_.dqn.gamma, terminal, q2);
    }
    auto s = srm_->forward(user, embed(hist.data_ptr<float>(), Bt, *srm_));
    auto q = critic_->forward(torch::cat({s, action}, 1)).view({Bt});
    auto delta = y - q;
    auto critic_loss = ddpg::weighted_loss(delta, w);
    ++updates_;
    nn::check_finite(critic_loss, *critic_, name_, updates_);
    nn::gradient_step(*critic_opt_, critic_loss, critic_params_, cfg_.opt.grad_clip);
    // Actor: ascend Q(s, μ(s)) with s fixed.
    auto sd = s.detach();
    auto actor_loss =
        ddpg::actor_loss(critic_->forward(torch::cat({sd, action_of(*actor_, sd, user)}, 1)));
    nn::gradient_step(*actor_opt_, actor_loss, actor_params_, cfg_.opt.grad_clip);
    // Priorities.
    auto ad = delta.detach().abs().contiguous();
    per_->update(idx_, ad.data_ptr<float>());
    if (cfg_.tau > 0) {
      // Polyak averaging of all three target modules in two fused ops.
      torch::NoGradGuard ng;
      torch::_foreach_mul_(target_params_, 1 - cfg_.tau);
      torch::_foreach_add_(target_params_, online_params_, cfg_.tau);
    } else if (updates_ % cfg_.dqn.target_update_period == 0) {
      nn::hard_update(*srm_target_, *srm_);
      nn::hard_update(*actor_target_, *actor_);
      nn::hard_update(*critic_target_, *critic_);
    }
    return {critic_loss.item<double>(), y.mean().item<double>()};
  }

  CheckpointMeta meta() const override {
    const auto& s = env_->spec();
    return {"drr",
            name_,
            s.name,
            {{"state_module", cfg_.state_module}},
            {{"history_length", n_},
             {"user_dim", s.user_dim},
             {"item_dim", D_},
             {"num_candidates", s.num_candidates},
             {"slate_size", s.slate_size}}};
  }

  DrrConfig cfg_;
  Srm kind_;
  int env_hist_;  // env.history_length: > 0 on rating-log environments (ids in the observation)
  bool residual_;
  int n_ = 0, D_ = 0, U_ = 0, S_ = 0;
  StateModule srm_{nullptr}, srm_target_{nullptr};
  torch::nn::Sequential actor_{nullptr}, actor_target_{nullptr}, critic_{nullptr},
      critic_target_{nullptr};
  torch::Tensor table_;
  std::vector<torch::Tensor> critic_params_, actor_params_;
  std::vector<torch::Tensor> online_params_, target_params_;  // srm, actor, critic (same order)
  std::unique_ptr<torch::optim::Optimizer> critic_opt_, actor_opt_;
  std::unique_ptr<ReplayBuffer> replay_;
  std::unique_ptr<PrioritizedSampler> per_;
  LinearSchedule eps_;
  static constexpr int c_user_ = 0, c_hist_ = 1, c_action_ = 2, c_reward_ = 3, c_terminal_ = 4,
                       c_next_user_ = 5, c_next_hist_ = 6;
  RowSlots<Row> rows_;
  std::vector<int> rows_list_;
  std::vector<int32_t> scratch_;
  std::vector<int64_t> idx_;
  std::vector<double> weights_;
};

// A variant's defaults: its state module (nullptr: agent 'drr', the module is a key).
DrrConfig preset(const char* srm) {
  DrrConfig cfg;
  if (srm) cfg.state_module = srm;
  return cfg;
}

std::unique_ptr<Agent> make_variant(const AgentContext& ctx, const char* name, const char* srm) {
  DrrConfig cfg = read_agent_config(ctx, preset(srm));
  if (srm && cfg.state_module != srm)
    invalid_argument(ctx.section, ".state_module is fixed to '", srm, "' by agent '", name,
                     "' (use agent 'drr' to choose it), got '", cfg.state_module, "'");
  return std::make_unique<Drr>(name, std::move(cfg), ctx);
}

std::string defaults_for(const char* name, const char* srm) {
  return dump_section(name, "", preset(srm));
}

}  // namespace

std::unique_ptr<Agent> make_drr_n(const AgentContext& c) { return make_variant(c, "drr_n", "n"); }
std::unique_ptr<Agent> make_drr_p(const AgentContext& c) { return make_variant(c, "drr_p", "p"); }
std::unique_ptr<Agent> make_drr_u(const AgentContext& c) { return make_variant(c, "drr_u", "u"); }
std::unique_ptr<Agent> make_drr_ave(const AgentContext& c) {
  return make_variant(c, "drr_ave", "ave");
}
std::string drr_n_defaults() { return defaults_for("drr_n", "n"); }
std::string drr_p_defaults() { return defaults_for("drr_p", "p"); }
std::string drr_u_defaults() { return defaults_for("drr_u", "u"); }
std::string drr_ave_defaults() { return defaults_for("drr_ave", "ave"); }

DrrStateModuleCheck drr_check_state_module(const std::string& kind, int n, int D, int U,
                                           int batch) {
  check_one_of("state_module", kind, {"n", "p", "u", "ave"});
  nn::configure_torch();
  Rng rng(7, 1);
  StateModule m(parse_srm(kind), n, D, U, rng);
  std::vector<float> u(static_cast<size_t>(batch) * U), e(static_cast<size_t>(batch) * n * D);
  for (auto& x : u) x = static_cast<float>(rng.normal());
  for (auto& x : e) x = static_cast<float>(rng.normal());
  auto ut = nn::to_tensor(u.data(), batch, U);
  auto et = nn::to_tensor(e.data(), batch, static_cast<int64_t>(n) * D).view({batch, n, D});
  auto s = m->forward(ut, et);
  DrrStateModuleCheck out;
  out.rows = s.size(0);
  out.cols = s.size(1);
  out.expected_cols = m->out_dim();
  // A loss that depends on every output entry non-linearly (sum(s) would cancel nothing either).
  if (m->parameters().empty()) return out;  // DRR-n has no weights
  s.pow(2).sum().backward();
  for (const auto& p : m->named_parameters())
    out.grad_norms.emplace_back(
        p.key(), p.value().grad().defined() ? p.value().grad().norm().item<double>() : 0.0);
  return out;
}

}  // namespace rlrec::agents
