"""The storage port: the protocols the service and the sync talk to, the typed records that cross
them in and out, and the backend-neutral errors. Each storage engine (`clerk.storage.*`)
implements them; nothing here knows an engine."""
