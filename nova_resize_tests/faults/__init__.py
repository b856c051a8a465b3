"""Faults: where a move fails, as data with a kind.

A fault says what breaks (its kind: a virt driver, a disabled host, a
Placement answer, an RPC message), where (the host, or the request or
message it selects), and on which step of a row it is armed (``action``:
``move``, ``confirm``, ``revert``, ``delete``). Each kind lives in its own
module of this package and turns itself into a fixture with
:meth:`Fault.fixture`; the engine only installs that fixture, arms it when
the step begins and asks, at the end of the row, whether it fired. It never
asks which kind it holds.

A fault that never fired fails its row: an injection that silently misses
would make a row that can never go red.
"""

import dataclasses

import fixtures


@dataclasses.dataclass(frozen=True, kw_only=True)
class Fault:
    """What every kind shares; a kind module adds how it is injected.

    ``how`` is one sentence for the README; ``event`` the instance action
    event that ends in error when Nova has finished handling the fault
    (empty when the step ends some other way: the row's step then names its
    own ``ends_with``); ``action`` the step of the row it is armed on.
    """

    how: str
    event: str = ''
    action: str = 'move'

    @property
    def where(self):
        """The test id's part after ``fail=``: ``finish_migration@dest``."""
        raise NotImplementedError

    #: Shown in the README's list of faults, grouped by kind.
    kind = 'fault'

    def driver_for(self, host):
        """The virt driver ``host`` must start with, or None for any."""
        return None

    def on(self, host):
        """The same fault on another host (a same-host resize has one)."""
        return self

    def parts(self):
        """The simple faults this one is made of."""
        return (self,)

    def fixture(self, test):
        """An :class:`Injection` that installs this fault in ``test``."""
        raise NotImplementedError


class Injection(fixtures.Fixture):
    """An installed fault: armed by the engine, it records when it fires.

    The engine calls :meth:`step_begins` before every step of the row; the
    fault arms itself on the step its ``action`` names. ``fired`` lists one
    line per time the fault took effect.
    """

    def __init__(self, fault, test):
        super().__init__()
        self.fault = fault
        self.test = test
        self._fired = []
        self.armed = False

    def step_begins(self, action):
        if action == self.fault.action and not self.armed:
            self.armed = True
            self.arm()

    def arm(self):
        """The step this fault targets begins: a kind may act here."""

    def record(self, what):
        self._fired.append(what)

    @property
    def fired(self):
        return list(self._fired)

    def missed(self):
        """What never fired, one line each (empty when all did)."""
        if self.fired:
            return []
        return [f'the {self.fault.kind} fault {self.fault.where} never fired '
                f'(armed: {self.armed}): it matched nothing Nova did']
