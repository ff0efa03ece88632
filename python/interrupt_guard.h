// Ctrl-C during a long library call from Python (both extensions, _rlrec and _rlrec_agents).
//
// Python runs its signal handlers only between bytecodes, so while the main thread is inside a
// long C++ call a SIGINT would wait until the call returns. interruptible(fn) runs fn with the GIL
// released and, on the main thread, SIGINT handled by a C handler that sets the library's
// interrupt flag (core/interrupt.h request_interrupt, async-signal-safe); the library polls it
// (every VectorEnv step, MF epoch, bootstrap resample) and unwinds with rlrec::Interrupted, which
// becomes KeyboardInterrupt. Python's own handler is restored before returning; a SIGINT that
// arrives after the last poll still raises KeyboardInterrupt when the call returns. Off the main
// thread (where Python never handles signals) fn simply runs.
#pragma once

#include <pybind11/pybind11.h>
#include <signal.h>

#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>

#include "rlrec/core/error.h"
#include "rlrec/core/interrupt.h"

namespace rlrec::python {
namespace py = pybind11;

// An error message as a Python str: UTF-8, with the bytes of a name that is not UTF-8 (a path)
// shown as \xNN escapes instead of failing to convert.
inline py::str message(const char* what) {
  return py::reinterpret_steal<py::str>(
      PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace"));
}

// Both extensions' exception translation: an rlrec::Error becomes the Python class of its code
// (python/rlrec/errors.py hands the classes over through `_set_error_classes`; RuntimeError before
// that) with the same one-line message, rlrec::Interrupted becomes KeyboardInterrupt. Each
// extension is its own shared object (hidden visibility), so each keeps its own class table.
inline void add_error_translation(py::module_& m) {
  // Leaked on purpose: no Python object may be destroyed after the interpreter is finalized.
  static py::dict* classes = nullptr;
  m.def("_set_error_classes", [](py::dict c) {
    if (!classes) classes = new py::dict();
    *classes = std::move(c);
  });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const char* code = error_code_name(e.code());
      PyObject* cls =
          classes && classes->contains(code) ? (*classes)[code].ptr() : PyExc_RuntimeError;
      PyErr_SetObject(cls, message(e.what()).ptr());
    } catch (const Interrupted&) {
      PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });
}

inline void on_sigint(int /*sig*/) { request_interrupt(); }

inline bool on_python_main_thread() {
  // Leaked on purpose: a static py::object would be destroyed after the interpreter is finalized.
  static const py::object& threading = *new py::object(py::module_::import("threading"));
  return threading.attr("current_thread")().is(threading.attr("main_thread")());
}

class SigintGuard {
 public:
  SigintGuard() : active_(on_python_main_thread()) {
    if (!active_) return;
    // A Ctrl-C that Python's handler caught before this call raises now, not after it.
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    clear_interrupt();
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_);
  }
  ~SigintGuard() {
    if (!active_) return;
    sigaction(SIGINT, &old_, nullptr);
    clear_interrupt();
  }
  bool active() const { return active_; }
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  bool active_;
  struct sigaction old_ {};
};

[[noreturn]] inline void raise_keyboard_interrupt() {
  PyErr_SetNone(PyExc_KeyboardInterrupt);
  throw py::error_already_set();
}

// fn() with the GIL released, Ctrl-C raising KeyboardInterrupt (above). Call with the GIL held.
template <class F>
auto interruptible(F&& fn) -> decltype(fn()) {
  SigintGuard guard;
  bool interrupted = false;
  if constexpr (std::is_void_v<decltype(fn())>) {
    try {
      py::gil_scoped_release release;
      fn();
    } catch (const Interrupted&) {
      interrupted = true;
    }
    if (interrupted || (guard.active() && interrupt_requested())) raise_keyboard_interrupt();
  } else {
    std::optional<decltype(fn())> out;
    try {
      py::gil_scoped_release release;
      out.emplace(fn());
    } catch (const Interrupted&) {
      interrupted = true;
    }
    if (interrupted || (guard.active() && interrupt_requested())) raise_keyboard_interrupt();
    return std::move(*out);
  }
}

}  // namespace rlrec::python
