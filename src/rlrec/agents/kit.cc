#include "rlrec/agents/kit.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rlrec/agents/replay.h"
#include "rlrec/core/error.h"
#include "rlrec/core/manifest.h"

namespace rlrec::agents {
Checkpoint& Checkpoint::part(std::string file, Writer save, Reader load) {
  for (const auto& p : parts_) RLREC_CHECK(p.file != file, "checkpoint part listed twice: ", file);
  RLREC_CHECK(file != "meta.toml" && file != "manifest.json", "reserved checkpoint file ", file);
  parts_.push_back({std::move(file), std::move(save), std::move(load)});
  return *this;
}

Checkpoint& Checkpoint::replay(std::string file, ReplayBuffer& r) {
  return part(
      std::move(file), [&r](const std::string& p) { r.save(p); },
      [&r](const std::string& p) { r.load(p); });
}

Checkpoint& Checkpoint::priorities(std::string file, PrioritizedSampler& s) {
  return part(
      std::move(file), [&s](const std::string& p) { s.save(p); },
      [&s](const std::string& p) { s.load(p); });
}

Checkpoint& Checkpoint::counters(std::string file, Rng& rng, int64_t& env_steps, int64_t& updates) {
  auto save = [&rng, &env_steps, &updates](const std::string& path) {
    std::ofstream os(path, std::ios::binary);
    const auto st = rng.state();
    os.write(reinterpret_cast<const char*>(st.data()), sizeof(uint64_t) * st.size());
    os.write(reinterpret_cast<const char*>(&env_steps), sizeof env_steps);
    os.write(reinterpret_cast<const char*>(&updates), sizeof updates);
    if (!os) throw_error(ErrorCode::kIo, "cannot write '", path, "'");
  };
  auto load = [&rng, &env_steps, &updates](const std::string& path) {
    std::ifstream is(path, std::ios::binary);
    std::array<uint64_t, 5> st;
    int64_t steps = 0, ups = 0;
    is.read(reinterpret_cast<char*>(st.data()), sizeof(uint64_t) * st.size());
    is.read(reinterpret_cast<char*>(&steps), sizeof steps);
    is.read(reinterpret_cast<char*>(&ups), sizeof ups);
    if (!is) throw_error(ErrorCode::kCorrupt, path, ": missing or truncated");
    rng.set_state(st);
    env_steps = steps;
    updates = ups;
  };
  return part(std::move(file), save, load);
}

Checkpoint& Checkpoint::after_load(std::function<void()> f) {
  after_load_.push_back(std::move(f));
  return *this;
}

std::vector<std::string> Checkpoint::files() const {
  std::vector<std::string> out{"meta.toml"};
  for (const auto& p : parts_) out.push_back(p.file);
  out.push_back("manifest.json");
  return out;
}

void Checkpoint::save(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  const CheckpointMeta meta = meta_();
  write_checkpoint_meta(dir + "/meta.toml", meta);
  std::vector<std::string> files;
  for (const auto& p : parts_) {
    p.save(dir + "/" + p.file);
    files.push_back(p.file);
  }
  write_manifest(dir, kFormat, {"agent", meta.agent}, files);
}

void Checkpoint::load(const std::string& dir) const {
  check_checkpoint_meta(dir + "/meta.toml", meta_());
  std::vector<std::string> want;
  for (const auto& p : parts_) want.push_back(p.file);
  verify_manifest(dir, kFormat, {"agent", ""}, want, "checkpoint");
  for (const auto& p : parts_) p.load(dir + "/" + p.file);
  for (const auto& f : after_load_) f();
}

}  // namespace rlrec::agents
