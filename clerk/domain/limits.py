"""Role sets and limits, defined once: the workflow, the service, storage, the screens and the CLI
import them from here rather than retyping a number or a set of roles."""

from __future__ import annotations

from datetime import date, timedelta

from clerk.domain.model import Role

# ---------------------------------------------------------------------- who may do what

CLERK_ROLES = frozenset(
    {Role.CLERK, Role.SUPERVISOR, Role.ADMIN}
)  # receive, check, accept, notice, refuse
REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN})  # approve, reject
FINANCE_ROLES = frozenset({Role.FINANCE, Role.ADMIN})  # register a payment
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})  # overrides, holidays, follow-ups
OVERRIDE_ROLES = SUPERVISOR_ROLES  # a later notice naming new materials
HOLIDAY_ROLES = SUPERVISOR_ROLES  # install a year's holiday file
EXPORT_ROLES = SUPERVISOR_ROLES  # export the daily ledger to CSV / Excel
LEDGER_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})  # open the daily ledger screen
ADMIN_ROLES = frozenset({Role.ADMIN})  # accounts and service points
ALL_ROLES = frozenset(Role)
# The order roles are offered in when an account is created.
ROLE_ORDER: tuple[Role, ...] = (
    Role.CLERK,
    Role.REVIEWER,
    Role.FINANCE,
    Role.SUPERVISOR,
    Role.ADMIN,
)

# ---------------------------------------------------------------------- limits

# 行政许可法 Art. 32: materials incomplete and no notice within 5 working days = accepted.
DEEMED_ACCEPTED_WORKING_DAYS = 5
# Days the applicant has to hand in what a one-time notice names (an office may set another).
DEFAULT_SUPPLEMENT_DAYS = 30
# Passwords and sign-in.
MIN_PASSWORD_LENGTH = 8
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
# The dates a deadline may be counted from: the calendar's range of years (holiday data and the
# lunar calendar behind provisional years), with room for the longest limit after the last.
DEADLINE_FIRST_DAY = date(2000, 1, 1)
DEADLINE_LAST_DAY = date(2099, 12, 31)
