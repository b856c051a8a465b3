"""Rows for a volume-backed server: its root disk is a volume, not the host's.

Placement must hold no DISK_GB for such a server on any host at any step,
and the end-of-test audit checks that the resource tracker counts none
either. The rows are driver rows of a move between two hosts told again for
a server booted from a volume (:func:`scenarios.on_volume`): the move that
works with each follow-up, and one failure at each compute step, each
followed by the delete, which detaches the volume and must leave nothing.
"""

from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows

#: The driver rows told again, by the test id's ``fail=`` and ``then=``.
CHOSEN = (
    ('none', 'nothing'), ('none', 'confirm'), ('none', 'revert'),
    ('none', 'delete'),
    ('prep_resize@dest', 'delete'),
    ('migrate_disk_and_power_off@source', 'delete'),
    ('finish_migration@dest', 'delete'),
    ('confirm_migration@source', 'confirm+delete'),
    ('destroy_on_revert@dest', 'revert+delete'),
    ('finish_revert_migration@source', 'revert+delete'),
)


def rows(operation, dest, new):
    if operation == s.SAME_HOST:
        return []
    by_id = {(row.fault.where if row.fault else 'none', row.then): row
             for row in driver_rows.rows(operation, dest, new)
             if not row.alternate}
    return [s.on_volume(by_id[chosen]) for chosen in CHOSEN]
