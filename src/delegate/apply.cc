// Applying delegates to a subgraph: the view each delegate gets, the
// partitions, and the kernel node that runs a partition through the C ABI.
#include <cstring>
#include <unordered_map>

#include "delegate/delegate.h"
#include "partition/partition.h"
#include "runtime/subgraph.h"

namespace ember::delegate {

namespace {

// The .tflite fused activation of the ops that have one; -1 otherwise.
int32_t FusedActivationOf(const fb::Operator* op) {
  if (op == nullptr) return -1;
  auto act = [](auto* options) {
    return options ? static_cast<int32_t>(options->fused_activation_function())
                   : 0;
  };
  switch (op->builtin_options_type()) {
    case fb::BuiltinOptions::AddOptions:
      return act(op->builtin_options_as_AddOptions());
    case fb::BuiltinOptions::SubOptions:
      return act(op->builtin_options_as_SubOptions());
    case fb::BuiltinOptions::MulOptions:
      return act(op->builtin_options_as_MulOptions());
    case fb::BuiltinOptions::DivOptions:
      return act(op->builtin_options_as_DivOptions());
    case fb::BuiltinOptions::Conv2DOptions:
      return act(op->builtin_options_as_Conv2DOptions());
    case fb::BuiltinOptions::DepthwiseConv2DOptions:
      return act(op->builtin_options_as_DepthwiseConv2DOptions());
    case fb::BuiltinOptions::FullyConnectedOptions:
      return act(op->builtin_options_as_FullyConnectedOptions());
    case fb::BuiltinOptions::Pool2DOptions:
      return act(op->builtin_options_as_Pool2DOptions());
    case fb::BuiltinOptions::ConcatenationOptions:
      return act(op->builtin_options_as_ConcatenationOptions());
    case fb::BuiltinOptions::TransposeConvOptions:
      return act(op->builtin_options_as_TransposeConvOptions());
    default:
      return -1;
  }
}

// The flattened builtin options a delegate reads (ABI version 2).
EmberDelegateNodeOptions OptionsOf(const fb::Operator* op) {
  EmberDelegateNodeOptions o{};
  o.padding = -1;
  o.stride_h = o.stride_w = o.dilation_h = o.dilation_w = 1;
  o.depth_multiplier = 1;
  if (op == nullptr) return o;
  if (const auto* custom = op->custom_options()) {
    o.custom_options = custom->data();
    o.custom_options_size = static_cast<int32_t>(custom->size());
  }
  switch (op->builtin_options_type()) {
    case fb::BuiltinOptions::Conv2DOptions: {
      const auto* c = op->builtin_options_as_Conv2DOptions();
      o.padding = static_cast<int32_t>(c->padding());
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.dilation_h = c->dilation_h_factor();
      o.dilation_w = c->dilation_w_factor();
      break;
    }
    case fb::BuiltinOptions::DepthwiseConv2DOptions: {
      const auto* c = op->builtin_options_as_DepthwiseConv2DOptions();
      o.padding = static_cast<int32_t>(c->padding());
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.dilation_h = c->dilation_h_factor();
      o.dilation_w = c->dilation_w_factor();
      o.depth_multiplier = c->depth_multiplier();
      break;
    }
    case fb::BuiltinOptions::Pool2DOptions: {
      const auto* c = op->builtin_options_as_Pool2DOptions();
      o.padding = static_cast<int32_t>(c->padding());
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.filter_h = c->filter_height();
      o.filter_w = c->filter_width();
      break;
    }
    case fb::BuiltinOptions::TransposeConvOptions: {
      const auto* c = op->builtin_options_as_TransposeConvOptions();
      o.padding = static_cast<int32_t>(c->padding());
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      break;
    }
    case fb::BuiltinOptions::ConcatenationOptions:
      o.axis = op->builtin_options_as_ConcatenationOptions()->axis();
      break;
    case fb::BuiltinOptions::ResizeBilinearOptions: {
      const auto* c = op->builtin_options_as_ResizeBilinearOptions();
      o.align_corners = c->align_corners();
      o.half_pixel_centers = c->half_pixel_centers();
      break;
    }
    case fb::BuiltinOptions::ResizeNearestNeighborOptions: {
      const auto* c = op->builtin_options_as_ResizeNearestNeighborOptions();
      o.align_corners = c->align_corners();
      o.half_pixel_centers = c->half_pixel_centers();
      break;
    }
    case fb::BuiltinOptions::ReducerOptions:
      o.keep_dims = op->builtin_options_as_ReducerOptions()->keep_dims();
      break;
    case fb::BuiltinOptions::FullyConnectedOptions:
      o.keep_dims =
          op->builtin_options_as_FullyConnectedOptions()->keep_num_dims();
      break;
    case fb::BuiltinOptions::SoftmaxOptions:
      o.beta = op->builtin_options_as_SoftmaxOptions()->beta();
      break;
    case fb::BuiltinOptions::LeakyReluOptions:
      o.alpha = op->builtin_options_as_LeakyReluOptions()->alpha();
      break;
    default:
      break;
  }
  return o;
}

void CopyTensor(const Tensor& t, EmberDelegateTensor* v) {
  v->type = static_cast<int32_t>(t.type);
  v->rank = t.shape.rank;
  for (int d = 0; d < EMBER_DELEGATE_MAX_RANK; ++d)
    v->dims[d] = d < t.shape.rank ? t.shape.dims[d] : 0;
  v->data = t.data;
  v->bytes = t.bytes;
  v->is_constant = t.allocation == Allocation::kConstant;
  v->scale = t.quant.count > 0 ? t.quant.scale[0] : 0.0f;
  v->zero_point = t.quant.count > 0 ? t.quant.zero_point0() : 0;
  v->name = t.name;
}

// What one delegate sees: the subgraph's tensors and the nodes that are
// not yet inside another delegate's partition ("units").
struct GraphView {
  std::vector<EmberDelegateTensor> tensors;
  std::vector<EmberDelegateNode> nodes;
  std::vector<EmberDelegateNodeOptions> options;  // parallel to nodes
  EmberDelegateGraph graph{};
  std::vector<int32_t> unit_node;  // view node -> subgraph node
};

void ReportInto(void* context, const char* message) {
  static_cast<std::string*>(context)->assign(message ? message : "?");
}

// A partition's kernel: the op data of its delegate node.
struct Kernel {
  std::shared_ptr<Delegate> delegate;
  std::shared_ptr<GraphView> view;
  std::vector<int32_t> nodes, inputs, outputs;
  EmberDelegatePartition partition{};
  void* state = nullptr;
  bool failed = false;         // on the CPU for the current plan
  bool invoke_failed = false;  // gave up at invoke: on the CPU for good
  std::string reason;
  std::vector<int32_t> model_ops;

  ~Kernel() {
    if (state && delegate->c().free_kernel) delegate->c().free_kernel(state);
  }
  // Fresh shapes and data pointers of every tensor the node touches.
  void Refresh(OpContext& ctx) {
    auto copy = [&](Tensor* t, int32_t index) {
      if (t != nullptr && index >= 0) CopyTensor(*t, &view->tensors[index]);
    };
    for (int i = 0; i < ctx.num_inputs(); ++i)
      copy(ctx.input(i), ctx.input_index(i));
    for (int i = 0; i < ctx.num_outputs(); ++i)
      copy(ctx.output(i), ctx.output_index(i));
    for (int i = 0; i < ctx.num_intermediates(); ++i)
      copy(ctx.intermediate(i), ctx.node()->intermediates[i]);
  }
  // A tensor of the partition whose size is known only at run time (a
  // data-dependent shape after a resize): its name, or null.
  const char* RunTimeSized(OpContext& ctx) const {
    auto dynamic = [](const Tensor* t) {
      return t != nullptr && t->allocation == Allocation::kDynamic;
    };
    for (int i = 0; i < ctx.num_inputs(); ++i)
      if (dynamic(ctx.input(i))) return ctx.input(i)->name;
    for (int i = 0; i < ctx.num_outputs(); ++i)
      if (dynamic(ctx.output(i))) return ctx.output(i)->name;
    for (int i = 0; i < ctx.num_intermediates(); ++i)
      if (dynamic(ctx.intermediate(i))) return ctx.intermediate(i)->name;
    return nullptr;
  }
  Status Fail(OpContext& ctx, const char* stage) {
    failed = true;
    if (reason.empty()) reason = std::string(stage) + " failed";
    reason = std::string(stage) + ": " + reason;
    return ctx.Error(StatusCode::kInternal, "delegate %s: %s", delegate->name(),
                     reason.c_str());
  }
};

// Runs at every plan (AllocateTensors after a resize included): the
// delegate gets the partition at its new shapes, and may decline them.
// Declining, or a tensor sized only at run time, puts the partition on the
// CPU for this plan only; after a failed invoke it stays there.
Status KernelPrepare(OpContext& ctx) {
  Kernel* k = ctx.op_data<Kernel>();
  ctx.SetKernelVariant(k->delegate->name());
  if (k->invoke_failed)
    return ctx.Error(StatusCode::kInternal, "delegate failed");
  k->failed = false;
  k->reason.clear();
  k->Refresh(ctx);
  if (const char* name = k->RunTimeSized(ctx)) {
    k->reason = std::string("tensor '") + (name ? name : "?") +
                "' is sized only at run time";
    return k->Fail(ctx, "prepare");
  }
  const EmberDelegate& c = k->delegate->c();
  if (c.prepare && c.prepare(k->state, &k->partition, ReportInto, &k->reason))
    return k->Fail(ctx, "prepare");
  return Status::Ok();
}

Status KernelEval(OpContext& ctx) {
  Kernel* k = ctx.op_data<Kernel>();
  k->Refresh(ctx);
  const EmberDelegate& c = k->delegate->c();
  if (c.invoke(k->state, &k->partition, ReportInto, &k->reason)) {
    k->invoke_failed = true;
    return k->Fail(ctx, "invoke");
  }
  return Status::Ok();
}

const OpRegistration kDelegateKernel = {
    -1, "DELEGATE", 0, KernelPrepare, KernelEval, kOpFlagNone, nullptr};

// True when the node cannot be offered at the shapes it has now. After
// Subgraph::PrepareShapes (`probed`), that is a node whose tensors are
// sized only at run time (data-dependent shapes: kDynamic); a -1 in a
// shape signature that the current input shapes fix (the batch of every
// Keras-converted model) does not count: the partition is prepared again
// at every plan. Without a probe (it failed), only fully static shape
// signatures are offered.
bool RunTimeSized(const Subgraph& sg, int32_t i, bool probed) {
  const Node& node = sg.nodes()[i];
  if (probed && (sg.node_state(i).dynamic || node.has_dynamic_output))
    return true;
  auto dynamic = [&](const int32_t* list, int32_t count) {
    for (int32_t k = 0; k < count; ++k) {
      if (list[k] < 0) continue;
      if (probed) {
        if (sg.tensors()[list[k]].allocation == Allocation::kDynamic)
          return true;
        continue;
      }
      const Shape s = sg.ShapeSignature(list[k]);
      for (int d = 0; d < s.rank; ++d)
        if (s.dims[d] < 0) return true;
    }
    return false;
  };
  return dynamic(node.inputs, node.num_inputs) ||
         dynamic(node.outputs, node.num_outputs);
}

struct Entry {
  std::shared_ptr<Kernel> kernel;  // null when declined at init
  PartitionReport declined;
};
struct AppliedDelegate {
  std::string name;
  int32_t nodes_offered = 0;
  int32_t nodes_folded = 0;
  std::vector<Entry> entries;
};

class Applied : public AppliedDelegates {
 public:
  std::vector<DelegateReport> Report() const override {
    std::vector<DelegateReport> out;
    for (const AppliedDelegate& a : delegates) {
      DelegateReport r;
      r.name = a.name;
      r.nodes_offered = a.nodes_offered;
      r.nodes_folded = a.nodes_folded;
      for (const Entry& e : a.entries) {
        if (!e.kernel) {
          r.partitions.push_back(e.declined);
          continue;
        }
        PartitionReport p;
        p.nodes = static_cast<int32_t>(e.kernel->model_ops.size());
        for (size_t i = 0; i < e.kernel->model_ops.size() && i < 8; ++i)
          p.first_ops.push_back(e.kernel->model_ops[i]);
        p.on_cpu = e.kernel->failed;
        p.reason = e.kernel->failed ? e.kernel->reason : "";
        r.partitions.push_back(std::move(p));
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  std::vector<AppliedDelegate> delegates;
};

// Model op index of every node of `sg` (a delegate node: its members').
std::vector<std::vector<int32_t>> ModelOps(const Interpreter& interp,
                                           const Subgraph& sg) {
  std::unordered_map<const fb::Operator*, int32_t> index;
  const auto* ops = interp.model().fb()->subgraphs()->Get(0)->operators();
  for (uint32_t i = 0; ops && i < ops->size(); ++i) index[ops->Get(i)] = i;
  std::vector<std::vector<int32_t>> out(sg.nodes().size());
  for (size_t i = 0; i < sg.nodes().size(); ++i) {
    const NodeState& state = sg.node_state(static_cast<int>(i));
    auto it = index.find(sg.nodes()[i].op);
    const int32_t op = it == index.end() ? -1 : it->second;
    if (op >= 0) out[i].push_back(op);
    if (state.delegate_node >= 0 && op >= 0)
      out[state.delegate_node].push_back(op);
  }
  return out;
}

Status ApplyOne(Interpreter& interp, const std::shared_ptr<Delegate>& d,
                bool probed, Applied& applied) {
  Subgraph& sg = interp.primary();
  const EmberDelegate& c = d->c();
  auto view = std::make_shared<GraphView>();
  view->tensors.resize(sg.tensors().size());
  for (size_t t = 0; t < sg.tensors().size(); ++t)
    CopyTensor(sg.tensors()[t], &view->tensors[t]);
  const std::vector<Node>& nodes = sg.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeState& state = sg.node_state(static_cast<int>(i));
    if (state.delegate_node >= 0) continue;
    const Node& node = nodes[i];
    EmberDelegateNode v{};
    v.builtin_code = state.is_delegate() ? -1 : node.builtin_code;
    v.custom_code = state.is_delegate() ? "DELEGATE" : nullptr;
    if (v.builtin_code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM))
      v.custom_code = node.reg ? node.reg->name : "";
    v.version = node.version;
    v.num_inputs = node.num_inputs;
    v.inputs = node.inputs;
    v.num_outputs = node.num_outputs;
    v.outputs = node.outputs;
    v.fused_activation = FusedActivationOf(node.op);
    view->nodes.push_back(v);
    view->options.push_back(state.is_delegate() ? OptionsOf(nullptr)
                                                : OptionsOf(node.op));
    view->unit_node.push_back(static_cast<int32_t>(i));
  }
  view->graph = {static_cast<int32_t>(view->tensors.size()),
                 view->tensors.data(),
                 static_cast<int32_t>(view->nodes.size()),
                 view->nodes.data(),
                 EMBER_DELEGATE_ABI_VERSION,
                 view->options.data()};

  std::vector<PartitionNode> units(view->nodes.size());
  AppliedDelegate record;
  record.name = d->name();
  for (size_t u = 0; u < units.size(); ++u) {
    const EmberDelegateNode& v = view->nodes[u];
    const int32_t i = view->unit_node[u];
    if (!sg.node_state(i).runs()) {
      // Folded at PrepareShapes (DENSIFY or DEQUANTIZE of a constant, ...):
      // its outputs are constants now, so no data edge ties it to a
      // partition, and it is never offered.
      record.nodes_folded += sg.node_state(i).folded;
      continue;
    }
    units[u].inputs.assign(v.inputs, v.inputs + v.num_inputs);
    units[u].outputs.assign(v.outputs, v.outputs + v.num_outputs);
    units[u].supported =
        v.builtin_code >= 0 && !RunTimeSized(sg, i, probed) &&
        c.supports_node(c.user_data, &view->graph, static_cast<int32_t>(u));
    record.nodes_offered += units[u].supported;
  }
  PartitionLimits limits;
  limits.min_nodes_per_partition = c.min_nodes_per_partition;
  limits.max_partitions = c.max_partitions;
  const std::vector<PartitionStep> steps = PartitionNodes(units, limits);
  const std::vector<std::vector<int32_t>> model_ops = ModelOps(interp, sg);

  std::vector<ScheduleItem> schedule;
  std::vector<DelegateKernelSpec> specs;
  specs.reserve(steps.size());  // schedule items point into it
  for (const PartitionStep& step : steps) {
    std::vector<int32_t> ops;
    for (int32_t u : step.nodes)
      for (int32_t op : model_ops[view->unit_node[u]]) ops.push_back(op);
    if (step.delegated) {
      const PartitionBoundary b = BoundaryOf(units, step.nodes, sg.outputs());
      auto k = std::make_shared<Kernel>();
      k->delegate = d;
      k->view = view;
      k->nodes = step.nodes;
      k->inputs = b.inputs;
      k->outputs = b.outputs;
      k->model_ops = ops;
      k->partition = {&view->graph,     static_cast<int32_t>(k->nodes.size()),
                      k->nodes.data(),  static_cast<int32_t>(k->inputs.size()),
                      k->inputs.data(), static_cast<int32_t>(k->outputs.size()),
                      k->outputs.data()};
      k->state = c.init(c.user_data, &k->partition, ReportInto, &k->reason);
      if (k->state != nullptr && !b.outputs.empty()) {
        DelegateKernelSpec spec;
        spec.reg = &kDelegateKernel;
        spec.op_data = k.get();
        for (int32_t u : step.nodes) spec.members.push_back(view->unit_node[u]);
        spec.inputs = b.inputs;
        spec.outputs = b.outputs;
        spec.internals = b.internals;
        specs.push_back(std::move(spec));
        schedule.push_back({-1, &specs.back()});
        record.entries.push_back({k, {}});
        continue;
      }
      // Declined: the partition stays on the CPU.
      Entry e;
      e.declined.nodes = static_cast<int32_t>(ops.size());
      for (size_t i = 0; i < ops.size() && i < 8; ++i)
        e.declined.first_ops.push_back(ops[i]);
      e.declined.on_cpu = true;
      if (k->state != nullptr) k->reason = "nothing reads its outputs";
      e.declined.reason =
          "init declined: " +
          (k->reason.empty() ? std::string("no reason") : k->reason);
      record.entries.push_back(std::move(e));
    }
    for (int32_t u : step.nodes)
      schedule.push_back({view->unit_node[u], nullptr});
  }
  EMBER_RETURN_IF_ERROR(sg.ApplySchedule(schedule));
  applied.delegates.push_back(std::move(record));
  return Status::Ok();
}

}  // namespace

Delegate::Delegate(EmberDelegate* d, std::shared_ptr<void> library)
    : d_(d), library_(std::move(library)) {}

Delegate::~Delegate() {
  if (d_ && d_->destroy) d_->destroy(d_);
}

int32_t DelegateReport::NodesTaken() const {
  int32_t n = 0;
  for (const PartitionReport& p : partitions) n += p.on_cpu ? 0 : p.nodes;
  return n;
}

Status ApplyDelegates(Interpreter& interpreter,
                      const std::vector<std::shared_ptr<Delegate>>& delegates,
                      std::shared_ptr<AppliedDelegates>* out) {
  auto applied = std::make_shared<Applied>();
  // Shapes at the current inputs, constant subgraphs folded and
  // run-time-sized tensors known, before any delegate looks (as LiteRT
  // delegates at the current shapes). A model that cannot be prepared yet
  // (an input to be resized first) falls back to the shape signatures.
  bool probed = false;
  if (!delegates.empty()) {
    probed = interpreter.primary().PrepareShapes().ok();
    if (!probed) interpreter.errors().Clear();
  }
  for (const std::shared_ptr<Delegate>& d : delegates) {
    const EmberDelegate& c = d->c();
    if (c.struct_size < sizeof(EmberDelegate) || c.supports_node == nullptr ||
        c.init == nullptr || c.invoke == nullptr) {
      return interpreter.errors().Report(
          StatusCode::kInvalidArgument,
          "delegate '%s' is incomplete (struct_size %zu, needs "
          "supports_node, init and invoke)",
          d->name(), c.struct_size);
    }
    EMBER_RETURN_IF_ERROR(ApplyOne(interpreter, d, probed, *applied));
  }
  interpreter.KeepAlive(applied);
  if (out) *out = applied;
  return Status::Ok();
}

}  // namespace ember::delegate
