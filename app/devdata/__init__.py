"""Data that is not real: the idempotent demo (``flask seed-demo``) and synthetic responses for demos,
benchmarks and tests."""
