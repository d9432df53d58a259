"""Helpers shared by the test modules (no tests here): import them as `from support.x import ...`.

- `support.clock`: `Clock`, the one settable fixed clock;
- `support.db`: `fresh_db`, a migrated empty database copied from a per-session template;
- `support.sync`: two installations (county office YZ03 and township point LS01) and the `pair`
  fixture;
- `support.app`: a real `Window` on a fresh database, and the Pilot helpers (`app_for`, ...).

`tests/conftest.py` registers the fixtures (`clock`, `fresh_db_path`, `pair`) for every module.
"""
