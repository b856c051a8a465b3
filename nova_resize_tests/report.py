"""The release matrix as a table a person can read.

Each functional tox env leaves its results in ``reports/<env>.subunit``;
``python -m nova_resize_tests.report [reports]`` reads them all and writes
``matrix.md`` and ``matrix.html`` there: one line per scenario, one column
per env (release and concurrency mode), each cell pass, FAIL, xfail (a
documented expected failure), skip, or blank when the env has not run.
"""

import collections
import html
import os
import re
import sys

import subunit
import testtools

from nova_resize_tests import preflight

# Test ids are long; the scenario part is what a reader scans for.
_SHORT = re.compile(r'^nova_resize_tests\.tests\.functional\.')
CELL = {'success': 'pass', 'fail': 'FAIL', 'xfail': 'xfail',
        'uxsuccess': 'FAIL (unexpected success)', 'skip': 'skip'}


def read_results(path):
    """``{test id: status}`` from one subunit v2 stream."""
    results = {}

    def record(test):
        if test['status'] in CELL:
            results[_SHORT.sub('', test['id'])] = test['status']

    collector = testtools.StreamToDict(record)
    collector.startTestRun()
    with open(path, 'rb') as stream:
        subunit.ByteStreamToStreamResult(stream).run(collector)
    collector.stopTestRun()
    return results


def env_order(name):
    """Sort key: functional, then threading, then older releases."""
    return (name != 'functional', 'threading' not in name,
            [-int(n) for n in re.findall(r'\d+', name)])


def collect(directory):
    matrix = collections.OrderedDict()
    names = sorted((f[:-len('.subunit')] for f in os.listdir(directory)
                    if f.endswith('.subunit')), key=env_order)
    for name in names:
        matrix[name] = read_results(os.path.join(directory, name + '.subunit'))
    return matrix


def label(env):
    """``functional-nova32`` -> ``functional-nova32 (2025.2, eventlet)``."""
    found = re.search(r'nova(\d+)', env)
    major = int(found.group(1)) if found else max(preflight.RELEASE_NAMES)
    mode = 'threading' if 'threading' in env else 'eventlet'
    return f'{env} ({preflight.RELEASE_NAMES.get(major, major)}, {mode})'


def rows(matrix):
    tests = sorted({test for results in matrix.values() for test in results})
    for test in tests:
        yield test, [CELL.get(matrix[env].get(test), '') for env in matrix]


def totals(matrix):
    counts = collections.Counter(
        status for results in matrix.values() for status in results.values())
    failed = counts['fail'] + counts['uxsuccess']
    return counts['success'] + counts['xfail'], failed, counts['skip']


def markdown(matrix):
    envs = [label(env) for env in matrix]
    out = ['| scenario | ' + ' | '.join(envs) + ' |',
           '|---|' + '---|' * len(envs)]
    for test, cells in rows(matrix):
        out.append(f'| `{test}` | ' + ' | '.join(cells) + ' |')
    return '\n'.join(out) + '\n'


def to_html(matrix):
    envs = [label(env) for env in matrix]
    head = ''.join(f'<th>{html.escape(env)}</th>' for env in envs)
    body = []
    for test, cells in rows(matrix):
        tds = ''.join(
            f'<td class="{html.escape(cell.split()[0].lower() or "none")}">'
            f'{html.escape(cell)}</td>' for cell in cells)
        body.append(f'<tr><td><code>{html.escape(test)}</code></td>{tds}</tr>')
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<title>nova-resize-tests matrix</title><style>'
        'body{font-family:sans-serif}td,th{border:1px solid #ccc;'
        'padding:2px 6px}table{border-collapse:collapse}'
        '.pass{background:#dfd}.fail{background:#fbb}.xfail{background:#ffd}'
        '</style></head><body><h1>nova-resize-tests: scenario &times; '
        f'release &times; mode</h1><table><tr><th>scenario</th>{head}</tr>'
        + '\n'.join(body) + '</table></body></html>\n')


def main(argv=sys.argv[1:]):
    directory = argv[0] if argv else 'reports'
    if not os.path.isdir(directory) or not any(
            f.endswith('.subunit') for f in os.listdir(directory)):
        print(f'nova-resize-tests: no results in {directory}/: run a '
              'functional tox env first', file=sys.stderr)
        return 2
    matrix = collect(directory)
    with open(os.path.join(directory, 'matrix.md'), 'w') as f:
        f.write(markdown(matrix))
    with open(os.path.join(directory, 'matrix.html'), 'w') as f:
        f.write(to_html(matrix))
    passed, failed, skipped = totals(matrix)
    for env, results in matrix.items():
        counts = collections.Counter(results.values())
        print(f'{env}: ' + ', '.join(
            f'{n} {CELL[status]}' for status, n in sorted(counts.items())))
    print(f'matrix written to {directory}/matrix.md and matrix.html')
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
