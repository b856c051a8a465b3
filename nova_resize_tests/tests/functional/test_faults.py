"""The boundary faults against the real cloud, and the engine's fired check.

A Placement conflict is the real app's own answer, so it is proved here,
on the real app; an RPC message held on the real bus stops a real move
until it is released. Each test fails if its fixture is switched off.
"""

import testtools

from nova_resize_tests import base
from nova_resize_tests.faults import placement
from nova_resize_tests.faults import rpc
from nova_resize_tests import scenarios
from nova_resize_tests.tests.functional import test_moves

SOURCE, DEST = base.SOURCE, base.DEST


class BoundaryFaultsTestCase(base.ResizeTestCase):

    def setUp(self):
        super().setUp()
        self.start_host(SOURCE)
        self.start_host(DEST)
        self.server_id = self.boot_on(SOURCE)['id']

    def rewrite_allocations(self):
        """PUT the server's allocations as they are, with its generation."""
        url = f'/allocations/{self.server_id}'
        current = self.placement.get(url, version=placement.MICROVERSION).body
        return self.placement.put(url, placement.same_allocations(current),
                                  version=placement.MICROVERSION)

    def test_conflict_is_placements_own_answer(self):
        fault = placement.PlacementError(call='claim', answer='conflict',
                                         sender='test', how='test')
        injection = self.useFixture(fault.fixture(self))
        self.assertEqual(204, self.rewrite_allocations().status)
        injection.step_begins('move')
        response = self.rewrite_allocations()
        self.assertEqual(409, response.status)
        error = response.body['errors'][0]
        self.assertEqual('placement.concurrent_update', error['code'])
        self.assertIn('consumer generation conflict', error['detail'])
        self.assertEqual(1, len(injection.fired))
        # Only the selected occurrence: the next write goes through.
        self.assertEqual(204, self.rewrite_allocations().status)

    def test_held_message_stops_the_move_until_released(self):
        fault = rpc.RpcFault(method='prep_resize', what='hold', host=DEST,
                             how='test')
        injection = self.useFixture(fault.fixture(self))
        injection.step_begins('move')
        self.api.post_server_action(
            self.server_id, {'resize': {'flavorRef': self.flavor_ids['new']}})
        self.wait_for_event(self.server_id, 'resize',
                            'conductor_migrate_server', 'success')
        self.assertEqual(['cast prep_resize to dest held'], injection.fired)
        self.assertEqual('pre-migrating',
                         self.migrations(self.server_id)[-1]['status'])
        injection.step_begins(rpc.RELEASE)
        # Not the migration's 'finished': the destination marks it so a
        # moment before the server's VERIFY_RESIZE, and a confirm in
        # between is refused.
        self.wait_for_server_status(self.server_id, 'VERIFY_RESIZE')
        self.api.post_server_action(self.server_id, {'confirmResize': None})
        # The migration is marked confirmed before its allocation goes:
        # the event ends after both.
        self.wait_for_event(self.server_id, 'confirmResize',
                            'compute_confirm_resize', 'success')


class EngineTestCase(testtools.TestCase):
    """The engine's own checks, each on a planted row.

    A row whose fault matched nothing Nova did fails, and so does one that
    leaves a host down for the audit.
    """

    def run_row(self, row):
        case = test_moves.MoveScenarioTestCase('test_move')
        case.row = row
        result = testtools.TestResult()
        case.run(result)
        return result

    def test_row_that_leaves_a_host_down_fails(self):
        verify = scenarios.moved(scenarios.RESIZE, scenarios.DEST,
                                 scenarios.NEW)[0]
        row = scenarios.Row(scenarios.RESIZE, None, (
            verify, scenarios.Step('down-dest', verify.expect)))
        result = self.run_row(row)
        self.assertEqual(1, len(result.failures), result.errors)
        self.assertIn('hosts still down at the end: dest',
                      result.failures[0][1])

    def test_row_whose_fault_never_fires_fails(self):
        # Armed on the move, but a successful resize never deletes the
        # instance's allocations: the fault cannot fire.
        never = placement.PlacementError(
            call='delete-instance', answer='503', sender='source',
            how='never fires')
        verify = scenarios.moved(scenarios.RESIZE, scenarios.DEST,
                                 scenarios.NEW)[0]
        result = self.run_row(scenarios.Row(scenarios.RESIZE, never,
                                            (verify,)))
        self.assertEqual(1, len(result.failures), result.errors)
        self.assertIn('never fired', result.failures[0][1])
