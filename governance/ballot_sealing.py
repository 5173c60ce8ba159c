"""Sealing ballots to their box, and the box's private key, which never enters the database.

Every ballot box has an X25519 key pair made when it opens. The public key is stored with
the box. The private key (with the roll's salt, see models.ballot_box) is written to a file
in `BALLOT_KEY_DIR`, encrypted with `BALLOT_KEY` from the environment, and destroyed once
the close has committed: from then on nobody, not even someone holding the application's
secrets and every backup and WAL segment written during the vote, can open a sealed ballot
again (forward secrecy). docs/architecture.md, "The ballot box", gives the threat model and
what happens when a key is lost.

Sealing is hybrid, so that opening 100,000 ballots costs microseconds each: every app
process makes its own ephemeral X25519 key for a box, agrees an AES-256-GCM key with the
box's public key once, and seals each ballot with it under a random nonce. AES-GCM, not
ChaCha20-Poly1305: with the processor's AES instructions one decryption costs about 1 µs
against 2.7 µs, and the close opens 100,000 of them (a random 96-bit nonce per ballot is
safe far beyond the ballots one process seals for one box). A sealed
ballot is `sealer public key | nonce | ciphertext`; the close derives one key per sealer
with the box's private key. Ciphertexts of a box all have one length.

A ballot's plaintext is `receipt hash (32) | voter id (8, zero for a secret box) | content`.
"""

import base64
import hashlib
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from .models.ballot_box import SEALED_OVERHEAD

KEY_SIZE = 32
NONCE_SIZE = 12
RECEIPT_HASH_SIZE = 32
VOTER_ID_SIZE = 8
SALT_SIZE = 32
_RAW = serialization.Encoding.Raw
_KEY_FILE_VERSION = b"\x01"

if SEALED_OVERHEAD != KEY_SIZE + NONCE_SIZE + RECEIPT_HASH_SIZE + VOTER_ID_SIZE + 16:
    raise ImportError("models.ballot_box.SEALED_OVERHEAD no longer matches the sealing here")


class BallotKeyMissing(Exception):
    """The private key of a box is not in BALLOT_KEY_DIR, or cannot be read with
    BALLOT_KEY: the box cannot be counted until it is back."""


class BallotTampered(Exception):
    """A sealed ballot does not open with its box's key."""


# --- The box's key pair and its file ---------------------------------------------------


@dataclass(frozen=True)
class BoxKeys:
    private_key: bytes
    public_key: bytes
    roll_salt: bytes


def box_keys_new() -> BoxKeys:
    private = X25519PrivateKey.generate()
    return BoxKeys(
        private_key=private.private_bytes(
            _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        ),
        public_key=private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw),
        roll_salt=secrets.token_bytes(SALT_SIZE),
    )


def wrapping_key() -> bytes:
    """The key that encrypts box keys at rest: BALLOT_KEY (urlsafe base64 of 32 bytes), or
    in development one derived from SECRET_KEY (settings decide which)."""
    if settings.BALLOT_KEY:
        key = base64.urlsafe_b64decode(settings.BALLOT_KEY)
        if len(key) != KEY_SIZE:
            raise ValueError("BALLOT_KEY must be 32 bytes in urlsafe base64.")
        return key
    return hashlib.sha256(b"rosealliance ballot key:" + settings.SECRET_KEY.encode()).digest()


def key_directory() -> Path:
    return Path(settings.BALLOT_KEY_DIR)


def key_path(box_id: int) -> Path:
    return key_directory() / f"box-{box_id}.key"


def _key_file_aad(box_id: int, public_key: bytes) -> bytes:
    return b"rosealliance box key" + box_id.to_bytes(8, "big") + public_key


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def key_store(box_id: int, keys: BoxKeys) -> None:
    """Write the box's private key and roll salt, encrypted, durably (fsync'd file and
    folder), and read it back: the box must not open with a key that cannot be found."""
    directory = key_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    nonce = secrets.token_bytes(NONCE_SIZE)
    wrapped = ChaCha20Poly1305(wrapping_key()).encrypt(
        nonce, keys.private_key + keys.roll_salt, _key_file_aad(box_id, keys.public_key)
    )
    target = key_path(box_id)
    partial = target.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(_KEY_FILE_VERSION + nonce + wrapped)
        file.flush()
        os.fsync(file.fileno())
    partial.rename(target)
    _fsync_directory(directory)
    if key_load(box_id, keys.public_key) != (keys.private_key, keys.roll_salt):
        raise BallotKeyMissing(f"box {box_id}: the key file did not read back")


def key_load(box_id: int, public_key: bytes) -> tuple[bytes, bytes]:
    """(private key, roll salt) of the box, or BallotKeyMissing."""
    try:
        data = key_path(box_id).read_bytes()
    except OSError as error:
        raise BallotKeyMissing(f"box {box_id}: no key file in {key_directory()}") from error
    if data[:1] != _KEY_FILE_VERSION:
        raise BallotKeyMissing(f"box {box_id}: unknown key file format")
    nonce, wrapped = data[1 : 1 + NONCE_SIZE], data[1 + NONCE_SIZE :]
    try:
        plain = ChaCha20Poly1305(wrapping_key()).decrypt(
            nonce, wrapped, _key_file_aad(box_id, public_key)
        )
    except InvalidTag as error:
        raise BallotKeyMissing(
            f"box {box_id}: the key file does not open with BALLOT_KEY"
        ) from error
    private_key, salt = plain[:KEY_SIZE], plain[KEY_SIZE:]
    derived = X25519PrivateKey.from_private_bytes(private_key).public_key()
    if derived.public_bytes(_RAW, serialization.PublicFormat.Raw) != public_key:
        raise BallotKeyMissing(f"box {box_id}: the key file belongs to another key")
    return private_key, salt


def key_destroy(box_id: int) -> None:
    """Overwrite and delete the box's key file (after its close has committed)."""
    path = key_path(box_id)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with path.open("r+b") as file:
        file.write(b"\0" * size)
        file.flush()
        os.fsync(file.fileno())
    path.unlink()
    _fsync_directory(path.parent)


def key_age_seconds(box_id: int) -> float:
    import time

    return time.time() - key_path(box_id).stat().st_mtime


def key_box_ids() -> list[int]:
    """The boxes whose keys are in the key folder."""
    directory = key_directory()
    if not directory.is_dir():
        return []
    ids = []
    for path in directory.glob("box-*.key"):
        number = path.stem.removeprefix("box-")
        if number.isdigit():
            ids.append(int(number))
    return sorted(ids)


# --- Sealing and opening ---------------------------------------------------------------


def _ballot_key(shared: bytes, box_id: int, sealer_public: bytes, box_public: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZE,
        salt=None,
        info=b"rosealliance ballot" + box_id.to_bytes(8, "big") + sealer_public + box_public,
    ).derive(shared)


def _aad(box_id: int) -> bytes:
    return b"rosealliance ballot" + box_id.to_bytes(8, "big")


@dataclass(frozen=True)
class _Sealer:
    public: bytes
    aead: AESGCM


# This process's sealer per box (box id -> sealer). A sealer's key lives only in memory; a
# process that seals ballots sees them in the clear anyway.
_sealers: dict[int, _Sealer] = {}


def _sealer(box_id: int, box_public_key: bytes) -> _Sealer:
    sealer = _sealers.get(box_id)
    if sealer is None:
        ephemeral = X25519PrivateKey.generate()
        public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(box_public_key))
        sealer = _Sealer(public, AESGCM(_ballot_key(shared, box_id, public, box_public_key)))
        _sealers[box_id] = sealer
    return sealer


def plaintext(*, receipt_hash: bytes, voter_id: int | None, content: bytes) -> bytes:
    if len(receipt_hash) != RECEIPT_HASH_SIZE:
        raise ValueError("a receipt hash has 32 bytes")
    return receipt_hash + (voter_id or 0).to_bytes(VOTER_ID_SIZE, "big") + content


def seal(*, box_id: int, box_public_key: bytes, ballot: bytes) -> bytes:
    sealer = _sealer(box_id, box_public_key)
    nonce = secrets.token_bytes(NONCE_SIZE)
    return sealer.public + nonce + sealer.aead.encrypt(nonce, ballot, _aad(box_id))


def open_all(
    *, box_id: int, private_key: bytes, public_key: bytes, sealed: bytes, size: int
) -> list[bytes]:
    """Open every sealed ballot of a box, given concatenated (`size` bytes each), and
    return their plaintexts (BallotTampered if one does not open). A close opens 100,000
    of them: `struct` cuts the ballots apart in C, and the one Python step per ballot is a
    dictionary lookup of its sealer's key (made on first sight) and the decryption."""
    private = X25519PrivateKey.from_private_bytes(private_key)
    aad = _aad(box_id)

    class DecryptBySealer(dict):
        def __missing__(self, sealer_public: bytes):
            shared = private.exchange(X25519PublicKey.from_public_bytes(sealer_public))
            decrypt = AESGCM(_ballot_key(shared, box_id, sealer_public, public_key)).decrypt
            self[sealer_public] = decrypt
            return decrypt

    if len(sealed) % size:
        raise BallotTampered(f"box {box_id}: the sealed ballots are not all {size} bytes")
    decrypt = DecryptBySealer()
    layout = f"{KEY_SIZE}s{NONCE_SIZE}s{size - KEY_SIZE - NONCE_SIZE}s"
    try:
        return [
            decrypt[sealer](nonce, ciphertext, aad)
            for sealer, nonce, ciphertext in struct.iter_unpack(layout, sealed)
        ]
    except InvalidTag as error:
        raise BallotTampered(f"box {box_id}: a sealed ballot does not open") from error


@dataclass(frozen=True)
class OpenedBallots:
    """Opened ballots as the close writes them, in one order: their receipt hashes (32
    bytes each) and contents (`content_size` each) concatenated, and their voters' ids
    (None for a secret box)."""

    receipt_hashes: bytes
    contents: bytes
    content_size: int
    voter_ids: list[int] | None

    def __len__(self) -> int:
        return len(self.receipt_hashes) // RECEIPT_HASH_SIZE

    def content_list(self) -> list[bytes]:
        size = self.content_size
        return [self.contents[i : i + size] for i in range(0, len(self.contents), size)]


def columns_of(plains: list[bytes], *, content_size: int, secret: bool) -> OpenedBallots:
    """Split plaintexts (all one length) into the close's columns, in their order. Each
    byte of a column is one strided copy of the joined plaintexts (bytes slicing in C),
    not a slice per ballot: 100,000 ballots take milliseconds instead of tens of them."""
    joined = b"".join(plains)
    width = RECEIPT_HASH_SIZE + VOTER_ID_SIZE + content_size
    count = len(plains)

    def column(offset: int, size: int) -> bytes:
        out = bytearray(size * count)
        for i in range(size):
            out[i::size] = joined[offset + i :: width]
        return bytes(out)

    voter_ids = None
    if not secret:
        voter_ids = [
            voter for (voter,) in struct.iter_unpack(">Q", column(RECEIPT_HASH_SIZE, VOTER_ID_SIZE))
        ]
    return OpenedBallots(
        receipt_hashes=column(0, RECEIPT_HASH_SIZE),
        contents=column(RECEIPT_HASH_SIZE + VOTER_ID_SIZE, content_size),
        content_size=content_size,
        voter_ids=voter_ids,
    )
