"""Renders the scenario table for README.rst, so the docs cannot drift.

``python -m nova_resize_tests.table README.rst`` rewrites the part of the
file between the two marker comments; a unit test fails when they differ.
"""

import sys

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
        if row.known_leak:
            mark = '  [expected failure: known Nova leak]'
        elif row.known_audit_finding:
            mark = '  [known audit finding]'
        out.append(f'{number:3d} {row.name}  =>  {steps}{mark}')
    return out


def faults():
    seen = {}
    for row in scenarios.ROWS:
        if row.fault:
            seen.setdefault(row.fault.step, row.fault.how)
    return [f'{step}: {how}' for step, how in seen.items()]


def section():
    body = ['::', ''] + ['    ' + line for line in lines()]
    body += ['', 'Faults and how they are injected::', '']
    body += ['    ' + line for line in faults()]
    return '\n'.join([BEGIN, ''] + body + ['', END])


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
