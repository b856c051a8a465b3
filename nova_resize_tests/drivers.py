"""Fake virt drivers that fail at one step of a move, named for that step.

Each is a few lines over ``nova.virt.fake.FakeDriver`` and raises from the
one driver method Nova calls at that step, so the rest of Nova (compute
manager, conductor, scheduler, Placement) runs its real error handling.
"""

from nova_resize_tests import nova_adapter  # noqa: F401  (eventlet first)

from nova import exception  # noqa: E402
from nova.virt import fake  # noqa: E402

# Each failure raises a message that names the driver, so a server fault shows
# which injected fault the test hit.


class InjectedFault(Exception):
    """Raised by a failing driver; never raised by Nova itself."""


class HostCrash(BaseException):
    """The compute process dies here: no ``except Exception`` of Nova runs.

    Nova's error handlers on these paths catch ``Exception``, so this ends
    the RPC handler the way a killed process does; only ``finally`` blocks
    and the instance action event's recording run.
    """


def _fault(driver, method, error=InjectedFault):
    """The exception to raise, noted on the driver as having fired."""
    message = f'{driver.__class__.__name__}.{method} failed on purpose'
    # Read by faults.driver: a row whose driver never raised fails.
    driver.__dict__.setdefault('raised', []).append(message)
    return error(message)


def _fails(driver, method, error=InjectedFault):
    """The exception to raise now, or None once the fault is gone.

    ``fail_times`` (set on the driver by faults.driver when a row says the
    fault goes away) bounds how often it raises; unset, it always raises.
    """
    limit = getattr(driver, 'fail_times', None)
    if limit is not None and len(getattr(driver, 'raised', ())) >= limit:
        return None
    return _fault(driver, method, error)


class FailsMigrateDiskAndPowerOff(fake.FakeDriver):
    """The source fails to power off and ship the disk (resize_instance)."""

    def migrate_disk_and_power_off(self, *args, **kwargs):
        failure = _fails(self, 'migrate_disk_and_power_off')
        if failure:
            raise failure
        return super().migrate_disk_and_power_off(*args, **kwargs)


class RollsBackMigrateDiskAndPowerOff(fake.FakeDriver):
    """The source refuses the disk transfer but leaves the guest intact.

    ``InstanceFaultRollback`` tells Nova the instance is still fine on the
    source, so it is set back to ACTIVE there instead of ERROR.
    """

    def migrate_disk_and_power_off(self, *args, **kwargs):
        failure = _fails(self, 'migrate_disk_and_power_off')
        if failure:
            raise exception.InstanceFaultRollback(inner_exception=failure)
        return super().migrate_disk_and_power_off(*args, **kwargs)


class FailsConfirmMigration(fake.FakeDriver):
    """The source fails to remove the old guest when a resize is confirmed."""

    def confirm_migration(self, *args, **kwargs):
        raise _fault(self, 'confirm_migration')


class FailsDestroyWhileReverting(fake.FakeDriver):
    """The destination fails to destroy the new guest during a revert.

    Only the revert's destroy fails (the instance's task state says it is
    reverting), so deleting the server on this host still works.
    """

    def destroy(self, context, instance, *args, **kwargs):
        if instance.task_state == 'resize_reverting':
            raise _fault(self, 'destroy')
        return super().destroy(context, instance, *args, **kwargs)


class FailsFinishRevertMigration(fake.FakeDriver):
    """The source fails to power the old guest back on after a revert."""

    def finish_revert_migration(self, *args, **kwargs):
        raise _fault(self, 'finish_revert_migration')


class FailsFinishMigration(fake.FakeFinishMigrationFailDriver):
    """Nova's own driver for bug 1825537, noting each time it raises.

    ``finish_migration`` on the destination raises Nova's
    ``VirtualInterfaceCreateException``, as the upstream regression test has
    it.
    """

    def finish_migration(self, *args, **kwargs):
        _fault(self, 'finish_migration')
        return super().finish_migration(*args, **kwargs)


class FailsPrepResize(fake.FakeDriver):
    """The destination fails while claiming resources in prep_resize.

    The resource tracker asks the driver for the host's address when it
    records the move claim; nothing else in a move calls it, and it fails
    before the claim is made.
    """

    def get_host_ip_addr(self):
        failure = _fails(self, 'get_host_ip_addr')
        if failure:
            raise failure
        return super().get_host_ip_addr()


# A move across cells takes other steps (the compute manager's
# *_snapshot_based_resize_* methods), which call other driver methods: the
# destination's claim still asks get_host_ip_addr (FailsPrepResize), a
# revert still destroys the new guest (FailsDestroyWhileReverting) and
# powers the old one back on (FailsFinishRevertMigration); these are the
# others.


class FailsSnapshotForResize(fake.FakeDriver):
    """The source fails to snapshot the powered-off guest's root disk.

    A move across cells ships the disk as an image: the source powers the
    guest off and snapshots it in prep_snapshot_based_resize_at_source.
    Nothing else in the rows snapshots a server.
    """

    def snapshot(self, *args, **kwargs):
        failure = _fails(self, 'snapshot')
        if failure:
            raise failure
        return super().snapshot(*args, **kwargs)


class FailsSpawnWhileResizing(fake.FakeDriver):
    """The destination fails to spawn the moved guest from the snapshot.

    Only the spawn of finish_snapshot_based_resize_at_dest fails (the
    instance's task state says the resize is finishing), not a boot.
    """

    def spawn(self, context, instance, *args, **kwargs):
        if instance.task_state == 'resize_finish':
            failure = _fails(self, 'spawn')
            if failure:
                raise failure
        return super().spawn(context, instance, *args, **kwargs)


class FailsCleanupWhileConfirming(fake.FakeDriver):
    """The source fails to remove the old guest's disks on a confirm.

    confirm_snapshot_based_resize_at_source calls cleanup (the guest itself
    went at the move); nothing else in the rows does on the source.
    """

    def cleanup(self, *args, **kwargs):
        raise _fault(self, 'cleanup')


# Hosts that die in the middle of a step, each where a dead process is
# faithful: no ``finally`` of Nova's on that path does work a real crash
# would skip (confirm_resize's and finish_revert_resize's do, so those are
# not crash points).


class CrashesInPrepResize(fake.FakeDriver):
    """The destination dies while it claims resources in prep_resize."""

    def get_host_ip_addr(self):
        raise _fault(self, 'get_host_ip_addr', HostCrash)


class CrashesInMigrateDiskAndPowerOff(fake.FakeDriver):
    """The source dies while it powers the guest off and ships the disk."""

    def migrate_disk_and_power_off(self, *args, **kwargs):
        raise _fault(self, 'migrate_disk_and_power_off', HostCrash)


class CrashesInFinishMigration(fake.FakeDriver):
    """The destination dies while it spawns the moved guest."""

    def finish_migration(self, *args, **kwargs):
        raise _fault(self, 'finish_migration', HostCrash)


class CrashesInDestroyWhileReverting(fake.FakeDriver):
    """The destination dies while it destroys the new guest for a revert."""

    def destroy(self, context, instance, *args, **kwargs):
        if instance.task_state == 'resize_reverting':
            raise _fault(self, 'destroy', HostCrash)
        return super().destroy(context, instance, *args, **kwargs)
