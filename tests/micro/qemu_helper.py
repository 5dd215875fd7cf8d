#!/usr/bin/env python3
"""Helpers of tests/micro/run_qemu.sh (numpy only, plus tflite-micro for
the TFLM oracle).

  bmp2npy IN.bmp OUT.npy
      96x96 8-bit palettized BMP (TFLM's person_detection test images) to
      the int8 [1, 96, 96, 1] input of person_detect: gray - 128, rows top
      down.
  random-inputs MODEL SEED DIR
      Seeded random values for every input of MODEL (full range for
      integers, [-1, 1] for floats), written as DIR/input_K.npy.
  compare --log LOG --host-json RUN.json [--model M --inputs A.npy ...]
      The firmware's output lines (LOG: "<name> v0 v1 ...", integers in
      decimal, float32 as bit patterns) must equal, bit for bit, the .npy
      files `ember run -o DIR --json` wrote (listed in RUN.json, in output
      order); with --model, also TFLM's own interpreter (tflite_micro) on
      the same inputs.
"""
import argparse
import glob
import os
import struct
import sys

import numpy as np


def bmp2npy(src, dst):
    data = open(src, "rb").read()
    if data[:2] != b"BM":
        sys.exit(f"{src}: not a BMP file")
    offset, = struct.unpack_from("<I", data, 10)
    width, height, _, bpp = struct.unpack_from("<iiHH", data, 18)
    if bpp != 8 or abs(width) != 96 or abs(height) != 96:
        sys.exit(f"{src}: expected a 96x96 8-bit BMP, got {width}x{height}x{bpp}")
    palette = np.frombuffer(data, np.uint8, 256 * 4, 54).reshape(256, 4)
    row = (width + 3) // 4 * 4
    pixels = np.frombuffer(data, np.uint8, row * abs(height), offset)
    pixels = pixels.reshape(abs(height), row)[:, :width]
    if height > 0:  # bottom-up
        pixels = pixels[::-1]
    gray = palette[pixels, 2].astype(np.int16)  # R of BGRA; gray palette
    out = (gray - 128).astype(np.int8).reshape(1, 96, 96, 1)
    np.save(dst, out)


def format_values(array):
    flat = np.ascontiguousarray(array).ravel()
    if flat.dtype == np.float32:
        return [f"0x{v:08x}" for v in flat.view(np.uint32)]
    return [str(int(v)) for v in flat]


def device_lines(log):
    lines = []
    for line in open(log, errors="replace"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("error") or line.startswith("ember micro:"):
            sys.exit(f"{log}: the firmware failed: {line}")
        lines.append(line.split(" "))
    return lines


def tflm_outputs(model, inputs):
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_file(model)
    for i, path in enumerate(inputs):
        interp.set_input(np.load(path), i)
    interp.invoke()
    outputs = []
    i = 0
    while True:
        try:
            outputs.append(interp.get_output(i))
        except Exception:  # past the last output
            break
        i += 1
    return outputs


def random_inputs(model, seed, out_dir):
    from tflite_micro.python.tflite_micro import runtime
    interp = runtime.Interpreter.from_file(model)
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    for k, d in enumerate(interp.get_input_details(i)
                          for i in range(_count_inputs(interp))):
        dtype = np.dtype(d["dtype"])
        shape = tuple(int(v) for v in d["shape"])
        if dtype.kind == "f":
            value = rng.uniform(-1, 1, shape).astype(dtype)
        else:
            info = np.iinfo(dtype)
            value = rng.integers(info.min, info.max, shape, endpoint=True,
                                 dtype=dtype)
        np.save(os.path.join(out_dir, f"input_{k}.npy"), value)


def _count_inputs(interp):
    n = 0
    while True:
        try:
            interp.get_input_details(n)
        except Exception:
            return n
        n += 1


def compare(args):
    import json
    got = device_lines(args.log)
    run = json.load(open(args.host_json))
    host_files = [o["file"] for o in run["outputs"]]
    names = [os.path.splitext(os.path.basename(p))[0] for p in host_files]
    if len(got) != len(host_files):
        sys.exit(f"{args.log}: {len(got)} output lines, host has "
                 f"{len(host_files)}")
    failures = 0
    for line, path, name in zip(got, host_files, names):
        want = format_values(np.load(path))
        if line[0] != name or line[1:] != want:
            print(f"MISMATCH {name}: device {' '.join(line[:12])} ... "
                  f"host {' '.join(want[:11])}")
            failures += 1
        else:
            print(f"ok {name}: {len(want)} values bit-identical to ember run")
    if args.model:
        for k, (line, out) in enumerate(
                zip(got, tflm_outputs(args.model, args.inputs))):
            want = format_values(out)
            if line[1:] != want:
                print(f"MISMATCH {line[0]}: device {' '.join(line[1:12])} "
                      f"TFLM {' '.join(want[:11])}")
                failures += 1
            else:
                print(f"ok {line[0]}: bit-identical to TFLM")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bmp2npy")
    b.add_argument("src")
    b.add_argument("dst")
    c = sub.add_parser("compare")
    c.add_argument("--log", required=True)
    c.add_argument("--host-json", required=True,
                   help="ember run --json -o DIR's report")
    c.add_argument("--model")
    c.add_argument("--inputs", nargs="*", default=[])
    r = sub.add_parser("random-inputs")
    r.add_argument("model")
    r.add_argument("seed", type=int)
    r.add_argument("dir")
    args = parser.parse_args()
    if args.cmd == "random-inputs":
        random_inputs(args.model, args.seed, args.dir)
        return 0
    if args.cmd == "bmp2npy":
        bmp2npy(args.src, args.dst)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
