"""Flywheel's benchmark suite: every figure beside a baseline measured in the same run.

``python -m bench`` runs everything in full mode (the million-event company);
``python -m bench --quick`` runs the same benchmarks at a smaller scale in a few
minutes. Either ends with one line of JSON holding every figure, its baseline,
the ratio and the goal. See docs/PERFORMANCE.md.
"""
