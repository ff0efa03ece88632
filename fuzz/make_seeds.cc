// Writes the binary seed inputs of fuzz/corpus/ (log, mf_model, index) with rlrec's own writers,
// in the form each fuzz target reads them (fuzz/*_fuzz.cc). Deterministic; the committed seeds
// were made with it (docs/reliability.md):
//   build/release/fuzz/rlrec_fuzz_make_seeds fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "rlrec/index/index.h"
#include "rlrec/logs/log.h"
#include "rlrec/models/mf_model.h"

namespace {

namespace fs = std::filesystem;
using namespace rlrec;

std::string read_file(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(is), std::istreambuf_iterator<char>()};
}

// Log seeds: byte 0 (bit 0: the harness fixes checksums), then the file.
void write_log(const std::string& out, const std::string& name, uint32_t version, bool ids,
               bool features, char mode) {
  logs::LogHeader h;
  h.format_version = version;
  h.env = "interest_evolution";
  h.policy = "random";
  h.env_seed = 11;
  h.policy_seed = 12;
  h.catalogue_fingerprint = features ? 0 : 0x1234abcdULL;
  h.num_candidates = 4;
  h.slate_size = 2;
  h.user_dim = 2;
  h.item_dim = 3;
  h.response_fields = {"click", "watch_time"};
  h.has_candidate_ids = ids;
  h.has_candidate_features = features;
  h.env_config = "[env]\nname = \"interest_evolution\"\nnum_candidates = 4\nslate_size = 2\n";
  const std::string path = fuzz::scratch_dir() + "/seed.rlog";
  fs::remove(path);
  {
    logs::LogWriter w(path, h, true);
    for (uint64_t e = 0; e < 2; ++e) {
      for (int32_t s = 0; s < 2; ++s) {
        logs::LogRecord r;
        r.episode = e;
        r.step = s;
        r.user = {0.25f * static_cast<float>(e), -1.5f};
        if (ids) r.candidate_ids = {3, 7, 1, static_cast<int64_t>(9 + s)};
        if (features)
          for (int i = 0; i < 12; ++i)
            r.candidate_features.push_back(0.125f * static_cast<float>(i + s));
        r.slate = {s, 3};
        r.responses = {s == 1 ? 1.0f : 0.0f, 2.5f, 0.0f, 0.0f};
        r.choice = s == 1 ? 0 : -1;
        r.reward = s == 1 ? 2.5 : 0.0;
        r.terminated = s == 1 && e == 0;
        r.truncated = s == 1 && e == 1;
        r.slate_propensity = e == 0 ? 1.0 / 12 : -1;
        r.marginal = {0.25, 0.25};
        r.inclusion = {0.5, -1};
        r.conditional = {0.25, 1.0 / 3};
        w.write(r);
      }
    }
    w.close();
  }
  std::string bytes(1, mode);
  bytes += read_file(path);
  fuzz::write_file(out + "/log/" + name, bytes);
}

// MF seeds: the model directory's files joined by "@@@@" (mf_model_fuzz.cc's order).
void write_mf(const std::string& out, const std::string& name, const models::MfModel& m) {
  const std::string dir = fuzz::scratch_dir() + "/seed-model";
  fs::remove_all(dir);
  m.save(dir);
  static const char* kFiles[] = {"mf_model.txt",     "user_ids.txt",     "item_ids.txt",
                                 "user_factors.f32", "item_factors.f32", "user_bias.f32",
                                 "item_bias.f32",    "config.toml"};
  std::vector<std::string> parts;
  for (const char* f : kFiles) parts.push_back(read_file(dir + "/" + f));
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "@@@@" : "") + parts[i];
  fuzz::write_file(out + "/mf_model/" + name, joined);
}

models::MfModel small_model(const std::string& kind, bool user_bias, bool item_bias) {
  models::MfModel m;
  m.kind = kind;
  for (const char* u : {"u1", "u2", "007"}) m.users.add(u);
  for (const char* i : {"i1", "i2"}) m.items.add(i);
  m.user_factors = Matrix<float>(3, 2);
  m.item_factors = Matrix<float>(2, 2);
  for (size_t i = 0; i < 6; ++i) m.user_factors.storage()[i] = 0.1f * static_cast<float>(i);
  for (size_t i = 0; i < 4; ++i) m.item_factors.storage()[i] = -0.2f * static_cast<float>(i);
  if (user_bias) m.user_bias = {0.5f, -0.5f, 0.0f};
  if (item_bias) m.item_bias = {1.0f, -1.0f};
  m.global_bias = user_bias ? 3.5f : 0.0f;
  m.clip = user_bias;
  m.min_rating = user_bias ? 1.0f : 0.0f;
  m.max_rating = user_bias ? 5.0f : 0.0f;
  if (kind == "als") m.config_toml = "[mf]\nname = \"als\"\nfactors = 2\n";
  return m;
}

// Index seeds: the file without its 8-byte checksum trailer (index_fuzz.cc appends it).
void write_index(const std::string& out, const std::string& name, const std::string& kind,
                 const std::string& metric) {
  Matrix<float> v(6, 3);
  for (size_t i = 0; i < 18; ++i)
    v.storage()[i] = static_cast<float>((i * 7) % 5) - 2.0f + 0.1f * static_cast<float>(i);
  const std::vector<int64_t> ids = {10, 11, 12, 20, 21, 30};
  index::IndexConfig cfg;
  cfg.metric = metric;
  cfg.M = 4;
  cfg.ef_construction = 16;
  const auto idx = index::build_index(kind, v.view(), ids, cfg);
  const std::string path = fuzz::scratch_dir() + "/seed.idx";
  fs::remove(path);
  idx->save(path);
  const std::string bytes = read_file(path);
  fuzz::write_file(out + "/index/" + name, bytes.substr(0, bytes.size() - 8));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (e.g. fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  try {
    for (const char* d : {"log", "mf_model", "index"}) fs::create_directories(out + "/" + d);
    write_log(out, "v2_fresh_items.bin", 2, true, true, 1);
    write_log(out, "v2_fixed_corpus.bin", 2, false, false, 1);
    write_log(out, "v2_ids_only_raw.bin", 2, true, false, 0);
    write_log(out, "v1_fresh_items.bin", 1, true, true, 1);
    write_mf(out, "biased_sgd.bin", small_model("biased_sgd", true, true));
    write_mf(out, "als_config.bin", small_model("als", false, false));
    write_mf(out, "bpr_item_bias.bin", small_model("bpr", false, true));
    write_index(out, "exact_ip.bin", "exact", "ip");
    write_index(out, "exact_l2.bin", "exact", "l2");
    write_index(out, "hnsw_ip.bin", "hnsw", "ip");
    write_index(out, "hnsw_l2.bin", "hnsw", "l2");
  } catch (const Error& e) {
    std::fprintf(stderr, "make_seeds: %s\n", e.what());
    return 1;
  }
  std::printf("make_seeds: wrote the log, mf_model and index seeds under %s\n", out.c_str());
  return 0;
}
