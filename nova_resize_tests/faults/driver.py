"""Faults of the first kind: a compute host's virt driver raises.

The failing host starts with a fake driver (see :mod:`nova_resize_tests.
drivers`) that raises from the one method Nova calls at that step. Each
such driver notes every time it raised, which is what fired means here.
"""

import dataclasses

from nova_resize_tests import faults


@dataclasses.dataclass(frozen=True, kw_only=True)
class DriverFault(faults.Fault):
    """``step`` fails on ``host`` because its ``driver`` raises there."""

    step: str
    host: str
    driver: type

    kind = 'driver'

    @property
    def where(self):
        return f'{self.step}@{self.host}'

    def driver_for(self, host):
        return self.driver if host == self.host else None

    def on(self, host):
        return dataclasses.replace(self, host=host)

    def fixture(self, test):
        return _DriverInjection(self, test)


class _DriverInjection(faults.Injection):
    """Reads, at the end of the row, what the host's driver noted."""

    @property
    def fired(self):
        driver = self.test.computes[self.fault.host].manager.driver
        return list(getattr(driver, 'raised', ()))
