"""gRPC servicer of the performance service."""
