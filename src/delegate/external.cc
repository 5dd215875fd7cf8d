// Loading an external delegate: a shared library with one C entry point
// (EMBER_DELEGATE_ENTRY_POINT), given key/value options.
#include <dlfcn.h>

#include "delegate/delegate.h"

namespace ember::delegate {

namespace {

void ReportInto(void* context, const char* message) {
  static_cast<std::string*>(context)->assign(message ? message : "?");
}

}  // namespace

Status LoadExternalDelegate(const std::string& path,
                            const DelegateOptions& options,
                            std::shared_ptr<Delegate>* out,
                            std::string* error) {
  out->reset();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    *error = "cannot load delegate '" + path + "': " + (why ? why : "?");
    return Status(StatusCode::kNotFound);
  }
  std::shared_ptr<void> library(handle, [](void* h) { dlclose(h); });
  auto create = reinterpret_cast<EmberDelegateCreateFn>(
      dlsym(handle, EMBER_DELEGATE_ENTRY_POINT));
  if (create == nullptr) {
    *error = "delegate '" + path + "' has no entry point " +
             EMBER_DELEGATE_ENTRY_POINT;
    return Status(StatusCode::kInvalidArgument);
  }
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : options) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  std::string reason;
  EmberDelegate* d =
      create(keys.data(), values.data(), options.size(), ReportInto, &reason);
  if (d == nullptr) {
    *error = "delegate '" + path + "' refused to start: " +
             (reason.empty() ? std::string("no reason given") : reason);
    return Status(StatusCode::kInvalidArgument);
  }
  if (d->struct_size < sizeof(EmberDelegate) || d->supports_node == nullptr ||
      d->init == nullptr || d->invoke == nullptr) {
    *error = "delegate '" + path +
             "' returned an incomplete EmberDelegate (older ABI, or missing "
             "supports_node/init/invoke)";
    return Status(StatusCode::kInvalidArgument);
  }
  *out = std::make_shared<Delegate>(d, std::move(library));
  return Status::Ok();
}

}  // namespace ember::delegate
