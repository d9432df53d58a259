"""What every layer may use and that knows nothing of the domain: the data directory's paths,
owner-only files, progress callbacks. Imports only the standard library and platformdirs."""
