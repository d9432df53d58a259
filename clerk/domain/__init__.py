"""The rulebook: the catalogue of 39 items, the case workflow, deadlines in working days,
materials and the one-time notice, identifiers, accounts' rules, the event hash recipe.

Imports only `clerk.support` and libraries; never storage, the service, sync or Textual.
"""
