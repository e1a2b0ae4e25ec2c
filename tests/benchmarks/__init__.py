"""``make bench``: speed and scale of TU-tracker on a synthetic registry far larger than reality.

Entry point: ``python -m tests.benchmarks.run`` (``--quick`` for a smaller run). Not part of ``make test``.
"""
