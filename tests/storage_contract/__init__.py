"""The storage port's contract suite: written once against `clerk.ports.store.Store`, run per adapter."""
