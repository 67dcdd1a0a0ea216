"""The standalone export check's pure-Python Ed25519 agrees with a real implementation."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_export.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_export", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# RFC 8032, section 7.1: TEST 1 (empty message) and TEST 2 (one byte).
VECTORS = [
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
        "1cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
        "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("key", "message", "signature"), VECTORS)
def test_the_rfc_8032_vectors_hold(
    script: ModuleType, key: str, message: str, signature: str
) -> None:
    key_bytes, message_bytes, signed = (bytes.fromhex(x) for x in (key, message, signature))
    assert script.ed25519_verify(key_bytes, message_bytes, signed)
    assert not script.ed25519_verify(key_bytes, message_bytes + b"!", signed)


def test_it_agrees_with_the_cryptography_package(script: ModuleType) -> None:
    for size in (0, 1, 31, 64, 200):
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        message = bytes(range(size % 256))[:size]
        signature = key.sign(message)
        assert script.ed25519_verify(public, message, signature)
        flipped = bytearray(signature)
        flipped[size % 64] ^= 0x01
        assert not script.ed25519_verify(public, message, bytes(flipped))
        other = (
            Ed25519PrivateKey.generate()
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )
        assert not script.ed25519_verify(other, message, signature)


def test_a_malformed_signature_or_key_does_not_hold(script: ModuleType) -> None:
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signature = key.sign(b"m")
    assert not script.ed25519_verify(public[:31], b"m", signature)
    assert not script.ed25519_verify(public, b"m", signature[:63])
    too_big_s = signature[:32] + (script.Q + 1).to_bytes(32, "little")
    assert not script.ed25519_verify(public, b"m", too_big_s)
