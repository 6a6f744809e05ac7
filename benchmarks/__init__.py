"""Benchmarks of nnlib (not part of the library and not imported by the chapters).

``python -m benchmarks.speed`` times one training epoch of the same small network in
nnlib, Keras and scikit-learn, and against two NumPy floors; ``appendix/benchmarks.md``
shows and explains its results.
"""
