"""Quarterly business reviews."""
