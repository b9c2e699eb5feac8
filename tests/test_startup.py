"""Start-up refuses a missing or malformed setting, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def run_check(**overrides):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CACHE_URL"}
    }
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_site_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("DATABASE_URL", "garbage"), ("CACHE_URL", "nope://host")],
)
def test_malformed_setting_stops_start_up_naming_the_variable(variable, value):
    result = run_check(SECRET_KEY="k", **{variable: value})
    assert result.returncode != 0
    assert f"{variable} " in result.stderr.splitlines()[-1]


def test_site_starts_with_a_secret_key():
    result = run_check(SECRET_KEY="a-long-random-key")
    assert result.returncode == 0, result.stderr
