"""Use cases of the people service."""
