"""gRPC servicer of the people service."""
