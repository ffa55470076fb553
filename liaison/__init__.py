"""Liaisons and meetings."""
