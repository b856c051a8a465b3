"""The scenario table: every failure point of a move, as data.

A row names the operation, the step that fails and on which host, how the
fault is injected, and the follow-up actions; each step carries the end
state a correct Nova must leave: server status and host, migration status,
and the allocations per provider per consumer with the flavor they equal.

The rule behind every expectation: once a migration is over (confirmed,
reverted, error), the server's current host holds the server's current
flavor for the instance consumer and nothing else is left anywhere; while a
resize waits for confirmation (VERIFY_RESIZE), the migration consumer holds
the old flavor on the source and the instance the new flavor on the
destination (both on one provider for a same-host resize).

The engine in ``tests/functional/test_moves.py`` only runs and compares.
"""

import dataclasses
import re

from nova_resize_tests import drivers
from nova_resize_tests import flavors
from nova_resize_tests import nova_adapter

SOURCE, DEST, ALTERNATE = 'source', 'dest', 'alternate'
OLD, NEW = flavors.OLD, flavors.NEW

RESIZE, SAME_HOST, MIGRATE = 'resize', 'resize-same-host', 'migrate'
OPERATIONS = (RESIZE, SAME_HOST, MIGRATE)
DELETED = 'DELETED'


@dataclasses.dataclass(frozen=True)
class Fault:
    """Where a move fails and how the failure is injected.

    ``driver`` is the failing host's virt driver; ``disable_host`` disables
    the host's compute service so that the scheduler finds no host. Every
    step that can fail calls a driver method, so no Nova method is patched.
    ``event`` is the instance action event
    that ends in error, the signal that Nova finished handling the fault.
    """

    step: str
    host: str
    how: str
    event: str
    action: str = 'move'
    driver: object = None
    disable_host: bool = False

    def on(self, host):
        """The same fault on another host (a same-host resize has one)."""
        return dataclasses.replace(self, host=host)


@dataclasses.dataclass(frozen=True)
class Expect:
    """What a correct Nova leaves after one step."""

    server: str
    host: str
    migration: str
    allocations: dict
    fault: str = ''


@dataclasses.dataclass(frozen=True)
class Step:
    action: str
    expect: Expect
    #: (event, result) of the instance action that ends this step, when
    #: neither the action's default nor the fault's event is right.
    ends_with: tuple = ()


@dataclasses.dataclass(frozen=True)
class KnownLeak:
    """A leak current Nova has: the row keeps the right expectation.

    Every step still runs. A step whose allocations differ only by lines
    matching ``allocations`` is recorded instead of failing; any other
    difference fails the row. The end-of-test audit may only report
    findings matching ``audit``. If the leak never shows, the row fails so
    that the mark is dropped when Nova is fixed.
    """

    reason: str
    allocations: str
    audit: str


@dataclasses.dataclass(frozen=True)
class Row:
    operation: str
    fault: Fault
    steps: tuple
    alternate: bool = False
    #: A leak current Nova really has in this row (an expected failure).
    known_leak: object = None
    #: (reason, regex): a problem the row's own assertions do not cover
    #: but the end-of-test audit finds on current Nova.
    known_audit_finding: tuple = ()

    @property
    def hosts(self):
        if self.operation == SAME_HOST:
            return (SOURCE,)
        return (SOURCE, DEST, ALTERNATE) if self.alternate else (SOURCE, DEST)

    @property
    def name(self):
        fails = 'none'
        if self.fault:
            fails = f'{self.fault.step}@{self.fault.host}'
        if self.alternate:
            fails += '+alternate'
        then = '+'.join(step.action for step in self.steps[1:]) or 'nothing'
        return f'{self.operation},fail={fails},then={then}'


# -- faults --------------------------------------------------------------

NO_VALID_HOST = Fault(
    'scheduling', DEST, 'the only candidate host is disabled: NoValidHost',
    event='conductor_migrate_server', disable_host=True)
PREP_RESIZE = Fault(
    'prep_resize', DEST, 'driver FailsPrepResize raises from the move claim',
    event='compute_prep_resize', driver=drivers.FailsPrepResize)
MIGRATE_DISK = Fault(
    'migrate_disk_and_power_off', SOURCE,
    'driver FailsMigrateDiskAndPowerOff raises',
    event='compute_resize_instance',
    driver=drivers.FailsMigrateDiskAndPowerOff)
MIGRATE_DISK_ROLLBACK = Fault(
    'migrate_disk_and_power_off-rollback', SOURCE,
    'driver RollsBackMigrateDiskAndPowerOff raises InstanceFaultRollback',
    event='compute_resize_instance',
    driver=drivers.RollsBackMigrateDiskAndPowerOff)
FINISH_MIGRATION = Fault(
    'finish_migration', DEST, "Nova's FakeFinishMigrationFailDriver raises",
    event='compute_finish_resize',
    driver=nova_adapter.NOVA_FINISH_MIGRATION_FAIL_DRIVER)
CONFIRM = Fault(
    'confirm_migration', SOURCE, 'driver FailsConfirmMigration raises',
    event='compute_confirm_resize', action='confirm',
    driver=drivers.FailsConfirmMigration)

#: Found on nova 30 to 34: ComputeManager.revert_resize (compute/manager.py
#: 5605-5654 in 34.0.0) has no allocation cleanup when it fails, unlike
#: finish_resize and confirm_resize; hard reboot, delete and the periodic
#: task never drop it either.
REVERT_ON_DEST_LEAK = KnownLeak(
    'revert failing on the destination leaves the old flavor held by the '
    'migration (status error) on the source for good; nothing in '
    'ComputeManager.revert_resize drops it (nova 30 to 34)',
    allocations=(
        r'^provider source \(\S+\): consumer migration \S+, status error '
        r'holds ' + re.escape(flavors.format_resources(OLD.resources))
        + r', expected nothing$'),
    audit=(r'^nova-manage placement audit returned 3:|'
           r'^provider source \(\S+\): Placement usage .* but the resource '
           r'tracker counts|^project \S+: quota usage'))
REVERT_ON_DEST = Fault(
    'destroy_on_revert', DEST, 'driver FailsDestroyWhileReverting raises',
    event='compute_revert_resize', action='revert',
    driver=drivers.FailsDestroyWhileReverting)
REVERT_ON_SOURCE = Fault(
    'finish_revert_migration', SOURCE,
    'driver FailsFinishRevertMigration raises',
    event='compute_finish_revert_resize', action='revert',
    driver=drivers.FailsFinishRevertMigration)

FINISH_MIGRATION_FAULT = 'Virtual Interface creation failed'
#: Nova 34 finding: when finish_migration fails, _finish_resize puts the
#: instance's flavor back to the old one while Placement keeps the new one
#: on the destination (what bug 1825537's fix chose), so the resource
#: tracker and Placement disagree until the server is deleted.
FLAVOR_ROLLED_BACK = (
    'after finish_migration fails the instance flavor is rolled back to '
    'the old one but Placement keeps the new one (nova 34.0.0)',
    r'(Placement usage .*\(flavor new\) but the resource tracker counts '
    r'.*\(flavor old\)$)|'
    rf"(quota usage cores={NEW.vcpus} ram={NEW.memory_mb} but its servers' "
    r'flavors \(old\))')


def held(*allocations):
    """``held((host, consumer role, flavor), ...)`` as nested dicts."""
    result = {}
    for host, role, flavor in allocations:
        result.setdefault(host, {})[role] = flavor
    return result


def _deleted():
    # The API hides a deleted server's migrations; the audit still sees
    # their consumers in Placement.
    return Expect(DELETED, None, None, held())


def _rows(operation, dest, new):
    """Every row of one operation.

    ``dest`` is the host the move targets (the source itself for a
    same-host resize) and ``new`` the flavor the server moves to (the old
    one for a cold migration).
    """
    on_source = held((SOURCE, 'instance', OLD))
    on_dest = held((dest, 'instance', new))
    waiting = held((SOURCE, 'migration', OLD), (dest, 'instance', new))
    verify = Step(operation, Expect('VERIFY_RESIZE', dest, 'finished',
                                    waiting))
    confirmed = Step('confirm', Expect('ACTIVE', dest, 'confirmed', on_dest))
    reverted = Step('revert', Expect('ACTIVE', SOURCE, 'reverted', on_source))

    def failed_move(fault, server, host, allocations, text=''):
        return Step(operation, Expect(server, host, 'error', allocations,
                                      text))

    rows = [
        Row(operation, None, (verify,)),
        Row(operation, None, (verify, confirmed)),
        Row(operation, None, (verify, reverted)),
        Row(operation, None, (verify, Step('delete', _deleted()))),
        Row(operation, None, (verify, reverted,
                              Step('delete', _deleted()))),
    ]

    # The move fails before or while the destination claims: the server
    # must stay on the source with the old flavor, nothing on the dest.
    for fault, server in ((NO_VALID_HOST.on(dest), 'ACTIVE'),
                          (PREP_RESIZE.on(dest), 'ERROR'),
                          (MIGRATE_DISK, 'ERROR'),
                          (MIGRATE_DISK_ROLLBACK, 'ACTIVE')):
        failed = failed_move(fault, server, SOURCE, on_source)
        rows += [
            Row(operation, fault, (failed,)),
            Row(operation, fault, (failed, Step(
                'hard-reboot', Expect('ACTIVE', SOURCE, 'error', on_source)))),
            Row(operation, fault, (failed, Step('delete', _deleted()))),
        ]

    # finish_migration fails on the destination (bug 1825537): the server
    # is on the destination with the new flavor and the source is freed.
    finish = FINISH_MIGRATION.on(dest)
    failed = failed_move(finish, 'ERROR', dest, on_dest,
                         FINISH_MIGRATION_FAULT)
    # A cold migration keeps the flavor, so there is nothing to disagree on.
    rolled_back = FLAVOR_ROLLED_BACK if new is not OLD else ()
    rows += [
        Row(operation, finish, (failed,), known_audit_finding=rolled_back),
        Row(operation, finish, (failed, Step(
            'hard-reboot', Expect('ACTIVE', dest, 'error', on_dest))),
            known_audit_finding=rolled_back),
        Row(operation, finish, (failed, Step('delete', _deleted()))),
    ]

    # Confirm fails on the source: the server stays on the destination,
    # and the old flavor the migration held on the source must not outlive
    # the migration.
    confirm = CONFIRM
    confirm_failed = Step('confirm', Expect('ERROR', dest, 'error', on_dest))
    rows += [
        Row(operation, confirm, (verify, confirm_failed)),
        Row(operation, confirm, (verify, confirm_failed, Step(
            'hard-reboot', Expect('ACTIVE', dest, 'error', on_dest)))),
        Row(operation, confirm, (verify, confirm_failed,
                                 Step('delete', _deleted()))),
    ]

    # Revert fails on the destination (before anything moved back) or on
    # the source (after the allocations moved back).
    for fault, host, allocations, leak in (
            (REVERT_ON_DEST.on(dest), dest, on_dest, REVERT_ON_DEST_LEAK),
            (REVERT_ON_SOURCE, SOURCE, on_source, None)):
        revert_failed = Step('revert', Expect('ERROR', host, 'error',
                                              allocations))
        rows += [
            Row(operation, fault, (verify, revert_failed), known_leak=leak),
            Row(operation, fault, (verify, revert_failed, Step(
                'hard-reboot', Expect('ACTIVE', host, 'error',
                                      allocations))), known_leak=leak),
            Row(operation, fault, (verify, revert_failed,
                                   Step('delete', _deleted())),
                known_leak=leak),
        ]

    if operation != SAME_HOST:
        # prep_resize fails on the first choice; the conductor reschedules
        # to the alternate host, and the first choice must keep nothing.
        fault = PREP_RESIZE
        to_alternate = Step(operation, Expect(
            'VERIFY_RESIZE', ALTERNATE, 'finished',
            held((SOURCE, 'migration', OLD), (ALTERNATE, 'instance', new))),
            ends_with=('compute_finish_resize', 'success'))
        rows += [
            Row(operation, fault, (to_alternate,), alternate=True),
            Row(operation, fault, (to_alternate, Step('confirm', Expect(
                'ACTIVE', ALTERNATE, 'confirmed',
                held((ALTERNATE, 'instance', new))))), alternate=True),
            Row(operation, fault, (to_alternate, reverted), alternate=True),
        ]
    return rows


ROWS = tuple(row for operation, dest, new in (
    (RESIZE, DEST, NEW), (SAME_HOST, SOURCE, NEW), (MIGRATE, DEST, OLD))
    for row in _rows(operation, dest, new))


def as_testscenarios(rows=ROWS):
    """``[(name, {'row': row}), ...]`` for testscenarios."""
    return [(row.name, {'row': row}) for row in rows]
