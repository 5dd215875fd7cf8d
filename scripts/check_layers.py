#!/usr/bin/env python3
"""CI checks of the source tree's shape (stdlib only).

1. Layers: scans every `#include "..."` in src/, tools/ and python/src/,
   prints the folder include graph (one line per folder: the folders it
   includes) and fails on any include that goes up or sideways in LAYERS
   below, and on any include cycle between folders. The build enforces the
   same order per target (cmake/layers.cmake); this check also sees the
   kernels' subfolders, the tests and the tools.
   Tests (*_test.cc, *_benchmark.cc, *_test_util.h) may include anything at
   or below their folder's layer plus tests/util.
2. Op tables: every op in src/ops/ops*.def has its op-version rule in
   src/convert/passes/op_versions.cc, its quantizer decision in
   src/convert/quantize/op_rules.cc, and a case in
   tests/conformance/cases.py (or a reason in CONFORMANCE_EXEMPT below).

usage: python3 scripts/check_layers.py [--graph-only]
"""
import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Lowest first. A folder may include folders of lower layers only; folders
# of one layer are peers and may not include each other. "schema" is the
# generated .tflite schema header, "include/ember" the public C ABI header
# (plain C, no dependencies), "tests/util" the test helpers (tests only).
LAYERS = [
    ["base", "include/ember"],
    ["kernels/dispatch"],
    ["kernels/ref"],
    # ISA-neutral drivers, and the microkernel entry points they declare
    ["kernels/drivers"],
    ["kernels/x86", "kernels/arm", "kernels/wasm"],  # microkernels: never each other
    ["kernels"],
    # signatures, encryption at rest: bytes only, applied before parsing
    ["trust"],
    ["schema"],
    # gpu: the Vulkan delegate, over the C delegate ABI only; micro: the
    # no-heap runtime for microcontrollers (kernels/ref + schema)
    ["model", "planner", "io", "metadata", "processing", "partition", "gpu",
     "micro"],
    ["runtime"],
    ["ops", "delegate"],
    ["graph"],
    # A/B model updates: fetch, stage, health-check (runs models), switch
    ["update"],
    ["capi", "describe"],  # describe: JSON views for inspect/report/web
    ["convert", "tasks"],
    ["convert/passes"],
    ["convert/quantize", "convert/prune", "convert/keras", "convert/onnx"],
    ["tools", "python", "web"],
    ["tests/util"],  # reachable from tests only (see is_test)
]

# Edges allowed for now, each with the reason and who removes it. Printed on
# every run so that none is forgotten.
KNOWN_EXCEPTIONS = {
}

# Test files that are end-to-end tests of a lower layer (they run whole
# models through the interpreter), with the upward folders they include.
KNOWN_TEST_EXCEPTIONS = {
        "src/kernels/drivers/fast_dw_test.cc": {"runtime"},
        "src/kernels/drivers/fast_f32_test.cc": {"runtime"},
        "src/kernels/drivers/fast_grouped_conv_test.cc": {"runtime"},
        "src/kernels/drivers/fast_ops_test.cc": {"runtime"},
        "src/kernels/drivers/fast_s8_test.cc": {"runtime"},
        "src/kernels/drivers/spmm_f32_test.cc": {"runtime"},
}

SCAN = ["src", "tools", "python/src", "web"]
SOURCE_EXT = (".h", ".cc", ".c", ".def")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
EXTERNAL = ("flatbuffers/",)

LEVEL = {f: i for i, layer in enumerate(LAYERS) for f in layer}


def folder_of(path):
    """Layer folder of a file path relative to ROOT."""
    d = os.path.dirname(path)
    if d.startswith("src/"):
        d = d[len("src/"):]
    elif d == "python/src":
        d = "python"
    elif d.startswith("tools"):
        d = "tools"
    while d and d not in LEVEL:  # e.g. convert/onnx/sub -> convert/onnx
        d = os.path.dirname(d)
    return d


def included_folder(inc, own):
    if inc.startswith(EXTERNAL):
        return None
    if "/" not in inc:
        return own  # same folder, or a generated file of its target
    if inc.startswith("util/"):
        return "tests/util"
    if inc.startswith("ember/"):
        return "include/ember"
    d = os.path.dirname(inc)
    while d and d not in LEVEL:
        d = os.path.dirname(d)
    return d or None


def is_test(path):
    name = os.path.basename(path)
    return name.endswith(("_test.cc", "_benchmark.cc", "_test_util.h",
                          "_fuzz.cc"))


def scan():
    """[(file, from_folder, to_folder, include)] for every project include."""
    edges = []
    for top in SCAN:
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if not f.endswith(SOURCE_EXT):
                    continue
                full = os.path.join(dirpath, f)
                rel = os.path.relpath(full, ROOT)
                own = folder_of(rel)
                with open(full, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for inc in INCLUDE_RE.findall(text):
                    to = included_folder(inc, own)
                    if to is not None:
                        edges.append((rel, own, to, inc))
    return edges


def cycles(graph):
    """Strongly connected components of more than one folder (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_layers(graph_only):
    edges = scan()
    graph, test_graph = {}, {}  # library code; tests (not linked in)
    for path, src, dst, _ in edges:
        graph.setdefault(src, set())
        test_graph.setdefault(src, set())
        if dst != src:
            (test_graph if is_test(path) else graph)[src].add(dst)
    print("== folder include graph (folder -> folders it includes; "
          "[tests: what only its tests add])")
    for folder in sorted(graph, key=lambda f: (LEVEL.get(f, 99), f)):
        line = f"{folder} -> {' '.join(sorted(graph[folder])) or '-'}"
        extra = sorted(test_graph[folder] - graph[folder])
        if extra:
            line += f"  [tests: {' '.join(extra)}]"
        print(line)
    if graph_only:
        return 0

    errors = []
    unknown = sorted({f for _, s, d, _ in edges for f in (s, d)
                      if f not in LEVEL})
    for f in unknown:
        errors.append(f"folder '{f}' is in no layer: add it to LAYERS")
    used_exceptions = set()
    for path, src, dst, inc in edges:
        if src == dst or src not in LEVEL or dst not in LEVEL:
            continue
        lo, hi = LEVEL[dst], LEVEL[src]
        if is_test(path):
            if dst == "tests/util" or lo <= hi:
                continue
            if dst in KNOWN_TEST_EXCEPTIONS.get(path, ()):
                used_exceptions.add((path, dst))
                continue
            errors.append(f"{path}: test includes \"{inc}\" ({dst} is above "
                          f"{src})")
            continue
        if lo < hi:
            continue
        if (src, dst) in KNOWN_EXCEPTIONS:
            used_exceptions.add((src, dst))
            continue
        where = "a peer of" if lo == hi else "above"
        errors.append(f"{path}: includes \"{inc}\" ({dst} is {where} {src})")
    plain = {s: {d for d in ds if (s, d) not in KNOWN_EXCEPTIONS}
             for s, ds in graph.items()}
    for comp in cycles(plain):
        errors.append("include cycle between " + ", ".join(comp))
    for key in sorted(used_exceptions, key=str):
        reason = KNOWN_EXCEPTIONS.get(key, "end-to-end test (see "
                                      "KNOWN_TEST_EXCEPTIONS)")
        print(f"allowed for now: {key[0]} -> {key[1]}: {reason}")
    stale = [k for k in KNOWN_EXCEPTIONS if k not in used_exceptions]
    stale += [(path, folder) for path, folders in KNOWN_TEST_EXCEPTIONS.items()
              for folder in folders if (path, folder) not in used_exceptions]
    for key in stale:
        errors.append(f"stale exception {key[0]} -> {key[1]}: remove it "
                      "from KNOWN_(TEST_)EXCEPTIONS")
    for e in errors:
        print("ERROR:", e)
    print(f"== layers: {len(errors)} error(s)")
    return 1 if errors else 0


# --- op tables -----------------------------------------------------------

# Ops without a case in tests/conformance/cases.py, and why. cases.py builds
# one TF function per case and converts it with the TF converter.
_CONTROL_FLOW = ("control flow: needs subgraphs, tested by "
                 "src/ops/control_flow_test.cc")
_CUSTOM = ("custom op the TF converter does not emit; tested against the "
           "reference kernels by its src/ops test")
_NOT_YET = ("no conformance case yet (a known gap, not a decision): tested "
            "by src/ops unit tests only")
CONFORMANCE_EXEMPT = {
    **dict.fromkeys([
        "CALL_ONCE", "IF", "WHILE",
    ], _CONTROL_FLOW),
    **dict.fromkeys([
        "SignalEnergy", "SignalFftAutoScale", "SignalFilterBank",
        "SignalFilterBankLog", "SignalFilterBankSpectralSubtraction",
        "SignalFilterBankSquareRoot", "SignalPCAN", "SignalRfft", "SignalWindow",
        "Convolution2DTransposeBias",
    ], _CUSTOM),
    **dict.fromkeys([
        "MaxPoolingWithArgmax2D", "MaxUnpooling2D",
    ], ("MediaPipe custom op LiteRT lacks; tested against LiteRT's MAX_POOL_2D "
        "and a gather-form evaluation by src/ops/mediapipe_pooling_test.cc")),
    **dict.fromkeys([
        "TransformTensorBilinear", "TransformTensor", "TransformLandmarks",
        "Landmarks2TransformMatrix",
    ], ("MediaPipe custom op LiteRT lacks; tested against direct evaluations "
        "of its definition by src/ops/mediapipe_transforms_test.cc")),
    "TFLite_Detection_PostProcess": (
        "custom op the TF converter does not emit; tested against LiteRT's "
        "kernel by src/ops/detection_postprocess_test.cc"),
    **dict.fromkeys([
        "POW", "FLOOR_DIV", "FLOOR_MOD", "RELU_N1_TO_1", "RELU_0_TO_1", "SIGN",
        "QUANTIZE", "DEQUANTIZE", "CAST", "EQUAL", "NOT_EQUAL", "LESS",
        "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "LOGICAL_AND", "LOGICAL_OR",
        "LOGICAL_NOT", "SELECT", "SELECT_V2", "WHERE", "L2_POOL_2D", "REDUCE_ANY",
        "REDUCE_ALL", "EMBEDDING_LOOKUP", "CUMSUM", "LOCAL_RESPONSE_NORMALIZATION",
        "SVDF", "UNIDIRECTIONAL_SEQUENCE_LSTM", "UNIDIRECTIONAL_SEQUENCE_RNN",
        "RNN", "DENSIFY", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "GATHER_ND",
        "SHAPE", "FILL", "ZEROS_LIKE", "RANGE", "BROADCAST_TO", "REVERSE_V2",
        "TOPK_V2",
    ], _NOT_YET),
}


# Ops whose conformance cases are named differently (or built from a
# template such as f"{kind}_pool__...").
CASE_ALIASES = {
        "CONV_2D": ["conv2d"],
        "DEPTHWISE_CONV_2D": ["depthwise_conv2d"],
        "AVERAGE_POOL_2D": ["avg"],
        "MAX_POOL_2D": ["max"],
        "RESIZE_BILINEAR": ["bilinear"],
        "RESIZE_NEAREST_NEIGHBOR": ["nearest"],
}


def conformance_case_names(text):
    """Every string constant of cases.py up to its first "__" (the case-name
    prefix, or a name a template puts into one), lowercased."""
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value.split("__")[0].lower())
    return names


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as fh:
        return fh.read()


def ops_from_def():
    builtin, custom = [], []
    ops_dir = os.path.join(ROOT, "src/ops")
    for f in sorted(os.listdir(ops_dir)):
        if not (f.startswith("ops") and f.endswith(".def")):
            continue
        text = read(f"src/ops/{f}")
        # Only the list lines (not the #define lines or comments).
        builtin += re.findall(r"^\s*EMBER_BUILTIN_OP\((\w+)\)", text, re.M)
        custom += re.findall(r'^\s*EMBER_CUSTOM_OP\("(\w+)",\s*\w+\)', text,
                             re.M)
    return builtin, custom


def strip_comments(cc_text):
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", cc_text, flags=re.S)


def check_op_tables():
    builtin, custom = ops_from_def()
    # Comments do not count as a rule or a decision.
    versions = strip_comments(read("src/convert/passes/op_versions.cc"))
    rules = strip_comments(read("src/convert/quantize/op_rules.cc"))
    cases = read("tests/conformance/cases.py")
    errors = []
    for op in builtin:
        if not re.search(rf"\bOp::{op}\b", versions):
            errors.append(f"{op}: no op-version rule in "
                          "src/convert/passes/op_versions.cc")
        if not re.search(rf"\bB::{op}\b", rules):
            errors.append(f"{op}: no quantizer decision in "
                          "src/convert/quantize/op_rules.cc")
    case_names = conformance_case_names(cases)
    for op in builtin + custom:
        names = CASE_ALIASES.get(op, [op.lower()])
        has_case = any(n in case_names for n in names)
        if op in CONFORMANCE_EXEMPT:
            if has_case:
                errors.append(f"{op}: has a conformance case now; remove it "
                              "from CONFORMANCE_EXEMPT")
            continue
        if not has_case:
            errors.append(f"{op}: no case in tests/conformance/cases.py "
                          "(or a reason in CONFORMANCE_EXEMPT)")
    for e in errors:
        print("ERROR:", e)
    print(f"== op tables: {len(builtin)} builtin + {len(custom)} custom ops, "
          f"{len(errors)} error(s)")
    return 1 if errors else 0


def main():
    graph_only = "--graph-only" in sys.argv[1:]
    rc = check_layers(graph_only)
    if not graph_only:
        rc |= check_op_tables()
    return rc


if __name__ == "__main__":
    sys.exit(main())
