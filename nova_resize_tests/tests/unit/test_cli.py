"""The console script: its command line, what it runs, its one-line errors."""

import importlib.metadata
import io
import os

import fixtures
import testtools

from nova_resize_tests import cli
from nova_resize_tests import preflight
from nova_resize_tests.tests.unit import test_report


class TestCommandLine(testtools.TestCase):

    def test_run_defaults(self):
        args = cli.parser().parse_args(['run'])
        self.assertEqual(('run', 0, False, None, None, []),
                         (args.command, args.concurrency, args.threading,
                          args.repo_dir, args.subunit_out, args.filters))

    def test_run_with_everything(self):
        args = cli.parser().parse_args(
            ['run', '--concurrency', '1', '--threading', '--repo-dir', '/r',
             '--subunit-out', 'out.subunit', 'finish_migration@dest',
             'test_bug'])
        self.assertEqual((1, True, '/r', 'out.subunit',
                          ['finish_migration@dest', 'test_bug']),
                         (args.concurrency, args.threading, args.repo_dir,
                          args.subunit_out, args.filters))

    def test_report_needs_a_directory(self):
        self.assertEqual('reports', cli.parser().parse_args(
            ['report', 'reports']).directory)

    def assertOneLineError(self, argv, *fragments):
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(2, cli.main(argv))
        lines = stderr.getvalue().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertTrue(lines[0].startswith('nova-resize-tests: '), lines)
        for fragment in fragments:
            self.assertIn(fragment, lines[0])

    def test_bad_concurrency_is_one_line(self):
        self.assertOneLineError(['run', '--concurrency', 'many'],
                                "--concurrency: 'many' is not", 'use 1, 2')

    def test_no_command_is_one_line(self):
        self.assertOneLineError([], 'COMMAND', '--help')

    def test_unknown_command_is_one_line(self):
        self.assertOneLineError(['walk'], "'walk'", '--help')

    def test_report_without_results_is_one_line(self):
        empty = self.useFixture(fixtures.TempDir()).path
        self.assertOneLineError(['report', empty], 'no results in')

    def test_report_writes_the_pages(self):
        results = self.useFixture(fixtures.TempDir()).path
        test_report.write_results(results, 'functional', {
            'test_move(resize,fail=none,then=confirm)': 'success'})
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.assertEqual(0, cli.main(['report', results]))
        self.assertTrue(os.path.isfile(os.path.join(results, 'matrix.html')))


class TestRun(testtools.TestCase):
    """What ``run`` starts, with stestr itself replaced by a recorder."""

    def setUp(self):
        super().setUp()
        self.calls = []
        self.verdict = 0

        def call(command, cwd, env, stdout=None):
            self.calls.append((command, cwd, env))
            if command[-1] == '--subunit':
                stdout.write(b'the stream')
            elif command[-1] == 'init':
                os.mkdir(os.path.join(cwd, '.stestr'))
            return self.verdict

        self.useFixture(fixtures.MonkeyPatch('subprocess.call', call))
        # The environment is fine unless a test says otherwise.
        self.useFixture(fixtures.MonkeyPatch(
            'nova_resize_tests.preflight.check', lambda environ: 34))
        for name in ('OS_STDOUT_CAPTURE', 'OS_TEST_TIMEOUT',
                     'OS_NOVA_DISABLE_EVENTLET_PATCHING',
                     'NOVA_RAISE_ON_GREENLET_LEAK'):
            self.useFixture(fixtures.EnvironmentVariable(name))

    def test_runs_the_installed_functional_tests_from_a_temporary_repo(self):
        self.verdict = 1
        self.assertEqual(1, cli.main(['run', '--concurrency', '2', 'x@y']))
        (init, _, _), (command, cwd, env) = self.calls
        self.assertEqual('init', init[-1])
        package = os.path.dirname(os.path.abspath(cli.__file__))
        self.assertEqual(
            ['-m', 'stestr', '--test-path',
             os.path.join(package, 'tests', 'functional'),
             '--top-dir', os.path.dirname(package),
             'run', '--concurrency', '2', 'x@y'], command[1:])
        self.assertFalse(os.path.exists(cwd), 'temporary repo left behind')
        self.assertEqual('1', env['OS_STDOUT_CAPTURE'])
        self.assertEqual('True', env['NOVA_RAISE_ON_GREENLET_LEAK'])
        self.assertEqual('160', env['OS_TEST_TIMEOUT'])
        self.assertNotIn('OS_NOVA_DISABLE_EVENTLET_PATCHING', env)

    def test_callers_environment_wins_over_the_defaults(self):
        self.useFixture(fixtures.EnvironmentVariable(
            'OS_STDOUT_CAPTURE', '0'))
        cli.main(['run'])
        self.assertEqual('0', self.calls[-1][2]['OS_STDOUT_CAPTURE'])

    def test_threading(self):
        cli.main(['run', '--threading'])
        self.assertEqual(
            'true', self.calls[-1][2]['OS_NOVA_DISABLE_EVENTLET_PATCHING'])

    def test_repo_dir_is_kept_and_the_stream_written(self):
        work = self.useFixture(fixtures.TempDir()).path
        repo, out = os.path.join(work, 'repo'), os.path.join(work, 'out')
        self.assertEqual(0, cli.main(['run', '--repo-dir', repo,
                                      '--subunit-out', out]))
        self.assertTrue(os.path.isdir(os.path.join(repo, '.stestr')))
        self.assertEqual(['init', 'run', 'last'],
                         [c[0][c[0].index('--top-dir') + 2]
                          for c in self.calls])
        with open(out, 'rb') as stream:
            self.assertEqual(b'the stream', stream.read())
        # A second run reuses the repository.
        del self.calls[:]
        cli.main(['run', '--repo-dir', repo])
        self.assertEqual(1, len(self.calls))

    def test_unwritable_subunit_out_fails_before_the_run(self):
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(2, cli.main(
            ['run', '--subunit-out', '/nonexistent/dir/out.subunit']))
        self.assertEqual([], self.calls)
        self.assertIn('--subunit-out /nonexistent/dir/out.subunit',
                      stderr.getvalue())

    def test_list(self):
        cli.main(['list', 'finish_migration'])
        self.assertEqual(['list', 'finish_migration'],
                         self.calls[-1][0][-2:])


class TestNovaMissing(testtools.TestCase):
    """Without Nova every command that needs it says so in one line."""

    def setUp(self):
        super().setUp()

        def version(name):
            raise importlib.metadata.PackageNotFoundError(name)

        self.useFixture(fixtures.MonkeyPatch(
            'importlib.metadata.version', version))
        self.useFixture(fixtures.MonkeyPatch(
            'subprocess.call', lambda *a, **k: self.fail('stestr started')))
        self.stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', self.stderr))

    def assertNovaMissing(self, argv):
        self.assertEqual(2, cli.main(argv))
        lines = self.stderr.getvalue().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertEqual(
            'nova-resize-tests: nova is not installed: run "pip install '
            'nova openstack-placement" or use "tox -e functional", which '
            'installs both', lines[0])

    def test_check(self):
        self.assertNovaMissing(['check'])

    def test_run(self):
        self.assertNovaMissing(['run', 'finish_migration'])

    def test_list(self):
        self.assertNovaMissing(['list'])

    def test_same_line_as_the_preflight(self):
        self.assertEqual(2, preflight.main())
        preflight_line = self.stderr.getvalue()
        self.stderr.truncate(0)
        self.stderr.seek(0)
        cli.main(['run'])
        self.assertEqual(preflight_line, self.stderr.getvalue())
