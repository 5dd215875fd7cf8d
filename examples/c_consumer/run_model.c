/* Loads a .tflite model, fills every input with zeros, invokes, and prints
 * each output's name, type and shape (and the first values of float32
 * outputs). Uses only the C ABI (ember/ember.h).
 *
 *   ember_c_example model.tflite
 */
#include <stdio.h>
#include <stdlib.h>

#include "ember/ember.h"

static void print_shape(const EmberTensor* t) {
  int32_t i;
  printf("[");
  for (i = 0; i < EmberTensorNumDims(t); ++i)
    printf("%s%d", i ? ", " : "", (int)EmberTensorDim(t, i));
  printf("]");
}

int main(int argc, char** argv) {
  char error[512];
  EmberModel* model = NULL;
  EmberInterpreter* interp = NULL;
  EmberStatus status;
  int32_t i;
  int rc = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: %s model.tflite\n", argv[0]);
    return 2;
  }
  printf("ember %s\n", EmberVersion());
  if (EmberVersionNumber() != EMBER_VERSION_NUMBER) {
    fprintf(stderr, "header/library version mismatch\n");
    return 1;
  }

  status = EmberModelCreateFromFile(argv[1], &model, error, sizeof(error));
  if (status != EMBER_STATUS_OK) {
    fprintf(stderr, "load failed (%s): %s\n", EmberStatusName(status), error);
    return 1;
  }
  status =
      EmberInterpreterCreate(model, NULL, NULL, &interp, error, sizeof(error));
  EmberModelDestroy(model); /* the interpreter keeps its own reference */
  if (status != EMBER_STATUS_OK) {
    fprintf(stderr, "interpreter failed (%s): %s\n", EmberStatusName(status),
            error);
    return 1;
  }
  if (EmberInterpreterAllocateTensors(interp) != EMBER_STATUS_OK) {
    fprintf(stderr, "allocate failed: %s\n",
            EmberInterpreterGetLastError(interp));
    goto done;
  }
  for (i = 0; i < EmberInterpreterGetInputCount(interp); ++i) {
    EmberTensor* in = EmberInterpreterGetInputTensor(interp, i);
    const size_t bytes = EmberTensorByteSize(in);
    void* zeros = calloc(bytes ? bytes : 1, 1);
    if (zeros == NULL) goto done;
    status = EmberTensorCopyFromBuffer(in, zeros, bytes);
    free(zeros);
    if (status != EMBER_STATUS_OK) {
      fprintf(stderr, "cannot fill input %d: %s\n", (int)i,
              EmberStatusName(status));
      goto done;
    }
    printf("input %d '%s' %s ", (int)i, EmberTensorName(in),
           EmberTypeName(EmberTensorType(in)));
    print_shape(in);
    printf("\n");
  }
  if (EmberInterpreterInvoke(interp) != EMBER_STATUS_OK) {
    fprintf(stderr, "invoke failed: %s\n",
            EmberInterpreterGetLastError(interp));
    goto done;
  }
  for (i = 0; i < EmberInterpreterGetOutputCount(interp); ++i) {
    const EmberTensor* out = EmberInterpreterGetOutputTensor(interp, i);
    printf("output %d '%s' %s ", (int)i, EmberTensorName(out),
           EmberTypeName(EmberTensorType(out)));
    print_shape(out);
    if (EmberTensorType(out) == EMBER_TYPE_FLOAT32) {
      const float* values = (const float*)EmberTensorData(out);
      int64_t k, n = EmberTensorNumElements(out);
      printf(":");
      for (k = 0; k < n && k < 8; ++k) printf(" %g", values[k]);
      if (n > 8) printf(" ...");
    }
    printf("\n");
  }
  rc = 0;
done:
  EmberInterpreterDestroy(interp);
  return rc;
}
