// `ember micro`: the micro runtime (src/micro) from the command line.
//   ember micro run MODEL [--input NAME=FILE.npy ...] [--random-inputs SEED]
//                         [--output-dir DIR] [--json]
//     runs the model in the micro interpreter on the host and prints every
//     output as the exported firmware does (one line per output).
//   ember micro export MODEL -o DIR --target T [--input ...]
//                         [--random-inputs SEED] [--build] [--json]
//     writes a standalone project (model and inputs as C arrays, a resolver
//     with exactly the model's ops, an arena sized to the plan, a main that
//     prints every output over semihosting, a Makefile) that `make -C DIR`
//     builds with Debian's cross toolchain and `make -C DIR run` runs
//     under QEMU. With --trust KEY.pub (repeatable) the model must be signed
//     (`ember sign`) by one of the keys: the project embeds the signed bytes
//     and the keys, and its main refuses the model unless the signature
//     verifies (MicroInterpreter::RequireSignature, docs/trust.md).
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "command_registry.h"
#include "inputs.h"
#include "io/npy.h"
#include "micro/micro_interpreter.h"
#include "micro/micro_verify.h"
#include "micro_aot.h"
#include "micro_arduino.h"
#include "micro_sources.h"
#include "runtime/interpreter.h"
#include "trust/keys.h"
#include "trust/signature.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;
using micro::MicroStatus;
using micro::MicroTensor;

struct MicroArgs {
  std::string model_path;
  std::vector<std::string> inputs;
  bool random_inputs = false;
  uint64_t seed = 0;
  std::string output_dir;  // run: npy files; export: the project
  std::string target = "cortex-m4";
  bool build = false;
  bool json = false;
  bool arduino = false;     // export: an Arduino library instead of a project
  bool no_patches = false;  // --aot without patch-based execution
  int32_t patch_rows = 0;   // --aot: only bands of this many rows (0: any)
  bool no_reorder = false;  // --aot: the model's op order
  bool aot = false;  // export: ahead-of-time compiled C++, no interpreter
  std::vector<std::string> trusted_keys;  // export: --trust KEY.pub files
};

// What --trust adds to an export: the signed file's bytes and the keys.
struct TrustedExport {
  std::vector<uint8_t> signed_model;  // model || signature trailer
  std::vector<trust::PublicKey> keys;
  bool any() const { return !keys.empty(); }
};

// One export target: compiler, flags, the QEMU machine and its memory.
struct MicroTarget {
  const char* name;
  const char* cross;  // toolchain prefix
  const char* arch_flags;
  const char* qemu;  // command before the ELF
  const char* rom_origin;
  const char* rom_length;
  const char* ram_origin;
  const char* ram_length;
  bool riscv;
};

const MicroTarget kTargets[] = {
    {"cortex-m3", "arm-none-eabi-", "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft",
     "qemu-system-arm -M mps2-an385", "0x00000000", "4M", "0x20000000", "4M",
     false},
    {"cortex-m4", "arm-none-eabi-",
     "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
     "qemu-system-arm -M mps2-an386", "0x00000000", "4M", "0x20000000", "4M",
     false},
    {"cortex-m7", "arm-none-eabi-",
     "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16",
     "qemu-system-arm -M mps2-an500", "0x00000000", "4M", "0x20000000", "4M",
     false},
    {"cortex-m33", "arm-none-eabi-",
     "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16",
     "qemu-system-arm -M mps2-an505", "0x10000000", "4M", "0x38000000", "2M",
     false},
    {"cortex-m55", "arm-none-eabi-",
     "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard",
     "qemu-system-arm -M mps3-an547", "0x10000000", "512K", "0x30000000",
     "512K", false},
    {"riscv32", "riscv64-unknown-elf-",
     "-march=rv32imac -mabi=ilp32 -mcmodel=medany",
     "qemu-system-riscv32 -M virt -bios none", "0x80000000", "4M", "0x80400000",
     "4M", true},
};

const MicroTarget* FindTarget(const std::string& name) {
  for (const MicroTarget& t : kTargets)
    if (name == t.name) return &t;
  return nullptr;
}

std::string TargetList() {
  std::string s;
  for (const MicroTarget& t : kTargets)
    s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

// The micro resolver's Add*() for each builtin op it has.
const std::map<int32_t, const char*>& MicroAddFunctions() {
  static const std::map<int32_t, const char*> m = {
      {static_cast<int32_t>(fb::BuiltinOperator::ADD), "AddAdd"},
      {static_cast<int32_t>(fb::BuiltinOperator::AVERAGE_POOL_2D),
       "AddAveragePool2D"},
      {static_cast<int32_t>(fb::BuiltinOperator::CONV_2D), "AddConv2D"},
      {static_cast<int32_t>(fb::BuiltinOperator::DEPTHWISE_CONV_2D),
       "AddDepthwiseConv2D"},
      {static_cast<int32_t>(fb::BuiltinOperator::DEQUANTIZE), "AddDequantize"},
      {static_cast<int32_t>(fb::BuiltinOperator::FULLY_CONNECTED),
       "AddFullyConnected"},
      {static_cast<int32_t>(fb::BuiltinOperator::MAX_POOL_2D), "AddMaxPool2D"},
      {static_cast<int32_t>(fb::BuiltinOperator::MUL), "AddMul"},
      {static_cast<int32_t>(fb::BuiltinOperator::QUANTIZE), "AddQuantize"},
      {static_cast<int32_t>(fb::BuiltinOperator::RESHAPE), "AddReshape"},
      {static_cast<int32_t>(fb::BuiltinOperator::SOFTMAX), "AddSoftmax"},
      {static_cast<int32_t>(fb::BuiltinOperator::SVDF), "AddSvdf"},
      {static_cast<int32_t>(fb::BuiltinOperator::CAST), "AddCast"},
      {static_cast<int32_t>(fb::BuiltinOperator::CONCATENATION),
       "AddConcatenation"},
      {static_cast<int32_t>(fb::BuiltinOperator::DIV), "AddDiv"},
      {static_cast<int32_t>(fb::BuiltinOperator::MAXIMUM), "AddMaximum"},
      {static_cast<int32_t>(fb::BuiltinOperator::MINIMUM), "AddMinimum"},
      {static_cast<int32_t>(fb::BuiltinOperator::STRIDED_SLICE),
       "AddStridedSlice"},
  };
  return m;
}

// One op of a model: a builtin code, or CUSTOM with its custom code.
struct MicroOpKey {
  int32_t code = 0;
  std::string custom;  // empty for builtins
  bool operator<(const MicroOpKey& o) const {
    return code != o.code ? code < o.code : custom < o.custom;
  }
};

// The micro resolver's Add*() for each custom op it has (the TFLM signal
// library's audio front end).
const std::map<std::string, const char*>& MicroAddCustomFunctions() {
  static const std::map<std::string, const char*> m = {
      {"SignalWindow", "AddSignalWindow"},
      {"SignalFftAutoScale", "AddSignalFftAutoScale"},
      {"SignalRfft", "AddSignalRfft"},
      {"SignalEnergy", "AddSignalEnergy"},
      {"SignalFilterBank", "AddSignalFilterBank"},
      {"SignalFilterBankSquareRoot", "AddSignalFilterBankSquareRoot"},
      {"SignalFilterBankSpectralSubtraction",
       "AddSignalFilterBankSpectralSubtraction"},
      {"SignalFilterBankLog", "AddSignalFilterBankLog"},
      {"SignalPCAN", "AddSignalPCAN"},
  };
  return m;
}

// The Add*() of `op`, or nullptr when the micro runtime lacks it.
const char* MicroAddFunction(const MicroOpKey& op) {
  if (!op.custom.empty()) {
    const auto it = MicroAddCustomFunctions().find(op.custom);
    return it == MicroAddCustomFunctions().end() ? nullptr : it->second;
  }
  const auto it = MicroAddFunctions().find(op.code);
  return it == MicroAddFunctions().end() ? nullptr : it->second;
}

// Everything a micro run needs, kept alive together.
struct MicroSession {
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> host;  // input matching and generation
  std::vector<uint64_t> model_copy;   // 16-byte aligned model bytes
  size_t model_size = 0;
  micro::MicroOpResolver<32> resolver;
  std::vector<uint64_t> arena;
  std::unique_ptr<micro::MicroInterpreter> interp;
  std::vector<std::vector<uint8_t>> input_bytes;
  std::vector<std::string> output_names;  // sanitized, deduplicated
  std::vector<MicroOpKey> op_codes;       // distinct, in model order
  std::string error;                      // last micro error
};

void OnMicroError(void* user, const micro::MicroError& e) {
  auto* s = static_cast<MicroSession*>(user);
  s->error = std::string(micro::MicroStatusName(e.status)) + ": " + e.message;
  if (e.op_index >= 0) s->error += " (op #" + std::to_string(e.op_index) + ")";
  if (e.tensor_index >= 0)
    s->error += " (tensor #" + std::to_string(e.tensor_index) + ")";
  if (e.needed_bytes > 0) {
    s->error += ": needs " + std::to_string(e.needed_bytes) + " bytes, has " +
                std::to_string(e.available_bytes);
  }
}

// Loads the model in both interpreters, fills the inputs (files, random or
// zeros) and runs the micro interpreter once.
int PrepareSession(const MicroArgs& a, MicroSession* s) {
  if (!LoadModelFile(a.model_path, &s->model)) return kExitError;
  ErrorReporter errors;
  InterpreterOptions options;
  options.force_reference_kernels = true;
  if (!Interpreter::Create(*s->model, OpResolver::Builtins(), options, errors,
                           &s->host)
           .ok())
    return Fail(kExitError, "%s", errors.message());
  Subgraph& sg = s->host->primary();
  std::vector<std::string> files;
  if (int rc = MatchInputSpecs(a.inputs, sg, &files)) return rc;
  std::vector<NpyArray> arrays(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].empty()) continue;
    ErrorReporter e;
    if (!ReadNpy(files[i], &arrays[i], e).ok())
      return Fail(kExitError, "input '%s': %s", files[i].c_str(), e.message());
    if (int rc = ApplyInputArray(arrays[i], "'" + files[i] + "'",
                                 static_cast<int>(i), sg))
      return rc;
  }
  if (!s->host->AllocateTensors().ok())
    return Fail(kExitError, "%s", s->host->errors().message());

  s->model_size = s->model->size();
  s->model_copy.assign(s->model_size / 8 + 2, 0);
  std::memcpy(s->model_copy.data(), s->model->bytes(), s->model_size);
  s->resolver.AddAdd();
  s->resolver.AddAveragePool2D();
  s->resolver.AddConv2D();
  s->resolver.AddDepthwiseConv2D();
  s->resolver.AddDequantize();
  s->resolver.AddFullyConnected();
  s->resolver.AddMaxPool2D();
  s->resolver.AddMul();
  s->resolver.AddQuantize();
  s->resolver.AddReshape();
  s->resolver.AddSoftmax();
  s->resolver.AddSvdf();
  s->resolver.AddCast();
  s->resolver.AddConcatenation();
  s->resolver.AddDiv();
  s->resolver.AddMaximum();
  s->resolver.AddMinimum();
  s->resolver.AddStridedSlice();
  s->resolver.AddSignalWindow();
  s->resolver.AddSignalFftAutoScale();
  s->resolver.AddSignalRfft();
  s->resolver.AddSignalEnergy();
  s->resolver.AddSignalFilterBank();
  s->resolver.AddSignalFilterBankSquareRoot();
  s->resolver.AddSignalFilterBankSpectralSubtraction();
  s->resolver.AddSignalFilterBankLog();
  s->resolver.AddSignalPCAN();
  const size_t arena_bytes = size_t{64} << 20;
  s->arena.assign(arena_bytes / 8, 0);
  s->interp = std::make_unique<micro::MicroInterpreter>(
      reinterpret_cast<const uint8_t*>(s->model_copy.data()), s->model_size,
      s->resolver, reinterpret_cast<uint8_t*>(s->arena.data()), arena_bytes,
      OnMicroError, s);
  if (s->interp->AllocateTensors() != MicroStatus::kOk)
    return Fail(kExitError, "micro runtime: %s", s->error.c_str());
  const fb::SubGraph* fsg = s->interp->model()->subgraphs()->Get(0);
  if (fsg->operators()) {
    std::set<MicroOpKey> seen;
    for (const fb::Operator* op : *fsg->operators()) {
      const fb::OperatorCode* oc =
          s->interp->model()->operator_codes()->Get(op->opcode_index());
      MicroOpKey key;
      key.code = micro::MicroBuiltinCode(oc);
      if (key.code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM) &&
          oc->custom_code())
        key.custom = oc->custom_code()->str();
      if (seen.insert(key).second) s->op_codes.push_back(key);
    }
  }
  for (int32_t i = 0; i < s->interp->inputs_size(); ++i) {
    const MicroTensor t = s->interp->input(i);
    std::vector<uint8_t> bytes(t.bytes, 0);
    if (!files[i].empty()) {
      if (arrays[i].data.size() != t.bytes) {
        return Fail(kExitError,
                    "input %d ('%s'): the micro runtime has static shapes; the "
                    ".npy has %zu bytes, the tensor %zu",
                    i, s->interp->input_name(i), arrays[i].data.size(),
                    t.bytes);
      }
      bytes = arrays[i].data;
    } else if (a.random_inputs) {
      Tensor& h = sg.tensors()[sg.inputs()[i]];
      if (!FillRandom(h, a.seed, i)) return kExitError;
      if (h.bytes != t.bytes)
        return Fail(kExitError, "input %d: host and micro sizes differ", i);
      std::memcpy(bytes.data(), h.data, t.bytes);
    }
    std::memcpy(t.data, bytes.data(), t.bytes);
    s->input_bytes.push_back(std::move(bytes));
  }
  if (s->interp->Invoke() != MicroStatus::kOk)
    return Fail(kExitError, "micro runtime: %s", s->error.c_str());
  std::vector<std::string> names;
  for (int32_t i = 0; i < s->interp->outputs_size(); ++i)
    names.push_back(SanitizeFileName(s->interp->output_name(i), i));
  s->output_names = Deduplicate(names);
  return kExitOk;
}

DataType ToDataType(fb::TensorType t) {
  switch (t) {
    case fb::TensorType::INT8:
      return DataType::kInt8;
    case fb::TensorType::UINT8:
      return DataType::kUInt8;
    case fb::TensorType::INT16:
      return DataType::kInt16;
    case fb::TensorType::INT32:
      return DataType::kInt32;
    default:
      return DataType::kFloat32;
  }
}

// "<name> v0 v1 ...": integers in decimal, float32 as its bit pattern
// (0x3f800000), the firmware's format (exact, no printf on the target).
std::string OutputLine(const std::string& name, const MicroTensor& t) {
  std::string line = name;
  const int64_t n = t.NumElements();
  char buf[32];
  for (int64_t i = 0; i < n; ++i) {
    switch (t.type) {
      case fb::TensorType::INT8:
        snprintf(buf, sizeof(buf), " %d", t.as<int8_t>()[i]);
        break;
      case fb::TensorType::UINT8:
        snprintf(buf, sizeof(buf), " %u", t.as<uint8_t>()[i]);
        break;
      case fb::TensorType::INT16:
        snprintf(buf, sizeof(buf), " %d", t.as<int16_t>()[i]);
        break;
      case fb::TensorType::INT32:
        snprintf(buf, sizeof(buf), " %" PRId32, t.as<int32_t>()[i]);
        break;
      default: {
        uint32_t bits;
        std::memcpy(&bits, t.as<uint8_t>() + 4 * i, 4);
        snprintf(buf, sizeof(buf), " 0x%08" PRIx32, bits);
      }
    }
    line += buf;
  }
  return line;
}

std::string OpName(const MicroOpKey& op) {
  if (!op.custom.empty()) return op.custom;
  return fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(op.code));
}

nlohmann::json ArenaJson(const micro::MicroArenaReport& r) {
  return {
      {"head_bytes", r.head_bytes},     {"tail_bytes", r.tail_bytes},
      {"total_bytes", r.total_bytes},   {"planning_bytes", r.planning_bytes},
      {"offline_plan", r.offline_plan}, {"pointer_bytes", sizeof(void*)}};
}

int RunMicro(const MicroArgs& a) {
  MicroSession s;
  if (int rc = PrepareSession(a, &s)) return rc;
  nlohmann::json outputs = nlohmann::json::array();
  if (!a.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(a.output_dir, ec);
    if (ec || !fs::is_directory(a.output_dir))
      return Fail(kExitError, "cannot use output directory '%s'",
                  a.output_dir.c_str());
  }
  for (int32_t i = 0; i < s.interp->outputs_size(); ++i) {
    const MicroTensor t = s.interp->output(i);
    const std::string line = OutputLine(s.output_names[i], t);
    nlohmann::json j = {{"name", s.interp->output_name(i)}, {"line", line}};
    if (!a.output_dir.empty()) {
      std::vector<int64_t> shape(t.dims, t.dims + t.rank);
      const std::string path =
          (fs::path(a.output_dir) / (s.output_names[i] + ".npy")).string();
      ErrorReporter e;
      if (!WriteNpy(path, ToDataType(t.type), shape, t.data, t.bytes, e).ok())
        return Fail(kExitError, "output '%s': %s", path.c_str(), e.message());
      j["file"] = path;
    }
    if (!a.json) printf("%s\n", line.c_str());
    outputs.push_back(j);
  }
  if (a.json) {
    nlohmann::json ops = nlohmann::json::array();
    for (const MicroOpKey& c : s.op_codes) ops.push_back(OpName(c));
    PrintJson({{"model", a.model_path},
               {"arena", ArenaJson(s.interp->arena_report())},
               {"ops", ops},
               {"outputs", outputs}});
  } else {
    const auto& r = s.interp->arena_report();
    printf("# arena head %zu tail %zu total %zu (host, %zu-byte pointers)\n",
           r.head_bytes, r.tail_bytes, r.total_bytes, sizeof(void*));
  }
  return kExitOk;
}

// ---- export ------------------------------------------------------------

std::string ByteArray(const char* name, const uint8_t* data, size_t size) {
  std::string out =
      "alignas(16) const unsigned char " + std::string(name) + "[] = {\n";
  char buf[8];
  for (size_t i = 0; i < size; ++i) {
    snprintf(buf, sizeof(buf), "%s0x%02x,", i % 16 ? " " : "  ", data[i]);
    out += buf;
    if (i % 16 == 15) out += "\n";
  }
  if (size == 0) out += "  0";
  out += "\n};\n";
  out += "const unsigned int " + std::string(name) +
         "_size = " + std::to_string(size) + ";\n";
  return out;
}

std::string CString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ModelDataFiles(const MicroSession& s, const TrustedExport& t,
                           std::string* header) {
  std::string cc =
      "// Generated by `ember micro export`: the model and the inputs.\n"
      "#include \"app/model_data.h\"\n\n";
  *header =
      "// Generated by `ember micro export`.\n#pragma once\n\n"
      "extern const unsigned char g_model[];\n"
      "extern const unsigned int g_model_size;\n";
  // Signed: the whole file, so that the device checks the signature.
  cc += t.any()
            ? ByteArray("g_model", t.signed_model.data(), t.signed_model.size())
            : ByteArray("g_model",
                        reinterpret_cast<const uint8_t*>(s.model_copy.data()),
                        s.model_size);
  for (size_t i = 0; i < s.input_bytes.size(); ++i) {
    const std::string name = "g_input_" + std::to_string(i);
    cc += ByteArray(name.c_str(), s.input_bytes[i].data(),
                    s.input_bytes[i].size());
    *header += "extern const unsigned char " + name + "[];\n";
    *header += "extern const unsigned int " + name + "_size;\n";
  }
  return cc;
}

std::string MainFile(const MicroSession& s, const TrustedExport& t,
                     size_t arena_size) {
  std::ostringstream m;
  m << "// Generated by `ember micro export`: runs the embedded inputs "
       "through\n// the model and prints every output over semihosting, one "
       "line each:\n// its name, then its values (integers in decimal, "
       "float32 as bits).\n// Built with -DEMBER_MICRO_BASELINE it leaves the "
       "interpreter out\n// (same data), for the code-size subtraction.\n";
  m << "#include <stdint.h>\n#include <string.h>\n\n";
  m << "#include \"app/model_data.h\"\n";
  m << "#include \"counter.h\"\n#include \"micro/micro_interpreter.h\"\n"
       "#include \"semihost.h\"\n\n";
  m << "namespace {\n\nusing namespace ember::micro;\n\n";
  m << "constexpr unsigned int kArenaSize = " << arena_size << ";\n";
  m << "alignas(16) uint8_t g_arena[kArenaSize];\n\n";
  m << "char g_line[128];\nunsigned int g_len = 0;\n\n";
  m << "void Flush() {\n  g_line[g_len] = '\\0';\n  semihost_write0(g_line);\n"
       "  g_len = 0;\n}\n\n";
  m << "void Put(const char* s) {\n  while (*s) {\n    if (g_len + 1 >= "
       "sizeof(g_line)) Flush();\n    g_line[g_len++] = *s++;\n  }\n}\n\n";
  m << "void PutInt(int64_t v) {\n  char buf[24];\n  int n = 0;\n"
       "  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : "
       "static_cast<uint64_t>(v);\n"
       "  do {\n    buf[n++] = static_cast<char>('0' + u % 10);\n    u /= 10;\n"
       "  } while (u);\n  if (v < 0) buf[n++] = '-';\n  char out[24];\n"
       "  for (int i = 0; i < n; ++i) out[i] = buf[n - 1 - i];\n"
       "  out[n] = '\\0';\n  Put(out);\n}\n\n";
  m << "void PutHex32(uint32_t v) {\n  char out[11] = \"0x\";\n"
       "  for (int i = 0; i < 8; ++i)\n"
       "    out[2 + i] = \"0123456789abcdef\"[(v >> (28 - 4 * i)) & 15];\n"
       "  out[10] = '\\0';\n  Put(out);\n}\n\n";
  m << "#ifndef EMBER_MICRO_BASELINE\n";
  m << "void OnError(void*, const MicroError& e) {\n"
       "  Put(\"error: \");\n  Put(MicroStatusName(e.status));\n"
       "  Put(\": \");\n  Put(e.message);\n"
       "  if (e.op_index >= 0) {\n    Put(\" (op #\");\n"
       "    PutInt(e.op_index);\n    Put(\")\");\n  }\n"
       "  if (e.needed_bytes > 0) {\n    Put(\": needs \");\n"
       "    PutInt(static_cast<int64_t>(e.needed_bytes));\n"
       "    Put(\" bytes\");\n  }\n  Put(\"\\n\");\n  Flush();\n}\n\n";
  m << "void PrintOutput(const char* name, const MicroTensor& t) {\n"
       "  Put(name);\n"
       "  for (int64_t i = 0, n = t.NumElements(); i < n; ++i) {\n"
       "    Put(\" \");\n    switch (t.type) {\n"
       "      case ember::fb::TensorType::INT8:\n"
       "        PutInt(t.as<int8_t>()[i]);\n        break;\n"
       "      case ember::fb::TensorType::UINT8:\n"
       "        PutInt(t.as<uint8_t>()[i]);\n        break;\n"
       "      case ember::fb::TensorType::INT16:\n"
       "        PutInt(t.as<int16_t>()[i]);\n        break;\n"
       "      case ember::fb::TensorType::INT32:\n"
       "        PutInt(t.as<int32_t>()[i]);\n        break;\n"
       "      default: {\n        uint32_t bits;\n"
       "        memcpy(&bits, t.as<uint8_t>() + 4 * i, 4);\n"
       "        PutHex32(bits);\n      }\n    }\n  }\n  Put(\"\\n\");\n"
       "  Flush();\n}\n";
  m << "#endif  // EMBER_MICRO_BASELINE\n\n";
  m << "const unsigned char* const kInputs[] = {";
  for (size_t i = 0; i < s.input_bytes.size(); ++i)
    m << (i ? ", " : "") << "g_input_" << i;
  if (s.input_bytes.empty()) m << "nullptr";
  m << "};\nconst unsigned int kInputSizes[] = {";
  for (size_t i = 0; i < s.input_bytes.size(); ++i)
    m << (i ? ", " : "") << s.input_bytes[i].size();
  if (s.input_bytes.empty()) m << "0";
  m << "};\nconst char* const kOutputNames[] = {";
  for (size_t i = 0; i < s.output_names.size(); ++i)
    m << (i ? ", " : "") << CString(s.output_names[i]);
  if (s.output_names.empty()) m << "nullptr";
  m << "};\n";
  if (t.any()) {
    m << "\n#ifndef EMBER_MICRO_BASELINE\n// The publishers' keys (--trust): "
         "the model runs only if signed by one.\nconst MicroPublicKey "
         "kTrustedKeys[] = {\n";
    for (const trust::PublicKey& key : t.keys) {
      m << "    // key id " << trust::KeyIdHex(key.Id()) << "\n    {{";
      for (size_t i = 0; i < key.bytes.size(); ++i) {
        char buf[8];
        snprintf(buf, sizeof(buf), "%s0x%02x", i ? ", " : "", key.bytes[i]);
        m << buf;
      }
      m << "}},\n";
    }
    m << "};\n#endif\n";
  }
  m << "\n}  // namespace\n\n";
  m << "int main() {\n";
  m << "#ifdef EMBER_MICRO_BASELINE\n"
       "  // The same data kept alive, no interpreter: a checksum.\n"
       "  uint32_t sum = 0;\n"
       "  for (unsigned int i = 0; i < g_model_size; ++i) sum += g_model[i];\n"
       "  for (unsigned int k = 0; k < "
    << s.input_bytes.size()
    << "; ++k)\n"
       "    for (unsigned int i = 0; i < kInputSizes[k]; ++i) "
       "sum += kInputs[k][i];\n"
       "  for (unsigned int i = 0; i < kArenaSize; i += 64) "
       "g_arena[i] = static_cast<uint8_t>(sum);\n"
       "  Put(\"# baseline \");\n  PutHex32(sum + g_arena[64]);\n"
       "  Put(\"\\n\");\n  Flush();\n  (void)kOutputNames;\n  return 0;\n"
       "#else\n";
  m << "  MicroOpResolver<" << s.op_codes.size() << "> resolver;\n";
  // EMBER_MICRO_CORE_ONLY (build/core.elf, `make size`): no op is
  // registered, so the linker drops every kernel and what remains over the
  // baseline is the runtime core alone (interpreter, verifier, planner).
  m << "#ifndef EMBER_MICRO_CORE_ONLY\n";
  for (const MicroOpKey& op : s.op_codes)
    m << "  resolver." << MicroAddFunction(op) << "();  // " << OpName(op)
      << "\n";
  m << "#endif\n";
  m << "  MicroInterpreter interpreter(g_model, g_model_size, resolver, "
       "g_arena,\n                               kArenaSize, OnError, "
       "nullptr);\n";
  if (t.any()) {
    // -DEMBER_MICRO_NO_TRUST builds the same project without the check:
    // the code-size and instruction-count subtraction of docs/trust.md.
    m << "#ifndef EMBER_MICRO_NO_TRUST\n  interpreter.RequireSignature("
         "kTrustedKeys, "
      << t.keys.size()
      << ");\n#endif\n"
         "  counter_start();\n  const uint64_t allocate_before = "
         "counter_read();\n"
         "  if (interpreter.AllocateTensors() != MicroStatus::kOk) return "
         "1;\n"
         "  Put(\"# allocate counter \");\n  Put(counter_unit());\n"
         "  Put(\" \");\n  PutInt(static_cast<int64_t>(counter_read() - "
         "allocate_before));\n  Put(\"\\n\");\n  Flush();\n";
  } else {
    m << "  if (interpreter.AllocateTensors() != MicroStatus::kOk) return "
         "1;\n";
  }
  m << "  for (int32_t i = 0; i < interpreter.inputs_size(); ++i) {\n"
       "    const MicroTensor t = interpreter.input(i);\n"
       "    if (t.bytes != kInputSizes[i]) {\n"
       "      Put(\"error: input size differs\\n\");\n      Flush();\n"
       "      return 1;\n    }\n"
       "    memcpy(t.data, kInputs[i], t.bytes);\n  }\n";
  m << "  counter_start();\n  const uint64_t before = counter_read();\n"
       "  if (interpreter.Invoke() != MicroStatus::kOk) return 1;\n"
       "  const uint64_t counted = counter_read() - before;\n";
  m << "  const MicroArenaReport& r = interpreter.arena_report();\n"
       "  Put(\"# arena head \");\n  "
       "PutInt(static_cast<int64_t>(r.head_bytes));\n"
       "  Put(\" tail \");\n  PutInt(static_cast<int64_t>(r.tail_bytes));\n"
       "  Put(\" total \");\n  PutInt(static_cast<int64_t>(r.total_bytes));\n"
       "  Put(\"\\n\");\n  Flush();\n"
       "  Put(\"# counter \");\n  Put(counter_unit());\n  Put(\" \");\n"
       "  PutInt(static_cast<int64_t>(counted));\n  Put(\"\\n\");\n"
       "  Flush();\n";
  m << "  for (int32_t i = 0; i < interpreter.outputs_size(); ++i)\n"
       "    PrintOutput(kOutputNames[i], interpreter.output(i));\n";
  m << "  return 0;\n#endif\n}\n";
  return m.str();
}

std::string MemoryFile(const MicroTarget& t) {
  return std::string("/* Generated by `ember micro export` for ") + t.name +
         ". */\nMEMORY\n{\n  ROM (rx) : ORIGIN = " + t.rom_origin +
         ", LENGTH = " + t.rom_length +
         "\n  RAM (rwx) : ORIGIN = " + t.ram_origin +
         ", LENGTH = " + t.ram_length + "\n}\n";
}

std::string FlatbuffersInclude() {
  for (const char* dir : {"/usr/include", "/usr/local/include"})
    if (fs::exists(fs::path(dir) / "flatbuffers" / "flatbuffers.h")) return dir;
  return "/usr/include";
}

std::string Makefile(const MicroTarget& t, bool aot) {
  std::ostringstream m;
  m << "# Generated by `ember micro export` for " << t.name << ".\n"
    << "#   make            build/app.elf, then check it references no heap\n"
    << "#                   function and has no static constructors\n"
    << "#   make run        run it under QEMU (semihosting output)\n"
    << "#   make size       code/data of the app, of the same app without\n"
    << "#                   the interpreter (build/baseline.elf) and, for\n"
    << "#                   interpreter projects, with the interpreter but\n"
    << "#                   no op registered (build/core.elf: the core)\n"
    << "CROSS ?= " << t.cross << "\n"
    << "# CCACHE=ccache speeds up rebuilds (and builds of other exports).\n"
    << "CCACHE ?=\n"
    << "CC := $(CCACHE) $(CROSS)gcc\nCXX := $(CCACHE) $(CROSS)g++\n"
    << "SIZE := $(CROSS)size\n"
    << "NM := $(CROSS)nm\n"
    << "ARCH_FLAGS := " << t.arch_flags << "\n"
    << "# Folder holding flatbuffers/ (header-only; only that folder is "
       "used).\n"
    << "FLATBUFFERS_INCLUDE ?= " << FlatbuffersInclude() << "\n"
    << "QEMU ?= " << t.qemu
    << " -nographic -monitor none -serial none -semihosting-config "
       "enable=on,target=native\n"
    << "OPT ?= -O2\nBUILD := build\n"
    << "COMMON := $(ARCH_FLAGS) $(OPT) -g -ffunction-sections -fdata-sections "
       "-DNDEBUG \\\n  -I. -Iember -I$(BUILD)/include $(EXTRA_FLAGS)\n"
    << "CXXFLAGS := $(COMMON) -std=c++20 -fno-exceptions -fno-rtti \\\n"
       "  -fno-threadsafe-statics -fno-use-cxa-atexit\n"
    << "CFLAGS := $(COMMON) -std=c11\n"
    << "LDFLAGS := $(ARCH_FLAGS) -nostartfiles -Wl,--gc-sections -T link.ld "
       "-L.\n";
  if (t.riscv) {
    // Debian ships no libstdc++ for riscv64-unknown-elf: the micro runtime
    // uses only header-only parts (<algorithm>, <cmath>, <limits>, ...),
    // taken from the Arm embedded libstdc++ (same ILP32 model, newlib-style
    // C library); nothing of libstdc++ is linked (gcc links, not g++).
    m << "LIBSTDCXX_INCLUDE ?= /usr/include/newlib/c++/12.2.1\n"
      << "CXXFLAGS += -isystem $(LIBSTDCXX_INCLUDE) "
         "-isystem $(LIBSTDCXX_INCLUDE)/arm-none-eabi "
         "--specs=picolibc.specs\n"
      << "CFLAGS += --specs=picolibc.specs\n"
      << "LIBC := --specs=picolibc.specs\nSTARTUP := startup_riscv.S\n"
      << "LINK := $(CC)\n";
  } else {
    m << "LIBC :=\nSTARTUP := startup_cortexm.c\nLINK := $(CXX)\n";
  }
  m << "LIBS := $(LIBC) -lm -lc -lgcc\n"
    << (aot ? "CXX_SOURCES := app/main.cc app/model_aot.cc app/inputs.cc\n"
            : "CXX_SOURCES := $(wildcard ember/micro/*.cc) app/main.cc "
              "app/model_data.cc\n")
    << "C_SOURCES := semihost.c counter.c $(STARTUP)\n"
    << "OBJS := $(CXX_SOURCES:%.cc=$(BUILD)/%.o) "
       "$(patsubst %,$(BUILD)/%.o,$(basename $(C_SOURCES)))\n"
    << "BASELINE_OBJS := $(BUILD)/app/main_baseline.o "
    << (aot ? "$(BUILD)/app/inputs.o" : "$(BUILD)/app/model_data.o")
    << " \\\n"
       "  $(patsubst %,$(BUILD)/%.o,$(basename $(C_SOURCES)))\n"
    << (aot ? ""
            : "CORE_OBJS := $(filter-out $(BUILD)/app/main.o,$(OBJS)) "
              "$(BUILD)/app/main_core.o\n")
    << "HEAP_SYMBOLS := malloc|free|calloc|realloc|_malloc_r|_free_r|"
       "_calloc_r|_realloc_r|_Znwj|_Znaj|_ZdlPv|_ZdaPv|_ZdlPvj|_ZdaPvj|"
       "_Znwm|_Znam|_ZdlPvm\n\n"
    << ".PHONY: all check run run-icount size\n"
    << "all: $(BUILD)/app.elf check\n\n"
    << "$(BUILD)/include/flatbuffers:\n"
    << "\tmkdir -p $(BUILD)/include\n"
    << "\tln -sfn $(FLATBUFFERS_INCLUDE)/flatbuffers $@\n\n"
    << "$(BUILD)/%.o: %.cc | $(BUILD)/include/flatbuffers\n"
    << "\t@mkdir -p $(dir $@)\n\t$(CXX) $(CXXFLAGS) -c $< -o $@\n\n"
    << "$(BUILD)/app/main_baseline.o: app/main.cc | "
       "$(BUILD)/include/flatbuffers\n"
    << "\t@mkdir -p $(dir $@)\n"
    << "\t$(CXX) $(CXXFLAGS) -DEMBER_MICRO_BASELINE -c $< -o $@\n\n"
    << (aot ? ""
            : "$(BUILD)/app/main_core.o: app/main.cc | "
              "$(BUILD)/include/flatbuffers\n"
              "\t@mkdir -p $(dir $@)\n"
              "\t$(CXX) $(CXXFLAGS) -DEMBER_MICRO_CORE_ONLY -c $< -o $@\n\n"
              "$(BUILD)/core.elf: $(CORE_OBJS) link.ld memory.ld\n"
              "\t$(LINK) $(LDFLAGS) $(CORE_OBJS) $(LIBS) -o $@\n\n")
    << "$(BUILD)/%.o: %.c\n\t@mkdir -p $(dir $@)\n"
    << "\t$(CC) $(CFLAGS) -c $< -o $@\n\n"
    << "$(BUILD)/%.o: %.S\n\t@mkdir -p $(dir $@)\n"
    << "\t$(CC) $(CFLAGS) -c $< -o $@\n\n"
    << "$(BUILD)/app.elf: $(OBJS) link.ld memory.ld\n"
    << "\t$(LINK) $(LDFLAGS) -Wl,-Map,$(BUILD)/app.map $(OBJS) $(LIBS) -o "
       "$@\n\n"
    << "$(BUILD)/baseline.elf: $(BASELINE_OBJS) link.ld memory.ld\n"
    << "\t$(LINK) $(LDFLAGS) $(BASELINE_OBJS) $(LIBS) -o $@\n\n"
    << "# No heap (malloc/free/new/delete) and no static constructors.\n"
    << "check: $(BUILD)/app.elf\n"
    << "\t@if $(NM) $< | grep -Ew '$(HEAP_SYMBOLS)'; then \\\n"
    << "\t  echo 'error: the app references heap functions (above)'; exit 1; "
       "fi\n"
    << "\t@if $(SIZE) -A $< | awk '$$1 == \".init_array\" && $$2 > 0 { f = 1 "
       "} END { exit !f }'; then \\\n"
    << "\t  echo 'error: the app has static constructors'; exit 1; fi\n"
    << "\t@echo 'check: no heap functions, no static constructors'\n\n"
    << "run: $(BUILD)/app.elf\n\t$(QEMU) -kernel $<\n\n"
    << "# One instruction per virtual nanosecond: the counter line counts "
       "them\n# (see counter.h).\n"
    << "run-icount: $(BUILD)/app.elf\n\t$(QEMU) -icount shift=0 -kernel "
       "$<\n\n"
    << (aot ? "size: $(BUILD)/app.elf $(BUILD)/baseline.elf\n"
            : "size: $(BUILD)/app.elf $(BUILD)/core.elf "
              "$(BUILD)/baseline.elf\n")
    << "\t$(SIZE) $^\n";
  return m.str();
}

// Writes `files` under a new folder next to `dir`, then swaps it in: the
// project appears whole or not at all. An existing `dir` is replaced only
// if it is an earlier export (it holds .ember-micro-project).
int WriteProject(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::string>>& files) {
  const fs::path target(dir);
  std::error_code ec;
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec))
      return Fail(kExitError, "'%s' exists and is not a folder", dir.c_str());
    if (!fs::is_empty(target, ec) &&
        !fs::exists(target / ".ember-micro-project", ec))
      return Fail(kExitError,
                  "'%s' is not empty and not an earlier export; choose "
                  "another folder",
                  dir.c_str());
  }
  const fs::path parent =
      target.has_parent_path() ? target.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  const fs::path temp = parent / (target.filename().string() + ".tmp-" +
                                  std::to_string(getpid()));
  fs::remove_all(temp, ec);
  for (const auto& [path, content] : files) {
    const fs::path p = temp / path;
    fs::create_directories(p.parent_path(), ec);
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      fs::remove_all(temp, ec);
      return Fail(kExitError, "cannot write '%s'", p.string().c_str());
    }
  }
  const fs::path old = parent / (target.filename().string() + ".old-" +
                                 std::to_string(getpid()));
  if (fs::exists(target, ec)) fs::rename(target, old, ec);
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove_all(temp, ec);
    return Fail(kExitError, "cannot create '%s': %s", dir.c_str(),
                ec.message().c_str());
  }
  fs::remove_all(old, ec);
  return kExitOk;
}

// `size -B` of an ELF: text, data, bss.
bool ElfSize(const MicroTarget& t, const std::string& elf, size_t sizes[3]) {
  const std::string cmd = std::string(t.cross) + "size -B '" + elf + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return false;
  char line[512];
  bool ok = false;
  if (fgets(line, sizeof(line), p) && fgets(line, sizeof(line), p)) {
    ok = sscanf(line, "%zu %zu %zu", &sizes[0], &sizes[1], &sizes[2]) == 3;
  }
  pclose(p);
  return ok;
}

// The marker WriteProject looks for before replacing a folder.
std::string ProjectMarker(const MicroArgs& a, const MicroTarget& t,
                          const char* kind) {
  return std::string("kind ") + kind + "\ntarget " + t.name + "\nmodel " +
         a.model_path + "\n";
}

int ExportArduino(const MicroArgs& a, const MicroTarget& target,
                  const MicroSession& s, size_t arena) {
  ArduinoExport e;
  e.model_path = a.model_path;
  e.model = reinterpret_cast<const uint8_t*>(s.model_copy.data());
  e.model_size = s.model_size;
  e.inputs = s.input_bytes;
  e.output_names = s.output_names;
  for (const MicroOpKey& op : s.op_codes) {
    e.add_functions.push_back(MicroAddFunction(op));
    e.op_names.push_back(OpName(op));
  }
  e.arena_size = arena;
  e.target = target.name;
  ProjectFiles files;
  std::string error;
  if (!ArduinoLibraryFiles(e, micro_sources::kFiles, micro_sources::kFileCount,
                           FlatbuffersInclude(), &files, &error))
    return Fail(kExitError, "%s", error.c_str());
  files.emplace_back(".ember-micro-project",
                     ProjectMarker(a, target, "arduino"));
  if (int rc = WriteProject(a.output_dir, files)) return rc;
  const std::string name = ArduinoLibraryName(a.model_path);
  if (a.json) {
    nlohmann::json ops = nlohmann::json::array();
    for (const std::string& op : e.op_names) ops.push_back(op);
    PrintJson({{"model", a.model_path},
               {"target", target.name},
               {"dir", a.output_dir},
               {"arduino_library", name},
               {"model_bytes", s.model_size},
               {"arena", ArenaJson(s.interp->arena_report())},
               {"arena_array_bytes", arena},
               {"ops", ops}});
  } else {
    printf(
        "wrote the Arduino library %s in %s (%zu ops, arena %zu B); copy "
        "the folder into your sketchbook's libraries/ and open the example "
        "RunEmbeddedInputs\n",
        name.c_str(), a.output_dir.c_str(), e.op_names.size(), arena);
  }
  return kExitOk;
}

int ExportAot(const MicroArgs& a, const MicroTarget& target, MicroSession& s) {
  AotModel aot;
  std::string error;
  if (!GenerateAot(
          *s.interp, reinterpret_cast<const uint8_t*>(s.model_copy.data()),
          s.model_size, reinterpret_cast<const uint8_t*>(s.arena.data()),
          s.output_names, s.input_bytes,
          fs::path(a.model_path).filename().string(), &aot, &error,
          AotOptions{!a.no_patches, a.patch_rows, !a.no_reorder}))
    return Fail(kExitError, "%s", error.c_str());
  // The kernels and the startup / semihosting files; not the interpreter,
  // the verifier or the schema.
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t i = 0; i < micro_sources::kFileCount; ++i) {
    const auto& f = micro_sources::kFiles[i];
    const std::string name = f.path;
    // The kernels: the reference, and the header-only DSP / Helium ones
    // with their dispatch (micro/int8_kernels.h).
    const bool kernel =
        name.rfind("ember/kernels/", 0) == 0 ||
        name == "ember/micro/int8_kernels.h" ||
        (name.rfind("ember/micro/dsp_", 0) == 0 && name.back() == 'h') ||
        (name.rfind("ember/micro/mve_", 0) == 0 && name.back() == 'h');
    if (!kernel && name.rfind("ember/", 0) == 0) continue;
    if (target.riscv ? name == "startup_cortexm.c" : name == "startup_riscv.S")
      continue;
    files.emplace_back(
        name, std::string(reinterpret_cast<const char*>(f.data), f.size));
  }
  files.emplace_back("app/model_aot.cc", aot.source);
  files.emplace_back("app/model_aot.h", aot.header);
  files.emplace_back("app/inputs.cc", aot.inputs);
  files.emplace_back("app/inputs.h", aot.inputs_header);
  files.emplace_back("app/main.cc", aot.main);
  files.emplace_back("memory.ld", MemoryFile(target));
  files.emplace_back("Makefile", Makefile(target, true));
  files.emplace_back(".ember-micro-project", ProjectMarker(a, target, "aot"));
  if (int rc = WriteProject(a.output_dir, files)) return rc;
  nlohmann::json j = {
      {"model", a.model_path},
      {"target", target.name},
      {"dir", a.output_dir},
      {"aot", true},
      {"arena_bytes", aot.arena_bytes},
      {"state_bytes", aot.variable_bytes},
      {"constant_bytes", aot.constant_bytes},
      {"arena_bytes_without_patches", aot.unpatched_arena_bytes},
      {"patch_layers", aot.patch_layers},
      {"patch_rows", aot.patch_rows}};
  if (aot.patch_layers > 0) j["patch_first_op"] = aot.patch_first_node;
  j["reordered"] = aot.reordered;
  if (aot.reordered) j["op_order"] = aot.order;
  nlohmann::json ops = nlohmann::json::array();
  for (const MicroOpKey& c : s.op_codes) ops.push_back(OpName(c));
  j["ops"] = ops;
  if (a.build) {
    const std::string make =
        "make -s -C '" + a.output_dir + "' all build/baseline.elf >&2";
    if (std::system(make.c_str()) != 0)
      return Fail(kExitError, "building the project failed (see above)");
    size_t app[3], base[3];
    if (!ElfSize(target, a.output_dir + "/build/app.elf", app) ||
        !ElfSize(target, a.output_dir + "/build/baseline.elf", base))
      return Fail(kExitError, "cannot read the ELF sizes");
    j["code_bytes"] = app[0];
    j["data_bytes"] = app[1];
    j["bss_bytes"] = app[2];
    j["model_code_bytes"] = app[0] - base[0];
  }
  if (a.json) {
    PrintJson(j);
  } else {
    printf(
        "wrote %s (%s, ahead of time: %zu ops, arena %zu B + state %zu B, "
        "constants %zu B)\n",
        a.output_dir.c_str(), target.name, s.op_codes.size(), aot.arena_bytes,
        aot.variable_bytes, aot.constant_bytes);
    if (a.build) {
      printf(
          "built %s/build/app.elf: code %zu B (model and kernels %zu B), "
          "data %zu B, bss %zu B\n",
          a.output_dir.c_str(), j["code_bytes"].get<size_t>(),
          j["model_code_bytes"].get<size_t>(), j["data_bytes"].get<size_t>(),
          j["bss_bytes"].get<size_t>());
    }
  }
  return kExitOk;
}

// --trust: loads the keys and checks with src/trust that the model file is
// signed by one of them (the firmware would refuse it otherwise).
int LoadTrustedExport(const MicroArgs& a, TrustedExport* t) {
  if (a.trusted_keys.empty()) return kExitOk;
  ErrorReporter errors;
  for (const std::string& path : a.trusted_keys) {
    trust::PublicKey key;
    if (!trust::LoadPublicKeyFile(path.c_str(), errors, &key).ok())
      return Fail(kExitError, "--trust: %s", errors.message());
    t->keys.push_back(key);
  }
  std::ifstream in(a.model_path, std::ios::binary);
  if (!in)
    return Fail(kExitError, "cannot open model '%s'", a.model_path.c_str());
  t->signed_model.assign(std::istreambuf_iterator<char>(in),
                         std::istreambuf_iterator<char>());
  size_t payload = 0;
  if (!trust::VerifySignedModel(t->signed_model.data(), t->signed_model.size(),
                                t->keys.data(), t->keys.size(), errors,
                                &payload)
           .ok()) {
    return Fail(kExitError,
                "--trust: '%s' must be signed by one of the trusted keys "
                "(ember sign MODEL --key KEY -o SIGNED.tflite): %s",
                a.model_path.c_str(), errors.message());
  }
  return kExitOk;
}

int ExportMicro(const MicroArgs& a) {
  const MicroTarget* target = FindTarget(a.target);
  if (target == nullptr)
    return Fail(kExitUsage, "--target must be one of %s, got '%s'",
                TargetList().c_str(), a.target.c_str());
  if (a.output_dir.empty())
    return Fail(kExitUsage, "missing -o DIR (the project folder)");
  if (a.arduino && target->riscv)
    return Fail(
        kExitUsage,
        "--arduino writes a library for Arm Cortex-M boards; "
        "--target %s is not one (use cortex-m3, -m4, -m7, -m33 or -m55)",
        target->name);
  if (a.arduino && a.build)
    return Fail(kExitUsage,
                "--build does not apply to --arduino (build the library "
                "with the Arduino IDE or arduino-cli)");
  if (a.arduino && a.aot)
    return Fail(kExitUsage, "--arduino and --aot cannot be combined yet");
  if (!a.trusted_keys.empty() && (a.arduino || a.aot))
    return Fail(kExitUsage,
                "--trust applies to interpreter projects (not --aot or "
                "--arduino yet)");
  TrustedExport trusted;
  if (int rc = LoadTrustedExport(a, &trusted)) return rc;
  MicroSession s;
  if (int rc = PrepareSession(a, &s)) return rc;
  for (const MicroOpKey& op : s.op_codes) {
    if (MicroAddFunction(op) == nullptr)
      return Fail(kExitError, "op %s has no micro kernel", OpName(op).c_str());
  }
  // The host plan, with 8-byte pointers, bounds the target's (4-byte).
  const auto& r = s.interp->arena_report();
  const size_t arena =
      (std::max(r.total_bytes, r.planning_bytes) + 15) / 16 * 16 + 16;
  if (a.arduino) return ExportArduino(a, *target, s, arena);
  if (a.aot) return ExportAot(a, *target, s);
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t i = 0; i < micro_sources::kFileCount; ++i) {
    const auto& f = micro_sources::kFiles[i];
    const std::string name = f.path;
    if (target->riscv ? name == "startup_cortexm.c" : name == "startup_riscv.S")
      continue;
    files.emplace_back(
        name, std::string(reinterpret_cast<const char*>(f.data), f.size));
  }
  std::string header;
  files.emplace_back("app/model_data.cc", ModelDataFiles(s, trusted, &header));
  files.emplace_back("app/model_data.h", header);
  files.emplace_back("app/main.cc", MainFile(s, trusted, arena));
  files.emplace_back("memory.ld", MemoryFile(*target));
  files.emplace_back("Makefile", Makefile(*target, false));
  files.emplace_back(".ember-micro-project",
                     ProjectMarker(a, *target, "project"));
  if (int rc = WriteProject(a.output_dir, files)) return rc;

  nlohmann::json j = {{"model", a.model_path}, {"target", target->name},
                      {"dir", a.output_dir},   {"model_bytes", s.model_size},
                      {"arena", ArenaJson(r)}, {"arena_array_bytes", arena}};
  nlohmann::json ops = nlohmann::json::array();
  for (const MicroOpKey& c : s.op_codes) ops.push_back(OpName(c));
  j["ops"] = ops;
  if (trusted.any()) {
    nlohmann::json ids = nlohmann::json::array();
    for (const trust::PublicKey& k : trusted.keys)
      ids.push_back(trust::KeyIdHex(k.Id()));
    j["trusted_key_ids"] = ids;
    j["signed_model_bytes"] = trusted.signed_model.size();
  }
  if (a.build) {
    const std::string make = "make -s -C '" + a.output_dir +
                             "' all build/baseline.elf build/core.elf >&2";
    if (std::system(make.c_str()) != 0)
      return Fail(kExitError, "building the project failed (see above)");
    size_t app[3], base[3], core[3];
    if (!ElfSize(*target, a.output_dir + "/build/app.elf", app) ||
        !ElfSize(*target, a.output_dir + "/build/baseline.elf", base) ||
        !ElfSize(*target, a.output_dir + "/build/core.elf", core))
      return Fail(kExitError, "cannot read the ELF sizes");
    j["code_bytes"] = app[0];
    j["data_bytes"] = app[1];
    j["bss_bytes"] = app[2];
    j["interpreter_code_bytes"] = app[0] - base[0];
    // The subtraction method with no op registered: the core alone.
    j["core_code_bytes"] = core[0] - base[0];
  }
  if (a.json) {
    PrintJson(j);
  } else {
    printf(
        "wrote %s (%s, %zu ops, arena %zu B: head %zu + tail %zu on the "
        "host)\n",
        a.output_dir.c_str(), target->name, s.op_codes.size(), arena,
        r.head_bytes, r.tail_bytes);
    if (trusted.any()) {
      printf(
          "signed model (%zu B with its signature); the firmware runs it only "
          "if signed by one of the %zu trusted key(s)\n",
          trusted.signed_model.size(), trusted.keys.size());
    }
    if (a.build) {
      printf(
          "built %s/build/app.elf: code %zu B (interpreter and ops %zu "
          "B, of which the core %zu B), data %zu B, bss %zu B\n",
          a.output_dir.c_str(), j["code_bytes"].get<size_t>(),
          j["interpreter_code_bytes"].get<size_t>(),
          j["core_code_bytes"].get<size_t>(), j["data_bytes"].get<size_t>(),
          j["bss_bytes"].get<size_t>());
    } else {
      printf("build: make -C %s; run: make -C %s run\n", a.output_dir.c_str(),
             a.output_dir.c_str());
    }
  }
  return kExitOk;
}

void AddInputOptions(CLI::App* cmd, MicroArgs* a, CLI::Option** seed) {
  cmd->add_option("MODEL", a->model_path, ".tflite file")->required();
  cmd->add_option("--input,-i", a->inputs, "Input as NAME=FILE.npy")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);
  *seed = cmd->add_option("--random-inputs", a->seed,
                          "Fill inputs not given with seeded random values "
                          "(as `ember run`); otherwise zeros");
  (*seed)->type_name("SEED");
  cmd->add_flag("--json", a->json, "Print one JSON object");
}

}  // namespace

RegisteredCommand AddMicroCommand(CLI::App& app) {
  static MicroArgs run_args, export_args;
  static CLI::Option* run_seed = nullptr;
  static CLI::Option* export_seed = nullptr;
  CLI::App* cmd = app.add_subcommand(
      "micro", "The micro runtime (no heap): run a model in it, export it");
  cmd->require_subcommand(1);
  CLI::App* run = cmd->add_subcommand(
      "run", "Run a model in the micro interpreter on this machine");
  AddInputOptions(run, &run_args, &run_seed);
  run->add_option("--output-dir,-o", run_args.output_dir,
                  "Write each output to DIR/<name>.npy")
      ->type_name("DIR");
  CLI::App* exp = cmd->add_subcommand(
      "export", "Write a standalone project for a microcontroller target");
  AddInputOptions(exp, &export_args, &export_seed);
  exp->add_option("--output-dir,-o", export_args.output_dir,
                  "Project folder to create")
      ->type_name("DIR")
      ->required();
  exp->add_option("--target", export_args.target,
                  "cortex-m3|cortex-m4|cortex-m7|cortex-m33|cortex-m55|"
                  "riscv32 (default cortex-m4)");
  exp->add_flag("--build", export_args.build,
                "Also build it (make) and report code/data sizes");
  exp->add_flag("--arduino", export_args.arduino,
                "Write an Arduino library (library.properties, src/, "
                "examples/) for a Cortex-M board instead of a Makefile "
                "project");
  exp->add_flag("--aot", export_args.aot,
                "Compile the model ahead of time into plain C++ calls with "
                "a fixed arena layout: no interpreter, no model array");
  exp->add_flag("--no-patches", export_args.no_patches,
                "With --aot: no patch-based execution (the leading "
                "convolutions run whole, not in bands of rows)");
  exp->add_flag("--no-reorder", export_args.no_reorder,
                "With --aot: run the ops in the model's order even where "
                "another order needs a smaller arena");
  exp->add_option("--patch-rows", export_args.patch_rows,
                  "With --aot: bands of exactly N output rows (fewer "
                  "recomputed halo rows than the smallest-arena choice, a "
                  "larger arena); default: the band height with the "
                  "smallest arena")
      ->type_name("N")
      ->check(CLI::Range(1, 4096));
  exp->add_option("--trust", export_args.trusted_keys,
                  "Public key file (ember keygen; repeatable): MODEL must be "
                  "signed by one of them (ember sign); the firmware embeds "
                  "the keys and refuses the model unless its signature "
                  "verifies")
      ->type_name("KEY.pub")
      ->allow_extra_args(false);
  exp->footer(
      "Output lines (firmware and `ember micro run`): the output's name (as "
      "`ember run` names its files), then its values: integers in decimal, "
      "float32 as bit patterns (0x3f800000). Inputs not given are zeros "
      "unless --random-inputs SEED.\nExit status: 0 ok, 1 error, 2 usage.");
  RegisteredCommand rc;
  rc.app = cmd;
  rc.handler = [run]() {
    if (run->parsed()) {
      run_args.random_inputs = run_seed->count() > 0;
      return RunMicro(run_args);
    }
    export_args.random_inputs = export_seed->count() > 0;
    return ExportMicro(export_args);
  };
  return rc;
}

}  // namespace ember::cli
