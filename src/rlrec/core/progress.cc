#include "rlrec/core/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "rlrec/core/stopwatch.h"

namespace rlrec {

bool Progress::enabled() {
  return isatty(STDERR_FILENO) && std::getenv("RLREC_NO_PROGRESS") == nullptr;
}

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)), total_(total), active_(!label_.empty() && enabled()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::advance(uint64_t n) { set(done_ + n); }

void Progress::set(uint64_t done) {
  done_ = done;
  if (done_ > total_) total_ = done_;
  if (!active_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ >= std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (active_) {
    draw(true);
    std::fputc('\n', stderr);
  }
}

void Progress::clear() {
  if (!active_ || finished_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  last_draw_ = {};  // redraw at the next set()
}

void Progress::draw(bool final) {
  const int width = 30;
  double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (frac > 1) frac = 1;
  int filled = static_cast<int>(frac * width);
  double secs = seconds_since(start_);
  double eta = (frac > 0 && !final) ? secs * (1 - frac) / frac : 0;
  std::fprintf(stderr, "\r%s [", label_.c_str());
  for (int i = 0; i < width; ++i) std::fputc(i < filled ? '#' : '.', stderr);
  std::fprintf(stderr, "] %3.0f%% %llu/%llu  %.1fs elapsed, eta %.1fs  ", frac * 100,
               static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_),
               secs, eta);
  std::fflush(stderr);
}

}  // namespace rlrec
