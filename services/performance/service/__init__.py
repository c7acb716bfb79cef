"""Use cases of the performance service."""
