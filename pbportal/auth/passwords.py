"""What a new password must be: 12 to 128 characters, and not one that is common or easy to work out
(zxcvbn's estimate, from the lists of common and breached passwords, words and names it ships; no network)."""
from __future__ import annotations

from wtforms.validators import ValidationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
ZXCVBN_MAX = 72  # zxcvbn reads up to this many characters; a longer password is judged by its start
GOOD_ENOUGH = 3  # zxcvbn's score, 0 to 4: 3 is "safely unguessable"


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """What is wrong with a new password, in words for the person choosing it; None if it will do."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if any(mine in _plain(password) for mine in _personal(user_inputs)):
        return "Choose a password that does not contain your name or email address"
    words = [v for v in user_inputs if v] + [part for v in user_inputs if v for part in v.replace("@", " ").split()]
    if zxcvbn(password[:ZXCVBN_MAX], user_inputs=words)["score"] < GOOD_ENOUGH:
        return ("Choose a password that is harder to guess: this one is common, or easy to work out. Three random "
                "words together make a good password")
    return None


class NewPassword:
    """A WTForms validator for a new password; `user_inputs(form)` gives the person's name and email, which a
    password should not be made of."""

    def __init__(self, user_inputs=lambda form: ()):
        self.user_inputs = user_inputs

    def __call__(self, form, field):
        problem = password_problem(field.data or "", user_inputs=tuple(self.user_inputs(form)))
        if problem:
            raise ValidationError(problem)


def _plain(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _personal(user_inputs: tuple[str, ...]) -> list[str]:
    """The person's name run together and their email address's local part, where long enough to mean
    something."""
    found = [_plain(value.split("@")[0]) for value in user_inputs if value]
    return [value for value in found if len(value) >= 4]
