#!/usr/bin/env python3
"""Ember Micro against TFLite Micro: arena bytes per model, code size and
instructions per inference.

  * Arena on the host (x86-64): Ember's head / tail / total (`ember micro
    run --json`) against tflite-micro's RecordingMicroAllocator (the PyPI
    package's print_allocations()), measured here.
  * Arena on Cortex-M4 (4-byte pointers): printed by the exported firmware.
  * Code size (arm-none-eabi-size, Cortex-M4, -O2): the exported app
    against the same app without the interpreter (same data): the
    subtraction is the interpreter, verifier, planner and the model's ops.
  * Instructions per inference: exported firmware under QEMU with -icount
    shift=0 (RISC-V: instret; Cortex-M: SysTick ticks x ns per tick: 40 on
    the 25 MHz MPS2 boards, 50 on the 20 MHz AN505 (Cortex-M33), 31.25 on
    the 32 MHz MPS3 AN547 (Cortex-M55)).

usage: compare_tflm.py [--ember build/release/ember] [--models DIR]
                       [--targets cortex-m4,riscv32] [--out DIR]
Prints a Markdown table (and writes DIR/micro_vs_tflm.json).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "micro"))
import qemu_helper  # noqa: E402

MODELS = ["hello_world_int8", "micro_speech_quantized", "person_detect",
          "keyword_scrambled", "keyword_scrambled_8bit"]
# SysTick runs on the board's core clock; QEMU -icount shift=0 executes one
# instruction per nanosecond.
NS_PER_TICK = {"cortex-m33": 50, "cortex-m55": 31.25}
TFLM_SNIPPET = """
import sys, numpy as np
from tflite_micro.python.tflite_micro import runtime
it = runtime.Interpreter.from_file(sys.argv[1])
it.print_allocations()
"""


def tflm_arena(model):
    out = subprocess.run([sys.executable, "-c", TFLM_SNIPPET, model],
                         capture_output=True, text=True, check=True).stderr
    get = lambda what: int(re.search(
        rf"Arena allocation {what} (\d+) bytes", out).group(1))
    return {"total": get("total"), "head": get("head"), "tail": get("tail")}


def firmware(ember, model, inputs, target, out_dir):
    d = os.path.join(out_dir, f"{os.path.basename(model)[:-7]}_{target}")
    flags = []
    for k, p in enumerate(inputs):
        flags += ["--input", f"{k}={p}"]
    info = json.loads(subprocess.run(
        [ember, "micro", "export", model, *flags, "-o", d, "--target", target,
         "--build", "--json"], check=True, capture_output=True,
        text=True).stdout)
    run = subprocess.run(["make", "-s", "-C", d, "run-icount"],
                         capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr  # QEMU's semihosting console
    arena = re.search(r"# arena head (\d+) tail (\d+) total (\d+)", log)
    counter = re.search(r"# counter (\w+) (\d+)", log)
    unit, count = counter.group(1), int(counter.group(2))
    info["instructions"] = (count if unit == "instret" else
                            round(count * NS_PER_TICK.get(target, 40)))
    info["target_arena"] = {"head": int(arena.group(1)),
                            "tail": int(arena.group(2)),
                            "total": int(arena.group(3))}
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ember", default="build/release/ember")
    parser.add_argument("--models", default=os.path.join(
        os.environ.get("EMBER_SHARED_MODELS", "../shared/models"), "tflm"))
    parser.add_argument("--targets", default="cortex-m4,riscv32")
    parser.add_argument("--out", default="build/release/micro_bench")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in MODELS:
        model = os.path.join(args.models, name + ".tflite")
        inputs_dir = os.path.join(args.out, "inputs", name)
        qemu_helper.random_inputs(model, 1, inputs_dir)
        inputs = sorted(os.path.join(inputs_dir, f)
                        for f in os.listdir(inputs_dir))
        flags = []
        for k, p in enumerate(inputs):
            flags += ["--input", f"{k}={p}"]
        host = json.loads(subprocess.run(
            [args.ember, "micro", "run", model, *flags, "--json"],
            check=True, capture_output=True, text=True).stdout)["arena"]
        row = {"model": name, "tflm": tflm_arena(model), "ember_host": host,
               "targets": {}}
        for t in args.targets.split(","):
            row["targets"][t] = firmware(args.ember, model, inputs, t,
                                         args.out)
        rows.append(row)
    json.dump(rows, open(os.path.join(args.out, "micro_vs_tflm.json"), "w"),
              indent=1)

    print("| model | TFLM arena (head+tail) | Ember host (head+tail) | "
          "ratio | Ember Cortex-M4 (head+tail) | target <= 0.7x |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        t, h = r["tflm"], r["ember_host"]
        m4 = r["targets"].get("cortex-m4", {}).get("target_arena")
        ratio = h["total_bytes"] / t["total"]
        m4s = f"{m4['total']:,} ({m4['head']:,}+{m4['tail']:,})" if m4 else "-"
        print(f"| {r['model']} | {t['total']:,} ({t['head']:,}+{t['tail']:,})"
              f" | {h['total_bytes']:,} ({h['head_bytes']:,}+"
              f"{h['tail_bytes']:,}) | {ratio:.2f}x | {m4s} | "
              f"{'yes' if ratio <= 0.7 else 'NO'} |")
    print()
    print("| model | target | code (B) | interpreter+ops code (B) | data (B) "
          "| bss (B) | instructions / inference |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        for t, f in r["targets"].items():
            print(f"| {r['model']} | {t} | {f['code_bytes']:,} | "
                  f"{f['interpreter_code_bytes']:,} | {f['data_bytes']:,} | "
                  f"{f['bss_bytes']:,} | {f['instructions']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
