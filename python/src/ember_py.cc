// Low-level Python binding (module ember._ember). The LiteRT-compatible API
// lives in python/ember/interpreter.py on top of these few primitives.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "delegate/delegate.h"
#include "model/model.h"
#include "runtime/interpreter.h"
#include "trust/keys.h"
#include "trust/trust_policy.h"

namespace nb = nanobind;
using namespace ember;

namespace {

// Raised as ValueError (bad arguments/model) or RuntimeError (run time),
// like LiteRT does.
[[noreturn]] void Raise(StatusCode code, const char* message) {
  if (code == StatusCode::kInvalidArgument ||
      code == StatusCode::kInvalidModel || code == StatusCode::kNotFound ||
      code == StatusCode::kUnsupported) {
    throw nb::value_error(message);
  }
  throw std::runtime_error(message);
}

nb::dlpack::dtype DlType(DataType type) {
  using nb::dlpack::dtype_code;
  auto make = [](dtype_code code, int bits) {
    nb::dlpack::dtype d;
    d.code = static_cast<uint8_t>(code);
    d.bits = static_cast<uint8_t>(bits);
    d.lanes = 1;
    return d;
  };
  switch (type) {
    case DataType::kFloat32:
      return make(dtype_code::Float, 32);
    case DataType::kFloat16:
      return make(dtype_code::Float, 16);
    case DataType::kFloat64:
      return make(dtype_code::Float, 64);
    case DataType::kInt8:
      return make(dtype_code::Int, 8);
    case DataType::kInt16:
      return make(dtype_code::Int, 16);
    case DataType::kInt32:
      return make(dtype_code::Int, 32);
    case DataType::kInt64:
      return make(dtype_code::Int, 64);
    case DataType::kUInt8:
      return make(dtype_code::UInt, 8);
    case DataType::kUInt16:
      return make(dtype_code::UInt, 16);
    case DataType::kUInt32:
      return make(dtype_code::UInt, 32);
    case DataType::kUInt64:
      return make(dtype_code::UInt, 64);
    case DataType::kBool:
      return make(dtype_code::Bool, 8);
    case DataType::kComplex64:
      return make(dtype_code::Complex, 64);
    case DataType::kComplex128:
      return make(dtype_code::Complex, 128);
    default:
      return make(dtype_code::UInt, 8);
  }
}

// A loaded external delegate (ember.load_delegate).
struct PyDelegate {
  std::shared_ptr<delegate::Delegate> d;
  std::string name() const { return d->name(); }
};

PyDelegate LoadDelegate(
    const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& options) {
  PyDelegate out;
  std::string error;
  if (!delegate::CreateDelegate(path, options, &out.d, &error).ok())
    throw nb::value_error(error.c_str());
  return out;
}

class PyInterpreter {
 public:
  // delegates: what load_delegate returned; trusted_keys: public key file
  // contents (or 32 raw bytes each); device_key: empty for none, else a
  // device key file's contents.
  PyInterpreter(nb::bytes content, int num_threads, bool preserve_all,
                nb::list delegates, std::vector<nb::bytes> trusted_keys,
                nb::bytes device_key) {
    ErrorReporter errors;
    trust::TrustPolicy policy;
    for (const nb::bytes& text : trusted_keys) {
      trust::PublicKey key;
      if (text.size() == key.bytes.size()) {
        memcpy(key.bytes.data(), text.c_str(), key.bytes.size());
      } else if (!trust::ParsePublicKey(std::string(text.c_str(), text.size()),
                                        errors, &key)
                      .ok()) {
        Raise(StatusCode::kInvalidArgument,
              (std::string("trusted_keys: ") + errors.message()).c_str());
      }
      policy.trusted_keys.push_back(key);
    }
    if (device_key.size() > 0) {
      policy.device_key.emplace();
      if (!trust::ParseDeviceKey(
               std::string(device_key.c_str(), device_key.size()), errors,
               &*policy.device_key)
               .ok()) {
        Raise(StatusCode::kInvalidArgument,
              (std::string("device_key: ") + errors.message()).c_str());
      }
    }
    Status s = Model::FromBuffer(content.c_str(), content.size(), /*copy=*/true,
                                 policy, errors, &model_);
    if (!s.ok()) Raise(s.code(), errors.message());
    InterpreterOptions options;
    options.num_threads = num_threads;
    options.preserve_all_tensors = preserve_all;
    s = Interpreter::Create(*model_, OpResolver::Builtins(), options, errors,
                            &interp_);
    if (!s.ok()) Raise(s.code(), errors.message());
    std::vector<std::shared_ptr<delegate::Delegate>> list;
    for (nb::handle h : delegates) list.push_back(nb::cast<PyDelegate&>(h).d);
    if (!list.empty())
      Check(delegate::ApplyDelegates(*interp_, list, &delegates_));
  }

  // Per delegate: (name, nodes_taken, [(nodes, on_cpu, reason), ...]).
  nb::list delegate_report() {
    nb::list out;
    if (!delegates_) return out;
    for (const delegate::DelegateReport& r : delegates_->Report()) {
      nb::list parts;
      for (const delegate::PartitionReport& p : r.partitions)
        parts.append(nb::make_tuple(p.nodes, p.on_cpu, p.reason));
      out.append(nb::make_tuple(r.name, r.NodesTaken(), parts));
    }
    return out;
  }

  void Check(Status s) {
    if (!s.ok()) Raise(s.code(), interp_->errors().message());
  }

  Subgraph& sg(int index) {
    Subgraph* sg = interp_->subgraph(index);
    if (sg == nullptr) {
      throw nb::value_error(
          ("Invalid subgraph index " + std::to_string(index)).c_str());
    }
    return *sg;
  }

  Tensor& tensor(int index, int subgraph) {
    Subgraph& s = sg(subgraph);
    if (index < 0 || index >= static_cast<int>(s.tensors().size())) {
      throw nb::value_error(
          ("Invalid tensor index " + std::to_string(index)).c_str());
    }
    return s.tensors()[index];
  }

  int num_subgraphs() { return interp_->num_subgraphs(); }
  int num_tensors(int subgraph) {
    return static_cast<int>(sg(subgraph).tensors().size());
  }
  std::vector<int32_t> inputs(int subgraph) { return sg(subgraph).inputs(); }
  std::vector<int32_t> outputs(int subgraph) { return sg(subgraph).outputs(); }

  // (name, type, shape, shape_signature, scales, zero_points, qdim)
  nb::tuple info(int index, int subgraph) {
    const Tensor& t = tensor(index, subgraph);
    std::vector<int32_t> shape(t.shape.dims, t.shape.dims + t.shape.rank);
    const Shape sig = sg(subgraph).ShapeSignature(index);
    std::vector<int32_t> signature(sig.dims, sig.dims + sig.rank);
    std::vector<float> scales;
    std::vector<int64_t> zero_points;
    for (int i = 0; i < t.quant.count; ++i) {
      scales.push_back(t.quant.scale[i]);
      zero_points.push_back(t.quant.zero_point ? t.quant.zero_point[i] : 0);
    }
    return nb::make_tuple(std::string(t.name), static_cast<int>(t.type), shape,
                          signature, scales, zero_points,
                          t.quant.quantized_dimension, t.sparsity != nullptr);
  }

  void resize_input(int position, std::vector<int32_t> dims, int subgraph) {
    if (dims.size() > kMaxRank) throw nb::value_error("too many dimensions");
    Shape shape;
    shape.rank = static_cast<int32_t>(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) shape.dims[i] = dims[i];
    Check(sg(subgraph).ResizeInput(position, shape));
  }

  void allocate(int subgraph) {
    if (subgraph < 0) {
      Check(interp_->AllocateTensors());
    } else if (sg(subgraph).needs_allocation()) {
      Check(sg(subgraph).Allocate());
    }
  }
  void invoke(int subgraph) {
    nb::gil_scoped_release release;
    Check(sg(subgraph).Invoke());
  }
  void reset_variables() { Check(interp_->ResetVariables()); }
  bool needs_allocation(int subgraph) {
    return sg(subgraph).needs_allocation();
  }

  void copy_in(int index, int subgraph,
               nb::ndarray<nb::c_contig, nb::device::cpu> array) {
    Tensor& t = tensor(index, subgraph);
    if (t.data == nullptr)
      throw std::runtime_error(
          "Tensor is not allocated; call allocate_tensors() first");
    if (array.nbytes() != t.bytes) {
      throw nb::value_error(("Cannot set tensor: expected " +
                             std::to_string(t.bytes) + " bytes, got " +
                             std::to_string(array.nbytes()))
                                .c_str());
    }
    if (t.is_constant()) throw nb::value_error("Cannot set a constant tensor");
    memcpy(t.data, array.data(), t.bytes);
  }

  // A NumPy array that aliases the tensor's memory; keeps `self` alive.
  nb::object view(nb::handle self, int index, int subgraph) {
    Tensor& t = tensor(index, subgraph);
    if (t.data == nullptr)
      throw std::runtime_error(
          "Tensor data is null; call allocate_tensors() first");
    size_t shape[kMaxRank];
    for (int i = 0; i < t.shape.rank; ++i)
      shape[i] = static_cast<size_t>(t.shape.dims[i]);
    nb::ndarray<nb::numpy> array(t.data, static_cast<size_t>(t.shape.rank),
                                 shape, self, nullptr, DlType(t.type));
    return array.cast();
  }

  std::vector<nb::tuple> signatures() {
    std::vector<nb::tuple> out;
    for (const Signature& s : interp_->signatures()) {
      out.push_back(
          nb::make_tuple(s.key, s.subgraph_index, s.inputs, s.outputs));
    }
    return out;
  }

  std::vector<size_t> arena_bytes(int subgraph) {
    return {sg(subgraph).arena_bytes(), sg(subgraph).arena_lower_bound()};
  }

 private:
  std::unique_ptr<Model> model_;
  std::unique_ptr<Interpreter> interp_;
  std::shared_ptr<delegate::AppliedDelegates> delegates_;
};

}  // namespace

// The task library's classes (python/src/tasks_py.cc).
void AddTaskBindings(nb::module_& m);

NB_MODULE(_ember, m) {
  m.doc() = "Ember runtime, low-level binding (use ember.Interpreter)";
  nb::class_<PyInterpreter>(m, "_Interpreter")
      .def(nb::init<nb::bytes, int, bool, nb::list, std::vector<nb::bytes>,
                    nb::bytes>())
      .def("delegate_report", &PyInterpreter::delegate_report)
      .def("num_subgraphs", &PyInterpreter::num_subgraphs)
      .def("num_tensors", &PyInterpreter::num_tensors)
      .def("inputs", &PyInterpreter::inputs)
      .def("outputs", &PyInterpreter::outputs)
      .def("info", &PyInterpreter::info)
      .def("resize_input", &PyInterpreter::resize_input)
      .def("allocate", &PyInterpreter::allocate)
      .def("invoke", &PyInterpreter::invoke)
      .def("reset_variables", &PyInterpreter::reset_variables)
      .def("needs_allocation", &PyInterpreter::needs_allocation)
      .def("copy_in", &PyInterpreter::copy_in)
      .def("view",
           [](nb::handle self, int index, int subgraph) {
             return nb::cast<PyInterpreter&>(self).view(self, index, subgraph);
           })
      .def("signatures", &PyInterpreter::signatures)
      .def("arena_bytes", &PyInterpreter::arena_bytes);
  nb::class_<PyDelegate>(m, "_Delegate").def_prop_ro("name", &PyDelegate::name);
  m.def("load_delegate", &LoadDelegate);
  AddTaskBindings(m);
}
