"""Renders the scenario table and the findings for README.rst.

``python -m nova_resize_tests.table README.rst`` rewrites the parts of the
file between each pair of marker comments; a unit test fails when they
differ, so the docs cannot drift from the rows and from findings.py.
"""

import sys

from nova_resize_tests import findings
from nova_resize_tests import scenarios

BEGIN = '.. scenario-table-begin'
END = '.. scenario-table-end'
FINDINGS_BEGIN = '.. findings-begin'
FINDINGS_END = '.. findings-end'


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
    """Each finding: title, the code path, and the rows that show it."""
    out = []
    for finding in findings.ALL:
        shown = [row.name for row in rows if finding in row.findings]
        how = ('the rows are expected failures' if finding.leaks_in_steps
               else 'a known audit finding on the rows')
        if shown:
            noun = 'row' if len(shown) == 1 else 'rows'
            seen = (f'{len(shown)} {noun} ({how}), for example '
                    f'``{shown[0]}``.')
        else:
            seen = 'No row shows it any more.'
        out += [f'``{finding.key}``', f'    **{finding.title}.**',
                f'    {finding.reason}. {seen}', '']
    return out


def section():
    body = ['::', ''] + ['    ' + line for line in lines()]
    body += ['', 'Faults and how they are injected::', '']
    body += ['    ' + line for line in faults()]
    return '\n'.join([BEGIN, ''] + body + ['', END])


def findings_section():
    return '\n'.join([FINDINGS_BEGIN, '', *known_findings(), FINDINGS_END])


def current(text, begin=BEGIN, end=END):
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[start:stop]


def main(argv=sys.argv[1:]):
    path = argv[0] if argv else 'README.rst'
    with open(path) as f:
        text = f.read()
    text = text.replace(current(text), section())
    text = text.replace(current(text, FINDINGS_BEGIN, FINDINGS_END),
                        findings_section())
    with open(path, 'w') as f:
        f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
