"""The Envoy gateway: config generated from the protos, for the local run and for Kubernetes."""
