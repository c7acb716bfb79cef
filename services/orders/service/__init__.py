"""Use cases of the orders service."""
