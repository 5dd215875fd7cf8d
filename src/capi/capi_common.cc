// C ABI: version, status and type names, models, shared helpers.
#include <cstring>

#include "capi/capi_internal.h"

#ifndef EMBER_VERSION_STRING
#error "EMBER_VERSION_STRING must be defined by the build (project version)"
#endif
// include/ember/ember.h states the version too: keep it equal to project().
static_assert(EMBER_VERSION_MAJOR == EMBER_PROJECT_VERSION_MAJOR &&
                  EMBER_VERSION_MINOR == EMBER_PROJECT_VERSION_MINOR &&
                  EMBER_VERSION_PATCH == EMBER_PROJECT_VERSION_PATCH,
              "update EMBER_VERSION_* in include/ember/ember.h");

namespace ember::capi {

// The C enums mirror the runtime's: conversions are plain casts.
static_assert(EMBER_STATUS_OK == static_cast<int>(StatusCode::kOk));
static_assert(EMBER_STATUS_INVALID_ARGUMENT ==
              static_cast<int>(StatusCode::kInvalidArgument));
static_assert(EMBER_STATUS_INVALID_MODEL ==
              static_cast<int>(StatusCode::kInvalidModel));
static_assert(EMBER_STATUS_UNSUPPORTED ==
              static_cast<int>(StatusCode::kUnsupported));
static_assert(EMBER_STATUS_NOT_FOUND ==
              static_cast<int>(StatusCode::kNotFound));
static_assert(EMBER_STATUS_OUT_OF_MEMORY ==
              static_cast<int>(StatusCode::kOutOfMemory));
static_assert(EMBER_STATUS_FAILED_PRECONDITION ==
              static_cast<int>(StatusCode::kFailedPrecondition));
static_assert(EMBER_STATUS_IO_ERROR == static_cast<int>(StatusCode::kIoError));
static_assert(EMBER_STATUS_INTERNAL == static_cast<int>(StatusCode::kInternal));

static_assert(EMBER_TYPE_FLOAT32 == static_cast<int>(DataType::kFloat32));
static_assert(EMBER_TYPE_FLOAT16 == static_cast<int>(DataType::kFloat16));
static_assert(EMBER_TYPE_INT32 == static_cast<int>(DataType::kInt32));
static_assert(EMBER_TYPE_UINT8 == static_cast<int>(DataType::kUInt8));
static_assert(EMBER_TYPE_INT64 == static_cast<int>(DataType::kInt64));
static_assert(EMBER_TYPE_STRING == static_cast<int>(DataType::kString));
static_assert(EMBER_TYPE_BOOL == static_cast<int>(DataType::kBool));
static_assert(EMBER_TYPE_INT16 == static_cast<int>(DataType::kInt16));
static_assert(EMBER_TYPE_COMPLEX64 == static_cast<int>(DataType::kComplex64));
static_assert(EMBER_TYPE_INT8 == static_cast<int>(DataType::kInt8));
static_assert(EMBER_TYPE_FLOAT64 == static_cast<int>(DataType::kFloat64));
static_assert(EMBER_TYPE_COMPLEX128 == static_cast<int>(DataType::kComplex128));
static_assert(EMBER_TYPE_UINT64 == static_cast<int>(DataType::kUInt64));
static_assert(EMBER_TYPE_RESOURCE == static_cast<int>(DataType::kResource));
static_assert(EMBER_TYPE_VARIANT == static_cast<int>(DataType::kVariant));
static_assert(EMBER_TYPE_UINT32 == static_cast<int>(DataType::kUInt32));
static_assert(EMBER_TYPE_UINT16 == static_cast<int>(DataType::kUInt16));
static_assert(EMBER_TYPE_INT4 == static_cast<int>(DataType::kInt4));
static_assert(EMBER_TYPE_BFLOAT16 == static_cast<int>(DataType::kBFloat16));
static_assert(EMBER_MAX_RANK == kMaxRank);

void WriteError(char* error, size_t error_size, const char* message) {
  if (error == nullptr || error_size == 0) return;
  snprintf(error, error_size, "%s", message ? message : "");
}

Status ShapeFromC(const int32_t* dims, int32_t rank, ErrorReporter& errors,
                  Shape* shape) {
  if (rank < 0 || rank > kMaxRank) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "rank %d is outside [0, %d]", rank, kMaxRank);
  }
  if (rank > 0 && dims == nullptr) {
    return errors.Report(StatusCode::kInvalidArgument,
                         "dims is NULL for rank %d", rank);
  }
  shape->rank = rank;
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 0) {
      return errors.Report(StatusCode::kInvalidArgument,
                           "dimension %d is negative (%d)", i, dims[i]);
    }
    shape->dims[i] = dims[i];
  }
  return Status::Ok();
}

namespace {

// C callers may pass any int as an enum: read it as one (an out-of-range
// value loaded as a C++ enum is undefined behaviour).
template <typename Enum>
int AsInt(const Enum& e) {  // by reference: no load as the enum
  int value;
  static_assert(sizeof(value) == sizeof(e));
  std::memcpy(&value, &e, sizeof(value));
  return value;
}

bool IsKnownType(const EmberType& type) {  // by reference, as AsInt
  const int value = AsInt(type);
  return value >= EMBER_TYPE_FLOAT32 && value <= EMBER_TYPE_BFLOAT16;
}

// Shared by the three model constructors: runs `load` with a reporter and
// hands the result to the caller as a handle.
template <typename Load>
EmberStatus CreateModel(EmberModel** out, char* error, size_t error_size,
                        Load&& load) {
  if (out == nullptr) {
    WriteError(error, error_size, "out (EmberModel**) is NULL");
    return EMBER_STATUS_INVALID_ARGUMENT;
  }
  *out = nullptr;
  ErrorReporter errors;
  const EmberStatus status = Guard(&errors, [&]() -> EmberStatus {
    std::unique_ptr<Model> model;
    Status s = load(errors, &model);
    if (!s.ok()) return ToC(s);
    auto handle = std::make_unique<EmberModel>();
    handle->model = std::shared_ptr<const Model>(std::move(model));
    *out = handle.release();
    return EMBER_STATUS_OK;
  });
  if (status != EMBER_STATUS_OK)
    WriteError(error, error_size, errors.message());
  return status;
}

}  // namespace
}  // namespace ember::capi

using namespace ember;        // NOLINT: C entry points below
using namespace ember::capi;  // NOLINT

extern "C" {

const char* EmberVersion(void) { return EMBER_VERSION_STRING; }

int32_t EmberVersionNumber(void) { return EMBER_VERSION_NUMBER; }

const char* EmberStatusName(EmberStatus status) {
  const int value = AsInt(status);
  if (value < EMBER_STATUS_OK || value > EMBER_STATUS_INTERNAL)
    return "unknown status";
  return StatusCodeName(static_cast<StatusCode>(value));
}

const char* EmberTypeName(EmberType type) {
  if (!IsKnownType(type)) return "unknown";
  return DataTypeName(static_cast<DataType>(AsInt(type)));
}

size_t EmberTypeSize(EmberType type) {
  if (!IsKnownType(type)) return 0;
  return DataTypeSize(static_cast<DataType>(AsInt(type)));
}

EmberStatus EmberModelCreateFromFile(const char* path, EmberModel** out,
                                     char* error, size_t error_size) {
  return CreateModel(out, error, error_size,
                     [&](ErrorReporter& errors, std::unique_ptr<Model>* m) {
                       if (path == nullptr) {
                         return errors.Report(StatusCode::kInvalidArgument,
                                              "model path is NULL");
                       }
                       return Model::Load(path, errors, m);
                     });
}

EmberStatus EmberModelCreateFromBuffer(const void* data, size_t size,
                                       EmberModel** out, char* error,
                                       size_t error_size) {
  return CreateModel(out, error, error_size,
                     [&](ErrorReporter& errors, std::unique_ptr<Model>* m) {
                       return Model::FromBuffer(data, size, /*copy=*/true,
                                                errors, m);
                     });
}

EmberStatus EmberModelCreateFromBufferNoCopy(const void* data, size_t size,
                                             EmberModel** out, char* error,
                                             size_t error_size) {
  return CreateModel(out, error, error_size,
                     [&](ErrorReporter& errors, std::unique_ptr<Model>* m) {
                       return Model::FromBuffer(data, size, /*copy=*/false,
                                                errors, m);
                     });
}

void EmberModelDestroy(EmberModel* model) { delete model; }

int32_t EmberModelGetSubgraphCount(const EmberModel* model) {
  if (model == nullptr) return 0;
  const auto* sgs = model->model->fb()->subgraphs();
  return sgs ? static_cast<int32_t>(sgs->size()) : 0;
}

int32_t EmberModelGetSignatureCount(const EmberModel* model) {
  if (model == nullptr) return 0;
  const auto* sigs = model->model->fb()->signature_defs();
  return sigs ? static_cast<int32_t>(sigs->size()) : 0;
}

}  // extern "C"
