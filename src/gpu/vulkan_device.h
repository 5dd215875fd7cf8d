// One Vulkan compute device: instance, device, queue, the compute
// pipelines of the embedded shaders (one shared layout: four storage
// buffers and 128 bytes of push constants), and device-local buffers with
// host-visible staging.
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

// Where a buffer lives. kDevice: DEVICE_LOCAL memory, the storage of every
// tensor the shaders touch; it is also mapped when the device has a memory
// type both DEVICE_LOCAL and HOST_VISIBLE (integrated/UMA GPUs, lavapipe,
// resizable BAR), so that uploads skip the staging copy. kStaging:
// HOST_VISIBLE coherent memory, mapped, the source or destination of
// vkCmdCopyBuffer to or from an unmapped device buffer.
enum class Memory { kDevice, kStaging };

class Buffer {
 public:
  Buffer(VulkanDevice* device, size_t bytes, Memory memory);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  bool ok() const { return ok_; }
  // Why the buffer could not be made (when !ok()).
  const std::string& error() const { return error_; }
  // The host mapping, or null for device memory the host cannot see.
  void* data() const { return mapped_; }
  bool mapped() const { return mapped_ != nullptr; }
  size_t bytes() const { return bytes_; }
  // Allocated bytes (whole 32-bit words, at least one): what copies move.
  size_t size() const { return size_; }
  VkBuffer handle() const { return buffer_; }

 private:
  // Allocates memory of type `type`, binds it and, with `map`, maps it.
  bool Allocate(int type, bool map, std::string* error);

  VulkanDevice* device_;
  size_t bytes_;
  size_t size_;
  bool ok_ = false;
  std::string error_;
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
  // A HOST_VISIBLE | HOST_COHERENT memory type allowed by `type_bits`
  // (staging), or -1.
  int HostMemoryType(uint32_t type_bits) const;
  // A DEVICE_LOCAL memory type allowed by `type_bits`, or -1. With
  // `mapped` a type that is also HOST_VISIBLE | HOST_COHERENT (never when
  // staging is forced), else one the host need not see.
  int DeviceMemoryType(uint32_t type_bits, bool mapped) const;
  // Every upload and download through staging buffers and vkCmdCopyBuffer,
  // even where device memory could be mapped (tests the discrete-GPU path
  // on integrated GPUs and lavapipe).
  void set_force_staging(bool force) { force_staging_ = force; }
  bool force_staging() const { return force_staging_; }

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
  // Whether the device has the memory types buffers need (DEVICE_LOCAL
  // storage and HOST_VISIBLE coherent staging); *error names the missing
  // one.
  bool CheckMemoryTypes(std::string* error) const;

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
  bool force_staging_ = false;
};

}  // namespace ember::gpu
