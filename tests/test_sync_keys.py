"""Sync keys: made once, private parts 0600, public parts exchanged, peers registered and revoked."""

from __future__ import annotations

import json
import stat

import pytest
from support.sync import OFFICE, OTHER_POINT, POINT, installation

from clerk.cli import main
from clerk.sync import keys


@pytest.fixture
def county(tmp_path, clock):
    w = installation(tmp_path / "county", OFFICE, clock)
    yield w
    w.store.close()


@pytest.fixture
def point(tmp_path, clock):
    w = installation(tmp_path / "point", POINT, clock)
    yield w
    w.store.close()


def db(w) -> str:
    return str(w.store.path)


def test_init_writes_private_keys_readable_by_the_owner_only(county, capsys):
    assert main(["keys", "init", "--db", db(county)]) == 0
    directory = keys.key_dir(county.store.path)
    for name in (keys.SIGNING_FILE, keys.IDENTITY_FILE):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert "指纹：" in capsys.readouterr().out


def test_init_twice_is_refused_and_keeps_the_first_key(county, capsys):
    main(["keys", "init", "--db", db(county)])
    first = (keys.key_dir(county.store.path) / keys.SIGNING_FILE).read_bytes()
    assert main(["keys", "init", "--db", db(county)]) == 1
    assert "已有本机密钥" in capsys.readouterr().err
    assert (keys.key_dir(county.store.path) / keys.SIGNING_FILE).read_bytes() == first


def test_passphrase_protects_both_private_keys(county, monkeypatch):
    monkeypatch.setenv("CLERK_KEY_PASS", "长口令 correct horse")
    assert main(["keys", "init", "--db", db(county), "--passphrase-env", "CLERK_KEY_PASS"]) == 0
    directory = keys.key_dir(county.store.path)
    assert b"ENCRYPTED" in (directory / keys.SIGNING_FILE).read_bytes()
    assert b"AGE-SECRET-KEY" not in (directory / keys.IDENTITY_FILE).read_bytes()
    with pytest.raises(keys.KeyProblem, match="口令"):
        keys.load(directory)
    with pytest.raises(keys.KeyProblem, match="口令不对"):
        keys.load(directory, "wrong")
    loaded = keys.load(directory, "长口令 correct horse")
    assert loaded.public.point_code == OFFICE


def test_fingerprint_is_four_groups_of_four_and_the_same_on_both_sides(
    county, point, tmp_path, capsys
):
    main(["keys", "init", "--db", db(point)])
    main(["keys", "export", "--db", db(point), "--out", str(tmp_path / "p.json")])
    exported = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    capsys.readouterr()
    assert main(["keys", "add", str(tmp_path / "p.json"), "--db", db(county)]) == 0
    shown = capsys.readouterr().out
    fp = exported["fingerprint"]
    assert len(fp) == 19 and [len(g) for g in fp.split("-")] == [4, 4, 4, 4]
    assert f"指纹：{fp}" in shown
    main(["keys", "list", "--db", db(point)])
    assert f"本机 {POINT}" in capsys.readouterr().out
    assert county.store.sync_store().active_key(POINT).fingerprint == fp


def test_a_point_may_register_only_its_own_office(point, tmp_path, capsys):
    other = installation(tmp_path / "other", OTHER_POINT, point.clock)
    main(["keys", "init", "--db", db(other)])
    main(["keys", "export", "--db", db(other), "--out", str(tmp_path / "o.json")])
    capsys.readouterr()
    assert main(["keys", "add", str(tmp_path / "o.json"), "--db", db(point)]) == 1
    assert "只能登记所属经办机构（YZ03）" in capsys.readouterr().err
    assert point.store.sync_store().peer_keys() == []
    other.store.close()


def test_a_second_key_needs_replace_and_the_replacement_is_recorded(
    county, tmp_path, clock, capsys
):
    first = tmp_path / "p1"
    second = tmp_path / "p2"
    for root in (first, second):
        w = installation(root, POINT, clock)
        main(["keys", "init", "--db", str(w.store.path)])
        main(["keys", "export", "--db", str(w.store.path), "--out", str(root / "pub.json")])
        w.store.close()
    assert main(["keys", "add", str(first / "pub.json"), "--db", db(county)]) == 0
    capsys.readouterr()
    assert main(["keys", "add", str(second / "pub.json"), "--db", db(county)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert main(["keys", "add", str(second / "pub.json"), "--db", db(county), "--replace"]) == 0
    old, new = county.store.sync_store().peer_keys()
    assert old.revoked_at is not None and old.replaced_by == new.id
    assert new.active


def test_revoke_records_when_and_leaves_the_key_listed(county, point, tmp_path, capsys):
    main(["keys", "init", "--db", db(point)])
    main(["keys", "export", "--db", db(point), "--out", str(tmp_path / "p.json")])
    main(["keys", "add", str(tmp_path / "p.json"), "--db", db(county)])
    assert main(["keys", "revoke", POINT, "--db", db(county)]) == 0
    (key,) = county.store.sync_store().peer_keys()
    assert key.revoked_at is not None and not key.active
    capsys.readouterr()
    main(["keys", "list", "--db", db(county)])
    assert f"已吊销 {key.revoked_at[:16]}" in capsys.readouterr().out
    assert main(["keys", "add", str(tmp_path / "p.json"), "--db", db(county)]) == 1


def test_an_escrow_recipient_is_a_bare_age_key(county, tmp_path):
    from pyrage import x25519

    (tmp_path / "escrow.txt").write_text(str(x25519.Identity.generate().to_public()) + "\n")
    assert main(["keys", "add", str(tmp_path / "escrow.txt"), "--db", db(county), "--escrow"]) == 0
    (escrow,) = county.store.sync_store().escrow_keys()
    assert escrow.point_code == keys.ESCROW and escrow.sign_key is None


def test_a_tampered_public_key_file_is_refused(point, county, tmp_path, capsys):
    main(["keys", "init", "--db", db(point)])
    main(["keys", "export", "--db", db(point), "--out", str(tmp_path / "p.json")])
    raw = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    from pyrage import x25519

    raw["age"] = str(x25519.Identity.generate().to_public())
    (tmp_path / "p.json").write_text(json.dumps(raw), encoding="utf-8")
    capsys.readouterr()
    assert main(["keys", "add", str(tmp_path / "p.json"), "--db", db(county)]) == 1
    assert "指纹与公钥不符" in capsys.readouterr().err


def test_export_needs_the_passphrase_when_the_keys_have_one(
    county, point, tmp_path, monkeypatch, capsys
):
    from support.sync import collected

    monkeypatch.setenv("PASS", "密钥口令 long enough")
    assert main(["keys", "init", "--db", db(point), "--passphrase-env", "PASS"]) == 0
    main(["keys", "init", "--db", db(county)])
    main(["keys", "export", "--db", db(point), "--out", str(tmp_path / "p.json")])
    main(["keys", "export", "--db", db(county), "--out", str(tmp_path / "c.json")])
    main(["keys", "add", str(tmp_path / "c.json"), "--db", db(point)])
    collected(point, 35)
    (tmp_path / "usb").mkdir()
    capsys.readouterr()
    assert main(["export", "--db", db(point), "--out", str(tmp_path / "usb")]) == 1
    assert "口令" in capsys.readouterr().err
    assert (
        main(
            [
                "export",
                "--db",
                db(point),
                "--out",
                str(tmp_path / "usb"),
                "--passphrase-env",
                "PASS",
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "usb").iterdir())) == 1


def test_every_bundle_is_also_encrypted_to_the_escrow_key(county, point, tmp_path):
    from pyrage import x25519
    from support.sync import collected, exchange_keys, export

    from clerk.sync import bundle as fmt

    exchange_keys(county, point)
    escrow = x25519.Identity.generate()
    (tmp_path / "escrow.txt").write_text(str(escrow.to_public()))
    assert main(["keys", "add", str(tmp_path / "escrow.txt"), "--db", db(point), "--escrow"]) == 0
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    _, rest = fmt.read_header(path.read_bytes())
    assert fmt.decrypt(rest, escrow)  # the escrow holder can read it without the county's key
