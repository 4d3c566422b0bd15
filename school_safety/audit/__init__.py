"""The audit log: an append-only, hash-chained record of what staff saw and changed."""
