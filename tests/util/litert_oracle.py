#!/usr/bin/env python3
"""Runs test cases through LiteRT, the independent oracle for Ember's tests.

Usage: litert_oracle.py DIR [--ref|--default]
DIR holds case_<n>/model.tflite and case_<n>/in_<k>.npy; for each case this
writes case_<n>/out_<k>.npy, or case_<n>/error.txt when LiteRT rejects it.
--ref (the default) uses LiteRT's reference kernels (BUILTIN_REF), which
are the bit-exactness oracle for integer kernels.
"""
import os
import sys

import numpy as np
from ai_edge_litert import interpreter as litert


def run_case(case_dir, reference):
    resolver = (litert.OpResolverType.BUILTIN_REF if reference
                else litert.OpResolverType.AUTO)
    interp = litert.Interpreter(
        model_path=os.path.join(case_dir, "model.tflite"),
        experimental_op_resolver_type=resolver)
    details = interp.get_input_details()
    inputs = []
    for k in range(len(details)):
        inputs.append(np.load(os.path.join(case_dir, f"in_{k}.npy")))
    for d, x in zip(details, inputs):
        if tuple(d["shape"]) != x.shape:
            interp.resize_tensor_input(d["index"], x.shape)
    interp.allocate_tensors()
    # Stateful models (variable tensors) may ask for several invokes with
    # the same inputs; the outputs of the last one are saved.
    invokes = 1
    invokes_path = os.path.join(case_dir, "invokes.txt")
    if os.path.exists(invokes_path):
        with open(invokes_path) as f:
            invokes = int(f.read().strip())
    for _ in range(invokes):
        for d, x in zip(details, inputs):
            interp.set_tensor(d["index"], x)
        interp.invoke()
    for k, d in enumerate(interp.get_output_details()):
        np.save(os.path.join(case_dir, f"out_{k}.npy"), interp.get_tensor(d["index"]))


def main():
    root = sys.argv[1]
    reference = "--default" not in sys.argv[2:]
    for name in sorted(os.listdir(root)):
        case_dir = os.path.join(root, name)
        if not name.startswith("case_"):
            continue
        try:
            run_case(case_dir, reference)
        except Exception as e:  # reported to the C++ side, which decides
            with open(os.path.join(case_dir, "error.txt"), "w") as f:
                f.write(f"{type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
