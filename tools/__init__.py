"""Developer tooling (benchmarks, scale and soak runs, dev services, privacy evaluation).

Not part of the runtime package: nothing in ``bot/`` or ``actions/`` imports it.
"""
