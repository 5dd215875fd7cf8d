#include "trust/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ember::trust {
namespace {

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status WriteAll(int fd, const uint8_t* data, size_t size, const char* path,
                ErrorReporter& errors) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return errors.Report(StatusCode::kIoError, "cannot write '%s': %s", path,
                           n < 0 ? strerror(errno) : "no progress");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomically(const char* path, const uint8_t* data, size_t size,
                           unsigned mode, ErrorReporter& errors) {
  const std::string target(path);
  const std::string dir = DirectoryOf(target);
  std::string temp = dir + "/.ember-tmp-XXXXXX";
  const int fd = mkstemp(temp.data());  // created 0600: secrets never leak
  if (fd < 0) {
    return errors.Report(StatusCode::kIoError,
                         "cannot create a temporary file in '%s': %s",
                         dir.c_str(), strerror(errno));
  }
  Status status = WriteAll(fd, data, size, path, errors);
  if (status.ok() && fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    status = errors.Report(StatusCode::kIoError, "cannot set mode of '%s': %s",
                           path, strerror(errno));
  }
  if (status.ok() && fsync(fd) != 0) {
    status = errors.Report(StatusCode::kIoError, "cannot sync '%s': %s", path,
                           strerror(errno));
  }
  if (close(fd) != 0 && status.ok()) {
    status = errors.Report(StatusCode::kIoError, "cannot close '%s': %s", path,
                           strerror(errno));
  }
  if (status.ok() && rename(temp.c_str(), path) != 0) {
    status = errors.Report(StatusCode::kIoError, "cannot write '%s': %s", path,
                           strerror(errno));
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  // Make the rename itself durable.
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace ember::trust
