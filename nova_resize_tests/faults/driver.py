"""Faults of the first kind: a compute host's virt driver raises.

The failing host starts with a fake driver (see :mod:`nova_resize_tests.
drivers`) that raises from the one method Nova calls at that step. Each
such driver notes every time it raised, which is what fired means here.
"""

import dataclasses

from nova_resize_tests import faults


@dataclasses.dataclass(frozen=True, kw_only=True)
class DriverFault(faults.Fault):
    """``step`` fails on ``host`` because its ``driver`` raises there.

    ``times``, when set, is how often it raises before the fault is gone
    (the host was mended), so a row can try the move again.
    """

    step: str
    host: str
    driver: type
    times: int = None

    kind = 'driver'

    @property
    def where(self):
        once = {None: '', 1: '-once'}.get(self.times, f'-{self.times}x')
        return f'{self.step}{once}@{self.host}'

    def driver_for(self, host):
        return self.driver if host == self.host else None

    def on(self, host):
        return dataclasses.replace(self, host=host)

    def fixture(self, test):
        return _DriverInjection(self, test)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Crash(DriverFault):
    """``host`` dies in ``step``: its driver raises ``drivers.HostCrash``.

    No Nova error handler runs; the row then restarts the host (or leaves
    it down) and shows what Nova recovers.
    """

    kind = 'crash'

    @property
    def where(self):
        return f'crash-in-{self.step}@{self.host}'


class _DriverInjection(faults.Injection):
    """Reads, at the end of the row, what the host's driver noted."""

    def arm(self):
        if self.fault.times is not None:
            self._driver().fail_times = self.fault.times

    def _driver(self):
        return self.test.computes[self.fault.host].manager.driver

    @property
    def fired(self):
        return list(getattr(self._driver(), 'raised', ()))
