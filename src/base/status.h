// Status: a one-word result code. Messages live in an ErrorReporter owned by
// the handle that failed, so that creating an error never allocates (the
// microcontroller runtime shares this header and the op Prepare code).
#pragma once

#include <cstdarg>
#include <cstddef>

namespace ember {

// Values are part of the C ABI (include/ember/ember.h mirrors them).
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // caller passed something wrong (shape, index, ...)
  kInvalidModel = 2,     // the model file is malformed or inconsistent
  kUnsupported = 3,      // valid model, but an op/type Ember does not run
  kNotFound = 4,         // missing file, signature, tensor name
  kOutOfMemory = 5,
  kFailedPrecondition = 6,  // API misuse: invoke before allocate, ...
  kIoError = 7,
  kInternal = 8,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  constexpr Status() : code_(StatusCode::kOk) {}
  constexpr explicit Status(StatusCode code) : code_(code) {}
  static constexpr Status Ok() { return Status(); }
  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  void IgnoreError() const {}

 private:
  StatusCode code_;
};

// Fixed-size message buffer: the last error of one handle.
class ErrorReporter {
 public:
  static constexpr size_t kCapacity = 512;
  ErrorReporter() { message_[0] = '\0'; }

  // Formats the message (printf style) and returns a Status with `code`.
  Status Report(StatusCode code, const char* format, ...)
      __attribute__((format(printf, 3, 4)));
  Status ReportV(StatusCode code, const char* format, va_list args);
  // Puts `prefix` in front of the current message (adds context on the way
  // up, e.g. "subgraph 0, op #3 CONV_2D: ").
  void Prefix(const char* format, ...) __attribute__((format(printf, 2, 3)));
  const char* message() const { return message_; }
  void Clear() { message_[0] = '\0'; }

 private:
  char message_[kCapacity];
};

}  // namespace ember

#define EMBER_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::ember::Status ember_status_ = (expr);        \
    if (!ember_status_.ok()) return ember_status_; \
  } while (0)
