#include "model/model.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "flatbuffers/flatbuffers.h"

namespace ember {

Model::~Model() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

Status Model::Load(const char* path, ErrorReporter& errors,
                   std::unique_ptr<Model>* out) {
  return Load(path, trust::TrustPolicy(), errors, out);
}

Status Model::Load(const char* path, const trust::TrustPolicy& policy,
                   ErrorReporter& errors, std::unique_ptr<Model>* out) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errors.Report(
        errno == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
        "cannot open model '%s': %s", path, strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return errors.Report(StatusCode::kIoError,
                         "model '%s' is not a regular file", path);
  }
  if (st.st_size == 0) {
    close(fd);
    return errors.Report(StatusCode::kInvalidModel, "model '%s' is empty",
                         path);
  }
  void* mapping = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                       MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapping == MAP_FAILED) {
    return errors.Report(StatusCode::kIoError, "cannot map model '%s': %s",
                         path, strerror(errno));
  }
  std::unique_ptr<Model> model(new Model());
  model->mapping_ = mapping;
  model->mapping_size_ = static_cast<size_t>(st.st_size);
  Status status = model->Open(static_cast<const uint8_t*>(mapping),
                              model->mapping_size_, policy, errors);
  if (status.ok()) status = model->Verify(errors);
  if (!status.ok()) {
    errors.Prefix("%s: ", path);
    return status;
  }
  *out = std::move(model);
  return Status::Ok();
}

Status Model::FromBuffer(const void* data, size_t size, bool copy,
                         ErrorReporter& errors, std::unique_ptr<Model>* out) {
  return FromBuffer(data, size, copy, trust::TrustPolicy(), errors, out);
}

Status Model::FromBuffer(const void* data, size_t size, bool copy,
                         const trust::TrustPolicy& policy,
                         ErrorReporter& errors, std::unique_ptr<Model>* out) {
  if (data == nullptr || size == 0) {
    return errors.Report(StatusCode::kInvalidArgument, "model buffer is empty");
  }
  std::unique_ptr<Model> model(new Model());
  // Signature and decryption first: the plain bytes replace the caller's.
  trust::OpenedModel opened;
  EMBER_RETURN_IF_ERROR(trust::OpenModelBytes(static_cast<const uint8_t*>(data),
                                              size, policy, errors, &opened));
  if (opened.decrypted.data() != nullptr) {
    model->decrypted_ = std::move(opened.decrypted);
    model->bytes_ = model->decrypted_.data();
    model->size_ = opened.size;
    EMBER_RETURN_IF_ERROR(model->Verify(errors));
    *out = std::move(model);
    return Status::Ok();
  }
  data = opened.data;
  size = opened.size;
  const bool misaligned = reinterpret_cast<uintptr_t>(data) % 16 != 0;
  if (copy || misaligned) {
    // Weights are read in place as float/int32 arrays: keep them aligned.
    model->aligned_copy_.reset(new (std::align_val_t(kBufferAlignment))
                                   uint8_t[size]);
    memcpy(model->aligned_copy_.get(), data, size);
    model->bytes_ = model->aligned_copy_.get();
  } else {
    model->bytes_ = static_cast<const uint8_t*>(data);
  }
  model->size_ = size;
  EMBER_RETURN_IF_ERROR(model->Verify(errors));
  *out = std::move(model);
  return Status::Ok();
}

Status Model::Open(const uint8_t* data, size_t size,
                   const trust::TrustPolicy& policy, ErrorReporter& errors) {
  trust::OpenedModel opened;
  EMBER_RETURN_IF_ERROR(
      trust::OpenModelBytes(data, size, policy, errors, &opened));
  decrypted_ = std::move(opened.decrypted);
  bytes_ = opened.data;
  size_ = opened.size;
  return Status::Ok();
}

Status Model::Verify(ErrorReporter& errors) {
  if (size_ < 8) {
    return errors.Report(StatusCode::kInvalidModel,
                         "file is too small to be a .tflite model (%zu bytes)",
                         size_);
  }
  if (!fb::ModelBufferHasIdentifier(bytes_)) {
    char id[5] = {};
    for (int i = 0; i < 4; ++i) {
      const char c = static_cast<char>(bytes_[4 + i]);
      id[i] = (c >= 32 && c < 127) ? c : '?';
    }
    return errors.Report(StatusCode::kInvalidModel,
                         "not a .tflite model: file identifier is '%s', "
                         "expected 'TFL3'",
                         id);
  }
  // Files over 2 GB keep big buffers after the flatbuffer (offset/size);
  // the flatbuffer itself must fit in the verifier's range.
  const size_t fb_size =
      std::min<size_t>(size_, FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options options;
  options.max_depth = 128;
  options.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(bytes_, fb_size, options);
  if (!fb::VerifyModelBuffer(verifier)) {
    return errors.Report(StatusCode::kInvalidModel,
                         "flatbuffer verification failed: the file is "
                         "truncated or corrupted");
  }
  model_ = fb::GetModel(bytes_);
  return VerifyModelSemantics(*this, errors);
}

void Model::BufferData(uint32_t index, const uint8_t** data,
                       size_t* size) const {
  *data = nullptr;
  *size = 0;
  const auto* buffers = model_->buffers();
  if (buffers == nullptr || index >= buffers->size()) return;
  const fb::Buffer* buffer = buffers->Get(index);
  if (buffer == nullptr) return;
  if (buffer->offset() > 1) {
    *data = bytes_ + buffer->offset();
    *size = buffer->size();
  } else if (buffer->data() != nullptr && buffer->data()->size() > 0) {
    *data = buffer->data()->data();
    *size = buffer->data()->size();
  }
}

bool Model::IsConstant(const fb::Tensor* tensor) const {
  const uint8_t* data;
  size_t size;
  BufferData(tensor->buffer(), &data, &size);
  if (size > 0) return true;
  if (tensor->buffer() == 0 || tensor->shape() == nullptr) return false;
  for (int32_t d : *tensor->shape())
    if (d == 0) return true;  // an empty constant: nothing to store
  return false;
}

int32_t Model::BuiltinCode(const fb::OperatorCode* code) {
  // Old files only set the deprecated int8 field; new ones set both, with
  // the byte saturated at PLACEHOLDER_FOR_GREATER_OP_CODES (127).
  return std::max<int32_t>(static_cast<int32_t>(code->builtin_code()),
                           code->deprecated_builtin_code());
}

}  // namespace ember
