// Downloads over HTTP(S) (or file://) with libcurl, from any static server
// or CDN: nothing on the server side is Ember's. Interrupted downloads
// resume with a Range request from the bytes already on disk; a server
// that ignores the range restarts the file. A server that stalls (no byte
// for `stall_seconds`) or errs (HTTP >= 400) fails the fetch, naming why.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"

namespace ember::update {

struct FetchOptions {
  long connect_timeout_seconds = 10;
  long stall_seconds = 10;         // less than 1 byte/s for this long: give up
  long total_timeout_seconds = 0;  // 0: none
  uint64_t max_bytes = 0;          // the whole resource; 0: no limit
  // Called after each chunk lands on disk with the file's size so far
  // (the fault-injection hooks use it).
  std::function<void(uint64_t)> on_progress;
};

// Whether this build can fetch (libcurl found at configure time).
bool FetchSupported();

// Fetches a small resource into memory (manifests; at most max_bytes).
Status FetchToMemory(const std::string& url, const FetchOptions& options,
                     ErrorReporter& errors, std::string* body);

// Fetches `url` into `path`, appending to what `path` already holds (a
// Range request); fsyncs the file. On failure the partial file stays for
// the next attempt to resume.
Status FetchToFile(const std::string& url, const std::string& path,
                   const FetchOptions& options, ErrorReporter& errors);

// `base` is a URL to a file ("http://h/b/manifest.json"); the sibling
// `name` in the same folder ("http://h/b/model.tflite").
std::string SiblingUrl(const std::string& base, const std::string& name);

}  // namespace ember::update
