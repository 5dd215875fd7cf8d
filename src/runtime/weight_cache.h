// Packed-weight cache: what the ops' Prepare derived from constant weights
// alone (packed GEMM panels and their per-column headers), kept in a file
// so that the next start with the same model maps it instead of packing
// again (InterpreterOptions::weight_cache_dir, EMBER_WEIGHT_CACHE=DIR).
//
// One file per (model bytes, allowed ISAs, graph passes on/off, Ember
// version and packing format, kernel list): DIR/<key>.ewc. Every field of
// the key is repeated in the file's header and checked, as is a checksum
// of everything after the header, the file size and every entry's bounds;
// a file that fails any check is ignored with a warning on stderr and
// replaced once the interpreter has prepared (written to a temporary file
// in DIR and renamed over the old one, so concurrent writers never leave
// a torn file: the last complete rename wins).
//
// The checksum catches accidental damage, not an attacker: the cache folder
// must be as trusted as the program itself (whoever can write it can change
// the weights the model runs with, though never make Ember read out of
// bounds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/dispatch/isa.h"

namespace ember {

class Model;

class WeightCache {
 public:
  // Opens (or plans to create) the cache file for this model. Never fails:
  // an unusable folder or file only costs the warning.
  static std::unique_ptr<WeightCache> Open(const std::string& dir,
                                           const Model& model,
                                           kernels::IsaSet isas,
                                           bool graph_passes);
  ~WeightCache();
  WeightCache(const WeightCache&) = delete;
  WeightCache& operator=(const WeightCache&) = delete;

  // The cached bytes of allocation `ordinal` of the node that `node_key`
  // identifies, or nullptr when the file has none of exactly `bytes`.
  // The memory stays valid (and writable: a private mapping) as long as
  // this object.
  void* Find(int subgraph, uint64_t node_key, int ordinal, size_t bytes);
  // Remembers memory to save in the file; `from_cache` when Find gave it.
  // `data` must stay valid until Flush (or Forget of its node).
  void Record(int subgraph, uint64_t node_key, int ordinal, const void* data,
              size_t bytes, bool from_cache);
  // The node's memory is released (it is prepared again).
  void Forget(int subgraph, uint64_t node_key);
  // Writes the file when something was missing from it; once: later
  // Records are ignored.
  void Flush();

  const std::string& path() const { return path_; }
  // What happened (counted at Flush, over the prepared nodes), for tests
  // and `ember bench`: buffers mapped from the file, packed anew, and
  // whether this object wrote the file.
  int hits() const { return hits_; }
  int misses() const { return misses_; }
  bool wrote() const { return wrote_; }

  // The format's magic and version, for tests that forge files.
  static constexpr char kMagic[8] = {'E', 'M', 'B', 'W', 'C', 'A', 'C', 'H'};
  static constexpr uint32_t kFormatVersion = 1;

 private:
  WeightCache() = default;
  bool Map();

  struct Entry {
    int32_t subgraph = 0;
    int32_t ordinal = 0;
    uint64_t node_key = 0;
    uint64_t offset = 0;  // in the file (cached) or 0 (recorded)
    uint64_t bytes = 0;
    const void* data = nullptr;
    bool from_cache = false;
  };

  std::string path_;
  uint64_t model_hash_ = 0;
  uint64_t model_size_ = 0;
  uint64_t key_bits_ = 0;  // ISAs, graph passes, kernel list
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  std::vector<Entry> cached_;
  std::vector<Entry> recorded_;
  bool flushed_ = false;
  int hits_ = 0;
  int misses_ = 0;
  bool wrote_ = false;
};

}  // namespace ember
