"""Rows for the paths beside the plain move: Nova's periodic auto-confirm,
an admin's reset-state, and a destination the admin names.

* ``auto-confirm``: the destination's ``_poll_unconfirmed_resizes`` runs
  once the migration is past ``resize_confirm_window`` (back-dated, not
  waited for); it confirms as the user would, or gives up on a server it
  does not find in RESIZED and marks the migration ``error``.
* ``reset-error`` / ``reset-active``: ``os-resetState`` on a server that
  waits in VERIFY_RESIZE; then the user deletes it or the periodic runs.
* A cold migration to a destination the admin names (``host``,
  microversion 2.56), the host the scheduler would not pick.

The conductor's reschedules, a stopped server and the move tried again
have modules of their own (:mod:`.reschedule_rows`, :mod:`.stopped_rows`,
:mod:`.again_rows`).
"""

import dataclasses

from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows
from nova_resize_tests.scenarios import rpc_rows


def rows(operation, dest, new):
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
