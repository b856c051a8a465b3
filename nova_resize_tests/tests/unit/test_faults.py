"""The fault kinds, each on a planted request or message.

Every test arms a fault, sends what it selects and checks that the fault
took effect and recorded that it fired; with the fault switched off (not
armed) the same request or message goes through untouched, so a fixture
that silently stopped injecting would fail here.
"""

import io
import json
import queue
import types

import oslo_messaging
from oslo_messaging._drivers import impl_fake
import testtools
import webob
import wsgi_intercept

from nova_resize_tests import faults
from nova_resize_tests.faults import both
from nova_resize_tests.faults import placement
from nova_resize_tests.faults import rpc

SERVER = '11111111-1111-1111-1111-111111111111'
MIGRATION = '22222222-2222-2222-2222-222222222222'


class TestRpcFaults(testtools.TestCase):
    """Each RPC fault on the fake bus, with no Nova service running."""

    def setUp(self):
        super().setUp()
        self.exchange = impl_fake.FakeExchange('nova')
        self.exchange.ensure_queue(
            oslo_messaging.Target(topic='compute', server='dest'), None)

    def install(self, what, method='prep_resize', host='dest', **kwargs):
        fault = rpc.RpcFault(method=method, what=what, host=host,
                             how='test', **kwargs)
        return self.useFixture(fault.fixture(test=None))

    def send(self, method='prep_resize', server='dest', reply_q=None):
        self.exchange.deliver_message('compute', {}, {'method': method},
                                      server=server, reply_q=reply_q)

    def queued(self, server='dest'):
        return [message['method'] for _, message, _, _ in
                self.exchange._get_server_queue('compute', server)]

    def test_unarmed_fault_passes_everything(self):
        injection = self.install('drop')
        self.send()
        self.assertEqual(['prep_resize'], self.queued())
        self.assertEqual([], injection.fired)
        self.assertEqual(1, len(injection.missed()))
        self.assertIn('never fired', injection.missed()[0])

    def test_drop_loses_the_selected_cast_only(self):
        injection = self.install('drop')
        injection.step_begins('move')
        self.send('resize_instance')
        self.send(server='alternate')
        self.send()
        self.send()
        self.assertEqual(['resize_instance', 'prep_resize'], self.queued())
        self.assertEqual(['prep_resize'], self.queued('alternate'))
        self.assertEqual(['cast prep_resize to dest lost'], injection.fired)
        self.assertEqual([], injection.missed())

    def test_refuse_raises_to_the_sender(self):
        injection = self.install('refuse')
        injection.step_begins('move')
        self.assertRaises(oslo_messaging.MessageDeliveryFailure, self.send)
        self.assertEqual([], self.queued())
        self.assertEqual(['cast prep_resize to dest refused'], injection.fired)

    def test_timeout_answers_a_call_at_once(self):
        injection = self.install('timeout', method='select_destinations',
                                 host=None, service='scheduler')
        injection.step_begins('move')
        reply = queue.Queue()
        self.send('select_destinations', server=None, reply_q=reply)
        answer, failure = reply.get_nowait()
        self.assertIsInstance(failure, oslo_messaging.MessagingTimeout)
        self.assertEqual(['call select_destinations to compute timed out'],
                         injection.fired)

    def test_occurrence_picks_the_nth_message(self):
        injection = self.install('drop', occurrence=2)
        injection.step_begins('move')
        self.send()
        self.send()
        self.send()
        self.assertEqual(['prep_resize', 'prep_resize'], self.queued())
        self.assertEqual(1, len(injection.fired))

    def test_hold_delivers_at_release(self):
        injection = self.install('hold')
        injection.step_begins('move')
        self.send()
        self.assertEqual([], self.queued())
        injection.step_begins(rpc.RELEASE)
        self.assertEqual(['prep_resize'], self.queued())
        self.assertEqual(['cast prep_resize to dest held'], injection.fired)

    def test_arms_on_its_own_step_only(self):
        injection = self.install('drop', action='confirm')
        injection.step_begins('move')
        self.send()
        self.assertEqual(['prep_resize'], self.queued())
        self.assertEqual([], injection.fired)

    def test_names_read_like_the_test_id(self):
        self.assertEqual('rpc-drop:prep_resize@dest', rpc.RpcFault(
            method='prep_resize', what='drop', host='dest', how='').where)
        self.assertEqual('rpc-timeout:migrate_server#2@conductor',
                         rpc.RpcFault(method='migrate_server', what='timeout',
                                      service='conductor', occurrence=2,
                                      how='').where)

    def test_unknown_kind_of_rpc_fault_is_refused(self):
        self.assertRaises(ValueError, rpc.RpcFault, method='x', what='lose',
                          how='')


class TestPlacementErrors(testtools.TestCase):
    """The Placement wrapper in front of a stand-in WSGI app."""

    def setUp(self):
        super().setUp()
        self.reached = []
        self.key = ('placement.test', 80)
        wsgi_intercept._wsgi_intercept[self.key] = (
            lambda: self.app, '/placement')
        self.addCleanup(wsgi_intercept._wsgi_intercept.pop, self.key)
        self.test = types.SimpleNamespace(
            placement=types.SimpleNamespace(fixture=types.SimpleNamespace(
                endpoint='http://placement.test/placement')),
            consumer_role=lambda uuid: (
                'instance' if uuid == SERVER else 'migration'))

    def app(self, environ, start_response):
        self.reached.append((environ['REQUEST_METHOD'],
                             environ['PATH_INFO'],
                             environ['wsgi.input'].read()))
        start_response('204 No Content', [])
        return [b'']

    def install(self, call, answer='503'):
        fault = placement.PlacementError(call=call, answer=answer,
                                         sender='test', how='test')
        return self.useFixture(fault.fixture(self.test))

    def request(self, method, path, body=None):
        factory, _ = wsgi_intercept._wsgi_intercept[self.key]
        data = json.dumps(body).encode() if body is not None else b''
        request = webob.Request.blank(path, method=method,
                                      body=data or None)
        request.environ['wsgi.input'] = io.BytesIO(data)
        return request.get_response(factory())

    @staticmethod
    def move(to_migration=True):
        given = {'rp': {'resources': {'VCPU': 1}}}
        source, target = (SERVER, MIGRATION) if to_migration else (
            MIGRATION, SERVER)
        return {source: {'allocations': {}, 'consumer_generation': 1},
                target: {'allocations': given,
                         'consumer_generation': None}}

    def test_selected_write_gets_placements_error_format(self):
        injection = self.install('move-to-migration')
        injection.step_begins('move')
        response = self.request('POST', '/allocations', self.move())
        self.assertEqual(503, response.status_int)
        error = response.json['errors'][0]
        self.assertEqual(503, error['status'])
        self.assertEqual('placement.undefined_code', error['code'])
        self.assertEqual([], self.reached)
        self.assertEqual(['POST /allocations answered 503'], injection.fired)

    def test_unarmed_or_unselected_requests_reach_the_app_unchanged(self):
        injection = self.install('move-to-migration')
        self.request('POST', '/allocations', self.move())
        injection.step_begins('move')
        self.request('POST', '/allocations', self.move(to_migration=False))
        self.request('GET', f'/allocations/{SERVER}')
        self.assertEqual(3, len(self.reached))
        self.assertEqual(json.dumps(self.move()).encode(),
                         self.reached[0][2])
        self.assertEqual([], injection.fired)

    def test_put_and_delete_select_by_consumer_role(self):
        drop = self.install('drop-migration', answer='500')
        drop.step_begins('move')
        self.assertEqual(204, self.request(
            'PUT', f'/allocations/{SERVER}', {'allocations': {}}).status_int)
        self.assertEqual(204, self.request(
            'PUT', f'/allocations/{MIGRATION}',
            {'allocations': {'rp': {}}}).status_int)
        self.assertEqual(500, self.request(
            'PUT', f'/allocations/{MIGRATION}',
            {'allocations': {}}).status_int)
        self.assertEqual(1, len(drop.fired))

    def test_occurrence_and_name(self):
        fault = placement.PlacementError(call='claim', answer='503',
                                         sender='scheduler', occurrence=2,
                                         how='')
        self.assertEqual('placement-503:claim#2@scheduler', fault.where)
        self.assertRaises(ValueError, placement.PlacementError, call='nope',
                          answer='503', sender='x', how='')


class TestCombinedFaults(testtools.TestCase):

    class Noted(faults.Fault):
        kind = 'noted'

        @property
        def where(self):
            return 'noted'

        def fixture(self, test):
            return faults.Injection(self, test)

    def test_both_parts_must_fire(self):
        first = self.Noted(how='first', action='move')
        then = self.Noted(how='then', action='revert')
        injection = self.useFixture(both.Both.of(first, then).fixture(None))
        injection.step_begins('move')
        first_part, then_part = injection.each
        self.assertTrue(first_part.armed)
        self.assertFalse(then_part.armed)
        first_part.record('fired')
        self.assertEqual(1, len(injection.missed()))
        injection.step_begins('revert')
        then_part.record('fired')
        self.assertEqual([], injection.missed())

    def test_name_joins_the_parts(self):
        fault = both.Both.of(
            rpc.RpcFault(method='m', what='drop', host='dest', how=''),
            placement.PlacementError(call='claim', answer='503',
                                     sender='scheduler', how=''))
        self.assertEqual('rpc-drop:m@dest+placement-503:claim@scheduler',
                         fault.where)


class TestDriverFaults(testtools.TestCase):
    """The driver kind: raising drivers, crashes, and faults that go away."""

    def driver_of(self, fault):
        """A planted host: the fault's driver, as the engine would reach it."""
        driver = fault.driver(virtapi=None)
        host = types.SimpleNamespace(
            manager=types.SimpleNamespace(driver=driver))
        test = types.SimpleNamespace(computes={fault.host: host})
        return driver, self.useFixture(fault.fixture(test))

    def test_crash_escapes_nova_s_except_exception(self):
        from nova_resize_tests import drivers
        from nova_resize_tests.faults import driver as driver_faults
        fault = driver_faults.Crash(
            step='finish_migration', host='dest', how='test',
            driver=drivers.CrashesInFinishMigration)
        driver, injection = self.driver_of(fault)
        self.assertEqual([], injection.fired)
        self.assertEqual(1, len(injection.missed()))
        try:
            driver.finish_migration()
        except Exception:
            self.fail('a crash was caught by except Exception')
        except drivers.HostCrash:
            pass
        self.assertThat(injection.fired, testtools.matchers.HasLength(1))
        self.assertEqual([], injection.missed())
        self.assertEqual('crash-in-finish_migration@dest', fault.where)

    def test_fault_with_times_goes_away(self):
        from nova_resize_tests import drivers
        from nova_resize_tests.faults import driver as driver_faults
        fault = driver_faults.DriverFault(
            step='prep_resize', host='dest', how='test', times=1,
            driver=drivers.FailsPrepResize)
        self.assertEqual('prep_resize-once@dest', fault.where)
        driver, injection = self.driver_of(fault)
        injection.step_begins('move')
        self.assertRaises(drivers.InjectedFault, driver.get_host_ip_addr)
        # Mended: Nova's own fake answers from now on.
        self.assertIsNotNone(driver.get_host_ip_addr())
        self.assertThat(injection.fired, testtools.matchers.HasLength(1))

    def test_fault_without_times_never_goes_away(self):
        from nova_resize_tests import drivers
        from nova_resize_tests.faults import driver as driver_faults
        fault = driver_faults.DriverFault(
            step='prep_resize', host='dest', how='test',
            driver=drivers.FailsPrepResize)
        driver, injection = self.driver_of(fault)
        injection.step_begins('move')
        for _ in range(3):
            self.assertRaises(drivers.InjectedFault, driver.get_host_ip_addr)
        self.assertThat(injection.fired, testtools.matchers.HasLength(3))

    def test_spawn_fails_only_when_a_move_across_cells_finishes(self):
        from nova_resize_tests import drivers
        from nova_resize_tests.faults import driver as driver_faults
        fault = driver_faults.DriverFault(
            step='finish_snapshot_based_resize_at_dest', host='dest',
            how='test', driver=drivers.FailsSpawnWhileResizing)
        driver, injection = self.driver_of(fault)
        flavor = types.SimpleNamespace(vcpus=1, memory_mb=64, root_gb=1)
        booting = types.SimpleNamespace(task_state='spawning', uuid='booted',
                                        name='booted', flavor=flavor)
        driver.spawn(None, booting, None, [], None, None)
        self.assertIn('booted', driver.list_instance_uuids())
        self.assertEqual([], injection.fired)
        finishing = types.SimpleNamespace(task_state='resize_finish')
        self.assertRaises(drivers.InjectedFault, driver.spawn, None,
                          finishing, None, [], None, None)
        self.assertThat(injection.fired, testtools.matchers.HasLength(1))

    def test_snapshot_and_cleanup_faults_note_each_time(self):
        from nova_resize_tests import drivers
        from nova_resize_tests.faults import driver as driver_faults
        for driver_class, method in (
                (drivers.FailsSnapshotForResize, 'snapshot'),
                (drivers.FailsCleanupWhileConfirming, 'cleanup')):
            fault = driver_faults.DriverFault(
                step='x', host='source', how='test', driver=driver_class)
            driver, injection = self.driver_of(fault)
            self.assertRaises(drivers.InjectedFault,
                              getattr(driver, method), None, None, None, None)
            self.assertEqual(
                [f'{driver_class.__name__}.{method} failed on purpose'],
                injection.fired)
