"""The speed benchmark's machinery runs at a toy size (it asserts no timings).

Only nnlib and the two NumPy floors run here: no TensorFlow, no scikit-learn.
"""
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # `benchmarks` lives at the repository root
    sys.path.insert(0, str(ROOT))

from benchmarks import speed  # noqa: E402

CONTENDERS = ("nnlib", "numpy_loop", "matmul_floor")


def test_benchmark_runs_at_toy_size(tmp_path):
    results = speed.run_benchmark(n_samples=512, repeats=1, contenders=CONTENDERS,
                                  data="uniform", accuracy_seeds=(), quiet=False,
                                  micro_effort=0.02, log=lambda *args: None)

    assert set(results["timings"]) == {"adam/32", "adam/128", "sgd/32", "sgd/128"}
    for entry in results["timings"].values():
        assert entry["steps"] == math.ceil(512 / entry["batch_size"])
        assert set(entry["contenders"]) == set(CONTENDERS)
        for stats in entry["contenders"].values():
            assert len(stats["times"]) == 1
            assert all(math.isfinite(t) and t > 0 for t in stats["times"])
            assert math.isfinite(stats["median"]) and math.isfinite(stats["median_us_per_step"])

    # the flat loop computes what nnlib computes (checked inside run_benchmark too)
    assert set(results["numpy_loop_check"]) == {"adam", "sgd"}
    assert all(v < 1e-4 for v in results["numpy_loop_check"].values())

    # the two NumPy figures are measured; those needing Keras or scikit-learn are not
    figures = results["figures"]
    assert len(figures) == len(speed.TARGETS) + 1
    measured = [f for f in figures if f["value"] is not None]
    assert {f["figure"] for f in measured} == {speed.TARGETS[0].figure, speed.TARGETS[1].figure}
    assert all(math.isfinite(f["value"]) and f["met"] in (True, False) for f in measured)
    assert all(f["met"] is None for f in figures if f["value"] is None)

    for key in ("machine", "config", "date", "wall_time_s"):
        assert key in results
    micro = results["micro_us"]                       # the small costs the page explains
    assert {"ufunc_call", "adam_update", "matmul_32_float32"} <= set(micro)
    assert all(math.isfinite(v) and v > 0 for v in micro.values())
    json.dumps(results)                                  # the --json output works
    table = speed.markdown(results)
    assert "| figure | target | measured | |" in table
    speed.plot(results, tmp_path / "benchmark.png")
    assert (tmp_path / "benchmark.png").stat().st_size > 0
