#include "rlrec/agents/episode_store.h"

#include <utility>

namespace rlrec::agents {

void LogEventIndex::extend(const logs::LogData& d, int64_t from, double gamma, int64_t H) {
  ret.resize(d.size);
  click_rank.resize(d.size);
  ep_click0.resize(d.size);
  int64_t clicks = from > 0 ? click_rank[from - 1] + (d.choice[from - 1] >= 0) : 0;
  int64_t ep_start = from;
  for (int64_t i = from; i < d.size; ++i) {
    if (d.step[i] == 0) ep_start = i;
    click_rank[i] = clicks;
    ep_click0[i] = click_rank[ep_start];
    if (d.choice[i] >= 0) {
      clicked.push_back(i);
      ++clicks;
    }
    const bool last = d.terminated[i] || d.truncated[i] || i + 1 == d.size;
    if (!last) continue;
    // The returns of the finished episode [ep_start, i].
    if (H == 0) {
      double g = 0;
      for (int64_t j = i; j >= ep_start; --j)
        ret[j] = static_cast<float>(g = d.reward[j] + gamma * g);
    } else {
      for (int64_t j = ep_start; j <= i; ++j) {
        double g = 0, disc = 1;
        for (int64_t t = j; t <= i && t < j + H; ++t, disc *= gamma) g += disc * d.reward[t];
        ret[j] = static_cast<float>(g);
      }
    }
  }
}

void EpisodeStore::append_episode(std::vector<logs::LogRecord>& episode) {
  const int64_t first = data_.size;
  for (auto& rec : episode) {
    rec.episode = next_episode_;
    logs::append(data_, rec);
  }
  ++next_episode_;
  episode.clear();
  index_.extend(data_, first, gamma_, horizon_);
  if (data_.size > capacity_ + capacity_ / 2) trim();
}

void EpisodeStore::trim() {
  // Keep the most recent whole episodes totalling at most `capacity` events.
  int64_t first = data_.size - capacity_;
  while (first < data_.size && data_.step[first] != 0) ++first;
  logs::LogData kept;
  kept.header = data_.header;
  for (int64_t i = first; i < data_.size; ++i) logs::append(kept, logs::record_at(data_, i));
  data_ = std::move(kept);
  index_.clear();
  index_.extend(data_, 0, gamma_, horizon_);
}

void EpisodeStore::save(const std::string& path) const {
  logs::LogWriter w(path, data_.header);
  for (int64_t i = 0; i < data_.size; ++i) w.write(logs::record_at(data_, i));
  w.close();
}

void EpisodeStore::load(const std::string& path, const sim::Environment& env) {
  logs::LogData s = logs::read_log(path);
  logs::check_compatible(s.header, env, path);
  data_ = std::move(s);
  index_.clear();
  index_.extend(data_, 0, gamma_, horizon_);
  next_episode_ = data_.size ? data_.episode.back() + 1 : 0;
}

}  // namespace rlrec::agents
