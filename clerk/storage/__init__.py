"""Storage adapters behind `clerk.ports`: `sqlite/` (the embedded default). Callers open one
through `clerk.db.open_store`; nothing above the port imports this package."""
