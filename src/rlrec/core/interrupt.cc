#include "rlrec/core/interrupt.h"

#include <atomic>

namespace rlrec {
namespace {
// Lock-free (checked below), hence safe to store from a signal handler.
std::atomic<bool> interrupt_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free);
}  // namespace

void request_interrupt() noexcept { interrupt_flag.store(true, std::memory_order_relaxed); }
void clear_interrupt() noexcept { interrupt_flag.store(false, std::memory_order_relaxed); }
bool interrupt_requested() noexcept { return interrupt_flag.load(std::memory_order_relaxed); }
void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted();
}

}  // namespace rlrec
