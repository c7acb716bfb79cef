"""`make load`: load tests of the order and stock paths, measured against ceilings taken on the
same machine in the same run (raw SQL with pgbench, a no-op gRPC call through Envoy)."""
