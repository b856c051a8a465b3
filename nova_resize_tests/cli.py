"""``nova-resize-tests``: run the installed suite against the installed Nova.

For distributors and operators who install this package next to a Nova of
their choice and want the verdict without a checkout or tox, the way
``tempest run`` wraps stestr::

    nova-resize-tests check                  # is this environment usable?
    nova-resize-tests run [REGEX ...]        # the functional suite
    nova-resize-tests list [REGEX ...]       # its test ids
    nova-resize-tests report DIR             # matrix from subunit streams

``run`` checks the environment first (the same one line as
``python -m nova_resize_tests.preflight``), then runs stestr on the
functional tests of this installed package, from a repository of its own
(a temporary directory unless ``--repo-dir`` is given), so it works from
any directory. The exit code is the verdict: 0 all passed, 1 a test failed,
2 the environment or the command line is wrong.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

from nova_resize_tests import preflight

PROG = 'nova-resize-tests'
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
FUNCTIONAL_DIR = os.path.join(PACKAGE_DIR, 'tests', 'functional')
#: What tox.ini sets for every run; the caller's own values win.
ENVIRONMENT_DEFAULTS = {
    'OS_STDOUT_CAPTURE': '1',
    'OS_STDERR_CAPTURE': '1',
    'OS_LOG_CAPTURE': '1',
    # A hung test fails after this many seconds instead of hanging the run.
    'OS_TEST_TIMEOUT': '160',
    'NOVA_RAISE_ON_GREENLET_LEAK': 'True',
}


class UsageError(Exception):
    """The command line is wrong; str() is the one line to print."""


class _Parser(argparse.ArgumentParser):
    """Reports a bad command line in one line instead of usage and error."""

    def error(self, message):
        raise UsageError(f'{message} (see "{PROG} --help")')


def _concurrency(raw):
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            f'{raw!r} is not a number of workers: use 1, 2, '
            '... or 0 for one per CPU')
    return value


def parser():
    top = _Parser(prog=PROG, description=__doc__.split('\n\n')[0])
    commands = top.add_subparsers(dest='command', metavar='COMMAND',
                                  parser_class=_Parser)
    commands.required = True

    run = commands.add_parser(
        'run', help='run the functional suite (all of it, or the tests '
        'whose id matches a REGEX)')
    run.add_argument('--concurrency', type=_concurrency, default=0,
                     help='worker processes (default: one per CPU)')
    run.add_argument('--threading', action='store_true',
                     help='run Nova with native threads instead of eventlet '
                     '(OS_NOVA_DISABLE_EVENTLET_PATCHING=true)')
    run.add_argument('--repo-dir', metavar='DIR',
                     help="keep stestr's repository here (default: a "
                     'temporary directory, removed afterwards)')
    run.add_argument('--subunit-out', metavar='FILE',
                     help="write the run's subunit v2 stream to FILE, as "
                     'the report command reads it')
    run.add_argument('filters', nargs='*', metavar='REGEX')

    listing = commands.add_parser('list', help='print the test ids')
    listing.add_argument('filters', nargs='*', metavar='REGEX')

    commands.add_parser('check', help='check this environment can run the '
                        'suite and say which Nova it would test')

    report = commands.add_parser(
        'report', help='write matrix.md and matrix.html from the '
        '<env>.subunit files in DIR')
    report.add_argument('directory', metavar='DIR')
    return top


def test_environment(args, environ):
    """The environment of the test run: tox.ini's defaults, then ours."""
    env = dict(ENVIRONMENT_DEFAULTS)
    env.update(environ)
    if getattr(args, 'threading', False):
        env['OS_NOVA_DISABLE_EVENTLET_PATCHING'] = 'true'
    return env


def stestr_command(*words):
    """stestr on this installed package's functional tests."""
    return [sys.executable, '-m', 'stestr', '--test-path', FUNCTIONAL_DIR,
            '--top-dir', os.path.dirname(PACKAGE_DIR), *words]


def _stestr(repo_dir, env, *words, stdout=None):
    return subprocess.call(stestr_command(*words), cwd=repo_dir, env=env,
                           stdout=stdout)


def _with_repository(args, env, body):
    """Run ``body(repo_dir)`` in an initialised stestr repository."""
    keep = getattr(args, 'repo_dir', None)
    repo_dir = keep or tempfile.mkdtemp(prefix=f'{PROG}-')
    try:
        os.makedirs(repo_dir, exist_ok=True)
        if not os.path.isdir(os.path.join(repo_dir, '.stestr')):
            _stestr(repo_dir, env, 'init', stdout=subprocess.DEVNULL)
        return body(repo_dir)
    finally:
        if not keep:
            shutil.rmtree(repo_dir, ignore_errors=True)


def run(args, env):
    def body(repo_dir):
        verdict = _stestr(repo_dir, env, 'run', '--concurrency',
                          str(args.concurrency), *args.filters)
        if args.subunit_out:
            with open(args.subunit_out, 'wb') as out:
                _stestr(repo_dir, env, 'last', '--subunit', stdout=out)
        return verdict
    if args.subunit_out:
        # Fails now, not after the run, when the file cannot be written.
        try:
            open(args.subunit_out, 'ab').close()
        except OSError as exc:
            raise UsageError(f'--subunit-out {args.subunit_out}: '
                             f'{exc.strerror}: name a writable file')
    return _with_repository(args, env, body)


def list_tests(args, env):
    return _with_repository(
        args, env, lambda repo_dir: _stestr(repo_dir, env, 'list',
                                            *args.filters))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parser().parse_args(argv)
        if args.command == 'check':
            return preflight.main()
        if args.command == 'report':
            from nova_resize_tests import report
            return report.main([args.directory])
        env = test_environment(args, os.environ)
        # The same check the tests' import makes, before any worker starts.
        preflight.check(env)
        return {'run': run, 'list': list_tests}[args.command](args, env)
    except (UsageError, preflight.PreflightError) as exc:
        print(f'{PROG}: {exc}', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f'{PROG}: interrupted', file=sys.stderr)
        return 130


if __name__ == '__main__':
    sys.exit(main())
