"""Written documents the window hands over: what they say, as text and PDF, and where they are kept.

The package loads nothing itself: the font check at sign-in (`clerk.documents.fonts`) does not
pay for the documents' model, which the first decision loads."""
