// Top-K off-policy corrected REINFORCE: Chen, Beutel, Covington, Jain, Belletti, Chi, "Top-K
// Off-Policy Correction for a REINFORCE Recommender System", WSDM 2019 (arXiv 1812.02353);
// shared/reference/algorithms.md §3.
//
// State: s_t = tanh(W [GRU(u_{a_1}, ..., u_{a_m}); x_t]) where u_{a_j} are the features of the
// items
//   the user consumed earlier in the session (the last `history_length`; zero-reward steps do not
//   enter the state, as in the paper) and x_t the observed user features (context).
// Policy: π(a|s) = softmax_a(sᵀ v_a / T) over the candidates, v_a = V f_a (f_a item features).
//   softmax = full: exact; sampled (or auto with N > sampled_threshold): log-Q corrected sampled
//   softmax, log π(a|s) ≈ l_a − log(e^{l_a} + Σ_{j∈S} e^{l_j − log(|S| Q(j))}), S drawn from the
//   uniform proposal Q = 1/N (then the correction is the constant log(N/|S|), which turns the
//   sample sum into an unbiased estimate of the partition function).
// Behaviour head: β(a|s) = softmax_a(sg(s)ᵀ v'_a) with a separate item map V' and the state's
//   gradient stopped (sg), trained by maximum likelihood on every shown item of every logged slate:
//   L_β = −mean log β(a|s). behaviour = logged uses the log's propensities instead:
//   β(a|s) = inclusion(a)/K_slate = P(a shown) / K_slate, the probability that a uniformly chosen
//   slot of the logged slate holds a (a distribution over candidates; = the softmax for K = 1).
// Policy loss on logged events with a choice (the consumed item a_t; R_t = 0 events carry no
//   gradient, as in the paper): L_π = −mean_t w_t R_t log π(a_t|s_t), with the return
//   R_t = Σ_{t'=t}^{t+H−1} γ^{t'−t} r_{t'} within the episode (H = return_horizon, 0 = to the end)
//   and the weight (π, β detached):
//     correction = none: w = 1;  iw: w = min(π/β, c);  topk: w = min(π/β, c) · λ_K,
//     λ_K = K (1 − π)^(K−1)    (K = k, default the slate size; c = cap, default e³).
// Serving (Boltzmann exploration, §3.5): the top M candidates by logit (serving_top_m; 0 = all),
//   the best K′ (serving_deterministic) shown deterministically, the remaining K − K′ slots sampled
//   without replacement from softmax(l / serving_temperature) over the other M − K′
//   (Plackett-Luce). Served propensities: slot_probabilities (exact when (M − K′)^(K − K′) is
//   small), slate_probability and the Plackett-Luce conditionals; online training records them
//   (inclusion) for its β. Evaluation serves the greedy top-K by logit (eval_serving = greedy) or
//   the Boltzmann policy.
// Training: offline from a log ([data] section, agents/offline.h) or online: the agent's own
//   served episodes (with their served propensities) go to a store of `replay_capacity` events and
//   the same loss is minimised on samples from it (the propensities correct for the store's age).
//
// Deviations: (1) item vectors are a linear map of item features, not free id embeddings: in the
// fresh-items environments items never recur, so ids cannot be learned (the same map covers a
// fixed corpus). (2) A GRU, not the paper's Chaos-Free cell (the issue allows either). (3) Each
// example re-encodes its history window (history_length) instead of carrying the RNN state across
// the whole sequence: examples are then i.i.d. samples and a batch is one padded GRU call.
// (4) Serving scores all candidates exactly (no ANN index): candidates are at most the catalogue.
// (5) Online β for a shown item is its served inclusion probability / K (exact when the marginals
// are computable, else the paper's α = 1 − (1 − p)^K approximation); deterministic slots get 1.
#include "rlrec/agents/topk_reinforce.h"

#include <algorithm>
#include <cmath>

#include "rlrec/agents/episode_store.h"
#include "rlrec/agents/history.h"
#include "rlrec/agents/kit.h"
#include "rlrec/agents/nn.h"
#include "rlrec/agents/offline.h"
#include "rlrec/agents/slate_serving.h"
#include "rlrec/core/check.h"
#include "rlrec/core/error.h"
#include "rlrec/sim/plackett_luce.h"

namespace rlrec::agents {
namespace reinforce {

double lambda_k(double pi, int k) { return k * std::pow(1.0 - pi, k - 1); }
double capped_weight(double pi, double beta, double cap) { return std::min(pi / beta, cap); }
double example_weight(Correction c, double pi, double beta, double cap, int k) {
  switch (c) {
    case Correction::kNone:
      return 1.0;
    case Correction::kIw:
      return capped_weight(pi, beta, cap);
    case Correction::kTopK:
      return capped_weight(pi, beta, cap) * lambda_k(pi, k);
  }
  return 1.0;
}

std::vector<double> analytic_policy(const std::vector<double>& r, const std::vector<double>& beta,
                                    Correction c, int k, double cap, double lr, int iterations) {
  const int n = static_cast<int>(r.size());
  std::vector<double> theta(n, 0.0), pi(n), g(n);
  for (int it = 0; it <= iterations; ++it) {
    sim::softmax(theta.data(), n, pi.data());
    if (it == iterations) break;
    std::fill(g.begin(), g.end(), 0.0);
    for (int a = 0; a < n; ++a) {
      const double coef = beta[a] * example_weight(c, pi[a], beta[a], cap, k) * r[a];
      for (int j = 0; j < n; ++j) g[j] += coef * ((j == a) - pi[j]);
    }
    for (int j = 0; j < n; ++j) theta[j] += lr * g[j];
  }
  return pi;
}

}  // namespace reinforce

namespace {

using reinforce::Correction;

struct TopKReinforceConfig {
  std::string correction = "topk";
  int k = 0;
  double cap = std::exp(3.0);
  double gamma = 0.9;
  int64_t return_horizon = 0;
  double temperature = 1.0;
  std::string behaviour = "estimated";
  std::string softmax = "auto";
  int num_sampled = 100;
  int64_t sampled_threshold = 1000;
  int history_length = 10;
  std::vector<int64_t> hidden{64};
  int batch_size = 64;
  int64_t update_period = 1;
  int64_t warmup_steps = 500;
  int64_t replay_capacity = 50000;
  BoltzmannServing::Config
      serving;  // keys serving_top_m, serving_deterministic, serving_temperature
  std::string eval_serving = "greedy";
  std::string data_section = "data";
  nn::OptimizerConfig opt;

  void visit(FieldVisitor& v) {
    v.field("correction", correction, "none | iw (min(π/β, c)) | topk (min(π/β, c) λ_K)");
    v.field("k", k, "K of the top-K correction λ_K = K(1-π)^(K-1); 0 = the slate size");
    v.field("cap", cap, "importance-weight cap c > 0 (paper: e^3)");
    v.field("gamma", gamma, "discount of the return R_t, in [0, 1]");
    v.field("return_horizon", return_horizon, "steps summed into R_t (0 = to the episode end)");
    v.field("temperature", temperature, "softmax temperature T > 0 of π(a|s) = softmax(s·v_a / T)");
    v.field("behaviour", behaviour,
            "estimated (β head, max likelihood on logged slates) | logged (log propensities)");
    v.field("softmax", softmax, "auto | full | sampled (log-Q corrected sampled softmax)");
    v.field("num_sampled", num_sampled, "sampled softmax: negatives per example");
    v.field("sampled_threshold", sampled_threshold,
            "auto: sampled softmax when candidates exceed this");
    v.field("history_length", history_length, "consumed items the GRU reads (most recent)");
    v.field("hidden", hidden, "[state size] of the GRU and the user state s");
    v.field("batch_size", batch_size, "examples per gradient step");
    v.field("update_period", update_period, "environment (or logged) steps per gradient step");
    v.field("warmup_steps", warmup_steps, "online: environment steps before the first update");
    v.field("replay_capacity", replay_capacity, "online: served events kept for training");
    serving.visit(v);
    v.field("eval_serving", eval_serving, "evaluation slates: greedy (top-K) | boltzmann");
    v.field("data_section", data_section,
            "config section naming the training log (\"\" or absent section = train online)");
    opt.visit(v);
  }

  void validate(const std::string& s, const sim::EnvSpec& spec) const {
    check_one_of(s + ".correction", correction, {"none", "iw", "topk"});
    if (k < 0 || k > (1 << 20))
      invalid_argument(s, ".k must be in [0, 1048576] (0 = slate size), got ", k);
    if (!(cap > 0)) invalid_argument(s, ".cap must be > 0, got ", format_double(cap));
    check_range(s + ".gamma", gamma, 0.0, 1.0);
    check_range(s + ".return_horizon", return_horizon, 0, INT64_MAX);
    if (!(temperature > 0))
      invalid_argument(s, ".temperature must be > 0, got ", format_double(temperature));
    check_one_of(s + ".behaviour", behaviour, {"estimated", "logged"});
    check_one_of(s + ".softmax", softmax, {"auto", "full", "sampled"});
    check_range(s + ".num_sampled", num_sampled, 1, 1 << 20);
    check_range(s + ".sampled_threshold", sampled_threshold, 1, INT64_MAX);
    check_range(s + ".history_length", history_length, 1, 1000);
    if (hidden.size() != 1)
      invalid_argument(s, ".hidden must list exactly one size (the state size), got ",
                       hidden.size());
    check_range(s + ".hidden", hidden[0], 1, 65536);
    check_range(s + ".batch_size", batch_size, 1, 1 << 20);
    check_range(s + ".update_period", update_period, 1, INT64_MAX);
    check_range(s + ".warmup_steps", warmup_steps, 0, INT64_MAX);
    check_range(s + ".replay_capacity", replay_capacity, 1, int64_t{1} << 32);
    serving.validate(s, spec);
    check_one_of(s + ".eval_serving", eval_serving, {"greedy", "boltzmann"});
    opt.validate(s);
  }
};

struct NetImpl : torch::nn::Module {
  NetImpl(int D, int U, int H)
      : gru(torch::nn::GRUOptions(D, H).batch_first(true)),
        state(H + U, H),
        item_pi(D, H),
        item_beta(D, H) {
    register_module("gru", gru);
    register_module("state", state);
    register_module("item_pi", item_pi);
    register_module("item_beta", item_beta);
  }
  // hist [B, L, D] right-padded, len [B] (int64), user [B, U] -> s [B, H].
  torch::Tensor encode(const torch::Tensor& hist, const torch::Tensor& len,
                       const torch::Tensor& user) {
    const int64_t B = hist.size(0), H = state->options.out_features();
    auto out = std::get<0>(gru->forward(hist));  // [B, L, H]
    auto idx = (len - 1).clamp_min(0).view({B, 1, 1}).expand({B, 1, H});
    auto h = out.gather(1, idx).squeeze(1) * (len > 0).to(torch::kFloat).unsqueeze(1);
    return torch::tanh(state->forward(torch::cat({h, user}, 1)));
  }
  // cands [B, C, D] -> logits [B, C].
  torch::Tensor pi_logits(const torch::Tensor& s, const torch::Tensor& cands, double T) {
    return torch::bmm(item_pi->forward(cands), s.unsqueeze(2)).squeeze(2) / T;
  }
  torch::Tensor beta_logits(const torch::Tensor& s, const torch::Tensor& cands) {
    return torch::bmm(item_beta->forward(cands), s.detach().unsqueeze(2)).squeeze(2);
  }
  torch::nn::GRU gru;
  torch::nn::Linear state, item_pi, item_beta;
};
TORCH_MODULE(Net);

class TopKReinforce final : public AgentBase,
                            public OfflineLearner,
                            public sim::SequentialPropensities {
 public:
  TopKReinforce(std::string name, TopKReinforceConfig cfg, const AgentContext& ctx)
      : AgentBase(std::move(name), ctx, "topk_reinforce"),
        cfg_(std::move(cfg)),
        store_(cfg_.replay_capacity, cfg_.gamma, cfg_.return_horizon) {
    nn::configure_torch();
    const auto& s = env_->spec();
    N_ = s.num_candidates;
    K_ = s.slate_size;
    U_ = s.user_dim;
    D_ = s.item_dim;
    L_ = cfg_.history_length;
    H_ = static_cast<int>(cfg_.hidden[0]);
    Kc_ = cfg_.k > 0 ? cfg_.k : K_;
    correction_ = cfg_.correction == "none" ? Correction::kNone
                  : cfg_.correction == "iw" ? Correction::kIw
                                            : Correction::kTopK;
    sampled_ = cfg_.softmax == "sampled" || (cfg_.softmax == "auto" && N_ > cfg_.sampled_threshold);
    serving_ = std::make_unique<BoltzmannServing>(N_, K_, cfg_.serving);
    net_ = Net(D_, U_, H_);
    nn::init_uniform(*net_, rng_);  // the Linear layers
    {  // the GRU (torch's scheme U(±1/sqrt(H)), drawn from our stream, not torch's global RNG)
      torch::NoGradGuard ng;
      const double bound = 1.0 / std::sqrt(static_cast<double>(H_));
      for (auto& t : net_->gru->parameters()) {
        auto acc = torch::empty(t.sizes(), torch::kFloat);
        float* p = acc.data_ptr<float>();
        for (int64_t i = 0; i < acc.numel(); ++i)
          p[i] = static_cast<float>(rng_.uniform(-bound, bound));
        t.copy_(acc);
      }
    }
    optimizer_ = nn::make_optimizer(cfg_.opt, net_->parameters());
    store_.header() = logs::make_header(*env_, Config(), 0, name_, ctx.seed);
    rows_ = RowSlots<Row>([this](Row& r) {
      r.shown.resize(static_cast<size_t>(K_) * D_);
      r.hist = RecentItems(L_, D_);
    });
    nn::add_module(ckpt_, "net.pt", *net_);
    nn::add_optimizer(ckpt_, "optimizer.pt", *optimizer_);
    ckpt_.counters("state.bin", rng_, env_steps_, updates_)
        .part(
            "store.bin", [this](const std::string& path) { store_.save(path); },
            [this](const std::string& path) { store_.load(path, *env_); })
        .after_load([this] {
          rows_.forget_pending([](Row& r) {
            r.pending.clear();
            r.step_committed = -1;
          });
        });
  }

  // ------------------------------------------------------------------------------------ serving
  void act(const sim::Observation& obs, int32_t* slates, Rng* rngs) override {
    rows_.ensure(obs.batch);
    std::vector<int> rows;
    for (int b = 0; b < obs.batch; ++b)
      if (obs.is_active(b)) rows.push_back(b);
    if (rows.empty()) return;
    for (int b : rows) commit_history(obs, b);
    const torch::Tensor logits = score_rows(obs, rows);  // [R, N] double
    const double* pl = logits.data_ptr<double>();
    const bool boltzmann = boltzmann_serving();
    for (size_t r = 0; r < rows.size(); ++r) {
      const int b = rows[r];
      int32_t* slate = slates + static_cast<size_t>(b) * K_;
      if (!boltzmann)
        sim::top_k_positions(pl + r * N_, N_, K_, slate, scratch_);
      else
        serving_->sample(pl + r * N_, rngs[b], slate);
      copy_slate_features(obs, b, slate, K_, rows_[b].shown.data());
      if (training_) record_pending(obs, b, slate, pl + r * N_);
    }
  }

  // The served propensities (sim::SequentialPropensities), from slate_serving.h.
  bool slot_probabilities(const sim::Observation& obs, int row, double* probs) const override {
    std::vector<double> logits = row_logits(obs, row);
    if (boltzmann_serving()) return serving_->slot_probabilities(logits.data(), probs);
    greedy_slot_probabilities(logits.data(), N_, K_, probs);
    return true;
  }

  double slate_probability(const sim::Observation& obs, int row,
                           const int32_t* slate) const override {
    std::vector<double> cond(K_);
    slot_conditionals(obs, row, slate, cond.data());
    double prod = 1;
    for (double c : cond) prod *= c;
    return prod;
  }

  bool slot_conditionals(const sim::Observation& obs, int row, const int32_t* slate,
                         double* cond) const override {
    std::vector<double> logits = row_logits(obs, row);
    if (boltzmann_serving())
      serving_->slot_conditionals(logits.data(), slate, cond);
    else
      greedy_slot_conditionals(logits.data(), N_, K_, slate, cond);
    return true;
  }

  // ---------------------------------------------------------------------------- online learning
  void observe(const StepOutcomes& step, const sim::Observation&) override {
    for (int b = 0; b < step.batch; ++b) {
      if (!step.is_active(b)) continue;
      Row& row = rows_.take(b);
      ++env_steps_;
      logs::LogRecord& r = row.pending.back();
      r.choice = step.choices[b];
      r.reward = step.rewards[b];
      r.terminated = step.terminated[b];
      r.truncated = step.truncated[b] && !r.terminated;
      const float* resp = step.responses.row(b);
      r.responses.assign(resp, resp + static_cast<size_t>(K_) * env_->spec().response_dim());
      if (r.terminated || r.truncated) store_.append_episode(row.pending);
    }
  }

  UpdateStats update() override {
    UpdateStats st;
    if (offline_ || store_.index().clicked.empty()) return st;
    const int64_t due =
        env_steps_ < cfg_.warmup_steps ? 0 : (env_steps_ - cfg_.warmup_steps) / cfg_.update_period;
    while (updates_ < due)
      gradient_update(store_.data(), store_.index(), /*logged_beta=*/false, st);
    return st;
  }

  // --------------------------------------------------------------------------- offline learning
  std::string data_section() const override { return cfg_.data_section; }

  void set_log(std::shared_ptr<const logs::LogData> log, const std::string& path) override {
    log_path_ = path;
    derived_.clear();
    derived_.extend(*log, 0, cfg_.gamma, cfg_.return_horizon);
    if (derived_.clicked.empty())
      invalid_argument(path, ": the log has no event with a choice (", log->size,
                       " events): nothing for REINFORCE to learn from");
    if (cfg_.behaviour == "logged" && correction_ != Correction::kNone) {
      for (int64_t i : derived_.clicked)
        if (log->inclusion[i * K_ + log->choice[i]] <= 0)
          throw_error(ErrorCode::kInvalidArgument, path, ": record ", i,
                      ": the chosen item's propensity is unknown (-1), but behaviour = \"logged\" "
                      "with correction = \"",
                      cfg_.correction, "\" needs it (log from policy '", log->header.policy,
                      "'); use behaviour = \"estimated\" or a log from a "
                      "stochastic policy (softmax_myopic, biased_softmax)");
    }
    offline_ = std::move(log);
  }

  UpdateStats train_offline(int64_t events) override {
    RLREC_CHECK(offline_ != nullptr, "train_offline() before set_log()");
    UpdateStats st;
    env_steps_ += events;
    const int64_t due = env_steps_ / cfg_.update_period;
    while (updates_ < due) gradient_update(*offline_, derived_, cfg_.behaviour == "logged", st);
    return st;
  }

  // Test hook (topk_reinforce_encoder_grad_from_beta).
  double encoder_grad_from_beta(double* head_grad) {
    const logs::LogData& d = store_.data();
    RLREC_CHECK(d.size > 0, "no stored events");
    std::vector<int64_t> ev(std::min<int64_t>(8, d.size));
    for (auto& e : ev) e = static_cast<int64_t>(rng_.uniform_int(static_cast<uint64_t>(d.size)));
    optimizer_->zero_grad();
    auto loss = beta_loss(d, store_.index(), ev);
    loss.backward();
    auto sum_abs = [](torch::nn::Module& m) {
      double s = 0;
      for (auto& p : m.parameters())
        if (p.grad().defined()) s += p.grad().abs().sum().item<double>();
      return s;
    };
    *head_grad = sum_abs(*net_->item_beta);
    const double enc = sum_abs(*net_->gru) + sum_abs(*net_->state) + sum_abs(*net_->item_pi);
    optimizer_->zero_grad();
    return enc;
  }

 private:
  struct Row {
    RecentItems hist;          // consumed item features, oldest first (<= L)
    std::vector<float> shown;  // K x D: the slate shown at the last act()
    int step_committed = -1;
    std::vector<logs::LogRecord> pending;  // the episode so far (training)
  };

  bool boltzmann_serving() const { return training_ || cfg_.eval_serving == "boltzmann"; }

  // The consumed-item history for row b at this observation, without changing state: the stored
  // history plus the item consumed at the previous step (obs.last_choice), unless already added.
  void effective_history(const sim::Observation& obs, int b, RecentItems& out) const {
    if (obs.episode_step[b] == 0 || b >= rows_.size()) {
      out = RecentItems(L_, D_);
      return;
    }
    const Row& row = rows_[b];
    out = row.hist;
    if (row.step_committed != obs.episode_step[b] && obs.last_choice[b] >= 0 && D_ > 0)
      out.push(row.shown.data() + static_cast<size_t>(obs.last_choice[b]) * D_);
  }
  void commit_history(const sim::Observation& obs, int b) {
    RecentItems h;
    effective_history(obs, b, h);
    rows_[b].hist = std::move(h);
    rows_[b].step_committed = obs.episode_step[b];
  }

  // Logits over all candidates for the given rows: [R, N] double.
  torch::Tensor score_rows(const sim::Observation& obs, const std::vector<int>& rows) const {
    const int64_t R = static_cast<int64_t>(rows.size());
    std::vector<RecentItems> hs(R);
    int64_t Lb = 1;  // the GRU runs over the longest history in the batch only
    for (int64_t r = 0; r < R; ++r) {
      effective_history(obs, rows[r], hs[r]);
      Lb = std::max<int64_t>(Lb, hs[r].size());
    }
    auto hist = torch::zeros({R, Lb, D_}, torch::kFloat);
    auto len = torch::zeros({R}, torch::kLong);
    auto user = torch::empty({R, U_}, torch::kFloat);
    auto cands = torch::empty({R, N_, D_}, torch::kFloat);
    float *ph = hist.data_ptr<float>(), *pu = user.data_ptr<float>(), *pc = cands.data_ptr<float>();
    int64_t* pn = len.data_ptr<int64_t>();
    for (int64_t r = 0; r < R; ++r) {
      const int b = rows[r];
      const RecentItems& h = hs[r];
      std::copy(h.items(), h.items() + static_cast<size_t>(h.size()) * D_, ph + r * Lb * D_);
      pn[r] = h.size();
      std::copy(obs.user_row(b), obs.user_row(b) + U_, pu + r * U_);
      copy_candidate_features(obs, b, pc + r * N_ * D_);
    }
    torch::InferenceMode im;  // read back as doubles: no autograd bookkeeping
    auto s = net_->encode(hist, len, user);
    return net_->pi_logits(s, cands, cfg_.temperature).to(torch::kDouble).contiguous();
  }
  std::vector<double> row_logits(const sim::Observation& obs, int row) const {
    auto t = score_rows(obs, {row});
    const double* p = t.data_ptr<double>();
    return std::vector<double>(p, p + N_);
  }

  // Training mode: the step's record with its served propensities (inclusion = P(item shown)).
  void record_pending(const sim::Observation& obs, int b, const int32_t* slate,
                      const double* logits) {
    Row& row = rows_[b];
    if (obs.episode_step[b] == 0) row.pending.clear();
    rows_.mark_acted(b);
    logs::LogRecord& r = row.pending.emplace_back();
    r.step = obs.episode_step[b];
    r.user.assign(obs.user_row(b), obs.user_row(b) + U_);
    if (store_.header().has_candidate_ids)
      r.candidate_ids.assign(obs.candidate_ids + static_cast<size_t>(b) * N_,
                             obs.candidate_ids + static_cast<size_t>(b + 1) * N_);
    if (store_.header().has_candidate_features)
      r.candidate_features.assign(obs.item_features(b, 0),
                                  obs.item_features(b, 0) + static_cast<size_t>(N_) * D_);
    r.slate.assign(slate, slate + K_);
    r.marginal.assign(K_, -1.0);
    r.conditional.assign(K_, -1.0);
    r.inclusion.assign(K_, -1.0);
    serving_->inclusion(logits, slate, r.inclusion.data());
  }

  const float* cand_feature(const logs::LogData& d, int64_t i, int p) const {
    if (d.header.has_candidate_features)
      return d.features.data() + (static_cast<size_t>(i) * N_ + p) * D_;
    return env_->catalogue()->features.row(d.item_id(i, p));
  }

  // State inputs of events ev: hist [B, L, D], len [B], user [B, U].
  void fill_state(const logs::LogData& d, const LogEventIndex& dv, const std::vector<int64_t>& ev,
                  torch::Tensor& hist, torch::Tensor& len, torch::Tensor& user) const {
    const int64_t B = static_cast<int64_t>(ev.size());
    int64_t Lb = 1;  // the GRU runs over the longest history in the batch only
    for (int64_t i : ev)
      Lb = std::max(Lb, std::min<int64_t>(L_, dv.click_rank[i] - dv.ep_click0[i]));
    hist = torch::zeros({B, Lb, D_}, torch::kFloat);
    len = torch::zeros({B}, torch::kLong);
    user = torch::empty({B, U_}, torch::kFloat);
    float *ph = hist.data_ptr<float>(), *pu = user.data_ptr<float>();
    int64_t* pn = len.data_ptr<int64_t>();
    for (int64_t r = 0; r < B; ++r) {
      const int64_t i = ev[r];
      const int64_t hi = dv.click_rank[i], lo = std::max(dv.ep_click0[i], hi - L_);
      for (int64_t c = lo; c < hi; ++c) {
        const int64_t j = dv.clicked[c];
        const float* f = cand_feature(d, j, d.slate[j * K_ + d.choice[j]]);
        std::copy(f, f + D_, ph + (r * Lb + (c - lo)) * D_);
      }
      pn[r] = hi - lo;
      std::copy(d.user_row(i), d.user_row(i) + U_, pu + r * U_);
    }
  }

  // Candidate features for events ev: full softmax: all N ([B, N, D], targets at their positions);
  // sampled: [targets..., num_sampled uniform draws] per row.
  torch::Tensor fill_cands(const logs::LogData& d, const std::vector<int64_t>& ev,
                           const std::vector<std::vector<int32_t>>& targets) {
    const int64_t B = static_cast<int64_t>(ev.size());
    const int T = static_cast<int>(targets[0].size());
    const int C = sampled_ ? T + cfg_.num_sampled : N_;
    auto cands = torch::empty({B, C, D_}, torch::kFloat);
    float* pc = cands.data_ptr<float>();
    for (int64_t r = 0; r < B; ++r) {
      for (int c = 0; c < C; ++c) {
        const int p = !sampled_ ? c
                      : c < T   ? targets[r][c]
                                : static_cast<int>(rng_.uniform_int(static_cast<uint64_t>(N_)));
        const float* f = cand_feature(d, ev[r], p);
        std::copy(f, f + D_, pc + (static_cast<int64_t>(r) * C + c) * D_);
      }
    }
    return cands;
  }

  // log-probabilities [B, T] of the targets under softmax(logits): exact (full) or log-Q corrected
  // sampled softmax (logits columns: T targets then the samples).
  torch::Tensor target_log_probs(const torch::Tensor& logits,
                                 const std::vector<std::vector<int32_t>>& targets) const {
    const int64_t B = logits.size(0);
    const int T = static_cast<int>(targets[0].size());
    if (!sampled_) {
      auto idx = torch::empty({B, T}, torch::kLong);
      int64_t* pi = idx.data_ptr<int64_t>();
      for (int64_t r = 0; r < B; ++r)
        for (int t = 0; t < T; ++t) pi[r * T + t] = targets[r][t];
      return torch::log_softmax(logits, 1).gather(1, idx);
    }
    const double logq = std::log(static_cast<double>(cfg_.num_sampled) / N_);  // log(|S| Q(j))
    auto samples = logits.slice(1, T) - logq;                                  // [B, S]
    std::vector<torch::Tensor> cols;
    for (int t = 0; t < T; ++t) {
      auto tl = logits.slice(1, t, t + 1);  // [B, 1]
      cols.push_back(tl.squeeze(1) - torch::logsumexp(torch::cat({tl, samples}, 1), 1));
    }
    return torch::stack(cols, 1);
  }

  // −mean log β(shown item | s) over the slates of events ev. The state enters through
  // beta_logits' stop-gradient; `encode_without_grad` (training) also skips recording the encoder's
  // graph, which the stop-gradient makes useless (the test hook keeps it, to test the detach).
  torch::Tensor beta_loss(const logs::LogData& d, const LogEventIndex& dv,
                          const std::vector<int64_t>& ev, bool encode_without_grad = false) {
    torch::Tensor hist, len, user;
    fill_state(d, dv, ev, hist, len, user);
    std::vector<std::vector<int32_t>> targets(ev.size());
    for (size_t r = 0; r < ev.size(); ++r)
      targets[r].assign(d.slate_row(ev[r]), d.slate_row(ev[r]) + K_);
    torch::Tensor s;
    if (encode_without_grad) {
      torch::NoGradGuard ng;
      s = net_->encode(hist, len, user);
    } else {
      s = net_->encode(hist, len, user);
    }
    auto lb = net_->beta_logits(s, fill_cands(d, ev, targets));
    return -target_log_probs(lb, targets).mean();
  }

  void gradient_update(const logs::LogData& d, const LogEventIndex& dv, bool logged_beta,
                       UpdateStats& st) {
    const int B = cfg_.batch_size;
    const auto& clicked = dv.clicked;
    std::vector<int64_t> ev(B);
    for (auto& e : ev) e = clicked[rng_.uniform_int(clicked.size())];
    torch::Tensor hist, len, user;
    fill_state(d, dv, ev, hist, len, user);
    std::vector<std::vector<int32_t>> act(B);
    for (int r = 0; r < B; ++r) act[r] = {d.slate[ev[r] * K_ + d.choice[ev[r]]]};
    auto cands = fill_cands(d, ev, act);
    auto s = net_->encode(hist, len, user);
    auto logp =
        target_log_probs(net_->pi_logits(s, cands, cfg_.temperature), act).squeeze(1);  // [B]
    const bool need_beta = correction_ != Correction::kNone;
    const bool estimate_beta = need_beta && !logged_beta;
    std::vector<double> beta(B, 1.0);
    if (estimate_beta) {
      torch::InferenceMode im;  // read back as doubles: no autograd bookkeeping
      auto lb = target_log_probs(net_->beta_logits(s, cands), act)
                    .squeeze(1)
                    .exp()
                    .to(torch::kDouble)
                    .contiguous();
      std::copy(lb.data_ptr<double>(), lb.data_ptr<double>() + B, beta.begin());
    } else if (need_beta) {
      for (int r = 0; r < B; ++r) {
        const int64_t i = ev[r];
        beta[r] = d.inclusion[i * K_ + d.choice[i]] / K_;
      }
    }
    auto pi = logp.detach().exp().to(torch::kDouble).contiguous();
    const double* ppi = pi.data_ptr<double>();
    std::vector<float> coef(B);
    double wsum = 0;
    for (int r = 0; r < B; ++r) {
      const double w =
          reinforce::example_weight(correction_, ppi[r], std::max(beta[r], 1e-12), cfg_.cap, Kc_);
      wsum += w;
      coef[r] = static_cast<float>(w * dv.ret[ev[r]]);
    }
    auto loss = -(torch::from_blob(coef.data(), {B}, torch::kFloat).clone() * logp).mean();
    if (estimate_beta) {  // the β head learns from every logged slate, not only clicked ones
      std::vector<int64_t> all(B);
      for (auto& e : all) e = static_cast<int64_t>(rng_.uniform_int(static_cast<uint64_t>(d.size)));
      loss = loss + beta_loss(d, dv, all, /*encode_without_grad=*/true);
    }
    ++updates_;
    nn::check_finite(loss, *net_, name_, updates_);
    nn::gradient_step(*optimizer_, loss, net_->parameters(), cfg_.opt.grad_clip);
    ++st.updates;
    st.loss_sum += loss.item<double>();
    st.td_target_sum += wsum / B;  // mean correction weight (a scale check)
  }

  CheckpointMeta meta() const override {
    return {"topk_reinforce", name_, env_->spec().name, {}, slate_shapes(U_, env_->spec())};
  }

  TopKReinforceConfig cfg_;
  int N_ = 0, K_ = 0, U_ = 0, D_ = 0, L_ = 0, H_ = 0, Kc_ = 0;
  Correction correction_ = Correction::kTopK;
  bool sampled_ = false;
  mutable Net net_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  RowSlots<Row> rows_;
  std::vector<int32_t> scratch_;
  EpisodeStore store_;  // online: own served episodes
  std::unique_ptr<BoltzmannServing> serving_;
  std::shared_ptr<const logs::LogData> offline_;  // offline: the training log
  LogEventIndex derived_;
  std::string log_path_;
};

}  // namespace

std::unique_ptr<Agent> make_topk_reinforce(const AgentContext& ctx) {
  return std::make_unique<TopKReinforce>("topk_reinforce",
                                         read_agent_config<TopKReinforceConfig>(ctx), ctx);
}

std::string topk_reinforce_defaults() {
  return dump_section("topk_reinforce", "", TopKReinforceConfig());
}

double topk_reinforce_encoder_grad_from_beta(Agent& agent, double* beta_head_grad) {
  return agent_as<TopKReinforce>(agent, "topk_reinforce").encoder_grad_from_beta(beta_head_grad);
}

}  // namespace rlrec::agents
