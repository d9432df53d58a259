"""All of the TUI: the Textual app (app.py, app.tcss), one screen per module, the shared widgets
(widgets/). The only package that imports `textual`; it asks `clerk.service` and shows the
answer, never storage."""
