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


def _fault(driver, method):
    """The exception to raise, noted on the driver as having fired."""
    message = f'{driver.__class__.__name__}.{method} failed on purpose'
    # Read by faults.driver: a row whose driver never raised fails.
    driver.__dict__.setdefault('raised', []).append(message)
    return InjectedFault(message)


class FailsMigrateDiskAndPowerOff(fake.FakeDriver):
    """The source fails to power off and ship the disk (resize_instance)."""

    def migrate_disk_and_power_off(self, *args, **kwargs):
        raise _fault(self, 'migrate_disk_and_power_off')


class RollsBackMigrateDiskAndPowerOff(fake.FakeDriver):
    """The source refuses the disk transfer but leaves the guest intact.

    ``InstanceFaultRollback`` tells Nova the instance is still fine on the
    source, so it is set back to ACTIVE there instead of ERROR.
    """

    def migrate_disk_and_power_off(self, *args, **kwargs):
        raise exception.InstanceFaultRollback(
            inner_exception=_fault(self, 'migrate_disk_and_power_off'))


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
        raise _fault(self, 'get_host_ip_addr')
