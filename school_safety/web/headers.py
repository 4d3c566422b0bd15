"""Security headers on every response, including errors and unknown paths.

Set from a before-send hook rather than a middleware because Litestar runs
middleware only on matched routes, and a 404 page needs the same policy.
"""

from __future__ import annotations

from litestar.types import Message, Scope

# No inline script and no other origin, ever: a pupil's page must not be able
# to leak to a third party, even through an injected tag.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Pages with a receipt, a case or a one-time password: kept by no cache, shared or private.
NO_STORE = {"cache-control": "no-store"}

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


# Encoded once: this runs for every response.
_ENCODED_HEADERS = [
    (name.encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()
]


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    # A handler that set one of these itself (a stricter policy, say) keeps its own.
    present = {bytes(name).lower() for name, _value in headers}
    headers.extend(pair for pair in _ENCODED_HEADERS if pair[0] not in present)
    message["headers"] = headers
