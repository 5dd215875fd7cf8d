// Reference EMBEDDING_LOOKUP: out[i, ...] = table[ids[i], ...], either a
// byte copy of the row or (hybrid) int8 rows dequantized with the table's
// per-tensor or per-row scale (symmetric, zero point 0).
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::ref {

// Returns the position of the first out-of-range id, or -1 if all are valid.
inline int64_t FindBadEmbeddingId(const int32_t* ids, int64_t num_ids,
                                  int64_t num_rows) {
  for (int64_t i = 0; i < num_ids; ++i) {
    if (ids[i] < 0 || ids[i] >= num_rows) return i;
  }
  return -1;
}

// Ids must have been validated with FindBadEmbeddingId.
inline void EmbeddingLookupCopy(const int32_t* ids, int64_t num_ids,
                                const uint8_t* table, size_t row_bytes,
                                uint8_t* out) {
  for (int64_t i = 0; i < num_ids; ++i) {
    memcpy(out + i * row_bytes,
           table + static_cast<int64_t>(ids[i]) * row_bytes, row_bytes);
  }
}

// scales has one entry (per-tensor) or one per table row (num_scales).
inline void EmbeddingLookupDequantize(const int32_t* ids, int64_t num_ids,
                                      const int8_t* table, int64_t row_size,
                                      const float* scales, int32_t num_scales,
                                      float* out) {
  for (int64_t i = 0; i < num_ids; ++i) {
    const float scale = num_scales > 1 ? scales[ids[i]] : scales[0];
    const int8_t* row = table + static_cast<int64_t>(ids[i]) * row_size;
    for (int64_t j = 0; j < row_size; ++j)
      out[i * row_size + j] = row[j] * scale;
  }
}

}  // namespace ember::ref
