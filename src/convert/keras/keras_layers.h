// Keras layer -> TFLite operator lowering. Each converter reads the layer's
// config and weights, appends operators through the TfliteBuilder and
// returns the layer's output tensors.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "convert/convert.h"
#include "convert/keras/keras_archive.h"
#include "convert/keras/tflite_builder.h"

namespace ember::convert::keras {

using nlohmann::json;

struct LayerCall {
  std::string class_name;
  std::string name;   // the layer's name (output tensors are named after it)
  std::string where;  // "layer #3 'conv1' (Conv2D)" for messages
  const json* config = nullptr;
  std::vector<int> inputs;  // tensor indices, in call order
  // Tensors passed by keyword (MultiHeadAttention's key=, value=, ...).
  std::vector<std::pair<std::string, int>> kwarg_inputs;
  const json* kwargs = nullptr;  // the call's other keyword arguments
  std::vector<WeightArray> weights;
};

enum class LayerResult { kOk, kUnsupported, kError };

// Lowers one layer call; on kUnsupported/kError *message says why (the
// caller prefixes the layer's class, name and position).
LayerResult ConvertLayer(TfliteBuilder& b, const LayerCall& call,
                         std::vector<int>* outputs, std::string* message);

// Recurrent and attention layers (keras_layers_seq.cc).
LayerResult ConvertLstm(TfliteBuilder& b, const LayerCall& call, int* out,
                        std::string* message);
LayerResult ConvertGru(TfliteBuilder& b, const LayerCall& call, int* out,
                       std::string* message);
LayerResult ConvertBidirectional(TfliteBuilder& b, const LayerCall& call,
                                 int* out, std::string* message);
LayerResult ConvertMultiHeadAttention(TfliteBuilder& b, const LayerCall& call,
                                      int* out, std::string* message);

// Shared helpers.
// Applies a Keras activation by name ("relu", "linear", ...) to x.
LayerResult ApplyActivation(TfliteBuilder& b, const std::string& activation,
                            int x, const std::string& name, int* out,
                            std::string* message);
std::string ActivationName(const json& config);
// Transposes a row-major 2-D [rows, cols] array into [cols, rows].
std::vector<float> Transpose2D(const std::vector<float>& in, int rows,
                               int cols);
// y = x @ W + bias with W given as Keras [in, out] (FULLY_CONNECTED, keeping
// leading dimensions when x has rank > 2).
int Dense(TfliteBuilder& b, int x, const WeightArray& kernel,
          const std::vector<float>* bias, const std::string& name);
// The same with the [units, in] weights and bias already made (shared by
// the time steps of an unrolled recurrent layer).
int FullyConnected(TfliteBuilder& b, int x, int weights, int bias,
                   const std::string& name);
int Reshape(TfliteBuilder& b, int x, const Dims& shape,
            const std::string& name);
int Binary(TfliteBuilder& b, fb::BuiltinOperator op, int x, int y,
           const std::string& name);
// The element count a weight must have, from config values: -1 when a
// factor is negative or the product overflows int64 (so it matches no
// array; hostile configs once overflowed these products).
inline int64_t ExpectedCount(std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  for (int64_t f : factors)
    if (f < 0 || __builtin_mul_overflow(n, f, &n)) return -1;
  return n;
}
// Broadcast shape of two operands (numpy rules).
Dims BroadcastShape(const Dims& a, const Dims& b);

}  // namespace ember::convert::keras
