"""The local gateway answers odd paths as the API does: a JSON 4xx, never a 500."""

from __future__ import annotations

import httpx


def test_odd_paths_are_4xx_in_our_shape(gateway: str) -> None:
    for path in ["/%00", "/submissions/%00", "/" + "a" * 300, "/js/" + "b" * 5000 + ".js"]:
        response = httpx.get(gateway + path, timeout=10)
        assert 400 <= response.status_code < 500, (path[:40], response.status_code, response.text[:200])
        assert set(response.json()) == {"error"}, response.text[:200]
    assert httpx.get(gateway + "/", timeout=10).status_code == 200  # the web app is still served
