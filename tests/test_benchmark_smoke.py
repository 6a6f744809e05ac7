"""The speed benchmark's machinery runs at a toy size (it asserts no timings).

Only nnlib and the two NumPy floors run here: no TensorFlow, no scikit-learn; PyTorch
only in a one-epoch check of its trainer (skipped when it is not installed).
"""
import functools
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # `benchmarks` lives at the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks import speed  # noqa: E402

CONTENDERS = ("nnlib", "numpy_loop", "matmul_floor")


def test_benchmark_runs_at_toy_size(tmp_path):
    results = speed.run_benchmark(n_samples=512, repeats=1, contenders=CONTENDERS,
                                  data="uniform", accuracy_seeds=(), quiet=False,
                                  micro_effort=0.02, digits_epochs=1,
                                  log=lambda *args: None)

    assert set(results["timings"]) == {"adam/32", "adam/128", "sgd/32", "sgd/128",
                                       "digits/adam/32", "digits/sgd/32"}
    for entry in results["timings"].values():
        n = 512 if entry["workload"] == "mnist" else 1797
        assert entry["steps"] == math.ceil(n / entry["batch_size"])
        assert set(entry["contenders"]) == set(CONTENDERS)
        for stats in entry["contenders"].values():
            assert len(stats["times"]) == 1
            assert all(math.isfinite(t) and t > 0 for t in stats["times"])
            assert math.isfinite(stats["median"]) and math.isfinite(stats["median_us_per_step"])

    # the flat loop computes what nnlib computes (checked inside run_benchmark too)
    assert set(results["numpy_loop_check"]) == {"adam", "sgd"}
    assert all(v < 1e-4 for v in results["numpy_loop_check"].values())

    # the NumPy figures are measured; those needing Keras, PyTorch or scikit-learn are not
    figures = results["figures"]
    assert len(figures) == len(speed.TARGETS) + 1
    measured = [f for f in figures if f["value"] is not None]
    expected = {t.figure for t in speed.TARGETS
                if {t.numerator, t.denominator} <= set(CONTENDERS)}
    assert {f["figure"] for f in measured} == expected and len(expected) == 3
    assert all(math.isfinite(f["value"]) and f["met"] in (True, False) for f in measured)
    assert all(f["met"] is None for f in figures if f["value"] is None)

    # the breakdown of nnlib's step: every part measured, and they add up to the step
    assert set(results["breakdown"]) == {"adam/32", "adam/128", "sgd/32", "sgd/128"}
    for b in results["breakdown"].values():
        assert all(math.isfinite(b[k]) for k in speed.BREAKDOWN_PARTS)
        assert b["matmuls"] > 0 and b["optimizer"] > 0 and b["total"] > 0
        assert sum(b[k] for k in speed.BREAKDOWN_PARTS) == pytest.approx(b["total"])

    for key in ("machine", "config", "date", "wall_time_s"):
        assert key in results
    micro = results["micro_us"]                       # the small costs the page explains
    assert {"ufunc_call", "adam_update", "matmul_32_float32"} <= set(micro)
    assert all(math.isfinite(v) and v > 0 for v in micro.values())
    json.dumps(results)                                  # the --json output works
    table = speed.markdown(results)
    assert "| figure | target | measured | |" in table
    assert "Where the time of one nnlib step goes" in table and "digits" in table
    speed.plot(results, tmp_path / "benchmark.png")
    assert (tmp_path / "benchmark.png").stat().st_size > 0


def test_a_missing_library_is_skipped_with_its_reason(monkeypatch):
    monkeypatch.setattr(speed, "import_torch", lambda threads: None)
    X, y = speed.make_digits_data()
    makers = {name: functools.partial(speed.make_contender, name, X, y, "sgd", 32,
                                      w=speed.DIGITS)
              for name in ("nnlib", "torch")}
    times, details, noise, skipped = speed.time_epochs(makers, repeats=1, quiet=False)
    assert set(skipped) == {"torch"} and "not installed" in skipped["torch"]
    assert len(times["nnlib"]) == 1 and times["torch"] == []


def test_the_pytorch_trainer_trains_the_same_network():
    torch = pytest.importorskip("torch")
    X, y = speed.make_digits_data()
    trainer = speed.TorchTrainer(torch, speed.DIGITS, "adam", 32)
    shapes = [tuple(p.shape) for p in trainer.model.parameters()]
    assert shapes == [(32, 64), (32,), (10, 32), (10,)]
    assert all(p.dtype == torch.float64 for p in trainer.model.parameters())
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    first, second = trainer.epoch(Xt, yt), trainer.epoch(Xt, yt)
    assert math.isfinite(first) and second < first < np.log(10) + 0.5
