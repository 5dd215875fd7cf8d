#include "processing/audio.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "processing/image.h"  // ReadFileBytes

namespace ember::processing {
namespace {

uint32_t Le32(const uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t Le16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr uint32_t kMinSampleRate = 1000;
constexpr uint32_t kMaxSampleRate = 1000000;

}  // namespace

bool DecodeWav(std::span<const uint8_t> bytes, AudioClip* out,
               std::string* error) {
  const uint8_t* b = bytes.data();
  const size_t n = bytes.size();
  if (n < 12 || std::memcmp(b, "RIFF", 4) != 0 ||
      std::memcmp(b + 8, "WAVE", 4) != 0) {
    *error = "not a WAV file (no RIFF/WAVE header)";
    return false;
  }
  uint16_t format = 0, channels = 0, bits = 0;
  uint32_t rate = 0;
  const uint8_t* data = nullptr;
  size_t data_size = 0;
  size_t pos = 12;
  while (pos + 8 <= n) {
    const uint32_t size = Le32(b + pos + 4);
    const size_t body = pos + 8;
    const size_t available = n - body;
    if (std::memcmp(b + pos, "fmt ", 4) == 0) {
      if (size < 16 || size > available) {
        *error = "damaged WAV: short 'fmt ' chunk";
        return false;
      }
      format = Le16(b + body);
      channels = Le16(b + body + 2);
      rate = Le32(b + body + 4);
      bits = Le16(b + body + 14);
      if (format == kFormatExtensible && size >= 40)
        format = Le16(b + body + 24);  // the sub-format GUID's first bytes
    } else if (std::memcmp(b + pos, "data", 4) == 0) {
      data = b + body;
      data_size = std::min<size_t>(size, available);  // tolerate truncation
      break;
    }
    if (size > available) break;
    pos = body + size + (size & 1);  // chunks are padded to even sizes
  }
  if (format == 0) {
    *error = "damaged WAV: no 'fmt ' chunk";
    return false;
  }
  if (!data) {
    *error = "damaged WAV: no 'data' chunk";
    return false;
  }
  const bool pcm = format == kFormatPcm &&
                   (bits == 8 || bits == 16 || bits == 24 || bits == 32);
  const bool flt = format == kFormatFloat && bits == 32;
  if (!pcm && !flt) {
    *error = "unsupported WAV encoding (format " + std::to_string(format) +
             ", " + std::to_string(bits) +
             " bits); PCM 8/16/24/32-bit and 32-bit float are read";
    return false;
  }
  // Below 1 kHz is no recording of sound but a hostile header: resampling
  // such a clip to a model's 16 kHz would multiply its size by thousands.
  if (channels == 0 || rate < kMinSampleRate || rate > kMaxSampleRate) {
    *error = "damaged WAV: " + std::to_string(channels) + " channels at " +
             std::to_string(rate) + " Hz";
    return false;
  }
  const size_t bytes_per_sample = bits / 8;
  const size_t frame = bytes_per_sample * channels;
  const size_t frames = data_size / frame;
  out->sample_rate = static_cast<int>(rate);
  out->samples.assign(frames, 0.0f);
  for (size_t i = 0; i < frames; ++i) {
    float sum = 0;
    for (size_t c = 0; c < channels; ++c) {
      const uint8_t* s = data + i * frame + c * bytes_per_sample;
      float v = 0;
      if (flt) {
        std::memcpy(&v, s, 4);
      } else if (bits == 8) {
        v = (s[0] - 128) / 128.0f;
      } else if (bits == 16) {
        v = static_cast<int16_t>(Le16(s)) / 32768.0f;
      } else if (bits == 24) {
        const int32_t x =
            static_cast<int32_t>((s[0] << 8) | (s[1] << 16) |
                                 (static_cast<uint32_t>(s[2]) << 24)) >>
            8;
        v = x / 8388608.0f;
      } else {
        v = static_cast<float>(static_cast<int32_t>(Le32(s)) / 2147483648.0);
      }
      sum += v;
    }
    out->samples[i] = sum / channels;
  }
  return true;
}

bool ReadWavFile(const std::string& path, AudioClip* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!ReadFileBytes(path, &bytes, error)) return false;
  if (!DecodeWav(bytes, out, error)) {
    *error = "audio '" + path + "': " + *error;
    return false;
  }
  return true;
}

AudioClip Resample(const AudioClip& clip, int rate) {
  if (rate == clip.sample_rate || clip.samples.empty()) return clip;
  AudioClip out;
  out.sample_rate = rate;
  const double step = static_cast<double>(clip.sample_rate) / rate;
  const size_t n = static_cast<size_t>(clip.samples.size() / step);
  out.samples.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const double at = i * step;
    const size_t i0 =
        std::min(static_cast<size_t>(at), clip.samples.size() - 1);
    const size_t i1 = std::min(i0 + 1, clip.samples.size() - 1);
    const float w = static_cast<float>(at - i0);
    out.samples[i] =
        clip.samples[i0] + (clip.samples[i1] - clip.samples[i0]) * w;
  }
  return out;
}

std::vector<int16_t> ToInt16(std::span<const float> samples) {
  std::vector<int16_t> out(samples.size());
  for (size_t i = 0; i < samples.size(); ++i)
    out[i] = static_cast<int16_t>(
        std::clamp(std::lround(samples[i] * 32768.0f), -32768L, 32767L));
  return out;
}

}  // namespace ember::processing
