"""LiteRT-compatible Interpreter over Ember's runtime.

Method names, argument names, return shapes and exception types follow
`ai_edge_litert.interpreter.Interpreter`, so user code can switch by
changing its import.
"""
import enum
import os
import sys

import numpy as np

from ember import _ember

# Ember DataType codes (the .tflite TensorType values) -> NumPy types.
_NUMPY_TYPES = {
    0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64,
    5: np.object_, 6: np.bool_, 7: np.int16, 8: np.complex64, 9: np.int8,
    10: np.float64, 11: np.complex128, 12: np.uint64, 15: np.uint32,
    16: np.uint16,
}
_TYPE_NAMES = {
    0: "FLOAT32", 1: "FLOAT16", 2: "INT32", 3: "UINT8", 4: "INT64",
    5: "STRING", 6: "BOOL", 7: "INT16", 8: "COMPLEX64", 9: "INT8",
    10: "FLOAT64", 11: "COMPLEX128", 12: "UINT64", 13: "RESOURCE",
    14: "VARIANT", 15: "UINT32", 16: "UINT16", 17: "INT4", 18: "BFLOAT16",
}


def _numpy_type_name(dtype):
    for code, t in _NUMPY_TYPES.items():
        if np.dtype(t) == dtype:
            return _TYPE_NAMES[code]
    return str(dtype).upper()


class OpResolverType(enum.Enum):
    """Accepted for compatibility; Ember always uses its own kernels."""
    AUTO = 0
    BUILTIN = 1
    BUILTIN_REF = 2
    BUILTIN_WITHOUT_DEFAULT_DELEGATES = 3


class Delegate:
    """An external delegate library, loaded by `load_delegate`."""

    def __init__(self, impl, library):
        self._impl = impl
        self._library = library

    @property
    def name(self):
        return self._impl.name

    def __repr__(self):
        return f"<ember.Delegate '{self.name}' from {self._library}>"


def load_delegate(library, options=None):
    """Loads a delegate library (see include/ember/delegate.h), or the
    built-in Vulkan delegate when `library` is "gpu", as
    ai_edge_litert.interpreter.load_delegate does: `options` is a dict of
    option names to values (converted to strings). Raises ValueError naming
    the library and the reason when it cannot be loaded."""
    pairs = [(str(k), str(v)) for k, v in (options or {}).items()]
    try:
        impl = _ember.load_delegate(str(library), pairs)
    except ValueError as e:
        raise ValueError(f"Failed to load delegate from {library}: {e}") from None
    return Delegate(impl, library)


def _key_bytes(key, what):
    """A key given as a path (read here) or as bytes (used as they are)."""
    if isinstance(key, (bytes, bytearray, memoryview)):
        return bytes(key)
    if isinstance(key, (str, os.PathLike)):
        try:
            with open(key, "rb") as f:
                return f.read(4097)
        except OSError as e:
            raise ValueError(f"{what}: could not open '{key}': {e.strerror}") from None
    raise TypeError(f"{what} entries must be paths or bytes")


class Interpreter:
    """Runs a .tflite model. See ai_edge_litert.interpreter.Interpreter."""

    def __init__(self, model_path=None, model_content=None,
                 experimental_delegates=None, num_threads=None,
                 experimental_op_resolver_type=OpResolverType.AUTO,
                 experimental_preserve_all_tensors=False, trusted_keys=None,
                 device_key=None, **_unused):
        """Ember additions (docs/trust.md): `trusted_keys`, a list of public
        key files (paths) or their contents (bytes), requires the model to
        be signed by one of them; `device_key`, a path or bytes, decrypts an
        encrypted model in memory. Both are checked before the model is
        parsed; a refused model raises ValueError naming why."""
        if model_path is None and model_content is None:
            raise ValueError("Must specify model_path or model_content")
        if model_path is not None and model_content is not None:
            raise ValueError("Can't both provide `model_path` and `model_content`")
        if num_threads is not None:
            if not isinstance(num_threads, int):
                raise ValueError("type of num_threads should be int")
            if num_threads < 1 and num_threads != -1:
                raise ValueError("num_threads should >= 1 or just -1 to let "
                                 "Ember decide")
        delegates = list(experimental_delegates or [])
        for d in delegates:
            if not isinstance(d, Delegate):
                raise ValueError("experimental_delegates takes what "
                                 "ember.load_delegate returns, got "
                                 f"{type(d).__name__}")
        if model_path is not None:
            try:
                with open(model_path, "rb") as f:
                    model_content = f.read()
            except OSError as e:
                raise ValueError(f"Could not open '{model_path}': {e.strerror}") from None
        elif not isinstance(model_content, (bytes, bytearray, memoryview)):
            raise TypeError("model_content must be bytes")
        threads = 1 if num_threads in (None, -1) else num_threads
        if isinstance(trusted_keys, (str, bytes, os.PathLike)):
            trusted_keys = [trusted_keys]
        keys = [_key_bytes(k, "trusted_keys") for k in (trusted_keys or [])]
        device = b"" if device_key is None else _key_bytes(device_key, "device_key")
        self._preserve_all_tensors = experimental_preserve_all_tensors
        self._impl = _ember._Interpreter(bytes(model_content), threads,
                                         bool(experimental_preserve_all_tensors),
                                         [d._impl for d in delegates],
                                         keys, device)
        self._base_refcount = sys.getrefcount(self._impl)
        self._signatures = {
            key: (subgraph, dict(inputs), dict(outputs))
            for key, subgraph, inputs, outputs in self._impl.signatures()
        }

    # -- safety: NumPy views from tensor() alias the arena ------------------
    def _ensure_safe(self):
        if sys.getrefcount(self._impl) > self._base_refcount:
            raise RuntimeError(
                "There is at least 1 reference to internal data in the "
                "interpreter in the form of a numpy array or slice. Be sure "
                "to only hold the function returned from tensor() if you are "
                "using raw data access.")

    # -- lifecycle ------------------------------------------------------------
    def _get_delegate_report(self):
        """Ember extension: per delegate, a dict with its name, the number
        of nodes it took and its partitions (nodes, on_cpu, reason)."""
        return [{"name": name, "nodes_taken": taken,
                 "partitions": [{"nodes": n, "on_cpu": cpu, "reason": why}
                                for n, cpu, why in parts]}
                for name, taken, parts in self._impl.delegate_report()]

    def allocate_tensors(self):
        self._ensure_safe()
        self._impl.allocate(-1)

    def invoke(self):
        self._ensure_safe()
        self._impl.invoke(0)

    def reset_all_variables(self):
        self._impl.reset_variables()

    # -- details ----------------------------------------------------------------
    def _details(self, index, subgraph=0):
        name, code, shape, signature, scales, zero_points, qdim, sparse = (
            self._impl.info(int(index), int(subgraph)))
        dtype = _NUMPY_TYPES.get(code)
        if dtype is None:
            raise ValueError(f"Tensor {index} has type {_TYPE_NAMES.get(code, code)}, "
                             "which NumPy cannot represent")
        per_tensor = len(scales) == 1
        return {
            "name": name,
            "index": int(index),
            "shape": np.array(shape, dtype=np.int32),
            "shape_signature": np.array(signature, dtype=np.int32),
            "dtype": dtype,
            "quantization": ((float(scales[0]), int(zero_points[0]))
                             if per_tensor else (0.0, 0)),
            "quantization_parameters": {
                "scales": np.array(scales, dtype=np.float32),
                "zero_points": np.array(zero_points, dtype=np.int32),
                "quantized_dimension": int(qdim),
            },
            "sparsity_parameters": {},
        }

    def get_input_details(self):
        return [self._details(i) for i in self._impl.inputs(0)]

    def get_output_details(self):
        return [self._details(i) for i in self._impl.outputs(0)]

    def get_tensor_details(self):
        details = []
        for i in range(self._impl.num_tensors(0)):
            try:
                details.append(self._details(i))
            except ValueError:
                continue
        return details

    # -- data -------------------------------------------------------------------
    def _set(self, index, value, subgraph, what):
        details = self._details(index, subgraph)
        value = np.asarray(value)
        if value.dtype != np.dtype(details["dtype"]):
            raise ValueError(
                f"Cannot set tensor: Got value of type {_numpy_type_name(value.dtype)} "
                f"but expected type {_numpy_type_name(np.dtype(details['dtype']))} "
                f"for {what} {index}, name: {details['name']} ")
        shape = details["shape"]
        if value.ndim != len(shape):
            raise ValueError(
                f"Cannot set tensor: Dimension mismatch. Got {value.ndim} but "
                f"expected {len(shape)} for {what} {index}.")
        for d, (got, want) in enumerate(zip(value.shape, shape)):
            if got != want:
                raise ValueError(
                    f"Cannot set tensor: Dimension mismatch. Got {got} but "
                    f"expected {want} for dimension {d} of {what} {index}.")
        self._impl.copy_in(int(index), int(subgraph), np.ascontiguousarray(value))

    def set_tensor(self, tensor_index, value):
        self._set(tensor_index, value, 0, "input")

    def get_tensor(self, tensor_index, subgraph_index=0):
        return np.array(self._impl.view(int(tensor_index), int(subgraph_index)),
                        copy=True)

    def tensor(self, tensor_index):
        impl, index = self._impl, int(tensor_index)
        return lambda: impl.view(index, 0)

    def resize_tensor_input(self, input_index, tensor_size, strict=False):
        self._ensure_safe()
        inputs = list(self._impl.inputs(0))
        if int(input_index) not in inputs:
            raise ValueError(f"Tensor {input_index} is not an input of the model")
        position = inputs.index(int(input_index))
        size = np.array(tensor_size, dtype=np.int32).reshape(-1).tolist()
        if strict:
            signature = self._details(input_index)["shape_signature"]
            if len(signature) != len(size) or any(
                    s != -1 and s != n for s, n in zip(signature, size)):
                raise RuntimeError(
                    "ResizeInputTensorStrict only allows mutating unknown "
                    f"dimensions identified by -1 (signature {signature.tolist()}, "
                    f"requested {size}).")
        self._impl.resize_input(position, size, 0)

    # -- signatures ------------------------------------------------------------
    def get_signature_list(self):
        return {key: {"inputs": list(inputs), "outputs": list(outputs)}
                for key, (_, inputs, outputs) in self._signatures.items()}

    def get_signature_runner(self, signature_key=None):
        if signature_key is None:
            if len(self._signatures) == 1:
                signature_key = next(iter(self._signatures))
            elif not self._signatures:
                raise ValueError("SignatureDef signature_key is None and model "
                                 "has no signatures")
            else:
                raise ValueError("SignatureDef signature_key is None and model "
                                 "has multiple signatures; specify one of "
                                 f"{list(self._signatures)}")
        if signature_key not in self._signatures:
            raise ValueError(f"Invalid signature_key provided: '{signature_key}'. "
                             f"Model has {list(self._signatures)}")
        return SignatureRunner(self, signature_key)

    # -- Ember extras ------------------------------------------------------------
    def arena_bytes(self, subgraph_index=0):
        """(planned arena bytes, lower bound) of a subgraph."""
        return tuple(self._impl.arena_bytes(subgraph_index))


class SignatureRunner:
    """Calls one SignatureDef of a model by its input/output names."""

    def __init__(self, interpreter, signature_key):
        self._interp = interpreter
        self._impl = interpreter._impl
        self._key = signature_key
        self._subgraph, self._inputs, self._outputs = interpreter._signatures[signature_key]
        self._positions = {i: p for p, i in enumerate(self._impl.inputs(self._subgraph))}

    def _check_name(self, name, table, what):
        if name not in table:
            raise ValueError(f"Invalid {what} name '{name}' for signature "
                             f"'{self._key}'; expected one of {list(table)}")
        return table[name]

    def get_input_details(self):
        return {n: self._interp._details(i, self._subgraph) for n, i in self._inputs.items()}

    def get_output_details(self):
        return {n: self._interp._details(i, self._subgraph) for n, i in self._outputs.items()}

    def resize_input(self, input_name, new_shape):
        index = self._check_name(input_name, self._inputs, "input")
        size = np.array(new_shape, dtype=np.int32).reshape(-1).tolist()
        self._impl.resize_input(self._positions[index], size, self._subgraph)

    def allocate_tensors(self):
        self._interp._ensure_safe()
        self._impl.allocate(self._subgraph)

    def invoke(self, **kwargs):
        return self(**kwargs)

    def __call__(self, **kwargs):
        if len(kwargs) != len(self._inputs):
            raise ValueError(f"Invalid number of inputs provided for running a "
                             f"SignatureDef, expected {len(self._inputs)} vs "
                             f"provided {len(kwargs)}")
        arrays = {}
        for name, value in kwargs.items():
            index = self._check_name(name, self._inputs, "input")
            value = np.asarray(value)
            arrays[index] = value
            current = self._interp._details(index, self._subgraph)["shape"]
            if tuple(current) != value.shape:
                self._impl.resize_input(self._positions[index], list(value.shape),
                                        self._subgraph)
        if self._impl.needs_allocation(self._subgraph):
            self.allocate_tensors()
        for index, value in arrays.items():
            self._interp._set(index, value, self._subgraph, "input")
        self._impl.invoke(self._subgraph)
        return {name: self._interp.get_tensor(index, self._subgraph)
                for name, index in self._outputs.items()}
