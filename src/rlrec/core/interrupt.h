// Cooperative interruption of long library calls (the Python package's Ctrl-C).
//
// A caller that wants a long call (training, a comparison, an evaluation, an MF fit, bootstrap
// resampling) to stop early sets the process-wide flag with request_interrupt(), which is
// async-signal-safe (a SIGINT handler may call it), from any thread. The library polls the flag at
// points that come often but cost nothing measurable (every VectorEnv step, every MF epoch, every
// bootstrap resample) with throw_if_interrupted(), which throws rlrec::Interrupted; the stack
// unwinds as for any exception (locks released, temporary files removed, no output committed).
// The caller clears the flag (clear_interrupt()) before the next call.
//
// The CLI never sets the flag (its SIGINT handler, core/output.h install_cleanup_handlers, removes
// temporaries and dies of the signal), so polling changes nothing there, and no number.
#pragma once

#include <exception>

namespace rlrec {

// Not an rlrec::Error: a request to stop, not a failure, so no handler that reports errors
// (catch (const Error&)) turns it into one.
class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted"; }
};

void request_interrupt() noexcept;  // async-signal-safe
void clear_interrupt() noexcept;
bool interrupt_requested() noexcept;
// Throws Interrupted when the flag is set.
void throw_if_interrupted();

}  // namespace rlrec
