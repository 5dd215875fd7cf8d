#include "gpu/vulkan_api.h"

#include <dlfcn.h>

namespace ember::gpu {

VulkanApi::~VulkanApi() {
  if (library != nullptr) dlclose(library);
}

bool VulkanApi::Load(const std::string& library_path, std::string* error) {
  const std::string path =
      library_path.empty() ? std::string("libvulkan.so.1") : library_path;
  library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    *error = "no Vulkan loader: cannot load " + path + " (" +
             (why ? why : "?") + ")";
    return false;
  }
  GetInstanceProcAddr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
      dlsym(library, "vkGetInstanceProcAddr"));
  if (GetInstanceProcAddr == nullptr) {
    *error = path + " has no vkGetInstanceProcAddr";
    return false;
  }
  CreateInstance = reinterpret_cast<PFN_vkCreateInstance>(
      GetInstanceProcAddr(VK_NULL_HANDLE, "vkCreateInstance"));
  if (CreateInstance == nullptr) {
    *error = path + " has no vkCreateInstance";
    return false;
  }
  return true;
}

bool VulkanApi::LoadInstance(VkInstance instance, std::string* error) {
#define EMBER_VK_LOAD(name)                       \
  name = reinterpret_cast<PFN_vk##name>(          \
      GetInstanceProcAddr(instance, "vk" #name)); \
  if (name == nullptr) {                          \
    *error = "the Vulkan loader lacks vk" #name;  \
    return false;                                 \
  }
  EMBER_VK_INSTANCE_FUNCTIONS(EMBER_VK_LOAD)
#undef EMBER_VK_LOAD
  return true;
}

bool VulkanApi::LoadDevice(VkDevice device, std::string* error) {
#define EMBER_VK_LOAD(name)                                                  \
  name =                                                                     \
      reinterpret_cast<PFN_vk##name>(GetDeviceProcAddr(device, "vk" #name)); \
  if (name == nullptr) {                                                     \
    *error = "the Vulkan driver lacks vk" #name;                             \
    return false;                                                            \
  }
  EMBER_VK_DEVICE_FUNCTIONS(EMBER_VK_LOAD)
#undef EMBER_VK_LOAD
  return true;
}

const char* ResultName(VkResult result) {
  switch (result) {
    case VK_SUCCESS:
      return "VK_SUCCESS";
    case VK_NOT_READY:
      return "VK_NOT_READY";
    case VK_TIMEOUT:
      return "VK_TIMEOUT";
    case VK_ERROR_OUT_OF_HOST_MEMORY:
      return "VK_ERROR_OUT_OF_HOST_MEMORY";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
      return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
    case VK_ERROR_INITIALIZATION_FAILED:
      return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST:
      return "VK_ERROR_DEVICE_LOST";
    case VK_ERROR_LAYER_NOT_PRESENT:
      return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT:
      return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER:
      return "VK_ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver/ICD found)";
    default:
      return "VkResult error";
  }
}

}  // namespace ember::gpu
