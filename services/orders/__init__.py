"""Orders service: orders from every channel, fulfilment, logistics exceptions and after-sales."""
