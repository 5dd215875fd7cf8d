#include "update/fetch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#if EMBER_UPDATE_CURL
#include <curl/curl.h>
#endif

namespace ember::update {

std::string SiblingUrl(const std::string& base, const std::string& name) {
  const size_t query = base.find_first_of("?#");
  const std::string path = base.substr(0, query);
  const size_t slash = path.rfind('/');
  return (slash == std::string::npos ? std::string()
                                     : path.substr(0, slash + 1)) +
         name;
}

#if !EMBER_UPDATE_CURL

bool FetchSupported() { return false; }

static Status NoCurl(ErrorReporter& errors) {
  return errors.Report(StatusCode::kUnsupported,
                       "built without libcurl: updates cannot be downloaded");
}
Status FetchToMemory(const std::string&, const FetchOptions&,
                     ErrorReporter& errors, std::string*) {
  return NoCurl(errors);
}
Status FetchToFile(const std::string&, const std::string&, const FetchOptions&,
                   ErrorReporter& errors) {
  return NoCurl(errors);
}

#else

bool FetchSupported() { return true; }

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  // Memory or file.
  std::string* memory = nullptr;
  int fd = -1;
  uint64_t offset = 0;  // bytes already present before this transfer
  uint64_t received = 0;
  uint64_t max_bytes = 0;
  bool restart_checked = false;
  bool over_limit = false;
  int write_errno = 0;
  long status = 0;  // HTTP status of the response being written
  CURL* curl = nullptr;
  const FetchOptions* options = nullptr;
};

size_t OnData(char* data, size_t one, size_t n, void* user) {
  Sink* sink = static_cast<Sink*>(user);
  const size_t size = one * n;
  if (!sink->restart_checked) {
    sink->restart_checked = true;
    long code = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &code);
    sink->status = code;
    // Asked for a range but got the whole resource: start over.
    if (sink->offset > 0 && code == 200 && sink->fd >= 0) {
      if (ftruncate(sink->fd, 0) != 0 || lseek(sink->fd, 0, SEEK_SET) != 0) {
        sink->write_errno = errno;
        return 0;
      }
      sink->offset = 0;
    }
    if (code >= 400) return size;  // error body: discarded, status reported
  }
  if (sink->status >= 400) return size;
  if (sink->max_bytes > 0 &&
      sink->offset + sink->received + size > sink->max_bytes) {
    sink->over_limit = true;
    return 0;
  }
  if (sink->memory != nullptr) {
    sink->memory->append(data, size);
  } else {
    size_t done = 0;
    while (done < size) {
      const ssize_t w = write(sink->fd, data + done, size - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        sink->write_errno = w < 0 ? errno : ENOSPC;
        return 0;
      }
      done += static_cast<size_t>(w);
    }
  }
  sink->received += size;
  if (sink->options->on_progress)
    sink->options->on_progress(sink->offset + sink->received);
  return size;
}

Status Transfer(const std::string& url, const FetchOptions& options, Sink* sink,
                ErrorReporter& errors) {
  GlobalInit();
  CURL* curl = curl_easy_init();
  if (curl == nullptr)
    return errors.Report(StatusCode::kInternal, "libcurl failed to start");
  sink->curl = curl;
  sink->options = &options;
  sink->max_bytes = options.max_bytes;
  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   options.connect_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options.stall_seconds);
  if (options.total_timeout_seconds > 0)
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, options.total_timeout_seconds);
  if (sink->offset > 0) {
    curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE,
                     static_cast<curl_off_t>(sink->offset));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(curl);

  if (sink->write_errno != 0) {
    return errors.Report(StatusCode::kIoError,
                         "cannot store the download of '%s': %s", url.c_str(),
                         strerror(sink->write_errno));
  }
  if (sink->over_limit) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "'%s' is larger than the %llu bytes expected",
                         url.c_str(),
                         static_cast<unsigned long long>(sink->max_bytes));
  }
  if (code >= 400) {
    return errors.Report(
        code == 404 ? StatusCode::kNotFound : StatusCode::kIoError,
        "'%s': the server answered HTTP %ld", url.c_str(), code);
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return errors.Report(StatusCode::kIoError,
                         "'%s': timed out (the server stalled: %s)",
                         url.c_str(), curl_error);
  }
  if (rc != CURLE_OK) {
    return errors.Report(StatusCode::kIoError, "'%s': %s", url.c_str(),
                         curl_error[0] ? curl_error : curl_easy_strerror(rc));
  }
  return Status::Ok();
}

}  // namespace

Status FetchToMemory(const std::string& url, const FetchOptions& options,
                     ErrorReporter& errors, std::string* body) {
  body->clear();
  Sink sink;
  sink.memory = body;
  return Transfer(url, options, &sink, errors);
}

Status FetchToFile(const std::string& url, const std::string& path,
                   const FetchOptions& options, ErrorReporter& errors) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return errors.Report(StatusCode::kIoError, "cannot open '%s': %s",
                         path.c_str(), strerror(errno));
  }
  struct stat st;
  Sink sink;
  sink.fd = fd;
  sink.offset = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  if (options.max_bytes > 0 && sink.offset >= options.max_bytes) {
    // Complete already (or over-long): nothing to ask for; the caller's
    // hash check decides.
    close(fd);
    return Status::Ok();
  }
  Status status = Transfer(url, options, &sink, errors);
  if (fsync(fd) != 0 && status.ok()) {
    status = errors.Report(StatusCode::kIoError, "cannot fsync '%s': %s",
                           path.c_str(), strerror(errno));
  }
  if (close(fd) != 0 && status.ok()) {
    status = errors.Report(StatusCode::kIoError, "cannot close '%s': %s",
                           path.c_str(), strerror(errno));
  }
  return status;
}

#endif  // EMBER_UPDATE_CURL

}  // namespace ember::update
