"""Password hashing: production cost unless a test lowers it; any cost's hash verifies."""

from __future__ import annotations

from codearena import auth
from codearena.auth import CHEAP_COST, PRODUCTION_COST, PasswordCost, passwords
from codearena.config import Settings


def test_the_production_cost_is_the_default() -> None:
    assert PRODUCTION_COST == PasswordCost(time_cost=2, memory_kib=19 * 1024, parallelism=1)
    assert Settings(database_url="", redis_url="", jwt_secret="s").password_cost == PRODUCTION_COST
    env = {"DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://cache/0", "CODEARENA_JWT_SECRET": "s"}
    assert Settings.from_env(env).password_cost == PRODUCTION_COST
    assert "$m=19456,t=2,p=1$" in auth.hash_password("correct-horse")
    assert "$m=19456,t=2,p=1$" in passwords().hash("correct-horse")


def test_a_cheap_hash_verifies_anywhere_and_is_upgraded() -> None:
    cheap = passwords(CHEAP_COST).hash("correct-horse")
    assert cheap.startswith("$argon2id$") and "$m=8,t=1,p=1$" in cheap
    assert passwords().verify(cheap, "correct-horse") and not passwords().verify(cheap, "wrong")
    assert passwords().needs_rehash(cheap) and not passwords(CHEAP_COST).needs_rehash(cheap)


def test_a_hasher_is_made_once_per_cost() -> None:
    assert passwords(CHEAP_COST) is passwords(PasswordCost(1, 8, 1))
    assert passwords(CHEAP_COST).verify(passwords(CHEAP_COST).dummy_hash, "codearena-no-such-user")
