"""The `codearena` console script: the composition root (imports other parts lazily).

It runs on developers' machines, judge hosts and images, never in Lambda: the core layer
(`codearena_cli.layer`) ships `layers/codearena` alone. `devservers` finds or starts the local
PostgreSQL and Redis for the CLI (`codearena up`, `demo`), the tests and the benchmarks.
"""

from codearena_cli.entry import main

__all__ = ["main"]
