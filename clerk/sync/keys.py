"""This installation's sync keys, and the public keys of its peers.

Each installation has two key pairs, made by well-kept libraries:

- an Ed25519 signing key (`cryptography`): every bundle it writes is signed with it;
- an age X25519 identity (`pyrage`): bundles for it are encrypted to its recipient.

The private parts live in files (mode 0600) in a directory next to the database
(`clerk.db` -> `clerk.db.keys/`), optionally encrypted under a passphrase: the signing key as
PKCS#8 PEM with `BestAvailableEncryption`, the age identity with age's scrypt passphrase mode.
The public parts travel as a small JSON file (`clerk keys export`), and both sides show the
same fingerprint, read aloud over the phone before a key is trusted.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# cryptography and pyrage load where a key is made, read or used: the app's dashboard names this
# installation (`KeyProblem`, `PublicKeys`) without them (tests/test_startup_imports.py).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from pyrage import x25519

PUBLIC_FORMAT = 1
ESCROW = "ESCROW"  # the point code under which the offline escrow recipient is registered
SIGNING_FILE = "signing.pem"
IDENTITY_FILE = "identity.age"
PUBLIC_FILE = "public.json"


class KeyProblem(ValueError):
    """A key problem the user can act on; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class PublicKeys:
    """What a peer needs to check our signatures and encrypt to us."""

    point_code: str
    name: str
    sign_key: str | None  # Ed25519 public key, raw 32 bytes in base64 (None for an escrow key)
    age_recipient: str  # "age1..."

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.sign_key, self.age_recipient)

    def to_json(self) -> str:
        return json.dumps(
            {
                "clerk_public_keys": PUBLIC_FORMAT,
                "point": self.point_code,
                "name": self.name,
                "sign": self.sign_key,
                "age": self.age_recipient,
                "fingerprint": self.fingerprint,
            },
            ensure_ascii=False,
            indent=2,
        )

    def verify(self, signature: bytes, data: bytes | memoryview) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        if not self.sign_key:
            return False
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(self.sign_key))
        try:
            key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class KeyPair:
    """This installation's private keys, loaded (decrypted) for one export or import."""

    public: PublicKeys
    signing: Ed25519PrivateKey
    identity: x25519.Identity

    def sign(self, data: bytes | memoryview) -> bytes:
        return self.signing.sign(data)


def fingerprint(sign_key: str | None, age_recipient: str) -> str:
    """Four groups of four base32 characters of SHA-256 over the public keys, e.g. `K3QX-7RTA-…`."""
    material = (base64.b64decode(sign_key) if sign_key else b"") + age_recipient.strip().encode(
        "ascii"
    )
    text = base64.b32encode(hashlib.sha256(material).digest()).decode("ascii")[:16]
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def key_dir(db_path: Path) -> Path:
    """Where the private keys of the database at `db_path` live."""
    return db_path.with_name(db_path.name + ".keys")


def has_keys(directory: Path) -> bool:
    return (directory / SIGNING_FILE).is_file() and (directory / IDENTITY_FILE).is_file()


def generate(
    directory: Path, point_code: str, name: str, passphrase: str | None = None
) -> PublicKeys:
    """Make both key pairs and write them under `directory` (which must not hold keys yet)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from pyrage import passphrase as age_passphrase
    from pyrage import x25519

    if has_keys(directory):
        raise KeyProblem(f"目录 {directory} 中已有本机密钥，不能覆盖。如需更换，请联系信息管理员。")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    signing = Ed25519PrivateKey.generate()
    identity = x25519.Identity.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase
        else serialization.NoEncryption()
    )
    pem = signing.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    secret = str(identity).encode("ascii")
    if passphrase:
        secret = age_passphrase.encrypt(secret, passphrase)
    public = PublicKeys(
        point_code=point_code,
        name=name,
        sign_key=base64.b64encode(
            signing.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
        ).decode("ascii"),
        age_recipient=str(identity.to_public()),
    )
    write_private(directory / SIGNING_FILE, pem)
    write_private(directory / IDENTITY_FILE, secret)
    write_private(directory / PUBLIC_FILE, public.to_json().encode("utf-8"))
    return public


def load(directory: Path, passphrase: str | None = None) -> KeyPair:
    """Read and (with the passphrase, if they were made with one) decrypt this installation's keys."""
    import pyrage
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from pyrage import passphrase as age_passphrase
    from pyrage import x25519

    if not has_keys(directory):
        raise KeyProblem(f"本机还没有同步密钥（{directory}），请先运行 clerk keys init。")
    public = read_public((directory / PUBLIC_FILE).read_bytes())
    pem = (directory / SIGNING_FILE).read_bytes()
    secret = (directory / IDENTITY_FILE).read_bytes()
    encrypted = b"ENCRYPTED" in pem
    if encrypted and not passphrase:
        raise KeyProblem(
            "本机密钥有口令保护，请提供口令（--passphrase-env 指定保存口令的环境变量）。"
        )
    try:
        password = passphrase.encode("utf-8") if encrypted and passphrase else None
        signing = serialization.load_pem_private_key(pem, password=password)
        if password is not None and passphrase:
            secret = age_passphrase.decrypt(secret, passphrase)
        identity = x25519.Identity.from_str(secret.decode("ascii").strip())
    except (ValueError, TypeError, pyrage.DecryptError, pyrage.IdentityError):
        raise KeyProblem(
            "密钥口令不对，或密钥文件已损坏。请核对口令；口令遗失时请联系信息管理员。"
        ) from None
    if not isinstance(signing, Ed25519PrivateKey):
        raise KeyProblem("签名密钥文件不是 Ed25519 密钥，请联系信息管理员。")
    return KeyPair(public=public, signing=signing, identity=identity)


def read_public(data: bytes) -> PublicKeys:
    """Parse an exported public-key file (or a bare age recipient line, for an escrow key)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    text = data.decode("utf-8", errors="replace").strip()
    if text.startswith("age1") and "\n" not in text:
        _check_recipient(text)
        return PublicKeys(point_code=ESCROW, name="离线备份密钥", sign_key=None, age_recipient=text)
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raise KeyProblem("这不是 clerk 导出的公钥文件，请用 clerk keys export 重新导出。") from None
    if not isinstance(raw, dict) or raw.get("clerk_public_keys") != PUBLIC_FORMAT:
        raise KeyProblem(
            "这不是 clerk 导出的公钥文件，或版本太新，请用 clerk keys export 重新导出。"
        )
    try:
        public = PublicKeys(
            point_code=str(raw["point"]),
            name=str(raw.get("name") or ""),
            sign_key=raw.get("sign"),
            age_recipient=str(raw["age"]),
        )
    except KeyError:
        raise KeyProblem("公钥文件缺少字段，请用 clerk keys export 重新导出。") from None
    _check_recipient(public.age_recipient)
    if public.sign_key is not None:
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(public.sign_key, validate=True))
        except ValueError:
            raise KeyProblem("公钥文件中的签名公钥无效，请重新导出。") from None
    claimed = raw.get("fingerprint")
    if claimed and claimed != public.fingerprint:
        raise KeyProblem("公钥文件中的指纹与公钥不符，文件可能被改动，请重新导出并电话核对指纹。")
    return public


def _check_recipient(text: str) -> None:
    import pyrage
    from pyrage import x25519

    try:
        x25519.Recipient.from_str(text)
    except (ValueError, pyrage.RecipientError):
        raise KeyProblem("公钥文件中的加密公钥（age1…）无效，请重新导出。") from None


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, readable by the owner only (0600)."""
    write_atomic(path, data, mode=0o600)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Temp file in the same directory, fsync, rename over `path`, fsync the directory."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
