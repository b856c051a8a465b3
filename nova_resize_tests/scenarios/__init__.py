"""The scenario table: every failure point of a move, as data.

A row names the operation, the fault (its kind, where it fires and on which
step: see :mod:`nova_resize_tests.faults`) and the follow-up actions; each
step carries the end state a correct Nova must leave: server status and
host, migration status, and the allocations per provider per consumer with
the flavor they equal. The rows live in one module per fault family
(:mod:`.driver_rows`, :mod:`.placement_rows`, :mod:`.rpc_rows`,
:mod:`.host_rows`, :mod:`.path_rows`, :mod:`.reschedule_rows`,
:mod:`.stopped_rows`, :mod:`.again_rows`, :mod:`.volume_rows`,
:mod:`.cell_rows`) and are gathered here.

The rule behind every expectation: once a migration is over (confirmed,
reverted, error), the server's current host holds the server's current
flavor for the instance consumer and nothing else is left anywhere; while a
resize waits for confirmation (VERIFY_RESIZE), the migration consumer holds
the old flavor on the source and the instance the new flavor on the
destination (both on one provider for a same-host resize). Nova may not
report success while Placement disagrees.

The engine in ``tests/functional/test_moves.py`` only runs and compares.
"""

import dataclasses

from nova_resize_tests import flavors

SOURCE, DEST, ALTERNATE = 'source', 'dest', 'alternate'
OLD, NEW = flavors.OLD, flavors.NEW

RESIZE, SAME_HOST, MIGRATE = 'resize', 'resize-same-host', 'migrate'
#: A cold migration to the host the admin names (microversion 2.56):
#: ``alternate``, which the scheduler would not pick.
MIGRATE_TO = 'migrate-to-alternate'
OPERATIONS = (RESIZE, SAME_HOST, MIGRATE, MIGRATE_TO)
DELETED = 'DELETED'
#: What a server boots from: an image on the host's disk, or a volume.
IMAGE, VOLUME = 'image', 'volume-backed'
#: Where the hosts are: all in one cell, or the source in one and the
#: destination (and the alternate) in another, so the move crosses cells.
ONE_CELL, CROSS_CELL = 'one-cell', 'cell-to-cell'
#: (operation, the host it moves to, the flavor it moves to)
MOVES = ((RESIZE, DEST, NEW), (SAME_HOST, SOURCE, NEW), (MIGRATE, DEST, OLD))


@dataclasses.dataclass(frozen=True)
class Expect:
    """What a correct Nova leaves after one step.

    ``task`` is the task state the server is left in: None once Nova is
    done with it, a resize task for a move stuck in flight.
    """

    server: str
    host: str
    migration: str
    allocations: dict
    fault: str = ''
    task: str = None


@dataclasses.dataclass(frozen=True)
class Step:
    action: str
    expect: Expect
    #: (event, result) of the instance action that ends this step, when
    #: neither the action's default nor the fault's event is right.
    ends_with: tuple = ()
    #: The HTTP status the API answers the request with when it refuses
    #: it (the step then changes nothing Nova has to finish).
    refused: int = 0

    @property
    def kind(self):
        """``move`` for any operation, else what the action does.

        The auto-confirm periodic confirms as the user would, so a fault
        armed on confirm fires there too.
        """
        if self.action in OPERATIONS:
            return 'move'
        return {'auto-confirm': 'confirm'}.get(self.action, self.action)


@dataclasses.dataclass(frozen=True)
class Row:
    operation: str
    fault: object
    steps: tuple
    alternate: bool = False
    #: The :class:`nova_resize_tests.findings.Finding` s current Nova shows
    #: in this row: the row keeps the right expectation and tolerates
    #: exactly their differences.
    findings: tuple = ()
    #: ``(option, value, group)`` settings the cloud runs with, such as
    #: ``('max_attempts', 1, 'scheduler')``; shown in the test id.
    settings: tuple = ()
    #: What the server boots from (``IMAGE`` or ``VOLUME``); a shape other
    #: than the image follows the operation in the test id.
    server: str = IMAGE
    #: The flavor the server boots with and the one a resize asks for.
    flavors: tuple = (OLD, NEW)
    #: ``ONE_CELL`` or ``CROSS_CELL``; the latter follows the operation (and
    #: the server's shape) in the test id.
    cells: str = ONE_CELL

    @property
    def number_of_cells(self):
        return 2 if self.cells == CROSS_CELL else 1

    def cell_of(self, host):
        """The number of the cell ``host`` is in (1 is Nova's default)."""
        return 2 if self.cells == CROSS_CELL and host != SOURCE else 1

    @property
    def hosts(self):
        if self.operation == SAME_HOST:
            return (SOURCE,)
        return (SOURCE, DEST, ALTERNATE) if self.alternate else (SOURCE, DEST)

    @property
    def _moves(self):
        """Where the move is among the steps."""
        return [step.kind for step in self.steps].index('move')

    @property
    def then(self):
        """The test id's part after ``then=``: the steps after the move."""
        return '+'.join(step.action for step in
                        self.steps[self._moves + 1:]) or 'nothing'

    @property
    def name(self):
        fails = self.fault.where if self.fault else 'none'
        if self.alternate:
            fails += '+alternate'
        # Steps before the move (a server stopped first) come first.
        name = self.operation
        if self.server != IMAGE:
            name += f',{self.server}'
        if self.cells != ONE_CELL:
            name += f',{self.cells}'
        moves = self._moves
        if moves:
            name += ',after=' + '+'.join(
                step.action for step in self.steps[:moves])
        name += f',fail={fails},then={self.then}'
        for option, value, _group in self.settings:
            name += f',{option}={value}'
        return name


def held(*allocations):
    """``held((host, consumer role, flavor), ...)`` as nested dicts."""
    result = {}
    for host, role, flavor in allocations:
        result.setdefault(host, {})[role] = flavor
    return result


def deleted():
    # The API hides a deleted server's migrations; the audit still sees
    # their consumers in Placement.
    return Expect(DELETED, None, None, held())


def moved(operation, dest, new, role='migration'):
    """The states of a move that works: waiting, confirmed, reverted.

    ``role`` is the migration consumer's label (``migration-2`` for a
    server's second move).
    """
    waiting = held((SOURCE, role, OLD), (dest, 'instance', new))
    return (
        Step(operation, Expect('VERIFY_RESIZE', dest, 'finished', waiting)),
        Step('confirm', Expect('ACTIVE', dest, 'confirmed',
                               held((dest, 'instance', new)))),
        Step('revert', Expect('ACTIVE', SOURCE, 'reverted',
                              held((SOURCE, 'instance', OLD)))),
    )


def on_volume(row):
    """``row`` for a volume-backed server.

    The rule is the same; the server boots from a volume, and every flavor
    the row expects is replaced by its volume-backed twin
    (:data:`flavors.ON_VOLUME`), whose allocation holds no DISK_GB.
    """
    def twin(expect):
        return dataclasses.replace(expect, allocations={
            host: {role: flavors.ON_VOLUME[flavor]
                   for role, flavor in held.items()}
            for host, held in expect.allocations.items()})

    return dataclasses.replace(
        row, server=VOLUME,
        flavors=tuple(flavors.ON_VOLUME[flavor] for flavor in row.flavors),
        steps=tuple(dataclasses.replace(step, expect=twin(step.expect))
                    for step in row.steps))


def _gather():
    from nova_resize_tests.scenarios import again_rows
    from nova_resize_tests.scenarios import cell_rows
    from nova_resize_tests.scenarios import driver_rows
    from nova_resize_tests.scenarios import host_rows
    from nova_resize_tests.scenarios import path_rows
    from nova_resize_tests.scenarios import placement_rows
    from nova_resize_tests.scenarios import reschedule_rows
    from nova_resize_tests.scenarios import rpc_rows
    from nova_resize_tests.scenarios import stopped_rows
    from nova_resize_tests.scenarios import volume_rows
    return tuple(row for family in (driver_rows, placement_rows, rpc_rows,
                                    host_rows, path_rows, reschedule_rows,
                                    stopped_rows, again_rows, volume_rows,
                                    cell_rows)
                 for operation, dest, new in MOVES
                 for row in family.rows(operation, dest, new))


ROWS = _gather()


def as_testscenarios(rows=ROWS):
    """``[(name, {'row': row}), ...]`` for testscenarios."""
    return [(row.name, {'row': row}) for row in rows]
