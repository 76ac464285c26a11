"""The `codearena` console script: the composition root (imports other parts lazily)."""

from codearena.cli.entry import main

__all__ = ["main"]
