"""CodeArena core: configuration, storage, queue, scoring, leaderboards and auth.

Shipped to Lambda as a layer and installed on judge hosts. It imports nothing from
`functions/`, `judge_host/` or `sandbox/`; only `codearena.cli`, the composition root,
reaches them (lazily).
"""
