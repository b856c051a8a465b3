"""Runs every row of :mod:`nova_resize_tests.scenarios`.

The engine performs the row's actions and compares what Nova left with what
the row expects; what is right is decided in the table, never here.
"""

import re

import testscenarios
import testtools

from nova_resize_tests import base
from nova_resize_tests import scenarios

load_tests = testscenarios.load_tests_apply_scenarios

# How each action is requested, and the instance action event whose end
# means Nova finished with it when no fault is injected in it.
REQUESTS = {
    scenarios.RESIZE: lambda t: {'resize': {'flavorRef': t.flavor_ids['new']}},
    scenarios.SAME_HOST: lambda t: {
        'resize': {'flavorRef': t.flavor_ids['new']}},
    scenarios.MIGRATE: lambda t: {'migrate': None},
    'confirm': lambda t: {'confirmResize': None},
    'revert': lambda t: {'revertResize': None},
    'hard-reboot': lambda t: {'reboot': {'type': 'HARD'}},
}
ENDS_WITH = {
    scenarios.RESIZE: ('resize', 'compute_finish_resize'),
    scenarios.SAME_HOST: ('resize', 'compute_finish_resize'),
    scenarios.MIGRATE: ('migrate', 'compute_finish_resize'),
    'confirm': ('confirmResize', 'compute_confirm_resize'),
    'revert': ('revertResize', 'compute_finish_revert_resize'),
    'hard-reboot': ('reboot', 'compute_reboot_instance'),
    'delete': ('delete', 'compute_terminate_instance'),
}


class MoveScenarioTestCase(base.ResizeTestCase):
    """One test per row: ``test_move(<operation>,fail=<step>@<host>,...)``."""

    scenarios = scenarios.as_testscenarios()

    def setUp(self):
        super().setUp()
        # For a row with a known leak: which differences are that leak, and
        # the ones seen so far.
        self.tolerated = None
        self.leaks_seen = []
        if self.row.operation == scenarios.SAME_HOST:
            self.flags(allow_resize_to_same_host=True)

    def start_hosts(self):
        fault = self.row.fault
        for host in self.row.hosts:
            driver = 'fake.FakeDriver'
            if fault and fault.host == host and fault.driver:
                driver = fault.driver
            self.start_host(host, driver)

    def inject(self, fault):
        """A fault that is not a driver: the host's compute service is off."""
        if fault.disable_host:
            service = self.admin_api.get_services(
                host=fault.host, binary='nova-compute')[0]
            self.admin_api.put_service(service['id'], {'status': 'disabled'})

    def act(self, step, server_id):
        fault = self.row.fault
        action = 'move' if step.action in scenarios.OPERATIONS else step.action
        instance_action, event = ENDS_WITH[step.action]
        result = 'success'
        if fault and fault.action == action:
            event, result = fault.event, 'error'
        if step.ends_with:
            event, result = step.ends_with
        if step.action == 'delete':
            self.api.delete_server(server_id)
        else:
            if fault and fault.action == action == 'move':
                self.inject(fault)
            self.api.post_server_action(server_id,
                                        REQUESTS[step.action](self))
        self.wait_for_event(server_id, instance_action, event, result)

    def check(self, step, server_id):
        expect = step.expect
        label = step.action
        seen = {}
        if expect.migration:
            seen['migrations'] = self.wait_for_migration_status(
                server_id, expect.migration)
        if expect.server == scenarios.DELETED:
            seen['server'] = self.wait_until_deleted(server_id)
        else:
            server = seen['server'] = self.wait_for_server_status(
                server_id, expect.server)
            self.expectThat(server['OS-EXT-SRV-ATTR:host'],
                            testtools.matchers.Equals(expect.host),
                            f'host of the server after {label}')
            if expect.fault:
                self.expectThat(server['fault']['message'],
                                testtools.matchers.Contains(expect.fault))
        leaked = self.assert_allocations(label, server_id, expect.allocations,
                                         self.tolerated, **seen)
        if leaked:
            self.leaks_seen.append(f'after {label}: {leaked}')

    def test_move(self):
        if self.row.known_audit_finding:
            self.audit.expect_finding(*self.row.known_audit_finding)
        leak = self.row.known_leak
        if not leak:
            self.run_row()
            return
        self.audit.expect_finding(leak.reason, leak.audit)
        self.tolerated = re.compile(leak.allocations)
        self.run_row()
        if not self.leaks_seen:
            self.fail(f'the known leak did not show ({leak.reason}): if '
                      'Nova fixed it, drop known_leak from the row')
        self.expectFailure(leak.reason, self.fail, '\n'.join(self.leaks_seen))

    def run_row(self):
        self.start_hosts()
        server = self.boot_on(scenarios.SOURCE)
        server_id = server['id']
        self.assert_allocations('boot', server_id, scenarios.held(
            (scenarios.SOURCE, 'instance', scenarios.OLD)), server=server)
        for step in self.row.steps:
            self.act(step, server_id)
            self.check(step, server_id)
