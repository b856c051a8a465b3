"""Checks that the environment can run the suite, before any test starts.

Each problem is reported as one line that names the cause and the fix;
nothing here imports Nova's test code, so the checks also work on a machine
where that import would fail with a long traceback.

Run ``python -m nova_resize_tests.preflight`` to check an environment by hand;
tox runs it before every functional env.
"""

import importlib.metadata
import os
import pathlib
import sys

#: The oldest Nova release whose test helpers the adapter knows (2024.2).
OLDEST_NOVA = 30
#: Nova's major version minus Placement's for the same OpenStack release.
NOVA_PLACEMENT_OFFSET = 18

#: Environment variables the suite reads, with their meaning and parser.
WAIT_SECONDS_VAR = 'NOVA_RESIZE_TESTS_WAIT_SECONDS'
DEFAULT_WAIT_SECONDS = 20.0
BOOLEAN_WORDS = {'': None, '1': True, 'true': True, 'yes': True,
                 '0': False, 'false': False, 'no': False}
BOOLEAN_VARS = ('OS_NOVA_DISABLE_EVENTLET_PATCHING',
                'NOVA_RAISE_ON_GREENLET_LEAK')

RELEASE_NAMES = {30: '2024.2', 31: '2025.1', 32: '2025.2', 33: '2026.1',
                 34: '2026.2'}


class PreflightError(Exception):
    """One thing stops the suite from running; str() is the whole message."""


def _version(dist_name, fix):
    try:
        return importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise PreflightError(f'{dist_name} is not installed: {fix}') from None


def _major(version):
    return int(version.split('.', 1)[0])


def nova_major():
    """Return the installed Nova's major version, checking it is usable."""
    version = _version(
        'nova', 'run "pip install nova openstack-placement" or use '
        '"tox -e functional", which installs both')
    major = _major(version)
    if major < OLDEST_NOVA:
        raise PreflightError(
            f'nova {version} is older than the oldest supported release '
            f'({OLDEST_NOVA}.x, {RELEASE_NAMES[OLDEST_NOVA]}): install nova>='
            f'{OLDEST_NOVA} or use one of the functional-* tox envs')
    return major


def check_placement(nova_major_version):
    """Placement must come from the same OpenStack release as Nova."""
    wanted = nova_major_version - NOVA_PLACEMENT_OFFSET
    version = _version(
        'openstack-placement',
        f'run "pip install openstack-placement=={wanted}.*" (Nova\'s '
        'functional fixtures run the real Placement app)')
    if _major(version) != wanted:
        raise PreflightError(
            f'openstack-placement {version} does not match nova '
            f'{nova_major_version}.x: install openstack-placement=={wanted}.*'
            ' (the same OpenStack release)')


def api_paste_config():
    """Return the api-paste.ini that the installed Nova ships.

    A wheel puts it under ``<prefix>/etc/nova``; a source checkout installed
    in development mode keeps it in the checkout's ``etc/nova``.
    """
    dist = importlib.metadata.distribution('nova')
    candidates = [dist.locate_file(f) for f in dist.files or ()
                  if str(f).endswith('etc/nova/api-paste.ini')]
    package_dir = pathlib.Path(str(dist.locate_file('nova')))
    candidates.append(package_dir.parent / 'etc' / 'nova' / 'api-paste.ini')
    for candidate in candidates:
        path = pathlib.Path(str(candidate)).resolve()
        if path.is_file():
            return str(path)
    raise PreflightError(
        'api-paste.ini of the installed nova was not found (looked in '
        f'{", ".join(str(c) for c in candidates)}): reinstall nova with '
        '"pip install --force-reinstall --no-deps nova" so its etc/nova '
        'files are installed')


def wait_seconds(environ=os.environ):
    """How long a scenario waits for one signal before failing."""
    raw = environ.get(WAIT_SECONDS_VAR, '')
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value <= 600:
        raise PreflightError(
            f'{WAIT_SECONDS_VAR}={raw!r} is not a number of seconds between '
            f'0 and 600: unset it (default {DEFAULT_WAIT_SECONDS:g}) or set '
            'e.g. 30')
    return value


def check_booleans(environ=os.environ):
    """Nova silently treats a misspelt boolean as false; we refuse it."""
    for name in BOOLEAN_VARS:
        raw = environ.get(name, '')
        if raw.strip().lower() not in BOOLEAN_WORDS:
            raise PreflightError(
                f'{name}={raw!r} is not a boolean: use true or false '
                '(or unset it)')


def check(environ=os.environ):
    """Run every check; raise PreflightError on the first problem."""
    check_booleans(environ)
    wait_seconds(environ)
    major = nova_major()
    check_placement(major)
    api_paste_config()
    return major


def main():
    try:
        major = check()
    except PreflightError as exc:
        print(f'nova-resize-tests: {exc}', file=sys.stderr)
        return 2
    print(f'nova-resize-tests: nova {importlib.metadata.version("nova")} '
          f'({RELEASE_NAMES.get(major, "newer than the matrix")}), '
          f'openstack-placement '
          f'{importlib.metadata.version("openstack-placement")}: ready')
    return 0


if __name__ == '__main__':
    sys.exit(main())
