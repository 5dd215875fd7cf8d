// TFLite_Detection_PostProcess against LiteRT (whose interpreter registers
// the same custom op): one-op models built here with FlexBuffers options,
// random and adversarial inputs (tied scores, heavily overlapping boxes,
// everything below the threshold, fewer survivors than output rows), float32
// and quantized inputs, fast and regular NMS. Boxes and scores must agree
// within 1e-5, classes and the detection count exactly. Then malformed
// options and shapes, which must fail Prepare with a message.
// signal_options.h first: it configures flexbuffers.h.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "model/model.h"
#include "ops/signal_options.h"
#include "runtime/interpreter.h"
#include "runtime/op_resolver.h"
#include "util/model_builder.h"
#include "util/oracle.h"
#include "util/rng.h"

namespace ember {
namespace {

using testing::kF32;
using testing::ModelBuilder;
using testing::QuantSpec;
using testing::Rng;

struct DetectOptions {
  int max_detections = 10;
  int max_classes_per_detection = 1;
  int detections_per_class = 5;
  bool use_regular_nms = false;
  float nms_score_threshold = 0.3f;
  float nms_iou_threshold = 0.5f;
  int num_classes = 4;
  float y_scale = 10.0f, x_scale = 10.0f, h_scale = 5.0f, w_scale = 5.0f;
  // Keys left out of the map (negative tests).
  std::vector<std::string> omit;
};

std::vector<uint8_t> Flex(const DetectOptions& o) {
  auto keep = [&](const char* key) {
    for (const auto& k : o.omit)
      if (k == key) return false;
    return true;
  };
  flexbuffers::Builder fbb;
  const size_t start = fbb.StartMap();
  if (keep("max_detections")) fbb.Int("max_detections", o.max_detections);
  if (keep("max_classes_per_detection"))
    fbb.Int("max_classes_per_detection", o.max_classes_per_detection);
  if (keep("detections_per_class"))
    fbb.Int("detections_per_class", o.detections_per_class);
  if (keep("use_regular_nms")) fbb.Bool("use_regular_nms", o.use_regular_nms);
  if (keep("nms_score_threshold"))
    fbb.Float("nms_score_threshold", o.nms_score_threshold);
  if (keep("nms_iou_threshold"))
    fbb.Float("nms_iou_threshold", o.nms_iou_threshold);
  if (keep("num_classes")) fbb.Int("num_classes", o.num_classes);
  if (keep("y_scale")) fbb.Float("y_scale", o.y_scale);
  if (keep("x_scale")) fbb.Float("x_scale", o.x_scale);
  if (keep("h_scale")) fbb.Float("h_scale", o.h_scale);
  if (keep("w_scale")) fbb.Float("w_scale", o.w_scale);
  fbb.EndMap(start);
  fbb.Finish();
  return fbb.GetBuffer();
}

// Inputs as floats; quantized cases store them as uint8/int8 with the
// given parameters (values are rounded onto the grid first, so both
// runtimes see exactly the same numbers).
struct DetectCase {
  std::string name;
  DetectOptions options;
  int num_boxes = 0;
  int score_columns = 0;         // num_classes + 1 (background) unless set
  std::vector<float> encodings;  // [N, 4]
  std::vector<float> scores;     // [N, score_columns]
  std::vector<float> anchors;    // [N, 4]
  DataType type = DataType::kFloat32;
  bool anchors_quantized = false;
};

struct Quant {
  float scale;
  int64_t zero;
};

Quant QuantFor(DataType type, float lo, float hi) {
  const float qmin = type == DataType::kUInt8 ? 0.0f : -128.0f;
  const float scale = (hi - lo) / 255.0f;
  return {scale, static_cast<int64_t>(std::lround(qmin - lo / scale))};
}

std::vector<uint8_t> Quantize(DataType type, const std::vector<float>& v,
                              Quant q) {
  std::vector<uint8_t> out(v.size());
  const long lo = type == DataType::kUInt8 ? 0 : -128;
  const long hi = type == DataType::kUInt8 ? 255 : 127;
  for (size_t i = 0; i < v.size(); ++i) {
    long x = std::lround(v[i] / q.scale) + q.zero;
    x = std::min(std::max(x, lo), hi);
    if (type == DataType::kUInt8) {
      out[i] = static_cast<uint8_t>(x);
    } else {
      const int8_t s = static_cast<int8_t>(x);
      memcpy(&out[i], &s, 1);
    }
  }
  return out;
}

fb::TensorType Fb(DataType t) {
  return static_cast<fb::TensorType>(static_cast<int>(t));
}

testing::OracleCase Build(const DetectCase& c) {
  const int n = c.num_boxes;
  const int cols = c.score_columns;
  const int rows =
      c.options.max_detections * c.options.max_classes_per_detection;
  ModelBuilder b;
  testing::OracleCase oc;
  int enc = 0, sco = 0, anc = 0;
  if (c.type == DataType::kFloat32) {
    enc = b.AddTensor(kF32, {1, n, 4}, "box_encodings");
    sco = b.AddTensor(kF32, {1, n, cols}, "class_predictions");
    oc.inputs.push_back(testing::MakeArray(c.type, {1, n, 4}, c.encodings));
    oc.inputs.push_back(testing::MakeArray(c.type, {1, n, cols}, c.scores));
  } else {
    const Quant qe = QuantFor(c.type, -8.0f, 8.0f);
    const Quant qs = QuantFor(c.type, 0.0f, 1.0f);
    enc = b.AddTensor(Fb(c.type), {1, n, 4}, "box_encodings",
                      QuantSpec{{qe.scale}, {qe.zero}});
    sco = b.AddTensor(Fb(c.type), {1, n, cols}, "class_predictions",
                      QuantSpec{{qs.scale}, {qs.zero}});
    oc.inputs.push_back(testing::MakeArray(c.type, {1, n, 4},
                                           Quantize(c.type, c.encodings, qe)));
    oc.inputs.push_back(testing::MakeArray(c.type, {1, n, cols},
                                           Quantize(c.type, c.scores, qs)));
  }
  if (c.anchors_quantized) {
    const Quant qa = QuantFor(c.type, 0.0f, 1.0f);
    anc = b.AddConstant(Fb(c.type), {n, 4}, Quantize(c.type, c.anchors, qa),
                        "anchors", QuantSpec{{qa.scale}, {qa.zero}});
  } else {
    anc = b.AddConstant(kF32, {n, 4}, c.anchors, "anchors");
  }
  const int boxes = b.AddTensor(kF32, {1, rows, 4}, "detection_boxes");
  const int classes = b.AddTensor(kF32, {1, rows}, "detection_classes");
  const int scores = b.AddTensor(kF32, {1, rows}, "detection_scores");
  const int count = b.AddTensor(kF32, {1}, "num_detections");
  b.AddCustomOp("TFLite_Detection_PostProcess", {enc, sco, anc},
                {boxes, classes, scores, count}, Flex(c.options));
  b.SetInputs({enc, sco});
  b.SetOutputs({boxes, classes, scores, count});
  oc.model = b.Build();
  return oc;
}

// Random anchors on a grid in [0, 1], random encodings and scores.
DetectCase RandomCase(const std::string& name, uint32_t seed, int n,
                      const DetectOptions& o) {
  Rng rng(seed);
  DetectCase c;
  c.name = name;
  c.options = o;
  c.num_boxes = n;
  c.score_columns = o.num_classes + 1;
  for (int i = 0; i < n; ++i) {
    c.anchors.push_back(rng.Float(0.1f, 0.9f));  // ycenter
    c.anchors.push_back(rng.Float(0.1f, 0.9f));  // xcenter
    c.anchors.push_back(rng.Float(0.1f, 0.4f));  // h
    c.anchors.push_back(rng.Float(0.1f, 0.4f));  // w
    for (int k = 0; k < 4; ++k) c.encodings.push_back(rng.Float(-3.0f, 3.0f));
    for (int k = 0; k < c.score_columns; ++k)
      c.scores.push_back(rng.Float(0.0f, 1.0f));
  }
  return c;
}

float At(const NpyArray& a, size_t i) {
  float v;
  memcpy(&v, a.data.data() + 4 * i, 4);
  return v;
}

void ExpectSame(const DetectCase& c, const testing::RunResult& ours,
                const testing::RunResult& ref, bool compare_boxes = true) {
  SCOPED_TRACE(c.name);
  ASSERT_TRUE(ref.ok) << "LiteRT: " << ref.error;
  ASSERT_TRUE(ours.ok) << ours.error;
  ASSERT_EQ(ours.outputs.size(), 4u);
  ASSERT_EQ(ref.outputs.size(), 4u);
  for (int k = 0; k < 3; ++k) {
    ASSERT_EQ(ours.outputs[k].shape, ref.outputs[k].shape) << "output " << k;
  }
  const float count = At(ref.outputs[3], 0);
  ASSERT_EQ(At(ours.outputs[3], 0), count);
  const int rows = static_cast<int>(ref.outputs[1].shape[1]);
  // Fast mode counts boxes and writes one row per class of each box.
  const int per_detection =
      c.options.use_regular_nms ? 1 : c.options.max_classes_per_detection;
  const int written = static_cast<int>(count) * per_detection;
  ASSERT_LE(written, rows);
  for (int r = 0; r < written; ++r) {
    // A box's rows past num_classes: LiteRT leaves them unwritten.
    if (r % per_detection >= c.options.num_classes) continue;
    EXPECT_EQ(At(ours.outputs[1], r), At(ref.outputs[1], r)) << "class " << r;
    EXPECT_NEAR(At(ours.outputs[2], r), At(ref.outputs[2], r), 1e-5)
        << "score " << r;
    for (int k = 0; k < 4 && compare_boxes; ++k) {
      EXPECT_NEAR(At(ours.outputs[0], r * 4 + k), At(ref.outputs[0], r * 4 + k),
                  1e-5)
          << "box " << r << "." << k;
    }
  }
  // Rows not written are zero in Ember (LiteRT leaves them unspecified).
  for (int r = written; r < rows; ++r) {
    EXPECT_EQ(At(ours.outputs[1], r), 0.0f);
    EXPECT_EQ(At(ours.outputs[2], r), 0.0f);
  }
}

// The float case holding exactly the values a quantized case dequantizes
// to ((q - zero_point) * scale).
DetectCase Dequantized(const DetectCase& c) {
  DetectCase f = c;
  f.name += "/as_float";
  f.type = DataType::kFloat32;
  f.anchors_quantized = false;
  auto round_trip = [&](std::vector<float>* v, Quant q, DataType type) {
    const std::vector<uint8_t> bytes = Quantize(type, *v, q);
    for (size_t i = 0; i < v->size(); ++i) {
      int32_t x = bytes[i];
      if (type == DataType::kInt8) x = static_cast<int8_t>(bytes[i]);
      (*v)[i] = static_cast<float>(x - static_cast<int32_t>(q.zero)) * q.scale;
    }
  };
  round_trip(&f.encodings, QuantFor(c.type, -8.0f, 8.0f), c.type);
  round_trip(&f.scores, QuantFor(c.type, 0.0f, 1.0f), c.type);
  if (c.anchors_quantized)
    round_trip(&f.anchors, QuantFor(c.type, 0.0f, 1.0f), c.type);
  return f;
}

// Quantized cases also run in LiteRT as the float model of their
// dequantized values, which checks everything. Against LiteRT's own
// quantized run only classes, scores and the count are compared: its
// uint8 path returns all-zero boxes (seen with ai-edge-litert 2.3.0, both NMS
// modes), and it rejects int8 inputs that Ember accepts.
void RunAgainstLiteRt(const std::vector<DetectCase>& cases) {
  std::vector<testing::OracleCase> built;
  std::vector<size_t> twin(cases.size(), 0);
  for (const auto& c : cases) built.push_back(Build(c));
  for (size_t i = 0; i < cases.size(); ++i) {
    if (cases[i].type == DataType::kFloat32) continue;
    twin[i] = built.size();
    built.push_back(Build(Dequantized(cases[i])));
  }
  const auto ref = testing::RunLiteRt(built, /*reference=*/true);
  ASSERT_EQ(ref.size(), built.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto ours = testing::RunEmber(built[i].model, built[i].inputs);
    const bool quantized = cases[i].type != DataType::kFloat32;
    if (cases[i].type != DataType::kInt8) {
      ExpectSame(cases[i], ours, ref[i], /*compare_boxes=*/!quantized);
    }
    if (quantized) ExpectSame(Dequantized(cases[i]), ours, ref[twin[i]]);
  }
}

std::vector<DetectCase> BothModes(const DetectCase& c) {
  DetectCase fast = c, regular = c;
  fast.name += "/fast";
  fast.options.use_regular_nms = false;
  regular.name += "/regular";
  regular.options.use_regular_nms = true;
  return {fast, regular};
}

void Append(std::vector<DetectCase>* all, const std::vector<DetectCase>& more) {
  all->insert(all->end(), more.begin(), more.end());
}

TEST(DetectionPostProcess, RandomFloatMatchesLiteRt) {
  std::vector<DetectCase> cases;
  DetectOptions o;
  Append(&cases, BothModes(RandomCase("random", 1, 64, o)));
  o.max_classes_per_detection = 3;
  Append(&cases, BothModes(RandomCase("three_classes", 2, 64, o)));
  o = {};
  o.num_classes = 20;
  o.max_detections = 25;
  o.detections_per_class = 7;
  o.nms_iou_threshold = 0.3f;
  o.nms_score_threshold = 0.6f;
  Append(&cases, BothModes(RandomCase("many_classes", 3, 300, o)));
  o = {};
  o.max_detections = 1;
  Append(&cases, BothModes(RandomCase("one_detection", 4, 40, o)));
  // SSD-sized: many anchors and classes, low threshold, so that NMS visits
  // candidates in several sorted batches and the regular path's running
  // list fills up early (then skips what cannot enter it), with tied
  // scores across anchors and classes.
  o = {};
  o.num_classes = 30;
  o.max_detections = 10;
  o.detections_per_class = 100;
  o.nms_score_threshold = 1e-8f;
  o.nms_iou_threshold = 0.2f;
  {
    DetectCase c = RandomCase("ssd_sized", 5, 1000, o);
    for (auto& v : c.scores) v = std::round(std::pow(v, 4.0f) * 64) / 64;
    Append(&cases, BothModes(c));
    c.name = "ssd_sized_more_rows";
    c.options.max_detections = 100;
    c.options.max_classes_per_detection = 2;
    Append(&cases, BothModes(c));
  }
  RunAgainstLiteRt(cases);
}

TEST(DetectionPostProcess, AdversarialMatchesLiteRt) {
  std::vector<DetectCase> cases;
  DetectOptions o;
  // Ties: scores on a coarse grid, so many anchors and classes share one.
  {
    DetectCase c = RandomCase("ties", 10, 80, o);
    for (auto& s : c.scores) s = std::round(s * 4.0f) / 4.0f;
    Append(&cases, BothModes(c));
    o.max_classes_per_detection = 2;
    c = RandomCase("ties_two_classes", 11, 80, o);
    for (auto& s : c.scores) s = std::round(s * 2.0f) / 2.0f;
    Append(&cases, BothModes(c));
    o = {};
  }
  // Every box the same or nearly the same: NMS suppresses almost all.
  {
    DetectCase c = RandomCase("overlapping", 12, 50, o);
    for (int i = 0; i < c.num_boxes; ++i) {
      c.anchors[i * 4 + 0] = 0.5f;
      c.anchors[i * 4 + 1] = 0.5f;
      c.anchors[i * 4 + 2] = 0.3f;
      c.anchors[i * 4 + 3] = 0.3f;
      for (int k = 0; k < 4; ++k) c.encodings[i * 4 + k] *= 0.1f;
    }
    Append(&cases, BothModes(c));
    // Identical boxes and identical scores.
    for (auto& e : c.encodings) e = 0.0f;
    for (auto& s : c.scores) s = 0.75f;
    c.name = "identical";
    Append(&cases, BothModes(c));
  }
  // Nothing reaches the threshold.
  {
    DetectCase c = RandomCase("below_threshold", 13, 30, o);
    for (auto& s : c.scores) s *= 0.25f;
    Append(&cases, BothModes(c));
  }
  // Scores exactly at the threshold are kept.
  {
    DetectCase c = RandomCase("at_threshold", 14, 30, o);
    for (auto& s : c.scores) s = s > 0.5f ? 0.3f : 0.1f;
    Append(&cases, BothModes(c));
  }
  // Far more output rows than survivors.
  {
    o.max_detections = 40;
    o.max_classes_per_detection = 2;
    o.nms_score_threshold = 0.8f;
    Append(&cases, BothModes(RandomCase("few_survivors", 15, 60, o)));
    o = {};
  }
  // More classes per detection than classes; no background column.
  {
    o.num_classes = 2;
    o.max_classes_per_detection = 4;
    DetectCase c = RandomCase("no_background", 16, 40, o);
    c.score_columns = 2;
    c.scores.clear();
    Rng rng(17);
    for (int i = 0; i < c.num_boxes * c.score_columns; ++i)
      c.scores.push_back(rng.Float(0.0f, 1.0f));
    Append(&cases, BothModes(c));
    o = {};
  }
  RunAgainstLiteRt(cases);
}

TEST(DetectionPostProcess, QuantizedMatchesLiteRt) {
  std::vector<DetectCase> cases;
  DetectOptions o;
  o.max_classes_per_detection = 2;
  for (DataType type : {DataType::kUInt8, DataType::kInt8}) {
    const std::string t = DataTypeName(type);
    DetectCase c = RandomCase(t, 20, 64, o);
    c.type = type;
    Append(&cases, BothModes(c));
    c.name = t + "_quantized_anchors";
    c.anchors_quantized = true;
    Append(&cases, BothModes(c));
  }
  RunAgainstLiteRt(cases);
}

// Prepare must fail with a message naming the problem.
void ExpectPrepareError(const DetectCase& c, const std::string& expected) {
  SCOPED_TRACE(c.name);
  const auto built = Build(c);
  const auto ours = testing::RunEmber(built.model, built.inputs);
  EXPECT_FALSE(ours.ok);
  EXPECT_NE(ours.error.find(expected), std::string::npos) << ours.error;
}

TEST(DetectionPostProcess, BadOptionsAndShapesFailPrepare) {
  const DetectCase good = RandomCase("good", 30, 16, DetectOptions{});
  for (const char* key :
       {"max_detections", "max_classes_per_detection", "nms_score_threshold",
        "nms_iou_threshold", "num_classes", "y_scale", "x_scale", "h_scale",
        "w_scale"}) {
    DetectCase c = good;
    c.name = std::string("missing ") + key;
    c.options.omit = {key};
    ExpectPrepareError(c, std::string("'") + key + "' missing");
  }
  {
    DetectCase c = good;
    c.name = "num_classes too big";
    c.options.num_classes = 6;  // the scores have 5 columns
    ExpectPrepareError(c, "num_classes = 6");
  }
  {
    DetectCase c = good;
    c.name = "two extra columns";
    c.options.num_classes = 3;  // the scores have 5 columns
    ExpectPrepareError(c, "at most one extra (background) column");
  }
  {
    DetectCase c = good;
    c.name = "zero scale";
    c.options.h_scale = 0.0f;
    ExpectPrepareError(c, "'h_scale' must be > 0");
  }
  {
    DetectCase c = good;
    c.name = "iou above 1";
    c.options.nms_iou_threshold = 1.5f;
    ExpectPrepareError(c, "'nms_iou_threshold'");
  }
  {
    DetectCase c = good;
    c.name = "zero detections";
    c.options.max_detections = 0;
    ExpectPrepareError(c, "'max_detections'");
  }
  // N mismatch between the anchors and the other inputs.
  {
    DetectCase c = good;
    c.name = "anchor count";
    c.encodings.resize(15 * 4);  // 15 anchors' encodings and scores...
    c.scores.resize(15 * c.score_columns);
    c.anchors.resize(14 * 4);  // ...but 14 anchors
    ModelBuilder b;
    const int enc = b.AddTensor(kF32, {1, 15, 4});
    const int sco = b.AddTensor(kF32, {1, 15, c.score_columns});
    const int anc = b.AddConstant(kF32, {14, 4}, c.anchors);
    const int o0 = b.AddTensor(kF32, {1, 10, 4});
    const int o1 = b.AddTensor(kF32, {1, 10});
    const int o2 = b.AddTensor(kF32, {1, 10});
    const int o3 = b.AddTensor(kF32, {1});
    b.AddCustomOp("TFLite_Detection_PostProcess", {enc, sco, anc},
                  {o0, o1, o2, o3}, Flex(c.options));
    b.SetInputs({enc, sco});
    b.SetOutputs({o0, o1, o2, o3});
    const auto ours = testing::RunEmber(
        b.Build(),
        {testing::MakeArray(DataType::kFloat32, {1, 15, 4}, c.encodings),
         testing::MakeArray(DataType::kFloat32, {1, 15, c.score_columns},
                            c.scores)});
    EXPECT_FALSE(ours.ok);
    EXPECT_NE(ours.error.find("anchors must be [15, 4], got [14, 4]"),
              std::string::npos)
        << ours.error;
  }
  // Wrong rank of the box encodings.
  {
    ModelBuilder b;
    const int enc = b.AddTensor(kF32, {16, 4});
    const int sco = b.AddTensor(kF32, {1, 16, 5});
    const int anc = b.AddConstant(kF32, {16, 4}, good.anchors);
    const int o0 = b.AddTensor(kF32, {1, 10, 4});
    const int o1 = b.AddTensor(kF32, {1, 10});
    const int o2 = b.AddTensor(kF32, {1, 10});
    const int o3 = b.AddTensor(kF32, {1});
    b.AddCustomOp("TFLite_Detection_PostProcess", {enc, sco, anc},
                  {o0, o1, o2, o3}, Flex(good.options));
    b.SetInputs({enc, sco});
    b.SetOutputs({o0, o1, o2, o3});
    const auto ours = testing::RunEmber(
        b.Build(),
        {testing::MakeArray(DataType::kFloat32, {16, 4}, good.encodings),
         testing::MakeArray(DataType::kFloat32, {1, 16, 5}, good.scores)});
    EXPECT_FALSE(ours.ok);
    EXPECT_NE(ours.error.find("box_encodings must have rank 3"),
              std::string::npos)
        << ours.error;
  }
  // Options that are not a FlexBuffers map at all.
  {
    ModelBuilder b;
    const int enc = b.AddTensor(kF32, {1, 16, 4});
    const int sco = b.AddTensor(kF32, {1, 16, 5});
    const int anc = b.AddConstant(kF32, {16, 4}, good.anchors);
    const int o0 = b.AddTensor(kF32, {1, 10, 4});
    const int o1 = b.AddTensor(kF32, {1, 10});
    const int o2 = b.AddTensor(kF32, {1, 10});
    const int o3 = b.AddTensor(kF32, {1});
    b.AddCustomOp("TFLite_Detection_PostProcess", {enc, sco, anc},
                  {o0, o1, o2, o3}, {0xff, 0x13, 0x07, 0x42, 0x00});
    b.SetInputs({enc, sco});
    b.SetOutputs({o0, o1, o2, o3});
    const auto ours = testing::RunEmber(
        b.Build(),
        {testing::MakeArray(DataType::kFloat32, {1, 16, 4}, good.encodings),
         testing::MakeArray(DataType::kFloat32, {1, 16, 5}, good.scores)});
    EXPECT_FALSE(ours.ok);
    EXPECT_NE(ours.error.find("custom options"), std::string::npos)
        << ours.error;
  }
}

}  // namespace
}  // namespace ember
