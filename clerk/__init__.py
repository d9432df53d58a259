"""clerk: the medical-insurance service window, in the terminal."""

__version__ = "0.1.0"
