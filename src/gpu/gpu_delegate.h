// The built-in Vulkan GPU delegate (`--delegate gpu`): float ops run as
// compute shaders; weights are uploaded once, into device-local memory. It
// implements the same C ABI as external delegates (include/ember/delegate.h).
#pragma once

#include <cstddef>

#include "ember/delegate.h"

namespace ember::gpu {

// Options (keys/values): vulkan_library=PATH (default libvulkan.so.1),
// device=N (Vulkan physical device index), min_nodes_per_partition=N,
// max_partitions=N, precision=fp32|fp16 (fp16: float16 storage in every
// delegated buffer, where the device has storageBuffer16BitAccess),
// memory=auto|staging (staging: never map device memory, copy through
// staging buffers as on a discrete GPU; EMBER_GPU_FORCE_STAGING=1 does the
// same for every gpu delegate).
// Returns NULL after reporting why (no Vulkan loader, no device, no fp16
// storage for precision=fp16, bad option): the caller runs on the CPU.
EmberDelegate* CreateGpuDelegate(const char* const* keys,
                                 const char* const* values, size_t num_options,
                                 EmberDelegateErrorFn error,
                                 void* error_context);

}  // namespace ember::gpu
