// Every shape-family op found in the shared real models (MediaPipe, TFLM),
// cut out into a one-op model with the same tensor types, shapes,
// quantization, options and constant inputs, run in Ember and in LiteRT.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "ops/shape_test_util.h"
#include "util/shared_models.h"

namespace ember::testing {
namespace {

const std::set<fb::BuiltinOperator>& FamilyOps() {
  using B = fb::BuiltinOperator;
  static const std::set<B> ops = {B::RESHAPE,
                                  B::SQUEEZE,
                                  B::EXPAND_DIMS,
                                  B::TRANSPOSE,
                                  B::CONCATENATION,
                                  B::PAD,
                                  B::PADV2,
                                  B::MIRROR_PAD,
                                  B::STRIDED_SLICE,
                                  B::SLICE,
                                  B::SPLIT,
                                  B::SPLIT_V,
                                  B::GATHER,
                                  B::GATHER_ND,
                                  B::PACK,
                                  B::UNPACK,
                                  B::SHAPE,
                                  B::TILE,
                                  B::BROADCAST_TO,
                                  B::FILL,
                                  B::ZEROS_LIKE,
                                  B::RANGE,
                                  B::REVERSE_V2,
                                  B::SPACE_TO_DEPTH,
                                  B::DEPTH_TO_SPACE,
                                  B::BATCH_TO_SPACE_ND,
                                  B::SPACE_TO_BATCH_ND,
                                  B::RESIZE_BILINEAR,
                                  B::RESIZE_NEAREST_NEIGHBOR,
                                  B::ARG_MAX,
                                  B::ARG_MIN,
                                  B::TOPK_V2,
                                  B::DENSIFY};
  return ops;
}

std::vector<std::string> ModelFiles() {
  std::vector<std::string> files;
  const std::string root = testing::SharedModelsDir();
  for (const std::string& dir : {root + "/mediapipe", root + "/tflm"}) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) continue;
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 7 && name.substr(name.size() - 7) == ".tflite")
        files.push_back(std::string(dir) + "/" + name);
    }
    closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ShapeOps, OpsFromRealModels) {
  EMBER_SKIP_WITHOUT_SHARED_MODELS();
  const auto files = ModelFiles();
  ASSERT_GE(files.size(), 7u) << "shared models are missing";
  std::vector<OracleCase> cases;
  std::vector<std::string> labels;
  std::set<std::string> seen;  // identical op instances once
  uint32_t seed = 1;
  for (const auto& path : files) {
    std::ifstream f(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)),
                                     std::istreambuf_iterator<char>());
    auto model = fb::UnPackModel(bytes.data());
    ASSERT_TRUE(model) << path;
    for (const auto& sg : model->subgraphs) {
      for (const auto& op : sg->operators) {
        const auto& code = *model->operator_codes[op->opcode_index];
        const auto builtin = static_cast<fb::BuiltinOperator>(
            std::max<int32_t>(static_cast<int32_t>(code.builtin_code),
                              code.deprecated_builtin_code));
        if (!FamilyOps().count(builtin)) continue;
        ModelBuilder b;
        std::vector<int32_t> ins, outs, io;
        std::vector<NpyArray> data;
        bool usable = true;
        auto copy_tensor = [&](int32_t index, bool as_input) {
          const auto& t = *sg->tensors[index];
          QuantSpec q;
          if (t.quantization && !t.quantization->scale.empty()) {
            q.scales = t.quantization->scale;
            q.zero_points = t.quantization->zero_point;
            q.dim = t.quantization->quantized_dimension;
          }
          const auto& buf = model->buffers[t.buffer]->data;
          if (as_input && !buf.empty()) {
            const int c = b.AddConstant(t.type, t.shape, buf.data(), buf.size(),
                                        t.name, q);
            if (t.sparsity)
              b.tensor(c).sparsity =
                  std::make_unique<fb::SparsityParametersT>(*t.sparsity);
            return c;
          }
          return b.AddTensor(t.type, t.shape, t.name, q);
        };
        for (size_t k = 0; k < op->inputs.size(); ++k) {
          const int32_t index = op->inputs[k];
          if (index < 0) {
            ins.push_back(-1);
            continue;
          }
          const int t = copy_tensor(index, true);
          ins.push_back(t);
          if (model->buffers[sg->tensors[index]->buffer]->data.empty()) {
            // Only data inputs may be random; index-like inputs must be
            // constant.
            if (k > 0 && builtin != fb::BuiltinOperator::CONCATENATION &&
                builtin != fb::BuiltinOperator::PACK) {
              usable = false;
            }
            const auto& st = *sg->tensors[index];
            std::vector<int64_t> shape(st.shape.begin(), st.shape.end());
            data.push_back(RandomArray(ToDataType(st.type), shape, seed++));
            io.push_back(t);
          }
        }
        for (int32_t index : op->outputs)
          outs.push_back(copy_tensor(index, false));
        if (!usable) continue;
        fb::BuiltinOptionsUnion options = op->builtin_options;  // deep copy
        b.AddOp(builtin, ins, outs, std::move(options), code.version);
        b.SetInputs(io);
        b.SetOutputs(outs);
        auto built = b.Build();
        const std::string key(built.begin(), built.end());
        if (!seen.insert(key).second) continue;
        cases.push_back(OracleCase{std::move(built), std::move(data)});
        labels.push_back(path.substr(path.rfind('/') + 1) + " " +
                         fb::EnumNameBuiltinOperator(builtin));
      }
    }
  }
  ASSERT_GT(cases.size(), 20u);
  std::map<std::string, int> per_op;
  for (const auto& l : labels) ++per_op[l.substr(l.find(' ') + 1)];
  std::string summary;
  for (const auto& [name, n] : per_op)
    summary += name + ":" + std::to_string(n) + " ";
  printf("%zu distinct op instances from real models: %s\n", cases.size(),
         summary.c_str());
  // Float RESIZE_BILINEAR runs an optimized kernel whose contracted
  // multiply-adds differ from the reference in the last bit; everything
  // else here is exact (integer outputs cannot pass with a diff below 1).
  ExpectAllMatch(cases, labels, 1e-6);
}

}  // namespace
}  // namespace ember::testing
