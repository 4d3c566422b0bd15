"""Staff passwords: argon2 hashing kept off the event loop."""

from __future__ import annotations

import threading

from school_safety.staff import passwords


async def test_request_handlers_hash_and_verify_off_the_event_loop(monkeypatch):
    threads: list[int] = []
    real_hash, real_verify = passwords.hash_password, passwords.verify_password

    def hash_recording(password: str) -> str:
        threads.append(threading.get_ident())
        return real_hash(password)

    def verify_recording(stored: str, password: str) -> bool:
        threads.append(threading.get_ident())
        return real_verify(stored, password)

    monkeypatch.setattr(passwords, "hash_password", hash_recording)
    monkeypatch.setattr(passwords, "verify_password", verify_recording)
    stored = await passwords.hashed("a long enough password")
    assert await passwords.matches(stored, "a long enough password")
    assert not await passwords.matches(stored, "another password")
    assert len(threads) == 3 and threading.get_ident() not in threads
