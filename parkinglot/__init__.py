"""Parking lot."""
