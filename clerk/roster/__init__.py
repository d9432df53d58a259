"""The 表6 roster: a college enrols its students in one go (item 9, 城乡居民参保登记).

Pure parsing and validation of .xlsx and .csv rosters and the template writer; no database and
no screen. `clerk.service.enrolment` turns a checked roster into cases.
"""

from clerk.roster.checks import RosterCheck, Student, check_file, check_sheet
from clerk.roster.problems import ENROLLED, FILE, ROW, Problem
from clerk.roster.reader import Sheet, read_roster
from clerk.roster.template import write_template

__all__ = [
    "ENROLLED",
    "FILE",
    "ROW",
    "Problem",
    "RosterCheck",
    "Sheet",
    "Student",
    "check_file",
    "check_sheet",
    "read_roster",
    "write_template",
]
