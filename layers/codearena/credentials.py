"""What a username and a password must be.

Usernames: 3 to 32 letters, digits, '_', '.' or '-', unique whatever their case (the
database enforces that); names that would pass for staff are kept for accounts an admin
creates. Passwords: 8 to 128 characters, not the username, and not easy to guess as zxcvbn
estimates it (its lists of common passwords, names and words, keyboard runs, sequences,
repeats and dates): at least 10^6 guesses, zxcvbn's score 2. NIST SP 800-63B asks for this
kind of check instead of composition rules.
"""

from __future__ import annotations

import re

from codearena.errors import BadRequest

USERNAME_RULE = "3 to 32 letters, digits, '_', '.' or '-'"
_USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,32}", re.ASCII)
RESERVED_USERNAMES = frozenset(
    {
        "admin", "administrator", "root", "jury", "judge", "judges", "staff", "system", "sysadmin",
        "superuser", "support", "moderator", "organizer", "organiser", "codearena", "official",
        "security", "anonymous", "nobody", "null", "undefined", "api", "www", "postmaster",
    }
)  # fmt: skip
PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH = 8, 128
_MIN_SCORE = 2  # zxcvbn: 2 = at least 10^6 guesses ("somewhat guessable": online attacks)


def check_username(username: str, *, self_service: bool) -> None:
    if not _USERNAME.fullmatch(username):
        raise BadRequest(f"a username is {USERNAME_RULE}", "invalid_username")
    if self_service and _reserved(username):
        raise BadRequest(f"the username '{username}' is reserved; choose another", "reserved_username")


def _reserved(username: str) -> bool:
    name = username.lower()
    return name in RESERVED_USERNAMES or name.rstrip("0123456789_.-") in RESERVED_USERNAMES


def check_password(password: str, username: str) -> None:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise BadRequest(
            f"a password is {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters long", "weak_password"
        )
    if password.lower() in (username.lower(), username.lower()[::-1]):
        raise BadRequest("the password must not be the username", "weak_password")
    from zxcvbn import zxcvbn  # imported on first use: it loads its word lists (~0.3 s)

    estimate = zxcvbn(password, user_inputs=[username], max_length=PASSWORD_MAX_LENGTH)
    if estimate["score"] < _MIN_SCORE:
        hint = estimate["feedback"]["warning"] or "it is too common or too simple"
        raise BadRequest(
            f"this password is easy to guess: {hint.rstrip('.')}; choose another", "weak_password"
        )
