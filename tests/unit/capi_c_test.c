/* The C ABI used from C: this file is compiled as strict C99 (-pedantic
 * -Werror), which proves include/ember/ember.h is valid C, and it links
 * against the shared libember.so, which proves the exported symbols are
 * enough to run models and custom ops.
 *
 *   ember_capi_c_test add_model.tflite capi_c_custom_model.tflite
 *
 * add_model.tflite: y = x + [1, 2, 3, 4], x [1, 4], signature
 * "serving_default" (x -> y). capi_c_custom_model.tflite: t = TimesTwo(x),
 * y = t + [1, 2, 3], x [2, 3], custom options [7, 9], signature "run"
 * (in -> out). Both are made by flatc from the .json files beside them.
 */
#include <stdio.h>
#include <string.h>

#include "ember/ember.h"

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_OK(expr) CHECK((expr) == EMBER_STATUS_OK)

/* ---- a custom op written in C ------------------------------------------ */

typedef struct TimesTwoStats {
  int prepares;
  int evals;
  int destroyed;
  size_t options_size;
} TimesTwoStats;

typedef struct TimesTwoState {
  int64_t count; /* elements, computed in prepare */
} TimesTwoState;

static EmberStatus TimesTwoPrepare(EmberOpContext* ctx, void* user_data) {
  TimesTwoStats* stats = (TimesTwoStats*)user_data;
  const EmberTensor* in;
  TimesTwoState* state;
  ++stats->prepares;
  EmberOpContextGetCustomOptions(ctx, &stats->options_size);
  if (EmberOpContextGetInputCount(ctx) != 1 ||
      EmberOpContextGetOutputCount(ctx) != 1) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_INVALID_MODEL,
                                     "expected 1 input and 1 output, got %d/%d",
                                     (int)EmberOpContextGetInputCount(ctx),
                                     (int)EmberOpContextGetOutputCount(ctx));
  }
  in = EmberOpContextGetInput(ctx, 0);
  if (EmberTensorType(in) != EMBER_TYPE_FLOAT32) {
    return EmberOpContextReportError(ctx, EMBER_STATUS_UNSUPPORTED,
                                     "input type %s is not float32",
                                     EmberTypeName(EmberTensorType(in)));
  }
  state = (TimesTwoState*)EmberOpContextGetOpData(ctx);
  if (state == NULL) return EMBER_STATUS_INTERNAL;
  state->count = EmberTensorNumElements(in);
  return EmberOpContextResizeOutput(ctx, 0, EmberTensorDims(in),
                                    EmberTensorNumDims(in));
}

static EmberStatus TimesTwoEval(EmberOpContext* ctx, void* user_data) {
  TimesTwoStats* stats = (TimesTwoStats*)user_data;
  const TimesTwoState* state =
      (const TimesTwoState*)EmberOpContextGetOpData(ctx);
  const float* in =
      (const float*)EmberTensorData(EmberOpContextGetInput(ctx, 0));
  float* out = (float*)EmberTensorMutableData(EmberOpContextGetOutput(ctx, 0));
  int64_t i;
  ++stats->evals;
  if (EmberOpContextIsPreparing(ctx)) return EMBER_STATUS_INTERNAL;
  for (i = 0; i < state->count; ++i) out[i] = 2.0f * in[i];
  return EMBER_STATUS_OK;
}

static void TimesTwoDestroy(void* user_data) {
  ((TimesTwoStats*)user_data)->destroyed = 1;
}

/* ---- tests ------------------------------------------------------------- */

static void TestVersionAndNames(void) {
  CHECK(EmberVersionNumber() == EMBER_VERSION_NUMBER);
  CHECK(EmberVersion() != NULL && EmberVersion()[0] != '\0');
  CHECK(strcmp(EmberStatusName(EMBER_STATUS_NOT_FOUND), "not found") == 0);
  CHECK(strcmp(EmberTypeName(EMBER_TYPE_INT8), "int8") == 0);
  CHECK(EmberTypeSize(EMBER_TYPE_FLOAT32) == 4);
  CHECK(EmberTypeSize(EMBER_TYPE_INVALID) == 0);
}

static void TestNullHandles(void) {
  int32_t dims[1] = {1};
  CHECK(EmberInterpreterInvoke(NULL) == EMBER_STATUS_INVALID_ARGUMENT);
  CHECK(EmberInterpreterAllocateTensors(NULL) == EMBER_STATUS_INVALID_ARGUMENT);
  CHECK(EmberInterpreterResizeInputTensor(NULL, 0, dims, 1) ==
        EMBER_STATUS_INVALID_ARGUMENT);
  CHECK(EmberInterpreterGetInputCount(NULL) == 0);
  CHECK(EmberInterpreterGetInputTensor(NULL, 0) == NULL);
  CHECK(EmberInterpreterGetLastError(NULL) != NULL);
  CHECK(EmberSignatureRunnerInvoke(NULL) == EMBER_STATUS_INVALID_ARGUMENT);
  CHECK(EmberOpResolverAddCustomOp(NULL, "x", NULL) ==
        EMBER_STATUS_INVALID_ARGUMENT);
  CHECK(EmberTensorType(NULL) == EMBER_TYPE_INVALID);
  CHECK(EmberTensorNumDims(NULL) == -1);
  CHECK(EmberTensorCopyFromBuffer(NULL, dims, 4) ==
        EMBER_STATUS_INVALID_ARGUMENT);
  EmberModelDestroy(NULL);
  EmberInterpreterDestroy(NULL);
  EmberSignatureRunnerDestroy(NULL);
  EmberOpResolverDestroy(NULL);
  EmberInterpreterOptionsDestroy(NULL);
}

static void TestAddModel(const char* path) {
  char error[256];
  EmberModel* model = NULL;
  EmberInterpreterOptions* options = NULL;
  EmberInterpreter* interp = NULL;
  EmberSignatureRunner* runner = NULL;
  EmberTensor* in;
  const EmberTensor* out;
  const float x[4] = {10, 20, 30, 40};
  float y[4] = {0, 0, 0, 0};
  const float x2[8] = {1, 1, 1, 1, 2, 2, 2, 2};
  float y2[8];
  int32_t new_dims[2] = {2, 4};

  CHECK(EmberModelCreateFromFile("/nonexistent/model.tflite", &model, error,
                                 sizeof(error)) == EMBER_STATUS_NOT_FOUND);
  CHECK(model == NULL);
  CHECK(strstr(error, "/nonexistent/model.tflite") != NULL);

  CHECK_OK(EmberModelCreateFromFile(path, &model, error, sizeof(error)));
  if (model == NULL) {
    fprintf(stderr, "cannot load %s: %s\n", path, error);
    ++failures;
    return;
  }
  CHECK(EmberModelGetSubgraphCount(model) == 1);
  CHECK(EmberModelGetSignatureCount(model) == 1);
  CHECK_OK(EmberInterpreterOptionsCreate(&options, NULL, 0));
  CHECK(EmberInterpreterOptionsSetNumThreads(options, 0) ==
        EMBER_STATUS_INVALID_ARGUMENT);
  CHECK_OK(EmberInterpreterOptionsSetNumThreads(options, 2));
  CHECK_OK(EmberInterpreterCreate(model, options, NULL, &interp, error,
                                  sizeof(error)));
  EmberInterpreterOptionsDestroy(options);
  EmberModelDestroy(model); /* the interpreter keeps the model alive */
  if (interp == NULL) {
    ++failures;
    return;
  }

  CHECK(EmberInterpreterGetInputCount(interp) == 1);
  CHECK(EmberInterpreterGetOutputCount(interp) == 1);
  in = EmberInterpreterGetInputTensor(interp, 0);
  out = EmberInterpreterGetOutputTensor(interp, 0);
  CHECK(strcmp(EmberTensorName(in), "x") == 0);
  CHECK(EmberTensorType(in) == EMBER_TYPE_FLOAT32);
  CHECK(EmberInterpreterInvoke(interp) == EMBER_STATUS_FAILED_PRECONDITION);
  CHECK(strstr(EmberInterpreterGetLastError(interp), "not allocated") != NULL);
  CHECK(EmberTensorCopyFromBuffer(in, x, sizeof(x)) ==
        EMBER_STATUS_FAILED_PRECONDITION);

  CHECK_OK(EmberInterpreterAllocateTensors(interp));
  CHECK(EmberTensorByteSize(in) == sizeof(x));
  CHECK(EmberTensorCopyFromBuffer(in, x, 3) == EMBER_STATUS_INVALID_ARGUMENT);
  CHECK_OK(EmberTensorCopyFromBuffer(in, x, sizeof(x)));
  CHECK_OK(EmberInterpreterInvoke(interp));
  CHECK_OK(EmberTensorCopyToBuffer(out, y, sizeof(y)));
  CHECK(y[0] == 11 && y[1] == 22 && y[2] == 33 && y[3] == 44);

  /* A constant tensor is readable but not writable. */
  CHECK(EmberInterpreterGetTensorByName(interp, "missing") == NULL);
  CHECK(strstr(EmberInterpreterGetLastError(interp), "missing") != NULL);
  {
    EmberTensor* bias = EmberInterpreterGetTensorByName(interp, "bias");
    CHECK(bias != NULL && EmberTensorIsConstant(bias));
    CHECK(EmberTensorMutableData(bias) == NULL);
    CHECK(EmberTensorData(bias) != NULL);
    CHECK(EmberTensorCopyFromBuffer(bias, x, sizeof(x)) ==
          EMBER_STATUS_INVALID_ARGUMENT);
  }

  /* Resize the batch, reallocate, run again. */
  CHECK_OK(EmberInterpreterResizeInputTensor(interp, 0, new_dims, 2));
  CHECK(EmberInterpreterInvoke(interp) == EMBER_STATUS_FAILED_PRECONDITION);
  CHECK_OK(EmberInterpreterAllocateTensors(interp));
  in = EmberInterpreterGetInputTensor(interp, 0);
  out = EmberInterpreterGetOutputTensor(interp, 0);
  CHECK(EmberTensorDim(out, 0) == 2 && EmberTensorDim(out, 1) == 4);
  CHECK_OK(EmberTensorCopyFromBuffer(in, x2, sizeof(x2)));
  CHECK_OK(EmberInterpreterInvoke(interp));
  CHECK_OK(EmberTensorCopyToBuffer(out, y2, sizeof(y2)));
  CHECK(y2[0] == 2 && y2[3] == 5 && y2[4] == 3 && y2[7] == 6);

  /* Signatures. */
  CHECK(EmberInterpreterGetSignatureCount(interp) == 1);
  CHECK(strcmp(EmberInterpreterGetSignatureKey(interp, 0), "serving_default") ==
        0);
  CHECK(EmberSignatureRunnerCreate(interp, "nope", &runner) ==
        EMBER_STATUS_NOT_FOUND);
  CHECK(runner == NULL);
  CHECK(strstr(EmberInterpreterGetLastError(interp), "serving_default") !=
        NULL);
  CHECK_OK(EmberSignatureRunnerCreate(interp, "serving_default", &runner));
  EmberInterpreterDestroy(interp); /* the runner keeps the state alive */
  if (runner != NULL) {
    EmberTensor* sin;
    const EmberTensor* sout;
    int32_t one[2] = {1, 4};
    CHECK(strcmp(EmberSignatureRunnerGetInputName(runner, 0), "x") == 0);
    CHECK(strcmp(EmberSignatureRunnerGetOutputName(runner, 0), "y") == 0);
    CHECK(EmberSignatureRunnerGetInputName(runner, 1) == NULL);
    CHECK(EmberSignatureRunnerGetInputTensor(runner, "y") == NULL);
    CHECK(strstr(EmberSignatureRunnerGetLastError(runner), "'y'") != NULL);
    CHECK_OK(EmberSignatureRunnerResizeInputTensor(runner, "x", one, 2));
    CHECK_OK(EmberSignatureRunnerAllocateTensors(runner));
    sin = EmberSignatureRunnerGetInputTensor(runner, "x");
    sout = EmberSignatureRunnerGetOutputTensor(runner, "y");
    CHECK_OK(EmberTensorCopyFromBuffer(sin, x, sizeof(x)));
    CHECK_OK(EmberSignatureRunnerInvoke(runner));
    CHECK_OK(EmberTensorCopyToBuffer(sout, y, sizeof(y)));
    CHECK(y[0] == 11 && y[3] == 44);
    EmberSignatureRunnerDestroy(runner);
  }
}

static void TestCustomOp(const char* path) {
  char error[256];
  EmberModel* model = NULL;
  EmberOpResolver* resolver = NULL;
  EmberInterpreter* interp = NULL;
  EmberCustomOp op;
  TimesTwoStats stats;
  const float x[6] = {1, 2, 3, 4, 5, 6};
  float y[6];

  memset(&stats, 0, sizeof(stats));
  CHECK_OK(EmberModelCreateFromFile(path, &model, error, sizeof(error)));
  if (model == NULL) {
    fprintf(stderr, "cannot load %s: %s\n", path, error);
    ++failures;
    return;
  }
  /* Without the op: UNSUPPORTED, naming it. */
  CHECK(EmberInterpreterCreate(model, NULL, NULL, &interp, error,
                               sizeof(error)) == EMBER_STATUS_UNSUPPORTED);
  CHECK(strstr(error, "TimesTwo") != NULL);

  CHECK_OK(EmberOpResolverCreate(&resolver, NULL, 0));
  memset(&op, 0, sizeof(op));
  op.struct_size = sizeof(op);
  op.prepare = TimesTwoPrepare;
  CHECK(EmberOpResolverAddCustomOp(resolver, "TimesTwo", &op) ==
        EMBER_STATUS_INVALID_ARGUMENT); /* eval missing */
  CHECK(strstr(EmberOpResolverGetLastError(resolver), "eval") != NULL);
  op.eval = TimesTwoEval;
  op.user_data = &stats;
  op.destroy = TimesTwoDestroy;
  op.op_data_size = sizeof(TimesTwoState);
  CHECK_OK(EmberOpResolverAddCustomOp(resolver, "TimesTwo", &op));
  CHECK_OK(EmberInterpreterCreate(model, NULL, resolver, &interp, error,
                                  sizeof(error)));
  EmberOpResolverDestroy(resolver);
  EmberModelDestroy(model);
  CHECK(stats.destroyed == 0); /* the interpreter still uses the op */
  if (interp == NULL) {
    ++failures;
    return;
  }
  CHECK_OK(EmberInterpreterAllocateTensors(interp));
  CHECK(stats.prepares == 1);
  CHECK(stats.options_size == 2);
  CHECK_OK(EmberTensorCopyFromBuffer(EmberInterpreterGetInputTensor(interp, 0),
                                     x, sizeof(x)));
  CHECK_OK(EmberInterpreterInvoke(interp));
  CHECK(stats.evals == 1);
  CHECK_OK(EmberTensorCopyToBuffer(EmberInterpreterGetOutputTensor(interp, 0),
                                   y, sizeof(y)));
  CHECK(y[0] == 3 && y[1] == 6 && y[2] == 9 && y[3] == 9 && y[5] == 15);
  EmberInterpreterDestroy(interp);
  CHECK(stats.destroyed == 1);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s add_model.tflite capi_c_custom_model.tflite\n",
            argv[0]);
    return 2;
  }
  TestVersionAndNames();
  TestNullHandles();
  TestAddModel(argv[1]);
  TestCustomOp(argv[2]);
  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_c_test: all checks passed\n");
  return 0;
}
