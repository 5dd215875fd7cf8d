// One Vulkan compute device: instance, device, queue, the compute
// pipelines of the embedded shaders (one shared layout: four storage
// buffers and 128 bytes of push constants), and host-visible buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "gpu/vulkan_api.h"

namespace ember::gpu {

// Storage buffers every shader declares (bindings 0..3; 3 is the output).
constexpr int kBindings = 4;
constexpr int kPushWords = 32;

class VulkanDevice;

// A host-visible, coherent storage buffer mapped for its whole life:
// uploads and downloads are memcpy. (On discrete GPUs without resizable
// BAR this is slower than device-local memory with staging copies.)
class Buffer {
 public:
  Buffer(VulkanDevice* device, size_t bytes);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  bool ok() const { return mapped_ != nullptr; }
  void* data() const { return mapped_; }
  size_t bytes() const { return bytes_; }
  VkBuffer handle() const { return buffer_; }

 private:
  VulkanDevice* device_;
  size_t bytes_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  void* mapped_ = nullptr;
};

class VulkanDevice {
 public:
  // Loads the Vulkan loader (`library`, empty for libvulkan.so.1), picks
  // the first device with a compute queue (`device_index` >= 0: that one).
  // With `fp16_storage` the device must have storageBuffer16BitAccess
  // (Vulkan 1.1, VkPhysicalDevice16BitStorageFeatures), which is enabled.
  // Null with *error naming why when there is none.
  static std::unique_ptr<VulkanDevice> Create(const std::string& library,
                                              int device_index,
                                              bool fp16_storage,
                                              std::string* error);
  ~VulkanDevice();

  VulkanApi& vk() { return vk_; }
  VkDevice device() const { return device_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  const std::string& name() const { return name_; }
  VkPipelineLayout pipeline_layout() const { return pipeline_layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }
  // The pipeline of embedded shader `shader` (built on first use); null
  // with *error set when the driver refuses it.
  VkPipeline Pipeline(const std::string& shader, std::string* error);
  // A host-visible coherent memory type allowed by `type_bits`, or -1.
  int HostMemoryType(uint32_t type_bits) const;

 private:
  VulkanDevice() = default;
  bool Init(const std::string& library, int device_index, bool fp16_storage,
            std::string* error);
  // The instance API version to ask for: 1.1 when fp16 storage is wanted
  // (its feature query is core there), else 1.0; 0 with *error set when
  // the loader is too old.
  uint32_t InstanceVersion(bool fp16_storage, std::string* error);
  // Whether the picked device can store float16 in storage buffers.
  bool Has16BitStorage(std::string* error);

  VulkanApi vk_;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory_{};
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  std::string name_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout pipeline_layout_ = VK_NULL_HANDLE;
  std::map<std::string, VkPipeline> pipelines_;
};

}  // namespace ember::gpu
