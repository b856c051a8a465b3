"""Renders the scenario table for README.rst, so the docs cannot drift.

``python -m nova_resize_tests.table README.rst`` rewrites the part of the
file between the two marker comments; a unit test fails when they differ.
"""

import sys

from nova_resize_tests import findings
from nova_resize_tests import scenarios

BEGIN = '.. scenario-table-begin'
END = '.. scenario-table-end'


def _allocations(expected):
    parts = [f'{provider}[' + ' '.join(
        f'{role}={flavor.name}' for role, flavor in sorted(held.items()))
        + ']' for provider, held in sorted(expected.items())]
    return ' '.join(parts) or 'nothing'


def _end_state(expect):
    where = f'@{expect.host}' if expect.host else ''
    return (f'{expect.server}{where} migration={expect.migration or "-"} '
            f'{_allocations(expect.allocations)}')


def lines(rows=scenarios.ROWS):
    """One line per row: its id, then the state after each step."""
    out = []
    for number, row in enumerate(rows, 1):
        steps = '; '.join(f'{step.action}: {_end_state(step.expect)}'
                          for step in row.steps)
        mark = ''
        keys = ', '.join(finding.key for finding in row.findings)
        if any(finding.leaks_in_steps for finding in row.findings):
            mark = f'  [expected failure: known leak {keys}]'
        elif row.findings:
            mark = f'  [known audit finding {keys}]'
        out.append(f'{number:3d} {row.name}  =>  {steps}{mark}')
    return out


def faults(rows=scenarios.ROWS):
    """One line per simple fault the rows use: kind, where, how."""
    seen = {}
    for row in rows:
        for fault in row.fault.parts() if row.fault else ():
            seen.setdefault((fault.kind, fault.where), fault.how)
    return [f'{kind} {where}: {how}' for (kind, where), how in seen.items()]


def known_findings(rows=scenarios.ROWS):
    """Each finding, its reason, and how many rows show it."""
    out = []
    for finding in findings.ALL:
        count = sum(1 for row in rows if finding in row.findings)
        out += [f'``{finding.key}``: {finding.title} ({count} rows)',
                f'    {finding.reason}', '']
    return out


def section():
    body = ['::', ''] + ['    ' + line for line in lines()]
    body += ['', 'Faults and how they are injected::', '']
    body += ['    ' + line for line in faults()]
    body += ['', 'Known Nova problems the rows show (see Findings):', '']
    body += known_findings()
    return '\n'.join([BEGIN, ''] + body + [END])


def current(text):
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    return text[start:stop]


def main(argv=sys.argv[1:]):
    path = argv[0] if argv else 'README.rst'
    with open(path) as f:
        text = f.read()
    with open(path, 'w') as f:
        f.write(text.replace(current(text), section()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
