"""Rows whose host dies in a step, or is down when the user deletes.

A crash is a fake driver raising ``drivers.HostCrash`` (no Nova handler
runs, as when the process is killed) at a point where that is faithful;
the operator then restarts the host (``restart-<host>``) and
``ComputeManager.init_host`` recovers what it can. A host taken down
(``down-<host>``) is stopped and forced down through the API, so the API
deletes without it; the host then comes back and its periodic task runs in
the audit. The rule is the table's one rule: once the move is over, the
server's host holds its flavor and nothing else is left.
"""

from nova_resize_tests import drivers
from nova_resize_tests.faults import driver
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows
from nova_resize_tests.scenarios import rpc_rows


def _crash(driver_class, step, host, event, action='move'):
    """The host dies where ``driver_class`` says; README's line is its own."""
    return driver.Crash(
        step=step, host=host, event=event, action=action, driver=driver_class,
        how=f'driver {driver_class.__name__}: '
            + driver_class.__doc__.split('\n')[0].rstrip('.'))


CRASH_PREP = _crash(drivers.CrashesInPrepResize, 'prep_resize', s.DEST,
                    'compute_prep_resize')
CRASH_MIGRATE_DISK = _crash(drivers.CrashesInMigrateDiskAndPowerOff,
                            'migrate_disk_and_power_off', s.SOURCE,
                            'compute_resize_instance')
CRASH_FINISH = _crash(drivers.CrashesInFinishMigration, 'finish_migration',
                      s.DEST, 'compute_finish_resize')
CRASH_REVERT = _crash(drivers.CrashesInDestroyWhileReverting,
                      'destroy_on_revert', s.DEST, 'compute_revert_resize',
                      action='revert')


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        # One host: a crash and a down host are the same story as for a
        # move to another host, told with fewer providers.
        return []
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    in_flight = s.held((s.SOURCE, 'migration', s.OLD),
                       (dest, 'instance', new))
    verify = s.moved(operation, dest, new)[0]
    delete = s.Step('delete', s.deleted())
    # The API deletes the server itself: no compute event ends it.
    local_delete = s.Step('delete', s.deleted(), ends_with=rpc_rows.NO_EVENT)
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, steps, **kwargs))

    def stuck(action, server, host, migration, task, ends_with=()):
        return s.Step(action, s.Expect(server, host, migration, in_flight,
                                       task=task), ends_with=ends_with)

    # -- a crash, then the restart ---------------------------------------
    # The destination dies in its claim: the server never left the source,
    # so the destination's restart has nothing of it to recover and the
    # move stays where it stopped until the user deletes the server.
    crashed = stuck(operation, 'RESIZE', s.SOURCE, 'pre-migrating',
                    'resize_prep')
    row(CRASH_PREP, crashed, s.Step('restart-dest', crashed.expect), delete,
        findings=(findings.DELETE_IN_FLIGHT,))
    # The source dies while it ships the disk: its restart powers the guest
    # back on where it was (init_host), so the move is over and must leave
    # the server on the source with the old flavor alone.
    crashed = stuck(operation, 'RESIZE', s.SOURCE, 'migrating',
                    'resize_migrating')
    recovered = s.Step('restart-source', s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source))
    rolled_back = (findings.INIT_HOST_ROLLBACK_KEEPS_MOVE,)
    row(CRASH_MIGRATE_DISK, crashed, recovered, delete, findings=rolled_back)
    row(CRASH_MIGRATE_DISK, crashed, recovered, s.Step('hard-reboot', s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source)), findings=rolled_back)
    # The destination dies while it spawns the guest.
    crashed = stuck(operation, 'RESIZE', dest, 'post-migrating',
                    'resize_finish')
    row(CRASH_FINISH, crashed, s.Step('restart-dest', crashed.expect), delete,
        findings=(findings.DELETE_IN_FLIGHT,))
    # The destination dies while it destroys the new guest for a revert.
    crashed = stuck('revert', 'REVERT_RESIZE', dest, 'reverting',
                    'resize_reverting')
    row(CRASH_REVERT, verify, crashed, s.Step('restart-dest', crashed.expect),
        delete, findings=(findings.DELETE_IN_FLIGHT,))
    # prep_resize is sent while the destination is down: the broker keeps
    # it, and the restarted host runs it after init_host; the move then
    # ends as any other.
    held = rpc_rows.message('prep_resize', 'hold', host=dest)
    waiting = stuck(operation, 'RESIZE', s.SOURCE, 'pre-migrating',
                    'resize_prep', ends_with=('conductor_migrate_server',
                                              'success'))
    row(held, waiting, s.Step('restart-dest', waiting.expect), s.Step(
        'release', verify.expect, ends_with=('compute_finish_resize',
                                             'success', operation)),
        s.Step('confirm', s.Expect('ACTIVE', dest, 'confirmed', on_dest)))

    # -- a host down, then a delete --------------------------------------
    # The destination (where the server now is) is down in VERIFY_RESIZE:
    # the API confirms on the source and deletes locally.
    up_dest = s.Step('restart-dest', s.deleted())
    row(None, verify, s.Step('down-dest', verify.expect), local_delete,
        up_dest)
    # The source is down: the API's confirm on delete is a call to it,
    # which times out (answered at once here); the delete must change
    # nothing, and once the source is back the delete works.
    no_answer = rpc_rows.message('confirm_resize', 'timeout', host=s.SOURCE,
                                 action='delete')
    row(no_answer, verify, s.Step('down-source', verify.expect),
        s.Step('delete', verify.expect, refused=500),
        s.Step('restart-source', verify.expect),
        findings=(findings.DELETE_STUCK_DELETING,))
    # After a failed move, the server's host is down and it is deleted.
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    row(driver_rows.PREP_RESIZE, failed, s.Step('down-source', failed.expect),
        local_delete, s.Step('restart-source', s.deleted()))
    failed = s.Step(operation, s.Expect('ERROR', dest, 'error', on_dest,
                                        driver_rows.FINISH_MIGRATION_FAULT))
    row(driver_rows.FINISH_MIGRATION, failed, s.Step('down-dest',
                                                     failed.expect),
        local_delete, up_dest)
    # finish_resize is lost with the destination, which goes down; the
    # server is deleted while its move is in flight, then the destination
    # comes back.
    lost = rpc_rows.message('finish_resize', 'drop', host=dest)
    waiting = stuck(operation, 'RESIZE', dest, 'post-migrating',
                    'resize_migrated',
                    ends_with=('compute_resize_instance', 'success'))
    row(lost, waiting, s.Step('down-dest', waiting.expect), local_delete,
        up_dest,
        findings=(findings.DELETE_IN_FLIGHT,))
    return rows
