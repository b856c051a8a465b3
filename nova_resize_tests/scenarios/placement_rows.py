"""Rows whose fault is Placement answering one allocation write with an error.

Each allocation write of a move is answered once with an error while the
rest of the cloud stays healthy: the conductor's swap of the source
allocation to the migration, the scheduler's claim on the destination, the
move back to the instance when a move fails, confirm's removal of the
migration's allocation, revert's move back, and the cleanup after
finish_resize fails. Then the user does what a user does: hard reboot,
delete, or the same move again, which Placement now answers.

The expectations are the one rule of :mod:`nova_resize_tests.scenarios`;
where Nova does not keep it, the row names the finding.
"""

from nova_resize_tests.faults import both
from nova_resize_tests.faults import placement
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows


def error(call, answer, sender, action='move', event=''):
    return placement.PlacementError(
        call=call, answer=answer, sender=sender, action=action, event=event,
        how=f'Placement answers {answer} to {placement.CALLS[call]}')


SWAP_503 = error('move-to-migration', '503', 'conductor',
                 event='conductor_migrate_server')
SWAP_CONFLICT = error('move-to-migration', 'conflict', 'conductor',
                      event='conductor_migrate_server')
CLAIM_500 = error('claim', '500', 'scheduler',
                  event='conductor_migrate_server')
BACK_503 = error('move-to-instance', '503', 'conductor')
CONFIRM_503 = error('drop-migration', '503', 'source', action='confirm',
                    event='compute_confirm_resize')
CONFIRM_CONFLICT = error('drop-migration', 'conflict', 'source',
                         action='confirm', event='compute_confirm_resize')
REVERT_503 = error('move-to-instance', '503', 'source', action='revert')
REVERT_CONFLICT = error('move-to-instance', 'conflict', 'source',
                        action='revert', event='compute_finish_revert_resize')


def rows(operation, dest, new):
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    verify, confirmed, reverted = s.moved(operation, dest, new)
    again = s.moved(operation, dest, new, role='migration-2')[0]

    def then(first, fault, *follow_ups, found=()):
        # Each follow-up row checks the failed step on its way, so the
        # row that stops there is only written when there is no follow-up.
        return [s.Row(operation, fault, (*first, *more), findings=found)
                for more in follow_ups or ((),)]

    hard_reboot_dest = s.Step('hard-reboot', s.Expect(
        'ACTIVE', dest, 'error', on_dest))
    delete = s.Step('delete', s.deleted())
    rows = []

    # The move never starts: the server stays on the source, as it was,
    # and the same move works once Placement answers.
    never_started = s.Step(operation, s.Expect('ACTIVE', s.SOURCE, 'error',
                                               on_source))
    rows += then((never_started,), SWAP_503, (delete,), (again,))
    for fault in (SWAP_CONFLICT, CLAIM_500):
        rows += then((never_started,), fault, (again,))

    # The move fails and its cleanup cannot give the instance its
    # allocation back: still, nothing but the old flavor may be left.
    for fault, server, finding in (
            (both.Both.of(driver_rows.NO_VALID_HOST.on(dest), BACK_503),
             'ACTIVE', findings.CONDUCTOR_REVERT_IGNORED),
            (both.Both.of(driver_rows.MIGRATE_DISK,
                          error('move-to-instance', '503', s.SOURCE)),
             'ERROR', findings.COMPUTE_REVERT_IGNORED),
            (both.Both.of(driver_rows.PREP_RESIZE.on(dest),
                          error('move-to-instance', '503', dest)),
             'ERROR', findings.COMPUTE_REVERT_IGNORED)):
        failed = s.Step(operation, s.Expect(server, s.SOURCE, 'error',
                                            on_source))
        rows += then((failed,), fault, (delete,), found=(finding,))

    # finish_resize fails and its cleanup of the source cannot reach
    # Placement: the server is on the destination with the new flavor.
    finish = both.Both.of(driver_rows.FINISH_MIGRATION.on(dest),
                          error('drop-migration', '503', dest))
    failed = s.Step(operation, s.Expect('ERROR', dest, 'error', on_dest))
    # A cold migration keeps the flavor, so there is nothing to roll back.
    rolled_back = (findings.FLAVOR_ROLLED_BACK,) if new is not s.OLD else ()
    rows += then((failed,), finish, (delete,),
                 found=(findings.DROP_MIGRATION_FAILED, *rolled_back))

    # Confirm cannot drop the migration's allocation.
    confirm_failed = s.Step('confirm', s.Expect('ERROR', dest, 'error',
                                                on_dest))
    rows += then((verify, confirm_failed), CONFIRM_503, (hard_reboot_dest,),
                 (delete,), found=(findings.DROP_MIGRATION_FAILED,))
    rows += then((verify, confirm_failed), CONFIRM_CONFLICT,
                 found=(findings.DROP_MIGRATION_FAILED,))

    # Revert cannot move the allocation back to the instance. A conflict
    # makes finish_revert_resize fail; any other error it does not notice,
    # and it reports the revert done.
    reported_done = s.Step('revert', s.Expect(
        'ACTIVE', s.SOURCE, 'reverted', on_source),
        ends_with=('compute_finish_revert_resize', 'success'))
    rows += then((verify, reported_done), REVERT_503, (delete,),
                 found=(findings.COMPUTE_REVERT_IGNORED,))
    revert_failed = s.Step('revert', s.Expect('ERROR', s.SOURCE, 'error',
                                              on_source))
    rows += then((verify, revert_failed), REVERT_CONFLICT,
                 found=(findings.COMPUTE_REVERT_IGNORED,))
    return rows
