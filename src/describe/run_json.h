// What an interpreter made of a model, as JSON: the graph it runs (nodes in
// execution order with the kernel each picked, tensors), the arena plan
// (each buffer's offset and lifetime, the peak and the lower bound) and the
// per-node profile. `ember report` and the WebAssembly API (Ember Studio)
// draw these; `ember bench --profile` prints the per-op table.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "runtime/subgraph.h"

namespace ember::describe {

// {index, name, inputs, outputs, nodes: [{index, op, version, kernel,
// inputs, outputs, runs}], tensors: [{index, name, type, shape,
// quantization, allocation, bytes}], plan: {arena_bytes, lower_bound_bytes,
// steps, buffers: [{tensor, node, offset, bytes, first_use, last_use}]}}.
// Call after AllocateTensors.
nlohmann::json DescribeGraph(const Subgraph& subgraph);

// The node timings gathered while profiling was on (EnableProfiling), over
// `runs` invokes: {runs, total_ms_per_run, nodes: [{index, op, kernel,
// ms_per_run, calls}], by_op: [{op ("NAME:kernel"), ms_per_run, share,
// calls}] (slowest first)}.
nlohmann::json DescribeProfile(const Subgraph& subgraph, int64_t runs);

}  // namespace ember::describe
