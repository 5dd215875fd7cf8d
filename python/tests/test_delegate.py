"""ember.load_delegate + experimental_delegates, as in LiteRT, with the
example external delegate (examples/delegate/, built next to the library
as ember_example_delegate.so). Outputs must equal the CPU run's exactly."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import ember

_REPO = pathlib.Path(__file__).resolve().parents[2]
_EXAMPLE = os.environ.get(
    "EMBER_EXAMPLE_DELEGATE",
    str(_REPO / "build" / "release" / "ember_example_delegate.so"))


@pytest.fixture(scope="module")
def example():
    # Built by scripts/test.sh with everything else: missing is a failure.
    assert os.path.exists(_EXAMPLE), f"example delegate not built: {_EXAMPLE}"
    return _EXAMPLE


@pytest.fixture(scope="module")
def model(tf):
    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([2, 8], tf.float32, name="x")])
        def serve(self, x):
            t1 = x + 0.5
            return {"y": tf.tanh(t1 * x) + t1}
    m = M()
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [m.serve.get_concrete_function()], m)
    return converter.convert()


def _run(content, delegates):
    interp = ember.Interpreter(model_content=content,
                               experimental_delegates=delegates)
    interp.allocate_tensors()
    d = interp.get_input_details()[0]
    x = np.linspace(-2, 2, 16, dtype=np.float32).reshape(2, 8)
    interp.set_tensor(d["index"], x)
    interp.invoke()
    return interp, interp.get_tensor(interp.get_output_details()[0]["index"])


def test_delegated_run_matches_cpu(model, example):
    _, cpu = _run(model, None)
    delegate = ember.load_delegate(example)
    assert delegate.name == "example"
    interp, out = _run(model, [delegate])
    np.testing.assert_array_equal(out, cpu)
    report = interp._get_delegate_report()
    assert report[0]["name"] == "example"
    assert report[0]["nodes_taken"] >= 2
    assert not any(p["on_cpu"] for p in report[0]["partitions"])


def test_failing_delegate_falls_back(model, example):
    _, cpu = _run(model, None)
    delegate = ember.load_delegate(example, {"fail_at": "invoke"})
    interp, out = _run(model, [delegate])
    np.testing.assert_array_equal(out, cpu)
    report = interp._get_delegate_report()
    assert report[0]["nodes_taken"] == 0
    assert "fail_at=invoke" in report[0]["partitions"][0]["reason"]


def test_load_errors(example):
    with pytest.raises(ValueError, match="nonexistent"):
        ember.load_delegate("/nonexistent/libdelegate.so")
    with pytest.raises(ValueError, match="colour"):
        ember.load_delegate(example, {"colour": "blue"})
    with pytest.raises(ValueError, match="load_delegate"):
        ember.Interpreter(model_content=b"", experimental_delegates=["gpu"])


_GPU_CHILD = """
import json, sys
import numpy as np
import ember
try:
    d = ember.load_delegate("gpu", {"min_nodes_per_partition": 1})
except ValueError as e:
    print(json.dumps({"unavailable": str(e)}))
    sys.exit(0)
it = ember.Interpreter(model_path=sys.argv[1], experimental_delegates=[d])
it.allocate_tensors()
x = np.linspace(-2, 2, 16, dtype=np.float32).reshape(2, 8)
it.set_tensor(it.get_input_details()[0]["index"], x)
it.invoke()
out = it.get_tensor(it.get_output_details()[0]["index"])
print(json.dumps({"out": out.tolist(), "report": it._get_delegate_report()}))
"""


def test_gpu_delegate_matches_cpu_within_tolerance(model, tmp_path):
    # The built-in Vulkan delegate (lavapipe in CI), in a child process:
    # lavapipe's LLVM JIT crashes in a process that has TensorFlow loaded
    # (TensorFlow's LLVM symbols interpose Mesa's libLLVM), and this
    # module builds its model with TensorFlow. Without a Vulkan device the
    # delegate cannot start: a skip, or a failure under
    # EMBER_REQUIRE_VULKAN=1.
    path = tmp_path / "m.tflite"
    path.write_bytes(model)
    child = subprocess.run([sys.executable, "-c", _GPU_CHILD, str(path)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if "unavailable" in result:
        assert os.environ.get("EMBER_REQUIRE_VULKAN") != "1", result
        pytest.skip(f"gpu delegate unavailable: {result['unavailable']}")
    _, cpu = _run(model, None)
    np.testing.assert_allclose(np.array(result["out"], dtype=np.float32), cpu,
                               rtol=1e-4, atol=1e-4)
    report = result["report"]
    assert report[0]["name"] == "gpu"
    assert report[0]["nodes_taken"] >= 3
    assert not any(p["on_cpu"] for p in report[0]["partitions"])


def test_gpu_delegate_without_a_vulkan_loader_says_why():
    with pytest.raises(ValueError, match="no Vulkan loader|not built"):
        ember.load_delegate("gpu", {"vulkan_library": "/nonexistent/libvulkan.so.1"})
