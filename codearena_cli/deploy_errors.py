"""The one error `codearena deploy` and `destroy` stop with: a message for a person, an exit code."""

from __future__ import annotations

USAGE = 2  # refused before anything was changed: bad input, or a stack in a state to fix first
FAILED = 1  # AWS refused or failed part-way; what changed is said above the message


class DeployError(Exception):
    def __init__(self, message: str, exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
