#!/usr/bin/env python3
"""`ember micro export --aot` against the interpreter export and TFLite
Micro: RAM, code size and instructions per inference on Cortex-M4
(arm-none-eabi-gcc -O2, QEMU mps2-an386).

  * RAM the model needs: TFLM's arena (tflite-micro's recording allocator
    on the host, x86-64, measured here; its Cortex-M figure is a little
    smaller: 4-byte pointers); the interpreter export's arena on the
    target (head + tail, printed by the firmware); the AOT export's arena
    plus its recurrent state (variable tensors). Ratios against TFLM.
  * RAM of the whole image: .data + .bss of the ELF (arm-none-eabi-size):
    the arena arrays, the state, the semihosting line buffer; the stack is
    not in it. The interpreter export's arena array is sized from the host
    plan (8-byte pointers, planning scratch), so it exceeds what the
    target uses.
  * Code: .text of the ELF (weights included: they are const data in
    flash), and the app minus the same app without the runtime: for the
    interpreter export the interpreter + ops (the model array is in both
    builds), for --aot the compiled model + kernels + weights.
  * Instructions per inference: QEMU -icount shift=0 (SysTick x 40).

usage: aot_vs_tflm.py [--ember build/release/ember] [--models DIR]
                      [--out DIR]
Prints Markdown tables (and writes DIR/aot_vs_tflm.json).
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
# TFLM's arena: tflite-micro's recording allocator (as compare_tflm.py).
TFLM_SNIPPET = """
import sys
from tflite_micro.python.tflite_micro import runtime
runtime.Interpreter.from_file(sys.argv[1]).print_allocations()
"""


def tflm_arena(model):
    out = subprocess.run([sys.executable, "-c", TFLM_SNIPPET, model],
                         capture_output=True, text=True, check=True).stderr
    total = re.search(r"Arena allocation total (\d+) bytes", out)
    return {"total": int(total.group(1))}


def export(ember, model, flags, out_dir, aot):
    d = os.path.join(out_dir, os.path.basename(model)[:-7] +
                     ("_aot" if aot else "_interp"))
    info = json.loads(subprocess.run(
        [ember, "micro", "export", model, *flags, "-o", d, "--target",
         "cortex-m4", "--build", "--json"] + (["--aot"] if aot else []),
        check=True, capture_output=True, text=True).stdout)
    run = subprocess.run(["make", "-s", "-C", d, "run-icount"],
                         capture_output=True, text=True, timeout=600)
    log = run.stdout + run.stderr
    counter = re.search(r"# counter (\w+) (\d+)", log)
    unit, count = counter.group(1), int(counter.group(2))
    info["instructions"] = count if unit == "instret" else count * 40
    if aot:
        m = re.search(r"# arena aot (\d+) state (\d+)", log)
        info["ram_model"] = int(m.group(1)) + int(m.group(2))
        info["ram_detail"] = f"{int(m.group(1)):,} + {int(m.group(2)):,} state"
    else:
        m = re.search(r"# arena head (\d+) tail (\d+) total (\d+)", log)
        info["ram_model"] = int(m.group(3))
        info["ram_detail"] = f"{int(m.group(1)):,} + {int(m.group(2)):,}"
    info["outputs"] = [line for line in log.splitlines()
                       if line and not line.startswith("#")]
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ember", default="build/release/ember")
    parser.add_argument("--models", default=os.path.join(
        os.environ.get("EMBER_SHARED_MODELS", "../shared/models"), "tflm"))
    parser.add_argument("--out", default="build/release/micro_aot_bench")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in MODELS:
        model = os.path.join(args.models, name + ".tflite")
        inputs_dir = os.path.join(args.out, "inputs", name)
        qemu_helper.random_inputs(model, 1, inputs_dir)
        flags = []
        for k, p in enumerate(sorted(os.listdir(inputs_dir))):
            flags += ["--input", f"{k}={os.path.join(inputs_dir, p)}"]
        row = {"model": name, "tflm": tflm_arena(model),
               "interp": export(args.ember, model, flags, args.out, False),
               "aot": export(args.ember, model, flags, args.out, True)}
        if row["interp"]["outputs"] != row["aot"]["outputs"]:
            sys.exit(f"{name}: --aot outputs differ from the interpreter's")
        rows.append(row)
    json.dump(rows, open(os.path.join(args.out, "aot_vs_tflm.json"), "w"),
              indent=1)

    print("RAM the model needs (bytes), Cortex-M4; TFLM: host arena")
    print()
    print("| model | TFLM arena | interpreter arena (head+tail) | x TFLM | "
          "AOT arena + state | x TFLM | AOT vs TFLM |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        t = r["tflm"]["total"]
        i, a = r["interp"], r["aot"]
        saving = 1 - a["ram_model"] / t
        print(f"| {r['model']} | {t:,} | {i['ram_model']:,} "
              f"({i['ram_detail']}) | {i['ram_model'] / t:.2f} | "
              f"{a['ram_model']:,} ({a['ram_detail']}) | "
              f"{a['ram_model'] / t:.2f} | {saving:.0%} less |")
    print()
    print("Whole image, Cortex-M4 -O2 (bytes)")
    print()
    print("| model | export | text | runtime part of text (interpreter: "
          "interpreter + ops; --aot: compiled model + kernels + weights) | "
          "data + bss | instructions / inference |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        for kind in ("interp", "aot"):
            f = r[kind]
            part = f.get("interpreter_code_bytes", f.get("model_code_bytes"))
            print(f"| {r['model']} | {'--aot' if kind == 'aot' else 'interpreter'}"
                  f" | {f['code_bytes']:,} | {part:,} | "
                  f"{f['data_bytes'] + f['bss_bytes']:,} | "
                  f"{f['instructions']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
