"""The judge daemon: claim a job, compile once, run the tests in the sandbox, score, persist."""
