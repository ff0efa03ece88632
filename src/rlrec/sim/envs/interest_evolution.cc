// interest_evolution: RecSim's main benchmark environment (Ie et al. 2019, "RecSim: A Configurable
// Simulation Platform for Recommender Systems"; recsim/environments/interest_evolution.py), as
// specified in shared/reference/recsim-spec.md §4. Every RecSim default constant is a config key.
//
// Items: topic c ~ Uniform{0..T-1}; features f = one-hot(c) (T = 20); quality q ~ N(μ_c, 0.1) with
// μ = linspace(-3, 0, 14) ++ linspace(0, 3, 6); length 4. Quality is hidden from the observation.
// User: interests u ~ U(-1, 1)^T (observed), time budget B = 200 (hidden).
// Choice: score x_i = u·f_i; multinomial proportional with no_click_mass 1, min_normalizer -1.
// Response per slot: click, watch_time = min(B, length) if clicked, liked (always 0), quality,
// topic. Transition (clicked item of topic c only):
//   α_c = y0 - (y0/x0)|u_c| (y0 = 0.3, x0 = 1);  Δ = α_c (1 - u_c);
//   with prob (u_c + 1)/2: u_c += Δ, else u_c -= Δ; clip u to [-1, 1];
//   utility = user_quality_factor (u·f - min_normalizer) + document_quality_factor q;
//   B ← B - w + user_update_alpha · w · utility.   No click: B ← B - step_penalty.
// Interests used for the choice are those before the update. Terminated when B <= 0.
// Reward: watch time of the clicked slot (0 without a click).
//
// Deviations: (1) no global numpy RNG: each user session has its own stream, so results do not
// depend on batch composition or thread count. (2) Fixed-corpus mode (not in RecSim): M items with
// features one-hot(topic) + N(0, feature_noise²) per dimension (as RecSim NG); the score u·f is
// clipped to [-1, 1] so the proportional choice model stays valid (a no-op for one-hot features).
// (3) Slates must have exactly K distinct positions (RecSim accepts duplicates and shorter slates).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "rlrec/core/error.h"
#include "rlrec/sim/candidate_draw.h"
#include "rlrec/sim/env_util.h"
#include "rlrec/sim/envs/envs.h"

namespace rlrec::sim {
namespace {

struct InterestEvolutionConfig {
  int num_candidates = 10;
  int slate_size = 2;
  int max_steps = 27000;
  bool resample_documents = true;
  int64_t corpus_size = 0;
  double feature_noise = 0.1;
  int num_topics = 20;
  std::vector<double> topic_quality_means;  // empty = RecSim's default (filled in validate)
  double quality_std = 0.1;
  double video_length = 4.0;
  double time_budget = 200.0;
  double step_penalty = 0.5;
  double user_update_alpha = 0.9 / 3.4;
  double user_quality_factor = 0.0;
  double document_quality_factor = 1.0;
  double alpha_x_intercept = 1.0;
  double alpha_y_intercept = 0.3;
  std::string choice_model = "multinomial_proportional";
  ChoiceParams choice{1.0, -1.0, 0.65, 0.05};

  void visit(FieldVisitor& v) {
    v.field("num_candidates", num_candidates, "candidates per step (N)");
    v.field("slate_size", slate_size, "items per slate (K), <= num_candidates");
    v.field("max_steps", max_steps, "episode truncation cap in steps (RecSim runner: 27000)");
    v.field("resample_documents", resample_documents,
            "fresh-items mode: draw new candidates every step (false: once per episode)");
    v.field(
        "corpus_size", corpus_size,
        "0: fresh items (RecSim); M > 0: fixed catalogue of M items (num_candidates == M: all)");
    v.field("feature_noise", feature_noise,
            "fixed corpus: std. dev. of Gaussian noise added to the topic one-hot features");
    v.field("num_topics", num_topics, "number of topics T (= feature and interest dimension)");
    v.field("topic_quality_means", topic_quality_means,
            "mean quality per topic; [] = RecSim's linspace(-3,0,14) ++ linspace(0,3,6)");
    v.field("quality_std", quality_std, "std. dev. of item quality around its topic mean");
    v.field("video_length", video_length, "length of every item (maximum watch time)");
    v.field("time_budget", time_budget, "initial user time budget");
    v.field("step_penalty", step_penalty, "budget spent on a step without a click");
    v.field("user_update_alpha", user_update_alpha,
            "budget gained per unit of watch time x utility");
    v.field("user_quality_factor", user_quality_factor, "weight of the user's score in utility");
    v.field("document_quality_factor", document_quality_factor,
            "weight of item quality in utility");
    v.field("alpha_x_intercept", alpha_x_intercept, "interest step size line: x intercept");
    v.field("alpha_y_intercept", alpha_y_intercept, "interest step size line: y intercept");
    v.field("choice_model", choice_model, "user choice model (rlrec list choice_models)");
    v.field("no_click_mass", choice.no_click_mass, "score (MNL: logit) of not clicking");
    v.field("min_normalizer", choice.min_normalizer, "shift of proportional choice models");
    v.field("attention_prob", choice.attention_prob, "cascade models: examination probability");
    v.field("score_scaling", choice.score_scaling, "cascade models: click probability scale");
  }

  void validate() {
    check_range("env.num_topics", num_topics, 1, 4096);
    if (corpus_size < 0) invalid_argument("env.corpus_size must be >= 0, got ", corpus_size);
    const int64_t max_n = corpus_size > 0 ? corpus_size : 100000;
    if (corpus_size > 0 && corpus_size > 100000000)
      invalid_argument("env.corpus_size must be <= 100000000, got ", corpus_size);
    check_range("env.num_candidates", int64_t{num_candidates}, 1, max_n);
    if (slate_size < 1 || slate_size > num_candidates)
      invalid_argument("env.slate_size must be in [1, env.num_candidates (", num_candidates,
                       ")], got ", slate_size);
    check_range("env.max_steps", max_steps, 1, 1000000000);
    if (topic_quality_means.empty()) {
      if (num_topics == 20) {
        append_linspace(topic_quality_means, -3.0, 0.0, 14);
        append_linspace(topic_quality_means, 0.0, 3.0, 6);
      } else {
        append_linspace(topic_quality_means, -3.0, 3.0, num_topics);
      }
    }
    if (static_cast<int>(topic_quality_means.size()) != num_topics)
      invalid_argument("env.topic_quality_means must have env.num_topics (", num_topics,
                       ") entries, got ", topic_quality_means.size());
    check_range("env.quality_std", quality_std, 0.0, 1e6);
    check_range("env.feature_noise", feature_noise, 0.0, 1e6);
    check_positive("env.video_length", video_length);
    check_positive("env.time_budget", time_budget);
    check_range("env.step_penalty", step_penalty, 0.0, 1e12);
    check_positive("env.alpha_x_intercept", alpha_x_intercept);
    check_range("env.alpha_y_intercept", alpha_y_intercept, 0.0, 1.0);
  }
};

class InterestEvolution final : public Environment {
 public:
  InterestEvolution(InterestEvolutionConfig cfg, uint64_t seed)
      : cfg_(std::move(cfg)), choice_(make_choice_model(cfg_.choice_model, cfg_.choice)) {
    spec_.name = "interest_evolution";
    spec_.num_candidates = cfg_.num_candidates;
    spec_.slate_size = cfg_.slate_size;
    spec_.user_dim = cfg_.num_topics;
    spec_.item_dim = cfg_.num_topics;
    spec_.response_fields = {"click", "watch_time", "liked", "quality", "cluster_id"};
    spec_.reward = "watch_time";
    spec_.corpus_size = cfg_.corpus_size;
    spec_.max_steps = cfg_.max_steps;
    spec_.user_low = -1;
    spec_.user_high = 1;
    spec_.item_low = cfg_.corpus_size > 0 && cfg_.feature_noise > 0 ? -1e9f : 0.f;
    spec_.item_high = cfg_.corpus_size > 0 && cfg_.feature_noise > 0 ? 1e9f : 1.f;
    features_present_ = !spec_.fixed_corpus();
    redraw_each_step_ = cfg_.corpus_size == 0 && cfg_.resample_documents;
    if (cfg_.corpus_size > 0) build_catalogue(seed);
  }

  const EnvSpec& spec() const override { return spec_; }
  const ChoiceModel& choice_model() const override { return *choice_; }
  const Catalogue* catalogue() const override {
    return cfg_.corpus_size > 0 ? &catalogue_ : nullptr;
  }

  double observed_score(const float* user, const float* item) const override {
    double s = 0;
    for (int t = 0; t < cfg_.num_topics; ++t) s += static_cast<double>(user[t]) * item[t];
    return std::clamp(s, -1.0, 1.0);
  }

  void set_batch(int batch) override {
    const size_t n = cfg_.num_candidates, t = cfg_.num_topics;
    interests_.assign(batch * t, 0.0);
    budget_.assign(batch, 0.0);
    next_id_.assign(batch, 0);
    user_stale_.assign(batch, 0);
    if (!spec_.candidates_are_catalogue()) {
      topic_.assign(batch * n, 0);
      ids_.assign(batch * n, 0);
    }
  }

  void reset(int slot, Rng& rng, const SlotBuffers& out) override {
    const int T = cfg_.num_topics;
    double* u = &interests_[static_cast<size_t>(slot) * T];
    for (int t = 0; t < T; ++t) u[t] = rng.uniform(-1.0, 1.0);
    budget_[slot] = cfg_.time_budget;
    next_id_[slot] = 0;
    user_stale_[slot] = 0;
    if (features_present_)  // the buffer may hold anything: clear it (steps clear only one-hots)
      std::memset(out.candidate_features, 0,
                  sizeof(float) * cfg_.num_candidates * static_cast<size_t>(T));
    draw_candidates(slot, rng, out);
    write_user(slot, out);
  }

  StepOutcome step(int slot, const int32_t* slate, Rng& rng, const SlotBuffers& out) override {
    return step_one(slot, slate, rng, out, true);
  }

  // Fresh items redrawn every step, on a CPU with AVX2: the slots' candidate draws (most of a
  // step's work) run four sessions at a time (candidate_draw.h; same numbers as one at a time, as
  // each session keeps its own stream and consumes it in the same order).
  void step_slots(const StepBatch& batch, int begin, int end) override {
    const size_t K = cfg_.slate_size;
    const bool grouped = redraw_each_step_ && simd_candidate_draws();
    int group[4];
    int in_group = 0;
    for (int b = begin; b < end; ++b) {
      if (!batch.is_active(b)) continue;
      const StepOutcome o =
          step_one(b, batch.slates + b * K, batch.rngs[b], batch.slot(b, spec_), !grouped);
      batch.reward[b] = o.reward;
      batch.choice[b] = o.choice;
      batch.terminated[b] = o.terminated;
      if (grouped) {
        group[in_group++] = b;
        if (in_group == 4) {
          draw_fresh_x4(batch, group);
          in_group = 0;
        }
      }
    }
    for (int j = 0; j < in_group; ++j)
      draw_candidates(group[j], batch.rngs[group[j]], batch.slot(group[j], spec_));
  }

  InterestEvolutionState state(int slot) const {
    const int T = cfg_.num_topics;
    InterestEvolutionState s;
    s.interests.assign(interests_.begin() + static_cast<size_t>(slot) * T,
                       interests_.begin() + static_cast<size_t>(slot + 1) * T);
    s.budget = budget_[slot];
    return s;
  }
  void set_state(int slot, const InterestEvolutionState& s, float* user_out) {
    const int T = cfg_.num_topics;
    if (static_cast<int>(s.interests.size()) != T)
      invalid_argument("interest_evolution state needs ", T, " interests, got ",
                       s.interests.size());
    for (int t = 0; t < T; ++t) {
      interests_[static_cast<size_t>(slot) * T + t] = s.interests[t];
      if (user_out) user_out[t] = static_cast<float>(s.interests[t]);
    }
    budget_[slot] = s.budget;
    user_stale_[slot] = 1;  // the next step rewrites the whole user observation
  }

 private:
  static constexpr int kMaxStackSlate = 64;

  // One step of one slot (step() and step_slots()). The stream is copied into a local for the
  // step, so its state stays in registers while the candidate buffers are written. With draw =
  // false the caller draws the next candidates (the last use of the stream in a step).
  StepOutcome step_one(int slot, const int32_t* slate, Rng& rng_io, const SlotBuffers& out,
                       bool draw) {
    Rng rng = rng_io;
    const int T = cfg_.num_topics, K = cfg_.slate_size;
    double* u = &interests_[static_cast<size_t>(slot) * T];
    double scores[kMaxStackSlate];
    std::vector<double> heap_scores;
    double* x = scores;
    if (K > kMaxStackSlate) [[unlikely]] {
      heap_scores.resize(K);
      x = heap_scores.data();
    }
    for (int i = 0; i < K; ++i) x[i] = item_score(slot, u, slate[i]);
    const int choice = choice_->sample(x, K, rng);

    const int R = spec_.response_dim();
    StepOutcome res;
    for (int i = 0; i < K; ++i) {
      float* r = out.responses + static_cast<size_t>(i) * R;
      r[0] = 0.f;
      r[1] = 0.f;
      r[2] = 0.f;
      r[3] = item_quality(out, slate[i]);
      r[4] = static_cast<float>(item_topic(slot, slate[i]));
    }
    double& budget = budget_[slot];
    int changed_topic = -1;  // the one interest that moved (the observation rewrites only it)
    if (choice < K) {
      const int pos = slate[choice];
      const int c = item_topic(slot, pos);
      const double q = item_quality(out, pos);
      const double w = std::min(budget, cfg_.video_length);
      float* r = out.responses + static_cast<size_t>(choice) * R;
      r[0] = 1.f;
      r[1] = static_cast<float>(w);
      // Interest update on the clicked topic.
      const double uc = u[c];
      const double alpha =
          cfg_.alpha_y_intercept - (cfg_.alpha_y_intercept / cfg_.alpha_x_intercept) * std::abs(uc);
      const double delta = alpha * (1.0 - uc);
      const double p_positive = (uc + 1.0) / 2.0;
      u[c] = std::clamp(rng.uniform() < p_positive ? uc + delta : uc - delta, -1.0, 1.0);
      changed_topic = c;
      // Utility and budget (utility uses the choice score x, computed before the update).
      const double utility = cfg_.user_quality_factor * (x[choice] - cfg_.choice.min_normalizer) +
                             cfg_.document_quality_factor * q;
      budget = budget - w + cfg_.user_update_alpha * w * utility;
      res.reward = w;
      res.choice = choice;
    } else {
      budget -= cfg_.step_penalty;
    }
    res.terminated = budget <= 0;
    if (draw && cfg_.resample_documents && !spec_.candidates_are_catalogue())
      draw_candidates(slot, rng, out);
    if (user_stale_[slot]) [[unlikely]] {
      write_user(slot, out);
      user_stale_[slot] = 0;
    } else if (changed_topic >= 0) {
      out.user[changed_topic] = static_cast<float>(u[changed_topic]);
    }
    rng_io = rng;
    return res;
  }

  int item_topic(int slot, int pos) const {
    if (spec_.candidates_are_catalogue()) return catalogue_.topic[pos];
    return topic_[static_cast<size_t>(slot) * cfg_.num_candidates + pos];
  }
  // The quality of candidate `pos`: the catalogue's, or the one drawn into the slot's buffer.
  float item_quality(const SlotBuffers& out, int pos) const {
    if (spec_.candidates_are_catalogue()) return catalogue_.quality[pos];
    return out.candidate_quality[pos];
  }
  double item_score(int slot, const double* u, int pos) const {
    if (cfg_.corpus_size == 0) return u[item_topic(slot, pos)];  // one-hot features: u·f = u_c
    const int64_t id = spec_.candidates_are_catalogue()
                           ? pos
                           : ids_[static_cast<size_t>(slot) * cfg_.num_candidates + pos];
    const float* f = catalogue_.features.row(id);
    double s = 0;
    for (int t = 0; t < cfg_.num_topics; ++t) s += u[t] * f[t];
    return std::clamp(s, -1.0, 1.0);
  }

  void write_user(int slot, const SlotBuffers& out) const {
    const int T = cfg_.num_topics;
    const double* u = &interests_[static_cast<size_t>(slot) * T];
    for (int t = 0; t < T; ++t) out.user[t] = static_cast<float>(u[t]);
  }

  // Draws the slot's candidates into the buffers. Fresh items: the feature rows are one-hot, and
  // the buffer holds the previous draw's (or reset's zeros), so only the old one-hots are cleared.
  void draw_candidates(int slot, Rng& rng, const SlotBuffers& out) {
    const int N = cfg_.num_candidates;
    if (spec_.candidates_are_catalogue()) return;  // positions are item ids; nothing changes
    const size_t base = static_cast<size_t>(slot) * N;
    int32_t* topic = &topic_[base];
    if (cfg_.corpus_size > 0) {
      Rng r = rng;  // sample_distinct takes the stream by reference: keep `rng` a pure local
      sample_distinct(r, cfg_.corpus_size, N, &ids_[base]);
      rng = r;
      for (int i = 0; i < N; ++i) {
        const int64_t id = ids_[base + i];
        topic[i] = catalogue_.topic[id];
        out.candidate_ids[i] = id;
        out.candidate_quality[i] = catalogue_.quality[id];
      }
      return;
    }
    // Fresh items (RecSim's UtilityModelVideoSampler): one topic draw, then one quality draw each;
    // the draw moves each feature row's one-hot (the buffer holds the previous draw's, or reset's
    // zeros).
    draw_topic_quality(fresh_draw(), rng, topic, out.candidate_quality, out.candidate_features);
    write_fresh_ids(slot, out);
  }

  TopicQualityDraw fresh_draw() const {
    return {cfg_.num_candidates, cfg_.num_topics, cfg_.topic_quality_means.data(),
            cfg_.quality_std};
  }
  // Fresh items get ids unique within the session (a per-session counter, as RecSim's).
  void write_fresh_ids(int slot, const SlotBuffers& out) {
    const int N = cfg_.num_candidates;
    const int64_t first_id = next_id_[slot];
    int64_t* ids = out.candidate_ids;
    for (int i = 0; i < N; ++i) ids[i] = first_id + i;
    next_id_[slot] = first_id + N;
  }
  // draw_candidates() for four fresh-item slots at once (step_slots).
  // (The slots' buffers are recomputed rather than kept in an array of SlotBuffers, whose
  // zero-initialization cost a `rep stos` per call.)
  void draw_fresh_x4(const StepBatch& batch, const int slots[4]) {
    const size_t N = cfg_.num_candidates;
    Rng* rngs[4];
    int32_t* topic[4];
    float* quality[4];
    float* one_hot[4];
    for (int j = 0; j < 4; ++j) {
      const SlotBuffers out = batch.slot(slots[j], spec_);
      rngs[j] = &batch.rngs[slots[j]];
      topic[j] = &topic_[static_cast<size_t>(slots[j]) * N];
      quality[j] = out.candidate_quality;
      one_hot[j] = out.candidate_features;
    }
    draw_topic_quality_x4(fresh_draw(), rngs, topic, quality, one_hot);
    for (int j = 0; j < 4; ++j) write_fresh_ids(slots[j], batch.slot(slots[j], spec_));
  }

  void build_catalogue(uint64_t seed) {
    const int64_t M = cfg_.corpus_size;
    const int T = cfg_.num_topics;
    catalogue_.features.resize(M, T, 0.f);
    catalogue_.quality.resize(M);
    catalogue_.topic.resize(M);
    Rng rng(seed, hash_name("interest_evolution/catalogue"));
    uint64_t fp = combine_keys(hash_name("interest_evolution"), static_cast<uint64_t>(M));
    for (int64_t i = 0; i < M; ++i) {
      const int c = static_cast<int>(rng.uniform_int(T));
      catalogue_.topic[i] = c;
      catalogue_.quality[i] =
          static_cast<float>(rng.normal(cfg_.topic_quality_means[c], cfg_.quality_std));
      float* f = catalogue_.features.row(i);
      for (int t = 0; t < T; ++t)
        f[t] = (t == c ? 1.f : 0.f) + (cfg_.feature_noise > 0
                                           ? static_cast<float>(rng.normal(0.0, cfg_.feature_noise))
                                           : 0.f);
      uint32_t bits;
      std::memcpy(&bits, &f[c], sizeof bits);
      fp = combine_keys(fp, (static_cast<uint64_t>(c) << 32) | bits);
    }
    catalogue_.fingerprint = combine_keys(fp, seed);
  }

  InterestEvolutionConfig cfg_;
  std::unique_ptr<ChoiceModel> choice_;
  EnvSpec spec_;
  Catalogue catalogue_;
  std::vector<double> interests_;    // batch x T
  std::vector<double> budget_;       // batch
  std::vector<int32_t> topic_;       // batch x N (current candidates)
  std::vector<int64_t> ids_;         // batch x N (fixed corpus, sampled candidates)
  std::vector<int64_t> next_id_;     // batch: next fresh item id of the session
  std::vector<uint8_t> user_stale_;  // batch: set_state changed interests the buffer lacks
  bool features_present_ = false;    // fresh-items mode: candidate feature rows in the buffers
  bool redraw_each_step_ = false;    // fresh items drawn anew every step
};

}  // namespace

InterestEvolutionState interest_evolution_state(const Environment& env, int slot) {
  auto* e = dynamic_cast<const InterestEvolution*>(&env);
  if (!e) invalid_argument("interest_evolution_state: environment is ", env.spec().name);
  return e->state(slot);
}

void set_interest_evolution_state(Environment& env, int slot, const InterestEvolutionState& s) {
  auto* e = dynamic_cast<InterestEvolution*>(&env);
  if (!e) invalid_argument("set_interest_evolution_state: environment is ", env.spec().name);
  e->set_state(slot, s, nullptr);
}

std::unique_ptr<Environment> make_interest_evolution(const Config& cfg, uint64_t seed) {
  InterestEvolutionConfig c;
  read_section(cfg, "env", c);
  c.validate();
  return std::make_unique<InterestEvolution>(std::move(c), seed);
}

std::string interest_evolution_defaults() {
  InterestEvolutionConfig c;
  return dump_section("env", "interest_evolution", c);
}

}  // namespace rlrec::sim
