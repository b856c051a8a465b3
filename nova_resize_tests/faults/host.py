"""Faults of the host kind: a compute service is turned off through the API.

A disabled service is one the scheduler never picks, so a move whose only
candidate is disabled ends in NoValidHost, as when an operator takes the
host out of service.
"""

import dataclasses

from nova_resize_tests import faults


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisabledHost(faults.Fault):
    """``host``'s nova-compute is disabled when the armed step begins."""

    host: str
    step: str = 'scheduling'

    kind = 'host'

    @property
    def where(self):
        return f'{self.step}@{self.host}'

    def on(self, host):
        return dataclasses.replace(self, host=host)

    def fixture(self, test):
        return _Disabled(self, test)


class _Disabled(faults.Injection):

    def arm(self):
        api = self.test.admin_api
        service = api.get_services(host=self.fault.host,
                                   binary='nova-compute')[0]
        api.put_service(service['id'], {'status': 'disabled'})
        # Fired once the API reports it off, which is what the scheduler
        # reads.
        status = api.get_services(host=self.fault.host,
                                  binary='nova-compute')[0]['status']
        if status == 'disabled':
            self.record(f'nova-compute on {self.fault.host} disabled')
