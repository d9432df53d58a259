"""Bundles over the network: the county's receiving service and the point's client.

- `signing`: HTTP message signatures (RFC 9421) with each installation's registered Ed25519 key;
- `mailbox`: the county's received bundles on disk, imported in order by `Window.import_bundle`;
- `server`: the Starlette application `clerk serve` runs under uvicorn;
- `client`: `clerk send` / `clerk fetch` (httpx, retried with stamina).

The network only carries the bundle files `clerk export` writes, byte for byte: a bundle sent
and the same file carried on a USB stick are one bundle, and acknowledgements still come back
only in the return bundle.
"""
