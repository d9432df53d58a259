"""Reusable widgets of the window app."""
