// The flatbuffers object API's copy of a verified model, safe to pack
// again. A union whose type is set but whose table is absent is valid (an
// operator without options takes the defaults) and unpacks to a null value,
// which the generated Pack code then dereferences: such unions are cleared
// to NONE, which means the same thing. Found by ember_metadata_fuzz.
// Header-only: every layer that sees the schema can use it.
#pragma once

#include "schema/schema_generated.h"

namespace ember {
namespace unpack_detail {

template <typename Union>
inline void ClearIfEmpty(Union* u) {
  if (u->value == nullptr) u->Reset();
}

}  // namespace unpack_detail

inline void UnpackModel(const fb::Model& model, fb::ModelT* out) {
  model.UnPackTo(out);
  for (auto& sg : out->subgraphs) {
    if (!sg) continue;
    for (auto& op : sg->operators) {
      if (!op) continue;
      unpack_detail::ClearIfEmpty(&op->builtin_options);
      unpack_detail::ClearIfEmpty(&op->builtin_options_2);
    }
    for (auto& t : sg->tensors) {
      if (!t) continue;
      if (t->quantization)
        unpack_detail::ClearIfEmpty(&t->quantization->details);
      if (t->sparsity) {
        for (auto& dim : t->sparsity->dim_metadata) {
          if (!dim) continue;
          unpack_detail::ClearIfEmpty(&dim->array_segments);
          unpack_detail::ClearIfEmpty(&dim->array_indices);
        }
      }
    }
  }
}

}  // namespace ember
