// libFuzzer target: arbitrary bytes -> the task library's decoders, the
// files a user hands to `ember task` and ember.tasks: images (JPEG with its
// EXIF orientation, PNG, BMP) and WAV audio. Any crash, hang, sanitizer
// report or runaway allocation is a bug; refusals are the expected outcome.
// A decoded image or clip must be consistent with its own header.
//
// Build and run: tests/fuzz/run_parser_fuzz.sh (seeds: ember_media_seeds).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "processing/audio.h"
#include "processing/image.h"
#include "processing/transform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ember::processing;
  const std::span<const uint8_t> bytes(data, size);
  std::string error;
  Image image;
  if (DecodeImage(bytes, &image, &error)) {
    if (image.pixels.size() !=
        static_cast<size_t>(image.width) * image.height * image.channels) {
      abort();  // the pixels do not fill the reported size
    }
    // What every image task does next: resize to a model's input.
    (void)ResizeBilinear(image, 7, 5);
  } else if (error.empty()) {
    abort();  // a refusal must say why
  }
  AudioClip clip;
  error.clear();
  if (DecodeWav(bytes, &clip, &error)) {
    (void)Resample(clip, 16000);  // what the keyword spotter does
  } else if (error.empty()) {
    abort();
  }
  return 0;
}
