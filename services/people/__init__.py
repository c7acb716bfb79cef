"""people service: organisation, accounts, roles and permissions, training, attendance."""
