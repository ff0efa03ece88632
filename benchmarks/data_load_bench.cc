// Loader throughput on generated MovieLens-like files (ratings.csv, u.data, ratings.dat shapes).
// Target: > 5M rows/s for ml-csv on one core (MovieLens 20M's 20M rows in < 4 s).
// Run: build/release/benchmarks/data_load_bench [--benchmark_filter=Csv]
// The files (2M rows each, ~45 MB by default) are written once to the temp directory and removed at
// exit.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "rlrec/core/rng.h"
#include "rlrec/data/loaders.h"
#include "rlrec/data/splits.h"

namespace {

// Rows per generated file: RLREC_BENCH_ROWS (default 2M; 20000263 reproduces MovieLens 20M's size).
size_t rows() {
  static const size_t n = [] {
    const char* env = std::getenv("RLREC_BENCH_ROWS");
    return env ? static_cast<size_t>(std::strtoull(env, nullptr, 10)) : size_t{2'000'000};
  }();
  return n;
}

// MovieLens 20M's proportions: 138,493 users and 26,744 rated items for 20,000,263 ratings; users
// scale with the row count (each rates ~144 items), items do not. Half-star ratings, 2000s-era
// timestamps, rows in random order (ratings.csv is sorted by user, which only helps the caches).
std::string make_file(const std::string& name, rlrec::data::Format format) {
  static const std::filesystem::path dir = [] {
    auto p =
        std::filesystem::temp_directory_path() / ("rlrec_data_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    std::atexit([] {
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                  ("rlrec_data_bench_" + std::to_string(::getpid())));
    });
    return p;
  }();
  const std::string path = (dir / name).string();
  if (std::filesystem::exists(path)) return path;
  rlrec::Rng rng(1, rlrec::hash_name(name.c_str()));
  std::ofstream out(path, std::ios::binary);
  std::string line;
  if (format == rlrec::data::Format::kMovieLensCsv) out << "userId,movieId,rating,timestamp\n";
  const char* sep = format == rlrec::data::Format::kMovieLens100K ? "\t"
                    : format == rlrec::data::Format::kMovieLens1M ? "::"
                                                                  : ",";
  const uint64_t users = std::max<uint64_t>(1, rows() * 138493 / 20000263), items = 26744;
  for (size_t r = 0; r < rows(); ++r) {
    const uint64_t user = 1 + rng.uniform_int(users);
    const uint64_t item = 1 + rng.uniform_int(items);
    const uint64_t half_stars = 1 + rng.uniform_int(10);
    const uint64_t ts = 1000000000 + rng.uniform_int(500000000);
    line.clear();
    line += std::to_string(user);
    line += sep;
    line += std::to_string(item);
    line += sep;
    if (format == rlrec::data::Format::kMovieLensCsv) {
      line += std::to_string(half_stars / 2) + (half_stars % 2 ? ".5" : ".0");
    } else {
      line += std::to_string(1 + half_stars / 2 - (half_stars == 10 ? 1 : 0));
    }
    line += sep;
    line += std::to_string(ts);
    line += '\n';
    out << line;
  }
  return path;
}

void load(benchmark::State& state, const std::string& path) {
  size_t bytes = std::filesystem::file_size(path);
  for (auto _ : state) {
    rlrec::data::InteractionLog log = rlrec::data::load_interactions(path);
    benchmark::DoNotOptimize(log.user.data());
    if (log.size() != rows()) state.SkipWithError("wrong row count");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_LoadMovieLensCsv(benchmark::State& state) {
  load(state, make_file("ratings.csv", rlrec::data::Format::kMovieLensCsv));
}
void BM_LoadMovieLens100KFormat(benchmark::State& state) {
  load(state, make_file("u.data", rlrec::data::Format::kMovieLens100K));
}
void BM_LoadMovieLens1MFormat(benchmark::State& state) {
  load(state, make_file("ratings.dat", rlrec::data::Format::kMovieLens1M));
}

void BM_LeaveOneOut(benchmark::State& state) {
  const rlrec::data::InteractionLog log =
      rlrec::data::load_interactions(make_file("ratings.csv", rlrec::data::Format::kMovieLensCsv));
  for (auto _ : state) {
    rlrec::data::Split s = rlrec::data::leave_one_out(log);
    benchmark::DoNotOptimize(s.test.user.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * log.size()));
}

BENCHMARK(BM_LoadMovieLensCsv)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LoadMovieLens100KFormat)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LoadMovieLens1MFormat)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LeaveOneOut)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
