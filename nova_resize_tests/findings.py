"""Known Nova problems, each defined once.

A finding names what goes wrong, the Nova code path, and the exact
difference it tolerates: ``allocations`` (a regex every tolerated line of a
step's allocation check must match; such a row is an expected failure) and
``audit`` (a regex every tolerated paragraph of the end-of-test audit must
match). Rows refer to a finding by object; README.rst and the report render
the list from here, and every test that shows a finding attaches its key as
the ``known-finding`` detail.

If a finding stops showing, its rows fail, so the mark goes when Nova is
fixed.
"""

import dataclasses
import re

from nova_resize_tests import flavors

OLD, NEW = flavors.OLD, flavors.NEW
_AUDIT_ORPHAN = r'^nova-manage placement audit returned 3'


def _tracker(provider):
    return (rf'^provider {provider} \(\S+\): Placement usage .* but the '
            r'resource tracker counts')


_QUOTA = r'^project \S+: quota usage'


def _held(provider, role, status, flavor, expected=None):
    """One line of the allocation check: ``role`` holds ``flavor`` there.

    ``status`` is a regex (``\\S+`` where follow-ups change it); a flavor
    of None means nothing. A flavor also stands for its volume-backed twin,
    so one finding covers a row told for either kind of server.
    """
    def amount(flavor):
        if flavor is None:
            return re.escape(flavors.format_resources(None))
        return '(?:%s)' % '|'.join(
            re.escape(flavors.format_resources(twin.resources))
            for twin in (flavor, flavors.ON_VOLUME[flavor]))

    return (rf'^provider {provider} \(\S+\): consumer {role} \S+, status '
            rf'{status} holds {amount(flavor)}, expected {amount(expected)}$')


def _any(*patterns):
    return '|'.join(f'(?:{pattern})' for pattern in patterns)


@dataclasses.dataclass(frozen=True)
class Finding:
    """A problem current Nova really has, with its evidence."""

    key: str
    title: str
    #: The code path, and the releases it was seen on.
    reason: str
    audit: str
    allocations: str = ''
    #: A task state Nova leaves the server in where the row expects
    #: another (the server is stuck, not a Placement difference).
    task: str = ''
    #: The server status that goes with ``task``, when the task state
    #: shows in it too (an ACTIVE server with a resize task is RESIZE);
    #: empty: the status the row expects.
    status: str = ''
    #: A migration status Nova leaves where the row expects another (the
    #: move is never ended).
    migration: str = ''

    @property
    def leaks_in_steps(self):
        """Whether the row's own steps see it (an expected failure)."""
        return bool(self.allocations or self.task or self.migration)

    def detail(self):
        """Its block of the ``known-finding`` detail: key: title, reason.

        The engine joins the blocks of a row's findings with a blank line.
        """
        return f'{self.key}: {self.title}\n{self.reason}\n'


REVERT_ON_DEST_LEAK = Finding(
    'revert-fails-on-dest',
    'a revert failing on the destination leaves the migration holding the '
    'old flavor on the source for good',
    'ComputeManager.revert_resize (compute/manager.py, 5605-5654 in '
    '34.0.0) has no allocation cleanup when it fails, unlike finish_resize '
    'and confirm_resize; hard reboot, delete and the periodic task never '
    'drop it either (nova 30 to 34)',
    allocations=_held('source', 'migration', 'error', OLD),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

FLAVOR_ROLLED_BACK = Finding(
    'finish-migration-flavor-rollback',
    'after finish_migration fails the instance flavor is rolled back to '
    'the old one but Placement keeps the new one',
    'ComputeManager._finish_resize puts instance.flavor back to the old '
    'flavor when finish_migration raises, while the fix for bug 1825537 '
    'keeps the new flavor allocated on the destination, so the resource '
    'tracker and the quota count the old flavor until the server is '
    'deleted (nova 30 to 34)',
    audit=(r'(Placement usage .*\(flavor new\) but the resource tracker '
           r'counts .*\(flavor old\) \((?:before|after) the periodic '
           r'task\)$)|'
           rf"(quota usage cores={NEW.vcpus} ram={NEW.memory_mb} but its "
           r"servers' flavors \(old\))"))

FLAVOR_ROLLED_BACK_MOVES_ON = Finding(
    'finish-migration-flavor-rollback-next-move',
    'a server moved on after finish_migration failed claims the old flavor '
    'on its next host while its migration takes the new one off the host '
    'it leaves',
    'After ComputeManager._finish_resize puts the old flavor back on the '
    'server (compute/manager.py 6621-6626 in 34.0.0), Placement still holds '
    'the new flavor for it on the destination (see '
    'finish-migration-flavor-rollback). A cold migration keeps the '
    'server\'s flavor (compute/api.py 4340-4343), so the scheduler claims '
    'the old flavor on the next host, while MigrationTask hands the '
    'destination\'s allocation, the new flavor, to the migration '
    '(conductor/tasks/migrate.py 160-162, replace_allocation_with_migration): '
    'one move holds two different flavors, where either flavor alone would '
    'be consistent (nova 30 to 34)',
    allocations=_held('source', 'instance', r'\S+', OLD, NEW),
    # Recounting the destination, whose server has moved on, the tracker
    # holds the old flavor for a revert where Placement holds the new one.
    audit=r'^provider dest \(\S+\): Placement usage .*\(flavor new\) but '
          r'the resource tracker counts .*\(flavor old\) \(after the '
          r'periodic task\)$')

# -- found with Placement errors at the HTTP boundary ------------------------

CONDUCTOR_REVERT_IGNORED = Finding(
    'conductor-move-back-ignored',
    'when the conductor cannot give the instance its source allocation '
    'back, the failed migration keeps it and the server holds nothing',
    'conductor/tasks/migrate.py revert_allocation_for_migration logs "Unable '
    'to replace resource claim on source host" when move_allocations '
    'fails and returns; MigrationTask.rollback and the API then report the '
    'server ACTIVE on the source, and no later step (hard reboot, delete, '
    'the periodic task) moves or drops the migration\'s allocation '
    '(nova 30 to 34)',
    allocations=_any(
        _held('source', 'instance', r'\S+', None, OLD),
        _held('source', 'migration', 'error', OLD)),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

COMPUTE_REVERT_IGNORED = Finding(
    'compute-move-back-ignored',
    'when a compute host cannot give the instance its source allocation '
    'back, the instance keeps the new flavor on the destination and the '
    'migration the old one on the source',
    'ComputeManager._revert_allocation (compute/manager.py 5813-5838 in '
    '34.0.0) calls move_allocations and never looks at its answer ("TODO: '
    'Should we be doing anything with return values here?"). It is the '
    'cleanup of a failed prep_resize and resize_instance, and the heart of '
    'finish_revert_resize, which then reports the revert done (server '
    'ACTIVE, migration reverted) while Placement holds both flavors; no '
    'later step drops either (nova 30 to 34)',
    allocations=_any(
        # The instance lost its old flavor on the source...
        _held('source', 'instance', r'\S+', None, OLD),
        # ...and keeps what it claimed on the destination (the old flavor
        # for a cold migration),
        _held('dest', 'instance', r'\S+', NEW),
        _held('dest', 'instance', r'\S+', OLD),
        # or, resized on one host, the new flavor instead of the old;
        _held('source', 'instance', r'\S+', NEW, OLD),
        # and the migration still holds the old flavor.
        _held('source', 'migration', r'\S+', OLD)),
    audit=_any(_AUDIT_ORPHAN, _tracker(r'\S+'), _QUOTA))

DROP_MIGRATION_FAILED = Finding(
    'migration-allocation-drop-failed',
    'when Placement refuses to drop the migration\'s allocation after a '
    'confirm or a failed finish_resize, it stays on the source for good',
    'ComputeManager._delete_allocation_after_move (compute/manager.py '
    '5120-5139 in 34.0.0) logs that "the allocation held by the migration '
    'is leaked" and re-raises; the server goes to ERROR on the destination '
    'and neither hard reboot, delete nor the periodic task retries the '
    'delete (nova 30 to 34)',
    allocations=_held('source', 'migration', 'error', OLD),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

# -- found with RPC messages lost, refused or timed out at the bus -----------

DELETE_IN_FLIGHT = Finding(
    'delete-mid-move-keeps-migration-allocation',
    'deleting a server whose move is still in flight leaves the '
    'migration\'s allocation on the source for good',
    'Only the move\'s own later steps drop the migration consumer. When a '
    'message of the move is lost (or its host dies), the server stays in '
    'RESIZE or REVERT_RESIZE and the user deletes it: the API confirms on '
    'delete only a migration in "finished" (compute/api.py '
    '_confirm_resize_on_deleting), and ComputeManager._complete_deletion '
    '(compute/manager.py 984 in 34.0.0) deletes the instance consumer '
    'only. The periodic task leaves it too (nova 30 to 34)',
    allocations=_held('source', 'migration', r'\S+', OLD),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

RESIZE_INSTANCE_HOST_MISMATCH = Finding(
    'resize-instance-cleanup-wrong-host',
    'when resize_instance fails after it pointed the server at the '
    'destination, its cleanup gives the allocation back on the source',
    'ComputeManager._resize_instance sets instance.host to the destination '
    'before it casts finish_resize; when that cast fails, resize_instance\'s '
    'except (compute/manager.py 6341-6344 in 34.0.0) calls '
    '_revert_allocation, which moves the old flavor back to the source, '
    'and leaves the server in ERROR on the destination: the destination '
    'counts a server Placement holds nothing for, the source holds an '
    'allocation for a server that is not there (nova 30 to 34)',
    allocations=_any(
        _held('dest', 'instance', r'\S+', None, OLD),
        _held('source', 'instance', r'\S+', OLD)),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _tracker('dest'), _QUOTA))

DELETE_STUCK_DELETING = Finding(
    'confirm-on-delete-timeout-stuck-deleting',
    'when the confirm on delete times out, the server is left in task state '
    'deleting and every later delete is ignored, so the move\'s '
    'allocations are held for good',
    'API._delete sets task_state deleting, then _confirm_resize_on_deleting '
    '(compute/api.py 2651-2686 in 34.0.0) calls confirm_resize on the '
    'source; its MessagingTimeout goes up as a 500 and the task state is '
    'not put back, and API._delete ignores a delete of a server already '
    'in deleting. Only an operator\'s reset-state frees it (nova 30 to 34)',
    audit='(?!)', task='deleting')

INIT_HOST_ROLLBACK_KEEPS_MOVE = Finding(
    'restart-rolls-back-guest-not-allocations',
    'a source host restarted after dying in resize_instance powers the '
    'guest back on, but leaves the migration open and both allocations in '
    'place',
    'ComputeManager._init_instance (compute/manager.py 1230-1255 in 34.0.0) '
    'finds the server in task state resize_migrating, reverts the guest '
    'with finish_revert_migration and clears the task state, so the server '
    'is ACTIVE on the source; it neither moves the migration\'s allocation '
    'back to the instance nor drops the one on the destination nor ends '
    'the migration, which stays "migrating". The server then holds the '
    'new flavor on a host it is not on, its own host holds the old flavor '
    'for a migration that never ends, and deleting it drops only the '
    'first (nova 30 to 34)',
    migration='migrating',
    allocations=_any(
        # The flavor the move claimed there: new for a resize, old for a
        # cold migration.
        r'^provider dest \(\S+\): consumer instance \S+, status \S+ holds '
        r'.*, expected nothing$',
        _held('source', 'instance', r'\S+', None, OLD),
        _held('source', 'migration', r'\S+', OLD)),
    audit=_any(r'is not over: status migrating', _AUDIT_ORPHAN,
               _tracker('source'), _tracker('dest'), _QUOTA))

AUTO_CONFIRM_GIVES_UP = Finding(
    'auto-confirm-error-keeps-migration-allocation',
    'the auto-confirm periodic ends a migration it cannot confirm in '
    '"error" and leaves its allocation on the source',
    'ComputeManager._poll_unconfirmed_resizes (compute/manager.py '
    '10618-10627 in 34.0.0) sets a migration to error when its server is '
    'not RESIZED with no task (after an admin\'s reset-state, say) and '
    'goes on; nothing drops the migration consumer\'s old flavor on the '
    'source, and nova-manage placement audit then reports it as an orphan '
    '(nova 30 to 34)',
    allocations=_held('source', 'migration', 'error', OLD),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

RESET_DELETE_KEEPS_MIGRATION = Finding(
    'reset-state-delete-keeps-migration-allocation',
    'deleting a server reset out of VERIFY_RESIZE leaves the waiting '
    'migration\'s allocation on the source for good',
    'API._delete confirms a waiting resize only when the server\'s '
    'vm_state is RESIZED (compute/api.py 2585 in 34.0.0); after '
    'os-resetState the server is ERROR or ACTIVE, so the delete drops the '
    'instance consumer only and the migration stays "finished" holding the '
    'old flavor on the source, which no later step or periodic task '
    'removes (nova 30 to 34)',
    allocations=_held('source', 'migration', 'finished', OLD),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _QUOTA))

# -- found reading the resource tracker while a resize waits -----------------

FAILED_CLAIM_STAYS_IN_TRACKER = Finding(
    'failed-move-claim-stays-in-tracker',
    'when a move fails after the destination claimed and the server stays '
    'on the source, the destination\'s resource tracker counts that claim '
    'until its periodic task, so the next move there is counted twice',
    'ComputeManager.resize_instance (compute/manager.py 6340-6344 in '
    '34.0.0) gives Placement its allocation back (_revert_allocation) and '
    'ends the migration, and across cells PrepResizeAtDestTask.rollback '
    '(conductor/tasks/cross_cell_migrate.py 354-380) cleans the '
    'destination\'s port bindings and volume attachments, but nothing tells '
    'the destination\'s ResourceTracker, which keeps the migration\'s move '
    'claim in its compute node usage until update_available_resource '
    'recounts it (update_resources_interval, 60 s by default). Moved there '
    'again, the server waits in VERIFY_RESIZE while the hypervisors API '
    'reports both claims on the destination. Placement is right; the '
    'periodic task heals the tracker (nova 30 to 34)',
    audit=r'^provider dest \(\S+\): Placement usage .* but the resource '
          r'tracker counts .* \(before the periodic task\)$')

FAILED_CONFIRM_STAYS_IN_TRACKER = Finding(
    'failed-confirm-source-stays-in-tracker',
    'when confirm fails on the source, its resource tracker counts the '
    'server there until its periodic task, so a move back there is not '
    'counted',
    'ComputeManager._confirm_resize raises from the driver\'s '
    'confirm_migration (compute/manager.py 5082 in 34.0.0) before '
    'drop_move_claim_at_source (5090), which is what takes the server off '
    'the source\'s tracked instances; confirm_resize\'s finally drops the '
    'migration\'s allocation in Placement but leaves the tracker alone. '
    'Moved back there, the move claim of an instance the tracker still '
    'counts adds nothing (ResourceTracker._update_usage_from_migration, '
    'compute/resource_tracker.py 1502 and 1530), so while the server waits '
    'in VERIFY_RESIZE the source counts the old flavor where Placement '
    'holds the new one. Placement is right; the periodic task heals the '
    'tracker (nova 30 to 34)',
    audit=r'^provider source \(\S+\): Placement usage .* but the resource '
          r'tracker counts .* \(before the periodic task\)$')

# -- found with moves across cells ------------------------------------------

CROSS_CELL_PRECHECK_STUCK = Finding(
    'cross-cell-precheck-failure-stuck-in-resize',
    'a move to another cell whose destination fails its pre-check leaves '
    'the server in RESIZE (task state resize_prep) for good',
    'The conductor rolls the move back right: the target cell\'s copy of '
    'the server is hard-deleted (TargetDBSetupTask.rollback, '
    'conductor/tasks/cross_cell_migrate.py 204-215 in 34.0.0) and '
    'MigrationTask.rollback gives the source allocation back to the '
    'instance. But that copy was made with the server\'s own info cache '
    'object (clone_creatable_object sets the source\'s nested objects on '
    'the clone, line 70, and inst.create(), line 172, points that object '
    'at the target cell), so the error handler of _cold_migrate '
    '(conductor/manager.py 446) fails in instance.refresh() with '
    'InstanceInfoCacheNotFound and never clears the task state. Placement '
    'is right; the server can be deleted, but neither rebooted, resized '
    'nor migrated until an admin resets its state (nova 30 to 34)',
    audit='(?!)', task='resize_prep', status='RESIZE')

CROSS_CELL_CONFIRM_LEAVES_SOURCE_COPY = Finding(
    'cross-cell-confirm-failure-source-copy-counted',
    'a confirm that fails on the source leaves the server\'s hidden copy in '
    'the source cell, and the source\'s resource tracker counts its old '
    'flavor for good',
    'ConfirmResizeTask._execute (conductor/tasks/cross_cell_migrate.py '
    '1032-1055 in 34.0.0) hard-deletes the source cell\'s copy of the '
    'server only once confirm_snapshot_based_resize_at_source succeeded; '
    'when it fails, the compute drops the migration\'s allocation anyway '
    '(its finally, compute/manager.py 5200) and ConfirmResizeTask.rollback '
    '(1057-1078) only sets the migration and the server to error. The copy '
    'stays, hidden, in ERROR on the source host, whose '
    'update_available_resource counts it: Placement and the resource '
    'tracker disagree for good, as neither hard reboot nor delete (both act '
    'on the target cell) touch it (nova 30 to 34)',
    audit=_tracker('source'))

CROSS_CELL_REVERT_ON_DEST = Finding(
    'cross-cell-revert-fails-on-dest',
    'a revert across cells that fails on the destination leaves the server '
    'in the source cell holding nothing there, the new flavor on the '
    'destination and the old one on the migration',
    'RevertResizeTask._execute (conductor/tasks/cross_cell_migrate.py '
    '1364-1436 in 34.0.0) maps the server back to the source cell (1385) '
    'before it calls revert_snapshot_based_resize_at_dest (1400); when that '
    'fails, RevertResizeTask.rollback (1438-1471) only sets the migration '
    'and the server to error. Only finish_revert_snapshot_based_resize_at_'
    'source (compute/manager.py 5516) moves the migration\'s allocation '
    'back to the instance, and it is never called; hard reboot and the '
    'periodic task do not do it either. Deleting the server then drops the '
    'instance\'s allocation but the migration\'s stays on the source, and '
    'the copy left in the target cell (hidden, in ERROR on the destination) '
    'is counted by the destination\'s resource tracker for good (nova 30 '
    'to 34)',
    allocations=_any(
        _held('source', 'instance', r'\S+', None, OLD),
        _held('dest', 'instance', r'\S+', NEW),
        _held('source', 'migration', 'error', OLD)),
    audit=_any(_AUDIT_ORPHAN, _tracker('source'), _tracker('dest'), _QUOTA))

ALL = (REVERT_ON_DEST_LEAK, FLAVOR_ROLLED_BACK, FLAVOR_ROLLED_BACK_MOVES_ON,
       CONDUCTOR_REVERT_IGNORED, COMPUTE_REVERT_IGNORED,
       DROP_MIGRATION_FAILED, DELETE_IN_FLIGHT,
       RESIZE_INSTANCE_HOST_MISMATCH, DELETE_STUCK_DELETING,
       INIT_HOST_ROLLBACK_KEEPS_MOVE, AUTO_CONFIRM_GIVES_UP,
       RESET_DELETE_KEEPS_MIGRATION, FAILED_CLAIM_STAYS_IN_TRACKER,
       FAILED_CONFIRM_STAYS_IN_TRACKER, CROSS_CELL_PRECHECK_STUCK,
       CROSS_CELL_CONFIRM_LEAVES_SOURCE_COPY, CROSS_CELL_REVERT_ON_DEST)
