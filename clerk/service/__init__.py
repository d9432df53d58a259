"""The application service: `Window` (window.py), the facade the screens and the CLI call, its
desks, and the views it hands back. Talks to storage through `clerk.ports` only."""
