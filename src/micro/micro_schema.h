// The generated .tflite accessors, configured for the micro runtime:
// flatbuffers' assertions compile to nothing (no assert(), which would pull
// in stdio on bare metal). Only accessors and the Verifier are used; both
// read the model in place without allocating.
#pragma once

#ifndef FLATBUFFERS_ASSERT
#define FLATBUFFERS_ASSERT(x) ((void)0)
#endif

#include <climits>

#include "flatbuffers/flatbuffers.h"

// picolibc's <limits.h> defines POSIX's ARG_MAX, which is also a
// BuiltinOperator name.
#ifdef ARG_MAX
#undef ARG_MAX
#endif

#include "schema/schema_generated.h"
