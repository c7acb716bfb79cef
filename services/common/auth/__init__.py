"""Token verification and per-RPC permission policies."""
