// Tests of the datasim protocols on a hand-made log (values worked by hand in the comments) and,
// when present, on MovieLens 100K.
#include "rlrec/datasim/datasim.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/core/rng.h"
#include "rlrec/eval/ranking_metrics.h"
#include "rlrec/sim/vector_env.h"

namespace rlrec::datasim {
namespace {

using catalog::find_policy;  // names resolve through the catalogue
using catalog::make_environment;

namespace fs = std::filesystem;

// user a: train (by time) i1:5 i2:4 i3:2 i4:5, test i5:1 i6:4 i7:5 i8:3 (rows written out of order)
// user b: train i1:4 i2:2, test i3:5 i4:4
// user c: train i1:2 i2:2, test i3:5 i4:5  -> no positive train rating: dropped
std::string tiny_log() {
  const auto path =
      fs::temp_directory_path() / ("rlrec_datasim_tiny_" + std::to_string(::getpid()) + ".csv");
  std::ofstream os(path);
  os << "user,item,rating,timestamp\n"
     << "a,i5,1,5\na,i1,5,1\na,i2,4,2\na,i8,3,8\na,i3,2,3\na,i4,5,4\na,i7,5,7\na,i6,4,6\n"
     << "b,i1,4,1\nb,i3,5,3\nb,i2,2,2\nb,i4,4,4\n"
     << "c,i1,2,1\nc,i2,2,2\nc,i3,5,3\nc,i4,5,4\n";
  return path.string();
}

Config tiny_config(const std::string& name, const std::string& extra = "", int num_candidates = 2) {
  return Config::parse_string("[env]\nname = \"" + name + "\"\ndata = \"" + tiny_log() +
                              "\"\ntrain_fraction = 0.5\nmin_train_positives = 1\n"
                              "history_length = 2\nfactors = 4\nmf_epochs = 5\n"
                              "max_steps = 10\nnum_candidates = " +
                              std::to_string(num_candidates) + "\n" + extra);
}

int32_t id(const RatingData& d, const char* item) { return d.log.items.find(item); }

TEST(RatingData, ChronologicalSplitFilterAndHistory) {
  auto env = make_environment(tiny_config("movielens_mf"), 1);
  const RatingData& d = *rating_data_of(*env);
  const int32_t a = d.log.users.find("a"), b = d.log.users.find("b"), c = d.log.users.find("c");
  EXPECT_EQ(d.train_items[a],
            (std::vector<int32_t>{id(d, "i1"), id(d, "i2"), id(d, "i3"), id(d, "i4")}));
  EXPECT_EQ(d.test_items[a],
            (std::vector<int32_t>{id(d, "i5"), id(d, "i6"), id(d, "i7"), id(d, "i8")}));
  EXPECT_EQ(d.test_ratings[a], (std::vector<float>{1, 4, 5, 3}));
  EXPECT_EQ(d.test_items[b], (std::vector<int32_t>{id(d, "i3"), id(d, "i4")}));
  EXPECT_EQ(d.users, (std::vector<int32_t>{a, b}));
  EXPECT_EQ(d.dropped_users, 1);
  (void)c;
  // Last two positive train items, oldest first; b has one (padded with -1).
  EXPECT_EQ(d.initial_history(a), (std::vector<int32_t>{id(d, "i2"), id(d, "i4")}));
  EXPECT_EQ(d.initial_history(b), (std::vector<int32_t>{-1, id(d, "i1")}));
  EXPECT_DOUBLE_EQ(d.normalized(5), 1.0);
  EXPECT_DOUBLE_EQ(d.normalized(4), 0.5);
  EXPECT_DOUBLE_EQ(d.normalized(1), -1.0);
  // Popularity counts train ratings: i1 by a, b, c; i3 by a only.
  EXPECT_EQ(d.popularity[id(d, "i1")], 3);
  EXPECT_EQ(d.popularity[id(d, "i3")], 1);
  EXPECT_EQ(env->spec().user_dim, 5 + 2);
  EXPECT_EQ(env->spec().item_dim, 5);
}

// Picks the first remaining candidate (the test items in time order) and records the history ids
// and candidate counts it saw.
struct FirstCandidate final : sim::Policy {
  std::vector<std::vector<float>> histories;
  std::vector<int> counts;
  std::string_view name() const override { return "first"; }
  void act(const sim::Observation& obs, int32_t* slates, Rng*) override {
    const float* u = obs.user_row(0);
    histories.emplace_back(u + obs.user_dim - 2, u + obs.user_dim);
    counts.push_back(obs.num_candidates);
    slates[0] = 0;
  }
};

TEST(OfflineProtocol, MetricsWorkedByHand) {
  auto env = make_environment(tiny_config("movielens_replay", "", 1), 1);
  const RatingData& d = *rating_data_of(*env);
  FirstCandidate p;
  const OfflineResults r = evaluate_offline(*env, p, 3);
  // a ranks i5 i6 i7 i8, relevant {i6, i7}: P@5 = 2/5, P@10 = 2/10,
  //   NDCG = (1/log2 3 + 1/log2 4) / (1 + 1/log2 3) = 1.130930 / 1.630930 = 0.693426.
  // b ranks i3 i4, both relevant: P@5 = 2/5, P@10 = 2/10, NDCG = 1.
  EXPECT_EQ(r.users, 2);
  EXPECT_NEAR(r.p5, 0.4, 1e-12);
  EXPECT_NEAR(r.p10, 0.2, 1e-12);
  const double ndcg_a = (1 / std::log2(3.0) + 0.5) / (1 + 1 / std::log2(3.0));
  EXPECT_NEAR(r.ndcg5, (ndcg_a + 1) / 2, 1e-9);
  EXPECT_NEAR(r.ndcg10, (ndcg_a + 1) / 2, 1e-9);
  // Rewards (r - 3) / 2: a -1, .5, 1, 0; b 1, .5 -> 2 / 6.
  EXPECT_EQ(r.picks, 6);
  EXPECT_NEAR(r.mean_reward, 2.0 / 6.0, 1e-12);
  // Candidates shrink 4,3,2,1 then 2,1; the history advances on i6 (4) and i7 (5), not i5, i8.
  EXPECT_EQ(p.counts, (std::vector<int>{4, 3, 2, 1, 2, 1}));
  auto f = [&](const char* item) { return static_cast<float>(id(d, item)); };
  EXPECT_EQ(p.histories[0], (std::vector<float>{f("i2"), f("i4")}));
  EXPECT_EQ(p.histories[1], (std::vector<float>{f("i2"), f("i4")}));  // i5 rated 1
  EXPECT_EQ(p.histories[2], (std::vector<float>{f("i4"), f("i6")}));
  EXPECT_EQ(p.histories[3], (std::vector<float>{f("i6"), f("i7")}));
  EXPECT_EQ(p.histories[4], (std::vector<float>{-1.f, f("i1")}));
  EXPECT_EQ(p.histories[5], (std::vector<float>{f("i1"), f("i3")}));
}

TEST(OfflineProtocol, PopularityAndPmfRankByTheirScores) {
  auto env = make_environment(tiny_config("movielens_replay", "", 1), 1);
  const RatingData& d = *rating_data_of(*env);
  sim::PolicyContext ctx{env.get(), nullptr, nullptr};
  auto pop = find_policy("popularity").make(ctx);
  auto pmf = find_policy("pmf").make(ctx);
  // Popularity: b's test items i3 (1 train rating) and i4 (1) tie -> lower dense id first; a's:
  // i5..i8 have no train ratings -> dense id order. Either way a fixed, valid ranking.
  const auto rp = evaluate_offline(*env, *pop, 1);
  EXPECT_EQ(rp.users, 2);
  // pmf ranks by the MF score: for user a the list is a's test items sorted by mf.score (b's two
  // items are both relevant, so its metrics are 1 whatever the order).
  const auto rm = evaluate_offline(*env, *pmf, 1);
  EXPECT_EQ(rm.picks, 6);
  const int32_t a = d.log.users.find("a");
  std::vector<int32_t> order = d.test_items[a];
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t x, int32_t y) { return d.mf.score(a, x) > d.mf.score(a, y); });
  std::vector<int32_t> relevant{id(d, "i6"), id(d, "i7")};
  std::sort(relevant.begin(), relevant.end());
  const auto ma = eval::user_ranking_metrics(order, relevant, 5);
  EXPECT_NEAR(rm.ndcg5, (ma.ndcg + 1) / 2, 1e-6);
  EXPECT_NEAR(rm.p5, 0.4, 1e-12);
  // A policy that needs rating data is rejected on other environments.
  Config ie = Config::parse_string("[env]\nnum_candidates = 5\n");
  auto other = make_environment(ie, 1);
  sim::PolicyContext octx{other.get(), nullptr, nullptr};
  EXPECT_THROW(find_policy("pmf").make(octx), Error);
  EXPECT_THROW(evaluate_offline(*other, *pop, 1), Error);
}

TEST(MfEnvironment, RewardIsNormalizedSimulatedRatingAndShownItemsAreExcluded) {
  auto env = make_environment(tiny_config("movielens_mf", "simulator = \"train\"\n"), 1);
  const RatingData& d = *rating_data_of(*env);
  const RatingData* dp = &d;
  sim::VectorEnv venv(std::move(env), 1, 5);
  venv.reset(0, 0);
  auto obs = venv.observation();
  // Candidates never include the user's train items; after a step the shown item is excluded.
  std::set<int64_t> seen;
  int steps = 0;
  while (!venv.done(0)) {
    obs = venv.observation();
    // Identify the user by the embedding in the observation.
    int32_t u = -1;
    for (int32_t c : dp->users)
      if (std::equal(obs.user, obs.user + dp->dim(),
                     &dp->user_embedding[static_cast<size_t>(c) * dp->dim()]))
        u = c;
    ASSERT_GE(u, 0);
    for (int p = 0; p < obs.num_candidates; ++p) {
      const int64_t item = obs.item_id(0, p);
      EXPECT_EQ(std::count(dp->train_items[u].begin(), dp->train_items[u].end(), item), 0);
      EXPECT_EQ(seen.count(item), 0u);
    }
    const int32_t slate = 0;
    const int64_t item = obs.item_id(0, 0);
    const double r = dp->normalized(dp->simulator.predict(u, static_cast<int32_t>(item)));
    venv.step(&slate);
    EXPECT_NEAR(venv.rewards()[0], r, 1e-6);
    seen.insert(item);
    ++steps;
  }
  // 8 items; a rated 4 in train (b 2): the episode ends when fewer than N = 2 unshown items remain,
  // so a's session has 3 steps (4 -> 3 -> 2 -> 1 unshown) and b's 5.
  EXPECT_TRUE(steps == 3 || steps == 5) << steps;
}

// movielens_seq with given terms and no noise: every step's rating is the formula of datasim.h on
// the window (the last w = 2 train rows at reset, then the shown items), worked out here from the
// simulator MF's predictions and factors.
TEST(SeqEnvironment, RatingFollowsTheHistoryTermsOfTheWindow) {
  const std::string keys =
      "simulator = \"train\"\nhistory_terms = \"keys\"\nhistory_window = 2\n"
      "history_intercept = 0.1\nhistory_mood = 0.5\nhistory_quality = 0.25\n"
      "history_similarity = 0.75\nhistory_noise_sd = 0\n";
  auto env = make_environment(tiny_config("movielens_seq", keys), 1);
  EXPECT_EQ(env->spec().name, "movielens_seq");
  const RatingData& d = *rating_data_of(*env);
  const HistoryTerms& h = *history_terms_of(*env);
  EXPECT_FALSE(h.fitted);
  EXPECT_EQ(h.c1, 0.5);
  const RatingData* dp = &d;
  sim::VectorEnv venv(std::move(env), 1, 5);
  for (int episode = 0; episode < 4; ++episode) {
    venv.reset(0, episode);
    auto obs = venv.observation();
    int32_t u = -1;
    for (int32_t c : dp->users)
      if (std::equal(obs.user, obs.user + dp->dim(),
                     &dp->user_embedding[static_cast<size_t>(c) * dp->dim()]))
        u = c;
    ASSERT_GE(u, 0);
    const auto& tr = dp->train_items[u];
    std::vector<int32_t> win(tr.end() - 2, tr.end());
    std::vector<double> res;
    for (size_t j = tr.size() - 2; j < tr.size(); ++j)
      res.push_back(dp->train_ratings[u][j] - dp->simulator.predict(u, tr[j]));
    double pbar = 0;  // simulator = "train": the user's mean prediction over her train rows
    for (int32_t i : tr) pbar += dp->simulator.predict(u, i);
    pbar /= static_cast<double>(tr.size());
    while (!venv.done(0)) {
      obs = venv.observation();
      const int32_t slate = 0;
      const auto item = static_cast<int32_t>(obs.item_id(0, 0));
      const int k = dp->simulator.factors();
      std::vector<double> mq(k, 0.0);
      double x1 = 0, x2 = 0;
      for (size_t j = 0; j < win.size(); ++j) {
        x1 += res[j] / 2, x2 += dp->simulator.predict(u, win[j]) / 2;
        for (int c = 0; c < k; ++c) mq[c] += dp->simulator.item_factors.row(win[j])[c];
      }
      x2 -= pbar;
      double dot = 0, qq = 0, mm = 0;
      for (int c = 0; c < k; ++c) {
        const double q = dp->simulator.item_factors.row(item)[c];
        dot += q * mq[c], qq += q * q, mm += mq[c] * mq[c];
      }
      const double x3 = dot / std::sqrt(qq * mm);
      const double expected = std::clamp(
          dp->simulator.predict(u, item) + 0.1 + 0.5 * x1 + 0.25 * x2 + 0.75 * x3, 1.0, 5.0);
      venv.step(&slate);
      EXPECT_NEAR(venv.responses().row(0)[0], expected, 1e-4);
      EXPECT_NEAR(venv.rewards()[0], dp->normalized(expected), 1e-4);
      EXPECT_EQ(venv.responses().row(0)[1], expected >= 4.0 ? 1.f : 0.f);
      win.erase(win.begin());
      res.erase(res.begin());
      win.push_back(item);
      res.push_back(expected - dp->simulator.predict(u, item));
    }
  }
}

// Fitted terms: a larger log whose every user's next rating repeats her previous residual in part
// (mood); the fit finds a positive mood coefficient, its noise sd is positive, and the run is
// deterministic in the seed (same seed, same rewards).
TEST(SeqEnvironment, FitsTheTermsAndIsDeterministic) {
  const auto path =
      fs::temp_directory_path() / ("rlrec_datasim_seq_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream os(path);
    os << "user,item,rating,timestamp\n";
    Rng rng(3, 3);
    for (int u = 0; u < 60; ++u) {
      double mood = 0;
      for (int t = 0; t < 30; ++t) {
        const int item = static_cast<int>(rng.uniform_int(40));
        mood = 0.8 * mood + rng.normal(0, 0.6);
        const double r = std::clamp(std::round(3.2 + 0.02 * (item % 10) + mood), 1.0, 5.0);
        os << "u" << u << ",i" << item << "_" << u % 3 << "," << r << "," << t << "\n";
      }
    }
  }
  const std::string toml = "[env]\nname = \"movielens_seq\"\ndata = \"" + path.string() +
                           "\"\nfactors = 4\nmf_epochs = 5\nmin_train_positives = 1\n"
                           "history_window = 3\nmax_steps = 20\nnum_candidates = 10\n";
  auto rewards = [&](uint64_t seed) {
    sim::VectorEnv venv(make_environment(Config::parse_string(toml), seed), 4, seed);
    venv.reset_all(0);
    std::vector<double> out;
    std::vector<int32_t> slate(4, 0);
    for (int t = 0; t < 30; ++t) {
      venv.step(slate.data());
      for (int b = 0; b < 4; ++b) {
        out.push_back(venv.rewards()[b]);
        if (venv.done(b)) venv.reset(b, 100 + t * 4 + b);
      }
    }
    return out;
  };
  auto env = make_environment(Config::parse_string(toml), 2);
  const HistoryTerms& h = *history_terms_of(*env);
  EXPECT_TRUE(h.fitted);
  EXPECT_GT(h.events, 1000);
  EXPECT_GT(h.c1, 0.2) << "mood";
  EXPECT_GT(h.noise_sd, 0.1);
  EXPECT_LT(h.noise_sd, 1.5);
  EXPECT_GT(h.r2, 0.0);
  const int64_t held = std::count(h.heldout.begin(), h.heldout.end(), uint8_t{1});
  EXPECT_GT(held, 3);
  EXPECT_LT(held, 25);
  EXPECT_EQ(rewards(2), rewards(2));
  EXPECT_NE(rewards(2), rewards(3));
  // The held-out users' re-rated sequences: the first w ratings logged, the rest on the scale.
  const RatingData& d = *rating_data_of(*env);
  data::InteractionLog logged;
  const data::InteractionLog sim = simulate_heldout_sequences(d, h, 2, &logged);
  ASSERT_EQ(sim.size(), logged.size());
  EXPECT_EQ(sim.size(), static_cast<size_t>(held) * 30);
  for (size_t r = 0; r < sim.size(); ++r) {
    EXPECT_EQ(sim.item[r], logged.item[r]);
    if (sim.timestamp[r] < 3) {
      EXPECT_EQ(sim.rating[r], logged.rating[r]);
    }
    EXPECT_GE(sim.rating[r], 1.f);
    EXPECT_LE(sim.rating[r], 5.f);
  }
  fs::remove(path);
}

TEST(SeqEnvironment, BadHistoryKeysAreOneLineErrors) {
  for (const auto& [set, needle] : std::vector<std::pair<std::string, std::string>>{
           {"history_terms = \"maybe\"", "env.history_terms"},
           {"history_terms = \"maybe\"", "fit, keys"},
           {"history_window = 0", "env.history_window"},
           {"history_holdout = 1.0", "env.history_holdout"},
           {"history_noise_sd = -1.0", "env.history_noise_sd"},
           {"history_mood = 20.0", "env.history_mood"},
           {"history_windw = 3", "did you mean 'env.history_window'"}}) {
    try {
      make_environment(tiny_config("movielens_seq", set + "\n"), 1);
      ADD_FAILURE() << "expected an Error for " << set;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << set;
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
}

TEST(RatingEnv, BadInputIsAOneLineError) {
  auto msg = [](const std::string& toml) {
    try {
      make_environment(Config::parse_string(toml), 1);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(msg("[env]\nname = \"movielens_mf\"\n").find("env.data must name a rating file"),
            std::string::npos);
  EXPECT_NE(msg("[env]\nname = \"movielens_mf\"\ndata = \"/nonexistent/u.data\"\n")
                .find("/nonexistent/u.data"),
            std::string::npos);
  EXPECT_NE(msg("[env]\nname = \"movielens_mff\"\n").find("did you mean 'movielens_mf'"),
            std::string::npos);
  const std::string base =
      "[env]\nname = \"movielens_mf\"\ndata = \"" + tiny_log() +
      "\"\ntrain_fraction = 0.5\nfactors = 4\nmf_epochs = 2\nnum_candidates = 2\n";
  EXPECT_NE(msg(base + "min_train_positives = 9\n").find("no user has >= 9 positive train ratings"),
            std::string::npos);
  // User a rated 4 of the 8 items in train: 5 candidates of unrated items cannot be drawn for a
  // session of a (this hung before, in the draw's rejection loop).
  EXPECT_NE(msg("[env]\nname = \"movielens_mf\"\ndata = \"" + tiny_log() +
                "\"\ntrain_fraction = 0.5\nfactors = 4\nmf_epochs = 2\nnum_candidates = 5\n"
                "min_train_positives = 1\n")
                .find("lower env.num_candidates to at most 4, got 5"),
            std::string::npos);
  EXPECT_EQ(msg(base + "history_length = 0\n"), "env.history_length must be in [1, 1000], got 0")
      << "(the exact wording comes from core's check_range)";
  // An MF model trained on a different item set.
  models::MfModel m;
  m.kind = "biased_sgd";
  m.items.add("i1");
  m.users.add("a");
  m.user_factors.resize(1, 4);
  m.item_factors.resize(1, 4);
  const auto dir = fs::temp_directory_path() / ("rlrec_datasim_mf_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  m.save(dir.string());
  const std::string bad =
      msg(base + "min_train_positives = 1\nmf_model = \"" + dir.string() + "\"\n");
  EXPECT_NE(
      bad.find("MF model was trained on a different item set: item 'i5'"),  // the log's first item
      std::string::npos)
      << bad;
  fs::remove_all(dir);
}

TEST(MovieLens100K, ProtocolOnTheRealLog) {
  const std::string path = std::string(RLREC_SHARED_DATA_DIR) + "/movielens-100k/u.data";
  if (!fs::exists(path)) GTEST_SKIP() << "MovieLens 100K not found at " << path << ", skipping";
  Config cfg = Config::parse_string("[env]\nname = \"movielens_replay\"\ndata = \"" + path +
                                    "\"\nfactors = 16\nmf_epochs = 10\nsimulator = \"train\"\n"
                                    "num_candidates = 10\n");
  auto env = make_environment(cfg, 1);
  const RatingData& d = *rating_data_of(*env);
  EXPECT_EQ(d.log.num_users(), 943);
  EXPECT_EQ(d.log.num_items(), 1682);
  EXPECT_EQ(static_cast<int64_t>(d.users.size()) + d.dropped_users, 943);
  EXPECT_GT(d.users.size(), 700u);
  sim::PolicyContext ctx{env.get(), nullptr, nullptr};
  auto pmf = find_policy("pmf").make(ctx);
  auto rnd = find_policy("random").make(ctx);
  const auto rp = evaluate_offline(*env, *pmf, 1), rr = evaluate_offline(*env, *rnd, 1);
  // Each users' candidate set is fixed; ranking by the MF must beat a random order clearly
  // (observed: ~+0.05 in P@10 with a standard error below 0.01).
  EXPECT_GT(rp.ndcg10, rr.ndcg10 + 0.02) << rp.ndcg10 << " vs " << rr.ndcg10;
}

}  // namespace
}  // namespace rlrec::datasim
