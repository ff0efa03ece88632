// Off-policy estimation throughput: rounds/s of each estimator (weights, terms and the point
// estimate; the reward model is precomputed) on a 10^6-round synthetic log with 10 actions and 3
// positions, a context-free target distribution, and of one bootstrap resample.
// Run: build/release/benchmarks/ope_bench --benchmark_repetitions=3
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>

#include "rlrec/core/rng.h"
#include "rlrec/ope/estimators.h"

namespace {

using namespace rlrec;
using namespace rlrec::ope;

struct Log {
  BanditData data;
  ActionDist dist;
  std::vector<double> q;
};

const Log& synthetic_log() {
  static const std::unique_ptr<Log> log = [] {
    auto l = std::make_unique<Log>();
    constexpr int A = 10, L = 3;
    constexpr size_t n = 1'000'000;
    l->data.n_actions = A;
    l->data.n_positions = L;
    l->dist.n_actions = A;
    l->dist.n_positions = L;
    for (int a = 0; a < A; ++a)
      for (int p = 0; p < L; ++p) l->dist.p.push_back((a + 1.0) / (A * (A + 1) / 2.0));
    Rng rng(1, 0);
    l->q.resize(n * A);
    for (size_t i = 0; i < n; ++i) {
      const int a = static_cast<int>(rng.uniform_int(A));
      l->data.action.push_back(a);
      l->data.position.push_back(static_cast<int32_t>(rng.uniform_int(L)));
      l->data.pscore.push_back(1.0 / A);
      l->data.reward.push_back(rng.bernoulli(0.05 + 0.01 * a) ? 1.0 : 0.0);
      for (int k = 0; k < A; ++k) l->q[i * A + k] = 0.05 + 0.01 * k;
    }
    return l;
  }();
  return *log;
}

void BM_PrepareInputs(benchmark::State& state) {
  const Log& l = synthetic_log();
  for (auto _ : state) {
    RoundInputs in = prepare_inputs(l.data, l.dist, &l.q);
    benchmark::DoNotOptimize(in.w.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(l.data.size()));
  state.counters["rounds/s"] = benchmark::Counter(static_cast<double>(l.data.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PrepareInputs)->Unit(benchmark::kMillisecond);

void BM_Estimator(benchmark::State& state, const char* name) {
  const Log& l = synthetic_log();
  static const RoundInputs in = prepare_inputs(l.data, l.dist, &l.q);
  const EstimatorEntry& e = find_estimator(name);
  for (auto _ : state) {
    const Terms t = e.terms(in, {});
    benchmark::DoNotOptimize(t.value());
  }
  state.counters["rounds/s"] = benchmark::Counter(static_cast<double>(in.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_Estimator, ipw, "ipw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, clipped_ipw, "clipped_ipw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, snipw, "snipw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, dm, "dm")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, dr, "dr")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, sndr, "sndr")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, switch_dr, "switch_dr")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Estimator, dr_os, "dr_os")->Unit(benchmark::kMillisecond);

// One bootstrap resample of DR's terms (the per-resample cost of the CI).
void BM_BootstrapResample(benchmark::State& state) {
  const Log& l = synthetic_log();
  const Terms t = find_estimator("dr").terms(prepare_inputs(l.data, l.dist, &l.q), {});
  uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(bootstrap_estimate(t, "dr", 1, seed++).estimate);
  state.counters["rounds/s"] = benchmark::Counter(static_cast<double>(t.a.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BootstrapResample)->Unit(benchmark::kMillisecond);

}  // namespace
