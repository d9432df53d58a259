"""The screens of the window app, one per module."""
