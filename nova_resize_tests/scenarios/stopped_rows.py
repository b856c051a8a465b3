"""Rows for a server stopped before it moves (``after=stop``).

A stopped server moves as a running one does and stays stopped: it waits
in VERIFY_RESIZE, and once confirmed or reverted it is SHUTOFF where it
ends. When a step of the move fails, Nova's handling of the failure decides
its status: a rollback (the driver says the guest is untouched) puts back
the state the server had, SHUTOFF; any other failure leaves it ERROR,
from which a hard reboot starts it. Whatever the status, the allocations
follow the table's one rule.
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

    # The source fails to ship the disk: ERROR on the source, which a hard
    # reboot starts.
    row(driver_rows.MIGRATE_DISK, failed, s.Step('hard-reboot', s.Expect(
        'ACTIVE', s.SOURCE, 'error', on_source)))
    row(driver_rows.MIGRATE_DISK, failed, delete)

    # The source refuses to ship the disk and keeps the guest as it was:
    # SHUTOFF on the source. Once the fault is gone the move is tried
    # again, and the second migration ends stopped too (confirmed for a
    # cold migration, reverted for a resize: one row each way).
    rolled_back = dataclasses.replace(driver_rows.MIGRATE_DISK_ROLLBACK,
                                      times=1)
    still_stopped = s.Step(operation, s.Expect('SHUTOFF', s.SOURCE, 'error',
                                               on_source))
    verify_2, confirmed_2, reverted_2 = s.moved(operation, dest, new,
                                                role='migration-2')
    if operation == s.RESIZE:
        ended = dataclasses.replace(reverted_2, expect=dataclasses.replace(
            reverted_2.expect, server='SHUTOFF'))
    else:
        ended = dataclasses.replace(confirmed_2, expect=dataclasses.replace(
            confirmed_2.expect, server='SHUTOFF'))
    row(rolled_back, still_stopped, verify_2, ended)

    # The destination fails to spawn the guest (bug 1825537): ERROR on the
    # destination with the new flavor, the source freed.
    finish = driver_rows.FINISH_MIGRATION.on(dest)
    failed = s.Step(operation, s.Expect('ERROR', dest, 'error', on_dest,
                                        driver_rows.FINISH_MIGRATION_FAULT))
    flavor_rolled_back = (findings.FLAVOR_ROLLED_BACK,) if new is not s.OLD \
        else ()
    row(finish, failed, s.Step('hard-reboot', s.Expect(
        'ACTIVE', dest, 'error', on_dest)), findings=flavor_rolled_back)
    row(finish, failed, delete)
    return rows
