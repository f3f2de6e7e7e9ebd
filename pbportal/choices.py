"""Named states and kinds. Each is a StrEnum whose members are the strings stored in the database, so models,
services and templates compare against one vocabulary (`entry.status == EntryStatus.ACTIVE`), and the
database checks the same values with a CHECK constraint built from the enum (`check_in`)."""
from __future__ import annotations

import enum
from collections.abc import Iterable


def check_in(column: str, choices: type[enum.Enum] | Iterable[enum.Enum]) -> str:
    """The SQL for a CHECK constraint: column IN (every value of the enum, or of the members given)."""
    return f"{column} IN ({', '.join(repr(m.value) for m in choices)})"


class RecordStatus(enum.StrEnum):
    """A money record's state (spending entries, money in, pay records). Money records are never deleted: one
    that no longer counts is voided, or corrected by a new record that points back at it."""

    ACTIVE = "active"
    VOIDED = "voided"
    CORRECTED = "corrected"
