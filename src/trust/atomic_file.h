// Writes a file so that readers see either the old file or the whole new
// one: a temporary file in the same folder, fsync'd, then renamed over the
// target. On any error the temporary is removed and the target untouched.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"

namespace ember::trust {

// `mode` is the new file's permission bits (0600 for secret keys).
Status WriteFileAtomically(const char* path, const uint8_t* data, size_t size,
                           unsigned mode, ErrorReporter& errors);

}  // namespace ember::trust
