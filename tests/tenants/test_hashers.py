"""Passwords are hashed with Argon2id at OWASP's recommended parameters."""

from __future__ import annotations

from tenants.users.hashers import OwaspArgon2PasswordHasher


def test_hash_uses_argon2id_with_owasp_parameters() -> None:
    hasher = OwaspArgon2PasswordHasher()
    encoded = hasher.encode("a-long-passphrase", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert hasher.verify("a-long-passphrase", encoded)
    assert not hasher.verify("another-passphrase", encoded)


def test_production_settings_hash_with_it_first() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "tenants.users.hashers.OwaspArgon2PasswordHasher"
