/* Ember: the stable C ABI.
 *
 * Plain C99. Every object is an opaque handle with a create/destroy pair.
 * Functions return an EmberStatus, or a value whose error sentinel is
 * documented beside it (NULL, 0 or -1). Passing a NULL handle never crashes:
 * status-returning functions answer EMBER_STATUS_INVALID_ARGUMENT and value
 * functions their sentinel.
 *
 * Error messages:
 *  - creation functions that have no parent handle (models, resolvers,
 *    options, interpreters) take an optional `error` buffer of
 *    `error_size` bytes and write a NUL-terminated message into it on
 *    failure (truncated to fit; pass NULL/0 to skip);
 *  - everything else records a message on the handle it was called on,
 *    read back with Ember<Handle>GetLastError(). A message stays until the
 *    next failure on that handle replaces it.
 *
 * Lifetimes:
 *  - an interpreter keeps its model and op resolver alive: both may be
 *    destroyed right after EmberInterpreterCreate();
 *  - a signature runner keeps its interpreter's state alive;
 *  - EmberTensor pointers are borrowed from the interpreter (or from the op
 *    context inside a custom op) and die with it. A tensor's data pointer is
 *    valid until the next resize/allocate; outputs whose shape depends on
 *    input values may move on every invoke.
 *
 * Threads: handles are not synchronised. Use one interpreter from one
 * thread at a time; distinct interpreters may run concurrently (they may
 * share a model and a resolver).
 */
#ifndef EMBER_EMBER_H_
#define EMBER_EMBER_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(EMBER_BUILDING_LIBRARY)
#define EMBER_API __declspec(dllexport)
#else
#define EMBER_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define EMBER_API __attribute__((visibility("default")))
#else
#define EMBER_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define EMBER_PRINTF_FORMAT(fmt, args) \
  __attribute__((format(printf, fmt, args)))
#else
#define EMBER_PRINTF_FORMAT(fmt, args)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ----------------------------------------------------------------------
 * Version
 * -------------------------------------------------------------------- */

#define EMBER_VERSION_MAJOR 0
#define EMBER_VERSION_MINOR 1
#define EMBER_VERSION_PATCH 0
/* major * 10000 + minor * 100 + patch */
#define EMBER_VERSION_NUMBER                                 \
  (EMBER_VERSION_MAJOR * 10000 + EMBER_VERSION_MINOR * 100 + \
   EMBER_VERSION_PATCH)

/* The library's version as "major.minor.patch" (never NULL). */
EMBER_API const char* EmberVersion(void);
/* The library's EMBER_VERSION_NUMBER; compare with the header's to detect a
 * header/library mismatch. */
EMBER_API int32_t EmberVersionNumber(void);

/* ----------------------------------------------------------------------
 * Status codes and data types
 * -------------------------------------------------------------------- */

typedef enum EmberStatus {
  EMBER_STATUS_OK = 0,
  EMBER_STATUS_INVALID_ARGUMENT = 1, /* a bad argument (NULL, index...) */
  EMBER_STATUS_INVALID_MODEL = 2,    /* malformed model file */
  EMBER_STATUS_UNSUPPORTED = 3,      /* valid model, op/type not run */
  EMBER_STATUS_NOT_FOUND = 4,        /* file, signature, tensor name */
  EMBER_STATUS_OUT_OF_MEMORY = 5,
  EMBER_STATUS_FAILED_PRECONDITION = 6, /* e.g. invoke before allocate */
  EMBER_STATUS_IO_ERROR = 7,
  EMBER_STATUS_INTERNAL = 8
} EmberStatus;

/* A short lower-case name ("ok", "invalid argument", ...); never NULL. */
EMBER_API const char* EmberStatusName(EmberStatus status);

/* Values equal the .tflite TensorType enum. */
typedef enum EmberType {
  EMBER_TYPE_INVALID = -1, /* returned for a NULL tensor */
  EMBER_TYPE_FLOAT32 = 0,
  EMBER_TYPE_FLOAT16 = 1,
  EMBER_TYPE_INT32 = 2,
  EMBER_TYPE_UINT8 = 3,
  EMBER_TYPE_INT64 = 4,
  EMBER_TYPE_STRING = 5,
  EMBER_TYPE_BOOL = 6,
  EMBER_TYPE_INT16 = 7,
  EMBER_TYPE_COMPLEX64 = 8,
  EMBER_TYPE_INT8 = 9,
  EMBER_TYPE_FLOAT64 = 10,
  EMBER_TYPE_COMPLEX128 = 11,
  EMBER_TYPE_UINT64 = 12,
  EMBER_TYPE_RESOURCE = 13,
  EMBER_TYPE_VARIANT = 14,
  EMBER_TYPE_UINT32 = 15,
  EMBER_TYPE_UINT16 = 16,
  EMBER_TYPE_INT4 = 17,
  EMBER_TYPE_BFLOAT16 = 18
} EmberType;

/* "float32", "int8", ...; "unknown" for values outside the enum. */
EMBER_API const char* EmberTypeName(EmberType type);
/* Bytes per element; 0 for types without a fixed element size (string,
 * resource, variant, int4) and unknown values. */
EMBER_API size_t EmberTypeSize(EmberType type);

/* The largest rank a tensor can have. */
#define EMBER_MAX_RANK 8

/* ----------------------------------------------------------------------
 * Opaque handles
 * -------------------------------------------------------------------- */

typedef struct EmberModel EmberModel;
typedef struct EmberOpResolver EmberOpResolver;
typedef struct EmberInterpreterOptions EmberInterpreterOptions;
typedef struct EmberInterpreter EmberInterpreter;
typedef struct EmberSignatureRunner EmberSignatureRunner;
typedef struct EmberTensor EmberTensor;       /* borrowed, never destroyed */
typedef struct EmberOpContext EmberOpContext; /* valid inside a callback */
typedef struct EmberTrustPolicy EmberTrustPolicy;

/* ----------------------------------------------------------------------
 * Model: a verified, read-only .tflite flatbuffer
 * -------------------------------------------------------------------- */

/* Maps the file read-only (zero copy) and verifies it.
 * EMBER_STATUS_NOT_FOUND / IO_ERROR for file problems, INVALID_MODEL for
 * bad contents. On failure *out is set to NULL. */
EMBER_API EmberStatus EmberModelCreateFromFile(const char* path,
                                               EmberModel** out, char* error,
                                               size_t error_size);
/* Copies `size` bytes from `data`; the caller may free them afterwards. */
EMBER_API EmberStatus EmberModelCreateFromBuffer(const void* data, size_t size,
                                                 EmberModel** out, char* error,
                                                 size_t error_size);
/* Uses `data` in place: the caller keeps it alive and unchanged until the
 * model and every interpreter created from it are destroyed. Buffers that
 * are not 16-byte aligned are copied anyway (weights are read in place). */
EMBER_API EmberStatus EmberModelCreateFromBufferNoCopy(const void* data,
                                                       size_t size,
                                                       EmberModel** out,
                                                       char* error,
                                                       size_t error_size);
/* Releases the caller's reference (interpreters keep their own). NULL is a
 * no-op. */
EMBER_API void EmberModelDestroy(EmberModel* model);

/* Number of subgraphs / signatures in the file; 0 for NULL. */
EMBER_API int32_t EmberModelGetSubgraphCount(const EmberModel* model);
EMBER_API int32_t EmberModelGetSignatureCount(const EmberModel* model);

/* ----------------------------------------------------------------------
 * Trust policy: signed and encrypted models (format: docs/trust.md)
 * -------------------------------------------------------------------- */

/* An empty policy: no signature required, no device key. */
EMBER_API EmberStatus EmberTrustPolicyCreate(EmberTrustPolicy** out,
                                             char* error, size_t error_size);
/* NULL is a no-op. The device key is wiped. */
EMBER_API void EmberTrustPolicyDestroy(EmberTrustPolicy* policy);
/* Requires models to be signed by one of the added Ed25519 public keys:
 * a key file written by `ember keygen` (KEY.pub), or its 32 raw bytes. */
EMBER_API EmberStatus EmberTrustPolicyAddPublicKeyFile(EmberTrustPolicy* policy,
                                                       const char* path);
EMBER_API EmberStatus EmberTrustPolicyAddPublicKey(EmberTrustPolicy* policy,
                                                   const uint8_t* key,
                                                   size_t size);
/* The device key that opens encrypted models: a file (32 raw bytes, as
 * `ember keygen --symmetric` writes) or the 32 bytes themselves. */
EMBER_API EmberStatus EmberTrustPolicySetDeviceKeyFile(EmberTrustPolicy* policy,
                                                       const char* path);
EMBER_API EmberStatus EmberTrustPolicySetDeviceKey(EmberTrustPolicy* policy,
                                                   const uint8_t* key,
                                                   size_t size);
/* "" when no error was recorded; a static message for NULL. */
EMBER_API const char* EmberTrustPolicyGetLastError(
    const EmberTrustPolicy* policy);

/* Like EmberModelCreateFromFile / EmberModelCreateFromBuffer (copying),
 * under `policy` (NULL: an empty one). An encrypted model is decrypted
 * into memory only; a signature is checked before any of the model is
 * parsed. Unsigned, wrongly signed, tampered, or undecryptable models give
 * EMBER_STATUS_INVALID_MODEL with a message that names the reason. */
EMBER_API EmberStatus EmberModelCreateFromFileWithPolicy(
    const char* path, const EmberTrustPolicy* policy, EmberModel** out,
    char* error, size_t error_size);
EMBER_API EmberStatus EmberModelCreateFromBufferWithPolicy(
    const void* data, size_t size, const EmberTrustPolicy* policy,
    EmberModel** out, char* error, size_t error_size);

/* ----------------------------------------------------------------------
 * Model updates: A/B slots, staged rollout, rollback (docs/update.md)
 * -------------------------------------------------------------------- */

typedef struct EmberUpdater EmberUpdater;

/* Opens (creating) the state folder `state_dir`. `policy` gives the
 * publisher's public keys (required: bundles and models must be signed);
 * it is copied. `device_id` is hashed against a bundle's rollout
 * percentage. Opening recovers from an interrupted update and rolls back a
 * model that crashed on its first use. */
EMBER_API EmberStatus EmberUpdaterCreate(const char* state_dir,
                                         const EmberTrustPolicy* policy,
                                         const char* device_id,
                                         EmberUpdater** out, char* error,
                                         size_t error_size);
/* NULL is a no-op. */
EMBER_API void EmberUpdaterDestroy(EmberUpdater* updater);
/* Fetches the bundle whose manifest is at `manifest_url` (http, https,
 * file), verifies, stages, health-checks and switches to it. *installed
 * (may be NULL) is 1 when a new version became active, 0 when it was up to
 * date or outside the rollout. On failure the active model is unchanged. */
EMBER_API EmberStatus EmberUpdaterApply(EmberUpdater* updater,
                                        const char* manifest_url,
                                        int* installed);
/* Makes the previous version active again and rejects the current one. */
EMBER_API EmberStatus EmberUpdaterRollback(EmberUpdater* updater);
/* The active model file ("" when none); valid until the next call on
 * `updater`. */
EMBER_API const char* EmberUpdaterGetActiveModelPath(EmberUpdater* updater);
/* Call Begin before the first invoke of a newly activated model and
 * Confirm after it succeeded: a process that dies in between is rolled
 * back at the next EmberUpdaterCreate. No-ops when nothing is pending. */
EMBER_API EmberStatus EmberUpdaterBeginFirstUse(EmberUpdater* updater);
EMBER_API EmberStatus EmberUpdaterConfirmFirstUse(EmberUpdater* updater);
/* Versions, slots and history as JSON (what `ember update status --json`
 * prints); valid until the next call on `updater`. */
EMBER_API const char* EmberUpdaterGetStatusJson(EmberUpdater* updater);
/* "" when no error was recorded; a static message for NULL. */
EMBER_API const char* EmberUpdaterGetLastError(const EmberUpdater* updater);

/* ----------------------------------------------------------------------
 * Custom ops written in C
 * -------------------------------------------------------------------- */

/* Callbacks of one custom op. Both receive the registration's user_data.
 * Return EMBER_STATUS_OK, or an error (preferably after
 * EmberOpContextReportError(), which supplies the message). */
typedef EmberStatus (*EmberCustomOpFn)(EmberOpContext* context,
                                       void* user_data);

typedef struct EmberCustomOp {
  /* Set to sizeof(EmberCustomOp): lets later versions add fields. */
  size_t struct_size;
  /* Runs at allocate time and after every input resize: validate inputs,
   * set output shapes with EmberOpContextResizeOutput(), request scratch.
   * May be NULL: outputs then keep the shapes stored in the model. Input
   * data is readable here only for constant inputs. */
  EmberCustomOpFn prepare;
  /* Runs on every invoke: compute outputs. Required. */
  EmberCustomOpFn eval;
  /* Passed to prepare/eval; owned by the caller unless `destroy` is set. */
  void* user_data;
  /* Optional: called with user_data once the resolver and every
   * interpreter created with it are gone. */
  void (*destroy)(void* user_data);
  /* Bytes of zero-initialised state per op instance in a model, reachable
   * with EmberOpContextGetOpData() (64-byte aligned). May be 0. */
  size_t op_data_size;
} EmberCustomOp;

/* Number of inputs/outputs of the op (0 for NULL). */
EMBER_API int32_t EmberOpContextGetInputCount(const EmberOpContext* context);
EMBER_API int32_t EmberOpContextGetOutputCount(const EmberOpContext* context);
/* Input/output `index`; NULL when out of range or when an optional input
 * is absent. */
EMBER_API EmberTensor* EmberOpContextGetInput(const EmberOpContext* context,
                                              int32_t index);
EMBER_API EmberTensor* EmberOpContextGetOutput(const EmberOpContext* context,
                                               int32_t index);
/* The op instance's state (EmberCustomOp.op_data_size bytes); NULL when
 * op_data_size is 0. */
EMBER_API void* EmberOpContextGetOpData(const EmberOpContext* context);
/* The operator's raw custom_options bytes; NULL (and *size 0) if none.
 * `size` may be NULL. */
EMBER_API const void* EmberOpContextGetCustomOptions(
    const EmberOpContext* context, size_t* size);
/* 1 inside prepare, 0 inside eval (and for NULL). */
EMBER_API int EmberOpContextIsPreparing(const EmberOpContext* context);
/* The interpreter's thread budget (>= 1; 1 for NULL). */
EMBER_API int32_t EmberOpContextGetNumThreads(const EmberOpContext* context);

/* Prepare: sets the shape of output `index` (memory is planned after
 * prepare). Eval: allowed only for outputs marked dynamic, or with the
 * shape the output already has. `rank` is 0..EMBER_MAX_RANK and `dims`
 * may be NULL when rank is 0. */
EMBER_API EmberStatus EmberOpContextResizeOutput(EmberOpContext* context,
                                                 int32_t index,
                                                 const int32_t* dims,
                                                 int32_t rank);
/* Prepare only: output `index`'s shape is known only in eval (it depends on
 * input values); eval must then call EmberOpContextResizeOutput() before
 * writing it. */
EMBER_API EmberStatus EmberOpContextSetOutputDynamic(EmberOpContext* context,
                                                     int32_t index);
/* Prepare only: reserves `bytes` of scratch for eval; *index names it. At
 * most 4 per op instance. */
EMBER_API EmberStatus EmberOpContextRequestScratch(EmberOpContext* context,
                                                   size_t bytes,
                                                   int32_t* index);
/* Eval only: the scratch buffer reserved under `index` (64-byte aligned);
 * NULL for an unknown index. */
EMBER_API void* EmberOpContextGetScratch(const EmberOpContext* context,
                                         int32_t index);
/* Records a printf-style message (prefixed with the op's name and position)
 * as the interpreter's last error and returns `status`, so that a callback
 * can write `return EmberOpContextReportError(ctx, ..., "...", ...);`. */
EMBER_API EmberStatus EmberOpContextReportError(EmberOpContext* context,
                                                EmberStatus status,
                                                const char* format, ...)
    EMBER_PRINTF_FORMAT(3, 4);

/* ----------------------------------------------------------------------
 * Op resolver: which kernels run which ops
 * -------------------------------------------------------------------- */

/* A resolver holding all of Ember's builtin ops. */
EMBER_API EmberStatus EmberOpResolverCreate(EmberOpResolver** out, char* error,
                                            size_t error_size);
/* Releases the caller's reference (interpreters keep their own). NULL is a
 * no-op. */
EMBER_API void EmberOpResolverDestroy(EmberOpResolver* resolver);
/* Registers (or replaces) the custom op whose custom_code is `name`. The
 * struct is copied. Interpreters created before the call do not see it. */
EMBER_API EmberStatus EmberOpResolverAddCustomOp(EmberOpResolver* resolver,
                                                 const char* name,
                                                 const EmberCustomOp* op);
/* "" when no error was recorded; a static message for NULL. */
EMBER_API const char* EmberOpResolverGetLastError(
    const EmberOpResolver* resolver);

/* ----------------------------------------------------------------------
 * Interpreter options
 * -------------------------------------------------------------------- */

EMBER_API EmberStatus EmberInterpreterOptionsCreate(
    EmberInterpreterOptions** out, char* error, size_t error_size);
EMBER_API void EmberInterpreterOptionsDestroy(EmberInterpreterOptions* options);
/* Threads ops may use; must be >= 1 (default 1). */
EMBER_API EmberStatus EmberInterpreterOptionsSetNumThreads(
    EmberInterpreterOptions* options, int32_t num_threads);

/* ----------------------------------------------------------------------
 * Interpreter
 * -------------------------------------------------------------------- */

/* `options` and `resolver` may be NULL (defaults; builtin ops only).
 * EMBER_STATUS_UNSUPPORTED lists every op the resolver lacks. The options
 * are copied; the model and resolver are kept alive by the interpreter. */
EMBER_API EmberStatus EmberInterpreterCreate(
    const EmberModel* model, const EmberInterpreterOptions* options,
    const EmberOpResolver* resolver, EmberInterpreter** out, char* error,
    size_t error_size);
/* NULL is a no-op. */
EMBER_API void EmberInterpreterDestroy(EmberInterpreter* interpreter);
/* "" when no error was recorded; a static message for NULL. The pointer is
 * valid until the next call on the interpreter. */
EMBER_API const char* EmberInterpreterGetLastError(
    const EmberInterpreter* interpreter);

/* Inputs/outputs of the primary subgraph (subgraph 0); 0 for NULL. */
EMBER_API int32_t
EmberInterpreterGetInputCount(const EmberInterpreter* interpreter);
EMBER_API int32_t
EmberInterpreterGetOutputCount(const EmberInterpreter* interpreter);
/* NULL (with a last error) when out of range. */
EMBER_API EmberTensor* EmberInterpreterGetInputTensor(
    const EmberInterpreter* interpreter, int32_t index);
EMBER_API EmberTensor* EmberInterpreterGetOutputTensor(
    const EmberInterpreter* interpreter, int32_t index);
/* All tensors of the primary subgraph, by tensor index. */
EMBER_API int32_t
EmberInterpreterGetTensorCount(const EmberInterpreter* interpreter);
EMBER_API EmberTensor* EmberInterpreterGetTensor(
    const EmberInterpreter* interpreter, int32_t tensor_index);
/* The first tensor of the primary subgraph with this name; NULL (and
 * EMBER_STATUS_NOT_FOUND as last error) when there is none. */
EMBER_API EmberTensor* EmberInterpreterGetTensorByName(
    const EmberInterpreter* interpreter, const char* name);

/* Gives input `index` a new shape; takes effect at the next
 * EmberInterpreterAllocateTensors(), which must run before invoking. */
EMBER_API EmberStatus
EmberInterpreterResizeInputTensor(EmberInterpreter* interpreter, int32_t index,
                                  const int32_t* dims, int32_t rank);
/* Prepares ops and plans memory (again, after a resize). */
EMBER_API EmberStatus
EmberInterpreterAllocateTensors(EmberInterpreter* interpreter);
/* Runs the primary subgraph. EMBER_STATUS_FAILED_PRECONDITION when tensors
 * are not allocated. */
EMBER_API EmberStatus EmberInterpreterInvoke(EmberInterpreter* interpreter);
/* Restores every variable tensor to its initial value. */
EMBER_API EmberStatus
EmberInterpreterResetVariables(EmberInterpreter* interpreter);
/* Changes the thread budget (>= 1) for later invokes. */
EMBER_API EmberStatus EmberInterpreterSetNumThreads(
    EmberInterpreter* interpreter, int32_t num_threads);

/* Signature keys, by index; 0 / NULL for NULL or out of range. */
EMBER_API int32_t
EmberInterpreterGetSignatureCount(const EmberInterpreter* interpreter);
EMBER_API const char* EmberInterpreterGetSignatureKey(
    const EmberInterpreter* interpreter, int32_t index);

/* ----------------------------------------------------------------------
 * Signature runner: named inputs/outputs of one SignatureDef
 * -------------------------------------------------------------------- */

/* The runner for signature `key`. A NULL or empty key picks the only
 * signature of a model that has exactly one. EMBER_STATUS_NOT_FOUND (with
 * the known keys in the interpreter's last error) for an unknown key. */
EMBER_API EmberStatus EmberSignatureRunnerCreate(EmberInterpreter* interpreter,
                                                 const char* key,
                                                 EmberSignatureRunner** out);
/* NULL is a no-op. */
EMBER_API void EmberSignatureRunnerDestroy(EmberSignatureRunner* runner);
/* "" when no error was recorded; a static message for NULL. */
EMBER_API const char* EmberSignatureRunnerGetLastError(
    const EmberSignatureRunner* runner);
/* The signature's key; NULL for NULL. */
EMBER_API const char* EmberSignatureRunnerGetKey(
    const EmberSignatureRunner* runner);

EMBER_API int32_t
EmberSignatureRunnerGetInputCount(const EmberSignatureRunner* runner);
EMBER_API int32_t
EmberSignatureRunnerGetOutputCount(const EmberSignatureRunner* runner);
/* Names in signature order; NULL when out of range. */
EMBER_API const char* EmberSignatureRunnerGetInputName(
    const EmberSignatureRunner* runner, int32_t index);
EMBER_API const char* EmberSignatureRunnerGetOutputName(
    const EmberSignatureRunner* runner, int32_t index);
/* The tensor behind a signature name; NULL (and EMBER_STATUS_NOT_FOUND as
 * last error) for an unknown name. */
EMBER_API EmberTensor* EmberSignatureRunnerGetInputTensor(
    const EmberSignatureRunner* runner, const char* name);
EMBER_API EmberTensor* EmberSignatureRunnerGetOutputTensor(
    const EmberSignatureRunner* runner, const char* name);

EMBER_API EmberStatus EmberSignatureRunnerResizeInputTensor(
    EmberSignatureRunner* runner, const char* name, const int32_t* dims,
    int32_t rank);
EMBER_API EmberStatus
EmberSignatureRunnerAllocateTensors(EmberSignatureRunner* runner);
EMBER_API EmberStatus EmberSignatureRunnerInvoke(EmberSignatureRunner* runner);

/* ----------------------------------------------------------------------
 * Tensors (borrowed views; no error state of their own)
 * -------------------------------------------------------------------- */

/* EMBER_TYPE_INVALID for NULL. */
EMBER_API EmberType EmberTensorType(const EmberTensor* tensor);
/* Number of dimensions (0 for a scalar); -1 for NULL. */
EMBER_API int32_t EmberTensorNumDims(const EmberTensor* tensor);
/* Dimension `index`; -1 for NULL or out of range. */
EMBER_API int32_t EmberTensorDim(const EmberTensor* tensor, int32_t index);
/* The EmberTensorNumDims() dims as an array; NULL for NULL. */
EMBER_API const int32_t* EmberTensorDims(const EmberTensor* tensor);
/* Product of dims (1 for a scalar); 0 for NULL. */
EMBER_API int64_t EmberTensorNumElements(const EmberTensor* tensor);
/* Bytes of data (0 before allocation and for NULL). */
EMBER_API size_t EmberTensorByteSize(const EmberTensor* tensor);
/* The tensor's name as stored in the model ("" if unnamed); NULL for
 * NULL. */
EMBER_API const char* EmberTensorName(const EmberTensor* tensor);
/* 1 for constant (weight) tensors, whose bytes live in the read-only model;
 * 0 otherwise and for NULL. */
EMBER_API int EmberTensorIsConstant(const EmberTensor* tensor);
/* Readable data; NULL before allocation and for NULL. */
EMBER_API const void* EmberTensorData(const EmberTensor* tensor);
/* Writable data; NULL before allocation, for constant tensors and for
 * NULL. */
EMBER_API void* EmberTensorMutableData(EmberTensor* tensor);

/* Affine quantization: real = scale * (q - zero_point). */
typedef struct EmberQuantization {
  /* Number of (scale, zero point) pairs: 0 when not quantized, 1 for
   * per-tensor, else one per slice along quantized_dimension. */
  int32_t count;
  int32_t quantized_dimension;
  const float* scales;        /* `count` entries, NULL when count is 0 */
  const int64_t* zero_points; /* `count` entries, or NULL meaning all 0 */
} EmberQuantization;

/* Fills *out (all zero when the tensor is not quantized). */
EMBER_API EmberStatus EmberTensorGetQuantization(const EmberTensor* tensor,
                                                 EmberQuantization* out);
/* Per-tensor shortcuts: the first scale / zero point; 0 when not
 * quantized and for NULL. */
EMBER_API float EmberTensorQuantizationScale(const EmberTensor* tensor);
EMBER_API int32_t EmberTensorQuantizationZeroPoint(const EmberTensor* tensor);

/* Copies exactly EmberTensorByteSize() bytes in/out.
 * EMBER_STATUS_INVALID_ARGUMENT when `size` differs or the tensor is
 * constant (copy-in); EMBER_STATUS_FAILED_PRECONDITION before
 * allocation. */
EMBER_API EmberStatus EmberTensorCopyFromBuffer(EmberTensor* tensor,
                                                const void* data, size_t size);
EMBER_API EmberStatus EmberTensorCopyToBuffer(const EmberTensor* tensor,
                                              void* data, size_t size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EMBER_EMBER_H_ */
