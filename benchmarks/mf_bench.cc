// Matrix-factorization throughput.
//
//   BM_AlsIteration   one implicit-ALS iteration (all users, then all items; CG, 3 steps) at 64
//                     factors on a synthetic matrix of MovieLens-20M's shape (138,493 users x
//                     26,744 items, ~20M interactions), with 1 and 2 threads. Reference: the
//                     `implicit` library's 0.84 s/iteration on 8 cores (~6.7 core-seconds), so
//                     <= 3.4 s with 2 threads is per-core parity (the target).
//   BM_SgdEpoch       one biased-SGD epoch (100 factors) on MovieLens-100K's shape (943 x 1,682,
//                     100,000 ratings).
//   BM_BprEpoch       one BPR epoch (64 factors) on the same shape.
// Time per iteration/epoch is the reported real time (UseRealTime; threads are the pool's). On a
// shared machine, also read the cpu_s counter (CPU seconds of all threads per ALS iteration).
//
// Synthetic data: user degrees 20 + lognormal draws; items drawn from a Zipf(0.9) popularity law,
// duplicates within a user removed (~145 distinct per user, 20.07M in all, as in ML-20M); values
// uniform in {1, ..., 5}. Each user's row comes from its own Rng stream, generated on all cores
// once per process.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <thread>
#include <vector>

#include "rlrec/core/rng.h"
#include "rlrec/core/thread_pool.h"
#include "rlrec/models/als.h"
#include "rlrec/models/biased_sgd.h"
#include "rlrec/models/bpr.h"
#include "rlrec/models/sparse.h"

namespace {

using namespace rlrec;
using namespace rlrec::models;

double process_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Cumulative Zipf(s) weights over n items, item 0 most popular.
std::vector<double> zipf_cdf(int n, double s) {
  std::vector<double> cdf(n);
  double acc = 0;
  for (int i = 0; i < n; ++i) cdf[i] = acc += 1.0 / std::pow(i + 1.0, s);
  for (auto& c : cdf) c /= acc;
  return cdf;
}

// A users x items CSR with the shape described at the top.
Csr synthetic_matrix(int32_t users, int32_t items, double log_mu, double log_sigma, uint64_t seed) {
  const std::vector<double> cdf = zipf_cdf(items, 0.9);
  std::vector<std::vector<int32_t>> rows(users);
  ThreadPool pool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  pool.parallel_for(static_cast<size_t>(users), [&](size_t b, size_t e) {
    for (size_t u = b; u < e; ++u) {
      Rng rng(seed, u);
      const int want =
          std::min<int>(items / 2, 20 + static_cast<int>(rng.lognormal(log_mu, log_sigma)));
      auto& row = rows[u];
      row.reserve(want);
      for (int t = 0; t < want; ++t) {
        const double x = rng.uniform();
        row.push_back(
            static_cast<int32_t>(std::lower_bound(cdf.begin(), cdf.end(), x) - cdf.begin()));
      }
      std::sort(row.begin(), row.end());
      row.erase(std::unique(row.begin(), row.end()), row.end());
    }
  });
  Csr m;
  m.rows = users;
  m.cols = items;
  m.indptr.assign(static_cast<size_t>(users) + 1, 0);
  for (int32_t u = 0; u < users; ++u)
    m.indptr[u + 1] = m.indptr[u] + static_cast<int64_t>(rows[u].size());
  m.indices.resize(static_cast<size_t>(m.indptr[users]));
  m.values.resize(m.indices.size());
  Rng vals(seed, hash_name("values"));
  for (int32_t u = 0; u < users; ++u) {
    std::copy(rows[u].begin(), rows[u].end(), m.indices.begin() + m.indptr[u]);
    for (int64_t t = m.indptr[u]; t < m.indptr[u + 1]; ++t)
      m.values[t] = static_cast<float>(1 + vals.uniform_int(5));
  }
  return m;
}

struct Ml20mShape {
  Csr ui, iu;
  Ml20mShape() {
    // 20 + lognormal(4.4, 1.2) draws per user (mean ~198); after de-duplication: 20.07M entries
    // (~145 per user), the most popular item has 134k users.
    ui = synthetic_matrix(138493, 26744, 4.4, 1.2, 2024);
    iu = transpose(ui);
  }
};

const Ml20mShape& ml20m() {
  static const Ml20mShape data;
  return data;
}

void BM_AlsIteration(benchmark::State& state) {
  const Ml20mShape& d = ml20m();
  AlsConfig c;
  c.factors = 64;
  c.cg_steps = 3;
  ThreadPool pool(static_cast<int>(state.range(0)));
  Matrix<float> X(d.ui.rows, c.factors), Y(d.ui.cols, c.factors);
  Rng rng(1, 0);
  for (auto& v : X.storage()) v = static_cast<float>(rng.normal(0, 0.01));
  for (auto& v : Y.storage()) v = static_cast<float>(rng.normal(0, 0.01));
  const AlsHalfStep users(d.ui, c.factors), items(d.iu, c.factors);  // built once per fit
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    users.run(Y.view(), X.view(), c, pool);
    items.run(X.view(), Y.view(), c, pool);
    benchmark::ClobberMemory();
  }
  // CPU seconds of all threads per iteration: on an idle machine with P cores the wall time is
  // about cpu_s / P, whatever else is running on a shared one.
  state.counters["cpu_s"] =
      (process_cpu_seconds() - cpu0) / static_cast<double>(state.iterations());
  state.counters["nnz"] = static_cast<double>(d.ui.nnz());
  state.counters["users"] = d.ui.rows;
  state.counters["items"] = d.ui.cols;
  state.SetLabel("ML-20M shape, 64 factors, cg_steps 3");
}
BENCHMARK(BM_AlsIteration)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(3);

// ML-100K-shaped explicit log (dense ids 0..n-1).
data::InteractionLog ml100k_shape() {
  const Csr m = synthetic_matrix(943, 1682, 3.9, 1.0, 7);
  data::InteractionLog log;
  for (int32_t u = 0; u < m.rows; ++u) log.users.add(std::to_string(u));
  for (int32_t i = 0; i < m.cols; ++i) log.items.add(std::to_string(i));
  for (int32_t u = 0; u < m.rows; ++u)
    for (int64_t t = m.indptr[u]; t < m.indptr[u + 1]; ++t)
      log.push_back(u, m.indices[t], m.values[t], 0);
  return log;
}

template <class Trainer, class Config_>
void run_epochs(benchmark::State& state, Config_ c, const data::InteractionLog& log) {
  ThreadPool pool(static_cast<int>(state.range(0)));
  c.epochs = 10;
  for (auto _ : state) {
    Trainer t(c);
    t.fit(log, pool);
    benchmark::DoNotOptimize(t.model().item_factors.data());
  }
  state.counters["s/epoch"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * c.epochs,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ratings"] = static_cast<double>(log.size());
}

void BM_SgdEpoch(benchmark::State& state) {
  static const data::InteractionLog log = ml100k_shape();
  run_epochs<BiasedSgd>(state, BiasedSgdConfig{}, log);
}
BENCHMARK(BM_SgdEpoch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BprEpoch(benchmark::State& state) {
  static const data::InteractionLog log = ml100k_shape();
  run_epochs<Bpr>(state, BprConfig{}, log);
}
BENCHMARK(BM_BprEpoch)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
