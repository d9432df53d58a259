"""Who may talk to `clerk serve`: RFC 9421 signatures with the registered key, and the limits."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support.net import live
from support.sync import OTHER_POINT, POINT, collected, export

from clerk.net import signing
from clerk.sync import keys


def signed(
    method: str,
    url: str,
    key_id: str,
    key: Ed25519PrivateKey,
    *,
    body: bytes | None = None,
    created: datetime | None = None,
) -> httpx.Request:
    headers = {}
    if body is not None:
        headers["Content-Digest"] = signing.content_digest(hashlib.sha256(body).digest())
    request = httpx.Request(method, url, content=body, headers=headers)
    signing.sign(request, key_id, key, created=created)
    return request


def send(request: httpx.Request) -> httpx.Response:
    with httpx.Client(timeout=30) as h:
        return h.send(request)


@pytest.fixture
def served(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    with live(county, tmp_path / "serve") as server:
        yield county, point, server, path.read_bytes()


def own_key(window) -> Ed25519PrivateKey:  # type: ignore[no-untyped-def]
    return keys.load(window.key_dir()).signing


def test_a_request_signed_with_the_registered_key_is_taken(served):
    county, point, server, data = served
    response = send(
        signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, own_key(point), body=data)
    )
    assert response.status_code == 201, response.text
    base = response.request.headers["signature-input"]
    assert base.startswith('clerk=("@method" "@path" "@query" "content-digest");created=')
    assert 'keyid="LS01";alg="ed25519";nonce="' in base and base.endswith(';tag="clerk-bundles"')


def test_unsigned_forged_unknown_and_misattributed_requests_are_refused(served):
    county, point, server, data = served
    url = f"{server.url}/v1/bundles/LS01/1"
    unsigned = httpx.Request(
        "PUT",
        url,
        content=data,
        headers={"Content-Digest": signing.content_digest(hashlib.sha256(data).digest())},
    )
    cases = {
        "unsigned": unsigned,
        "bad_signature": signed("PUT", url, POINT, Ed25519PrivateKey.generate(), body=data),
        "unknown_key": signed(
            "PUT",
            f"{server.url}/v1/bundles/{OTHER_POINT}/1",
            OTHER_POINT,
            Ed25519PrivateKey.generate(),
            body=data,
        ),
        "wrong_key": signed(
            "PUT", f"{server.url}/v1/bundles/{OTHER_POINT}/1", POINT, own_key(point), body=data
        ),
    }
    for code, request in cases.items():
        response = send(request)
        assert (response.status_code, response.json()["refusal"]) == (401, code), code
    tampered = signed("PUT", url, POINT, own_key(point), body=data)
    tampered.url = tampered.url.copy_with(path="/v1/bundles/LS01/2")
    response = send(tampered)
    assert (response.status_code, response.json()["refusal"]) == (401, "bad_signature")
    assert county.sync_store().last_bundle("in", POINT) is None


def test_a_revoked_key_is_refused(served):
    county, point, server, data = served
    county.revoke_peer_key(POINT)
    response = send(
        signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, own_key(point), body=data)
    )
    assert (response.status_code, response.json()["refusal"]) == (401, "revoked_key")


def test_a_replayed_request_is_refused(served):
    county, point, server, data = served
    request = signed("GET", f"{server.url}/v1/bundles/for/LS01?after=0", POINT, own_key(point))
    assert send(request).status_code == 200
    again = send(request)
    assert (again.status_code, again.json()["refusal"]) == (401, "replayed")


@pytest.mark.parametrize("minutes", [-6, 6])
def test_a_created_time_more_than_five_minutes_off_is_refused(served, minutes):
    county, point, server, data = served
    created = datetime.now() + timedelta(minutes=minutes)
    response = send(
        signed("GET", f"{server.url}/v1/bundles/for/LS01", POINT, own_key(point), created=created)
    )
    assert (response.status_code, response.json()["refusal"]) == (401, "stale")
    assert "时钟" in response.json()["message"]


def test_digests_and_addresses_are_checked_before_anything_is_stored(served, tmp_path):
    county, point, server, data = served
    key = own_key(point)
    request = signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, key, body=data)
    del request.headers["content-digest"]
    assert send(request).status_code == 401  # the signature covers the digest
    no_digest = httpx.Request("PUT", f"{server.url}/v1/bundles/LS01/1", content=data)
    signing.sign(no_digest, POINT, key)
    response = send(no_digest)
    assert (response.status_code, response.json()["refusal"]) == (401, "bad_signature")
    wrong = signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, key, body=data + b"x")
    wrong.stream = httpx.ByteStream(data + b"y")  # same length, other bytes
    response = send(wrong)
    assert (response.status_code, response.json()["refusal"]) == (422, "digest_mismatch")
    response = send(signed("PUT", f"{server.url}/v1/bundles/LS01/2", POINT, key, body=data))
    assert (response.status_code, response.json()["refusal"]) == (422, "wrong_address")
    assert county.sync_store().last_bundle("in", POINT) is None
    assert not [p for p in (tmp_path / "serve" / "spool").rglob("*") if p.is_file()]


def test_limits_on_size_and_on_uploads_at_once(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    data = export(point, tmp_path / "usb").path.read_bytes()
    key = own_key(point)
    with live(county, tmp_path / "small", max_bundle=1000) as server:
        response = send(signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, key, body=data))
        assert (response.status_code, response.json()["refusal"]) == (413, "too_large")
    with live(county, tmp_path / "busy", max_uploads=0) as server:
        response = send(signed("PUT", f"{server.url}/v1/bundles/LS01/1", POINT, key, body=data))
        assert response.status_code == 503 and response.headers["retry-after"].isdigit()


def test_health_answers_without_a_signature(served):
    county, point, server, data = served
    assert httpx.get(f"{server.url}/v1/health").json() == {"ok": True, "office": "YZ03"}


def test_a_fetch_signed_by_one_point_cannot_list_another_points_returns(served):
    county, point, server, data = served
    response = send(
        signed("GET", f"{server.url}/v1/bundles/for/{OTHER_POINT}", POINT, own_key(point))
    )
    assert response.status_code == 401
