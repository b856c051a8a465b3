"""Each way the environment can be wrong ends in one line naming the fix."""

import importlib.metadata
import io
import os
import pathlib
import subprocess
import sys

import fixtures
import testtools

from nova_resize_tests import preflight


class FakeDistribution:

    def __init__(self, root, files):
        self.root = pathlib.Path(root)
        self.files = [pathlib.PurePosixPath(f) for f in files]

    def locate_file(self, path):
        return self.root / path


class TestPreflight(testtools.TestCase):

    def versions(self, **installed):
        def version(name):
            try:
                return installed[name.replace('-', '_')]
            except KeyError:
                raise importlib.metadata.PackageNotFoundError(name)
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.metadata.version', version))

    def assertOneLine(self, error, *fragments):
        message = str(error)
        self.assertEqual(1, len(message.splitlines()), message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_nova_missing(self):
        self.versions()
        error = self.assertRaises(preflight.PreflightError,
                                  preflight.nova_major)
        self.assertOneLine(error, 'nova is not installed',
                           'pip install nova')

    def test_nova_too_old(self):
        self.versions(nova='29.2.0')
        error = self.assertRaises(preflight.PreflightError,
                                  preflight.nova_major)
        self.assertOneLine(error, 'nova 29.2.0 is older', 'nova>=30')

    def test_supported_nova(self):
        self.versions(nova='34.0.0')
        self.assertEqual(34, preflight.nova_major())

    def test_placement_missing(self):
        self.versions(nova='34.0.0')
        error = self.assertRaises(preflight.PreflightError,
                                  preflight.check_placement, 34)
        self.assertOneLine(error, 'openstack-placement is not installed',
                           'openstack-placement==16.*')

    def test_placement_from_another_release(self):
        self.versions(openstack_placement='15.0.0')
        error = self.assertRaises(preflight.PreflightError,
                                  preflight.check_placement, 34)
        self.assertOneLine(error, 'openstack-placement 15.0.0 does not '
                           'match nova 34', 'openstack-placement==16.*')

    def test_placement_of_the_same_release(self):
        self.versions(openstack_placement='12.0.2')
        self.assertIsNone(preflight.check_placement(30))

    def test_api_paste_found_in_wheel_prefix(self):
        root = self.useFixture(fixtures.TempDir()).path
        site = pathlib.Path(root, 'lib', 'site-packages')
        etc = pathlib.Path(root, 'etc', 'nova')
        etc.mkdir(parents=True)
        (etc / 'api-paste.ini').write_text('[pipeline:x]\n')
        dist = FakeDistribution(site, ['../../etc/nova/api-paste.ini'])
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.metadata.distribution', lambda name: dist))
        self.assertEqual(str((etc / 'api-paste.ini').resolve()),
                         preflight.api_paste_config())

    def test_api_paste_missing(self):
        root = self.useFixture(fixtures.TempDir()).path
        dist = FakeDistribution(root, ['nova/__init__.py'])
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.metadata.distribution', lambda name: dist))
        error = self.assertRaises(preflight.PreflightError,
                                  preflight.api_paste_config)
        self.assertOneLine(error, 'api-paste.ini of the installed nova was '
                           'not found', 'pip install --force-reinstall')

    def test_wait_seconds_default_and_value(self):
        self.assertEqual(preflight.DEFAULT_WAIT_SECONDS,
                         preflight.wait_seconds({}))
        self.assertEqual(
            45.0, preflight.wait_seconds({preflight.WAIT_SECONDS_VAR: '45'}))

    def test_wait_seconds_rejects_nonsense(self):
        for raw in ('soon', '0', '-3', '9999'):
            error = self.assertRaises(
                preflight.PreflightError, preflight.wait_seconds,
                {preflight.WAIT_SECONDS_VAR: raw})
            self.assertOneLine(error, preflight.WAIT_SECONDS_VAR, repr(raw))

    def test_misspelt_boolean(self):
        error = self.assertRaises(
            preflight.PreflightError, preflight.check_booleans,
            {'OS_NOVA_DISABLE_EVENTLET_PATCHING': 'ture'})
        self.assertOneLine(error, "OS_NOVA_DISABLE_EVENTLET_PATCHING='ture'",
                           'use true or false')

    def test_booleans_accepted(self):
        for raw in ('', 'True', 'false', '1', 'no'):
            preflight.check_booleans({'NOVA_RAISE_ON_GREENLET_LEAK': raw})

    def test_main_prints_one_line_and_exits_2(self):
        self.versions()
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(2, preflight.main())
        stderr.seek(0)
        lines = stderr.read().splitlines()
        self.assertEqual(1, len(lines))
        self.assertTrue(lines[0].startswith('nova-resize-tests: '))

    def test_functional_discovery_stops_with_one_line(self):
        # What a bare `stestr run` or `python -m unittest discover` sees:
        # importing the functional tests in a broken environment.
        environ = dict(os.environ, NOVA_RESIZE_TESTS_WAIT_SECONDS='soon')
        done = subprocess.run(
            [sys.executable, '-c',
             'import nova_resize_tests.tests.functional'],
            env=environ, capture_output=True, text=True, timeout=120)
        self.assertEqual(2, done.returncode, done.stderr)
        self.assertEqual(
            ["nova-resize-tests: NOVA_RESIZE_TESTS_WAIT_SECONDS='soon' is "
             'not a number of seconds between 0 and 600: unset it (default '
             '20) or set e.g. 30'],
            done.stderr.splitlines())
