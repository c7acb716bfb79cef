"""Developer tools: code generation, local launcher helpers, load tests."""
