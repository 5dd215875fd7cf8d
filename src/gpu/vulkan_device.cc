#include "gpu/vulkan_device.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "gpu/shaders.h"

namespace ember::gpu {

Buffer::Buffer(VulkanDevice* device, size_t bytes, Memory memory)
    : device_(device), bytes_(bytes) {
  VulkanApi& vk = device->vk();
  // Whole 32-bit words (an odd count of float16 values ends mid-word).
  size_ = bytes == 0 ? 4 : (bytes + 3) / 4 * 4;
  auto info = Info<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  info.size = size_;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
               VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkResult r = vk.CreateBuffer(device->device(), &info, nullptr, &buffer_);
  if (r != VK_SUCCESS) {
    buffer_ = VK_NULL_HANDLE;
    error_ = std::string("vkCreateBuffer: ") + ResultName(r);
    return;
  }
  VkMemoryRequirements req;
  vk.GetBufferMemoryRequirements(device->device(), buffer_, &req);
  const std::string what = std::to_string(size_) + " bytes of ";
  if (memory == Memory::kStaging) {
    const int type = device->HostMemoryType(req.memoryTypeBits);
    if (type < 0) {
      error_ = "no HOST_VISIBLE coherent memory type for a staging buffer";
      return;
    }
    ok_ = Allocate(type, true, &error_);
    if (!ok_) error_ = what + "staging memory: " + error_;
    return;
  }
  // Mapped device-local memory first; where that heap is small (a
  // discrete GPU's BAR window) and runs out, plain device-local memory.
  const int mapped = device->DeviceMemoryType(req.memoryTypeBits, true);
  if (mapped >= 0) {
    ok_ = Allocate(mapped, true, &error_);
    // Bound but not mapped: the buffer cannot take other memory now.
    if (ok_ || memory_ != VK_NULL_HANDLE) {
      if (!ok_) error_ = what + "mapped device memory: " + error_;
      return;
    }
  }
  const int local = device->DeviceMemoryType(req.memoryTypeBits, false);
  if (local < 0) {
    error_ = "no DEVICE_LOCAL memory type for a storage buffer";
    return;
  }
  // Not mapped even where the type is host-visible: with staging forced
  // (on lavapipe every type is), the copies are what is under test.
  ok_ = Allocate(local, false, &error_);
  if (!ok_) error_ = what + "device memory: " + error_;
}

bool Buffer::Allocate(int type, bool map, std::string* error) {
  VulkanApi& vk = device_->vk();
  VkMemoryRequirements req;
  vk.GetBufferMemoryRequirements(device_->device(), buffer_, &req);
  auto alloc =
      Info<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = static_cast<uint32_t>(type);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkResult r = vk.AllocateMemory(device_->device(), &alloc, nullptr, &memory);
  if (r != VK_SUCCESS) {
    *error = std::string("vkAllocateMemory: ") + ResultName(r);
    return false;
  }
  r = vk.BindBufferMemory(device_->device(), buffer_, memory, 0);
  if (r != VK_SUCCESS) {
    vk.FreeMemory(device_->device(), memory, nullptr);
    *error = std::string("vkBindBufferMemory: ") + ResultName(r);
    return false;
  }
  memory_ = memory;
  if (!map) return true;
  void* host = nullptr;
  r = vk.MapMemory(device_->device(), memory_, 0, VK_WHOLE_SIZE, 0, &host);
  if (r != VK_SUCCESS) {
    *error = std::string("vkMapMemory: ") + ResultName(r);
    return false;
  }
  mapped_ = host;
  return true;
}

Buffer::~Buffer() {
  VulkanApi& vk = device_->vk();
  if (mapped_ != nullptr) vk.UnmapMemory(device_->device(), memory_);
  if (buffer_ != VK_NULL_HANDLE)
    vk.DestroyBuffer(device_->device(), buffer_, nullptr);
  if (memory_ != VK_NULL_HANDLE)
    vk.FreeMemory(device_->device(), memory_, nullptr);
}

std::unique_ptr<VulkanDevice> VulkanDevice::Create(const std::string& library,
                                                   int device_index,
                                                   bool fp16_storage,
                                                   std::string* error) {
  std::unique_ptr<VulkanDevice> d(new VulkanDevice());
  if (!d->Init(library, device_index, fp16_storage, error)) return nullptr;
  return d;
}

uint32_t VulkanDevice::InstanceVersion(bool fp16_storage, std::string* error) {
  if (!fp16_storage) return VK_API_VERSION_1_0;
  // vkEnumerateInstanceVersion exists from loader 1.1 on.
  auto enumerate = reinterpret_cast<PFN_vkEnumerateInstanceVersion>(
      vk_.GetInstanceProcAddr(VK_NULL_HANDLE, "vkEnumerateInstanceVersion"));
  uint32_t version = VK_API_VERSION_1_0;
  if (enumerate == nullptr || enumerate(&version) != VK_SUCCESS ||
      version < VK_API_VERSION_1_1) {
    *error =
        "precision=fp16 needs storageBuffer16BitAccess, queried through "
        "Vulkan 1.1, and the Vulkan loader is 1.0";
    return 0;
  }
  return VK_API_VERSION_1_1;
}

bool VulkanDevice::Has16BitStorage(std::string* error) {
  VkPhysicalDeviceProperties props;
  vk_.GetPhysicalDeviceProperties(physical_, &props);
  const std::string missing = "device " + std::string(props.deviceName) +
                              " lacks storageBuffer16BitAccess "
                              "(VkPhysicalDevice16BitStorageFeatures), "
                              "needed by precision=fp16";
  auto features2 = reinterpret_cast<PFN_vkGetPhysicalDeviceFeatures2>(
      vk_.GetInstanceProcAddr(instance_, "vkGetPhysicalDeviceFeatures2"));
  if (props.apiVersion < VK_API_VERSION_1_1 || features2 == nullptr) {
    *error = missing + " (it is a Vulkan 1.0 device)";
    return false;
  }
  auto storage16 = Info<VkPhysicalDevice16BitStorageFeatures>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
  auto features = Info<VkPhysicalDeviceFeatures2>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  features.pNext = &storage16;
  features2(physical_, &features);
  // EMBER_GPU_HIDE_FP16_STORAGE=1 pretends the feature is missing, so that
  // the decline path is tested on devices that have it.
  const char* hide = std::getenv("EMBER_GPU_HIDE_FP16_STORAGE");
  if (hide != nullptr && std::string(hide) == "1")
    storage16.storageBuffer16BitAccess = VK_FALSE;
  if (storage16.storageBuffer16BitAccess != VK_TRUE) {
    *error = missing;
    return false;
  }
  return true;
}

bool VulkanDevice::Init(const std::string& library, int device_index,
                        bool fp16_storage, std::string* error) {
  if (!vk_.Load(library, error)) return false;
  const uint32_t api_version = InstanceVersion(fp16_storage, error);
  if (api_version == 0) return false;
  auto app = Info<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "ember";
  app.pEngineName = "ember";
  app.apiVersion = api_version;
  auto info =
      Info<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &app;
  VkResult r = vk_.CreateInstance(&info, nullptr, &instance_);
  if (r != VK_SUCCESS) {
    *error = std::string("vkCreateInstance failed: ") + ResultName(r);
    instance_ = VK_NULL_HANDLE;
    return false;
  }
  if (!vk_.LoadInstance(instance_, error)) return false;
  uint32_t count = 0;
  r = vk_.EnumeratePhysicalDevices(instance_, &count, nullptr);
  if (r != VK_SUCCESS || count == 0) {
    *error = "no Vulkan device (no driver/ICD reports one)";
    return false;
  }
  std::vector<VkPhysicalDevice> devices(count);
  vk_.EnumeratePhysicalDevices(instance_, &count, devices.data());
  for (uint32_t i = 0; i < count && physical_ == VK_NULL_HANDLE; ++i) {
    if (device_index >= 0 && static_cast<uint32_t>(device_index) != i) continue;
    uint32_t families = 0;
    vk_.GetPhysicalDeviceQueueFamilyProperties(devices[i], &families, nullptr);
    std::vector<VkQueueFamilyProperties> props(families);
    vk_.GetPhysicalDeviceQueueFamilyProperties(devices[i], &families,
                                               props.data());
    for (uint32_t f = 0; f < families; ++f) {
      if (props[f].queueFlags & VK_QUEUE_COMPUTE_BIT) {
        physical_ = devices[i];
        queue_family_ = f;
        break;
      }
    }
  }
  if (physical_ == VK_NULL_HANDLE) {
    *error = device_index >= 0
                 ? "Vulkan device " + std::to_string(device_index) +
                       " does not exist or has no compute queue"
                 : std::string("no Vulkan device with a compute queue");
    return false;
  }
  VkPhysicalDeviceProperties props;
  vk_.GetPhysicalDeviceProperties(physical_, &props);
  name_ = props.deviceName;
  vk_.GetPhysicalDeviceMemoryProperties(physical_, &memory_);
  if (!CheckMemoryTypes(error)) return false;
  if (fp16_storage && !Has16BitStorage(error)) return false;

  const float priority = 1.0f;
  auto queue =
      Info<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queue.queueFamilyIndex = queue_family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  auto dinfo = Info<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
  dinfo.queueCreateInfoCount = 1;
  dinfo.pQueueCreateInfos = &queue;
  // Only the storage feature: arithmetic stays fp32 (shaders/common.glsl).
  auto storage16 = Info<VkPhysicalDevice16BitStorageFeatures>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES);
  storage16.storageBuffer16BitAccess = VK_TRUE;
  if (fp16_storage) dinfo.pNext = &storage16;
  r = vk_.CreateDevice(physical_, &dinfo, nullptr, &device_);
  if (r != VK_SUCCESS) {
    *error = "vkCreateDevice failed on " + name_ + ": " + ResultName(r);
    device_ = VK_NULL_HANDLE;
    return false;
  }
  if (!vk_.LoadDevice(device_, error)) return false;
  vk_.GetDeviceQueue(device_, queue_family_, 0, &queue_);

  VkDescriptorSetLayoutBinding bindings[kBindings];
  for (int b = 0; b < kBindings; ++b) {
    bindings[b] = {};
    bindings[b].binding = static_cast<uint32_t>(b);
    bindings[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[b].descriptorCount = 1;
    bindings[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  auto set = Info<VkDescriptorSetLayoutCreateInfo>(
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  set.bindingCount = kBindings;
  set.pBindings = bindings;
  if (vk_.CreateDescriptorSetLayout(device_, &set, nullptr, &set_layout_) !=
      VK_SUCCESS) {
    *error = "vkCreateDescriptorSetLayout failed";
    return false;
  }
  VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           kPushWords * sizeof(int32_t)};
  auto layout = Info<VkPipelineLayoutCreateInfo>(
      VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout.setLayoutCount = 1;
  layout.pSetLayouts = &set_layout_;
  layout.pushConstantRangeCount = 1;
  layout.pPushConstantRanges = &push;
  if (vk_.CreatePipelineLayout(device_, &layout, nullptr, &pipeline_layout_) !=
      VK_SUCCESS) {
    *error = "vkCreatePipelineLayout failed";
    return false;
  }
  return true;
}

VulkanDevice::~VulkanDevice() {
  if (device_ != VK_NULL_HANDLE) {
    vk_.DeviceWaitIdle(device_);
    for (auto& [name, pipeline] : pipelines_)
      vk_.DestroyPipeline(device_, pipeline, nullptr);
    if (pipeline_layout_ != VK_NULL_HANDLE)
      vk_.DestroyPipelineLayout(device_, pipeline_layout_, nullptr);
    if (set_layout_ != VK_NULL_HANDLE)
      vk_.DestroyDescriptorSetLayout(device_, set_layout_, nullptr);
    vk_.DestroyDevice(device_, nullptr);
  }
  if (instance_ != VK_NULL_HANDLE && vk_.DestroyInstance)
    vk_.DestroyInstance(instance_, nullptr);
}

int VulkanDevice::HostMemoryType(uint32_t type_bits) const {
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int fallback = -1;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    const VkMemoryPropertyFlags f = memory_.memoryTypes[i].propertyFlags;
    if ((f & want) != want) continue;
    // Staging reads back outputs: cached system memory reads faster than
    // an uncached or write-combined window.
    if (f & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) return static_cast<int>(i);
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  return fallback;
}

int VulkanDevice::DeviceMemoryType(uint32_t type_bits, bool mapped) const {
  if (mapped && force_staging_) return -1;
  const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                     VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    const VkMemoryPropertyFlags f = memory_.memoryTypes[i].propertyFlags;
    if (!(f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)) continue;
    if (mapped && (f & host) != host) continue;
    return static_cast<int>(i);
  }
  return -1;
}

bool VulkanDevice::CheckMemoryTypes(std::string* error) const {
  bool local = false, host = false;
  const VkMemoryPropertyFlags coherent = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    const VkMemoryPropertyFlags f = memory_.memoryTypes[i].propertyFlags;
    local = local || (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    host = host || (f & coherent) == coherent;
  }
  // EMBER_GPU_HIDE_MEMORY=device_local|host_visible pretends that kind of
  // memory type is missing, so that the decline path is tested.
  const char* hide = std::getenv("EMBER_GPU_HIDE_MEMORY");
  if (hide != nullptr && std::string(hide) == "device_local") local = false;
  if (hide != nullptr && std::string(hide) == "host_visible") host = false;
  if (local && host) return true;
  *error = "device " + name_ + " has no " +
           (local ? "HOST_VISIBLE | HOST_COHERENT (staging)" : "DEVICE_LOCAL") +
           " memory type";
  return false;
}

VkPipeline VulkanDevice::Pipeline(const std::string& shader,
                                  std::string* error) {
  auto it = pipelines_.find(shader);
  if (it != pipelines_.end()) return it->second;
  const EmbeddedShader* code = nullptr;
  for (size_t i = 0; i < kNumEmbeddedShaders; ++i)
    if (shader == kEmbeddedShaders[i].name) code = &kEmbeddedShaders[i];
  if (code == nullptr) {
    *error = "no embedded shader " + shader;
    return VK_NULL_HANDLE;
  }
  auto minfo = Info<VkShaderModuleCreateInfo>(
      VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  minfo.codeSize = code->num_words * sizeof(uint32_t);
  minfo.pCode = code->words;
  VkShaderModule module;
  VkResult r = vk_.CreateShaderModule(device_, &minfo, nullptr, &module);
  if (r != VK_SUCCESS) {
    *error = "shader " + shader + " refused: " + ResultName(r);
    return VK_NULL_HANDLE;
  }
  auto pinfo = Info<VkComputePipelineCreateInfo>(
      VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pinfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pinfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pinfo.stage.module = module;
  pinfo.stage.pName = "main";
  pinfo.layout = pipeline_layout_;
  VkPipeline pipeline = VK_NULL_HANDLE;
  r = vk_.CreateComputePipelines(device_, VK_NULL_HANDLE, 1, &pinfo, nullptr,
                                 &pipeline);
  vk_.DestroyShaderModule(device_, module, nullptr);
  if (r != VK_SUCCESS) {
    *error = "pipeline " + shader + " refused: " + ResultName(r);
    return VK_NULL_HANDLE;
  }
  pipelines_[shader] = pipeline;
  return pipeline;
}

}  // namespace ember::gpu
