// The agent kit's search, serving and episode-store pieces: item_search.h, slate_serving.h,
// episode_store.h (torch-free, hand-worked numbers and brute-force references).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "rlrec/agents/episode_store.h"
#include "rlrec/agents/item_search.h"
#include "rlrec/agents/slate_serving.h"
#include "rlrec/core/testing.h"

namespace rlrec::agents {
namespace {

TEST(ItemSearch, BoundingBoxAndUniformBox) {
  Matrix<float> f(3, 2);
  f(0, 0) = 0, f(0, 1) = 1, f(1, 0) = 2, f(1, 1) = 1, f(2, 0) = -1, f(2, 1) = 1;
  const ItemBox b = bounding_box(f.view());
  EXPECT_EQ(b.lo, (std::vector<float>{-1, 1}));
  EXPECT_FLOAT_EQ(b.hi[0], 2);
  EXPECT_FLOAT_EQ(b.hi[1], 1 + 1e-3f);  // zero width widened
  EXPECT_EQ(uniform_box(2, 0, 5).hi, (std::vector<float>{5, 5}));
  EXPECT_EQ(uniform_box(1, NAN, 5).lo, (std::vector<float>{-1}));
  EXPECT_EQ(uniform_box(1, 3, 3).hi, (std::vector<float>{1}));
  EXPECT_EQ(uniform_box(1, 0, 2e6).hi, (std::vector<float>{1}));
}

TEST(ItemSearch, ScanAndTopKBreakTiesByPosition) {
  const std::vector<float> items{0, 1, 2, 3, 1};  // one-dimensional items
  std::vector<double> dist;
  std::vector<int> order;
  std::vector<int64_t> out(3);
  const float q = 1.4f;
  nearest_by_scan(
      &q, 5, 1, [&](int p) { return &items[p]; }, out.data(), 3, dist, order);
  EXPECT_EQ(out, (std::vector<int64_t>{1, 4, 2}));  // 1 and 4 tie: lower position first
  std::vector<int64_t> top;
  top_k_of(items.data(), 5, 3, top);
  EXPECT_EQ(std::vector<int64_t>(top.begin(), top.begin() + 3), (std::vector<int64_t>{3, 2, 1}));
}

sim::Catalogue random_catalogue(int M, int D, uint64_t seed) {
  sim::Catalogue c;
  c.features.resize(M, D);
  Rng rng(seed, 1);
  for (auto& x : c.features.storage()) x = static_cast<float>(rng.normal());
  c.fingerprint = seed;
  return c;
}

TEST(ItemSearch, CatalogueSearchMatchesTheScanWithOrWithoutPoolAndReloads) {
  const int M = 200, D = 4, R = 7, kk = 5;
  const sim::Catalogue cat = random_catalogue(M, D, 3);
  CatalogueIndexOptions o;
  o.kind = "exact";
  o.path = test::temp_path("kit_index.bin");
  std::filesystem::remove(o.path);
  CatalogueSearch search(cat, o, "agent", "toy");
  EXPECT_TRUE(std::filesystem::exists(o.path));  // built and saved
  EXPECT_EQ(search.catalogue_fingerprint(), 3u);
  std::vector<float> q(static_cast<size_t>(R) * D);
  Rng rng(9, 2);
  for (auto& x : q) x = static_cast<float>(rng.normal());
  std::vector<int64_t> ids(R * kk), ids_pool(R * kk), want(kk);
  search.search(q.data(), R, kk, ids.data());
  ThreadPool pool(2);
  search.search(q.data(), R, kk, ids_pool.data(), &pool);
  EXPECT_EQ(ids, ids_pool);
  std::vector<double> dist;
  std::vector<int> order;
  for (int r = 0; r < R; ++r) {
    nearest_by_scan(
        &q[r * D], M, D, [&](int p) { return cat.features.row(p); }, want.data(), kk, dist, order);
    EXPECT_EQ(std::vector<int64_t>(ids.begin() + r * kk, ids.begin() + (r + 1) * kk), want);
  }
  CatalogueSearch loaded(cat, o, "agent", "toy");  // loaded from o.path
  std::vector<int64_t> ids_loaded(R * kk);
  loaded.search(q.data(), R, kk, ids_loaded.data());
  EXPECT_EQ(ids, ids_loaded);
  const sim::Catalogue other = random_catalogue(M, D + 1, 3);
  const std::string e = test::error_of([&] { CatalogueSearch(other, o, "agent", "toy"); },
                                       ErrorCode::kInvalidArgument);
  EXPECT_NE(e.find("agent.index_path"), std::string::npos) << e;
  EXPECT_NE(e.find("4-dimensional"), std::string::npos) << e;
  std::filesystem::remove(o.path);
}

// P(slate) under Plackett-Luce without replacement from p, by the product of conditionals.
double pl_probability(const std::vector<double>& p, const std::vector<int>& slate) {
  double prob = 1, removed = 0;
  for (int i : slate) {
    prob *= p[i] / (1 - removed);
    removed += p[i];
  }
  return prob;
}

TEST(SlateServing, PropensitiesAgreeWithABruteForcePlackettLuce) {
  const std::vector<double> logits{0.5, 2.0, -1.0, 1.0, 0.0};
  const int N = 5, K = 2;
  const double T = 0.7;
  BoltzmannServing s(N, K, /*top_m=*/0, /*deterministic=*/0, T);
  std::vector<double> p(N), probs(K * N);
  double z = 0;
  for (int a = 0; a < N; ++a) z += std::exp(logits[a] / T);
  for (int a = 0; a < N; ++a) p[a] = std::exp(logits[a] / T) / z;
  ASSERT_TRUE(s.slot_probabilities(logits.data(), probs.data()));
  std::vector<double> slot1(N, 0.0);  // brute force: P(slot 1 = a) = Σ_b P((b, a))
  for (int a = 0; a < N; ++a)
    for (int b = 0; b < N; ++b)
      if (a != b) slot1[a] += pl_probability(p, {b, a});
  for (int a = 0; a < N; ++a) {
    EXPECT_NEAR(probs[a], p[a], 1e-12);
    EXPECT_NEAR(probs[N + a], slot1[a], 1e-12);
  }
  const std::vector<int32_t> slate{3, 0};
  std::vector<double> cond(K), inc(K);
  s.slot_conditionals(logits.data(), slate.data(), cond.data());
  EXPECT_NEAR(cond[0] * cond[1], pl_probability(p, {3, 0}), 1e-12);
  s.inclusion(logits.data(), slate.data(), inc.data());
  EXPECT_NEAR(inc[0], p[3] + slot1[3], 1e-12);
  EXPECT_NEAR(inc[1], p[0] + slot1[0], 1e-12);
  // Sampled slates follow the first-slot probabilities.
  Rng rng(4, 5);
  std::vector<int> first(N, 0);
  const int n = 20000;
  std::vector<int32_t> got(K);
  for (int i = 0; i < n; ++i) {
    s.sample(logits.data(), rng, got.data());
    EXPECT_NE(got[0], got[1]);
    ++first[got[0]];
  }
  for (int a = 0; a < N; ++a) EXPECT_NEAR(first[a] / double(n), p[a], 0.015) << a;
}

TEST(SlateServing, DeterministicSlotsTopMAndGreedy) {
  const std::vector<double> logits{0.5, 2.0, -1.0, 1.0, 0.0};
  const int N = 5, K = 2;
  BoltzmannServing s(N, K, /*top_m=*/3, /*deterministic=*/1, 1.0);
  std::vector<double> probs(K * N), cond(K), inc(K);
  ASSERT_TRUE(s.slot_probabilities(logits.data(), probs.data()));
  EXPECT_EQ(probs[1], 1.0);  // slot 0: the best logit (position 1)
  // Slot 1: softmax over the next two of the top 3 (positions 3 and 0); the rest never shown.
  const double e3 = std::exp(1.0), e0 = std::exp(0.5);
  EXPECT_NEAR(probs[N + 3], e3 / (e3 + e0), 1e-12);
  EXPECT_NEAR(probs[N + 0], e0 / (e3 + e0), 1e-12);
  EXPECT_EQ(probs[N + 4], 0.0);
  const std::vector<int32_t> outside{1, 4};
  s.slot_conditionals(logits.data(), outside.data(), cond.data());
  EXPECT_EQ(cond, (std::vector<double>{1.0, 0.0}));
  const std::vector<int32_t> served{1, 0};
  s.inclusion(logits.data(), served.data(), inc.data());
  EXPECT_EQ(inc[0], 1.0);
  EXPECT_NEAR(inc[1], e0 / (e3 + e0), 1e-12);
  greedy_slot_probabilities(logits.data(), N, K, probs.data());
  EXPECT_EQ(probs[1], 1.0);
  EXPECT_EQ(probs[N + 3], 1.0);
  EXPECT_EQ(std::accumulate(probs.begin(), probs.end(), 0.0), 2.0);
  const std::vector<int32_t> greedy{1, 3};
  greedy_slot_conditionals(logits.data(), N, K, greedy.data(), cond.data());
  EXPECT_EQ(cond, (std::vector<double>{1.0, 1.0}));
  greedy_slot_conditionals(logits.data(), N, K, served.data(), cond.data());
  EXPECT_EQ(cond, (std::vector<double>{1.0, 0.0}));
}

logs::LogHeader toy_header() {
  logs::LogHeader h;
  h.slate_size = h.num_candidates = 1;
  h.response_fields = {"click"};
  h.has_candidate_ids = h.has_candidate_features = false;
  return h;
}

TEST(SlateServing, ConfigKeysAndOneLineErrors) {
  sim::EnvSpec spec;
  spec.num_candidates = 10;
  spec.slate_size = 3;
  BoltzmannServing::Config c;
  c.validate("agent", spec);
  c.top_m = 2;  // below the slate size
  std::string e = test::error_of([&] { c.validate("agent", spec); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.find("agent.serving_top_m must be 0 (all) or in [slate_size 3, num_candidates 10]"),
            std::string::npos)
      << e;
  c.top_m = 0;
  c.temperature = 0;
  e = test::error_of([&] { c.validate("agent", spec); }, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.find("agent.serving_temperature must be > 0"), std::string::npos) << e;
  EXPECT_EQ(
      field_keys(BoltzmannServing::Config{}),
      (std::vector<std::string>{"serving_top_m", "serving_deterministic", "serving_temperature"}));
}

// A log of episodes given as rewards and choices (-1 = none), step 0 at each episode start.
logs::LogData toy_log(const std::vector<std::vector<std::pair<double, int>>>& episodes) {
  logs::LogData d;
  d.header = toy_header();
  uint64_t e = 0;
  for (const auto& ep : episodes) {
    for (size_t t = 0; t < ep.size(); ++t) {
      logs::LogRecord r;
      r.episode = e;
      r.step = static_cast<int32_t>(t);
      r.slate = {0};
      r.responses = {0.f};
      r.reward = ep[t].first;
      r.choice = ep[t].second;
      r.terminated = t + 1 == ep.size();
      r.marginal = r.inclusion = r.conditional = {-1.0};
      logs::append(d, r);
    }
    ++e;
  }
  return d;
}

TEST(EpisodeStore, ReturnsAndClickRanksByHand) {
  const logs::LogData d = toy_log({{{1, 0}, {0, -1}, {2, 0}}, {{3, 0}}});
  LogEventIndex full, h1;
  full.extend(d, 0, 0.5, 0);
  // R = 1 + 0.5 * 0 + 0.25 * 2, 0 + 0.5 * 2, 2; then 3 (a new episode).
  EXPECT_EQ(full.ret, (std::vector<float>{1.5f, 1.f, 2.f, 3.f}));
  EXPECT_EQ(full.click_rank, (std::vector<int64_t>{0, 1, 1, 2}));
  EXPECT_EQ(full.ep_click0, (std::vector<int64_t>{0, 0, 0, 2}));
  EXPECT_EQ(full.clicked, (std::vector<int64_t>{0, 2, 3}));
  h1.extend(d, 0, 0.5, 2);  // two steps: 1 + 0, 0 + 1, 2, 3
  EXPECT_EQ(h1.ret, (std::vector<float>{1.f, 1.f, 2.f, 3.f}));
  // Extending from an episode start gives the same as indexing at once.
  const logs::LogData first = toy_log({{{1, 0}, {0, -1}, {2, 0}}});
  LogEventIndex inc;
  inc.extend(first, 0, 0.5, 0);
  inc.extend(d, 3, 0.5, 0);
  EXPECT_EQ(inc.ret, full.ret);
  EXPECT_EQ(inc.click_rank, full.click_rank);
  EXPECT_EQ(inc.ep_click0, full.ep_click0);
  EXPECT_EQ(inc.clicked, full.clicked);
}

TEST(EpisodeStore, AppendsWholeEpisodesAndTrimsToTheMostRecent) {
  EpisodeStore store(/*capacity=*/4, 1.0, 0);
  store.header() = toy_header();
  auto episode = [](double reward) {
    const logs::LogData d = toy_log({{{reward, 0}, {reward, -1}, {reward, 0}}});
    std::vector<logs::LogRecord> out;
    for (int64_t i = 0; i < d.size; ++i) out.push_back(logs::record_at(d, i));
    return out;
  };
  auto e1 = episode(1), e2 = episode(2), e3 = episode(3);
  store.append_episode(e1);
  EXPECT_TRUE(e1.empty());
  store.append_episode(e2);  // 6 events: not above 1.5 x 4
  EXPECT_EQ(store.data().size, 6);
  EXPECT_EQ(store.data().episode[5], 1u);
  store.append_episode(e3);  // 9 > 6: trimmed to the last whole episodes within 4 events
  ASSERT_EQ(store.data().size, 3);
  EXPECT_EQ(store.data().episode[0], 2u);
  EXPECT_EQ(store.data().reward[0], 3.0);
  EXPECT_EQ(store.index().ret, (std::vector<float>{9.f, 6.f, 3.f}));
  EXPECT_EQ(store.index().clicked, (std::vector<int64_t>{0, 2}));
}

}  // namespace
}  // namespace rlrec::agents
