"""The per-address sign-in limit lives in the process: each test starts with it empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def forget_sign_in_tries() -> Iterator[None]:
    from school_safety.staff import pages

    pages._sign_in_attempts.clear()
    yield
    # Tests elsewhere sign in from the same test address.
    pages._sign_in_attempts.clear()
