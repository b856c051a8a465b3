"""Rows for the conductor's reschedules: switched off, or out of hosts.

With ``[scheduler] max_attempts=1`` the scheduler returns no alternate
hosts, so a move whose destination fails in prep_resize goes nowhere else:
the ``alternate`` host must hold nothing at any step. With reschedules on
and every candidate failing, the move runs out of hosts.
"""

from nova_resize_tests.faults import both
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows

NO_RESCHEDULE = (('max_attempts', 1, 'scheduler'),)


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # One host: nothing to reschedule to.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    delete = s.Step('delete', s.deleted())
    rows = []

    def row(fault, *steps, **kwargs):
        kwargs.setdefault('settings', NO_RESCHEDULE)
        rows.append(s.Row(operation, fault, steps, alternate=True, **kwargs))

    # The driver fails the claim: the server is ERROR on the source.
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    row(driver_rows.PREP_RESIZE, failed, delete)

    # Reschedules on, and every candidate fails: the move runs out of
    # hosts.
    everywhere = both.Both.of(driver_rows.PREP_RESIZE,
                              driver_rows.PREP_RESIZE.on(s.ALTERNATE))
    row(everywhere, failed, delete, settings=())
    return rows
