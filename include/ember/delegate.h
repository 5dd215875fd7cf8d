/* Ember delegates: the C ABI a delegate implements (plain C, no other
 * header needed, so a delegate library builds without Ember's sources).
 *
 * A delegate is asked, node by node, which nodes of a graph it takes. Ember
 * groups the taken nodes into partitions that keep data dependencies valid
 * (maximal, within min_nodes_per_partition / max_partitions), replaces each
 * partition with one node that calls the delegate's kernel, and runs the
 * rest on its CPU kernels. Tensors are host memory shared with Ember: a
 * kernel reads its inputs and writes its outputs in place (zero copy).
 *
 * A delegate never makes a model fail where the CPU would succeed: when
 * init or prepare of a partition fails, or invoke returns an error, the
 * partition's nodes run on Ember's CPU kernels instead (from then on), and
 * the reason (reported through the error callback) is kept for
 * `ember run|bench|inspect`.
 *
 * An external delegate is a shared library exporting one function named
 * EMBER_DELEGATE_ENTRY_POINT of type EmberDelegateCreateFn. */
#ifndef EMBER_DELEGATE_H_
#define EMBER_DELEGATE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 2: EmberDelegateGraph gained abi_version and node_options (the builtin
 * options of every node). */
#define EMBER_DELEGATE_ABI_VERSION 2
#define EMBER_DELEGATE_ENTRY_POINT "ember_delegate_create"
#define EMBER_DELEGATE_MAX_RANK 8

/* Reports an error message (copied by Ember). */
typedef void (*EmberDelegateErrorFn)(void* error_context, const char* message);

/* One tensor of the graph. `data` of a constant is valid from init on; of
 * any other tensor only during invoke (Ember refreshes it before each
 * call). Shapes are current at prepare and invoke. */
typedef struct EmberDelegateTensor {
  int32_t type; /* EmberType value (EMBER_TYPE_FLOAT32 = 0, ...) */
  int32_t rank;
  int32_t dims[EMBER_DELEGATE_MAX_RANK];
  void* data;
  size_t bytes;
  int32_t is_constant;
  /* Per-tensor quantization (scale 0 when the tensor has none). */
  float scale;
  int32_t zero_point;
  const char* name;
} EmberDelegateTensor;

/* One node (op). Tensor indices index EmberDelegateGraph.tensors; -1 marks
 * an absent optional input. */
typedef struct EmberDelegateNode {
  int32_t builtin_code;    /* .tflite BuiltinOperator; 32 = CUSTOM; -1 for a
                              node another delegate already took */
  const char* custom_code; /* NULL unless CUSTOM */
  int32_t version;
  int32_t num_inputs;
  const int32_t* inputs;
  int32_t num_outputs;
  const int32_t* outputs;
  /* The op's fused activation (.tflite ActivationFunctionType: 0 none,
   * 1 RELU, 2 RELU_N1_TO_1, 3 RELU6, 4 TANH, 5 SIGN_BIT), or -1 when the
   * op has no such option. */
  int32_t fused_activation;
} EmberDelegateNode;

/* The builtin options of one node, flattened (since ABI version 2). A field
 * the op has not is 0 unless said otherwise. */
typedef struct EmberDelegateNodeOptions {
  int32_t padding; /* .tflite Padding: 0 SAME, 1 VALID; -1 when none */
  int32_t stride_h, stride_w;     /* CONV_2D, DEPTHWISE, pools, TRANSPOSE */
  int32_t dilation_h, dilation_w; /* CONV_2D, DEPTHWISE_CONV_2D */
  int32_t filter_h, filter_w;     /* AVERAGE/MAX_POOL_2D */
  int32_t depth_multiplier;       /* DEPTHWISE_CONV_2D */
  int32_t axis;                   /* CONCATENATION */
  int32_t align_corners;          /* RESIZE_* */
  int32_t half_pixel_centers;     /* RESIZE_* */
  int32_t keep_dims; /* MEAN and other reductions; FC keep_num_dims */
  float beta;        /* SOFTMAX */
  float alpha;       /* LEAKY_RELU */
  /* A CUSTOM op's option bytes (NULL and 0 when none). */
  const uint8_t* custom_options;
  int32_t custom_options_size;
  int32_t reserved[6];
} EmberDelegateNodeOptions;

typedef struct EmberDelegateGraph {
  int32_t num_tensors;
  EmberDelegateTensor* tensors;
  int32_t num_nodes;
  const EmberDelegateNode* nodes;
  /* Since ABI version 2: the version Ember speaks, and num_nodes options
   * parallel to `nodes`. */
  int32_t abi_version;
  const EmberDelegateNodeOptions* node_options;
} EmberDelegateGraph;

/* What one delegate kernel computes: `nodes` in execution order (indices
 * into graph->nodes), reading `inputs` (constants included) and writing
 * `outputs`. Tensors produced and consumed only inside also have memory
 * the kernel may use. */
typedef struct EmberDelegatePartition {
  const EmberDelegateGraph* graph;
  int32_t num_nodes;
  const int32_t* nodes;
  int32_t num_inputs;
  const int32_t* inputs;
  int32_t num_outputs;
  const int32_t* outputs;
} EmberDelegatePartition;

/* Callbacks return 0 on success; on failure they call `error` first. */
typedef struct EmberDelegate {
  /* Set to sizeof(EmberDelegate): lets later versions add fields. */
  size_t struct_size;
  /* Shown in reports and profiles; must outlive the delegate. */
  const char* name;
  void* user_data;
  /* Partitions with fewer nodes stay on the CPU (0 or 1: no minimum). */
  int32_t min_nodes_per_partition;
  /* Only the largest this many partitions are taken (0: no limit). */
  int32_t max_partitions;
  /* 1 if the delegate takes node `node` of `graph`, else 0. Required. */
  int32_t (*supports_node)(void* user_data, const EmberDelegateGraph* graph,
                           int32_t node);
  /* Builds the kernel of one partition (upload weights here). Returns its
   * state, or NULL to decline (after reporting why). Required. */
  void* (*init)(void* user_data, const EmberDelegatePartition* partition,
                EmberDelegateErrorFn error, void* error_context);
  /* After every (re)allocation: shapes may have changed. May be NULL. */
  int32_t (*prepare)(void* kernel, const EmberDelegatePartition* partition,
                     EmberDelegateErrorFn error, void* error_context);
  /* Computes the partition. Required. */
  int32_t (*invoke)(void* kernel, const EmberDelegatePartition* partition,
                    EmberDelegateErrorFn error, void* error_context);
  /* Frees a kernel from init. May be NULL. */
  void (*free_kernel)(void* kernel);
  /* Frees the delegate itself (and user_data). May be NULL. */
  void (*destroy)(struct EmberDelegate* delegate);
} EmberDelegate;

/* The entry point of an external delegate library: builds a delegate from
 * key/value options (both arrays of num_options strings). On bad options
 * it calls `error` and returns NULL. */
typedef EmberDelegate* (*EmberDelegateCreateFn)(const char* const* keys,
                                                const char* const* values,
                                                size_t num_options,
                                                EmberDelegateErrorFn error,
                                                void* error_context);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_DELEGATE_H_ */
