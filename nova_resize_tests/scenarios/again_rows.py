"""Rows that try the move again after it failed.

A user whose move failed mends what they can (a hard reboot brings an
ERROR server back) and moves the server once more. The fault fired once
and is gone. The second migration is a consumer of its own,
``migration-2``, checked as the first: it holds on the host the server
leaves what the instance held there, and the instance holds the server's
flavor on the host it goes to.
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
    return rows
