// Audio clips: WAV reading (PCM 8/16/24/32-bit and 32-bit float, any
// channel count, mixed down to mono) and resampling.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ember::processing {

struct AudioClip {
  int sample_rate = 0;
  std::vector<float> samples;  // mono, in [-1, 1)
};

// False (with `error` naming what is wrong) for anything but a RIFF/WAVE
// file with a PCM or IEEE-float "fmt " chunk and a "data" chunk.
bool DecodeWav(std::span<const uint8_t> bytes, AudioClip* out,
               std::string* error);
bool ReadWavFile(const std::string& path, AudioClip* out, std::string* error);

// Linear-interpolation resampling to `rate` (the same clip when equal).
AudioClip Resample(const AudioClip& clip, int rate);

// Samples as 16-bit PCM (x * 32768, rounded and clamped): exact for clips
// read from 16-bit files.
std::vector<int16_t> ToInt16(std::span<const float> samples);

}  // namespace ember::processing
