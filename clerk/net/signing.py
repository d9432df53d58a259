"""Signing and checking requests with an installation's registered Ed25519 key (RFC 9421).

The HTTP message signature is made and checked by `http-message-signatures` (its Ed25519
algorithm calls `cryptography`); this module only fixes the profile clerk uses:

- one signature, label `clerk`, `tag="clerk-bundles"`, `alg="ed25519"`;
- `keyid` is the signer's point (or office) code, the code under which the receiver registered
  its public key (`clerk keys add`), so no second PKI is needed;
- covered components: `@method`, `@path`, `@query`, and `content-digest` whenever the request has
  a body (the body itself is checked against the digest by the server while it streams in);
- `created` (Unix seconds) and a random `nonce` are required; the server refuses a `created`
  more than `SKEW` away from its clock and a nonce it has already seen from the same key.

`@path` rather than `@target-uri`, so that a request stays valid through the hall's reverse
proxy (which changes the scheme and authority the service sees, not the path).

The signature base of a PUT, as RFC 9421 section 2.5 builds it:

    "@method": PUT
    "@path": /v1/bundles/LS01/3
    "@query": ?
    "content-digest": sha-256=:<base64 of the SHA-256 of the body>:
    "@signature-params": ("@method" "@path" "@query" "content-digest");created=1796612400;keyid="LS01";alg="ed25519";nonce="…";tag="clerk-bundles"
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

LABEL = "clerk"
TAG = "clerk-bundles"
SKEW = timedelta(minutes=5)
WITHOUT_BODY = ("@method", "@path", "@query")
WITH_BODY = (*WITHOUT_BODY, "content-digest")


def content_digest(sha256: bytes) -> str:
    """The `Content-Digest` field (RFC 9530) for a body whose SHA-256 is `sha256`."""
    return f"sha-256=:{base64.b64encode(sha256).decode('ascii')}:"


def parse_content_digest(value: str | None) -> bytes | None:
    """The SHA-256 a `Content-Digest` field carries, or None when it is missing or malformed."""
    if not value:
        return None
    for member in value.split(","):
        name, _, rest = member.strip().partition("=")
        if name.strip().lower() != "sha-256":
            continue
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != ":" or rest[-1] != ":":
            return None
        try:
            raw = base64.b64decode(rest[1:-1], validate=True)
        except ValueError:
            return None
        return raw if len(raw) == 32 else None
    return None


class _OwnKey(HTTPSignatureKeyResolver):
    def __init__(self, key_id: str, key: Ed25519PrivateKey) -> None:
        self.key_id, self.key = key_id, key

    def resolve_private_key(self, key_id: str) -> Ed25519PrivateKey:
        if key_id != self.key_id:
            raise KeyError(key_id)
        return self.key

    def resolve_public_key(self, key_id: str) -> None:
        return None


def sign(
    message: Any, key_id: str, key: Ed25519PrivateKey, *, created: datetime | None = None
) -> None:
    """Sign a request in place (an `httpx.Request`: method, url, headers); a fresh nonce each time.

    A request with a body must already carry its `Content-Digest`. `created` defaults to now."""
    has_body = any(name.lower() == "content-digest" for name in message.headers)
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519, key_resolver=_OwnKey(key_id, key)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=created,
        nonce=secrets.token_urlsafe(18),
        label=LABEL,
        tag=TAG,
        covered_component_ids=WITH_BODY if has_body else WITHOUT_BODY,
        use_existing_digest=has_body,
    )


class AuthProblem(Exception):
    """A request the server does not accept as signed by a registered key (401)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Signed:
    """Who signed a request that passed every check."""

    key_id: str
    nonce: str
    created: int


# keyid -> ("ok", key) | ("revoked", None) | ("unknown", None)
KeyLookup = Callable[[str], tuple[str, Ed25519PublicKey | None]]


class _Registered(HTTPSignatureKeyResolver):
    def __init__(self, lookup: KeyLookup) -> None:
        self.lookup = lookup
        self.problem = ""

    def resolve_public_key(self, key_id: str) -> Ed25519PublicKey | None:
        state, key = self.lookup(key_id)
        self.problem = state
        return key if state == "ok" else None

    def resolve_private_key(self, key_id: str) -> None:
        raise KeyError(key_id)


class _Verifier(HTTPMessageVerifier):
    max_clock_skew = SKEW


class Gate:
    """The server's check of a request's signature, with the memory of nonces already used.

    Nonces are kept for twice the allowed skew (a request older than that is stale anyway)."""

    def __init__(self, lookup: KeyLookup, *, clock: Callable[[], float] = time.time) -> None:
        self.lookup = lookup
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, message: Any, *, has_body: bool, expect_key: str) -> Signed:
        """Verify `message` (method, url, headers); raise `AuthProblem` with a Chinese message."""
        headers: Mapping[str, str] = message.headers
        if "signature" not in headers or "signature-input" not in headers:
            raise AuthProblem("unsigned", "请求没有签名（Signature / Signature-Input），拒绝。")
        resolver = _Registered(self.lookup)
        verifier = _Verifier(signature_algorithm=algorithms.ED25519, key_resolver=resolver)
        try:
            results = verifier.verify(
                message,
                max_age=timedelta(0),  # with the skew: `created` within SKEW of our clock
                expect_tag=TAG,
                require_components=WITH_BODY if has_body else WITHOUT_BODY,
            )
        except (InvalidSignature, HTTPMessageSignaturesException) as exc:
            text = str(exc)
            if resolver.problem == "revoked":
                raise AuthProblem("revoked_key", "该服务点的密钥已被吊销，请求一律拒收。") from None
            if resolver.problem == "unknown":
                raise AuthProblem(
                    "unknown_key",
                    "本机没有登记这把签名密钥，请先在县级经办机构登记并电话核对指纹。",
                ) from None
            if "time in the future" in text or "maximum allowable age" in text:
                raise AuthProblem(
                    "stale",
                    "请求的签名时间与本机时钟相差超过 5 分钟，请校准服务点电脑的时钟后重试。",
                ) from None
            raise AuthProblem("bad_signature", "请求签名不对，拒绝。") from None
        result = results[0]
        key_id = str(result.parameters.get("keyid"))
        nonce = result.nonce
        if not nonce or not isinstance(nonce, str):
            raise AuthProblem("no_nonce", "请求签名缺少一次性随机数（nonce），拒绝。")
        if key_id != expect_key:
            raise AuthProblem(
                "wrong_key", f"签名密钥属于 {key_id}，不能代表 {expect_key} 收发上报包。"
            )
        self._remember(key_id, nonce)
        return Signed(key_id, nonce, int(result.parameters.get("created") or 0))

    def _remember(self, key_id: str, nonce: str) -> None:
        now = self.clock()
        keep = 2 * SKEW.total_seconds()
        with self._lock:
            while self._seen:
                oldest, at = next(iter(self._seen.items()))
                if now - at <= keep:
                    break
                del self._seen[oldest]
            if (key_id, nonce) in self._seen:
                raise AuthProblem("replayed", "这个请求已经收到过（重放），拒绝。")
            self._seen[(key_id, nonce)] = now
