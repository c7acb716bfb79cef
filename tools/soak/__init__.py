"""The soak: fault scenarios under load with retrying clients, the invariants after each, and the
flood test (`make soak`; docs/reliability.md). The quick tier in `make test` reuses it."""
