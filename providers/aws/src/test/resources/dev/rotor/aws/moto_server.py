"""Runs the moto server for Rotor's integration tests, with one correction.

moto 5.2.1 answers a GetSecretValue without VersionStage (and BatchGetSecretValue, and the
AWSPREVIOUS bookkeeping of PutSecretValue) from a "default version" pointer that
UpdateSecretVersionStage does not move. After AWSCURRENT is moved to another version, moto
keeps serving the old version as the default read, and a later PutSecretValue marks the wrong
version AWSPREVIOUS. AWS documents the default read as AWSCURRENT, wherever that label is.
The correction moves the pointer along with AWSCURRENT; nothing else changes.

Usage: python3 moto_server.py -H 127.0.0.1 -p PORT
"""
import sys

from moto.secretsmanager import models

_update_secret_version_stage = models.SecretsManagerBackend.update_secret_version_stage


def _moving_default(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
    result = _update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].set_default_version_id(move_to_version_id)
    return result


models.SecretsManagerBackend.update_secret_version_stage = _moving_default

from moto.server import main  # noqa: E402  (after the correction is in place)

main(sys.argv[1:])
