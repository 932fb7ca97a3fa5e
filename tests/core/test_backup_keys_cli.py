"""The backup keys from the operator's side: settings, the generated key, and the commands."""

import asyncio
import stat
from pathlib import Path
from uuid import uuid4

from services.storage import EncryptedStorage, Keyring, LocalStorage, backup_key, new_entry
from services.storage.sealed import parse_header
from tests.support.cli import cli_env, crm_backup
from tests.support.storage import Payload, read_all

OLD, NEW = new_entry("2026-old"), new_entry("2027-new")


def test_the_embedded_default_generates_its_key_once_and_says_so(tmp_path: Path) -> None:
    first = crm_backup("backup-keys", "rewrap", cwd=tmp_path, env=cli_env())
    assert first.returncode == 0, first.stderr
    assert "Files under the key 'local-1': none stored." in first.stdout
    key_file = tmp_path / "var" / "backup-keys"
    assert "Generated the key that encrypts stored backups into var/backup-keys" in first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    generated = key_file.read_text()
    Keyring.parse(generated)

    again = crm_backup("backup-keys", "rewrap", cwd=tmp_path, env=cli_env())
    assert again.returncode == 0 and "Generated" not in again.stderr
    assert key_file.read_text() == generated


def test_production_needs_backup_keys_that_parse(tmp_path: Path) -> None:
    production = {"REDIS_URL": "redis://127.0.0.1:1/0", "SECRET_KEY": "k" * 32}
    missing = crm_backup("migrate", cwd=tmp_path, env=cli_env(**production))
    assert missing.returncode == 2
    assert "BACKUP_KEYS or BACKUP_KEY_FILE is required when REDIS_URL is set" in missing.stderr
    secret = OLD.partition(":")[2]
    bad = crm_backup("migrate", cwd=tmp_path, env=cli_env(BACKUP_KEYS=f"{OLD},x:{secret[:20]}"))
    assert bad.returncode == 2
    assert "BACKUP_KEYS: key 'x' is not 32 bytes" in bad.stderr
    assert secret not in bad.stderr
    absent = crm_backup("migrate", cwd=tmp_path, env=cli_env(BACKUP_KEY_FILE="no-such-file"))
    assert absent.returncode == 2
    assert "BACKUP_KEY_FILE: cannot be read" in absent.stderr


def test_new_prints_an_entry_to_put_first(tmp_path: Path) -> None:
    result = crm_backup("backup-keys", "new", "2027-01", cwd=tmp_path, env=cli_env())
    assert result.returncode == 0, result.stderr
    assert Keyring.parse(result.stdout).current_id == "2027-01"


async def test_rewrap_moves_every_file_to_the_current_key(tmp_path: Path, payload: Payload) -> None:
    backend = LocalStorage(tmp_path / "storage")
    sealed, plain = backup_key(uuid4(), uuid4()), backup_key(uuid4(), uuid4())
    await EncryptedStorage(backend, Keyring.parse(OLD)).put_file(sealed, payload.path)
    await backend.put_file(plain, payload.path)
    key_file = tmp_path / "keys"
    key_file.write_text(f"# the new key first\n{NEW}\n{OLD}\n")
    env = cli_env(BACKUP_KEY_FILE=str(key_file), STORAGE_DIR=str(tmp_path / "storage"))

    refused = await asyncio.to_thread(crm_backup, "backup-keys", "rewrap", cwd=tmp_path, env=env)
    assert refused.returncode == 1
    assert f"refused {plain}: The file is not sealed (encrypted)." in refused.stderr
    assert "Files under the key '2027-new': 1 rewrapped." in refused.stdout

    sealing = await asyncio.to_thread(
        crm_backup, "backup-keys", "rewrap", "--seal-unencrypted", cwd=tmp_path, env=env
    )
    assert sealing.returncode == 0, sealing.stderr
    assert "Files under the key '2027-new': 1 current, 1 sealed." in sealing.stdout

    only_new = EncryptedStorage(backend, Keyring.parse(NEW))
    for key in (sealed, plain):
        header = parse_header((tmp_path / "storage" / key).read_bytes()[:200])
        assert header is not None and header[0].key_id == "2027-new"
        assert await read_all(only_new, key) == payload.data
