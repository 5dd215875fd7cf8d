#include "micro/micro_interpreter.h"

#include <cstring>

#include "micro/micro_planner.h"
#include "micro/micro_verify.h"

namespace ember::micro {
namespace {

uint8_t* AlignPtrUp(uint8_t* p, size_t a) {
  const uintptr_t v = reinterpret_cast<uintptr_t>(p);
  return reinterpret_cast<uint8_t*>((v + a - 1) / a * a);
}

uint8_t* AlignPtrDown(uint8_t* p, size_t a) {
  const uintptr_t v = reinterpret_cast<uintptr_t>(p);
  return reinterpret_cast<uint8_t*>(v / a * a);
}

bool Contains(const flatbuffers::Vector<int32_t>* list, int32_t t) {
  if (list == nullptr) return false;
  for (uint32_t i = 0; i < list->size(); ++i)
    if (list->Get(i) == t) return true;
  return false;
}

// Initial bytes of a constant tensor's buffer, or nullptr.
const uint8_t* ConstantData(const fb::Model* model, const fb::Tensor* t) {
  const fb::Buffer* b = model->buffers()->Get(t->buffer());
  if (b == nullptr || b->data() == nullptr || b->data()->size() == 0)
    return nullptr;
  return b->data()->data();
}

}  // namespace

const char* MicroStatusName(MicroStatus status) {
  switch (status) {
    case MicroStatus::kOk:
      return "ok";
    case MicroStatus::kInvalidModel:
      return "invalid model";
    case MicroStatus::kUnsupported:
      return "unsupported";
    case MicroStatus::kMissingOp:
      return "op missing from the resolver";
    case MicroStatus::kArenaTooSmall:
      return "arena too small";
    case MicroStatus::kNotAllocated:
      return "tensors not allocated";
    case MicroStatus::kInvalidArgument:
      return "invalid argument";
    case MicroStatus::kUntrustedModel:
      return "untrusted model";
  }
  return "unknown";
}

size_t MicroTypeSize(fb::TensorType type) {
  switch (type) {
    case fb::TensorType::FLOAT32:
    case fb::TensorType::INT32:
    case fb::TensorType::UINT32:
      return 4;
    case fb::TensorType::INT16:
    case fb::TensorType::UINT16:
    case fb::TensorType::FLOAT16:
      return 2;
    case fb::TensorType::INT8:
    case fb::TensorType::UINT8:
    case fb::TensorType::BOOL:
      return 1;
    case fb::TensorType::INT64:
    case fb::TensorType::UINT64:
    case fb::TensorType::FLOAT64:
      return 8;
    default:
      return 0;
  }
}

// ---- MicroContext ----------------------------------------------------------

MicroTensor MicroContext::input(int32_t i) const {
  if (!has_input(i)) return MicroTensor{};
  return interp_->tensor(op_->inputs()->Get(i));
}

MicroTensor MicroContext::output(int32_t i) const {
  if (i >= num_outputs()) return MicroTensor{};
  return interp_->tensor(op_->outputs()->Get(i));
}

MicroStatus MicroContext::RequestScratch(size_t bytes) {
  if (interp_->preparing_ != node_) {
    return Error(MicroStatus::kInvalidArgument,
                 EMBER_MICRO_MSG("scratch requested outside Prepare"));
  }
  interp_->nodes_[node_].scratch_bytes = bytes;
  return MicroStatus::kOk;
}

void* MicroContext::scratch() const { return interp_->nodes_[node_].scratch; }

void* MicroContext::AllocatePersistent(size_t bytes) {
  if (interp_->preparing_ != node_) {
    Error(MicroStatus::kInvalidArgument,
          EMBER_MICRO_MSG("persistent memory requested outside Prepare"));
    return nullptr;
  }
  void* p = interp_->AllocateTail(bytes, kMicroBufferAlignment);
  if (p == nullptr) {
    MicroError e;
    e.status = MicroStatus::kArenaTooSmall;
    e.message = EMBER_MICRO_MSG("arena too small for the op's state");
    e.op_index = node_;
    e.needed_bytes =
        static_cast<size_t>(interp_->end_ - interp_->tail_) + bytes;
    e.available_bytes = interp_->arena_size_;
    interp_->ReportError(e);
    return nullptr;
  }
  std::memset(p, 0, bytes);
  interp_->nodes_[node_].persistent = p;
  interp_->nodes_[node_].persistent_bytes = bytes;
  return p;
}

void* MicroContext::persistent() const {
  return interp_->nodes_[node_].persistent;
}

const uint8_t* MicroContext::custom_options(size_t* size) const {
  const auto* o = op_->custom_options();
  if (o == nullptr || o->size() == 0) {
    *size = 0;
    return nullptr;
  }
  *size = o->size();
  return o->data();
}

MicroStatus MicroContext::Error(MicroStatus status, const char* message,
                                int32_t tensor_index) const {
  return interp_->Report(status, message, node_, tensor_index);
}

// ---- MicroInterpreter ------------------------------------------------------

MicroInterpreter::MicroInterpreter(const uint8_t* model, size_t model_size,
                                   const MicroOpResolverBase& resolver,
                                   uint8_t* arena, size_t arena_size,
                                   MicroErrorCallback on_error, void* user)
    : model_data_(model),
      model_size_(model_size),
      resolver_(resolver),
      arena_(arena),
      arena_size_(arena_size),
      on_error_(on_error),
      user_(user) {}

MicroStatus MicroInterpreter::ReportError(const MicroError& error) {
  last_error_ = error;
  if (on_error_) on_error_(user_, error);
  return error.status;
}

MicroStatus MicroInterpreter::Report(MicroStatus status, const char* message,
                                     int32_t op_index, int32_t tensor_index) {
  MicroError e;
  e.status = status;
  e.message = message;
  e.op_index = op_index;
  e.tensor_index = tensor_index;
  return ReportError(e);
}

void* MicroInterpreter::AllocateTail(size_t bytes, size_t alignment) {
  if (static_cast<size_t>(tail_ - head_) < bytes + alignment) return nullptr;
  tail_ = AlignPtrDown(tail_ - bytes, alignment);
  return tail_;
}

bool MicroInterpreter::IsGraphInput(int32_t t) const {
  return Contains(subgraph_->inputs(), t);
}

bool MicroInterpreter::IsGraphOutput(int32_t t) const {
  return Contains(subgraph_->outputs(), t);
}

int32_t MicroInterpreter::inputs_size() const {
  return subgraph_ && subgraph_->inputs()
             ? static_cast<int32_t>(subgraph_->inputs()->size())
             : 0;
}

int32_t MicroInterpreter::outputs_size() const {
  return subgraph_ && subgraph_->outputs()
             ? static_cast<int32_t>(subgraph_->outputs()->size())
             : 0;
}

int32_t MicroInterpreter::operators_size() const { return num_nodes_; }

int32_t MicroInterpreter::TensorIndex(const flatbuffers::Vector<int32_t>* list,
                                      int32_t i) const {
  if (list == nullptr || i < 0 || i >= static_cast<int32_t>(list->size()))
    return -1;
  return list->Get(i);
}

MicroTensor MicroInterpreter::input(int32_t i) const {
  if (!subgraph_) return MicroTensor{};
  return tensor(TensorIndex(subgraph_->inputs(), i));
}

MicroTensor MicroInterpreter::output(int32_t i) const {
  if (!subgraph_) return MicroTensor{};
  return tensor(TensorIndex(subgraph_->outputs(), i));
}

const char* MicroInterpreter::input_name(int32_t i) const {
  const MicroTensor t = input(i);
  if (t.index < 0) return "";
  const auto* name = subgraph_->tensors()->Get(t.index)->name();
  return name ? name->c_str() : "";
}

const char* MicroInterpreter::output_name(int32_t i) const {
  const MicroTensor t = output(i);
  if (t.index < 0) return "";
  const auto* name = subgraph_->tensors()->Get(t.index)->name();
  return name ? name->c_str() : "";
}

MicroTensor MicroInterpreter::tensor(int32_t index) const {
  MicroTensor t;
  if (subgraph_ == nullptr || index < 0 || index >= num_tensors_) return t;
  const fb::Tensor* ft = subgraph_->tensors()->Get(index);
  t.index = index;
  t.type = ft->type();
  if (ft->shape()) {
    t.dims = ft->shape()->data();
    t.rank = static_cast<int32_t>(ft->shape()->size());
  }
  t.bytes = MicroTypeSize(t.type) * static_cast<size_t>(t.NumElements());
  t.data = data_ ? data_[index] : nullptr;
  const fb::QuantizationParameters* q = ft->quantization();
  if (q && q->scale() && q->scale()->size() > 0) {
    t.quant = q;
    t.scale = q->scale()->Get(0);
    t.zero_point = q->zero_point() && q->zero_point()->size() > 0
                       ? static_cast<int32_t>(q->zero_point()->Get(0))
                       : 0;
  }
  return t;
}

MicroStatus MicroInterpreter::InitVariables() {
  for (int32_t i = 0; i < num_tensors_; ++i) {
    const fb::Tensor* ft = subgraph_->tensors()->Get(i);
    if (!ft->is_variable() || data_[i] == nullptr) continue;
    const MicroTensor t = tensor(i);
    const uint8_t* init = ConstantData(model_, ft);
    if (init != nullptr) {
      std::memcpy(t.data, init, t.bytes);
    } else if (t.type == fb::TensorType::INT8 && t.zero_point != 0) {
      // Quantized variables start at their zero point (the real value 0).
      std::memset(t.data, static_cast<int8_t>(t.zero_point), t.bytes);
    } else if (t.type == fb::TensorType::INT16 && t.zero_point != 0) {
      auto* p = t.as<int16_t>();
      for (int64_t k = 0, n = t.NumElements(); k < n; ++k)
        p[k] = static_cast<int16_t>(t.zero_point);
    } else {
      std::memset(t.data, 0, t.bytes);
    }
  }
  return MicroStatus::kOk;
}

MicroStatus MicroInterpreter::Reset() {
  if (!allocated_) {
    return Report(MicroStatus::kNotAllocated,
                  EMBER_MICRO_MSG("Reset before AllocateTensors"));
  }
  for (int32_t n = 0; n < num_nodes_; ++n) {
    const Node& node = nodes_[n];
    if (node.persistent != nullptr &&
        (node.reg->flags & kMicroOpZeroPersistentOnReset))
      std::memset(node.persistent, 0, node.persistent_bytes);
  }
  return InitVariables();
}

MicroStatus MicroInterpreter::AllocateTensors() {
  allocated_ = false;
  report_ = MicroArenaReport{};
  data_ = nullptr;
  nodes_ = nullptr;
  subgraph_ = nullptr;
  MicroError verify_error;
  size_t model_size = model_size_;
  if (check_signature_ != nullptr &&
      check_signature_(model_data_, model_size_, trusted_keys_, trusted_count_,
                       &model_size, &verify_error) != MicroStatus::kOk) {
    return ReportError(verify_error);  // before any byte is parsed
  }
  if (MicroVerifyModel(model_data_, model_size, &model_, &verify_error) !=
      MicroStatus::kOk) {
    return ReportError(verify_error);
  }
  subgraph_ = model_->subgraphs()->Get(0);
  num_tensors_ = static_cast<int32_t>(subgraph_->tensors()->size());
  num_nodes_ = subgraph_->operators()
                   ? static_cast<int32_t>(subgraph_->operators()->size())
                   : 0;
  if (arena_ == nullptr) {
    return Report(MicroStatus::kInvalidArgument,
                  EMBER_MICRO_MSG("no arena given"));
  }
  end_ = arena_ + arena_size_;
  head_ = AlignPtrUp(arena_, kMicroBufferAlignment);
  if (head_ > end_) head_ = end_;
  tail_ = end_;
  auto too_small = [&](size_t needed) {
    MicroError e;
    e.status = MicroStatus::kArenaTooSmall;
    e.message = EMBER_MICRO_MSG("arena too small for the model");
    e.needed_bytes = needed;
    e.available_bytes = arena_size_;
    return ReportError(e);
  };
  const size_t pointers_bytes = sizeof(void*) * num_tensors_;
  const size_t nodes_bytes = sizeof(Node) * num_nodes_;
  data_ = static_cast<void**>(AllocateTail(pointers_bytes, alignof(void*)));
  nodes_ = data_ ? static_cast<Node*>(AllocateTail(nodes_bytes, alignof(Node)))
                 : nullptr;
  if (data_ == nullptr || nodes_ == nullptr) {
    data_ = nullptr;
    nodes_ = nullptr;
    return too_small(pointers_bytes + nodes_bytes + kMicroBufferAlignment);
  }
  // Constants point into the model; variables get tail memory; the rest is
  // planned below.
  for (int32_t i = 0; i < num_tensors_; ++i) {
    const fb::Tensor* ft = subgraph_->tensors()->Get(i);
    data_[i] = nullptr;
    if (ft->is_variable()) {
      const size_t bytes = tensor(i).bytes;
      void* p = AllocateTail(bytes, kMicroBufferAlignment);
      if (p == nullptr) {
        data_ = nullptr;
        return too_small(static_cast<size_t>(end_ - tail_) + bytes);
      }
      data_[i] = p;
    } else if (const uint8_t* c = ConstantData(model_, ft)) {
      data_[i] = const_cast<uint8_t*>(c);  // never written (verified)
    }
  }
  InitVariables();
  // Ops.
  for (int32_t n = 0; n < num_nodes_; ++n) {
    const fb::Operator* op = subgraph_->operators()->Get(n);
    const fb::OperatorCode* opcode =
        model_->operator_codes()->Get(op->opcode_index());
    const int32_t code = MicroBuiltinCode(opcode);
    Node& node = nodes_[n];
    node.reg = resolver_.Find(
        code, opcode->custom_code() ? opcode->custom_code()->c_str() : nullptr);
    node.scratch = nullptr;
    node.scratch_bytes = 0;
    node.persistent = nullptr;
    node.persistent_bytes = 0;
    if (node.reg == nullptr) {
      MicroError e;
      e.status = MicroStatus::kMissingOp;
#ifdef EMBER_MICRO_NO_MESSAGES
      e.message = "";
#else
      e.message = code == static_cast<int32_t>(fb::BuiltinOperator::CUSTOM)
                      ? "custom op missing from the resolver"
                      : fb::EnumNameBuiltinOperator(
                            static_cast<fb::BuiltinOperator>(code));
#endif
      e.op_index = n;
      e.builtin_code = code;
      return ReportError(e);
    }
    preparing_ = n;
    MicroContext ctx(this, n, op);
    const MicroStatus s = node.reg->prepare(ctx);
    preparing_ = -1;
    if (s != MicroStatus::kOk) return s;
  }
  EMBER_MICRO_RETURN_IF_ERROR(PlanMemory());
  allocated_ = true;
  return MicroStatus::kOk;
}

MicroStatus MicroInterpreter::PlanMemory() {
  const int32_t T = num_tensors_;
  const int32_t N = num_nodes_;
  const size_t persistent = static_cast<size_t>(end_ - tail_);
  // Temporary tables at the top of the free space, released at the end:
  // root (alias group) and last use per tensor, then the buffers.
  uint8_t* const saved_tail = tail_;
  const int32_t max_buffers = T + N;
  const size_t temp_bytes =
      sizeof(int32_t) * 4 * static_cast<size_t>(T) +
      (sizeof(MicroPlanBuffer) + 2 * sizeof(int32_t)) * max_buffers;
  uint8_t* temp =
      static_cast<uint8_t*>(AllocateTail(temp_bytes, alignof(MicroPlanBuffer)));
  if (temp == nullptr) {
    MicroError e;
    e.status = MicroStatus::kArenaTooSmall;
    e.message = EMBER_MICRO_MSG("arena too small to plan the model");
    e.needed_bytes = persistent + temp_bytes + 2 * kMicroBufferAlignment;
    e.available_bytes = arena_size_;
    return ReportError(e);
  }
  report_.planning_bytes = static_cast<size_t>(end_ - tail_);
  auto* buffers = reinterpret_cast<MicroPlanBuffer*>(temp);
  auto* order = reinterpret_cast<int32_t*>(buffers + max_buffers);
  int32_t* by_offset = order + max_buffers;
  int32_t* root = by_offset + max_buffers;
  int32_t* first = root + T;
  int32_t* last = first + T;
  int32_t* buffer_of = last + T;  // root tensor -> buffer index

  const auto* ops = subgraph_->operators();
  auto planned = [&](int32_t t) {
    return t >= 0 && data_[t] == nullptr && tensor(t).bytes > 0;
  };
  for (int32_t t = 0; t < T; ++t) {
    root[t] = t;
    first[t] = IsGraphInput(t) ? 0 : N;
    last[t] = IsGraphOutput(t) ? N - 1 : -1;
    buffer_of[t] = -1;
  }
  // Raw lifetimes: producer to last consumer.
  for (int32_t n = 0; n < N; ++n) {
    const fb::Operator* op = ops->Get(n);
    if (op->inputs()) {
      for (uint32_t k = 0; k < op->inputs()->size(); ++k) {
        const int32_t t = op->inputs()->Get(k);
        if (t < 0) continue;
        if (first[t] > n) first[t] = n;
        if (last[t] < n) last[t] = n;
      }
    }
    for (uint32_t k = 0; k < op->outputs()->size(); ++k) {
      const int32_t t = op->outputs()->Get(k);
      if (first[t] > n) first[t] = n;
      if (last[t] < n) last[t] = n;
    }
  }
  // Alias groups: RESHAPE outputs share their input; element-wise ops
  // write over an input that dies with them. A group's lifetime is the
  // union of its members'.
  for (int32_t n = 0; n < N; ++n) {
    const fb::Operator* op = ops->Get(n);
    const uint32_t flags = nodes_[n].reg->flags;
    if (!(flags & (kMicroOpAliasInput0 | kMicroOpInPlaceInput0))) continue;
    if (!op->inputs() || op->inputs()->size() < 1 || op->outputs()->size() != 1)
      continue;
    const int32_t in = op->inputs()->Get(0);
    const int32_t out = op->outputs()->Get(0);
    if (!planned(in) || !planned(out) || root[out] != out) continue;
    const int32_t r = root[in];
    if (flags & kMicroOpInPlaceInput0) {
      // Same bytes, the input's group not read after this node, and none
      // of it a graph input (the caller's data) or output (the results).
      if (tensor(in).bytes != tensor(out).bytes || last[r] > n) continue;
      bool io = false;
      for (int32_t t = 0; t < T; ++t)
        if (root[t] == r && (IsGraphInput(t) || IsGraphOutput(t))) io = true;
      if (io) continue;
    } else if (tensor(in).bytes != tensor(out).bytes) {
      continue;
    }
    root[out] = r;
    if (first[out] < first[r]) first[r] = first[out];
    if (last[out] > last[r]) last[r] = last[out];
  }
  // Buffers: one per alias group, one per node scratch.
  int32_t count = 0;
  for (int32_t t = 0; t < T; ++t) {
    if (!planned(t)) continue;
    if (first[t] == N && last[t] < 0) continue;  // used by nobody
    const int32_t r = root[t];
    if (buffer_of[r] < 0) {
      buffer_of[r] = count;
      MicroPlanBuffer& b = buffers[count++];
      b = MicroPlanBuffer{};
      b.first = first[r] < N ? first[r] : 0;
      b.last = last[r] >= b.first ? last[r] : b.first;
    }
    MicroPlanBuffer& b = buffers[buffer_of[r]];
    const size_t bytes = MicroAlignUp(tensor(t).bytes, kMicroBufferAlignment);
    if (bytes > b.size) b.size = static_cast<uint32_t>(bytes);
  }
  const int32_t first_scratch = count;
  for (int32_t n = 0; n < N; ++n) {
    if (nodes_[n].scratch_bytes == 0) continue;
    MicroPlanBuffer& b = buffers[count++];
    b = MicroPlanBuffer{};
    b.first = b.last = n;
    b.size = static_cast<uint32_t>(
        MicroAlignUp(nodes_[n].scratch_bytes, kMicroBufferAlignment));
  }
  // TFLM's offline plan: metadata "OfflineMemoryAllocation" = int32
  // [version, subgraph, tensor count, offset per tensor (-1: online)].
  if (model_->metadata()) {
    for (uint32_t m = 0; m < model_->metadata()->size(); ++m) {
      const fb::Metadata* md = model_->metadata()->Get(m);
      if (!md->name() ||
          std::strcmp(md->name()->c_str(), "OfflineMemoryAllocation") != 0)
        continue;
      if (md->buffer() >= model_->buffers()->size()) break;
      const fb::Buffer* buf = model_->buffers()->Get(md->buffer());
      if (!buf || !buf->data() || buf->data()->size() < 12 ||
          buf->data()->size() % 4 != 0)
        break;
      const int32_t words = static_cast<int32_t>(buf->data()->size() / 4);
      int32_t header[3];
      std::memcpy(header, buf->data()->data(), sizeof(header));
      if (header[1] != 0 || header[2] != T || words < 3 + T) break;
      for (int32_t t = 0; t < T; ++t) {
        int32_t offset;
        std::memcpy(&offset, buf->data()->data() + 4 * (3 + t), 4);
        if (offset < 0 || !planned(t) || root[t] != t) continue;
        buffers[buffer_of[t]].offset = offset;
        report_.offline_plan = true;
      }
      break;
    }
  }
  size_t head_bytes = 0;
  if (!MicroPlanGreedyBySize(buffers, count, order, by_offset, &head_bytes)) {
    tail_ = saved_tail;
    return Report(MicroStatus::kInvalidModel,
                  EMBER_MICRO_MSG("memory plan overflows"));
  }
  // Pointers into the head.
  const size_t head_room = static_cast<size_t>(saved_tail - head_);
  const size_t lead = static_cast<size_t>(head_ - arena_);
  if (head_bytes > head_room) {
    tail_ = saved_tail;
    MicroError e;
    e.status = MicroStatus::kArenaTooSmall;
    e.message = EMBER_MICRO_MSG("arena too small for the model's tensors");
    e.needed_bytes = lead + head_bytes + persistent;
    e.available_bytes = arena_size_;
    return ReportError(e);
  }
  for (int32_t t = 0; t < T; ++t) {
    if (!planned(t) || buffer_of[root[t]] < 0) continue;
    data_[t] = head_ + buffers[buffer_of[root[t]]].offset;
  }
  int32_t s = first_scratch;
  for (int32_t n = 0; n < N; ++n) {
    if (nodes_[n].scratch_bytes == 0) continue;
    nodes_[n].scratch = head_ + buffers[s++].offset;
  }
  tail_ = saved_tail;
  report_.head_bytes = head_bytes;
  report_.tail_bytes = persistent;
  report_.total_bytes = lead + head_bytes + persistent;
  if (report_.planning_bytes + lead > report_.total_bytes)
    report_.planning_bytes += lead;
  return MicroStatus::kOk;
}

MicroStatus MicroInterpreter::Invoke() {
  if (!allocated_) {
    return Report(MicroStatus::kNotAllocated,
                  EMBER_MICRO_MSG("Invoke before AllocateTensors"));
  }
  for (int32_t n = 0; n < num_nodes_; ++n) {
    MicroContext ctx(this, n, subgraph_->operators()->Get(n));
    EMBER_MICRO_RETURN_IF_ERROR(nodes_[n].reg->eval(ctx));
  }
  return MicroStatus::kOk;
}

}  // namespace ember::micro
