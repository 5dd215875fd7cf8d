// A verified, read-only .tflite model. Bytes come from an mmap'd file (zero
// copy) or a caller's buffer; nothing is used before it is verified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "base/aligned_buffer.h"
#include "base/status.h"
#include "schema/schema_generated.h"
#include "trust/trust_policy.h"

namespace ember {

class Model {
 public:
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // Maps the file and verifies it.
  static Status Load(const char* path, ErrorReporter& errors,
                     std::unique_ptr<Model>* out);
  // The same under a trust policy: the file's signature (and, for an
  // encrypted file, its decryption) are checked before any of the model is
  // parsed; a decrypted model lives only in memory.
  static Status Load(const char* path, const trust::TrustPolicy& policy,
                     ErrorReporter& errors, std::unique_ptr<Model>* out);
  // Verifies `data`; with copy=false the caller keeps it alive (and
  // 16-byte aligned) for the model's lifetime.
  static Status FromBuffer(const void* data, size_t size, bool copy,
                           ErrorReporter& errors, std::unique_ptr<Model>* out);
  static Status FromBuffer(const void* data, size_t size, bool copy,
                           const trust::TrustPolicy& policy,
                           ErrorReporter& errors, std::unique_ptr<Model>* out);

  const fb::Model* fb() const { return model_; }
  const uint8_t* bytes() const { return bytes_; }
  size_t size() const { return size_; }

  // The bytes of buffer `index` (inline vector or offset/size form). Empty
  // for buffers without data. Index and range were verified at load.
  void BufferData(uint32_t index, const uint8_t** data, size_t* size) const;
  // Whether `tensor` can be read as a constant: its buffer holds bytes, or
  // it has zero elements and a buffer of its own (e.g. an empty axes list;
  // writers omit empty data vectors). A zero-element tensor that an op
  // produces is not a constant: callers check producers.
  bool IsConstant(const fb::Tensor* tensor) const;

  // Builtin code of an operator code, reconciling the deprecated byte.
  static int32_t BuiltinCode(const fb::OperatorCode* code);

 private:
  Model() = default;
  // Applies the trust policy to the raw bytes and points bytes_/size_ at
  // the plain model.
  Status Open(const uint8_t* data, size_t size,
              const trust::TrustPolicy& policy, ErrorReporter& errors);
  Status Verify(ErrorReporter& errors);

  const uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  void* mapping_ = nullptr;       // non-null when mmap'd
  size_t mapping_size_ = 0;       // the whole file (size_ excludes a signature)
  trust::SecureBytes decrypted_;  // an encrypted model's plaintext
  std::vector<uint8_t> owned_;
  // Allocated with 64-byte aligned new[]: freed with the matching delete[].
  std::unique_ptr<uint8_t[], AlignedDelete> aligned_copy_;
  const fb::Model* model_ = nullptr;
};

// Semantic checks past the flatbuffers verifier (src/model/verify.cc).
Status VerifyModelSemantics(const Model& model, ErrorReporter& errors);

}  // namespace ember
