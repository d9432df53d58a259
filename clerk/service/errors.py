"""The window service's errors: a move it cannot make, an account that may no longer act.

Every message is Chinese and says what to do. `limited` runs a free field through its
`clerk.domain.field_limits` check and turns a refusal into a `ServiceError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clerk.domain.text_input import TextInputError


class ServiceError(ValueError):
    """A move the window cannot make; the message is Chinese and says what to do."""


class ActorRevokedError(ServiceError):
    """The signed-in account was deactivated or given another role since it logged in: the
    session may no longer act (the app logs it out and shows the message)."""


def limited(check: Callable[..., Any], *args: Any) -> Any:
    """A field through its `clerk.domain.field_limits` check; a refusal becomes a `ServiceError`."""
    try:
        return check(*args)
    except TextInputError as exc:
        raise ServiceError(str(exc)) from None
