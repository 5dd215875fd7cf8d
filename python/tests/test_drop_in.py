"""The same user-level script runs against LiteRT and against Ember (only
the Interpreter class differs); every result must match."""
import numpy as np
import pytest
from ai_edge_litert import interpreter as litert

import ember


def _convert(tf, module, signatures=None):
    concrete = [f.get_concrete_function() for f in signatures] if signatures else None
    converter = tf.lite.TFLiteConverter.from_concrete_functions(concrete, module)
    return converter.convert()


@pytest.fixture(scope="module")
def two_input_model(tf):
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32, name="a"),
                                      tf.TensorSpec([1, 4], tf.float32, name="b")])
        def serve(self, a, b):
            return {"sum": tf.nn.relu(a + b), "double": a + a}
    m = M()
    return _convert(tf, m, [m.serve])


@pytest.fixture(scope="module")
def dynamic_model(tf):
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
        def serve(self, x):
            return {"y": x + tf.constant([1.0, 2.0, 3.0])}
    m = M()
    return _convert(tf, m, [m.serve])


def user_script(Interpreter, content):
    """Typical LiteRT user code; returns everything it observed."""
    seen = {}
    interp = Interpreter(model_content=content, num_threads=1)
    interp.allocate_tensors()
    ins, outs = interp.get_input_details(), interp.get_output_details()
    seen["inputs"] = ins
    seen["outputs"] = outs
    rng = np.random.default_rng(0)
    for d in ins:
        interp.set_tensor(d["index"], rng.standard_normal(d["shape"]).astype(d["dtype"]))
    interp.invoke()
    seen["values"] = [interp.get_tensor(d["index"]) for d in outs]
    seen["view"] = np.array(interp.tensor(outs[0]["index"])())
    seen["signatures"] = interp.get_signature_list()
    runner = interp.get_signature_runner()
    kwargs = {name: np.full(d["shape"], 0.5, d["dtype"])
              for name, d in runner.get_input_details().items()}
    seen["runner"] = runner(**kwargs)
    seen["runner_inputs"] = runner.get_input_details()
    for bad in (np.zeros(ins[0]["shape"], np.float64),
                np.zeros(list(ins[0]["shape"]) + [2], np.float32)):
        try:
            interp.set_tensor(ins[0]["index"], bad)
            seen.setdefault("errors", []).append(None)
        except Exception as e:  # noqa: BLE001 - the type is what we compare
            seen.setdefault("errors", []).append(type(e).__name__)
    return seen


def _same_details(a, b):
    assert a.keys() >= {"name", "index", "shape", "shape_signature", "dtype",
                        "quantization", "quantization_parameters",
                        "sparsity_parameters"}
    for key in ("name", "index", "dtype", "quantization"):
        assert a[key] == b[key], key
    for key in ("shape", "shape_signature"):
        np.testing.assert_array_equal(a[key], b[key])
        assert a[key].dtype == b[key].dtype
    for key in ("scales", "zero_points"):
        np.testing.assert_array_equal(a["quantization_parameters"][key],
                                      b["quantization_parameters"][key])
    assert (a["quantization_parameters"]["quantized_dimension"] ==
            b["quantization_parameters"]["quantized_dimension"])


def _compare(ours, theirs):
    for key in ("inputs", "outputs"):
        assert len(ours[key]) == len(theirs[key])
        for a, b in zip(ours[key], theirs[key]):
            _same_details(a, b)
    for a, b in zip(ours["values"], theirs["values"]):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours["view"], theirs["view"], rtol=1e-6)
    assert ours["signatures"] == theirs["signatures"]
    assert ours["runner"].keys() == theirs["runner"].keys()
    for k in ours["runner"]:
        np.testing.assert_allclose(ours["runner"][k], theirs["runner"][k], rtol=1e-6)
    for name in ours["runner_inputs"]:
        _same_details(ours["runner_inputs"][name], theirs["runner_inputs"][name])
    assert ours["errors"] == theirs["errors"]


def test_drop_in_two_inputs(two_input_model):
    _compare(user_script(ember.Interpreter, two_input_model),
             user_script(litert.Interpreter, two_input_model))


def test_drop_in_dynamic_resize(dynamic_model):
    results = []
    for Interpreter in (ember.Interpreter, litert.Interpreter):
        interp = Interpreter(model_content=dynamic_model)
        d = interp.get_input_details()[0]
        interp.resize_tensor_input(d["index"], [5, 3], strict=True)
        interp.allocate_tensors()
        x = np.arange(15, dtype=np.float32).reshape(5, 3)
        interp.set_tensor(d["index"], x)
        interp.invoke()
        out = interp.get_output_details()[0]
        results.append((interp.get_tensor(out["index"]), out["shape"].tolist(),
                        d["shape_signature"].tolist()))
        with pytest.raises(RuntimeError):
            interp.resize_tensor_input(d["index"], [5, 4], strict=True)
    np.testing.assert_allclose(results[0][0], results[1][0])
    assert results[0][1:] == results[1][1:]


def test_errors_match(two_input_model, tmp_path):
    for Interpreter in (ember.Interpreter, litert.Interpreter):
        with pytest.raises(ValueError):
            Interpreter(model_path=str(tmp_path / "missing.tflite"))
        with pytest.raises(ValueError):
            Interpreter(model_content=b"not a model at all, just bytes")
        with pytest.raises(ValueError):
            Interpreter(model_content=two_input_model).get_signature_runner("nope")


def test_view_blocks_reallocation(two_input_model):
    interp = ember.Interpreter(model_content=two_input_model)
    interp.allocate_tensors()
    view = interp.tensor(interp.get_output_details()[0]["index"])()
    with pytest.raises(RuntimeError):
        interp.allocate_tensors()
    del view
    interp.allocate_tensors()
