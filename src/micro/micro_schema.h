// The generated .tflite accessors, configured for the micro runtime:
// flatbuffers' assertions compile to nothing (no assert(), which would pull
// in stdio on bare metal). Only accessors and the Verifier are used; both
// read the model in place without allocating.
#pragma once

#ifndef FLATBUFFERS_ASSERT
#define FLATBUFFERS_ASSERT(x) ((void)0)
#endif

#include "schema/schema_generated.h"
