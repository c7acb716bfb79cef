"""Shared runtime for every storeops service. No business rules live here."""
