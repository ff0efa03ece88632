// Tests of the Wolpertinger agent (wolpertinger.cc) beyond the conformance suite: the kNN returns
// real catalogue items (and, with exact search, exactly the k nearest), k = the whole catalogue
// with exact search is the critic's argmax over all items, learning beats random on a small fixed
// corpus, and bad input (k, embedding dimension, an index built for another catalogue) is a
// one-line rlrec::Error.
#include "rlrec/agents/wolpertinger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>
#include <set>

#include "rlrec/agents/agent.h"
#include "rlrec/agents/test_driver.h"
#include "rlrec/catalog/catalog.h"
#include "rlrec/core/error.h"
#include "rlrec/eval/runner.h"
#include "rlrec/sim/environment.h"
#include "rlrec/sim/policy.h"

namespace rlrec::agents {
namespace {

// interest_evolution with a fixed catalogue of `m` items that are all candidates.
std::unique_ptr<sim::Environment> corpus_env(int64_t m, int slate, uint64_t seed, int topics = 20,
                                             int max_steps = 30) {
  Config cfg = Config::parse_string(
      "[env]\ncorpus_size = " + std::to_string(m) + "\nnum_candidates = " + std::to_string(m) +
      "\nslate_size = " + std::to_string(slate) + "\nmax_steps = " + std::to_string(max_steps) +
      "\nnum_topics = " + std::to_string(topics) + "\n");
  return catalog::make_environment(cfg, seed);
}

double sq_dist(const float* a, const float* b, int d) {
  double s = 0;
  for (int i = 0; i < d; ++i) s += (static_cast<double>(a[i]) - b[i]) * (a[i] - b[i]);
  return s;
}

// The k nearest catalogue items to `proto` by brute force (ties by lower id).
std::vector<int64_t> brute_force_knn(const sim::Catalogue& cat, const float* proto, int64_t k) {
  const int64_t m = cat.size();
  const int d = static_cast<int>(cat.features.cols());
  std::vector<double> dist(m);
  for (int64_t i = 0; i < m; ++i) dist[i] = sq_dist(cat.features.row(i), proto, d);
  std::vector<int64_t> order(m);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return dist[a] < dist[b]; });
  order.resize(k);
  return order;
}

TEST(Wolpertinger, KnnReturnsRealCatalogueItems) {
  const int64_t M = 3000, k = 40;
  for (const char* kind : {"exact", "hnsw"}) {
    SCOPED_TRACE(kind);
    sim::VectorEnv env(corpus_env(M, 2, 5), 4, 9);
    auto agent = agent_testing::make_agent(
        "wolpertinger", env.env(),
        std::string("hidden = [16]\nhistory_features = false\nk = 40\nindex = \"") + kind + "\"\n",
        3);
    ASSERT_EQ(wolpertinger_k(*agent), k);
    env.reset_all(0);
    const auto obs = env.observation();
    const sim::Catalogue& cat = *obs.catalogue;
    double recall = 0;
    for (int b = 0; b < 4; ++b) {
      const auto p = wolpertinger_probe(*agent, obs, b);
      ASSERT_EQ(p.neighbours.size(), static_cast<size_t>(k));
      std::set<int64_t> seen;
      for (int64_t id : p.neighbours) {
        EXPECT_GE(id, 0);
        EXPECT_LT(id, M);
        seen.insert(id);
      }
      EXPECT_EQ(seen.size(), static_cast<size_t>(k)) << "duplicate neighbours";
      // Nearest first.
      for (size_t j = 1; j < p.neighbours.size(); ++j)
        EXPECT_LE(sq_dist(cat.features.row(p.neighbours[j - 1]), p.proto.data(), 20),
                  sq_dist(cat.features.row(p.neighbours[j]), p.proto.data(), 20) + 1e-4);
      const auto truth = brute_force_knn(cat, p.proto.data(), k);
      int hit = 0;
      for (int64_t id : truth) hit += seen.count(id) ? 1 : 0;
      recall += static_cast<double>(hit) / k;
    }
    recall /= 4;
    if (std::string(kind) == "exact")
      EXPECT_DOUBLE_EQ(recall, 1.0);
    else
      EXPECT_GE(recall, 0.9);
  }
}

TEST(Wolpertinger, FullCatalogueExactSearchIsTheCriticArgmax) {
  const int64_t M = 400;
  sim::VectorEnv env(corpus_env(M, 2, 7), 6, 3);
  auto agent = agent_testing::make_agent(
      "wolpertinger", env.env(),
      "hidden = [16]\nhistory_features = false\nk = 400\nindex = \"exact\"\nwarmup_steps = 20\n"
      "batch_size = 8\n",
      4);
  agent_testing::drive(*agent, env, 60, 2);  // some updates, so the critic is not at its init
  agent->set_training(false);
  env.reset_all(100);
  const auto obs = env.observation();
  std::vector<int32_t> slates(6 * 2);
  std::vector<Rng> rngs(6);
  agent->act(obs, slates.data(), rngs.data());
  for (int b = 0; b < 6; ++b) {
    std::vector<double> q(M);
    for (int64_t i = 0; i < M; ++i)
      q[i] = wolpertinger_q(*agent, obs.user_row(b), obs.catalogue->features.row(i));
    std::vector<int64_t> order(M);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t c) { return q[a] > q[c]; });
    // The slate is the critic's top-2 over the whole catalogue (up to float rounding between a
    // batched and a single forward pass).
    EXPECT_NEAR(q[slates[b * 2]], q[order[0]], 1e-5);
    EXPECT_NEAR(q[slates[b * 2 + 1]], q[order[1]], 1e-5);
    EXPECT_GT(q[order[0]] - q[order[M - 1]], 1e-4) << "critic is constant: the test proves nothing";
  }
}

// A small corpus where learning is easy: slates of one item out of 200, γ = 0 (the reward is the
// watch time of a click, so the best item maximises the click probability, i.e. u·f). The learned
// agent must beat random by more than 3 standard errors of the difference (same evaluation users).
TEST(Wolpertinger, LearningBeatsRandomOnSmallCorpus) {
  auto make = [](int batch, uint64_t seed) {
    return std::make_unique<sim::VectorEnv>(corpus_env(200, 1, 11, 20, 20), batch, seed);
  };
  auto env = make(8, 1);
  auto agent = agent_testing::make_agent(
      "wolpertinger", env->env(),
      "hidden = [32]\ngamma = 0\nk = 20\nwarmup_steps = 500\nbatch_size = 32\nlr = 0.003\n"
      "actor_lr = 0.003\nnoise_sigma = 0.2\n",
      2);
  agent_testing::drive(*agent, *env, 5000, 3);
  agent->set_training(false);
  auto evaluate = [&](sim::Policy& p) {
    auto e = make(16, 2);
    return eval::run_episodes(*e, p, 96, 4).return_summary();
  };
  const auto learned = evaluate(*agent);
  sim::PolicyContext ctx{&env->env(), nullptr, nullptr};
  auto random = catalog::find_policy("random").make(ctx);
  auto myopic = catalog::find_policy("myopic").make(ctx);
  const auto r = evaluate(*random), m = evaluate(*myopic);
  const double se = std::sqrt(learned.se * learned.se + r.se * r.se);
  EXPECT_GT(learned.mean - r.mean, 3 * se)
      << "learned " << learned.mean << " random " << r.mean << " myopic " << m.mean;
}

// proto_reg pulls the actor's proto-actions onto the item manifold (the distance from a
// proto-action to its nearest item shrinks); without it they drift off it (algorithms.md §1.3).
TEST(Wolpertinger, ProtoRegKeepsProtoActionsNearItems) {
  auto nearest_sq_dist = [](double reg) {
    sim::VectorEnv env(corpus_env(300, 1, 3, 20, 20), 8, 1);
    auto agent = agent_testing::make_agent(
        "wolpertinger", env.env(),
        "hidden = [32]\nk = 10\nwarmup_steps = 200\nbatch_size = 32\ngamma = 0.5\ntarget_k = 5\n"
        "proto_reg = " +
            std::to_string(reg) + "\n",
        6);
    agent_testing::drive(*agent, env, 1500, 4);
    env.reset_all(500);
    const auto obs = env.observation();
    double sum = 0;
    for (int b = 0; b < 8; ++b) {
      const auto p = wolpertinger_probe(*agent, obs, b);
      sum += sq_dist(obs.catalogue->features.row(p.neighbours[0]), p.proto.data(), 20);
    }
    return sum / 8;
  };
  const double free = nearest_sq_dist(0.0), regularised = nearest_sq_dist(20.0);
  EXPECT_LT(regularised, 0.5 * free) << "free " << free << " regularised " << regularised;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Wolpertinger, BadInputIsOneLineError) {
  auto env = corpus_env(300, 2, 1);
  auto make = [&](const std::string& toml, const sim::Environment& e) {
    return [&, toml] { agent_testing::make_agent("wolpertinger", e, toml, 1); };
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"k = 301\n",
       "agent.k must be <= the number of items to choose from (300: env.corpus_size), got 301"},
      {"k = -3\n", "agent.k must be >= 1 (or 0 to use agent.k_fraction), got -3"},
      {"k = 1\n", "agent.k must be >= env.slate_size (2), got 1"},
      {"k_fraction = 0.0\n", "agent.k_fraction must be in (0, 1], got 0.0"},
      {"k_fraction = 1.5\n", "agent.k_fraction must be in (0, 1], got 1.5"},
      {"embedding_dim = 32\n", "agent.embedding_dim (32) does not match"},
      {"index = \"annoy\"\n", "agent.index"},
      {"noise = \"pink\"\n", "agent.noise"},
      {"proto_reg = -1.0\n", "agent.proto_reg"},
      {"target_k = -5\n", "agent.target_k"},
  };
  for (const auto& [toml, needle] : cases) {
    const std::string msg = error_of(make(toml, *env));
    EXPECT_NE(msg.find(needle), std::string::npos) << toml << " -> " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  // k_fraction rounds up and is at least the slate size.
  auto a = agent_testing::make_agent("wolpertinger", *env, "k_fraction = 0.05\n", 1);
  EXPECT_EQ(wolpertinger_k(*a), 15);
  auto b = agent_testing::make_agent("wolpertinger", *env, "k_fraction = 0.001\n", 1);
  EXPECT_EQ(wolpertinger_k(*b), 2);

  // An index file: built and saved on first use, reused for the same catalogue, rejected for
  // another catalogue (another seed) and for another embedding dimension.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rlrec_wolpertinger_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "catalogue.index").string();
  const std::string with_file = "index = \"hnsw\"\nindex_path = \"" + file + "\"\n";
  agent_testing::make_agent("wolpertinger", *env, with_file, 1);
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_NO_THROW(agent_testing::make_agent("wolpertinger", *env, with_file, 2));
  auto other = corpus_env(300, 2, 2);
  std::string msg = error_of(make(with_file, *other));
  EXPECT_NE(msg.find("another catalogue"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  auto ten = corpus_env(300, 2, 1, 10);
  msg = error_of(make(with_file, *ten));
  EXPECT_NE(msg.find("holds 20-dimensional vectors, but env 'interest_evolution' items have 10"),
            std::string::npos)
      << msg;
  std::filesystem::remove_all(dir);

  // An observation from another catalogue than the agent's index.
  sim::VectorEnv venv(corpus_env(300, 2, 2), 1, 1);
  venv.reset_all(0);
  auto c = agent_testing::make_agent("wolpertinger", *env, "", 1);
  std::vector<int32_t> slate(2);
  std::vector<Rng> rngs(1);
  msg = error_of([&] { c->act(venv.observation(), slate.data(), rngs.data()); });
  EXPECT_NE(msg.find("is not the one the agent's index was built for"), std::string::npos) << msg;
}

}  // namespace
}  // namespace rlrec::agents
