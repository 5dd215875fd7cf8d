// Ember: header-only C++17 wrappers over the C ABI (ember.h).
//
// RAII handles (Model, OpResolver, Interpreter, SignatureRunner), a
// non-owning Tensor view with type-checked typed access, and errors as
// values: functions return a Status or an Expected<T> carrying the
// message. Nothing here throws unless EMBER_CPP_EXCEPTIONS is defined, in
// which case Expected<T>::value() on an error and Status::ThrowIfError()
// throw ember::api::Error. (Without it, value() on an error prints the
// message and aborts: check ok() first.)
//
// Everything lives in namespace ember::api and uses only ember.h, so a
// program needs nothing but the installed headers and libember.so. The two
// error modes sit in different inline namespaces, so translation units
// built with and without EMBER_CPP_EXCEPTIONS can share a program.
//
// Needs C++17.
#ifndef EMBER_EMBER_HPP_
#define EMBER_EMBER_HPP_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(EMBER_CPP_EXCEPTIONS)
#include <stdexcept>
#endif

#include "ember/ember.h"

#if defined(EMBER_CPP_EXCEPTIONS)
#define EMBER_API_MODE_NAMESPACE throwing
#else
#define EMBER_API_MODE_NAMESPACE status_only
#endif

namespace ember::api {
inline namespace EMBER_API_MODE_NAMESPACE {

// ---------------------------------------------------------------------------
// Status and Expected<T>
// ---------------------------------------------------------------------------

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(EmberStatus code, std::string message)
      : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == EMBER_STATUS_OK; }
  EmberStatus code() const { return code_; }
  const char* code_name() const { return EmberStatusName(code_); }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>" (or "ok").
  std::string ToString() const {
    if (ok()) return "ok";
    std::string s = code_name();
    if (!message_.empty()) s += ": " + message_;
    return s;
  }
  void IgnoreError() const {}
#if defined(EMBER_CPP_EXCEPTIONS)
  inline void ThrowIfError() const;
#endif

 private:
  EmberStatus code_ = EMBER_STATUS_OK;
  std::string message_;
};

#if defined(EMBER_CPP_EXCEPTIONS)
class Error : public std::runtime_error {
 public:
  explicit Error(Status status)
      : std::runtime_error(status.ToString()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

inline void Status::ThrowIfError() const {
  if (!ok()) throw Error(*this);
}
#endif

namespace detail {
[[noreturn]] inline void FailValue(const Status& status) {
#if defined(EMBER_CPP_EXCEPTIONS)
  throw Error(status);
#else
  std::fprintf(stderr, "ember: value() called on an error: %s\n",
               status.ToString().c_str());
  std::abort();
#endif
}
}  // namespace detail

// A T or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : value_(std::move(value)) {}         // NOLINT: implicit
  Expected(Status status) : status_(std::move(status)) {  // NOLINT: implicit
    if (status_.ok())
      status_ =
          Status(EMBER_STATUS_INTERNAL, "Expected built from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // OK when a value is present.
  const Status& status() const { return status_; }

  T& value() & {
    if (!ok()) detail::FailValue(status_);
    return *value_;
  }
  const T& value() const& {
    if (!ok()) detail::FailValue(status_);
    return *value_;
  }
  T&& value() && {
    if (!ok()) detail::FailValue(status_);
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

// TypeOf<T>::value: the EmberType whose elements are T.
template <typename T>
struct TypeOf;
#define EMBER_API_TYPE_OF(cpp, tag)         \
  template <>                               \
  struct TypeOf<cpp> {                      \
    static constexpr EmberType value = tag; \
  };
EMBER_API_TYPE_OF(float, EMBER_TYPE_FLOAT32)
EMBER_API_TYPE_OF(double, EMBER_TYPE_FLOAT64)
EMBER_API_TYPE_OF(int8_t, EMBER_TYPE_INT8)
EMBER_API_TYPE_OF(uint8_t, EMBER_TYPE_UINT8)
EMBER_API_TYPE_OF(int16_t, EMBER_TYPE_INT16)
EMBER_API_TYPE_OF(uint16_t, EMBER_TYPE_UINT16)
EMBER_API_TYPE_OF(int32_t, EMBER_TYPE_INT32)
EMBER_API_TYPE_OF(uint32_t, EMBER_TYPE_UINT32)
EMBER_API_TYPE_OF(int64_t, EMBER_TYPE_INT64)
EMBER_API_TYPE_OF(uint64_t, EMBER_TYPE_UINT64)
EMBER_API_TYPE_OF(bool, EMBER_TYPE_BOOL)
#undef EMBER_API_TYPE_OF

static_assert(sizeof(bool) == 1, "EMBER_TYPE_BOOL elements are one byte");

inline const char* TypeName(EmberType type) { return EmberTypeName(type); }

// A pointer and a length (C++17 has no std::span).
template <typename T>
class Span {
 public:
  Span() = default;
  Span(T* data, size_t size) : data_(data), size_(size) {}
  T* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) const { return data_[i]; }
  T* begin() const { return data_; }
  T* end() const { return data_ + size_; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

// ---------------------------------------------------------------------------
// Tensor: a borrowed view (owned by an interpreter or an op context)
// ---------------------------------------------------------------------------

struct Quantization {
  std::vector<float> scales;         // empty when not quantized
  std::vector<int64_t> zero_points;  // same length as scales
  int32_t quantized_dimension = 0;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(EmberTensor* tensor) : t_(tensor) {}

  // False for the view returned by an out-of-range lookup.
  bool valid() const { return t_ != nullptr; }
  EmberTensor* get() const { return t_; }

  EmberType type() const { return EmberTensorType(t_); }
  const char* type_name() const { return EmberTypeName(type()); }
  const char* name() const { return t_ ? EmberTensorName(t_) : ""; }
  int rank() const { return t_ ? EmberTensorNumDims(t_) : 0; }
  int32_t dim(int i) const { return EmberTensorDim(t_, i); }
  std::vector<int32_t> shape() const {
    if (t_ == nullptr) return {};
    const int32_t* dims = EmberTensorDims(t_);
    return std::vector<int32_t>(dims, dims + rank());
  }
  int64_t num_elements() const { return EmberTensorNumElements(t_); }
  size_t byte_size() const { return EmberTensorByteSize(t_); }
  bool is_constant() const { return EmberTensorIsConstant(t_) != 0; }

  Quantization quantization() const {
    Quantization q;
    EmberQuantization c;
    if (EmberTensorGetQuantization(t_, &c) != EMBER_STATUS_OK || c.count <= 0)
      return q;
    q.quantized_dimension = c.quantized_dimension;
    q.scales.assign(c.scales, c.scales + c.count);
    q.zero_points.assign(static_cast<size_t>(c.count), 0);
    if (c.zero_points != nullptr)
      q.zero_points.assign(c.zero_points, c.zero_points + c.count);
    return q;
  }
  float scale() const { return EmberTensorQuantizationScale(t_); }
  int32_t zero_point() const { return EmberTensorQuantizationZeroPoint(t_); }

  // Read access, checked against the tensor's element type.
  template <typename T>
  Expected<Span<const T>> data() const {
    Status s = Check<T>(/*writable=*/false);
    if (!s.ok()) return s;
    return Span<const T>(static_cast<const T*>(EmberTensorData(t_)),
                         static_cast<size_t>(num_elements()));
  }
  // Write access; fails for constant tensors.
  template <typename T>
  Expected<Span<T>> mutable_data() const {
    Status s = Check<T>(/*writable=*/true);
    if (!s.ok()) return s;
    return Span<T>(static_cast<T*>(EmberTensorMutableData(t_)),
                   static_cast<size_t>(num_elements()));
  }

  // Copies `count` elements in; count must equal num_elements().
  template <typename T>
  Status CopyFrom(const T* values, size_t count) const {
    Status s = Check<T>(/*writable=*/true);
    if (!s.ok()) return s;
    if (count != static_cast<size_t>(num_elements()))
      return CountMismatch(count);
    return CopyFromBytes(values, count * sizeof(T));
  }
  template <typename T>
  Status CopyFrom(const std::vector<T>& values) const {
    static_assert(!std::is_same_v<T, bool>,
                  "std::vector<bool> is packed: copy from a bool array");
    return CopyFrom(values.data(), values.size());
  }
  // All elements, as a vector.
  template <typename T>
  Expected<std::vector<T>> ToVector() const {
    static_assert(!std::is_same_v<T, bool>,
                  "std::vector<bool> is packed: read data<bool>() instead");
    Status s = Check<T>(/*writable=*/false);
    if (!s.ok()) return s;
    std::vector<T> out(static_cast<size_t>(num_elements()));
    s = CopyToBytes(out.data(), out.size() * sizeof(T));
    if (!s.ok()) return s;
    return out;
  }

  // Untyped copies of exactly byte_size() bytes.
  Status CopyFromBytes(const void* data, size_t size) const {
    const EmberStatus s = EmberTensorCopyFromBuffer(t_, data, size);
    if (s == EMBER_STATUS_OK) return Status::Ok();
    return Status(
        s, Describe("cannot copy " + std::to_string(size) + " bytes into"));
  }
  Status CopyToBytes(void* data, size_t size) const {
    const EmberStatus s = EmberTensorCopyToBuffer(t_, data, size);
    if (s == EMBER_STATUS_OK) return Status::Ok();
    return Status(
        s, Describe("cannot copy " + std::to_string(size) + " bytes out of"));
  }

 private:
  template <typename T>
  Status Check(bool writable) const {
    if (t_ == nullptr)
      return Status(EMBER_STATUS_INVALID_ARGUMENT, "invalid (null) tensor");
    if (type() != TypeOf<T>::value) {
      return Status(EMBER_STATUS_INVALID_ARGUMENT,
                    std::string("tensor '") + name() + "' is " + type_name() +
                        ", not " + EmberTypeName(TypeOf<T>::value));
    }
    if (EmberTensorData(t_) == nullptr) {
      return Status(EMBER_STATUS_FAILED_PRECONDITION,
                    std::string("tensor '") + name() +
                        "' has no data (allocate tensors first)");
    }
    if (writable && is_constant()) {
      return Status(EMBER_STATUS_INVALID_ARGUMENT,
                    std::string("tensor '") + name() +
                        "' is a constant and cannot be written");
    }
    return Status::Ok();
  }
  Status CountMismatch(size_t count) const {
    return Status(EMBER_STATUS_INVALID_ARGUMENT,
                  std::string("tensor '") + name() + "' holds " +
                      std::to_string(num_elements()) + " elements, got " +
                      std::to_string(count));
  }
  std::string Describe(const std::string& what) const {
    if (t_ == nullptr) return what + " an invalid (null) tensor";
    std::string s = what + " tensor '" + name() + "' (" + type_name() + " [";
    for (int i = 0; i < rank(); ++i) {
      if (i) s += ", ";
      s += std::to_string(dim(i));
    }
    s += "], " + std::to_string(byte_size()) + " bytes";
    if (EmberTensorData(t_) == nullptr) s += ", not allocated";
    if (is_constant()) s += ", constant";
    return s + ")";
  }

  EmberTensor* t_ = nullptr;
};

// ---------------------------------------------------------------------------
// Custom ops
// ---------------------------------------------------------------------------

// The op context inside a custom op's callbacks.
class OpContext {
 public:
  explicit OpContext(EmberOpContext* context) : c_(context) {}
  EmberOpContext* get() const { return c_; }

  int num_inputs() const { return EmberOpContextGetInputCount(c_); }
  int num_outputs() const { return EmberOpContextGetOutputCount(c_); }
  Tensor input(int i) const { return Tensor(EmberOpContextGetInput(c_, i)); }
  Tensor output(int i) const { return Tensor(EmberOpContextGetOutput(c_, i)); }
  bool preparing() const { return EmberOpContextIsPreparing(c_) != 0; }
  int num_threads() const { return EmberOpContextGetNumThreads(c_); }
  // The per-instance state (CustomOp::op_data_size bytes).
  template <typename T>
  T* op_data() const {
    return static_cast<T*>(EmberOpContextGetOpData(c_));
  }
  Span<const uint8_t> custom_options() const {
    size_t size = 0;
    const void* data = EmberOpContextGetCustomOptions(c_, &size);
    return Span<const uint8_t>(static_cast<const uint8_t*>(data), size);
  }

  Status ResizeOutput(int i, const std::vector<int32_t>& dims) const {
    return Wrap(EmberOpContextResizeOutput(c_, i, dims.data(),
                                           static_cast<int32_t>(dims.size())));
  }
  Status SetOutputDynamic(int i) const {
    return Wrap(EmberOpContextSetOutputDynamic(c_, i));
  }
  Expected<int> RequestScratch(size_t bytes) const {
    int32_t index = -1;
    Status s = Wrap(EmberOpContextRequestScratch(c_, bytes, &index));
    if (!s.ok()) return s;
    return static_cast<int>(index);
  }
  void* scratch(int index) const { return EmberOpContextGetScratch(c_, index); }

  // Records `message` as the interpreter's error; returns it as a Status:
  //   return ctx.Error(EMBER_STATUS_INVALID_ARGUMENT, "needs 2 inputs");
  Status Error(EmberStatus code, const std::string& message) const {
    EmberOpContextReportError(c_, code, "%s", message.c_str());
    return Status(code, message);
  }

 private:
  // The C layer has recorded the message with the interpreter already.
  static Status Wrap(EmberStatus s) {
    return s == EMBER_STATUS_OK ? Status::Ok() : Status(s, std::string());
  }
  EmberOpContext* c_;
};

using CustomOpFn = std::function<Status(OpContext&)>;

struct CustomOp {
  CustomOpFn prepare;  // optional: outputs keep the model's shapes
  CustomOpFn eval;     // required
  size_t op_data_size = 0;
};

namespace detail {
struct HandleDeleter {
  void operator()(EmberModel* p) const { EmberModelDestroy(p); }
  void operator()(EmberOpResolver* p) const { EmberOpResolverDestroy(p); }
  void operator()(EmberInterpreter* p) const { EmberInterpreterDestroy(p); }
  void operator()(EmberSignatureRunner* p) const {
    EmberSignatureRunnerDestroy(p);
  }
  void operator()(EmberInterpreterOptions* p) const {
    EmberInterpreterOptionsDestroy(p);
  }
};
template <typename H>
using Handle = std::unique_ptr<H, HandleDeleter>;

inline EmberStatus CallCustom(const CustomOpFn& fn, EmberOpContext* context) {
  OpContext ctx(context);
#if defined(__cpp_exceptions)
  try {
#endif
    Status s = fn(ctx);
    if (!s.ok() && !s.message().empty())
      EmberOpContextReportError(context, s.code(), "%s", s.message().c_str());
    return s.code();
#if defined(__cpp_exceptions)
  } catch (const std::exception& e) {
    return EmberOpContextReportError(context, EMBER_STATUS_INTERNAL,
                                     "exception: %s", e.what());
  } catch (...) {
    return EmberOpContextReportError(context, EMBER_STATUS_INTERNAL,
                                     "unknown exception");
  }
#endif
}
inline EmberStatus PrepareTrampoline(EmberOpContext* context, void* user) {
  const auto* op = static_cast<const CustomOp*>(user);
  return op->prepare ? CallCustom(op->prepare, context) : EMBER_STATUS_OK;
}
inline EmberStatus EvalTrampoline(EmberOpContext* context, void* user) {
  return CallCustom(static_cast<const CustomOp*>(user)->eval, context);
}
inline void DestroyTrampoline(void* user) {
  delete static_cast<CustomOp*>(user);
}

constexpr size_t kErrorBufferSize = 512;
}  // namespace detail

// ---------------------------------------------------------------------------
// OpResolver
// ---------------------------------------------------------------------------

class OpResolver {
 public:
  // All builtin ops.
  static Expected<OpResolver> Create() {
    char error[detail::kErrorBufferSize] = "";
    EmberOpResolver* raw = nullptr;
    const EmberStatus s = EmberOpResolverCreate(&raw, error, sizeof(error));
    if (s != EMBER_STATUS_OK) return Status(s, error);
    return OpResolver(raw);
  }

  // Registers a custom op made of C++ callables.
  Status AddCustomOp(const std::string& name, CustomOp op) {
    if (!op.eval)
      return Status(EMBER_STATUS_INVALID_ARGUMENT,
                    "custom op '" + name + "': eval is empty");
    auto* user = new CustomOp(std::move(op));
    EmberCustomOp c{};
    c.struct_size = sizeof(c);
    c.prepare = &detail::PrepareTrampoline;
    c.eval = &detail::EvalTrampoline;
    c.user_data = user;
    c.destroy = &detail::DestroyTrampoline;
    c.op_data_size = user->op_data_size;
    const EmberStatus s = EmberOpResolverAddCustomOp(get(), name.c_str(), &c);
    if (s != EMBER_STATUS_OK) {
      delete user;  // not registered: still ours
      return Status(s, EmberOpResolverGetLastError(get()));
    }
    return Status::Ok();
  }
  // Registers a custom op written against the C ABI.
  Status AddCustomOp(const std::string& name, const EmberCustomOp& op) {
    const EmberStatus s = EmberOpResolverAddCustomOp(get(), name.c_str(), &op);
    if (s != EMBER_STATUS_OK)
      return Status(s, EmberOpResolverGetLastError(get()));
    return Status::Ok();
  }

  EmberOpResolver* get() const { return h_.get(); }

 private:
  explicit OpResolver(EmberOpResolver* raw) : h_(raw) {}
  detail::Handle<EmberOpResolver> h_;
};

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

class Model {
 public:
  static Expected<Model> FromFile(const std::string& path) {
    return Make([&](EmberModel** out, char* e, size_t n) {
      return EmberModelCreateFromFile(path.c_str(), out, e, n);
    });
  }
  // Copies the bytes.
  static Expected<Model> FromBuffer(const void* data, size_t size) {
    return Make([&](EmberModel** out, char* e, size_t n) {
      return EmberModelCreateFromBuffer(data, size, out, e, n);
    });
  }
  // Uses the bytes in place: keep them alive while the model or any
  // interpreter made from it exists.
  static Expected<Model> FromBufferNoCopy(const void* data, size_t size) {
    return Make([&](EmberModel** out, char* e, size_t n) {
      return EmberModelCreateFromBufferNoCopy(data, size, out, e, n);
    });
  }

  int num_subgraphs() const { return EmberModelGetSubgraphCount(get()); }
  int num_signatures() const { return EmberModelGetSignatureCount(get()); }
  EmberModel* get() const { return h_.get(); }

 private:
  explicit Model(EmberModel* raw) : h_(raw) {}
  template <typename Fn>
  static Expected<Model> Make(Fn&& create) {
    char error[detail::kErrorBufferSize] = "";
    EmberModel* raw = nullptr;
    const EmberStatus s = create(&raw, error, sizeof(error));
    if (s != EMBER_STATUS_OK) return Status(s, error);
    return Model(raw);
  }
  detail::Handle<EmberModel> h_;
};

// ---------------------------------------------------------------------------
// SignatureRunner and Interpreter
// ---------------------------------------------------------------------------

class SignatureRunner {
 public:
  const char* key() const { return EmberSignatureRunnerGetKey(get()); }
  std::vector<std::string> input_names() const {
    std::vector<std::string> names;
    const int n = EmberSignatureRunnerGetInputCount(get());
    for (int i = 0; i < n; ++i)
      names.emplace_back(EmberSignatureRunnerGetInputName(get(), i));
    return names;
  }
  std::vector<std::string> output_names() const {
    std::vector<std::string> names;
    const int n = EmberSignatureRunnerGetOutputCount(get());
    for (int i = 0; i < n; ++i)
      names.emplace_back(EmberSignatureRunnerGetOutputName(get(), i));
    return names;
  }
  Expected<Tensor> input(const std::string& name) const {
    EmberTensor* t = EmberSignatureRunnerGetInputTensor(get(), name.c_str());
    if (t == nullptr) return LastError(EMBER_STATUS_NOT_FOUND);
    return Tensor(t);
  }
  Expected<Tensor> output(const std::string& name) const {
    EmberTensor* t = EmberSignatureRunnerGetOutputTensor(get(), name.c_str());
    if (t == nullptr) return LastError(EMBER_STATUS_NOT_FOUND);
    return Tensor(t);
  }
  Status ResizeInput(const std::string& name,
                     const std::vector<int32_t>& dims) {
    return Wrap(EmberSignatureRunnerResizeInputTensor(
        get(), name.c_str(), dims.data(), static_cast<int32_t>(dims.size())));
  }
  Status AllocateTensors() {
    return Wrap(EmberSignatureRunnerAllocateTensors(get()));
  }
  Status Invoke() { return Wrap(EmberSignatureRunnerInvoke(get())); }
  std::string last_error() const {
    return EmberSignatureRunnerGetLastError(get());
  }
  EmberSignatureRunner* get() const { return h_.get(); }

 private:
  friend class Interpreter;
  explicit SignatureRunner(EmberSignatureRunner* raw) : h_(raw) {}
  Status LastError(EmberStatus code) const {
    return Status(code, EmberSignatureRunnerGetLastError(get()));
  }
  Status Wrap(EmberStatus s) const {
    return s == EMBER_STATUS_OK ? Status::Ok() : LastError(s);
  }
  detail::Handle<EmberSignatureRunner> h_;
};

struct InterpreterOptions {
  int num_threads = 1;
};

class Interpreter {
 public:
  // `resolver` may be null (builtin ops only). The interpreter keeps the
  // model and resolver alive on its own.
  static Expected<Interpreter> Create(const Model& model,
                                      const InterpreterOptions& options = {},
                                      const OpResolver* resolver = nullptr) {
    char error[detail::kErrorBufferSize] = "";
    EmberInterpreterOptions* raw_options = nullptr;
    EmberStatus s =
        EmberInterpreterOptionsCreate(&raw_options, error, sizeof(error));
    if (s != EMBER_STATUS_OK) return Status(s, error);
    detail::Handle<EmberInterpreterOptions> opts(raw_options);
    s = EmberInterpreterOptionsSetNumThreads(opts.get(), options.num_threads);
    if (s != EMBER_STATUS_OK) {
      return Status(s, "num_threads must be >= 1, got " +
                           std::to_string(options.num_threads));
    }
    EmberInterpreter* raw = nullptr;
    s = EmberInterpreterCreate(model.get(), opts.get(),
                               resolver ? resolver->get() : nullptr, &raw,
                               error, sizeof(error));
    if (s != EMBER_STATUS_OK) return Status(s, error);
    return Interpreter(raw);
  }

  int num_inputs() const { return EmberInterpreterGetInputCount(get()); }
  int num_outputs() const { return EmberInterpreterGetOutputCount(get()); }
  // Invalid views (valid() == false) when out of range.
  Tensor input(int i) const {
    return Tensor(EmberInterpreterGetInputTensor(get(), i));
  }
  Tensor output(int i) const {
    return Tensor(EmberInterpreterGetOutputTensor(get(), i));
  }
  int num_tensors() const { return EmberInterpreterGetTensorCount(get()); }
  Tensor tensor(int index) const {
    return Tensor(EmberInterpreterGetTensor(get(), index));
  }
  Expected<Tensor> tensor(const std::string& name) const {
    EmberTensor* t = EmberInterpreterGetTensorByName(get(), name.c_str());
    if (t == nullptr) return LastError(EMBER_STATUS_NOT_FOUND);
    return Tensor(t);
  }

  Status ResizeInput(int i, const std::vector<int32_t>& dims) {
    return Wrap(EmberInterpreterResizeInputTensor(
        get(), i, dims.data(), static_cast<int32_t>(dims.size())));
  }
  Status AllocateTensors() {
    return Wrap(EmberInterpreterAllocateTensors(get()));
  }
  Status Invoke() { return Wrap(EmberInterpreterInvoke(get())); }
  Status ResetVariables() {
    return Wrap(EmberInterpreterResetVariables(get()));
  }
  Status SetNumThreads(int n) {
    return Wrap(EmberInterpreterSetNumThreads(get(), n));
  }

  std::vector<std::string> signature_keys() const {
    std::vector<std::string> keys;
    const int n = EmberInterpreterGetSignatureCount(get());
    for (int i = 0; i < n; ++i)
      keys.emplace_back(EmberInterpreterGetSignatureKey(get(), i));
    return keys;
  }
  // An empty key picks the only signature of a one-signature model.
  Expected<SignatureRunner> GetSignatureRunner(const std::string& key = "") {
    EmberSignatureRunner* raw = nullptr;
    const EmberStatus s = EmberSignatureRunnerCreate(get(), key.c_str(), &raw);
    if (s != EMBER_STATUS_OK) return LastError(s);
    return SignatureRunner(raw);
  }

  std::string last_error() const { return EmberInterpreterGetLastError(get()); }
  EmberInterpreter* get() const { return h_.get(); }

 private:
  explicit Interpreter(EmberInterpreter* raw) : h_(raw) {}
  Status LastError(EmberStatus code) const {
    return Status(code, EmberInterpreterGetLastError(get()));
  }
  Status Wrap(EmberStatus s) const {
    return s == EMBER_STATUS_OK ? Status::Ok() : LastError(s);
  }
  detail::Handle<EmberInterpreter> h_;
};

}  // namespace EMBER_API_MODE_NAMESPACE
}  // namespace ember::api

#undef EMBER_API_MODE_NAMESPACE

#endif  // EMBER_EMBER_HPP_
