"""The release matrix as pages a person can read.

Each functional tox env leaves its results in ``reports/<env>.subunit``;
``python -m nova_resize_tests.report [reports]`` (or ``nova-resize-tests
report DIR``) reads them all and writes ``matrix.html`` and ``matrix.md``
there.

For each operation a grid shows the shape of the results: one row per place
where the move fails, one column per follow-up, and in each cell one mark
per env (release and concurrency mode). In the HTML page a cell that failed
or passed unexpectedly opens to the failure and the Placement timeline of
each env concerned. Tests that are not scenario rows go to a table of their
own. Below, the findings: each known Nova problem, the rows that show it
and the releases it is seen on, read from the ``known-finding`` detail a
test attaches: one block per finding, blocks apart by a blank line, each
with the first line ``<key>: <title>``, then the reason.
"""

import collections
import html
import os
import re
import sys

import subunit
import testtools

from nova_resize_tests import preflight

#: A scenario engine's test id; the module and class may be any under
#: nova_resize_tests.tests.functional, the method is test_move. The
#: operation may carry the server's shape and the steps before the move
#: (``migrate,volume-backed,after=stop``); settings follow the follow-ups.
SCENARIO_ID = re.compile(
    r'^(?P<test>nova_resize_tests\.tests\.functional\.\S+\.test_move)'
    r'\((?P<op>.+?),fail=(?P<fail>.*),then=(?P<then>[^,()]*)'
    r'(?P<settings>(?:,[^,()=]+=[^,()]*)*)\)$')
_SHORT = re.compile(r'^nova_resize_tests\.tests\.functional\.')
#: The details the report shows, by their name in the subunit stream.
FAILURE, TIMELINE, FINDING = 'traceback', 'placement-timeline', 'known-finding'
KEPT_DETAILS = (FAILURE, TIMELINE, FINDING)

#: status: (word in counts and titles, Markdown mark, HTML mark)
STATUS = {
    'success': ('pass', '✓', '✓'),
    'fail': ('FAIL', '✗', '✗'),
    'uxsuccess': ('FAIL (unexpected success)', '!', '!'),
    'xfail': ('xfail', 'x', 'x'),
    'skip': ('skip', 's', '–'),
    None: ('not run', '·', '·'),
}
BAD = ('fail', 'uxsuccess')

# Rows and columns in the order a move goes; unknown names after, sorted.
STEP_ORDER = ('none', 'scheduling', 'prep_resize', 'resize_instance',
              'migrate_disk_and_power_off', 'finish_migration',
              # The same steps of a move across cells.
              'prep_snapshot_based_resize_at_dest',
              'prep_snapshot_based_resize_at_source',
              'finish_snapshot_based_resize_at_dest', 'confirm',
              'revert_snapshot_based_resize_at_dest', 'destroy',
              'finish_revert_migration',
              'finish_revert_snapshot_based_resize_at_source')
FOLLOW_UP_ORDER = ('nothing', 'confirm', 'revert', 'hard-reboot', 'delete')

Result = collections.namedtuple('Result', 'status details')
Row = collections.namedtuple('Row', 'test op fail then')


def read_results(path):
    """``{test id: Result}`` from one subunit v2 stream."""
    results = {}

    def record(test):
        if test['status'] not in STATUS:
            return
        details = {}
        for name in KEPT_DETAILS:
            if name in test['details']:
                try:
                    details[name] = test['details'][name].as_text()
                except (UnicodeDecodeError, ValueError):
                    details[name] = '(not text)'
        results[test['id']] = Result(test['status'], details)

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
    """``{env: {test id: Result}}``, envs newest first."""
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


def release(env):
    """The release part of :func:`label`: ``2025.2``."""
    return label(env).split('(', 1)[1].split(',', 1)[0]


def parse(test_id):
    """A :class:`Row` for a scenario engine's test id, else None."""
    found = SCENARIO_ID.match(test_id)
    if not found:
        return None
    parts = found.groupdict()
    settings = parts.pop('settings')
    if settings:
        # A setting changes where the move fails, not what follows.
        parts['fail'] += f' ({settings[1:]})'
    return Row(**parts)


def short(test_id):
    return _SHORT.sub('', test_id)


def _ordered(names, order):
    def key(name):
        for position, known in enumerate(order):
            if name == known or name.startswith(known):
                return (position, name)
        return (len(order), name)
    return sorted(names, key=key)


def _follow_up_key(then):
    steps = then.split('+')
    return (len(steps), [
        FOLLOW_UP_ORDER.index(s) if s in FOLLOW_UP_ORDER
        else len(FOLLOW_UP_ORDER) for s in steps], then)


class Matrix:
    """What the pages show, worked out once from the envs' results."""

    def __init__(self, results):
        self.results = results
        self.envs = list(results)
        tests = []
        for env_results in results.values():
            tests.extend(t for t in env_results if t not in tests)
        self.rows = {}
        self.other = []
        for test in tests:
            row = parse(test)
            if row:
                self.rows[test] = row
            else:
                self.other.append(test)
        self.other.sort()
        self.operations = list(dict.fromkeys(
            row.op for row in self.rows.values()))

    def statuses(self, test):
        """``[(env, Result or None)]`` in env order."""
        return [(env, self.results[env].get(test)) for env in self.envs]

    def grid(self, operation):
        """``(fails, follow-ups, {(fail, then): [test id]})``."""
        cells = collections.defaultdict(list)
        for test, row in self.rows.items():
            if row.op == operation:
                cells[row.fail, row.then].append(test)
        fails = _ordered({fail for fail, _ in cells}, STEP_ORDER)
        thens = sorted({then for _, then in cells}, key=_follow_up_key)
        return fails, thens, cells

    def findings(self):
        """``{key: {'title', 'reason', 'rows': {test: [env]}}}``."""
        found = collections.OrderedDict()
        for env in self.envs:
            for test, result in self.results[env].items():
                for key, title, reason in parse_findings(
                        result.details.get(FINDING)):
                    finding = found.setdefault(key, {
                        'title': title, 'reason': reason,
                        'rows': collections.OrderedDict()})
                    finding['rows'].setdefault(test, []).append(env)
        return collections.OrderedDict(sorted(found.items()))

    def totals(self):
        counts = collections.Counter(
            result.status for env_results in self.results.values()
            for result in env_results.values())
        failed = counts['fail'] + counts['uxsuccess']
        return counts['success'] + counts['xfail'], failed, counts['skip']


def totals(matrix):
    return Matrix(matrix).totals()


def _finding_keys(matrix, tests):
    keys = []
    for test in tests:
        for _, result in matrix.statuses(test):
            for key, _, _ in parse_findings(
                    result and result.details.get(FINDING)):
                if key not in keys:
                    keys.append(key)
    return keys


def parse_findings(text):
    """``[(key, title, reason), ...]`` from a ``known-finding`` detail."""
    found = []
    for block in (text or '').strip().split('\n\n'):
        first, _, reason = block.strip().partition('\n')
        key, _, title = first.partition(':')
        if key.strip():
            found.append((key.strip(), title.strip(), reason.strip()))
    return found


def _rows(count):
    return f'{count} row' + ('' if count == 1 else 's')


def _row_label(matrix, test):
    """``resize,fail=...,then=...`` for a row, the short id otherwise."""
    row = matrix.rows.get(test)
    if row is None:
        return short(test)
    return f'{row.op},fail={row.fail},then={row.then}'


# -- Markdown ------------------------------------------------------------

def _md(text):
    return text.replace('|', '\\|')


def _md_marks(matrix, tests):
    return ' '.join(
        ''.join(STATUS[result and result.status][1]
                for _, result in matrix.statuses(test)) for test in tests)


def markdown(results):
    matrix = Matrix(results)
    numbers = {key: n for n, key in enumerate(matrix.findings(), 1)}
    out = ['# nova-resize-tests: scenario × release × mode', '',
           'Each cell has one mark per env, in this order: ' + ', '.join(
               f'{n}. {label(env)}' for n, env in enumerate(matrix.envs, 1))
           + '.', '',
           'Marks: ✓ pass, ✗ FAIL, ! FAIL (unexpected success), x xfail '
           '(a known Nova problem, expected), s skip, · not run; '
           '[n] names a finding below. Rows: where the move fails; '
           'columns: what follows.', '']
    for operation in matrix.operations:
        fails, thens, cells = matrix.grid(operation)
        out += [f'## {_md(operation)}', '',
                '| fails at | ' + ' | '.join(map(_md, thens)) + ' |',
                '|---|' + '---|' * len(thens)]
        for fail in fails:
            line = [f'`{_md(fail)}`']
            for then in thens:
                tests = cells.get((fail, then), [])
                mark = _md_marks(matrix, tests)
                refs = ''.join(f' [{numbers[k]}]'
                               for k in _finding_keys(matrix, tests))
                line.append(mark + refs)
            out.append('| ' + ' | '.join(line) + ' |')
        out.append('')
    findings = matrix.findings()
    if findings:
        out += ['## Findings', '']
        for key, finding in findings.items():
            envs = {env for found in finding['rows'].values()
                    for env in found}
            releases = sorted({release(env) for env in envs})
            out.append(f'{numbers[key]}. **{_md(key)}**: '
                       f'{_md(finding["title"])} (on {", ".join(releases)}; '
                       f'{_rows(len(finding["rows"]))}: ' + ', '.join(
                           f'`{_md(_row_label(matrix, t))}`'
                           for t in finding['rows']) + ')')
        out.append('')
    if matrix.other:
        out += ['## Other tests', '',
                '| test | ' + ' | '.join(
                    str(n) for n in range(1, len(matrix.envs) + 1)) + ' |',
                '|---|' + '---|' * len(matrix.envs)]
        for test in matrix.other:
            out.append(f'| `{_md(short(test))}` | ' + ' | '.join(
                STATUS[result and result.status][1]
                for _, result in matrix.statuses(test)) + ' |')
        out.append('')
    return '\n'.join(out)


# -- HTML ----------------------------------------------------------------

STYLE = '''
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;
 position:relative}
th{background:#f3f3f3;font-weight:600;text-align:left;white-space:nowrap}
.grid td{white-space:nowrap}
td.empty{background:repeating-linear-gradient(45deg,#fff,#fff 4px,
 #f2f2f2 4px,#f2f2f2 8px)}
td.bad{background:#fdeaea}
.m{display:inline-block;min-width:1.2em;text-align:center;margin:0 1px;
 border-radius:3px;font-weight:bold;line-height:1.4em}
.success{background:#c8efc8;color:#145214}
.fail,.uxsuccess{background:#f6b0b0;color:#7a0000}
.xfail{background:#fde9a6;color:#6b5200}
.skip,.none{background:#e4e4e4;color:#555}
details{display:inline-block}
summary{cursor:pointer;list-style:none}
summary::-webkit-details-marker{display:none}
summary::before{content:'\\25B8';color:#7a0000;margin-right:2px}
details[open] summary::before{content:'\\25BE'}
.evidence{position:absolute;left:0;top:100%;z-index:5;width:72em;
 max-width:90vw;background:#fff;border:1px solid #999;padding:.3em .6em;
 box-shadow:0 4px 14px rgba(0,0,0,.25);white-space:normal}
.evidence h4{margin:.4em 0}
.evidence pre{white-space:pre;font-size:.8em;background:#f7f7f7;
 border:1px solid #ddd;padding:.4em;max-height:25em;overflow:auto}
.ref{font-size:.75em;margin-left:3px;text-decoration:none}
code{font-size:.92em}.legend td{border:none;padding:1px 6px}
'''


def _mark(env, result):
    status = result and result.status
    word = STATUS[status][0]
    return (f'<span class="m {status or "none"}" title="'
            f'{html.escape(label(env))}: {html.escape(word)}">'
            f'{STATUS[status][2]}</span>')


def _evidence_one(env, result):
    """The failure and the Placement timeline of one env's result."""
    parts = [f'<h4>{html.escape(label(env))}: '
             f'{html.escape(STATUS[result.status][0])}</h4>']
    if result.status == 'uxsuccess':
        parts.append('<p>Expected to fail (a known Nova problem) but '
                     'passed: has Nova fixed it?</p>')
    for name in (FAILURE, TIMELINE):
        if result.details.get(name):
            parts.append(f'<pre>{html.escape(name)}:\n'
                         f'{html.escape(result.details[name])}</pre>')
    return ''.join(parts)


def _evidence(matrix, tests):
    """The evidence of every env in which these tests went wrong."""
    return ''.join(_evidence_one(env, result) for test in tests
                   for env, result in matrix.statuses(test)
                   if result and result.status in BAD)


def _cell(matrix, tests, numbers):
    if not tests:
        return '<td class="empty"></td>'
    marks = ' '.join(''.join(_mark(env, result)
                             for env, result in matrix.statuses(test))
                     for test in tests)
    refs = ''.join(
        f'<a class="ref" href="#finding-{html.escape(key)}" title="'
        f'{html.escape(key)}">[{numbers[key]}]</a>'
        for key in _finding_keys(matrix, tests))
    evidence = _evidence(matrix, tests)
    title = html.escape(', '.join(short(t) for t in tests))
    if evidence:
        return (f'<td class="bad" title="{title}"><details><summary>'
                f'{marks}</summary><div class="evidence">{evidence}</div>'
                f'</details>{refs}</td>')
    return f'<td title="{title}">{marks}{refs}</td>'


def to_html(results):
    matrix = Matrix(results)
    findings = matrix.findings()
    numbers = {key: n for n, key in enumerate(findings, 1)}
    passed, failed, skipped = matrix.totals()
    out = ['<!DOCTYPE html><html><head><meta charset="utf-8">'
           '<title>nova-resize-tests matrix</title>'
           f'<style>{STYLE}</style></head><body>'
           '<h1>nova-resize-tests: scenario &times; release &times; '
           'mode</h1>',
           f'<p>{passed} passed, {failed} failed, {skipped} skipped. '
           'Each cell has one mark per env, in the order below; hover a '
           'mark for its env and status, open a red cell for the failure '
           'and the Placement timeline.</p><table class="legend">']
    for n, env in enumerate(matrix.envs, 1):
        counts = collections.Counter(
            r.status for r in results[env].values())
        out.append(f'<tr><td>{n}.</td><td>{html.escape(label(env))}</td>'
                   '<td>' + ', '.join(
                       f'{count} {STATUS[status][0]}'
                       for status, count in sorted(counts.items()))
                   + '</td></tr>')
    out.append('</table><p>' + ' '.join(
        f'{_mark_legend(status)} {html.escape(STATUS[status][0])}'
        for status in ('success', 'fail', 'uxsuccess', 'xfail', 'skip',
                       None)) + '</p>')
    for operation in matrix.operations:
        fails, thens, cells = matrix.grid(operation)
        out.append(f'<h2>{html.escape(operation)}</h2><table class="grid">'
                   '<tr><th>fails at &darr; / then &rarr;</th>' + ''.join(
                       f'<th>{html.escape(then)}</th>' for then in thens)
                   + '</tr>')
        for fail in fails:
            out.append(f'<tr><th><code>{html.escape(fail)}</code></th>'
                       + ''.join(_cell(matrix, cells.get((fail, then), []),
                                       numbers) for then in thens)
                       + '</tr>')
        out.append('</table>')
    if findings:
        out.append('<h2>Findings</h2><ol>')
        for key, finding in findings.items():
            envs = {env for found in finding['rows'].values()
                    for env in found}
            releases = ', '.join(sorted({release(env) for env in envs}))
            rows = ''.join(
                f'<li><code>{html.escape(_row_label(matrix, t))}</code> ('
                f'{html.escape(", ".join(label(env) for env in found))})'
                '</li>'
                for t, found in finding['rows'].items())
            reason = (f'<pre>{html.escape(finding["reason"])}</pre>'
                      if finding['reason'] else '')
            out.append(f'<li id="finding-{html.escape(key)}"><b>'
                       f'{html.escape(key)}</b>: '
                       f'{html.escape(finding["title"])}<br>'
                       f'seen on {html.escape(releases)}, in '
                       f'{_rows(len(finding["rows"]))}:{reason}<ul>{rows}'
                       '</ul></li>')
        out.append('</ol>')
    if matrix.other:
        out.append('<h2>Other tests</h2><table><tr><th>test</th>'
                   '<th>envs</th></tr>')
        for test in matrix.other:
            out.append(f'<tr><th><code>{html.escape(short(test))}</code></th>'
                       f'{_cell(matrix, [test], numbers)}</tr>')
        out.append('</table>')
    out.append('</body></html>\n')
    return '\n'.join(out)


def _mark_legend(status):
    return (f'<span class="m {status or "none"}">{STATUS[status][2]}'
            '</span>')


def main(argv=sys.argv[1:]):
    directory = argv[0] if argv else 'reports'
    if not os.path.isdir(directory) or not any(
            f.endswith('.subunit') for f in os.listdir(directory)):
        print(f'nova-resize-tests: no results in {directory}/: run a '
              'functional tox env first', file=sys.stderr)
        return 2
    results = collect(directory)
    with open(os.path.join(directory, 'matrix.md'), 'w') as f:
        f.write(markdown(results))
    with open(os.path.join(directory, 'matrix.html'), 'w') as f:
        f.write(to_html(results))
    passed, failed, skipped = totals(results)
    for env, env_results in results.items():
        counts = collections.Counter(r.status for r in env_results.values())
        print(f'{env}: ' + ', '.join(
            f'{n} {STATUS[status][0]}'
            for status, n in sorted(counts.items())))
    print(f'matrix written to {directory}/matrix.md and matrix.html')
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
