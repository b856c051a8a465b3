"""Rows that try the move again after it failed.

A user whose move failed mends what they can (a hard reboot brings an
ERROR server back) and moves the server once more. The second migration is
a consumer of its own, ``migration-2``, checked as the first: it holds on
the host the server leaves what the instance held there, and the instance
holds the server's flavor on the host it goes to.

Where the first move failed before the server left the source, the fault
fired once and is gone, and the same move is tried again. Where it failed
on the destination (finish_migration, or confirm after the move) the
server is there now, and the user moves it on with a cold migration, which
keeps its flavor; with two hosts it goes back to the source, and the
failing method is not called again.
"""

import dataclasses

from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # Told for moves between hosts only, as the conductor's paths are.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    again = s.moved(operation, dest, new, role='migration-2')[0]
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, steps, **kwargs))

    def hard_reboot(host, allocations):
        return s.Step('hard-reboot', s.Expect('ACTIVE', host, 'error',
                                              allocations))

    # -- the server is still on the source -------------------------------
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    rolled_back = dataclasses.replace(driver_rows.MIGRATE_DISK_ROLLBACK,
                                      times=1)
    row(rolled_back, s.Step(operation, s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source)), again,
        findings=(findings.FAILED_CLAIM_STAYS_IN_TRACKER,))
    prep_once = dataclasses.replace(driver_rows.PREP_RESIZE, times=1)
    row(prep_once, failed, hard_reboot(s.SOURCE, on_source), again)
    migrate_disk_once = dataclasses.replace(driver_rows.MIGRATE_DISK,
                                            times=1)
    row(migrate_disk_once, failed, hard_reboot(s.SOURCE, on_source), again,
        findings=(findings.FAILED_CLAIM_STAYS_IN_TRACKER,))

    # -- the server is on the destination --------------------------------
    # A cold migration back to the source: the second migration holds on
    # the destination what the instance held there, the new flavor of a
    # resize, and the instance claims the same on the source.
    back = s.Step(s.MIGRATE, s.Expect('VERIFY_RESIZE', s.SOURCE, 'finished',
                                      s.held((dest, 'migration-2', new),
                                             (s.SOURCE, 'instance', new))))
    finish_failed = s.Step(operation, s.Expect(
        'ERROR', dest, 'error', on_dest, driver_rows.FINISH_MIGRATION_FAULT))
    # After a resize Nova has put the old flavor back on the server while
    # Placement keeps the new one: the next move claims the old one.
    rolled_back = (findings.FLAVOR_ROLLED_BACK_MOVES_ON,) \
        if new is not s.OLD else ()
    row(driver_rows.FINISH_MIGRATION.on(dest), finish_failed,
        hard_reboot(dest, on_dest), back, findings=rolled_back)
    confirm_failed = s.Step('confirm', s.Expect('ERROR', dest, 'error',
                                                on_dest))
    # The source still counts the server as its own, and the old flavor is
    # all it counts while the new one waits there: only a resize shows it.
    stale = (findings.FAILED_CONFIRM_STAYS_IN_TRACKER,) \
        if new is not s.OLD else ()
    row(driver_rows.CONFIRM, s.moved(operation, dest, new)[0], confirm_failed,
        hard_reboot(dest, on_dest), back, findings=stale)
    return rows
