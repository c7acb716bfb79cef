"""gRPC servicer of the orders service."""
