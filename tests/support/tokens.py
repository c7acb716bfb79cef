"""Tokens for tests: signed with the test system's own key store (no people call needed)."""

from tools.tokens import LocalTokens as TestTokens

__all__ = ["TestTokens"]
