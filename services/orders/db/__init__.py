"""Tables, repositories and migrations of the orders service."""
