// Vulkan entry points loaded at run time (dlopen of the loader library),
// so that Ember has no link-time dependency on Vulkan: where no loader is
// installed the GPU delegate declines and the model runs on the CPU.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <string>

namespace ember::gpu {

// Functions resolved from the instance (global ones with a null instance).
#define EMBER_VK_INSTANCE_FUNCTIONS(X)      \
  X(DestroyInstance)                        \
  X(EnumeratePhysicalDevices)               \
  X(GetPhysicalDeviceProperties)            \
  X(GetPhysicalDeviceQueueFamilyProperties) \
  X(GetPhysicalDeviceMemoryProperties)      \
  X(CreateDevice)                           \
  X(GetDeviceProcAddr)

#define EMBER_VK_DEVICE_FUNCTIONS(X) \
  X(DestroyDevice)                   \
  X(GetDeviceQueue)                  \
  X(CreateBuffer)                    \
  X(DestroyBuffer)                   \
  X(GetBufferMemoryRequirements)     \
  X(AllocateMemory)                  \
  X(FreeMemory)                      \
  X(BindBufferMemory)                \
  X(MapMemory)                       \
  X(UnmapMemory)                     \
  X(CreateShaderModule)              \
  X(DestroyShaderModule)             \
  X(CreateDescriptorSetLayout)       \
  X(DestroyDescriptorSetLayout)      \
  X(CreatePipelineLayout)            \
  X(DestroyPipelineLayout)           \
  X(CreateComputePipelines)          \
  X(DestroyPipeline)                 \
  X(CreateDescriptorPool)            \
  X(DestroyDescriptorPool)           \
  X(AllocateDescriptorSets)          \
  X(UpdateDescriptorSets)            \
  X(CreateCommandPool)               \
  X(DestroyCommandPool)              \
  X(AllocateCommandBuffers)          \
  X(FreeCommandBuffers)              \
  X(BeginCommandBuffer)              \
  X(EndCommandBuffer)                \
  X(CmdBindPipeline)                 \
  X(CmdBindDescriptorSets)           \
  X(CmdPushConstants)                \
  X(CmdDispatch)                     \
  X(CmdPipelineBarrier)              \
  X(CmdCopyBuffer)                   \
  X(CreateFence)                     \
  X(DestroyFence)                    \
  X(ResetFences)                     \
  X(WaitForFences)                   \
  X(QueueSubmit)                     \
  X(DeviceWaitIdle)

struct VulkanApi {
  void* library = nullptr;
  PFN_vkGetInstanceProcAddr GetInstanceProcAddr = nullptr;
  PFN_vkCreateInstance CreateInstance = nullptr;
#define EMBER_VK_DECLARE(name) PFN_vk##name name = nullptr;
  EMBER_VK_INSTANCE_FUNCTIONS(EMBER_VK_DECLARE)
  EMBER_VK_DEVICE_FUNCTIONS(EMBER_VK_DECLARE)
#undef EMBER_VK_DECLARE

  VulkanApi() = default;
  VulkanApi(const VulkanApi&) = delete;
  VulkanApi& operator=(const VulkanApi&) = delete;
  ~VulkanApi();

  // dlopen()s `library_path` (default libvulkan.so.1) and resolves the
  // global entry points. False with *error set when that fails.
  bool Load(const std::string& library_path, std::string* error);
  // The instance-level entry points of `instance`.
  bool LoadInstance(VkInstance instance, std::string* error);
  // The device-level entry points of `device`.
  bool LoadDevice(VkDevice device, std::string* error);
};

// A zeroed Vulkan info struct with its sType set.
template <typename T>
T Info(VkStructureType type) {
  T info{};
  info.sType = type;
  return info;
}

// "VK_ERROR_OUT_OF_DEVICE_MEMORY" and the like, for messages.
const char* ResultName(VkResult result);

}  // namespace ember::gpu
