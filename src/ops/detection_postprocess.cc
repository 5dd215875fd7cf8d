// TFLite_Detection_PostProcess: the SSD detector's tail (TensorFlow's object
// detection exporter appends it as a custom op). Decodes box encodings
// against anchors, then keeps the best boxes with non-max suppression.
//
// Inputs: box_encodings [1, N, >=4] (ty, tx, th, tw per anchor; extra
//         columns such as keypoints are ignored), class_predictions
//         [1, N, C + offset] (offset 0 or 1: a leading background column
//         is ignored), anchors [N, 4] (ycenter, xcenter, h, w). float32, or
//         uint8/int8 dequantized with their scale and zero point.
// Outputs (float32): boxes [1, M, 4] (ymin, xmin, ymax, xmax), classes
//         [1, M], scores [1, M], num_detections [1], with
//         M = max_detections * max_classes_per_detection. Fast mode
//         writes max_classes_per_detection rows per kept box and counts
//         boxes in num_detections (as LiteRT does); rows not written are
//         zero.
//
// Decoding (per anchor a, encoding t):
//   yc = ty / y_scale * a.h + a.yc        xc = tx / x_scale * a.w + a.xc
//   h  = exp(th / h_scale) * a.h          w  = exp(tw / w_scale) * a.w
// Fast mode (use_regular_nms false): each anchor is scored by its best
// class; one class-agnostic NMS keeps up to max_detections anchors, each
// reported with its top max_classes_per_detection classes. Regular mode: NMS
// per class (up to detections_per_class each), then the best max_detections
// of all classes by score. A candidate needs score >= nms_score_threshold; a
// box is suppressed by a kept one when their IoU > nms_iou_threshold. Ties
// in score go to the lower anchor index (and the lower class), which is the
// order LiteRT's kernel produces.
#include <algorithm>
#include <cmath>

#include "ops/op_util.h"
#include "ops/signal_options.h"

namespace ember::ops {
namespace {

struct DetectionData {
  int32_t max_detections;
  int32_t max_classes_per_detection;
  int32_t detections_per_class;
  bool regular_nms;
  float score_threshold;
  float iou_threshold;
  int32_t num_classes;
  float y_scale, x_scale, h_scale, w_scale;
  // From the input shapes.
  int32_t num_boxes;
  int32_t box_columns;    // box_encodings.dims[2] (>= 4)
  int32_t score_columns;  // class_predictions.dims[2]
  int32_t label_offset;   // score_columns - num_classes
  int32_t output_rows;    // M
  // Scratch indices.
  int decoded, areas, scores, candidates, order, kept, merged, merge_tmp,
      class_order;
};

// One detection of the regular path: which anchor, which class, its score.
struct Detection {
  float score;
  int32_t box;
  int32_t label;
};

constexpr int32_t kMaxDetectionsLimit = 1 << 16;
constexpr int32_t kMaxClassesLimit = 1 << 16;

Status CheckInput(OpContext& ctx, const Tensor* t, const char* what, int rank) {
  if (t == nullptr) {
    return ctx.Error(StatusCode::kInvalidModel, "%s tensor is missing", what);
  }
  if (t->type != DataType::kFloat32 && t->type != DataType::kUInt8 &&
      t->type != DataType::kInt8) {
    return ctx.Error(StatusCode::kUnsupported,
                     "%s must be float32, uint8 or int8, got %s", what,
                     DataTypeName(t->type));
  }
  if (t->type != DataType::kFloat32 && !t->quant.quantized()) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s is %s but has no quantization parameters", what,
                     DataTypeName(t->type));
  }
  if (t->type != DataType::kFloat32 && !(t->quant.scale0() > 0.0f)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s has a non-positive quantization scale", what);
  }
  if (t->shape.rank != rank) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "%s must have rank %d, got rank %d", what, rank,
                     static_cast<int>(t->shape.rank));
  }
  return Status::Ok();
}

Status ReadOptions(OpContext& ctx, DetectionData* d) {
  SignalOptions opts;
  EMBER_RETURN_IF_ERROR(opts.Open(ctx));
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "max_detections", 1,
                                   kMaxDetectionsLimit, &d->max_detections));
  EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "max_classes_per_detection", 1,
                                   kMaxClassesLimit,
                                   &d->max_classes_per_detection));
  // Optional in the format, with these defaults.
  d->detections_per_class = 100;
  if (opts.Has("detections_per_class")) {
    EMBER_RETURN_IF_ERROR(opts.Int32(ctx, "detections_per_class", 1,
                                     kMaxDetectionsLimit,
                                     &d->detections_per_class));
  }
  d->regular_nms = false;
  if (opts.Has("use_regular_nms")) {
    EMBER_RETURN_IF_ERROR(opts.Bool(ctx, "use_regular_nms", &d->regular_nms));
  }
  EMBER_RETURN_IF_ERROR(
      opts.Float(ctx, "nms_score_threshold", -1e30, 1e30, &d->score_threshold));
  EMBER_RETURN_IF_ERROR(
      opts.Float(ctx, "nms_iou_threshold", 0.0, 1.0, &d->iou_threshold));
  if (!(d->iou_threshold > 0.0f)) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "custom option 'nms_iou_threshold' must be > 0");
  }
  EMBER_RETURN_IF_ERROR(
      opts.Int32(ctx, "num_classes", 1, kMaxClassesLimit, &d->num_classes));
  const char* scale_keys[4] = {"y_scale", "x_scale", "h_scale", "w_scale"};
  float* scales[4] = {&d->y_scale, &d->x_scale, &d->h_scale, &d->w_scale};
  for (int k = 0; k < 4; ++k) {
    EMBER_RETURN_IF_ERROR(opts.Float(ctx, scale_keys[k], 0.0, 1e30, scales[k]));
    if (!(*scales[k] > 0.0f)) {
      return ctx.Error(StatusCode::kInvalidModel,
                       "custom option '%s' must be > 0", scale_keys[k]);
    }
  }
  return Status::Ok();
}

Status Prepare(OpContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckArity(ctx, 3, 3, 4));
  auto* d = ctx.op_data<DetectionData>();
  EMBER_RETURN_IF_ERROR(ReadOptions(ctx, d));
  const Tensor* boxes = ctx.input(0);
  const Tensor* scores = ctx.input(1);
  const Tensor* anchors = ctx.input(2);
  EMBER_RETURN_IF_ERROR(CheckInput(ctx, boxes, "box_encodings", 3));
  EMBER_RETURN_IF_ERROR(CheckInput(ctx, scores, "class_predictions", 3));
  EMBER_RETURN_IF_ERROR(CheckInput(ctx, anchors, "anchors", 2));
  if (boxes->shape.dims[0] != 1 || scores->shape.dims[0] != 1) {
    return ctx.Error(StatusCode::kUnsupported,
                     "only batch 1 is supported (box_encodings batch %d, "
                     "class_predictions batch %d)",
                     boxes->shape.dims[0], scores->shape.dims[0]);
  }
  d->num_boxes = boxes->shape.dims[1];
  d->box_columns = boxes->shape.dims[2];
  d->score_columns = scores->shape.dims[2];
  if (d->num_boxes < 1) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "box_encodings has no anchors (dims[1] = %d)",
                     d->num_boxes);
  }
  if (d->box_columns < 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "box_encodings needs at least 4 values per anchor, has %d",
                     d->box_columns);
  }
  if (scores->shape.dims[1] != d->num_boxes) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "class_predictions has %d anchors, box_encodings %d",
                     scores->shape.dims[1], d->num_boxes);
  }
  if (anchors->shape.dims[0] != d->num_boxes || anchors->shape.dims[1] != 4) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "anchors must be [%d, 4], got [%d, %d]", d->num_boxes,
                     anchors->shape.dims[0], anchors->shape.dims[1]);
  }
  if (d->num_classes > d->score_columns) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "num_classes = %d but class_predictions has only %d "
                     "columns",
                     d->num_classes, d->score_columns);
  }
  d->label_offset = d->score_columns - d->num_classes;
  if (d->label_offset > 1) {
    // As LiteRT: at most one leading (background) column.
    return ctx.Error(StatusCode::kInvalidModel,
                     "class_predictions has %d columns for num_classes = %d: "
                     "at most one extra (background) column is allowed",
                     d->score_columns, d->num_classes);
  }
  d->output_rows = d->max_detections * d->max_classes_per_detection;
  if (d->output_rows > kMaxDetectionsLimit) {
    return ctx.Error(StatusCode::kInvalidModel,
                     "max_detections * max_classes_per_detection = %d is more "
                     "than %d",
                     d->output_rows, kMaxDetectionsLimit);
  }
  const char* out_names[4] = {"detection_boxes", "detection_classes",
                              "detection_scores", "num_detections"};
  for (int i = 0; i < 4; ++i) {
    EMBER_RETURN_IF_ERROR(
        CheckType(ctx, ctx.output(i), out_names[i], DataType::kFloat32));
  }

  const size_t n = static_cast<size_t>(d->num_boxes);
  const size_t per_class =
      static_cast<size_t>(std::max(d->max_detections, d->detections_per_class));
  const size_t merge = static_cast<size_t>(d->max_detections) +
                       static_cast<size_t>(d->detections_per_class);
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(n * 4 * sizeof(float), &d->decoded));
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(n * sizeof(float), &d->areas));
  // Float scores are read in place; quantized ones are dequantized here.
  d->scores = -1;
  if (scores->type != DataType::kFloat32) {
    EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
        n * static_cast<size_t>(d->score_columns) * sizeof(float), &d->scores));
  }
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(n * sizeof(float), &d->candidates));
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(n * sizeof(int32_t), &d->order));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(per_class * sizeof(int32_t), &d->kept));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(merge * sizeof(Detection), &d->merged));
  EMBER_RETURN_IF_ERROR(
      ctx.RequestScratch(merge * sizeof(Detection), &d->merge_tmp));
  EMBER_RETURN_IF_ERROR(ctx.RequestScratch(
      static_cast<size_t>(d->num_classes) * sizeof(int32_t), &d->class_order));

  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(0, MakeShape({1, d->output_rows, 4})));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(1, MakeShape({1, d->output_rows})));
  EMBER_RETURN_IF_ERROR(ctx.ResizeOutput(2, MakeShape({1, d->output_rows})));
  return ctx.ResizeOutput(3, MakeShape({1}));
}

// Element i of a float32 tensor, or of a uint8/int8 one dequantized as
// (q - zero_point) * scale.
float ValueAt(const Tensor* t, int64_t i) {
  switch (t->type) {
    case DataType::kUInt8:
      return static_cast<float>(static_cast<int32_t>(t->data_as<uint8_t>()[i]) -
                                t->quant.zero_point0()) *
             t->quant.scale0();
    case DataType::kInt8:
      return static_cast<float>(static_cast<int32_t>(t->data_as<int8_t>()[i]) -
                                t->quant.zero_point0()) *
             t->quant.scale0();
    default:
      return t->data_as<float>()[i];
  }
}

// Decoded boxes (ymin, xmin, ymax, xmax) per anchor into `decoded`, and
// their areas (as the IoU computes them) into `areas`.
void DecodeBoxes(OpContext& ctx, const DetectionData& d, float* decoded,
                 float* areas) {
  const Tensor* encodings = ctx.input(0);
  const Tensor* anchors = ctx.input(2);
  for (int64_t i = 0; i < d.num_boxes; ++i) {
    float t[4], a[4];
    for (int k = 0; k < 4; ++k) {
      t[k] = ValueAt(encodings, i * d.box_columns + k);
      a[k] = ValueAt(anchors, i * 4 + k);
    }
    const float yc = t[0] / d.y_scale * a[2] + a[0];
    const float xc = t[1] / d.x_scale * a[3] + a[1];
    const float half_h = 0.5f * std::exp(t[2] / d.h_scale) * a[2];
    const float half_w = 0.5f * std::exp(t[3] / d.w_scale) * a[3];
    float* b = decoded + i * 4;
    b[0] = yc - half_h;
    b[1] = xc - half_w;
    b[2] = yc + half_h;
    b[3] = xc + half_w;
    areas[i] = (b[2] - b[0]) * (b[3] - b[1]);
  }
}

struct Boxes {
  const float* corners;  // [N, 4]
  const float* areas;    // [N]

  // Intersection over union of boxes a and b; 0 when either is empty.
  float Iou(int32_t a, int32_t b) const {
    const float area_a = areas[a], area_b = areas[b];
    if (area_a <= 0.0f || area_b <= 0.0f) return 0.0f;
    const float* p = corners + static_cast<int64_t>(a) * 4;
    const float* q = corners + static_cast<int64_t>(b) * 4;
    const float h = std::max(std::min(p[2], q[2]) - std::max(p[0], q[0]), 0.0f);
    const float w = std::max(std::min(p[3], q[3]) - std::max(p[1], q[1]), 0.0f);
    const float inter = h * w;
    return inter / (area_a + area_b - inter);
  }
};

// Greedy NMS over one score per anchor. Candidates (score >= the score
// threshold, and > `floor`) are visited best first; one is kept unless a
// box kept before it overlaps it with IoU > the IoU threshold. That is the
// usual "keep the best, drop what it overlaps, repeat", visiting only what
// is needed: the visit stops at `limit` kept boxes, and candidates are put
// in order in growing batches (the first batch is usually enough). Writes
// the kept anchors, best first, to `kept`; returns how many.
int32_t NonMaxSuppression(const DetectionData& d, const Boxes& boxes,
                          const float* score, int64_t stride, int32_t limit,
                          float floor, int32_t* order, int32_t* kept) {
  int32_t count = 0;
  for (int32_t i = 0; i < d.num_boxes; ++i) {
    const float s = score[i * stride];
    if (s >= d.score_threshold && s > floor) order[count++] = i;
  }
  // A total order (score descending, then anchor index), so the result
  // does not depend on the sort algorithm; LiteRT orders ties the same way.
  auto better = [score, stride](int32_t a, int32_t b) {
    const float sa = score[a * stride], sb = score[b * stride];
    return sa > sb || (sa == sb && a < b);
  };
  int32_t sorted = 0, num_kept = 0;
  for (int32_t p = 0; p < count && num_kept < limit; ++p) {
    if (p == sorted) {
      sorted = static_cast<int32_t>(std::min<int64_t>(
          count, p + std::max<int64_t>(int64_t{4} * limit, p)));
      std::partial_sort(order + p, order + sorted, order + count, better);
    }
    const int32_t candidate = order[p];
    bool suppressed = false;
    for (int32_t k = 0; k < num_kept && !suppressed; ++k)
      suppressed = boxes.Iou(kept[k], candidate) > d.iou_threshold;
    if (!suppressed) kept[num_kept++] = candidate;
  }
  return num_kept;
}

struct Outputs {
  float* boxes;
  float* classes;
  float* scores;
  int32_t rows;
  int32_t count = 0;       // rows written
  int32_t detections = 0;  // num_detections: boxes (fast) or rows (regular)

  void Add(const float* box, int32_t label, float score) {
    std::copy(box, box + 4, boxes + static_cast<int64_t>(count) * 4);
    classes[count] = static_cast<float>(label);
    scores[count] = score;
    ++count;
  }
};

void FastNms(OpContext& ctx, const DetectionData& d, const Boxes& boxes,
             const float* scores, Outputs* out) {
  const float* decoded = boxes.corners;
  const int32_t columns = d.score_columns;
  const int32_t k = std::min(d.max_classes_per_detection, d.num_classes);
  auto* best = static_cast<float*>(ctx.scratch(d.candidates));
  for (int32_t i = 0; i < d.num_boxes; ++i) {
    const float* row =
        scores + static_cast<int64_t>(i) * columns + d.label_offset;
    best[i] = *std::max_element(row, row + d.num_classes);
  }
  auto* kept = static_cast<int32_t*>(ctx.scratch(d.kept));
  const int32_t num_kept =
      NonMaxSuppression(d, boxes, best, 1, d.max_detections, -INFINITY,
                        static_cast<int32_t*>(ctx.scratch(d.order)), kept);
  auto* labels = static_cast<int32_t*>(ctx.scratch(d.class_order));
  for (int32_t s = 0; s < num_kept; ++s) {
    const int32_t box = kept[s];
    const float* row =
        scores + static_cast<int64_t>(box) * columns + d.label_offset;
    for (int32_t c = 0; c < d.num_classes; ++c) labels[c] = c;
    // Not a total order on purpose: LiteRT picks the top classes with
    // std::partial_sort on "greater score" alone, and this is the same call
    // on the same input, so tied classes come out in the same order.
    std::partial_sort(labels, labels + k, labels + d.num_classes,
                      [row](int32_t a, int32_t b) { return row[a] > row[b]; });
    // Box s owns rows [s * max_classes_per_detection, ...): when there are
    // fewer classes than that, the rest of its rows stay zero.
    out->count = s * d.max_classes_per_detection;
    for (int32_t j = 0; j < k; ++j) {
      out->Add(decoded + static_cast<int64_t>(box) * 4, labels[j],
               row[labels[j]]);
    }
  }
  // One detection per kept box, however many class rows each one has.
  out->detections = num_kept;
}

void RegularNms(OpContext& ctx, const DetectionData& d, const Boxes& boxes,
                const float* scores, Outputs* out) {
  const float* decoded = boxes.corners;
  auto* kept = static_cast<int32_t*>(ctx.scratch(d.kept));
  auto* merged = static_cast<Detection*>(ctx.scratch(d.merged));
  auto* tmp = static_cast<Detection*>(ctx.scratch(d.merge_tmp));
  int32_t num_merged = 0;
  // A class contributes at most max_detections boxes to the result.
  const int32_t per_class = std::min(d.detections_per_class, d.max_detections);
  for (int32_t c = 0; c < d.num_classes; ++c) {
    const float* column = scores + d.label_offset + c;
    // Once the running list is full, a box of this class enters it only
    // by scoring above its last entry (ties stay with the earlier class).
    // Skipping the others changes nothing: lower boxes never suppress
    // higher ones.
    const float floor = num_merged == d.max_detections
                            ? merged[num_merged - 1].score
                            : -INFINITY;
    const int32_t num_kept =
        NonMaxSuppression(d, boxes, column, d.score_columns, per_class, floor,
                          static_cast<int32_t*>(ctx.scratch(d.order)), kept);
    auto score_of = [&](int32_t box) {
      return column[static_cast<int64_t>(box) * d.score_columns];
    };
    // Merge this class's detections (best first) into the running list
    // (best first); on equal scores the earlier class stays ahead.
    int32_t a = 0, b = 0, n = 0;
    while (n < d.max_detections && (a < num_merged || b < num_kept)) {
      const bool take_new =
          a >= num_merged ||
          (b < num_kept && score_of(kept[b]) > merged[a].score);
      if (take_new) {
        tmp[n++] = {score_of(kept[b]), kept[b], c};
        ++b;
      } else {
        tmp[n++] = merged[a++];
      }
    }
    std::copy(tmp, tmp + n, merged);
    num_merged = n;
  }
  for (int32_t r = 0; r < num_merged; ++r) {
    out->Add(decoded + static_cast<int64_t>(merged[r].box) * 4, merged[r].label,
             merged[r].score);
  }
  out->detections = num_merged;
}

Status Eval(OpContext& ctx) {
  const auto& d = *ctx.op_data<DetectionData>();
  auto* decoded = static_cast<float*>(ctx.scratch(d.decoded));
  auto* areas = static_cast<float*>(ctx.scratch(d.areas));
  DecodeBoxes(ctx, d, decoded, areas);
  const Boxes boxes{decoded, areas};
  const Tensor* predictions = ctx.input(1);
  const float* scores = predictions->data_as<float>();
  if (predictions->type != DataType::kFloat32) {
    auto* dequantized = static_cast<float*>(ctx.scratch(d.scores));
    const int64_t num_scores =
        static_cast<int64_t>(d.num_boxes) * d.score_columns;
    for (int64_t i = 0; i < num_scores; ++i)
      dequantized[i] = ValueAt(predictions, i);
    scores = dequantized;
  }

  Outputs out{ctx.output(0)->data_as<float>(), ctx.output(1)->data_as<float>(),
              ctx.output(2)->data_as<float>(), d.output_rows};
  std::fill(out.boxes, out.boxes + static_cast<int64_t>(d.output_rows) * 4,
            0.0f);
  std::fill(out.classes, out.classes + d.output_rows, 0.0f);
  std::fill(out.scores, out.scores + d.output_rows, 0.0f);
  if (d.regular_nms) {
    RegularNms(ctx, d, boxes, scores, &out);
  } else {
    FastNms(ctx, d, boxes, scores, &out);
  }
  ctx.output(3)->data_as<float>()[0] = static_cast<float>(out.detections);
  return Status::Ok();
}

}  // namespace

const OpRegistration* Register_DetectionPostProcess() {
  static const OpRegistration reg = {-1,
                                     "TFLite_Detection_PostProcess",
                                     sizeof(DetectionData),
                                     Prepare,
                                     Eval,
                                     kOpFlagNone};
  return &reg;
}

}  // namespace ember::ops
