"""Rows of a move from one cell to another.

The source is in one cell, the destination (and the alternate) in another,
so the conductor moves the server with the snapshot-based resize
(``nova/conductor/tasks/cross_cell_migrate.py``): the destination claims
(``prep_snapshot_based_resize_at_dest``), the source powers the guest off
and snapshots it (``prep_snapshot_based_resize_at_source``), the
destination spawns it (``finish_snapshot_based_resize_at_dest``) and only
then is the server mapped to the new cell; a confirm cleans the source
(``confirm_snapshot_based_resize_at_source``), a revert destroys the new
guest (``revert_snapshot_based_resize_at_dest``) and powers the old one on
(``finish_revert_snapshot_based_resize_at_source``). For a resize each step
fails in rows of its own, followed by what a user does next: a delete, a
hard reboot, or the move again once the fault is gone; a cold migration,
the same steps with one flavor, fails at each step of the move itself.
The table's one rule holds across cells as within one.

Most of these steps are RPC calls the conductor waits for, and the
conductor records its own event last, after its rollback: that event ends
each step (the operation's, the confirm's, the revert's). Only a revert
that fails on the source ends with the source's event, since the
conductor can no longer record its own in the cell it started in.
"""

import dataclasses

from nova_resize_tests import drivers
from nova_resize_tests.faults import driver
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s

MIGRATE_SERVER = 'conductor_migrate_server'
CONFIRM_EVENT = 'conductor_confirm_snapshot_based_resize'
REVERT_EVENT = 'conductor_revert_snapshot_based_resize'
#: The event that ends each action of a row when it succeeds.
ENDS = {
    s.RESIZE: (MIGRATE_SERVER, 'success'),
    s.MIGRATE: (MIGRATE_SERVER, 'success'),
    'confirm': (CONFIRM_EVENT, 'success'),
    'revert': (REVERT_EVENT, 'success'),
}

PREP_AT_DEST = driver.DriverFault(
    step='prep_snapshot_based_resize_at_dest', host=s.DEST,
    how='driver FailsPrepResize raises from the move claim',
    event=MIGRATE_SERVER, driver=drivers.FailsPrepResize)
PREP_AT_SOURCE = driver.DriverFault(
    step='prep_snapshot_based_resize_at_source', host=s.SOURCE,
    how='driver FailsSnapshotForResize raises from the snapshot',
    event=MIGRATE_SERVER, driver=drivers.FailsSnapshotForResize)
FINISH_AT_DEST = driver.DriverFault(
    step='finish_snapshot_based_resize_at_dest', host=s.DEST,
    how='driver FailsSpawnWhileResizing raises from the spawn',
    event=MIGRATE_SERVER, driver=drivers.FailsSpawnWhileResizing)
CONFIRM_AT_SOURCE = driver.DriverFault(
    step='confirm_snapshot_based_resize_at_source', host=s.SOURCE,
    how='driver FailsCleanupWhileConfirming raises from the cleanup',
    event=CONFIRM_EVENT, action='confirm',
    driver=drivers.FailsCleanupWhileConfirming)
REVERT_AT_DEST = driver.DriverFault(
    step='revert_snapshot_based_resize_at_dest', host=s.DEST,
    how='driver FailsDestroyWhileReverting raises',
    event=REVERT_EVENT, action='revert',
    driver=drivers.FailsDestroyWhileReverting)
FINISH_REVERT_AT_SOURCE = driver.DriverFault(
    step='finish_revert_snapshot_based_resize_at_source', host=s.SOURCE,
    how='driver FailsFinishRevertMigration raises',
    event='compute_finish_revert_snapshot_based_resize_at_source',
    action='revert', driver=drivers.FailsFinishRevertMigration)


def ends(step):
    """``step`` as it ends across cells when it succeeds."""
    return dataclasses.replace(step, ends_with=ENDS.get(step.action, ()))


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # One host is in one cell.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    verify, confirmed, reverted = map(ends, s.moved(operation, dest, new))
    again = ends(s.moved(operation, dest, new, role='migration-2')[0])
    delete = s.Step('delete', s.deleted())
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, steps, cells=s.CROSS_CELL,
                          **kwargs))

    def after(step, server, host, allocations):
        return s.Step(step, s.Expect(server, host, 'error', allocations))

    # -- the move works --------------------------------------------------
    row(None, verify, confirmed, delete)
    row(None, verify, reverted, delete)
    # A delete in VERIFY_RESIZE confirms across cells first.
    row(None, verify, delete)

    # -- the move fails: the server must be on the source with the old
    # flavor, nothing on the destination ---------------------------------
    stuck = (findings.CROSS_CELL_PRECHECK_STUCK,)
    failed = after(operation, 'ACTIVE', s.SOURCE, on_source)
    row(PREP_AT_DEST, failed, delete, findings=stuck)
    if operation == s.RESIZE:
        # The conductor tries no alternate in the other cell: the move
        # fails, and the alternate must hold nothing.
        row(PREP_AT_DEST, failed, delete, alternate=True, findings=stuck)
        # The host is mended; the server, stuck in RESIZE, needs an admin's
        # reset before the user can move it again.
        row(dataclasses.replace(PREP_AT_DEST, times=1), failed, after(
            'reset-active', 'ACTIVE', s.SOURCE, on_source), again,
            findings=stuck)
    for fault, server in ((PREP_AT_SOURCE, 'ACTIVE'),
                          (FINISH_AT_DEST, 'ERROR')):
        failed = after(operation, server, s.SOURCE, on_source)
        row(fault, failed, delete)
        if operation == s.RESIZE:
            # The host is mended: a hard reboot, then the move again.
            row(dataclasses.replace(fault, times=1), failed, after(
                'hard-reboot', 'ACTIVE', s.SOURCE, on_source), again,
                findings=(findings.FAILED_CLAIM_STAYS_IN_TRACKER,))

    if operation != s.RESIZE:
        # A cold migration takes a resize's steps with one flavor: its
        # confirm and revert fail as a resize's do.
        return rows

    # -- confirm or revert fails: the user deletes the server, or
    # hard-reboots it and then deletes it ----------------------------------
    for fault, action, host, allocations, known in (
            (CONFIRM_AT_SOURCE, 'confirm', dest, on_dest,
             (findings.CROSS_CELL_CONFIRM_LEAVES_SOURCE_COPY,)),
            (REVERT_AT_DEST, 'revert', s.SOURCE, on_source,
             (findings.CROSS_CELL_REVERT_ON_DEST,)),
            (FINISH_REVERT_AT_SOURCE, 'revert', s.SOURCE, on_source, ())):
        failed = after(action, 'ERROR', host, allocations)
        row(fault, verify, failed, delete, findings=known)
        row(fault, verify, failed, after('hard-reboot', 'ACTIVE', host,
                                         allocations), delete,
            findings=known)
    return rows
