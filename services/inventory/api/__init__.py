"""gRPC servicer of the inventory service."""
