"""Floor 1: people, departments, roles, and the one place permissions are decided."""
