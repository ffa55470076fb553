"""Floor 0: small helpers shared by every app. Imports nothing of ours."""
