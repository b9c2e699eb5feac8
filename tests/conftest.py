import pytest
from django.core.management import call_command

# The editorial_groups fixture of the browser tests.
pytest_plugins = ["tests.admin_browser_session"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """Pages link hashed static names from whitenoise's manifest, as in production."""
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache(settings, tmp_path, monkeypatch):
    """Each test starts with an empty cache: no page cached by an earlier test is served.

    Nor a page cache fault recorded by an earlier test, or by another test run on the machine.
    """
    from django.core.cache import cache

    cache.clear()
    settings.PAGE_CACHE_FAULT_FILE = str(tmp_path / "page-cache-fault")
    monkeypatch.setattr("briefing.middleware._failed_in_this_process", False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; Playwright's own browser download is not available."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def unhashed_static_names(settings):
    """For browser tests: link static files by their plain names.

    pytest-django's live server answers /static/ from the finders, which know none of the
    hashed names of whitenoise's manifest storage.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db):
    """The demo briefing, loaded from fixtures/demo.json."""
    from briefing.models import Briefing

    call_command("loaddata", "demo", verbosity=0)
    return Briefing.objects.get(slug="shoigu-pyongyang-2025")
