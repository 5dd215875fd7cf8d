#!/usr/bin/env python3
"""Keyword-spotting data set synthesized with espeak-ng (bench tooling only).

Ten keywords plus "unknown" (other words) and "silence" (noise only), spoken
by many espeak-ng voices: every English accent voice combined with many
voice variants (m1..m8, f1..f5, klatt*, ...), each at several random speeds
and pitches. Train / val / test are split by variant, so the test set is
spoken only by variants (timbres) the model never heard.

Every clip is 1 s at 16 kHz with the word at a random time offset, a random
gain and additive white / pink / brown noise at a random SNR. Features are
log-mel spectrograms (40 mel bins, 30 ms Hann window, 20 ms hop: 49 x 40),
standardized with the training set's mean and standard deviation.

Everything is deterministic for a given --seed (espeak-ng itself is
deterministic). The result is cached as bench/kws/cache/dataset.npz and
reused while the configuration below is unchanged.

  make_dataset.py [--cache DIR] [--seed N] [--jobs N] [--force]
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from multiprocessing import Pool

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
LABELS = ["silence", "unknown"] + KEYWORDS
UNKNOWN_WORDS = [
    "cat", "dog", "bird", "bed", "house", "tree", "wow", "happy", "marvin",
    "sheila", "zero", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "learn", "follow", "forward", "backward", "visual",
    "yellow", "open", "dad", "top", "note", "lift", "bright", "fog", "ups",
]
# espeak-ng English voices (all ship with Debian's espeak-ng-data).
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
# Variants (timbre / synthesizer): the split is by variant so the test
# speakers are unseen. Val and test each get a mix of male, female, klatt
# and named variants.
SPLIT_VARIANTS = {
    "train": ["m1", "m2", "m4", "m5", "m7", "m8", "f1", "f3", "f5", "klatt",
              "klatt2", "klatt4", "croak", "grandma", "iven", "john", "max",
              "steph"],
    "val": ["m6", "f4", "klatt6", "paul"],
    "test": ["m3", "f2", "klatt3", "linda"],
}
CALLS_PER_VOICE = 3           # random (speed, pitch) settings per voice
UNKNOWN_PER_CALL = 3          # unknown words spoken in each call
AUG_COPIES = {"train": 1, "val": 1, "test": 1}  # noisy clips per utterance
SPEED_RANGE = (130, 210)      # espeak-ng -s, words per minute
PITCH_RANGE = (25, 75)        # espeak-ng -p, 0..99
SNR_DB_RANGE = (5.0, 30.0)
PEAK_RANGE = (0.05, 0.9)

SAMPLE_RATE = 16000
CLIP_SAMPLES = SAMPLE_RATE
WINDOW = 480                  # 30 ms
HOP = 320                     # 20 ms
FFT = 512
MEL_BINS = 40
MEL_RANGE_HZ = (20.0, 7600.0)
FRAMES = 1 + (CLIP_SAMPLES - WINDOW) // HOP  # 49

BREAK = '<break time="600ms"/>'
CONFIG_VERSION = 1


def config_key(seed):
    """Hash of everything that changes the data: a changed constant rebuilds
    the cache instead of silently reusing stale clips."""
    cfg = dict(v=CONFIG_VERSION, seed=seed, kw=KEYWORDS, unk=UNKNOWN_WORDS,
               acc=ACCENTS, split=SPLIT_VARIANTS, calls=CALLS_PER_VOICE,
               upc=UNKNOWN_PER_CALL, aug=AUG_COPIES, sp=SPEED_RANGE,
               pi=PITCH_RANGE, snr=SNR_DB_RANGE, peak=PEAK_RANGE,
               feat=[SAMPLE_RATE, WINDOW, HOP, FFT, MEL_BINS, MEL_RANGE_HZ])
    return hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- audio ----

def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise RuntimeError(f"{path}: expected 16-bit mono, got "
                               f"{8 * w.getsampwidth()}-bit x{w.getnchannels()}")
        rate = w.getframerate()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float32) / 32768.0, rate


def resample(x, rate_in, rate_out=SAMPLE_RATE):
    """Band-limited resampling by truncating / zero-padding the spectrum
    (espeak-ng writes 22050 Hz; its content is far below 8 kHz). The input
    is zero-padded to a multiple of (rate_in / gcd) * 2^k so both FFT
    lengths are smooth numbers: an arbitrary length can hold a large prime
    factor and make the FFT many times slower."""
    if rate_in == rate_out or len(x) == 0:
        return x
    step_in = rate_in // np.gcd(rate_in, rate_out) * 64
    n_pad = -(-len(x) // step_in) * step_in
    n_out_pad = n_pad * rate_out // rate_in
    spec = np.fft.rfft(x, n_pad)
    keep = n_out_pad // 2 + 1
    out_spec = np.zeros(keep, dtype=np.complex128)
    m = min(keep, len(spec))
    out_spec[:m] = spec[:m]
    y = np.fft.irfft(out_spec, n_out_pad) * (n_out_pad / n_pad)
    return y[:int(round(len(x) * rate_out / rate_in))].astype(np.float32)


def word_segments(x, expected):
    """Splits one espeak-ng utterance with long breaks into words: runs of
    active 10 ms frames, gaps shorter than 250 ms merged (stop closures
    inside a word are ~100 ms; the breaks are 600 ms). None when the count
    is not the expected one (the caller then synthesizes word by word)."""
    frame = SAMPLE_RATE // 100
    n = len(x) // frame
    if n == 0:
        return None
    rms = np.sqrt(np.mean(x[:n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    active = db > max(db.max() - 50.0, -75.0)
    runs, start = [], None
    for i, a in enumerate(active):
        if a and start is None:
            start = i
        elif not a and start is not None:
            runs.append([start, i])
            start = None
    if start is not None:
        runs.append([start, n])
    merged = []
    for r in runs:
        if merged and r[0] - merged[-1][1] < 25:
            merged[-1][1] = r[1]
        else:
            merged.append(r)
    merged = [r for r in merged if r[1] - r[0] >= 4]  # drop clicks < 40 ms
    if len(merged) != expected:
        return None
    pad = 3 * frame
    return [x[max(0, a * frame - pad):min(len(x), b * frame + pad)] for a, b in merged]


def espeak(voice, speed, pitch, text, path, ssml):
    cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path]
    if ssml:
        cmd.append("-m")
    r = subprocess.run(cmd + [text], capture_output=True, text=True)
    if r.returncode != 0 or not os.path.exists(path):
        raise RuntimeError(f"espeak-ng {' '.join(cmd[1:])} failed: {r.stderr.strip()}")
    x, rate = read_wav(path)
    return resample(x, rate)


def synth_job(job):
    """One espeak-ng call speaking every word of the job with long breaks;
    falls back to one call per word when the split is ambiguous."""
    voice, speed, pitch, words = job["voice"], job["speed"], job["pitch"], job["words"]
    with tempfile.TemporaryDirectory(prefix="kws_") as tmp:
        path = os.path.join(tmp, "w.wav")
        text = "<speak>" + BREAK.join(words) + "</speak>"
        segs = word_segments(espeak(voice, speed, pitch, text, path, True), len(words))
        fallback = segs is None
        if fallback:
            segs = []
            for w in words:
                one = word_segments(espeak(voice, speed, pitch, w, path, False), 1)
                segs.append(one[0] if one else None)
    return segs, fallback


# ------------------------------------------------------------- features ----

def mel_filterbank():
    def hz_to_mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def mel_to_hz(m):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    lo, hi = hz_to_mel(MEL_RANGE_HZ[0]), hz_to_mel(MEL_RANGE_HZ[1])
    edges_hz = mel_to_hz(np.linspace(lo, hi, MEL_BINS + 2))
    bin_hz = np.arange(FFT // 2 + 1) * SAMPLE_RATE / FFT
    bank = np.zeros((FFT // 2 + 1, MEL_BINS), dtype=np.float64)
    for m in range(MEL_BINS):
        left, center, right = edges_hz[m], edges_hz[m + 1], edges_hz[m + 2]
        up = (bin_hz - left) / (center - left)
        down = (right - bin_hz) / (right - center)
        bank[:, m] = np.maximum(0.0, np.minimum(up, down))
    return bank


def log_mel(clips, batch=256):
    """(N, 16000) float -> (N, 49, 40) float32 log-mel energies."""
    window = np.hanning(WINDOW + 2)[1:-1]  # periodic-ish Hann without zero ends
    bank = mel_filterbank()
    idx = np.arange(FRAMES)[:, None] * HOP + np.arange(WINDOW)[None, :]
    out = np.empty((len(clips), FRAMES, MEL_BINS), dtype=np.float32)
    for s in range(0, len(clips), batch):
        frames = clips[s:s + batch][:, idx] * window
        power = np.abs(np.fft.rfft(frames, FFT, axis=-1)) ** 2
        out[s:s + batch] = np.log(power @ bank + 1e-6)
    return out


# ------------------------------------------------------------- mixing ------

def colored_noise(rng, n, kind):
    white = rng.standard_normal(n)
    if kind == "white":
        return white
    spec = np.fft.rfft(white)
    f = np.maximum(np.arange(len(spec)), 1.0)
    spec /= np.sqrt(f) if kind == "pink" else f  # 1/f or 1/f^2 power
    x = np.fft.irfft(spec, n)
    return x / (np.std(x) + 1e-12)


def place_word(word, rng):
    """Random gain, random offset in a 1 s clip, additive noise."""
    word = word[:CLIP_SAMPLES]
    word = word / (np.abs(word).max() + 1e-9) * rng.uniform(*PEAK_RANGE)
    clip = np.zeros(CLIP_SAMPLES, dtype=np.float64)
    off = rng.randint(0, CLIP_SAMPLES - len(word) + 1)
    clip[off:off + len(word)] = word
    signal_rms = np.sqrt(np.mean(word ** 2))
    snr = rng.uniform(*SNR_DB_RANGE)
    noise = colored_noise(rng, CLIP_SAMPLES, rng.choice(["white", "pink", "brown"]))
    clip += noise * signal_rms / (10 ** (snr / 20))
    return clip


def silence_clip(rng):
    level = 10 ** rng.uniform(-4.0, -1.3)  # RMS 1e-4 .. 0.05
    return colored_noise(rng, CLIP_SAMPLES, rng.choice(["white", "pink", "brown"])) * level


# ---------------------------------------------------------------- main -----

def make_jobs(seed):
    seen = [v for vs in SPLIT_VARIANTS.values() for v in vs]
    if len(seen) != len(set(seen)):
        sys.exit("make_dataset: a voice variant is in two splits (test voices must be unseen)")
    rng = np.random.RandomState(seed)
    jobs = []
    for split, variants in SPLIT_VARIANTS.items():
        for variant in variants:
            for accent in ACCENTS:
                for _ in range(CALLS_PER_VOICE):
                    unknown = list(rng.choice(UNKNOWN_WORDS, UNKNOWN_PER_CALL, replace=False))
                    words = KEYWORDS + unknown
                    order = rng.permutation(len(words))  # no fixed word position
                    jobs.append(dict(split=split, voice=f"{accent}+{variant}",
                                     speed=int(rng.randint(*SPEED_RANGE)),
                                     pitch=int(rng.randint(*PITCH_RANGE)),
                                     words=[words[i] for i in order]))
    return jobs


def build(seed, jobs_n):
    if shutil.which("espeak-ng") is None:
        sys.exit("make_dataset: espeak-ng not found (apt-get install espeak-ng; "
                 "scripts/setup.sh installs it)")
    jobs = make_jobs(seed)
    t0 = time.time()
    with Pool(jobs_n) as pool:
        results = pool.map(synth_job, jobs, chunksize=8)
    fallbacks = sum(f for _, f in results)
    print(f"make_dataset: {len(jobs)} espeak-ng utterances in {time.time() - t0:.1f} s "
          f"({fallbacks} split word by word)")

    rng = np.random.RandomState(seed + 1)
    clips = {s: [] for s in SPLIT_VARIANTS}
    labels = {s: [] for s in SPLIT_VARIANTS}
    voices = {s: [] for s in SPLIT_VARIANTS}
    dropped = 0
    for job, (segs, _) in zip(jobs, results):
        split = job["split"]
        for word, seg in zip(job["words"], segs):
            if seg is None or len(seg) == 0:
                dropped += 1
                continue
            label = LABELS.index(word) if word in KEYWORDS else LABELS.index("unknown")
            for _ in range(AUG_COPIES[split]):
                clips[split].append(place_word(seg, rng))
                labels[split].append(label)
                voices[split].append(job["voice"])
    # As many silence clips as a keyword has clips in that split.
    for split in SPLIT_VARIANTS:
        n_sil = sum(1 for l in labels[split] if l == LABELS.index(KEYWORDS[0]))
        for _ in range(n_sil):
            clips[split].append(silence_clip(rng))
            labels[split].append(LABELS.index("silence"))
            voices[split].append("noise")
    if dropped:
        print(f"make_dataset: {dropped} words dropped (no audio)")

    feats = {s: log_mel(np.asarray(clips[s], dtype=np.float32)) for s in SPLIT_VARIANTS}
    mean, std = float(feats["train"].mean()), float(feats["train"].std())
    out = dict(labels=np.array(LABELS), mean=np.float32(mean), std=np.float32(std))
    for s in SPLIT_VARIANTS:
        out[f"x_{s}"] = ((feats[s] - mean) / std).astype(np.float32)[..., None]
        out[f"y_{s}"] = np.asarray(labels[s], dtype=np.int32)
        out[f"voice_{s}"] = np.asarray(voices[s])
    print(f"make_dataset: built in {time.time() - t0:.1f} s: " + ", ".join(
        f"{s} {len(labels[s])} clips ({len(SPLIT_VARIANTS[s]) * len(ACCENTS)} voices)"
        for s in SPLIT_VARIANTS))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default=os.path.join(HERE, "cache"))
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = ap.parse_args()

    os.makedirs(args.cache, exist_ok=True)
    path = os.path.join(args.cache, "dataset.npz")
    key = config_key(args.seed)
    if not args.force and os.path.exists(path):
        with np.load(path) as d:
            if "key" in d and str(d["key"]) == key:
                print(f"make_dataset: cached {path}")
                return
    data = build(args.seed, args.jobs)
    data["key"] = np.array(key)
    tmp = path + ".tmp.npz"  # never leave a half-written cache behind
    np.savez(tmp, **data)  # uncompressed: compressing 60 MB costs more than it saves
    os.replace(tmp, path)
    print(f"make_dataset: wrote {path}")


if __name__ == "__main__":
    main()
