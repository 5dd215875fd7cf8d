/* The C ABI between Ember and its SentencePiece module
 * (libember_sentencepiece.so, sentencepiece_module.cc). The module links
 * Debian's libsentencepiece, which carries its own copy of protobuf-lite;
 * Ember loads it with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) only when a
 * SentencePiece model is used, so that copy never meets the libprotobuf the
 * ONNX frontend links. Plain C types only, so that no C++ object crosses.
 */
#ifndef EMBER_PROCESSING_SENTENCEPIECE_ABI_H_
#define EMBER_PROCESSING_SENTENCEPIECE_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature below changes. */
#define EMBER_SPM_ABI_VERSION 2

typedef struct EmberSpm EmberSpm;

/* Called once per piece, in order. */
typedef void (*EmberSpmEmit)(void* context, int32_t id, const char* piece,
                             size_t piece_size);

/* Which special piece ember_spm_special_id returns. */
enum {
  EMBER_SPM_UNK = 0,
  EMBER_SPM_BOS = 1,
  EMBER_SPM_EOS = 2,
  EMBER_SPM_PAD = 3
};

typedef int (*EmberSpmAbiVersionFn)(void);
/* A model from its serialized ModelProto bytes, or NULL with `error`
 * (NUL-terminated, at most error_size bytes) saying why. */
typedef EmberSpm* (*EmberSpmLoadFn)(const void* bytes, size_t size, char* error,
                                    size_t error_size);
/* 0 with every piece of `text` emitted; non-zero with `error`. With
 * `with_pieces` 0 only the ids are worked out (`piece` is then NULL): one
 * pass instead of two. */
typedef int (*EmberSpmEncodeFn)(const EmberSpm* spm, const char* text,
                                size_t size, int with_pieces, EmberSpmEmit emit,
                                void* context, char* error, size_t error_size);
/* The id of `piece`, or -1 when the vocabulary does not have it. */
typedef int32_t (*EmberSpmPieceIdFn)(const EmberSpm* spm, const char* piece,
                                     size_t size);
/* The id of a special piece (EMBER_SPM_*), or -1 when the model has none. */
typedef int32_t (*EmberSpmSpecialIdFn)(const EmberSpm* spm, int which);
typedef int32_t (*EmberSpmVocabSizeFn)(const EmberSpm* spm);
typedef void (*EmberSpmFreeFn)(EmberSpm* spm);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_PROCESSING_SENTENCEPIECE_ABI_H_ */
