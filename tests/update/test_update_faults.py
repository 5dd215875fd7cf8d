"""Fault injection for `ember update` (docs/update.md), over a real HTTP
server on loopback (bundle_server.py). Every case starts from a device with
version 1.0.0 installed and used, injects one fault into an update, and
then checks the invariant: the active model is complete and verified (its
signature with `ember verify`, its SHA-256 against the signed manifest),
and the previous good model is still there. Faults: SIGKILL at every step
of an update (EMBER_UPDATE_CRASH_AT), truncated / corrupted / 500 /
stalled downloads, a full disk (ulimit -f), a bundle signed by another
key, a tampered manifest, a downgrade, a model that verifies but fails its
health check (wrong probe output, latency budget), a crash on first use.
EMBER_CLI names the ember binary (default build/release/ember)."""
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from bundle_server import BundleServer  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("EMBER_CLI", str(ROOT / "build/release/ember"))
MODEL = ROOT / "models/default/digits.tflite"

# Steps of an update at which the process is killed (update_manager.h).
KILL_POINTS_BEFORE_SWITCH = ["manifest", "staged", "download", "downloaded",
                             "verified", "health", "marker"]
KILL_POINTS_AFTER_SWITCH = ["switch", "history"]


def ember(*args, env=None, ulimit_f=None, timeout=120):
    cmd = [CLI, *map(str, args)]
    full_env = dict(os.environ)
    full_env.pop("EMBER_UPDATE_CRASH_AT", None)
    full_env.update(env or {})
    if ulimit_f is not None:  # a full disk: writes past N KiB fail
        cmd = ["bash", "-c", f'ulimit -f {ulimit_f}; exec "$@"', "ember", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env,
                          timeout=timeout)


def ok(*args, **kw):
    r = ember(*args, **kw)
    assert r.returncode == 0, f"ember {args}: {r.stdout}{r.stderr}"
    return r


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    assert os.path.exists(CLI), f"the ember CLI is not built at {CLI}"
    d = tmp_path_factory.mktemp("update")
    ok("keygen", "-o", d / "pub")
    ok("keygen", "-o", d / "other")
    www = d / "www"
    www.mkdir()

    def bundle(name, version, *extra, key="pub"):
        ok("update", "bundle", MODEL, "--key", d / key, "--model-id", "digits",
           "--version", version, "-o", www / name, *extra)

    bundle("v1", "1.0.0")
    bundle("v1_1", "1.1.0")
    bundle("v2", "2.0.0")
    bundle("wrong_key", "2.5.0", key="other")
    # Verifies (signed by the right key) but its probe output is wrong.
    probe_in = np.load(www / "v1/probe-0-in-0.npy")
    probe_out = np.load(www / "v1/probe-0-out-0.npy")
    np.save(d / "in.npy", probe_in)
    np.save(d / "bad_out.npy", probe_out + 0.5)
    bundle("bad_probe", "3.0.0", "--auto-probes", "0",
           "--probe", f"{d / 'in.npy'}={d / 'bad_out.npy'}")
    bundle("too_slow", "3.1.0", "--latency-budget-ms", "0.000001")
    bundle("rollout0", "4.0.0", "--rollout", "0")
    bundle("rollout50", "4.1.0", "--rollout", "50")
    bundle("future", "5.0.0", "--min-ember-version", "99.0")
    # Manifests edited after signing: same length, and one byte shorter.
    for name, old, new in [("tampered", '"2.0.0"', '"2.0.1"'),
                           ("tampered_len", '"rollout_percent": 100',
                            '"rollout_percent": 99')]:
        shutil.copytree(www / "v2", www / name)
        text = (www / name / "manifest.json").read_text()
        assert old in text
        (www / name / "manifest.json").write_text(text.replace(old, new))
    with BundleServer(str(www)) as server:
        yield {"dir": d, "www": www, "server": server, "pub": d / "pub.pub"}


def status(w, state):
    r = ok("update", "status", "--state", state, "--pubkey", w["pub"],
           "--json")
    return json.loads(r.stdout)


def assert_intact(w, state, active, previous=None):
    """The invariant after every fault."""
    s = status(w, state)
    assert s["active"] is not None, s
    assert s["active"]["version"] == active, s
    paths = [s["active"]]
    if previous is not None:
        assert s["previous"] is not None and \
            s["previous"]["version"] == previous, s
        paths.append(s["previous"])
    for slot in paths:
        path = slot["model_path"]
        ok("verify", path, "--pubkey", w["pub"])
        digest = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()
        assert digest == slot["sha256"], f"{path} is not the signed model"
    return s


def apply(w, state, bundle, env=None, extra=(), **kw):
    return ember("update", "apply", w["server"].url(f"{bundle}/manifest.json"),
                 "--state", state, "--pubkey", w["pub"], "--device-id",
                 "device-1", *extra, env=env, **kw)


@pytest.fixture
def device(world, tmp_path):
    """A device with 1.0.0 installed and its first use done."""
    world["server"].faults.clear()
    world["server"].requests.clear()
    state = tmp_path / "state"
    ok("update", "apply", world["server"].url("v1/manifest.json"), "--state",
       state, "--pubkey", world["pub"], "--device-id", "device-1")
    ok("update", "run", "--state", state, "--pubkey", world["pub"])
    assert_intact(world, state, "1.0.0")
    return state


def test_update_then_first_use(world, device):
    r = apply(world, device, "v2", extra=["--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["outcome"] == "installed" and out["probes_run"] == 1
    s = assert_intact(world, device, "2.0.0", previous="1.0.0")
    assert s["first_use"] == "pending"
    ok("update", "run", "--state", device, "--pubkey", world["pub"])
    s = status(world, device)
    assert s["first_use"] is None
    events = [e["event"] for e in s["history"]]
    assert events[-2:] == ["activated", "first-use-ok"], events
    # Applying the same version again changes nothing.
    r = apply(world, device, "v2", extra=["--json"])
    assert json.loads(r.stdout)["outcome"] == "up-to-date"


@pytest.mark.parametrize("step", KILL_POINTS_BEFORE_SWITCH +
                         KILL_POINTS_AFTER_SWITCH)
def test_kill_at_every_step(world, device, step):
    server = world["server"]
    if step == "download":  # so that the kill lands mid-file
        server.faults["/v2/model.tflite"] = "slow"
    r = apply(world, device, "v2", env={"EMBER_UPDATE_CRASH_AT": step})
    assert r.returncode == -signal.SIGKILL, (step, r.stdout, r.stderr)
    if step in KILL_POINTS_BEFORE_SWITCH:
        assert_intact(world, device, "1.0.0")
    else:
        assert_intact(world, device, "2.0.0", previous="1.0.0")
    # The next attempt completes the update.
    server.faults.clear()
    server.requests.clear()
    r = apply(world, device, "v2")
    assert r.returncode == 0, r.stderr
    assert_intact(world, device, "2.0.0", previous="1.0.0")
    if step == "download":  # resumed, not restarted
        ranges = [rng for path, rng in server.requests
                  if path == "/v2/model.tflite"]
        assert ranges and ranges[0] is not None and \
            ranges[0].startswith("bytes="), ranges
    events = [e["event"] for e in status(world, device)["history"]]
    assert events.count("activated") == 2, events  # v1, then v2 once


@pytest.mark.parametrize("fault", ["truncate", "corrupt", "500", "stall"])
def test_bad_download(world, device, fault):
    server = world["server"]
    server.faults["/v2/model.tflite"] = fault
    server.stall_seconds = 20
    r = apply(world, device, "v2", extra=["--stall-timeout", "1"])
    assert r.returncode == 1, (fault, r.stdout, r.stderr)
    assert_intact(world, device, "1.0.0")
    expected = {"truncate": "", "corrupt": "SHA-256", "500": "HTTP 500",
                "stall": "stalled"}[fault]
    assert expected in r.stderr, r.stderr
    server.faults.clear()
    server.requests.clear()
    r = apply(world, device, "v2")
    assert r.returncode == 0, r.stderr
    assert_intact(world, device, "2.0.0", previous="1.0.0")
    if fault in ("truncate", "stall"):  # the partial file was resumed
        ranges = [rng for path, rng in server.requests
                  if path == "/v2/model.tflite"]
        assert ranges and ranges[0] and ranges[0].startswith("bytes="), ranges


def test_manifest_unavailable(world, device):
    world["server"].faults["/v2/manifest.json"] = "500"
    r = apply(world, device, "v2")
    assert r.returncode == 1 and "HTTP 500" in r.stderr, r.stderr
    assert_intact(world, device, "1.0.0")


def test_full_disk(world, device):
    # 8 KiB per file: the manifest fits, the 11 KB model does not.
    r = apply(world, device, "v2", ulimit_f=8)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "File too large" in r.stderr or "No space" in r.stderr, r.stderr
    assert_intact(world, device, "1.0.0")
    r = apply(world, device, "v2")
    assert r.returncode == 0, r.stderr
    assert_intact(world, device, "2.0.0", previous="1.0.0")


@pytest.mark.parametrize("bundle,message", [
    ("wrong_key", "not among the 1 trusted key"),
    ("tampered", "was modified"),
    ("tampered_len", "inserted or removed"),
])
def test_untrusted_bundle(world, device, bundle, message):
    r = apply(world, device, bundle)
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert_intact(world, device, "1.0.0")


def test_downgrade_refused(world, device):
    ok(*["update", "apply", world["server"].url("v2/manifest.json"),
         "--state", device, "--pubkey", world["pub"]])
    r = apply(world, device, "v1_1")
    assert r.returncode == 1 and "downgrade refused" in r.stderr, r.stderr
    assert_intact(world, device, "2.0.0", previous="1.0.0")


@pytest.mark.parametrize("bundle,message", [
    ("bad_probe", "expected"),
    ("too_slow", "latency budget"),
])
def test_health_check_failure(world, device, bundle, message):
    r = apply(world, device, bundle)
    assert r.returncode == 1, r.stdout
    assert "health check failed" in r.stderr and message in r.stderr, r.stderr
    s = assert_intact(world, device, "1.0.0")
    assert s["rejected"], s
    r = apply(world, device, bundle)  # not retried on this device
    assert r.returncode == 1 and "rejected" in r.stderr, r.stderr


def test_crash_on_first_use_rolls_back(world, device):
    ok(*["update", "apply", world["server"].url("v2/manifest.json"),
         "--state", device, "--pubkey", world["pub"]])
    r = ember("update", "run", "--state", device, "--pubkey", world["pub"],
              env={"EMBER_UPDATE_CRASH_AT": "first-use"})
    assert r.returncode == -signal.SIGKILL, r.stderr
    # The next start finds the marker and goes back to 1.0.0.
    s = assert_intact(world, device, "1.0.0", previous="2.0.0")
    assert "2.0.0" in s["rejected"]
    assert s["history"][-1]["event"] == "rolled-back", s["history"]
    r = apply(world, device, "v2")
    assert r.returncode == 1 and "rejected" in r.stderr, r.stderr


def test_manual_rollback(world, device):
    ok(*["update", "apply", world["server"].url("v2/manifest.json"),
         "--state", device, "--pubkey", world["pub"]])
    ok("update", "rollback", "--state", device, "--pubkey", world["pub"])
    assert_intact(world, device, "1.0.0", previous="2.0.0")
    # Nothing to roll back to twice in a row past the A/B pair's end.
    r = apply(world, device, "v2")
    assert r.returncode == 1 and "rejected" in r.stderr


def test_newer_ember_required(world, device):
    r = apply(world, device, "future")
    assert r.returncode == 1 and "needs Ember 99.0" in r.stderr, r.stderr
    assert_intact(world, device, "1.0.0")


def rollout_bucket(model_id, device_id):
    """Independent oracle for manifest.h's RolloutBucket."""
    d = hashlib.sha256(b"ember-rollout\0" + model_id.encode() + b"\0" +
                       device_id.encode()).digest()
    return int.from_bytes(d[:4], "little") % 100


def test_staged_rollout(world, device):
    r = apply(world, device, "rollout0", extra=["--json"])
    assert r.returncode == 0 and \
        json.loads(r.stdout)["outcome"] == "not-in-rollout"
    assert_intact(world, device, "1.0.0")
    # 50%: each device id gets the outcome its bucket says.
    seen = set()
    for i in range(8):
        dev = f"device-{i}"
        state = device.parent / f"rollout-{i}"
        shutil.copytree(device, state)
        r = ember("update", "apply", world["server"].url("rollout50/manifest.json"),
                  "--state", state, "--pubkey", world["pub"], "--device-id",
                  dev, "--json")
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        bucket = rollout_bucket("digits", dev)
        assert out["rollout_bucket"] == bucket
        expected = "installed" if bucket < 50 else "not-in-rollout"
        assert out["outcome"] == expected, (dev, bucket, out)
        seen.add(out["outcome"])
        assert_intact(world, state, "4.1.0" if bucket < 50 else "1.0.0")
    assert seen == {"installed", "not-in-rollout"}, seen
