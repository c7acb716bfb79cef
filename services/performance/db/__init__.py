"""Tables, repositories and migrations of the performance service."""
