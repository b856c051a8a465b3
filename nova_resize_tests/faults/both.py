"""Two faults in one row: a step fails, and so does Nova's cleanup of it."""

import dataclasses

from nova_resize_tests import faults


@dataclasses.dataclass(frozen=True, kw_only=True)
class Both(faults.Fault):
    """Two faults in one row: ``first`` is the one the row is named for.

    For example a driver that fails a step and a Placement error on the
    cleanup Nova then runs. Each part arms on its own step; both must fire.
    """

    first: faults.Fault
    then: faults.Fault
    how: str = ''

    kind = 'combined'

    @classmethod
    def of(cls, first, then):
        return cls(first=first, then=then, event=first.event,
                   action=first.action)

    @property
    def where(self):
        return f'{self.first.where}+{self.then.where}'

    def driver_for(self, host):
        return self.first.driver_for(host) or self.then.driver_for(host)

    def on(self, host):
        return Both.of(self.first.on(host), self.then.on(host))

    def parts(self):
        return self.first.parts() + self.then.parts()

    def fixture(self, test):
        return _Together(self, test)


class _Together(faults.Injection):

    def _setUp(self):
        self.each = [self.useFixture(part.fixture(self.test))
                     for part in self.fault.parts()]

    def step_begins(self, action):
        for part in self.each:
            part.step_begins(action)

    def missed(self):
        return [line for part in self.each for line in part.missed()]
