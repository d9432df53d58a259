"""End-of-day sync between a service point and its county office (domain side, no UI, no SQL).

- `keys`: this installation's signing and encryption keys, peers' public keys, fingerprints;
- `bundle`: the signed, encrypted bundle file (manifest, JSON Lines records, documents);
- `exchange`: what to export for a peer, and how an imported bundle is checked and applied;
- `service`: the window's side (hand-on of collected cases, the conflict queue, the day's export).
"""
