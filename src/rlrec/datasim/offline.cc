// The offline replay protocol (evaluate_offline) and the rating-log baselines popularity and pmf.
// Rules in datasim.h.
#include <algorithm>
#include <numeric>

#include "rlrec/core/error.h"
#include "rlrec/datasim/datasim.h"
#include "rlrec/eval/ranking_metrics.h"

namespace rlrec::datasim {
namespace {

const RatingData& require_data(const sim::Environment* env, std::string_view who) {
  const RatingData* d = env ? rating_data_of(*env) : nullptr;
  if (!d)
    invalid_argument(
        who,
        " needs a rating-log environment (movielens_mf, movielens_replay or movielens_seq); "
        "environment is '",
        env ? env->spec().name : std::string("none"), "'");
  return *d;
}

// Ranks candidates by a static per-item score (and, for pmf, the user's factors).
class ScorePolicy final : public sim::Policy {
 public:
  ScorePolicy(std::string name, const RatingData& d) : name_(std::move(name)), d_(&d) {}
  std::string_view name() const override { return name_; }
  void act(const sim::Observation& obs, int32_t* slates, Rng*) override {
    const int N = obs.num_candidates, K = obs.slate_size;
    scores_.resize(N);
    for (int b = 0; b < obs.batch; ++b) {
      if (!obs.is_active(b)) continue;
      for (int p = 0; p < N; ++p) scores_[p] = score(obs, b, obs.item_id(b, p));
      sim::top_k_positions(scores_.data(), N, K, slates + static_cast<size_t>(b) * K, scratch_);
    }
  }

 private:
  double score(const sim::Observation& obs, int b, int64_t item) const {
    if (name_ == "popularity") return static_cast<double>(d_->popularity[item]);
    // pmf: p̃_u · e_i = p_u·q_i + b_i (the observation's first k+1 entries are p̃_u).
    const float* u = obs.user_row(b);
    const float* e = d_->catalogue.features.row(item);
    double s = 0;
    for (int j = 0; j < d_->dim(); ++j) s += static_cast<double>(u[j]) * e[j];
    return s;
  }
  std::string name_;
  const RatingData* d_;
  std::vector<double> scores_;
  std::vector<int32_t> scratch_;
};

}  // namespace

std::unique_ptr<sim::Policy> make_popularity(const sim::PolicyContext& ctx) {
  return std::make_unique<ScorePolicy>("popularity", require_data(ctx.env, "policy 'popularity'"));
}
std::unique_ptr<sim::Policy> make_pmf(const sim::PolicyContext& ctx) {
  return std::make_unique<ScorePolicy>("pmf", require_data(ctx.env, "policy 'pmf'"));
}

OfflineResults evaluate_offline(const sim::Environment& env, sim::Policy& policy,
                                uint64_t policy_seed, int list_length) {
  const RatingData& d = require_data(&env, "the offline protocol");
  if (list_length < 1) invalid_argument("offline list length must be >= 1, got ", list_length);
  const int D = d.dim(), n = d.config.history_length, UD = D + n;
  OfflineResults res;
  double sum_reward = 0;
  std::vector<float> user(UD);
  std::vector<int64_t> cand;
  std::vector<float> cand_rating;
  std::vector<int32_t> ranked, relevant;
  int32_t slate = 0, last_choice = -1, step = 0;
  std::vector<float> last_resp(2, 0.f);
  double s5[2] = {0, 0}, s10[2] = {0, 0};
  for (int32_t u : d.users) {
    std::vector<int32_t> history = d.initial_history(u);
    cand.assign(d.test_items[u].begin(), d.test_items[u].end());
    cand_rating = d.test_ratings[u];
    relevant.clear();
    for (size_t j = 0; j < cand.size(); ++j)
      if (d.positive(cand_rating[j])) relevant.push_back(static_cast<int32_t>(cand[j]));
    std::sort(relevant.begin(), relevant.end());
    relevant.erase(std::unique(relevant.begin(), relevant.end()), relevant.end());
    ranked.clear();
    Rng rng(policy_seed, static_cast<uint64_t>(u));
    last_choice = -1;
    std::fill(last_resp.begin(), last_resp.end(), 0.f);
    for (step = 0; step < list_length && !cand.empty(); ++step) {
      write_user_row(d, u, history.data(), user.data());
      sim::Observation obs;
      obs.batch = 1;
      obs.num_candidates = static_cast<int>(cand.size());
      obs.slate_size = 1;
      obs.user_dim = UD;
      obs.item_dim = D;
      obs.user = user.data();
      obs.candidate_ids = cand.data();
      obs.catalogue = &d.catalogue;
      obs.response_dim = 2;
      obs.episode_step = &step;
      obs.last_responses = last_resp.data();
      obs.last_choice = &last_choice;
      policy.act(obs, &slate, &rng);
      if (slate < 0 || slate >= obs.num_candidates)
        invalid_argument("policy '", policy.name(), "' returned position ", slate, " of ",
                         obs.num_candidates, " candidates");
      const auto item = static_cast<int32_t>(cand[slate]);
      const float r = cand_rating[slate];
      ranked.push_back(item);
      sum_reward += d.normalized(r);
      ++res.picks;
      const bool pos = d.positive(r);
      last_resp[0] = r;
      last_resp[1] = pos ? 1.f : 0.f;
      last_choice = pos ? 0 : -1;
      if (pos) {
        history.erase(history.begin());
        history.push_back(item);
      }
      cand.erase(cand.begin() + slate);
      cand_rating.erase(cand_rating.begin() + slate);
    }
    const auto m5 = eval::user_ranking_metrics(ranked, relevant, 5);
    const auto m10 = eval::user_ranking_metrics(ranked, relevant, 10);
    s5[0] += m5.precision;
    s5[1] += m5.ndcg;
    s10[0] += m10.precision;
    s10[1] += m10.ndcg;
    ++res.users;
  }
  const double U = static_cast<double>(res.users);
  res.p5 = s5[0] / U;
  res.ndcg5 = s5[1] / U;
  res.p10 = s10[0] / U;
  res.ndcg10 = s10[1] / U;
  res.mean_reward = res.picks > 0 ? sum_reward / static_cast<double>(res.picks) : 0.0;
  return res;
}

}  // namespace rlrec::datasim
