// The GPU delegate's kernels: one per partition. Every tensor the
// partition's shaders touch gets a DEVICE_LOCAL buffer; constants (and
// fp16 weights, widened) are uploaded once, at prepare; the dispatches are
// recorded into one command buffer that each invoke submits between
// copying the partition's inputs in and its outputs out. Where device
// memory is not host-visible (discrete GPUs, or EMBER_GPU_FORCE_STAGING=1 /
// memory=staging), every upload and download goes through a host-visible
// staging buffer and vkCmdCopyBuffer recorded in the same command buffer;
// where it is (integrated GPUs, lavapipe), the host writes it directly.
//
// precision=fp16 stores every buffer of a partition as float16 (the
// shaders' _fp16 variants): constants are narrowed at upload (fp16
// weights copied as they are), and the partition's float32 inputs and
// outputs are converted at each invoke (round to nearest even).
#include "gpu/gpu_delegate.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpu/op_plan.h"
#include "gpu/vulkan_device.h"

namespace ember::gpu {

namespace {

constexpr uint64_t kFenceTimeoutNs = 60ull * 1000 * 1000 * 1000;

struct GpuDelegate {
  EmberDelegate c{};
  std::unique_ptr<VulkanDevice> device;
  std::string name;
  bool fp16 = false;
  bool c4 = true;
};

// Bytes of a float32 tensor from its shape (`bytes` of a tensor Ember has
// not allocated yet may still be 0).
size_t Float32Bytes(const EmberDelegateTensor& t) {
  size_t n = 4;
  for (int d = 0; d < t.rank; ++d) n *= static_cast<size_t>(t.dims[d]);
  return n;
}

// Host float32 values into a buffer of `fp16` storage, and back.
void StoreFloats(const float* src, size_t count, bool fp16, void* dst) {
  if (!fp16) {
    std::memcpy(dst, src, count * sizeof(float));
    return;
  }
  uint16_t* half = static_cast<uint16_t*>(dst);
  for (size_t i = 0; i < count; ++i) half[i] = FloatToHalf(src[i]);
}

void LoadFloats(const void* src, size_t count, bool fp16, float* dst) {
  if (!fp16) {
    std::memcpy(dst, src, count * sizeof(float));
    return;
  }
  const uint16_t* half = static_cast<const uint16_t*>(src);
  for (size_t i = 0; i < count; ++i) dst[i] = HalfToFloat(half[i]);
}

int32_t Report(EmberDelegateErrorFn error, void* context,
               const std::string& message) {
  if (error) error(context, message.c_str());
  return 1;
}

class Kernel {
 public:
  Kernel(VulkanDevice* device, bool fp16, bool c4)
      : dev_(device), vk_(device->vk()), fp16_(fp16), c4_(c4) {}
  ~Kernel() { Release(); }

  // Plans, allocates, uploads the constants and records the dispatches
  // for the current shapes.
  bool Build(const EmberDelegatePartition* p, std::string* error);
  // Rebuilds when a shape changed since Build.
  bool Prepare(const EmberDelegatePartition* p, std::string* error) {
    if (Signature(p) == signature_) return true;
    Release();
    return Build(p, error);
  }
  bool Invoke(const EmberDelegatePartition* p, std::string* error);

 private:
  std::vector<int32_t> Signature(const EmberDelegatePartition* p) const;
  Buffer* BufferOf(const EmberDelegateGraph* g, int32_t t, std::string* error);
  // Tensor t as NHWC (binding id t) or as C4 (C4Id(t)): made on first use,
  // from the other layout by a relayout dispatch where only that exists.
  bool Dense(const EmberDelegateGraph* g, int32_t t, std::string* error);
  bool C4(const EmberDelegateGraph* g, int32_t t, std::string* error);
  // Weight `id` (a PackedId) packed for its C4 shader, uploaded once.
  bool Packed(const EmberDelegateGraph* g, int32_t id, std::string* error);
  bool AddDispatch(Dispatch d, std::string* error);
  // A device buffer of `bytes` (null with *error set).
  std::shared_ptr<Buffer> NewBuffer(size_t bytes, Memory memory,
                                    std::string* error);
  // Where the host writes the constant contents of `device`: its mapping,
  // or a staging buffer copied into it by FlushUploads.
  void* ConstantView(const std::shared_ptr<Buffer>& device, std::string* error);
  // Runs the staging copies of the constants once and frees the staging.
  bool FlushUploads(std::string* error);
  bool CreateSync(std::string* error);
  bool Submit(VkCommandBuffer cmd, std::string* error);
  bool Record(std::string* error);
  void Release();

  // A partition input or output: its device buffer and, where the host
  // cannot map that, the staging buffer copied to or from it.
  struct Boundary {
    int32_t tensor = -1;
    std::shared_ptr<Buffer> device;
    std::shared_ptr<Buffer> staging;
    void* host() const { return staging ? staging->data() : device->data(); }
  };
  // Device bytes of a tensor whose float32 size is `float32_bytes`.
  size_t StoredBytes(size_t float32_bytes) const {
    return fp16_ ? float32_bytes / 2 : float32_bytes;
  }
  // The embedded shader for this precision.
  std::string ShaderName(const std::string& shader) const {
    return fp16_ ? shader + "_fp16" : shader;
  }

  VulkanDevice* dev_;
  VulkanApi& vk_;
  bool fp16_;
  bool c4_;  // C4 layout for the ops that have C4 shaders
  std::vector<int32_t> signature_;
  std::map<int32_t, std::shared_ptr<Buffer>> buffers_;
  std::map<int32_t, int32_t> produced_;  // tensor -> planning order
  std::vector<Dispatch> dispatches_;
  std::vector<Boundary> inputs_, outputs_;
  // Constants waiting for their staging copy (staging, device).
  std::vector<std::pair<std::shared_ptr<Buffer>, std::shared_ptr<Buffer>>>
      pending_;
  std::shared_ptr<Buffer> dummy_;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkDescriptorPool descriptors_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
  // Whether the command buffer does anything (dispatches or copies).
  bool has_work_ = false;
};

std::vector<int32_t> Kernel::Signature(const EmberDelegatePartition* p) const {
  std::vector<int32_t> s;
  const EmberDelegateGraph* g = p->graph;
  auto add = [&](int32_t t) {
    if (t < 0) return;
    s.push_back(t);
    for (int d = 0; d < g->tensors[t].rank; ++d)
      s.push_back(g->tensors[t].dims[d]);
  };
  for (int32_t i = 0; i < p->num_nodes; ++i) {
    const EmberDelegateNode& n = g->nodes[p->nodes[i]];
    for (int32_t k = 0; k < n.num_inputs; ++k) add(n.inputs[k]);
    for (int32_t k = 0; k < n.num_outputs; ++k) add(n.outputs[k]);
  }
  return s;
}

std::shared_ptr<Buffer> Kernel::NewBuffer(size_t bytes, Memory memory,
                                          std::string* error) {
  auto buffer = std::make_shared<Buffer>(dev_, bytes, memory);
  if (!buffer->ok()) {
    *error = "cannot allocate a buffer: " + buffer->error();
    return nullptr;
  }
  return buffer;
}

void* Kernel::ConstantView(const std::shared_ptr<Buffer>& device,
                           std::string* error) {
  if (device->mapped()) return device->data();
  auto staging = NewBuffer(device->bytes(), Memory::kStaging, error);
  if (!staging) return nullptr;
  pending_.emplace_back(staging, device);
  return staging->data();
}

// The buffer of an input tensor: constants are uploaded here (once),
// partition inputs are copied in at every invoke.
Buffer* Kernel::BufferOf(const EmberDelegateGraph* g, int32_t t,
                         std::string* error) {
  auto it = buffers_.find(t);
  if (it != buffers_.end()) return it->second.get();
  const EmberDelegateTensor& x = g->tensors[t];
  const size_t bytes = Float32Bytes(x);
  auto buffer = NewBuffer(StoredBytes(bytes), Memory::kDevice, error);
  if (!buffer) return nullptr;
  if (x.is_constant) {
    if (x.data == nullptr || x.bytes != bytes) {
      *error = "constant tensor " + std::to_string(t) + " without its data";
      return nullptr;
    }
    void* host = ConstantView(buffer, error);
    if (host == nullptr) return nullptr;
    StoreFloats(static_cast<const float*>(x.data), bytes / 4, fp16_, host);
  } else {
    Boundary in;
    in.tensor = t;
    in.device = buffer;
    if (!buffer->mapped()) {
      in.staging = NewBuffer(buffer->bytes(), Memory::kStaging, error);
      if (!in.staging) return nullptr;
    }
    inputs_.push_back(in);
  }
  buffers_[t] = buffer;
  return buffer.get();
}

// The float32 values of weight t: a float32 constant, or the output of a
// DEQUANTIZE of float16 constants (widened here).
bool WeightFloats(const EmberDelegateGraph* g, int32_t t,
                  std::vector<float>* values) {
  const EmberDelegateTensor& x = g->tensors[t];
  const size_t count = Float32Bytes(x) / 4;
  if (x.is_constant) {
    if (x.data == nullptr || x.bytes != count * 4) return false;
    const float* f = static_cast<const float*>(x.data);
    values->assign(f, f + count);
    return true;
  }
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    const EmberDelegateNode& n = g->nodes[i];
    if (n.num_outputs != 1 || n.outputs[0] != t || n.num_inputs != 1) continue;
    const EmberDelegateTensor& half = g->tensors[n.inputs[0]];
    if (half.data == nullptr || half.bytes != count * 2) return false;
    const uint16_t* h = static_cast<const uint16_t*>(half.data);
    values->resize(count);
    for (size_t k = 0; k < count; ++k) (*values)[k] = HalfToFloat(h[k]);
    return true;
  }
  return false;
}

// Weights in the order the C4 shaders read them, zero where they meet the
// padding lanes (docs/gpu_layout.md).
std::vector<float> PackWeights(const EmberDelegateTensor& x, PackKind kind,
                               const std::vector<float>& v) {
  if (kind == PackKind::kBias) {  // [C] or [1, .., 1, C]
    std::vector<float> out(Pad4(static_cast<int32_t>(v.size())), 0.0f);
    std::copy(v.begin(), v.end(), out.begin());
    return out;
  }
  const int32_t co = x.dims[0], kh = x.dims[1], kw = x.dims[2];
  const int32_t ci = x.dims[3];
  if (kind == PackKind::kDepthwiseFilter) {  // [1, KH, KW, C] -> C padded
    const int32_t cp = Pad4(ci);
    std::vector<float> out(static_cast<size_t>(kh) * kw * cp, 0.0f);
    for (int32_t k = 0; k < kh * kw; ++k)
      for (int32_t c = 0; c < ci; ++c)
        out[static_cast<size_t>(k) * cp + c] =
            v[static_cast<size_t>(k) * ci + c];
    return out;
  }
  // OHWI -> [Co/4][KH][KW][Ci/4] blocks of 4x4 (output lane, input lane).
  const int32_t co4 = Pad4(co) / 4, ci4 = Pad4(ci) / 4;
  std::vector<float> out(static_cast<size_t>(co4) * kh * kw * ci4 * 16, 0.0f);
  for (int32_t o = 0; o < co; ++o)
    for (int32_t y = 0; y < kh; ++y)
      for (int32_t xx = 0; xx < kw; ++xx)
        for (int32_t i = 0; i < ci; ++i) {
          const size_t block =
              ((static_cast<size_t>(o / 4) * kh + y) * kw + xx) * ci4 + i / 4;
          out[block * 16 + (o % 4) * 4 + i % 4] =
              v[((static_cast<size_t>(o) * kh + y) * kw + xx) * ci + i];
        }
  return out;
}

bool Kernel::AddDispatch(Dispatch d, std::string* error) {
  d.shader = ShaderName(d.shader);
  if (dev_->Pipeline(d.shader, error) == VK_NULL_HANDLE) return false;
  dispatches_.push_back(d);
  return true;
}

bool Kernel::Dense(const EmberDelegateGraph* g, int32_t t, std::string* error) {
  if (buffers_.count(t)) return true;
  if (!buffers_.count(C4Id(t))) return BufferOf(g, t, error) != nullptr;
  const EmberDelegateTensor& x = g->tensors[t];
  auto buffer = NewBuffer(StoredBytes(Float32Bytes(x)), Memory::kDevice, error);
  if (!buffer) return false;
  buffers_[t] = buffer;
  Dispatch d;
  d.shader = "relayout";
  d.bind[0] = C4Id(t);
  d.bind[3] = t;
  d.push[0] = 1;
  d.push[1] = x.dims[3];
  d.push[2] = Pad4(x.dims[3]);
  d.threads = static_cast<int64_t>(Float32Bytes(x) / 4);
  d.push[3] = static_cast<int32_t>(d.threads);
  return d.threads == 0 || AddDispatch(d, error);
}

bool Kernel::C4(const EmberDelegateGraph* g, int32_t t, std::string* error) {
  if (buffers_.count(C4Id(t))) return true;
  if (!Dense(g, t, error)) return false;
  const EmberDelegateTensor& x = g->tensors[t];
  const int64_t padded =
      static_cast<int64_t>(x.dims[0]) * x.dims[1] * x.dims[2] * Pad4(x.dims[3]);
  auto buffer = NewBuffer(StoredBytes(padded * 4), Memory::kDevice, error);
  if (!buffer) return false;
  buffers_[C4Id(t)] = buffer;
  Dispatch d;
  d.shader = "relayout";
  d.bind[0] = t;
  d.bind[3] = C4Id(t);
  d.push[1] = x.dims[3];
  d.push[2] = Pad4(x.dims[3]);
  d.threads = padded;
  d.push[3] = static_cast<int32_t>(padded);
  return padded == 0 || AddDispatch(d, error);
}

bool Kernel::Packed(const EmberDelegateGraph* g, int32_t id,
                    std::string* error) {
  if (buffers_.count(id)) return true;
  const int32_t t = TensorOfId(id);
  std::vector<float> values;
  if (!WeightFloats(g, t, &values))
    return (*error = "weights " + std::to_string(t) + " without their data",
            false);
  const std::vector<float> packed =
      PackWeights(g->tensors[t], PackKindOfId(id), values);
  auto buffer =
      NewBuffer(StoredBytes(packed.size() * 4), Memory::kDevice, error);
  if (!buffer) return false;
  void* host = ConstantView(buffer, error);
  if (host == nullptr) return false;
  StoreFloats(packed.data(), packed.size(), fp16_, host);
  buffers_[id] = buffer;
  return true;
}

bool Kernel::Build(const EmberDelegatePartition* p, std::string* error) {
  const EmberDelegateGraph* g = p->graph;
  signature_ = Signature(p);
  if (!CreateSync(error)) return false;
  dummy_ = NewBuffer(16, Memory::kDevice, error);
  if (!dummy_) return false;
  if (g->num_tensors >= kIdSpace)
    return (*error = "too many tensors for the binding ids", false);
  for (int32_t i = 0; i < p->num_nodes; ++i) {
    const int32_t index = p->nodes[i];
    const EmberDelegateNode& n = g->nodes[index];
    NodePlan plan;
    const bool c4 = c4_ && PlanNodeC4(g, index, &plan);
    if (!c4 && !PlanNode(g, index, &plan, error)) {
      *error = "node " + std::to_string(index) + ": " + *error;
      return false;
    }
    const int32_t out = n.outputs[0];
    const EmberDelegateTensor& o = g->tensors[out];
    if (plan.fp16_constant) {
      const EmberDelegateTensor& half = g->tensors[n.inputs[0]];
      if (half.data == nullptr || half.bytes * 2 != Float32Bytes(o))
        return (*error = "fp16 weights without their data", false);
      auto buffer =
          NewBuffer(StoredBytes(Float32Bytes(o)), Memory::kDevice, error);
      if (!buffer) return false;
      void* host = ConstantView(buffer, error);
      if (host == nullptr) return false;
      const uint16_t* src = static_cast<const uint16_t*>(half.data);
      if (fp16_) {  // already the storage format
        std::memcpy(host, src, half.bytes);
      } else {
        float* dst = static_cast<float*>(host);
        for (size_t k = 0; k < half.bytes / 2; ++k)
          dst[k] = HalfToFloat(src[k]);
      }
      buffers_[out] = buffer;
      continue;
    }
    if (plan.alias_of >= 0) {
      // RESHAPE and the like alias the NHWC bytes (a C4 input is first
      // converted: its padding would move with a changed channel count).
      if (!Dense(g, plan.alias_of, error)) return false;
      buffers_[out] = buffers_[plan.alias_of];
      continue;
    }
    for (const Dispatch& d : plan.dispatches)
      for (int b = 0; b < kBindings - 1; ++b) {
        const int32_t id = d.bind[b];
        const bool ok = id < 0           ? true
                        : IsPackedId(id) ? Packed(g, id, error)
                        : IsC4Id(id)     ? C4(g, TensorOfId(id), error)
                                         : Dense(g, id, error);
        if (!ok) return false;
      }
    size_t out_bytes = Float32Bytes(o);
    if (c4)
      out_bytes = static_cast<size_t>(o.dims[0]) * o.dims[1] * o.dims[2] *
                  Pad4(o.dims[3]) * 4;
    auto buffer = NewBuffer(StoredBytes(out_bytes), Memory::kDevice, error);
    if (!buffer) return false;
    buffers_[c4 ? C4Id(out) : out] = buffer;
    for (const Dispatch& d : plan.dispatches)
      if (!AddDispatch(d, error)) return false;
  }
  for (int32_t k = 0; k < p->num_outputs; ++k) {
    const int32_t t = p->outputs[k];
    if (!buffers_.count(t) && buffers_.count(C4Id(t)) && !Dense(g, t, error))
      return false;
    auto it = buffers_.find(t);
    if (it == buffers_.end())
      return (*error = "an output has no producer on the GPU", false);
    Boundary out;
    out.tensor = p->outputs[k];
    out.device = it->second;
    if (!out.device->mapped()) {
      out.staging = NewBuffer(out.device->bytes(), Memory::kStaging, error);
      if (!out.staging) return false;
    }
    outputs_.push_back(out);
  }
  if (!FlushUploads(error)) return false;
  return Record(error);
}

bool Kernel::CreateSync(std::string* error) {
  VkDevice device = dev_->device();
  auto pool =
      Info<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool.queueFamilyIndex = dev_->queue_family();
  if (vk_.CreateCommandPool(device, &pool, nullptr, &pool_) != VK_SUCCESS)
    return (*error = "vkCreateCommandPool failed", false);
  auto fence = Info<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  if (vk_.CreateFence(device, &fence, nullptr, &fence_) != VK_SUCCESS)
    return (*error = "vkCreateFence failed", false);
  return true;
}

bool Kernel::Submit(VkCommandBuffer cmd, std::string* error) {
  auto submit = Info<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  VkResult r = vk_.QueueSubmit(dev_->queue(), 1, &submit, fence_);
  if (r != VK_SUCCESS)
    return (*error = std::string("vkQueueSubmit: ") + ResultName(r), false);
  r = vk_.WaitForFences(dev_->device(), 1, &fence_, VK_TRUE, kFenceTimeoutNs);
  vk_.ResetFences(dev_->device(), 1, &fence_);
  if (r != VK_SUCCESS)
    return (*error = std::string("vkWaitForFences: ") + ResultName(r), false);
  return true;
}

// One submission copies every staged constant into its device buffer; the
// barrier at its end orders those writes before any later shader read on
// this queue.
bool Kernel::FlushUploads(std::string* error) {
  if (pending_.empty()) return true;
  VkDevice device = dev_->device();
  auto alloc = Info<VkCommandBufferAllocateInfo>(
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.commandPool = pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  if (vk_.AllocateCommandBuffers(device, &alloc, &cmd) != VK_SUCCESS)
    return (*error = "vkAllocateCommandBuffers failed", false);
  auto begin = Info<VkCommandBufferBeginInfo>(
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  bool ok = vk_.BeginCommandBuffer(cmd, &begin) == VK_SUCCESS;
  if (ok) {
    for (const auto& [staging, target] : pending_) {
      VkBufferCopy region{0, 0, staging->size()};
      vk_.CmdCopyBuffer(cmd, staging->handle(), target->handle(), 1, &region);
    }
    auto barrier = Info<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    vk_.CmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier,
                           0, nullptr, 0, nullptr);
    ok = vk_.EndCommandBuffer(cmd) == VK_SUCCESS;
    if (!ok) *error = "vkEndCommandBuffer failed (weight upload)";
  } else {
    *error = "vkBeginCommandBuffer failed (weight upload)";
  }
  ok = ok && Submit(cmd, error);
  vk_.FreeCommandBuffers(device, pool_, 1, &cmd);
  pending_.clear();
  return ok;
}

bool Kernel::Record(std::string* error) {
  VkDevice device = dev_->device();
  auto alloc = Info<VkCommandBufferAllocateInfo>(
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.commandPool = pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  if (vk_.AllocateCommandBuffers(device, &alloc, &cmd_) != VK_SUCCESS)
    return (*error = "vkAllocateCommandBuffers failed", false);

  const uint32_t sets = static_cast<uint32_t>(dispatches_.size()) + 1;
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                            sets * kBindings};
  auto dpool = Info<VkDescriptorPoolCreateInfo>(
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  dpool.maxSets = sets;
  dpool.poolSizeCount = 1;
  dpool.pPoolSizes = &size;
  if (vk_.CreateDescriptorPool(device, &dpool, nullptr, &descriptors_) !=
      VK_SUCCESS)
    return (*error = "vkCreateDescriptorPool failed", false);

  auto begin = Info<VkCommandBufferBeginInfo>(
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  if (vk_.BeginCommandBuffer(cmd_, &begin) != VK_SUCCESS)
    return (*error = "vkBeginCommandBuffer failed", false);
  auto host_to_gpu = Info<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  host_to_gpu.srcAccessMask = VK_ACCESS_HOST_WRITE_BIT;
  host_to_gpu.dstAccessMask =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT;
  vk_.CmdPipelineBarrier(
      cmd_, VK_PIPELINE_STAGE_HOST_BIT,
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
      1, &host_to_gpu, 0, nullptr, 0, nullptr);
  // Staged inputs: staging -> device, then visible to the shaders (and to
  // a download of an input that is also an output).
  bool staged_in = false;
  for (const Boundary& in : inputs_) {
    if (!in.staging) continue;
    VkBufferCopy region{0, 0, in.device->size()};
    vk_.CmdCopyBuffer(cmd_, in.staging->handle(), in.device->handle(), 1,
                      &region);
    staged_in = true;
  }
  if (staged_in) {
    auto copied = Info<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    copied.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    copied.dstAccessMask = VK_ACCESS_SHADER_READ_BIT |
                           VK_ACCESS_SHADER_WRITE_BIT |
                           VK_ACCESS_TRANSFER_READ_BIT;
    vk_.CmdPipelineBarrier(
        cmd_, VK_PIPELINE_STAGE_TRANSFER_BIT,
        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
        0, 1, &copied, 0, nullptr, 0, nullptr);
  }
  for (const Dispatch& d : dispatches_) {
    VkDescriptorSetLayout layout = dev_->set_layout();
    auto set_info = Info<VkDescriptorSetAllocateInfo>(
        VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
    set_info.descriptorPool = descriptors_;
    set_info.descriptorSetCount = 1;
    set_info.pSetLayouts = &layout;
    VkDescriptorSet set;
    if (vk_.AllocateDescriptorSets(device, &set_info, &set) != VK_SUCCESS)
      return (*error = "vkAllocateDescriptorSets failed", false);
    VkDescriptorBufferInfo infos[kBindings];
    VkWriteDescriptorSet writes[kBindings];
    for (int b = 0; b < kBindings; ++b) {
      Buffer* buffer =
          d.bind[b] >= 0 ? buffers_.at(d.bind[b]).get() : dummy_.get();
      infos[b] = {buffer->handle(), 0, VK_WHOLE_SIZE};
      writes[b] =
          Info<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
      writes[b].dstSet = set;
      writes[b].dstBinding = static_cast<uint32_t>(b);
      writes[b].descriptorCount = 1;
      writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[b].pBufferInfo = &infos[b];
    }
    vk_.UpdateDescriptorSets(device, kBindings, writes, 0, nullptr);
    vk_.CmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE,
                        dev_->Pipeline(d.shader, error));
    vk_.CmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE,
                              dev_->pipeline_layout(), 0, 1, &set, 0, nullptr);
    vk_.CmdPushConstants(cmd_, dev_->pipeline_layout(),
                         VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(d.push),
                         d.push);
    // 64 invocations per group; rows of at most 65535 groups.
    const int64_t groups = (d.threads + 63) / 64;
    const uint32_t x = static_cast<uint32_t>(groups < 65535 ? groups : 65535);
    const uint32_t y = static_cast<uint32_t>((groups + x - 1) / x);
    vk_.CmdDispatch(cmd_, x, y, 1);
    auto barrier = Info<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask =
        VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
        VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT;
    vk_.CmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                               VK_PIPELINE_STAGE_HOST_BIT |
                               VK_PIPELINE_STAGE_TRANSFER_BIT,
                           0, 1, &barrier, 0, nullptr, 0, nullptr);
  }
  // Staged outputs: device -> staging, then visible to the host.
  bool staged_out = false;
  for (const Boundary& out : outputs_) {
    if (!out.staging) continue;
    VkBufferCopy region{0, 0, out.device->size()};
    vk_.CmdCopyBuffer(cmd_, out.device->handle(), out.staging->handle(), 1,
                      &region);
    staged_out = true;
  }
  if (staged_out) {
    auto copied = Info<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    copied.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    copied.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vk_.CmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_TRANSFER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &copied, 0,
                           nullptr, 0, nullptr);
  }
  has_work_ = !dispatches_.empty() || staged_in || staged_out;
  if (vk_.EndCommandBuffer(cmd_) != VK_SUCCESS)
    return (*error = "vkEndCommandBuffer failed", false);
  return true;
}

bool Kernel::Invoke(const EmberDelegatePartition* p, std::string* error) {
  const EmberDelegateGraph* g = p->graph;
  for (const Boundary& in : inputs_) {
    const EmberDelegateTensor& x = g->tensors[in.tensor];
    if (x.data == nullptr || StoredBytes(x.bytes) != in.device->bytes())
      return (*error = "input tensor " + std::to_string(in.tensor) + " changed",
              false);
    StoreFloats(static_cast<const float*>(x.data), x.bytes / 4, fp16_,
                in.host());
  }
  if (has_work_ && !Submit(cmd_, error)) return false;
  for (const Boundary& out : outputs_) {
    const EmberDelegateTensor& x = g->tensors[out.tensor];
    if (x.data == nullptr || StoredBytes(x.bytes) != out.device->bytes())
      return (*error = "output tensor changed", false);
    LoadFloats(out.host(), x.bytes / 4, fp16_, static_cast<float*>(x.data));
  }
  return true;
}

void Kernel::Release() {
  VkDevice device = dev_->device();
  // Invoke waits for its submission, so nothing is in flight here.
  if (fence_ != VK_NULL_HANDLE) vk_.DestroyFence(device, fence_, nullptr);
  if (descriptors_ != VK_NULL_HANDLE)
    vk_.DestroyDescriptorPool(device, descriptors_, nullptr);
  if (pool_ != VK_NULL_HANDLE) vk_.DestroyCommandPool(device, pool_, nullptr);
  fence_ = VK_NULL_HANDLE;
  descriptors_ = VK_NULL_HANDLE;
  pool_ = VK_NULL_HANDLE;
  cmd_ = VK_NULL_HANDLE;
  buffers_.clear();
  dispatches_.clear();
  inputs_.clear();
  outputs_.clear();
  pending_.clear();
  has_work_ = false;
  dummy_.reset();
}

// --- the C ABI ---------------------------------------------------------

int32_t SupportsNodeFn(void*, const EmberDelegateGraph* graph, int32_t node) {
  return SupportsNode(graph, node) ? 1 : 0;
}

void* InitFn(void* user_data, const EmberDelegatePartition* partition,
             EmberDelegateErrorFn error, void* context) {
  auto* d = static_cast<GpuDelegate*>(user_data);
  auto kernel = std::make_unique<Kernel>(d->device.get(), d->fp16, d->c4);
  std::string why;
  if (!kernel->Build(partition, &why)) {
    Report(error, context, "gpu (" + d->device->name() + "): " + why);
    return nullptr;
  }
  return kernel.release();
}

int32_t PrepareFn(void* kernel, const EmberDelegatePartition* partition,
                  EmberDelegateErrorFn error, void* context) {
  std::string why;
  if (!static_cast<Kernel*>(kernel)->Prepare(partition, &why))
    return Report(error, context, "gpu: " + why);
  return 0;
}

int32_t InvokeFn(void* kernel, const EmberDelegatePartition* partition,
                 EmberDelegateErrorFn error, void* context) {
  std::string why;
  if (!static_cast<Kernel*>(kernel)->Invoke(partition, &why))
    return Report(error, context, "gpu: " + why);
  return 0;
}

void FreeKernelFn(void* kernel) { delete static_cast<Kernel*>(kernel); }

void DestroyFn(EmberDelegate* delegate) {
  delete static_cast<GpuDelegate*>(delegate->user_data);
}

bool ParseInt(const char* text, int32_t* out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 0 || v > 1 << 20) return false;
  *out = static_cast<int32_t>(v);
  return true;
}

}  // namespace

EmberDelegate* CreateGpuDelegate(const char* const* keys,
                                 const char* const* values, size_t num_options,
                                 EmberDelegateErrorFn error,
                                 void* error_context) {
  std::string library;
  int32_t device_index = -1;
  // A partition of one or two nodes costs a GPU round trip (inputs in,
  // outputs out, a submit and a wait) for little work.
  int32_t min_nodes = 3, max_partitions = 0;
  bool fp16 = false, c4 = true;
  // EMBER_GPU_FORCE_STAGING=1: as memory=staging, for CI on lavapipe.
  const char* force = std::getenv("EMBER_GPU_FORCE_STAGING");
  bool staging = force != nullptr && std::string(force) == "1";
  for (size_t i = 0; i < num_options; ++i) {
    const std::string key = keys[i];
    const char* value = values[i];
    bool ok = true;
    if (key == "vulkan_library") {
      library = value;
    } else if (key == "device") {
      ok = ParseInt(value, &device_index);
    } else if (key == "min_nodes_per_partition") {
      ok = ParseInt(value, &min_nodes);
    } else if (key == "max_partitions") {
      ok = ParseInt(value, &max_partitions);
    } else if (key == "precision") {
      // As LiteRT's precision_loss_allowed: fp16 halves memory and
      // bandwidth at about 3 significant digits.
      const std::string precision = value;
      if (precision != "fp32" && precision != "fp16") {
        Report(error, error_context,
               "gpu delegate: option precision='" + precision +
                   "' is not fp32 or fp16");
        return nullptr;
      }
      fp16 = precision == "fp16";
    } else if (key == "layout") {
      // nhwc: every tensor NHWC and the scalar shaders (the layout before
      // C4, kept to compare and to fall back on).
      const std::string layout = value;
      if (layout != "c4" && layout != "nhwc") {
        Report(
            error, error_context,
            "gpu delegate: option layout='" + layout + "' is not c4 or nhwc");
        return nullptr;
      }
      c4 = layout == "c4";
    } else if (key == "memory") {
      // staging: device memory is never mapped, every transfer is a copy
      // through a staging buffer (what a discrete GPU does).
      const std::string memory = value;
      if (memory != "auto" && memory != "staging") {
        Report(error, error_context,
               "gpu delegate: option memory='" + memory +
                   "' is not auto or staging");
        return nullptr;
      }
      staging = staging || memory == "staging";
    } else {
      Report(error, error_context,
             "gpu delegate: unknown option '" + key +
                 "' (known: vulkan_library, device, "
                 "min_nodes_per_partition, max_partitions, precision, "
                 "memory, layout)");
      return nullptr;
    }
    if (!ok) {
      Report(error, error_context,
             "gpu delegate: option " + key + "='" + value +
                 "' is not a non-negative integer");
      return nullptr;
    }
  }
  std::string why;
  auto device = VulkanDevice::Create(library, device_index, fp16, &why);
  if (!device) {
    Report(error, error_context, "gpu delegate: " + why);
    return nullptr;
  }
  device->set_force_staging(staging);
  auto* d = new GpuDelegate();
  d->device = std::move(device);
  d->name = "gpu";
  d->fp16 = fp16;
  d->c4 = c4;
  EmberDelegate& c = d->c;
  c.struct_size = sizeof(EmberDelegate);
  c.name = "gpu";
  c.user_data = d;
  c.min_nodes_per_partition = min_nodes;
  c.max_partitions = max_partitions;
  c.supports_node = SupportsNodeFn;
  c.init = InitFn;
  c.prepare = PrepareFn;
  c.invoke = InvokeFn;
  c.free_kernel = FreeKernelFn;
  c.destroy = DestroyFn;
  return &d->c;
}

}  // namespace ember::gpu
