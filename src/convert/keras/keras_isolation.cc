// ConvertKeras: the Keras frontend in a child process, its result sent back
// through a pipe (see convert.h for why). The child's message is
//   u8 ok, then errors, warnings and notes (u32 count, then u32 length +
//   bytes each), then u64 length + the converted model's .tflite bytes
// and every read of it is bounds-checked: a child that died half-way is
// an error like any other.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "flatbuffers/flatbuffers.h"
#include "schema/schema_unpack.h"

namespace ember::convert {
namespace {

// A hung libhdf5 must not hang `ember convert`: the child is killed after
// this long (EMBER_CONVERT_TIMEOUT_S overrides; big models take minutes).
int TimeoutSeconds() {
  const char* env = std::getenv("EMBER_CONVERT_TIMEOUT_S");
  const int value = env ? std::atoi(env) : 0;
  return value > 0 ? value : 600;
}

void PutU32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void PutStrings(std::string* out, const std::vector<std::string>& list) {
  PutU32(out, static_cast<uint32_t>(list.size()));
  for (const std::string& s : list) {
    PutU32(out, static_cast<uint32_t>(s.size()));
    out->append(s);
  }
}

struct Reader {
  const std::string& in;
  size_t at = 0;
  bool Bytes(size_t n, std::string* out) {
    if (n > in.size() - at) return false;
    out->assign(in, at, n);
    at += n;
    return true;
  }
  template <typename T>
  bool Pod(T* v) {
    std::string raw;
    if (!Bytes(sizeof(T), &raw)) return false;
    std::memcpy(v, raw.data(), sizeof(T));
    return true;
  }
  bool Strings(std::vector<std::string>* list) {
    uint32_t count;
    if (!Pod(&count)) return false;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t size;
      std::string s;
      if (!Pod(&size) || !Bytes(size, &s)) return false;
      list->push_back(std::move(s));
    }
    return true;
  }
};

std::string Encode(bool ok, const Diagnostics& diag,
                   const std::vector<uint8_t>& model) {
  std::string out(1, ok ? 1 : 0);
  PutStrings(&out, diag.errors);
  PutStrings(&out, diag.warnings);
  PutStrings(&out, diag.notes);
  const uint64_t size = model.size();
  out.append(reinterpret_cast<const char*>(&size), sizeof(size));
  out.append(reinterpret_cast<const char*>(model.data()), model.size());
  return out;
}

bool Decode(const std::string& in, bool* ok, fb::ModelT* model,
            Diagnostics* diag) {
  Reader r{in};
  uint8_t flag;
  uint64_t size;
  std::string bytes;
  if (!r.Pod(&flag) || !r.Strings(&diag->errors) ||
      !r.Strings(&diag->warnings) || !r.Strings(&diag->notes) ||
      !r.Pod(&size) || !r.Bytes(size, &bytes) || r.at != in.size()) {
    return false;
  }
  *ok = flag == 1;
  if (!*ok) return true;
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size());
  if (!fb::VerifyModelBuffer(verifier)) return false;
  UnpackModel(*fb::GetModel(bytes.data()), model);
  return true;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads until EOF or the deadline; false on timeout.
bool ReadAll(int fd, std::string* out, int timeout_s) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buffer[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // EOF (or an error: the child is gone)
    out->append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace

bool ConvertKeras(const std::string& path, const ConvertOptions& options,
                  fb::ModelT* model, Diagnostics* diag) {
  int fds[2];
  if (pipe(fds) != 0) {
    diag->errors.push_back(path + ": cannot start the converter process (" +
                           std::strerror(errno) + ")");
    return false;
  }
  std::fflush(nullptr);  // the child must not repeat buffered output
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    diag->errors.push_back(path + ": cannot start the converter process (" +
                           std::strerror(errno) + ")");
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    fb::ModelT converted;
    Diagnostics child_diag;
    const bool ok =
        ConvertKerasInProcess(path, options, &converted, &child_diag);
    const std::vector<uint8_t> bytes =
        ok ? SerializeTflite(converted) : std::vector<uint8_t>{};
    _exit(WriteAll(fds[1], Encode(ok, child_diag, bytes)) ? 0 : 1);
  }
  close(fds[1]);
  std::string message;
  const int timeout_s = TimeoutSeconds();
  const bool finished = ReadAll(fds[0], &message, timeout_s);
  close(fds[0]);
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool ok = false;
  if (!finished) {
    diag->errors.push_back(path + ": reading the model took over " +
                           std::to_string(timeout_s) +
                           " s and was stopped (a damaged HDF5 file can make "
                           "libhdf5 loop; EMBER_CONVERT_TIMEOUT_S sets the "
                           "limit)");
    return false;
  }
  if (WIFSIGNALED(status)) {
    diag->errors.push_back(
        path + ": the Keras reader crashed on this file (signal " +
        std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) +
        " inside libhdf5 or libzip): the file is damaged or not a Keras model");
    return false;
  }
  Diagnostics result;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      !Decode(message, &ok, model, &result)) {
    diag->errors.push_back(path +
                           ": the converter process ended without a result");
    return false;
  }
  for (auto& e : result.errors) diag->errors.push_back(std::move(e));
  for (auto& w : result.warnings) diag->warnings.push_back(std::move(w));
  for (auto& n : result.notes) diag->notes.push_back(std::move(n));
  return ok && diag->ok();
}

}  // namespace ember::convert
