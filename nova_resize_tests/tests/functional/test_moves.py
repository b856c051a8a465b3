"""Runs every row of :mod:`nova_resize_tests.scenarios`.

The engine performs the row's actions and compares what Nova left with what
the row expects; what is right is decided in the table, never here. It
installs the row's fault as a fixture, tells it when each step begins, and
fails the row if the fault never fired; what kind of fault it is stays the
fault's business.
"""

import re

import testscenarios
import testtools
from testtools import content

from nova_resize_tests import base
from nova_resize_tests import nova_adapter
from nova_resize_tests import scenarios

load_tests = testscenarios.load_tests_apply_scenarios

# How each action is requested, and the instance action event whose end
# means Nova finished with it when no fault is injected in it.
REQUESTS = {
    scenarios.RESIZE: lambda t: {'resize': {'flavorRef': t.new_flavor_id}},
    scenarios.SAME_HOST: lambda t: {'resize': {'flavorRef': t.new_flavor_id}},
    scenarios.MIGRATE: lambda t: {'migrate': None},
    scenarios.MIGRATE_TO: lambda t: {'migrate': {'host': scenarios.ALTERNATE}},
    'confirm': lambda t: {'confirmResize': None},
    'revert': lambda t: {'revertResize': None},
    'hard-reboot': lambda t: {'reboot': {'type': 'HARD'}},
    'stop': lambda t: {'os-stop': None},
    # An admin's answer to a server stuck in a move (no event: the API
    # writes the state itself).
    'reset-error': lambda t: {'os-resetState': {'state': 'error'}},
    'reset-active': lambda t: {'os-resetState': {'state': 'active'}},
}
# What an operator does to a compute host: ``<verb>-<host>``.
HOST_ACTIONS = {
    'restart': base.ResizeTestCase.restart_host,
    'down': base.ResizeTestCase.take_down,
}
ENDS_WITH = {
    scenarios.RESIZE: ('resize', 'compute_finish_resize'),
    scenarios.SAME_HOST: ('resize', 'compute_finish_resize'),
    scenarios.MIGRATE: ('migrate', 'compute_finish_resize'),
    scenarios.MIGRATE_TO: ('migrate', 'compute_finish_resize'),
    'confirm': ('confirmResize', 'compute_confirm_resize'),
    'auto-confirm': ('confirmResize', 'compute_confirm_resize'),
    'stop': ('stop', 'compute_stop_instance'),
    'revert': ('revertResize', 'compute_finish_revert_resize'),
    'hard-reboot': ('reboot', 'compute_reboot_instance'),
    'delete': ('delete', 'compute_terminate_instance'),
}


class MoveScenarioTestCase(base.ResizeTestCase):
    """One test per row: ``test_move(<operation>,fail=<fault>,then=...)``."""

    scenarios = scenarios.as_testscenarios()

    def setUp(self):
        # Nova's test case builds this many cells of hosts in its setUp.
        self.NUMBER_OF_CELLS = self.row.number_of_cells
        super().setUp()
        # For a row with a known leak: which differences are that leak, and
        # the ones seen so far.
        self.tolerated = None
        self.leaks_seen = []
        # The first step of the fault's action is the one it fails.
        self.fault_step_done = False
        self.injection = None
        if self.row.operation == scenarios.SAME_HOST:
            self.flags(allow_resize_to_same_host=True)
        for option, value, group in self.row.settings:
            self.flags(**{option: value}, group=group)

    @property
    def new_flavor_id(self):
        return self.flavor_ids[self.row.flavors[1].name]

    def start_hosts(self):
        for host in self.row.hosts:
            driver = self.row.fault and self.row.fault.driver_for(host)
            self.start_host(host, driver or 'fake.FakeDriver',
                            self.row.cell_of(host))

    def expected_end(self, step):
        """``(instance action, event, result)`` that ends ``step``."""
        fault = self.row.fault
        instance_action, event = ENDS_WITH.get(step.action, (None, None))
        result = 'success'
        if fault and fault.action == step.kind and not self.fault_step_done:
            self.fault_step_done = True
            if fault.event:
                event, result = fault.event, 'error'
        if step.ends_with:
            event, result = step.ends_with[:2]
            if len(step.ends_with) > 2:
                instance_action = step.ends_with[2]
        return instance_action, event, result

    def act(self, step, server_id):
        instance_action, event, result = self.expected_end(step)
        if self.injection:
            self.injection.step_begins(step.kind)
        verb, _, host = step.action.partition('-')
        try:
            if step.action == 'delete':
                self.api.delete_server(server_id)
            elif step.action == 'auto-confirm':
                self.auto_confirm(server_id)
            elif verb in HOST_ACTIONS:
                HOST_ACTIONS[verb](self, host)
            elif step.action in REQUESTS:
                self.api.post_server_action(server_id,
                                            REQUESTS[step.action](self))
        except nova_adapter.api_client.OpenStackApiException as error:
            if error.response.status_code != step.refused:
                raise
            return
        if step.refused:
            self.fail(f'the API accepted {step.action}; the row expects it '
                      f'to answer {step.refused}')
        if event:
            self.wait_for_event(server_id, instance_action, event, result)
        # Else no instance action event ends the step (a message to the
        # compute host was lost on the way): the check waits for the
        # migration status the API sets before it sends the message.

    def run_step(self, step, server_id):
        """Act, then check; a wait that times out says what Placement holds.

        Whether Nova never ended the step's event or never reached the
        state the row expects, the message compares Placement with the
        step's expectation, so it names the provider and consumer.
        """
        try:
            self.act(step, server_id)
            self.check_step(step, server_id)
        except self.failureException as waited:
            if not str(waited).startswith('waited '):
                raise
            # Nova never reached the state the row expects: say also what
            # Placement holds against the row's expectation now.
            try:
                self.assert_allocations(f'{step.action} (timed out)',
                                        server_id, step.expect.allocations)
                now = 'Placement holds what the row expects for this step'
            except testtools.matchers.MismatchError as mismatch:
                now = str(mismatch)
            raise self.failureException(f'{waited}\n{now}') from None

    def check_step(self, step, server_id):
        expect = step.expect
        label = step.action
        seen = {}
        if expect.migration:
            never_ended = tuple(finding.migration for finding
                                in self.row.findings if finding.migration)
            migrations = seen['migrations'] = self.wait_for_migration_status(
                server_id, expect.migration, or_status=never_ended)
            status = migrations[-1]['status']
            if status != expect.migration:
                self.leaks_seen.append(
                    f'after {label}: migration {migrations[-1]["uuid"]} left '
                    f'in status {status}, expected {expect.migration}')
        if expect.server == scenarios.DELETED:
            seen['server'] = self.wait_until_deleted(server_id)
        else:
            stuck = tuple((finding.status or expect.server, finding.task)
                          for finding in self.row.findings if finding.task)
            server = seen['server'] = self.wait_for_server_status(
                server_id, expect.server, expect.task, or_state=stuck)
            state = (server['status'], server['OS-EXT-STS:task_state'])
            if state != (expect.server, expect.task):
                self.leaks_seen.append(
                    f'after {label}: server {server_id} left in status '
                    f'{state[0]}, task state {state[1]}, expected '
                    f'{expect.server}, {expect.task}')
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
        known = self.row.findings
        if not known:
            self.run_row()
            return
        self.addDetail('known-finding', content.text_content(
            '\n'.join(finding.detail() for finding in known)))
        titles = '; '.join(finding.title for finding in known)
        leaks = [finding for finding in known if finding.leaks_in_steps]
        # A leak the steps see proves itself there; only a problem the
        # audit alone sees must show in the audit.
        self.audit.expect_finding(titles, '|'.join(
            f'(?:{finding.audit})' for finding in known),
            required=not leaks)
        if not leaks:
            self.run_row()
            return
        self.tolerated = re.compile('|'.join(
            f'(?:{finding.allocations})' for finding in leaks
            if finding.allocations) or '(?!)')
        self.run_row()
        if not self.leaks_seen:
            self.fail(f'the known leak did not show ({titles}): if Nova '
                      'fixed it, drop the finding from the row')
        self.expectFailure(titles, self.fail, '\n'.join(self.leaks_seen))

    def run_row(self):
        if self.row.fault:
            self.injection = self.useFixture(self.row.fault.fixture(self))
        self.start_hosts()
        booted_with = self.row.flavors[0]
        on_volume = self.row.server == scenarios.VOLUME
        server = self.boot_on(scenarios.SOURCE, booted_with,
                              volume_backed=on_volume)
        server_id = server['id']
        self.assert_allocations('boot', server_id, scenarios.held(
            (scenarios.SOURCE, 'instance', booted_with)), server=server)
        last = self.row.steps[-1].expect.migration
        self.audit.expect_unfinished(last)
        for step in self.row.steps:
            self.run_step(step, server_id)
        if self.injection:
            missed = self.injection.missed()
            if missed:
                self.fail('\n'.join(missed))
