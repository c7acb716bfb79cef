"""Tables, repositories and migrations of the people service."""
