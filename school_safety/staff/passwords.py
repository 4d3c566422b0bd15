"""Password hashing for staff accounts (argon2id, via argon2-cffi).

Argon2 is slow on purpose (tens of milliseconds): request handlers use the
async forms, which hash in a worker thread so that other requests go on.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


async def hashed(password: str) -> str:
    """hash_password, off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def matches(password_hash: str, password: str) -> bool:
    """verify_password, off the event loop."""
    return await asyncio.to_thread(verify_password, password_hash, password)
