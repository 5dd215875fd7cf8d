#include "base/status.h"

#include <cstdio>
#include <cstring>

namespace ember {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kInvalidModel:
      return "invalid model";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kOutOfMemory:
      return "out of memory";
    case StatusCode::kFailedPrecondition:
      return "failed precondition";
    case StatusCode::kIoError:
      return "i/o error";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

Status ErrorReporter::ReportV(StatusCode code, const char* format,
                              va_list args) {
  vsnprintf(message_, kCapacity, format, args);
  return Status(code);
}

Status ErrorReporter::Report(StatusCode code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  Status status = ReportV(code, format, args);
  va_end(args);
  return status;
}

void ErrorReporter::Prefix(const char* format, ...) {
  char prefix[kCapacity];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(prefix, kCapacity, format, args);
  va_end(args);
  if (n <= 0) return;
  // Keep as much of the original message as fits after the prefix.
  char joined[2 * kCapacity];
  memcpy(joined, prefix,
         static_cast<size_t>(n) < kCapacity ? n : kCapacity - 1);
  const size_t used = static_cast<size_t>(n) < kCapacity ? n : kCapacity - 1;
  memcpy(joined + used, message_, strlen(message_) + 1);
  joined[kCapacity - 1] = '\0';
  memcpy(message_, joined, kCapacity);
}

}  // namespace ember
