"""Tables, repositories and migrations of the inventory service."""
