"""The proof of the record, written once against the port (`clerk.ports.store.RecordReads`).

A layer of its own just above the port and below the storage adapters: it reads only what the
port offers (so it cannot import an engine or an adapter), and every adapter can answer
`Store.verify()` with it.
"""
