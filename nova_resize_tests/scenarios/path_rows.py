"""Rows for the paths beside the plain move: Nova's periodic auto-confirm,
an admin's reset-state, and the conductor's other ways to place a move.

* ``auto-confirm``: the destination's ``_poll_unconfirmed_resizes`` runs
  once the migration is past ``resize_confirm_window`` (back-dated, not
  waited for); it confirms as the user would, or gives up on a server it
  does not find in RESIZED and marks the migration ``error``.
* ``reset-error`` / ``reset-active``: ``os-resetState`` on a server that
  waits in VERIFY_RESIZE; then the user deletes it or the periodic runs.
* The conductor with reschedules off (``[scheduler] max_attempts=1``),
  with every candidate failing, with a destination the admin names (cold
  migrate with ``host``, microversion 2.56, to the host the scheduler would
  not pick), for a server that is stopped, and the move tried again once
  the fault is gone (the second migration is checked as the first).
"""

import dataclasses

from nova_resize_tests.faults import both
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows
from nova_resize_tests.scenarios import rpc_rows

NO_RESCHEDULE = (('max_attempts', 1, 'scheduler'),)


def rows(operation, dest, new):
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    verify, confirmed, reverted = s.moved(operation, dest, new)
    delete = s.Step('delete', s.deleted())
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, steps, **kwargs))

    # -- auto-confirm and reset-state ------------------------------------
    auto_confirmed = dataclasses.replace(confirmed, action='auto-confirm')
    row(None, verify, auto_confirmed)
    if operation == s.SAME_HOST:
        return rows
    row(driver_rows.CONFIRM, verify, s.Step('auto-confirm', s.Expect(
        'ERROR', dest, 'error', on_dest)))
    reset = s.Step('reset-error', s.Expect(
        'ERROR', dest, 'finished', verify.expect.allocations))
    row(None, verify, reset, delete,
        findings=(findings.RESET_DELETE_KEEPS_MIGRATION,))
    # The periodic finds the server ACTIVE, not RESIZED, and ends the
    # migration without confirming it: once it is over, only the server's
    # host may hold anything.
    reset = s.Step('reset-active', s.Expect(
        'ACTIVE', dest, 'finished', verify.expect.allocations))
    row(None, verify, reset, s.Step('auto-confirm', s.Expect(
        'ACTIVE', dest, 'error', on_dest), ends_with=rpc_rows.NO_EVENT),
        findings=(findings.AUTO_CONFIRM_GIVES_UP,))

    # -- the conductor's other paths -------------------------------------
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    # Reschedules off: the alternate is never tried.
    row(driver_rows.PREP_RESIZE, failed, delete, alternate=True,
        settings=NO_RESCHEDULE)
    # Every candidate fails: the reschedule runs out of hosts.
    everywhere = both.Both.of(driver_rows.PREP_RESIZE,
                              driver_rows.PREP_RESIZE.on(s.ALTERNATE))
    row(everywhere, failed, delete, alternate=True)

    # A stopped server moves and stays stopped.
    stop = s.Step('stop', s.Expect('SHUTOFF', s.SOURCE, None, on_source))
    row(None, stop, verify, s.Step('confirm', s.Expect(
        'SHUTOFF', dest, 'confirmed', on_dest)))
    if operation == s.RESIZE:
        row(None, stop, verify, s.Step('revert', s.Expect(
            'SHUTOFF', s.SOURCE, 'reverted', on_source)))
    row(driver_rows.PREP_RESIZE, stop, failed, delete)

    # The fault is gone and the move is tried again: the second migration
    # consumer holds the old flavor as the first did.
    again = s.moved(operation, dest, new, role='migration-2')[0]
    rolled_back = dataclasses.replace(driver_rows.MIGRATE_DISK_ROLLBACK,
                                      times=1)
    row(rolled_back, s.Step(operation, s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source)), again,
        findings=(findings.FAILED_CLAIM_STAYS_IN_TRACKER,))
    prep_once = dataclasses.replace(driver_rows.PREP_RESIZE, times=1)
    row(prep_once, failed, s.Step('hard-reboot', s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source)), again)

    if operation == s.MIGRATE:
        rows += _named_host_rows()
    return rows


def _named_host_rows():
    """A cold migration to ``alternate``, which the admin names.

    The scheduler would pick ``dest``; a named host also means no
    alternates, so a failure there is not rescheduled.
    """
    to = s.ALTERNATE
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_named = s.held((to, 'instance', s.OLD))
    verify, confirmed, reverted = s.moved(s.MIGRATE_TO, to, s.OLD)
    delete = s.Step('delete', s.deleted())

    def row(fault, *steps):
        return s.Row(s.MIGRATE_TO, fault, steps, alternate=True)

    def failed(server, host, allocations, text=''):
        return s.Step(s.MIGRATE_TO, s.Expect(server, host, 'error',
                                             allocations, text))

    return [
        row(None, verify, confirmed),
        row(None, verify, reverted),
        row(driver_rows.PREP_RESIZE.on(to),
            failed('ERROR', s.SOURCE, on_source), delete),
        row(driver_rows.MIGRATE_DISK,
            failed('ERROR', s.SOURCE, on_source), delete),
        row(driver_rows.FINISH_MIGRATION.on(to),
            failed('ERROR', to, on_named,
                   driver_rows.FINISH_MIGRATION_FAULT), delete),
    ]
