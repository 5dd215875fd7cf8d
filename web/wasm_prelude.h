// Force-included (-include) into every source of the WebAssembly build
// (scripts/build_wasm.sh). Emscripten's libc (musl) defines ARG_MAX in
// <limits.h>, which collides with the .tflite BuiltinOperator ARG_MAX in the
// generated schema header. Including <climits> first and dropping the macro
// keeps the header's include guard from defining it again later. Nothing in
// Ember uses the POSIX constant.
#pragma once

#include <climits>

#ifdef ARG_MAX
#undef ARG_MAX
#endif
