"""CodeArena core: configuration, storage, queue, scoring, leaderboards and auth.

Shipped to Lambda as a layer and installed on judge hosts. It imports nothing from
`functions/`, `judge_host/`, `sandbox/` or `codearena_cli/` (the `codearena` command, the
composition root, which reaches them all lazily and is never shipped in the layer).
"""
