"""The suite's own fixtures, on planted faults."""

import gc
import io
import logging
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import weakref

import fixtures
import oslo_messaging
import sqlalchemy
import testtools

from nova_resize_tests import fixtures as nrt_fixtures


class TestNoNetwork(testtools.TestCase):

    def test_tcp_connection_fails_at_once_naming_the_address(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        # Loopback and a closed port: harmless even if the fixture broke.
        error = self.assertRaises(
            nrt_fixtures.NetworkAttempt, socket.create_connection,
            ('127.0.0.1', 9), 1)
        self.assertIn("('127.0.0.1', 9)", str(error))

    def test_connect_ex_is_refused_too(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        with socket.socket() as sock:
            self.assertRaises(nrt_fixtures.NetworkAttempt, sock.connect_ex,
                              ('127.0.0.1', 9))

    def test_unix_sockets_still_work(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        left, right = socket.socketpair()
        with left, right:
            left.sendall(b'x')
            self.assertEqual(b'x', right.recv(1))

    def test_connections_allowed_again_after_the_fixture(self):
        with nrt_fixtures.NoNetwork():
            pass
        with socket.socket() as sock:
            # ECONNREFUSED from the closed port, not NetworkAttempt.
            self.assertNotEqual(0, sock.connect_ex(('127.0.0.1', 9)))


class TestPromptMessageBus(testtools.TestCase):
    """A paused listener of the fake bus wakes when there is work."""

    def setUp(self):
        super().setUp()
        from oslo_messaging._drivers import impl_fake
        self.impl_fake = impl_fake
        self.exchange = impl_fake.FakeExchange('nova')

    def pause_in_background(self):
        """Start the driver's pause for a minute in a thread."""
        sleeper = threading.Thread(target=self.impl_fake.time.sleep,
                                   args=(60,), daemon=True)
        sleeper.start()
        return sleeper

    def assertWakes(self, sleeper, poke):
        # Poke until the thread is seen waking: a poke that comes before the
        # thread starts waiting is lost, as in the driver.
        deadline = time.monotonic() + 10
        while sleeper.is_alive() and time.monotonic() < deadline:
            poke()
            sleeper.join(0.05)
        self.assertFalse(sleeper.is_alive(),
                         'the pause did not end within 10 s')

    def test_delivered_message_ends_the_pause(self):
        self.useFixture(nrt_fixtures.PromptMessageBus())
        sleeper = self.pause_in_background()
        self.assertWakes(sleeper, lambda: self.exchange.deliver_message(
            'compute', {}, {'method': 'ping'}, server='source'))
        # The message itself went where the driver puts it.
        self.assertEqual('ping', self.exchange.poll(
            oslo_messaging.Target(topic='compute', server='source'),
            None)[1]['method'])

    def test_stopped_listener_ends_the_pause(self):
        self.useFixture(nrt_fixtures.PromptMessageBus())
        listener = self.impl_fake.FakeListener(
            self.impl_fake.FakeExchangeManager('nova'),
            [oslo_messaging.Target(topic='compute', server='source')])
        sleeper = self.pause_in_background()
        self.assertWakes(sleeper, listener.stop)

    def test_the_driver_is_restored_afterwards(self):
        deliver = self.impl_fake.FakeExchange.deliver_message
        stop = self.impl_fake.FakeListener.stop
        with nrt_fixtures.PromptMessageBus():
            self.assertIsNot(time, self.impl_fake.time)
        self.assertIs(time, self.impl_fake.time)
        self.assertIs(deliver, self.impl_fake.FakeExchange.deliver_message)
        self.assertIs(stop, self.impl_fake.FakeListener.stop)


class TestActionEventBell(testtools.TestCase):
    """A paused wait ends when Nova records the end of an event."""

    def setUp(self):
        super().setUp()
        from nova.db.main import api as db_api
        self.db_api = db_api
        self.calls = []

        # Stands in for the database below the bell: no Nova DB here.
        def recorded(context, values):
            self.calls.append(values)
            if values.get('fail'):
                raise ValueError('the database said no')
            return 'event row'

        self.useFixture(fixtures.MonkeyPatch(
            'nova.db.main.api.action_event_finish', recorded))

    def test_finished_event_ends_the_pause(self):
        bell = self.useFixture(nrt_fixtures.ActionEventBell())
        sleeper = threading.Thread(target=bell.pause, args=(60,),
                                   daemon=True)
        sleeper.start()
        # Ring until the thread is seen waking: a ring that comes before
        # the thread starts waiting is lost, as a wait's would be.
        deadline = time.monotonic() + 10
        while sleeper.is_alive() and time.monotonic() < deadline:
            self.db_api.action_event_finish(None, {'event': 'x'})
            sleeper.join(0.05)
        self.assertFalse(sleeper.is_alive(),
                         'the pause did not end within 10 s')

    def test_rings_are_counted_per_server_and_event(self):
        bell = self.useFixture(nrt_fixtures.ActionEventBell())
        finish = self.db_api.action_event_finish
        finish(None, {'instance_uuid': 'a', 'event': 'x'})
        finish(None, {'instance_uuid': 'a', 'event': 'x'})
        finish(None, {'instance_uuid': 'b', 'event': 'x'})
        self.assertRaises(ValueError, finish, None, {
            'instance_uuid': 'a', 'event': 'y', 'fail': True})
        self.assertEqual(
            (2, 1, 1, 0),
            (bell.rings('a', 'x'), bell.rings('b', 'x'), bell.rings('a', 'y'),
             bell.rings('b', 'y')))

    def test_the_call_itself_is_unchanged(self):
        self.useFixture(nrt_fixtures.ActionEventBell())
        self.assertEqual('event row', self.db_api.action_event_finish(
            None, {'event': 'x'}))
        self.assertRaises(ValueError, self.db_api.action_event_finish,
                          None, {'fail': True})
        self.assertEqual([{'event': 'x'}, {'fail': True}], self.calls)

    def test_the_database_api_is_restored_afterwards(self):
        before = self.db_api.action_event_finish
        with nrt_fixtures.ActionEventBell():
            self.assertIsNot(before, self.db_api.action_event_finish)
        self.assertIs(before, self.db_api.action_event_finish)


class Cycle:
    """An object that only the cycle collector can free."""

    def __init__(self):
        self.me = self


class TestCalmGarbageCollector(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Only the fixture may collect: nothing is freed by chance.
        gc.disable()
        self.addCleanup(gc.enable)

    def already_frozen(self, frozen):
        self.useFixture(fixtures.MonkeyPatch(
            'nova_resize_tests.fixtures.CalmGarbageCollector._frozen',
            frozen))

    def test_threshold_raised_during_the_test_and_restored(self):
        self.already_frozen(True)
        before = gc.get_threshold()
        with nrt_fixtures.CalmGarbageCollector():
            self.assertEqual(
                (nrt_fixtures.CalmGarbageCollector.YOUNG_THRESHOLD,)
                + before[1:], gc.get_threshold())
        self.assertEqual(before, gc.get_threshold())

    def test_every_test_ends_by_collecting_its_garbage(self):
        self.already_frozen(True)
        with nrt_fixtures.CalmGarbageCollector():
            garbage = weakref.ref(Cycle())
        self.assertIsNone(garbage(), 'the test left its garbage behind')

    def test_first_use_collects_garbage_then_freezes_the_survivors(self):
        self.already_frozen(False)
        self.addCleanup(gc.unfreeze)
        with nrt_fixtures.CalmGarbageCollector():
            garbage = weakref.ref(Cycle())
            survivor = Cycle()
        self.assertIsNone(garbage(), 'garbage was frozen, not collected')
        self.assertGreater(gc.get_freeze_count(), 0)
        self.assertTrue(nrt_fixtures.CalmGarbageCollector._frozen)
        del survivor


class TestSqliteFilesHeldOpen(testtools.TestCase):
    """The write-ahead log of a file database survives its connections."""

    def setUp(self):
        super().setUp()
        self.path = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'cell1.sqlite')
        setup = sqlite3.connect(self.path)
        setup.execute('PRAGMA journal_mode=WAL')
        setup.execute('CREATE TABLE instances (id INTEGER)')
        setup.close()
        # A new connection for every use, as oslo.db does for SQLite files.
        self.engine = sqlalchemy.create_engine(
            f'sqlite:///{self.path}', poolclass=sqlalchemy.pool.NullPool)
        self.addCleanup(self.engine.dispose)

    def write_once(self):
        with self.engine.begin() as connection:
            connection.execute(sqlalchemy.text(
                'INSERT INTO instances VALUES (1)'))

    def test_without_it_the_last_close_removes_the_log(self):
        # The premise the fixture exists for.
        self.write_once()
        self.assertFalse(os.path.exists(self.path + '-wal'))

    def test_log_kept_while_the_fixture_holds_the_file(self):
        held = self.useFixture(nrt_fixtures.SqliteFilesHeldOpen())
        self.write_once()
        self.assertEqual([self.path], list(held.held))
        self.assertTrue(os.path.exists(self.path + '-wal'))

    def test_in_memory_databases_are_left_alone(self):
        held = self.useFixture(nrt_fixtures.SqliteFilesHeldOpen())
        memory = sqlalchemy.create_engine('sqlite://')
        self.addCleanup(memory.dispose)
        with memory.connect() as connection:
            connection.execute(sqlalchemy.text('SELECT 1'))
        self.assertEqual({}, held.held)

    def test_released_and_no_longer_listening_afterwards(self):
        with nrt_fixtures.SqliteFilesHeldOpen() as held:
            self.write_once()
        self.assertEqual({}, held.held)
        self.write_once()
        self.assertEqual({}, held.held)
        self.assertFalse(os.path.exists(self.path + '-wal'))


class TestLogsAfterCapture(testtools.TestCase):
    """A line logged after Nova's capture ended stays in the test."""

    def test_cleanup_log_goes_to_the_details_not_the_console(self):
        class StopsServicesAfterCapture(testtools.TestCase):
            def setUp(self):
                super().setUp()
                self.useFixture(nrt_fixtures.LogsAfterCapture())
                # Registered before the capture, so run after it ended,
                # as Nova's thread pool shutdown is.
                self.addCleanup(logging.getLogger('nova.stand_in').info,
                                'The thread pool %s is shutdown', 'x')
                # What Nova's StandardLogging does during a test.
                self.useFixture(fixtures.FakeLogger())

            def test_it(self):
                logging.getLogger('nova.stand_in').info('during the test')

        # The handler nova.test's import gives the root logger.
        console = io.StringIO()
        self.useFixture(fixtures.LogHandler(
            logging.StreamHandler(console), level=logging.INFO,
            nuke_handlers=True))
        test = StopsServicesAfterCapture('test_it')
        result = testtools.TestResult()
        test.run(result)
        self.assertTrue(result.wasSuccessful(), result.errors)
        self.assertEqual('', console.getvalue())
        outside = test.getDetails()['pythonlogging:outside-capture']
        self.assertIn('INFO [nova.stand_in] The thread pool x is shutdown',
                      outside.as_text())
        self.assertNotIn('during the test', outside.as_text())
        logging.getLogger('nova.stand_in').info('after the test')
        self.assertEqual('after the test\n', console.getvalue())


# What a test process does: a root handler on the real stderr (importing
# nova.test gives it one on stdout), then a test whose cleanup logs after
# the capture ended.
CLEANUP_LOGS_IN_A_PROCESS = """
import logging
import sys

import fixtures
import testtools

from nova_resize_tests import fixtures as nrt_fixtures

logging.basicConfig(stream=sys.stderr, level=logging.INFO)


class Case(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(nrt_fixtures.LogsAfterCapture())
        self.addCleanup(logging.getLogger('nova.stand_in').info,
                        'The thread pool x is shutdown')
        self.useFixture(fixtures.FakeLogger())

    def test_it(self):
        pass


case = Case('test_it')
case.run(testtools.TestResult())
print(case.getDetails()['pythonlogging:outside-capture'].as_text())
"""


class TestLogsAfterCaptureInAProcess(testtools.TestCase):

    def test_cleanup_log_stays_off_the_real_stderr(self):
        done = subprocess.run(
            [sys.executable, '-c', CLEANUP_LOGS_IN_A_PROCESS],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertNotIn('is shutdown', done.stderr)
        self.assertIn('INFO [nova.stand_in] The thread pool x is shutdown',
                      done.stdout)
