"""End-of-day sync between a service point and its county office (domain side, no UI, no SQL).

- `keys`: this installation's signing and encryption keys, public-key files, fingerprints;
- `peers`: who this installation is, and registering, replacing and revoking the other side's keys;
- `ownership`: one owner per case (hand-on events) and the chain each installation writes;
- `bundle`: the signed, encrypted bundle file (manifest, JSON Lines records, documents);
- `exchange`: what to export for a peer, and how an imported bundle is checked and applied;
- `wire`: the record shapes of bundle format 2 (docs/BUNDLE.md), mapped from and to storage rows;
- the window's side (收件转报, owner checks, export/import, conflicts, keys) is the sync desk
  in `clerk.service.sync_desk`; the storage it needs is the `clerk.ports.sync.SyncStore` port.
"""
