// `rlrec index bench`: build an index over synthetic item vectors and report build time,
// queries/s, latency and recall@k against exact search (src/rlrec/experiment/index_experiment.h).
// This file only maps flags to the options, calls the experiment and prints its result.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/key_flags.h"
#include "rlrec/core/registry.h"
#include "rlrec/experiment/index_experiment.h"

namespace rlrec::cli {

namespace {

using namespace experiment;

struct BenchFlags {
  IndexBenchOptions opt;
  bool json = false, force = false;
  ConfigFlags config;
  std::unique_ptr<KeyFlags<IndexBenchOptions>> keys;
};

void print_bench(const IndexBenchResult& r) {
  const IndexBenchOptions& o = r.options;
  std::printf(
      "%s index, %lld x %lld %s, %s, %lld queries, k = %lld, %s\n", r.kind.c_str(),
      static_cast<long long>(o.items), static_cast<long long>(o.dim), r.metric.c_str(),
      o.clusters > 0 ? (std::to_string(o.clusters) + " clusters").c_str() : "plain Gaussian",
      static_cast<long long>(o.queries), static_cast<long long>(o.k),
      r.batch == 1 ? "one query per call"
                   : (std::to_string(r.batch) + " queries per call").c_str());
  if (o.load.empty())
    std::printf("build: %.3f s (%d thread%s, %.3f s CPU); ", r.build_seconds, o.threads,
                o.threads == 1 ? "" : "s", r.build_cpu_seconds);
  else
    std::printf("loaded %s in %.3f s; ", o.load.c_str(), r.load_seconds);
  std::printf("search: %d thread%s\n\n", o.search_threads, o.search_threads == 1 ? "" : "s");
  std::vector<std::string> header = {"queries/s", "q/CPU-s", "recall@k", "p50 us", "p99 us"};
  if (r.hnsw) header.insert(header.begin(), "ef_search");
  Table t(header);
  for (const auto& run : r.runs) {
    std::vector<std::string> row;
    if (r.hnsw) row.push_back(std::to_string(run.ef_search));
    row.insert(row.end(), {fmt(run.qps, 0), fmt(run.qps_cpu, 0), fmt(run.recall, 4),
                           fmt(run.p50_us, 1), fmt(run.p99_us, 1)});
    t.add_row(row);
  }
  std::printf("%s", t.to_string().c_str());
}

}  // namespace

void add_index_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("index", std::string(command_description("index")));
  cmd->require_subcommand(1, 1);
  auto* bench = cmd->add_subcommand(
      "bench",
      "Build an index over synthetic item vectors; report build seconds, queries/s and recall@k "
      "against exact search.\nExperiment file (positional or --config) and --set index.KEY=VALUE: "
      "the "
      "[index] section holds the keys shown after each flag; flags given win over the file.");
  auto f = std::make_shared<BenchFlags>();
  IndexBenchOptions& o = f->opt;
  f->keys = std::make_unique<KeyFlags<IndexBenchOptions>>(bench, "index", o);
  KeyFlags<IndexBenchOptions>& kf = *f->keys;
  const std::string kinds = join(registry_names(index::index_kinds()), "|");
  kf.add("--items", "items", o.items, "catalogue size")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  kf.add("--dim", "dim", o.dim, "vector dimension")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  kf.add("--queries", "queries", o.queries, "number of queries")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  kf.add("--k", "k", o.k, "neighbours per query")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32))
      ->capture_default_str();
  kf.add("--kind", "kind", o.kind, "index kind: " + kinds)->capture_default_str();
  kf.add("--metric", "metric", o.metric, "similarity: ip|l2")->capture_default_str();
  kf.add("--clusters", "clusters", o.clusters,
         "clusters of unit vectors (resembles item embeddings); 0 = plain Gaussian vectors (the "
         "hard case)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 31))
      ->capture_default_str();
  kf.add("--spread", "spread", o.spread, "within-cluster noise norm around each unit centre")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  kf.add("--seed", "seed", o.seed, "seed of the synthetic vectors")->capture_default_str();
  kf.add("--M", "M", o.M, "HNSW: links per node")->capture_default_str();
  kf.add("--ef-construction", "ef_construction", o.ef_construction,
         "HNSW: build candidate list size")
      ->capture_default_str();
  kf.add("--ef-search", "ef_search", o.ef_search,
         "HNSW: search candidate list size; a comma-separated list measures each")
      ->delimiter(',')
      ->capture_default_str();
  kf.add("--threads", "threads", o.threads, "threads for the build (0 = all cores)")
      ->capture_default_str();
  kf.add("--search-threads", "search_threads", o.search_threads,
         "threads for one search call (matters with --batch; 0 = all cores)")
      ->capture_default_str();
  kf.add("--batch", "batch", o.batch, "queries per search call (0 = one query per call)")
      ->capture_default_str();
  kf.add("--save", "save", o.save, "write the built index to this file");
  kf.add("--load", "load", o.load,
         "search a saved index instead of building one (it must have been built for the same "
         "--items/--dim/--clusters/--spread/--seed)");
  bench->add_flag("--force", f->force,
                  "--save may replace an existing regular file that is not an rlrec index (an "
                  "index file is replaced without it; never a directory, device, fifo or socket)");
  bench->add_flag("--json", f->json,
                  "print one JSON object (keys build_seconds, qps, recall, ...)");
  f->config.add_to(*bench);
  bench->callback([f] {
    const Config cfg = f->config.load();
    check_sections(cfg, {"index"}, "index bench");
    IndexBenchOptions o = f->keys->options(cfg);
    o.force = f->force;
    const IndexBenchResult r = run_index_bench(o);
    if (f->json)
      print_json(to_json(r));
    else
      print_bench(r);
  });
}

}  // namespace rlrec::cli
