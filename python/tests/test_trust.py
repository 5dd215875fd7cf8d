"""trusted_keys= / device_key= on ember.Interpreter (docs/trust.md): signed
and sealed models load and give the plain model's outputs; unsigned,
tampered, untrusted and wrongly keyed ones raise ValueError naming why.
Keys and signatures are made with the built `ember` CLI (EMBER_CLI, default
build/release/ember)."""
import os
import pathlib
import subprocess

import numpy as np
import pytest

import ember

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("EMBER_CLI", str(ROOT / "build/release/ember"))
MODEL = ROOT / "models/default/digits.tflite"


def ember_cli(*args):
    assert os.path.exists(CLI), f"the ember CLI is not built at {CLI}"
    subprocess.run([CLI, *map(str, args)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("trust")
    ember_cli("keygen", "-o", d / "pub")
    ember_cli("keygen", "-o", d / "other")
    ember_cli("keygen", "--symmetric", "-o", d / "dev")
    ember_cli("keygen", "--symmetric", "-o", d / "dev2")
    ember_cli("sign", MODEL, "--key", d / "pub", "-o", d / "signed.tflite")
    ember_cli("encrypt", d / "signed.tflite", "--key", d / "dev", "-o", d / "sealed.bin")
    return d


def run(interp):
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    x = np.linspace(0, 1, int(np.prod(inp["shape"])), dtype=inp["dtype"])
    interp.set_tensor(inp["index"], x.reshape(inp["shape"]))
    interp.invoke()
    return interp.get_tensor(interp.get_output_details()[0]["index"])


def test_signed_and_sealed_models_match_the_plain_one(files):
    expected = run(ember.Interpreter(model_path=str(MODEL)))
    signed = ember.Interpreter(model_path=str(files / "signed.tflite"),
                               trusted_keys=[str(files / "pub.pub")])
    np.testing.assert_array_equal(run(signed), expected)
    sealed = ember.Interpreter(model_path=str(files / "sealed.bin"),
                               trusted_keys=[files / "other.pub", files / "pub.pub"],
                               device_key=(files / "dev").read_bytes())
    np.testing.assert_array_equal(run(sealed), expected)


@pytest.mark.parametrize("case, message", [
    ("unsigned", "not signed"),
    ("untrusted", "not among the 1 trusted"),
    ("tampered", "does not match"),
    ("no_device_key", "no device key"),
    ("wrong_device_key", "wrong device key"),
    ("corrupted_ciphertext", "authentication failed"),
])
def test_refusals_name_the_reason(files, case, message):
    signed = (files / "signed.tflite").read_bytes()
    sealed = (files / "sealed.bin").read_bytes()
    pub, dev = str(files / "pub.pub"), None
    if case == "unsigned":
        content = MODEL.read_bytes()
    elif case == "untrusted":
        content, pub = signed, str(files / "other.pub")
    elif case == "tampered":
        content = bytearray(signed)
        content[len(content) // 2] ^= 1
    elif case == "no_device_key":
        content = sealed
    elif case == "wrong_device_key":
        content, dev = sealed, str(files / "dev2")
    else:
        content = bytearray(sealed)
        content[100] ^= 1
        dev = str(files / "dev")
    with pytest.raises(ValueError, match=message):
        ember.Interpreter(model_content=bytes(content), trusted_keys=pub, device_key=dev)


def test_bad_key_arguments(files):
    with pytest.raises(ValueError, match="could not open"):
        ember.Interpreter(model_path=str(MODEL), trusted_keys=[str(files / "missing.pub")])
    with pytest.raises(ValueError, match="secret signing key"):
        ember.Interpreter(model_path=str(MODEL), trusted_keys=[str(files / "pub")])
    with pytest.raises(TypeError):
        ember.Interpreter(model_path=str(MODEL), trusted_keys=[42])
