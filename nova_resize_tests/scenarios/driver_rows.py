"""Rows whose fault is a virt driver raising, or a host switched off.

Every step that can fail on a compute host calls a driver method, so the
fault is a fake driver raising from that one method (see
:mod:`nova_resize_tests.drivers`); the scheduler's failure is a disabled
host. Nova's own error handling then runs unchanged.
"""

from nova_resize_tests import drivers
from nova_resize_tests.faults import driver
from nova_resize_tests.faults import host
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s

NO_VALID_HOST = host.DisabledHost(
    host=s.DEST, how='the only candidate host is disabled: NoValidHost',
    event='conductor_migrate_server')
PREP_RESIZE = driver.DriverFault(
    step='prep_resize', host=s.DEST,
    how='driver FailsPrepResize raises from the move claim',
    event='compute_prep_resize', driver=drivers.FailsPrepResize)
MIGRATE_DISK = driver.DriverFault(
    step='migrate_disk_and_power_off', host=s.SOURCE,
    how='driver FailsMigrateDiskAndPowerOff raises',
    event='compute_resize_instance',
    driver=drivers.FailsMigrateDiskAndPowerOff)
MIGRATE_DISK_ROLLBACK = driver.DriverFault(
    step='migrate_disk_and_power_off-rollback', host=s.SOURCE,
    how='driver RollsBackMigrateDiskAndPowerOff raises InstanceFaultRollback',
    event='compute_resize_instance',
    driver=drivers.RollsBackMigrateDiskAndPowerOff)
FINISH_MIGRATION = driver.DriverFault(
    step='finish_migration', host=s.DEST,
    how="driver FailsFinishMigration (Nova's FakeFinishMigrationFailDriver) "
        'raises',
    event='compute_finish_resize', driver=drivers.FailsFinishMigration)
CONFIRM = driver.DriverFault(
    step='confirm_migration', host=s.SOURCE,
    how='driver FailsConfirmMigration raises',
    event='compute_confirm_resize', action='confirm',
    driver=drivers.FailsConfirmMigration)
REVERT_ON_DEST = driver.DriverFault(
    step='destroy_on_revert', host=s.DEST,
    how='driver FailsDestroyWhileReverting raises',
    event='compute_revert_resize', action='revert',
    driver=drivers.FailsDestroyWhileReverting)
REVERT_ON_SOURCE = driver.DriverFault(
    step='finish_revert_migration', host=s.SOURCE,
    how='driver FailsFinishRevertMigration raises',
    event='compute_finish_revert_resize', action='revert',
    driver=drivers.FailsFinishRevertMigration)

FINISH_MIGRATION_FAULT = 'Virtual Interface creation failed'


def rows(operation, dest, new):
    """Every driver and host row of one operation.

    ``dest`` is the host the move targets (the source itself for a
    same-host resize) and ``new`` the flavor the server moves to (the old
    one for a cold migration).
    """
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    verify, confirmed, reverted = s.moved(operation, dest, new)

    def failed_move(server, host, allocations, text=''):
        return s.Step(operation, s.Expect(server, host, 'error', allocations,
                                          text))

    rows = [
        s.Row(operation, None, (verify,)),
        s.Row(operation, None, (verify, confirmed)),
        s.Row(operation, None, (verify, reverted)),
        s.Row(operation, None, (verify, s.Step('delete', s.deleted()))),
        s.Row(operation, None, (verify, reverted,
                                s.Step('delete', s.deleted()))),
    ]

    # The move fails before or while the destination claims: the server
    # must stay on the source with the old flavor, nothing on the dest.
    for fault, server in ((NO_VALID_HOST.on(dest), 'ACTIVE'),
                          (PREP_RESIZE.on(dest), 'ERROR'),
                          (MIGRATE_DISK, 'ERROR'),
                          (MIGRATE_DISK_ROLLBACK, 'ACTIVE')):
        failed = failed_move(server, s.SOURCE, on_source)
        rows += [
            s.Row(operation, fault, (failed,)),
            s.Row(operation, fault, (failed, s.Step('hard-reboot', s.Expect(
                'ACTIVE', s.SOURCE, 'error', on_source)))),
            s.Row(operation, fault, (failed, s.Step('delete', s.deleted()))),
        ]

    # finish_migration fails on the destination (bug 1825537): the server
    # is on the destination with the new flavor and the source is freed.
    finish = FINISH_MIGRATION.on(dest)
    failed = failed_move('ERROR', dest, on_dest, FINISH_MIGRATION_FAULT)
    # A cold migration keeps the flavor, so there is nothing to disagree on.
    rolled_back = (findings.FLAVOR_ROLLED_BACK,) if new is not s.OLD else ()
    rows += [
        s.Row(operation, finish, (failed,), findings=rolled_back),
        s.Row(operation, finish, (failed, s.Step('hard-reboot', s.Expect(
            'ACTIVE', dest, 'error', on_dest))), findings=rolled_back),
        s.Row(operation, finish, (failed, s.Step('delete', s.deleted()))),
    ]

    # Confirm fails on the source: the server stays on the destination,
    # and the old flavor the migration held on the source must not outlive
    # the migration.
    confirm_failed = s.Step('confirm', s.Expect('ERROR', dest, 'error',
                                                on_dest))
    rows += [
        s.Row(operation, CONFIRM, (verify, confirm_failed)),
        s.Row(operation, CONFIRM, (verify, confirm_failed, s.Step(
            'hard-reboot', s.Expect('ACTIVE', dest, 'error', on_dest)))),
        s.Row(operation, CONFIRM, (verify, confirm_failed,
                                   s.Step('delete', s.deleted()))),
    ]

    # Revert fails on the destination (before anything moved back) or on
    # the source (after the allocations moved back).
    for fault, host_, allocations, leak in (
            (REVERT_ON_DEST.on(dest), dest, on_dest,
             (findings.REVERT_ON_DEST_LEAK,)),
            (REVERT_ON_SOURCE, s.SOURCE, on_source, ())):
        revert_failed = s.Step('revert', s.Expect('ERROR', host_, 'error',
                                                  allocations))
        rows += [
            s.Row(operation, fault, (verify, revert_failed), findings=leak),
            s.Row(operation, fault, (verify, revert_failed, s.Step(
                'hard-reboot', s.Expect('ACTIVE', host_, 'error',
                                        allocations))), findings=leak),
            s.Row(operation, fault, (verify, revert_failed,
                                     s.Step('delete', s.deleted())),
                  findings=leak),
        ]

    if operation != s.SAME_HOST:
        # prep_resize fails on the first choice; the conductor reschedules
        # to the alternate host, and the first choice must keep nothing.
        to_alternate = s.Step(operation, s.Expect(
            'VERIFY_RESIZE', s.ALTERNATE, 'finished',
            s.held((s.SOURCE, 'migration', s.OLD),
                   (s.ALTERNATE, 'instance', new))),
            ends_with=('compute_finish_resize', 'success'))
        rows += [
            s.Row(operation, PREP_RESIZE, (to_alternate,), alternate=True),
            s.Row(operation, PREP_RESIZE, (to_alternate, s.Step(
                'confirm', s.Expect('ACTIVE', s.ALTERNATE, 'confirmed',
                                    s.held((s.ALTERNATE, 'instance', new))))),
                  alternate=True),
            s.Row(operation, PREP_RESIZE, (to_alternate, reverted),
                  alternate=True),
        ]
    return rows
