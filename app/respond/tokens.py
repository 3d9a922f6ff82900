"""Respondent tokens, all from :mod:`secrets` and stored only as SHA-256 digests.

- A *key* (128 random bits) is embedded in every form a respondent submits: the key of a page view makes its
  submission idempotent (``SubmissionKey``, which stores only the key's digest); the key of a start button also
  makes starting idempotent.
- The *resume token* (128 bits, the link ``/r/<token>`` and a cookie) is derived from the start key with an HMAC
  under the application's secret key, so that a replayed or double-clicked Start finds the same response.
- The *claim* of an invitation is a digest derived from the resume token of the response started with it: it
  uses the invitation up and lets the browser that started come back through the link.

Why digests everywhere: the resume token is never stored, and neither is the start key it derives from, so that
even someone holding both the database and the secret key cannot go from a response to the invitation it was
started with (start key → resume token → claim). Starts through an invitation do not even record their key: the
claim itself recognizes a replayed Start.
"""

import base64
import hashlib
import hmac
import re
import secrets

KEY_BYTES = 16  # 128 bits
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def is_key(value: object) -> bool:
    """Whether ``value`` looks like a key or a token we issued (so that nothing else reaches a query)."""
    return isinstance(value, str) and bool(_KEY_RE.fullmatch(value))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def resume_token_for(start_key: str, secret: str | bytes) -> str:
    """The resume token of the response started with ``start_key`` (128 bits, 22 characters)."""
    secret = secret.encode() if isinstance(secret, str) else secret
    mac = hmac.new(secret, b"concerto-resume:" + start_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:KEY_BYTES]).rstrip(b"=").decode()


def claim_hash(resume_token: str) -> str:
    return hashlib.sha256(b"concerto-claim:" + resume_token.encode()).hexdigest()
