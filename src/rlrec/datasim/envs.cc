// The datasim environments (movielens_mf, movielens_replay, movielens_seq), their registry and the
// combined environment lookup. Rules in datasim.h.
#include <algorithm>
#include <cmath>

#include "rlrec/core/error.h"
#include "rlrec/core/registry.h"
#include "rlrec/datasim/datasim.h"

namespace rlrec::datasim {
namespace {

enum class Mode { kSimulator, kReplay, kSequence };

class RatingEnvironment final : public sim::Environment {
 public:
  RatingEnvironment(Mode mode, RatingEnvConfig cfg, uint64_t seed,
                    const SeqEnvConfig* seq = nullptr)
      : mode_(mode), data_(rating_data(cfg, seed)) {
    if (seq) terms_ = std::make_shared<const HistoryTerms>(history_terms(*data_, *seq, seed));
    const auto& c = data_->config;
    sim::ChoiceParams p;
    choice_ = sim::make_choice_model("multinomial_logit", p);
    spec_.name = mode == Mode::kSimulator ? "movielens_mf"
                 : mode == Mode::kReplay  ? "movielens_replay"
                                          : "movielens_seq";
    spec_.num_candidates = c.num_candidates;
    spec_.slate_size = c.slate_size;
    spec_.user_dim = data_->dim() + c.history_length;
    spec_.item_dim = data_->dim();
    spec_.history_length = c.history_length;
    spec_.response_fields = {"rating", "positive"};
    spec_.reward = mode == Mode::kReplay ? "normalized logged rating"
                   : mode == Mode::kSimulator
                       ? "normalized simulated rating"
                       : "normalized simulated rating (MF + fitted history terms + noise)";
    spec_.corpus_size = data_->num_items();
    spec_.max_steps = c.max_steps;
    spec_.user_low = -1e9f;
    spec_.user_high = 1e9f;
    spec_.item_low = -1e9f;
    spec_.item_high = 1e9f;
    if (c.num_candidates >= data_->num_items())
      invalid_argument("env.num_candidates must be < the number of items (", data_->num_items(),
                       ") so that shown items can be excluded, got ", c.num_candidates);
    if (mode != Mode::kReplay) {
      // A session starts by drawing num_candidates items the user has not rated: every evaluated
      // user must leave that many (the draw would never end otherwise). Later steps end the
      // session when fewer remain (step()).
      int64_t most_rated = 0;
      for (int32_t u : data_->users) {
        std::vector<int32_t> rated(data_->train_items[u].begin(), data_->train_items[u].end());
        std::sort(rated.begin(), rated.end());
        const auto n = std::unique(rated.begin(), rated.end()) - rated.begin();
        most_rated = std::max<int64_t>(most_rated, n);
      }
      if (data_->num_items() - most_rated < c.num_candidates)
        invalid_argument(
            "env.num_candidates must leave that many unrated items for every user: "
            "a user rated ",
            most_rated, " of the ", data_->num_items(),
            " items in train; lower env.num_candidates to at most ",
            data_->num_items() - most_rated, ", got ", c.num_candidates);
    }
    if (mode == Mode::kReplay) {
      // Replay users need num_candidates unshown train items beyond their initial history.
      for (int32_t u : data_->users)
        if (static_cast<int>(data_->train_items[u].size()) >= c.num_candidates + c.history_length)
          replay_users_.push_back(u);
      if (replay_users_.empty())
        invalid_argument(
            "movielens_replay: no evaluated user has env.num_candidates + "
            "env.history_length (",
            c.num_candidates + c.history_length, ") train ratings; lower env.num_candidates");
    }
  }

  const sim::EnvSpec& spec() const override { return spec_; }
  const sim::ChoiceModel& choice_model() const override { return *choice_; }
  const sim::Catalogue* catalogue() const override { return &data_->catalogue; }
  double observed_score(const float* user, const float* item) const override {
    double s = 0;
    for (int j = 0; j < data_->dim(); ++j) s += static_cast<double>(user[j]) * item[j];
    return s;
  }
  const RatingData& data() const { return *data_; }
  const HistoryTerms* terms() const { return terms_.get(); }

  void set_batch(int batch) override {
    slots_.assign(batch, Slot{});
    for (auto& s : slots_) s.shown.assign(data_->num_items(), 0);
  }

  void reset(int slot, Rng& rng, const sim::SlotBuffers& out) override {
    Slot& s = slots_[slot];
    for (int32_t i : s.shown_list) s.shown[i] = 0;
    s.shown_list.clear();
    const auto& pool = mode_ == Mode::kReplay ? replay_users_ : data_->users;
    s.user = pool[rng.uniform_int(pool.size())];
    s.history = data_->initial_history(s.user);
    s.pool.clear();
    s.pool_rating.clear();
    if (mode_ == Mode::kReplay) {
      // Candidates: the user's train items except those in the initial history.
      const auto& items = data_->train_items[s.user];
      for (size_t j = 0; j < items.size(); ++j) {
        if (std::find(s.history.begin(), s.history.end(), items[j]) != s.history.end()) continue;
        s.pool.push_back(items[j]);
        s.pool_rating.push_back(data_->train_ratings[s.user][j]);
      }
    } else {
      for (int32_t i : data_->train_items[s.user]) mark_shown(s, i);  // never recommend rated items
    }
    if (mode_ == Mode::kSequence) {
      // The history-term window starts as the user's last w train rows (logged ratings).
      const auto& items = data_->train_items[s.user];
      const auto& ratings = data_->train_ratings[s.user];
      const size_t w = static_cast<size_t>(terms_->window);
      const size_t from = items.size() > w ? items.size() - w : 0;
      s.window.assign(items.begin() + static_cast<std::ptrdiff_t>(from), items.end());
      s.window_resid.clear();
      for (size_t j = from; j < items.size(); ++j)
        s.window_resid.push_back(ratings[j] - data_->simulator.predict(s.user, items[j]));
    }
    draw_candidates(slot, rng, out);
    write_user_row(*data_, s.user, s.history.data(), out.user);
  }

  sim::StepOutcome step(int slot, const int32_t* slate, Rng& rng,
                        const sim::SlotBuffers& out) override {
    Slot& s = slots_[slot];
    const int K = spec_.slate_size;
    sim::StepOutcome res;
    double sum = 0;
    for (int j = 0; j < K; ++j) {
      const int pos = slate[j];
      const int32_t item = s.candidates[pos];
      double r = 0;
      if (mode_ == Mode::kReplay) {
        r = s.candidate_rating[pos];
      } else if (mode_ == Mode::kSimulator) {
        r = data_->simulator.predict(s.user, item);
      } else {
        // Slots are rated in slate order, each after the window including the earlier slots.
        r = sequential_rating(*data_, *terms_, s.user, s.window, s.window_resid, item,
                              rng.normal());
        if (s.window.size() == static_cast<size_t>(terms_->window)) {
          s.window.erase(s.window.begin());
          s.window_resid.erase(s.window_resid.begin());
        }
        s.window.push_back(item);
        s.window_resid.push_back(r - data_->simulator.predict(s.user, item));
      }
      const bool positive = data_->positive(r);
      out.responses[2 * j] = static_cast<float>(r);
      out.responses[2 * j + 1] = positive ? 1.f : 0.f;
      sum += data_->normalized(r);
      if (positive) {
        if (res.choice < 0) res.choice = j;
        s.history.erase(s.history.begin());
        s.history.push_back(item);
      }
    }
    res.reward = sum / K;
    for (int j = 0; j < K; ++j) {
      const int32_t item = s.candidates[slate[j]];
      if (mode_ == Mode::kReplay) {
        // Remove from the pool (swap with the last).
        auto it = std::find(s.pool.begin(), s.pool.end(), item);
        const size_t idx = static_cast<size_t>(it - s.pool.begin());
        s.pool[idx] = s.pool.back();
        s.pool_rating[idx] = s.pool_rating.back();
        s.pool.pop_back();
        s.pool_rating.pop_back();
      } else {
        mark_shown(s, item);
      }
    }
    const int N = spec_.num_candidates;
    if (mode_ == Mode::kReplay)
      res.terminated = static_cast<int>(s.pool.size()) < N;
    else
      res.terminated = data_->num_items() - static_cast<int64_t>(s.shown_list.size()) < N;
    if (!res.terminated) draw_candidates(slot, rng, out);
    write_user_row(*data_, s.user, s.history.data(), out.user);
    return res;
  }

 private:
  struct Slot {
    int32_t user = 0;
    std::vector<int32_t> history;
    std::vector<uint8_t> shown;  // simulator: items shown or rated in train
    std::vector<int32_t> shown_list;
    std::vector<int32_t> pool;  // replay: unshown candidate items and their ratings
    std::vector<float> pool_rating;
    std::vector<int32_t> candidates;  // current candidates (item ids) and logged ratings
    std::vector<float> candidate_rating;
    std::vector<int32_t> window;  // sequence: the last w rated items and their residuals r − p̂
    std::vector<double> window_resid;
  };

  static void mark_shown(Slot& s, int32_t item) {
    if (!s.shown[item]) {
      s.shown[item] = 1;
      s.shown_list.push_back(item);
    }
  }

  void draw_candidates(int slot, Rng& rng, const sim::SlotBuffers& out) {
    Slot& s = slots_[slot];
    const int N = spec_.num_candidates;
    s.candidates.resize(N);
    s.candidate_rating.assign(N, 0.f);
    if (mode_ == Mode::kReplay) {
      // Partial Fisher-Yates over a copy of the pool indices.
      scratch_.resize(s.pool.size());
      for (size_t j = 0; j < scratch_.size(); ++j) scratch_[j] = static_cast<int32_t>(j);
      for (int j = 0; j < N; ++j) {
        const size_t r = j + rng.uniform_int(scratch_.size() - j);
        std::swap(scratch_[j], scratch_[r]);
        s.candidates[j] = s.pool[scratch_[j]];
        s.candidate_rating[j] = s.pool_rating[scratch_[j]];
      }
    } else {
      // Rejection sampling of N distinct unshown items (the shown set is small against M).
      const int64_t M = data_->num_items();
      int got = 0;
      while (got < N) {
        const int32_t i = static_cast<int32_t>(rng.uniform_int(M));
        if (s.shown[i] || std::find(s.candidates.begin(), s.candidates.begin() + got, i) !=
                              s.candidates.begin() + got)
          continue;
        s.candidates[got++] = i;
      }
    }
    for (int j = 0; j < N; ++j) {
      out.candidate_ids[j] = s.candidates[j];
      out.candidate_quality[j] = 0.f;
    }
  }

  Mode mode_;
  std::shared_ptr<const RatingData> data_;
  std::shared_ptr<const HistoryTerms> terms_;  // movielens_seq only
  std::unique_ptr<sim::ChoiceModel> choice_;
  sim::EnvSpec spec_;
  std::vector<int32_t> replay_users_;
  std::vector<Slot> slots_;
  static thread_local std::vector<int32_t> scratch_;
};

thread_local std::vector<int32_t> RatingEnvironment::scratch_;

RatingEnvConfig read_config(const Config& cfg) {
  RatingEnvConfig c;
  read_section(cfg, "env", c);
  c.validate();
  return c;
}

}  // namespace

SeqEnvConfig read_seq_config(const Config& cfg) {
  SeqEnvConfig c;
  read_section(cfg, "env", c);
  c.validate();
  return c;
}

const HistoryTerms* history_terms_of(const sim::Environment& env) {
  auto* e = dynamic_cast<const RatingEnvironment*>(&env);
  return e ? e->terms() : nullptr;
}

std::unique_ptr<sim::Environment> make_movielens_seq(const Config& cfg, uint64_t seed) {
  const SeqEnvConfig c = read_seq_config(cfg);
  return std::make_unique<RatingEnvironment>(Mode::kSequence, c.rating, seed, &c);
}
std::string movielens_seq_defaults() {
  return dump_section("env", "movielens_seq", SeqEnvConfig{});
}

const RatingData* rating_data_of(const sim::Environment& env) {
  auto* e = dynamic_cast<const RatingEnvironment*>(&env);
  return e ? &e->data() : nullptr;
}

std::unique_ptr<sim::Environment> make_movielens_mf(const Config& cfg, uint64_t seed) {
  return std::make_unique<RatingEnvironment>(Mode::kSimulator, read_config(cfg), seed);
}
std::unique_ptr<sim::Environment> make_movielens_replay(const Config& cfg, uint64_t seed) {
  return std::make_unique<RatingEnvironment>(Mode::kReplay, read_config(cfg), seed);
}
std::string movielens_mf_defaults() {
  return dump_section("env", "movielens_mf", RatingEnvConfig{});
}
std::string movielens_replay_defaults() {
  return dump_section("env", "movielens_replay", RatingEnvConfig{});
}

}  // namespace rlrec::datasim
