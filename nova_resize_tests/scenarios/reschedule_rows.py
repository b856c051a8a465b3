"""Rows for the conductor's reschedules: switched off, or out of hosts.

With ``[scheduler] max_attempts=1`` the scheduler returns no alternate
hosts, so a move whose destination fails in prep_resize goes nowhere else.
Every way prep_resize can fail (the driver raising in the move claim, the
bus refusing the message, the destination dying in its claim) runs here
with an ``alternate`` host present, which must hold nothing at any step,
and each is followed by what a user does next: hard reboot, delete, or the
move again once the fault is gone (the second migration is checked as the
first).

The scheduler's own claim is not a reschedule: one attempt walks the
sorted hosts until Placement accepts a claim, so a claim refused on the
first choice lands the move on the alternate even with reschedules off.
Two ways to fail are not told here: a prep_resize lost on the bus never
reaches the destination, so nothing there could reschedule it, reschedules
on or off (that row is in :mod:`.rpc_rows`); and a consumer-generation
conflict on the claim needs the instance consumer to exist, which it does
not once the conductor has handed its allocation to the migration, so only
a write of the test's own could provoke it.

With reschedules on and every candidate failing, the move runs out of
hosts.
"""

import dataclasses

from nova_resize_tests.faults import both
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows
from nova_resize_tests.scenarios import host_rows
from nova_resize_tests.scenarios import placement_rows
from nova_resize_tests.scenarios import rpc_rows

NO_RESCHEDULE = (('max_attempts', 1, 'scheduler'),)


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # One host: nothing to reschedule to.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    delete = s.Step('delete', s.deleted())
    hard_reboot = s.Step('hard-reboot', s.Expect('ACTIVE', s.SOURCE, 'error',
                                                 on_source))
    again = s.moved(operation, dest, new, role='migration-2')[0]
    rows = []

    def row(fault, *steps, **kwargs):
        kwargs.setdefault('settings', NO_RESCHEDULE)
        rows.append(s.Row(operation, fault, steps, alternate=True, **kwargs))

    # The driver fails the claim: the server is ERROR on the source.
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    row(driver_rows.PREP_RESIZE, failed, delete)
    prep_once = dataclasses.replace(driver_rows.PREP_RESIZE, times=1)
    row(prep_once, failed, hard_reboot, again)

    # The bus refuses the conductor's prep_resize: the conductor rolls the
    # move back and the server stays ACTIVE on the source.
    not_moved = s.Step(operation, s.Expect('ACTIVE', s.SOURCE, 'error',
                                           on_source))
    row(rpc_rows.REFUSED_PREP, not_moved, hard_reboot, again)

    # The destination dies in its claim: no handler of Nova's runs, the
    # move stays where it stopped, and its restart recovers nothing of a
    # server that never left the source.
    in_flight = s.held((s.SOURCE, 'migration', s.OLD),
                       (dest, 'instance', new))
    crashed = s.Step(operation, s.Expect('RESIZE', s.SOURCE, 'pre-migrating',
                                         in_flight, task='resize_prep'))
    row(host_rows.CRASH_PREP, crashed, s.Step('restart-dest', crashed.expect),
        delete, findings=(findings.DELETE_IN_FLIGHT,))

    # Placement refuses the scheduler's claim on the first choice: the same
    # attempt claims the alternate, and the move ends there as any other.
    on_alternate = s.Step(operation, s.Expect(
        'VERIFY_RESIZE', s.ALTERNATE, 'finished',
        s.held((s.SOURCE, 'migration', s.OLD),
               (s.ALTERNATE, 'instance', new))),
        ends_with=('compute_finish_resize', 'success'))
    row(placement_rows.CLAIM_500, on_alternate, s.Step('confirm', s.Expect(
        'ACTIVE', s.ALTERNATE, 'confirmed',
        s.held((s.ALTERNATE, 'instance', new)))))

    # Reschedules on, and every candidate fails: the move runs out of
    # hosts.
    everywhere = both.Both.of(driver_rows.PREP_RESIZE,
                              driver_rows.PREP_RESIZE.on(s.ALTERNATE))
    row(everywhere, failed, delete, settings=())
    return rows
