"""Pieces of the SQLite store behind `clerk.db`: connection, schema, hash chain, users, queries.

Callers use `clerk.db.Store`; these modules are its parts and are imported directly only by tests
and by the maintenance commands (`clerk verify`, `clerk backup`).
"""
