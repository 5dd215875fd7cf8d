/* An example external delegate: takes float32 ADD, SUB, MUL, RELU, RELU6,
 * RELU_N1_TO_1 and LOGISTIC nodes (same-shape operands, or a scalar /
 * one-element second operand) and runs them with its own plain loops on
 * Ember's shared host buffers. It exists to exercise the delegate ABI
 * (include/ember/delegate.h); it is no faster than Ember's CPU kernels.
 *
 * Options (--delegate-option KEY=VALUE):
 *   fail_at=init|prepare|invoke  fail there on purpose (tests of the CPU
 *                                fallback)
 *   ops=ADD,MUL,...              take only these ops (default: all but
 *                                LOGISTIC, so that results are bit-exact)
 *   min_nodes=N, max_partitions=N  partitioning limits */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ember/delegate.h"

enum {
  kAdd = 0,
  kMul = 18,
  kRelu = 19,
  kReluN1To1 = 20,
  kRelu6 = 21,
  kLogistic = 14,
  kSub = 41
};

typedef struct Options {
  char fail_at[16];
  char ops[256]; /* empty: every op it knows */
} Options;

static const char* OpName(int32_t code) {
  switch (code) {
    case kAdd:
      return "ADD";
    case kSub:
      return "SUB";
    case kMul:
      return "MUL";
    case kRelu:
      return "RELU";
    case kRelu6:
      return "RELU6";
    case kReluN1To1:
      return "RELU_N1_TO_1";
    case kLogistic:
      return "LOGISTIC";
    default:
      return NULL;
  }
}

static int64_t Elements(const EmberDelegateTensor* t) {
  int64_t n = 1;
  for (int32_t d = 0; d < t->rank; ++d) n *= t->dims[d];
  return n;
}

/* Listed in "ops" (comma separated); without a list every op but LOGISTIC
 * (its expf may differ from Ember's in the last bit, and the default set is
 * meant to give bit-exact results). */
static int Wanted(const Options* o, const char* name) {
  if (o->ops[0] == '\0') return strcmp(name, "LOGISTIC") != 0;
  size_t len = strlen(name);
  for (const char* p = o->ops; *p;) {
    const char* end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n == len && strncmp(p, name, n) == 0) return 1;
    if (!end) break;
    p = end + 1;
  }
  return 0;
}

static int32_t SupportsNode(void* user, const EmberDelegateGraph* g,
                            int32_t index) {
  const Options* o = (const Options*)user;
  const EmberDelegateNode* n = &g->nodes[index];
  const char* name = OpName(n->builtin_code);
  if (name == NULL || !Wanted(o, name) || n->num_outputs != 1) return 0;
  const int binary = n->builtin_code == kAdd || n->builtin_code == kSub ||
                     n->builtin_code == kMul;
  if (n->num_inputs != (binary ? 2 : 1)) return 0;
  /* Fused activations it knows: none, RELU, RELU_N1_TO_1, RELU6. */
  if (n->fused_activation > 3) return 0;
  for (int32_t i = 0; i < n->num_inputs; ++i) {
    if (n->inputs[i] < 0 || g->tensors[n->inputs[i]].type != 0) return 0;
  }
  const EmberDelegateTensor* out = &g->tensors[n->outputs[0]];
  if (out->type != 0) return 0;
  const EmberDelegateTensor* a = &g->tensors[n->inputs[0]];
  if (Elements(a) != Elements(out)) return 0;
  if (binary) {
    const int64_t nb = Elements(&g->tensors[n->inputs[1]]);
    if (nb != 1 && nb != Elements(out)) return 0;
  }
  return 1;
}

static float Activate(float v, int32_t act) {
  switch (act) {
    case 1:
      return v < 0 ? 0 : v;
    case 2:
      return v < -1 ? -1 : (v > 1 ? 1 : v);
    case 3:
      return v < 0 ? 0 : (v > 6 ? 6 : v);
    default:
      return v;
  }
}

static void RunNode(const EmberDelegateGraph* g, const EmberDelegateNode* n) {
  const EmberDelegateTensor* a = &g->tensors[n->inputs[0]];
  EmberDelegateTensor* out = &g->tensors[n->outputs[0]];
  const float* x = (const float*)a->data;
  float* y = (float*)out->data;
  const int64_t count = Elements(out);
  const int32_t act = n->fused_activation < 0 ? 0 : n->fused_activation;
  if (n->num_inputs == 2) {
    const EmberDelegateTensor* b = &g->tensors[n->inputs[1]];
    const float* z = (const float*)b->data;
    const int64_t step = Elements(b) == 1 ? 0 : 1;
    for (int64_t i = 0; i < count; ++i) {
      const float r = z[i * step];
      float v = n->builtin_code == kAdd   ? x[i] + r
                : n->builtin_code == kSub ? x[i] - r
                                          : x[i] * r;
      y[i] = Activate(v, act);
    }
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    switch (n->builtin_code) {
      case kRelu:
        y[i] = Activate(x[i], 1);
        break;
      case kReluN1To1:
        y[i] = Activate(x[i], 2);
        break;
      case kRelu6:
        y[i] = Activate(x[i], 3);
        break;
      default:
        y[i] = 1.0f / (1.0f + expf(-x[i]));
        break;
    }
  }
}

/* The kernel of a partition needs nothing but the options. */
static void* Init(void* user, const EmberDelegatePartition* p,
                  EmberDelegateErrorFn error, void* ctx) {
  const Options* o = (const Options*)user;
  (void)p;
  if (strcmp(o->fail_at, "init") == 0) {
    error(ctx, "example delegate: fail_at=init");
    return NULL;
  }
  return user;
}

static int32_t Prepare(void* kernel, const EmberDelegatePartition* p,
                       EmberDelegateErrorFn error, void* ctx) {
  const Options* o = (const Options*)kernel;
  if (strcmp(o->fail_at, "prepare") == 0) {
    error(ctx, "example delegate: fail_at=prepare");
    return 1;
  }
  /* Shapes may have changed since init: still element-wise? */
  for (int32_t i = 0; i < p->num_nodes; ++i) {
    if (!SupportsNode(kernel, p->graph, p->nodes[i])) {
      error(ctx,
            "example delegate: a node's shapes changed to ones it does "
            "not handle");
      return 1;
    }
  }
  return 0;
}

static int32_t Invoke(void* kernel, const EmberDelegatePartition* p,
                      EmberDelegateErrorFn error, void* ctx) {
  const Options* o = (const Options*)kernel;
  if (strcmp(o->fail_at, "invoke") == 0) {
    error(ctx, "example delegate: fail_at=invoke");
    return 1;
  }
  for (int32_t i = 0; i < p->num_nodes; ++i)
    RunNode(p->graph, &p->graph->nodes[p->nodes[i]]);
  return 0;
}

static void Destroy(EmberDelegate* d) {
  free(d->user_data);
  free(d);
}

__attribute__((visibility("default"))) EmberDelegate* ember_delegate_create(
    const char* const* keys, const char* const* values, size_t num_options,
    EmberDelegateErrorFn error, void* ctx) {
  Options* o = (Options*)calloc(1, sizeof(Options));
  EmberDelegate* d = (EmberDelegate*)calloc(1, sizeof(EmberDelegate));
  if (o == NULL || d == NULL) {
    free(o);
    free(d);
    error(ctx, "example delegate: out of memory");
    return NULL;
  }
  d->struct_size = sizeof(EmberDelegate);
  d->name = "example";
  d->user_data = o;
  d->supports_node = SupportsNode;
  d->init = Init;
  d->prepare = Prepare;
  d->invoke = Invoke;
  d->destroy = Destroy;
  for (size_t i = 0; i < num_options; ++i) {
    const char* k = keys[i];
    const char* v = values[i];
    int ok = 1;
    if (strcmp(k, "fail_at") == 0 && strlen(v) < sizeof(o->fail_at)) {
      strcpy(o->fail_at, v);
    } else if (strcmp(k, "ops") == 0 && strlen(v) < sizeof(o->ops)) {
      strcpy(o->ops, v);
    } else if (strcmp(k, "min_nodes") == 0) {
      d->min_nodes_per_partition = atoi(v);
    } else if (strcmp(k, "max_partitions") == 0) {
      d->max_partitions = atoi(v);
    } else {
      ok = 0;
    }
    if (!ok) {
      char message[200];
      snprintf(message, sizeof(message),
               "example delegate: unknown or too long option '%.64s' "
               "(known: fail_at, ops, min_nodes, max_partitions)",
               k);
      error(ctx, message);
      Destroy(d);
      return NULL;
    }
  }
  return d;
}
