"""The keys of the store's settings that more than one layer reads or writes, defined once."""

from __future__ import annotations

SETTING_POINT = "point_code"
"""The code of the office or point this installation is (set up once, changed by its admin)."""

# The last passed verify, which the next incremental one starts from (each engine's verify).
SETTING_LAST_N = "verify.last_n"
SETTING_SCHEMA = "verify.schema_cookie"
SETTING_AT = "verify.at"
SETTING_FILES = "verify.files"  # `FilesLook.to_text()` of the last passed look at document files
