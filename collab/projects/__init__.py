"""Joint projects."""
