#include "runtime/weight_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "base/hash64.h"
#include "kernels/drivers/gemm_f32.h"
#include "kernels/drivers/gemm_s8.h"
#include "model/model.h"

#ifndef EMBER_VERSION_STRING
#define EMBER_VERSION_STRING "dev"
#endif

namespace ember {
namespace {

struct FileHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t entry_count;
  uint64_t model_hash;
  uint64_t model_size;
  uint64_t key_bits;
  char ember_version[32];
  uint64_t file_bytes;
  uint64_t payload_hash;  // Hash64 of everything after the header
};

struct FileEntry {
  int32_t subgraph;
  int32_t ordinal;
  uint64_t node_key;
  uint64_t offset;
  uint64_t bytes;
};

constexpr size_t kAlign = 64;

size_t AlignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

void Warn(const std::string& path, const char* what) {
  fprintf(stderr,
          "ember: warning: weight cache %s: %s; packing the weights again "
          "and rewriting it\n",
          path.c_str(), what);
}

// Everything besides the model bytes that changes what Prepare packs: the
// ISAs (they pick the tile and its panel width), the graph passes (they
// change the nodes), and the kernel lists this build has.
uint64_t KeyBits(kernels::IsaSet isas, bool graph_passes) {
  std::string key = "isa=" + std::to_string(isas.bits()) +
                    ";passes=" + (graph_passes ? "1" : "0") + ";s8=";
  for (const x86::S8Kernel& k : x86::S8Kernels()) {
    key += std::string(k.function) + "/" + std::to_string(k.mr) + "x" +
           std::to_string(k.nr) + "/" + std::to_string(k.input_shift) + ",";
  }
  key += ";f32=";
  for (const x86::GemmF32Kernel& k : x86::GemmF32Kernels()) {
    key += std::string(k.function) + "/" + std::to_string(k.nr) + ",";
  }
  return Hash64(key.data(), key.size(), WeightCache::kFormatVersion);
}

void FillVersion(char (&out)[32]) {
  std::memset(out, 0, sizeof(out));
  std::strncpy(out, EMBER_VERSION_STRING, sizeof(out) - 1);
}

}  // namespace

std::unique_ptr<WeightCache> WeightCache::Open(const std::string& dir,
                                               const Model& model,
                                               kernels::IsaSet isas,
                                               bool graph_passes) {
  std::unique_ptr<WeightCache> c(new WeightCache());
  c->model_hash_ = Hash64(model.bytes(), model.size());
  c->model_size_ = model.size();
  c->key_bits_ = KeyBits(isas, graph_passes);
  char name[96];
  snprintf(name, sizeof(name), "ember-%016" PRIx64 "-%016" PRIx64 "-%s.ewc",
           c->model_hash_, c->key_bits_, EMBER_VERSION_STRING);
  c->path_ = dir + "/" + name;
  if (!c->Map()) {
    c->cached_.clear();
    if (c->map_ != nullptr) munmap(c->map_, c->map_bytes_);
    c->map_ = nullptr;
    c->map_bytes_ = 0;
  }
  return c;
}

WeightCache::~WeightCache() {
  if (map_ != nullptr) munmap(map_, map_bytes_);
}

bool WeightCache::Map() {
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // No file yet is the normal first start; anything else is worth saying.
    if (errno != ENOENT) Warn(path_, strerror(errno));
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    Warn(path_, "not a regular file");
    return false;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size < sizeof(FileHeader)) {
    close(fd);
    Warn(path_, "truncated (shorter than its header)");
    return false;
  }
  // Private and writable: the ops get ordinary memory, and nothing they
  // might write reaches the file.
  map_ = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map_ == MAP_FAILED) {
    map_ = nullptr;
    Warn(path_, "cannot be mapped");
    return false;
  }
  map_bytes_ = size;
  const auto* base = static_cast<const uint8_t*>(map_);
  FileHeader h;
  std::memcpy(&h, base, sizeof(h));
  char version[32];
  FillVersion(version);
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) {
    Warn(path_, "not an Ember weight cache (bad magic)");
    return false;
  }
  if (h.format_version != kFormatVersion ||
      std::memcmp(h.ember_version, version, sizeof(version)) != 0) {
    Warn(path_, "written by another Ember version");
    return false;
  }
  if (h.model_hash != model_hash_ || h.model_size != model_size_ ||
      h.key_bits != key_bits_) {
    Warn(path_, "made for another model, ISA set or kernel list");
    return false;
  }
  if (h.file_bytes != size) {
    Warn(path_, "truncated or extended (size differs from its header)");
    return false;
  }
  const size_t table = sizeof(FileHeader) +
                       sizeof(FileEntry) * static_cast<size_t>(h.entry_count);
  if (h.entry_count > size / sizeof(FileEntry) || table > size) {
    Warn(path_, "entry table runs past the end");
    return false;
  }
  if (Hash64(base + sizeof(FileHeader), size - sizeof(FileHeader)) !=
      h.payload_hash) {
    Warn(path_, "damaged (checksum mismatch)");
    return false;
  }
  cached_.reserve(h.entry_count);
  for (uint32_t i = 0; i < h.entry_count; ++i) {
    FileEntry e;
    std::memcpy(&e, base + sizeof(FileHeader) + sizeof(FileEntry) * i,
                sizeof(e));
    if (e.offset < table || e.offset % kAlign != 0 || e.offset > size ||
        e.bytes > size - e.offset) {
      Warn(path_, "an entry lies outside the file");
      return false;
    }
    Entry entry;
    entry.subgraph = e.subgraph;
    entry.ordinal = e.ordinal;
    entry.node_key = e.node_key;
    entry.offset = e.offset;
    entry.bytes = e.bytes;
    cached_.push_back(entry);
  }
  return true;
}

void* WeightCache::Find(int subgraph, uint64_t node_key, int ordinal,
                        size_t bytes) {
  for (const Entry& e : cached_) {
    if (e.subgraph == subgraph && e.node_key == node_key &&
        e.ordinal == ordinal && e.bytes == bytes) {
      return static_cast<uint8_t*>(map_) + e.offset;
    }
  }
  return nullptr;
}

void WeightCache::Record(int subgraph, uint64_t node_key, int ordinal,
                         const void* data, size_t bytes, bool from_cache) {
  if (flushed_) return;
  for (Entry& e : recorded_) {
    if (e.subgraph == subgraph && e.node_key == node_key &&
        e.ordinal == ordinal) {
      e.data = data;
      e.bytes = bytes;
      e.from_cache = from_cache;
      return;
    }
  }
  Entry e;
  e.from_cache = from_cache;
  e.subgraph = subgraph;
  e.node_key = node_key;
  e.ordinal = ordinal;
  e.data = data;
  e.bytes = bytes;
  recorded_.push_back(e);
}

void WeightCache::Forget(int subgraph, uint64_t node_key) {
  if (flushed_) return;
  std::erase_if(recorded_, [&](const Entry& e) {
    return e.subgraph == subgraph && e.node_key == node_key;
  });
}

void WeightCache::Flush() {
  if (flushed_) return;
  flushed_ = true;
  // Only what the prepared nodes hold counts: a node prepared twice (graph
  // passes rewrite it between) recorded its first buffers under another key.
  bool dirty = false;
  for (const Entry& e : recorded_) {
    if (e.from_cache) {
      ++hits_;
    } else {
      ++misses_;
      dirty = true;
    }
  }
  if (!dirty) {
    recorded_.clear();
    return;
  }
  size_t offset =
      AlignUp(sizeof(FileHeader) + sizeof(FileEntry) * recorded_.size());
  std::vector<FileEntry> table;
  table.reserve(recorded_.size());
  for (const Entry& e : recorded_) {
    table.push_back({e.subgraph, e.ordinal, e.node_key, offset, e.bytes});
    offset = AlignUp(offset + e.bytes);
  }
  std::vector<uint8_t> file(offset, 0);
  FileHeader h;
  std::memset(&h, 0, sizeof(h));
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.format_version = kFormatVersion;
  h.entry_count = static_cast<uint32_t>(table.size());
  h.model_hash = model_hash_;
  h.model_size = model_size_;
  h.key_bits = key_bits_;
  FillVersion(h.ember_version);
  h.file_bytes = file.size();
  std::memcpy(file.data() + sizeof(h), table.data(),
              sizeof(FileEntry) * table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    std::memcpy(file.data() + table[i].offset, recorded_[i].data,
                recorded_[i].bytes);
  }
  h.payload_hash = Hash64(file.data() + sizeof(h), file.size() - sizeof(h));
  std::memcpy(file.data(), &h, sizeof(h));
  recorded_.clear();

  // A temporary file in the same folder, renamed over the target: readers
  // see the old file or the whole new one. No fsync: after a crash a torn
  // file fails the size or checksum test and is rebuilt.
  const std::string dir = path_.substr(0, path_.rfind('/'));
  mkdir(dir.c_str(), 0755);  // one level; an existing folder is fine
  std::string temp = dir + "/.ember-wc-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    fprintf(stderr, "ember: warning: weight cache %s: cannot write: %s\n",
            path_.c_str(), strerror(errno));
    return;
  }
  size_t done = 0;
  bool ok = fchmod(fd, 0644) == 0;
  while (ok && done < file.size()) {
    const ssize_t n = write(fd, file.data() + done, file.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    if (n > 0) done += static_cast<size_t>(n);
  }
  const int saved = errno;
  if (close(fd) != 0) ok = false;
  if (ok && rename(temp.c_str(), path_.c_str()) == 0) {
    wrote_ = true;
    return;
  }
  fprintf(stderr, "ember: warning: weight cache %s: cannot write: %s\n",
          path_.c_str(), strerror(ok ? errno : saved));
  unlink(temp.c_str());
}

}  // namespace ember
