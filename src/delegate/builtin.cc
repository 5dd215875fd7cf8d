// Built-in delegates, created by name through the same C ABI as external
// ones.
#include "delegate/delegate.h"

#ifdef EMBER_HAVE_GPU_DELEGATE
#include "gpu/gpu_delegate.h"
#endif

namespace ember::delegate {

#ifdef EMBER_HAVE_GPU_DELEGATE
namespace {

void ReportInto(void* context, const char* message) {
  static_cast<std::string*>(context)->assign(message ? message : "?");
}

}  // namespace
#endif

std::vector<std::string> BuiltinDelegateNames() {
#ifdef EMBER_HAVE_GPU_DELEGATE
  return {"gpu"};
#else
  return {};
#endif
}

Status CreateDelegate(const std::string& name_or_path,
                      const DelegateOptions& options,
                      std::shared_ptr<Delegate>* out, std::string* error) {
  out->reset();
  if (name_or_path != "gpu")
    return LoadExternalDelegate(name_or_path, options, out, error);
#ifdef EMBER_HAVE_GPU_DELEGATE
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : options) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  std::string reason;
  EmberDelegate* d = gpu::CreateGpuDelegate(
      keys.data(), values.data(), options.size(), ReportInto, &reason);
  if (d == nullptr) {
    *error =
        reason.empty() ? std::string("gpu delegate: cannot start") : reason;
    return Status(StatusCode::kUnsupported);
  }
  *out = std::make_shared<Delegate>(d, nullptr);
  return Status::Ok();
#else
  (void)options;
  *error =
      "the gpu delegate was not built (EMBER_GPU=OFF: glslc or the Vulkan "
      "headers were missing when Ember was configured)";
  return Status(StatusCode::kUnsupported);
#endif
}

}  // namespace ember::delegate
