"""Rows for a server stopped before it moves (``after=stop``).

A stopped server moves as a running one does and stays stopped: it waits
in VERIFY_RESIZE, and once confirmed or reverted it is SHUTOFF where it
ends. Whatever its status, the allocations follow the table's one rule.
"""

from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # Told for moves between hosts only, as the conductor's paths are.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    verify = s.moved(operation, dest, new)[0]
    stop = s.Step('stop', s.Expect('SHUTOFF', s.SOURCE, None, on_source))
    delete = s.Step('delete', s.deleted())
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, (stop, *steps), **kwargs))

    # The move works, and the server stays stopped.
    row(None, verify, s.Step('confirm', s.Expect(
        'SHUTOFF', dest, 'confirmed', on_dest)))
    if operation == s.RESIZE:
        row(None, verify, s.Step('revert', s.Expect(
            'SHUTOFF', s.SOURCE, 'reverted', on_source)))

    # The destination fails its claim.
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    row(driver_rows.PREP_RESIZE, failed, delete)
    return rows
