"""Fixtures, one per concern, for the resize suite."""

import collections
import functools
import gc
import logging
import socket
import sqlite3
import threading
import time
import types

import fixtures
from oslo_config import cfg
import sqlalchemy

from nova_resize_tests import preflight

CONF = cfg.CONF
# Finding the file reads the installed nova's file list, a few hundredths of
# a second: once per process is enough.
_installed_api_paste_config = functools.lru_cache(maxsize=1)(
    preflight.api_paste_config)


class ApiPasteConfig(fixtures.Fixture):
    """Point ``[wsgi] api_paste_config`` at the file the installed Nova ships.

    Nova's own test configuration looks for ``etc/nova/api-paste.ini`` next
    to the ``nova`` package, which only exists in a source checkout. Must be
    used before the API fixture starts; an override survives Nova's
    ConfFixture, which only sets defaults.
    """

    def _setUp(self):
        self.path = _installed_api_paste_config()
        CONF.set_override('api_paste_config', self.path, group='wsgi')
        self.addCleanup(CONF.clear_override, 'api_paste_config',
                        group='wsgi')


class ComputeHost(fixtures.Fixture):
    """Start one nova-compute service whose virt driver is ``driver``.

    ``driver`` is a ``nova.virt.fake.FakeDriver`` subclass or a
    ``compute_driver`` string such as ``'fake.FakeDriver'``. Nova loads
    drivers by name from the ``nova.virt`` package, so a class of ours is
    made visible there for the length of the test. ``cell`` names the cell
    the host is mapped to (None: Nova's default cell).
    """

    def __init__(self, test, host, driver, cell=None):
        super().__init__()
        self.test = test
        self.host = host
        self.driver = driver
        self.cell = cell

    def _setUp(self):
        driver_name = self.driver
        if isinstance(self.driver, type):
            driver_name = 'fake.' + self.driver.__name__
            self.useFixture(fixtures.MonkeyPatch(
                'nova.virt.' + driver_name, self.driver))
        # compute_driver is read once, when the service starts.
        self.test.flags(compute_driver=driver_name)
        self.service = self.test._start_compute(self.host,
                                                cell_name=self.cell)


class NoNetwork(fixtures.Fixture):
    """Make any real socket connection fail at once, naming the address.

    The cloud lives in one process: Nova's API and Placement are served by
    wsgi-intercept without a socket, RPC is in-memory and the databases are
    in-memory SQLite. A connection attempt means something escaped the
    fakes; it must fail the test, not hang on a timeout or reach out.
    Unix sockets stay allowed.
    """

    def _setUp(self):
        def refuse(sock, address, *args, **kwargs):
            if sock.family == socket.AF_UNIX:
                return real_connect(sock, address, *args, **kwargs)
            raise NetworkAttempt(
                f'the test tried to open a real connection to {address!r}: '
                'everything must go through wsgi-intercept or the fakes')

        socket_class = socket.socket
        real_connect = socket_class.connect
        self.useFixture(fixtures.MonkeyPatch(
            f'{socket_class.__module__}.{socket_class.__qualname__}.connect',
            refuse))
        self.useFixture(fixtures.MonkeyPatch(
            f'{socket_class.__module__}.{socket_class.__qualname__}'
            '.connect_ex', refuse))


class NetworkAttempt(AssertionError):
    """Raised by :class:`NoNetwork` for a connection outside the fakes."""


class PromptMessageBus(fixtures.Fixture):
    """Wake the in-memory message bus's listeners when there is work.

    Nova's functional tests carry RPC over oslo.messaging's ``fake://``
    driver, whose listeners look at their queues every 50 ms. Every hop of a
    move (API to conductor, scheduler, one compute, the other) then waits
    25 ms on average, and stopping each service waits up to 50 ms for its
    listener to notice. A real broker pushes a message to its consumer at
    once; here a listener's pause ends as soon as a message is delivered or
    the listener is stopped. Queues, delivery order and the driver's code
    are unchanged: a listener that misses the signal still wakes after its
    usual 50 ms.
    """

    def _setUp(self):
        from oslo_messaging._drivers import impl_fake

        bell = threading.Condition()

        def ring():
            with bell:
                bell.notify_all()

        def pause(seconds):
            with bell:
                bell.wait(seconds)

        def ringing(method):
            @functools.wraps(method)
            def wrapper(*args, **kwargs):
                try:
                    return method(*args, **kwargs)
                finally:
                    ring()
            return wrapper

        self.useFixture(fixtures.MonkeyPatch(
            'oslo_messaging._drivers.impl_fake.time',
            types.SimpleNamespace(time=time.time, sleep=pause)))
        for owner, name in ((impl_fake.FakeExchange, 'deliver_message'),
                            (impl_fake.FakeListener, 'stop')):
            self.useFixture(fixtures.MonkeyPatch(
                f'{owner.__module__}.{owner.__qualname__}.{name}',
                ringing(getattr(owner, name))))


class ActionEventBell(fixtures.Fixture):
    """Wake a waiting test as soon as Nova finishes an instance action event.

    A compute or conductor method marks its event finished (success or
    error) as its very last step, after its own cleanup, and the test
    waits for exactly that. Here the database call that records the end of
    an event rings a bell once its transaction is committed: :meth:`pause`
    ends at the ring, and :meth:`rings` counts them per server and event,
    so a wait looks at the database again only when its own event may have
    ended. What Nova writes and when is unchanged; a wait that misses a
    ring still looks again after its usual interval.
    """

    def _setUp(self):
        from nova.db.main import api as db_api

        self._bell = threading.Condition()
        self._rings = collections.Counter()
        original = db_api.action_event_finish

        @functools.wraps(original)
        def finish_and_ring(context, values, *args, **kwargs):
            try:
                return original(context, values, *args, **kwargs)
            finally:
                with self._bell:
                    self._rings[values.get('instance_uuid'),
                                values.get('event')] += 1
                    self._bell.notify_all()

        self.useFixture(fixtures.MonkeyPatch(
            'nova.db.main.api.action_event_finish', finish_and_ring))

    def pause(self, seconds):
        """Sleep ``seconds`` or until the next event ends, if sooner."""
        with self._bell:
            self._bell.wait(seconds)

    def rings(self, server_id, event):
        """How many times Nova finished ``event`` of ``server_id`` so far."""
        with self._bell:
            return self._rings[server_id, event]


class CalmGarbageCollector(fixtures.Fixture):
    """Keep CPython's cycle collector from walking Nova's imports each time.

    Nova, Placement and their libraries leave over 400,000 objects that live
    as long as the process (modules, classes, SQLAlchemy metadata, API
    routes), and each full collection walks them all: 0.2 to 0.5 s, once or
    twice in every test, at moments no test chooses. Here the youngest
    generation is collected after ``YOUNG_THRESHOLD`` allocations instead of
    CPython's 700, so a full collection rarely falls inside a test, and each
    test ends with one full collection of its own garbage: memory stays flat
    and no test pays for another's. After the first test of a process, when
    everything is imported, the survivors of that collection are frozen
    (:func:`gc.freeze`), so later collections skip them. The thresholds are
    restored afterwards; nothing a test can observe changes but time.
    """

    YOUNG_THRESHOLD = 10000
    _frozen = False

    def _setUp(self):
        # Registered first, so it runs last: after the test dropped its
        # cloud.
        self.addCleanup(self._collect)
        thresholds = gc.get_threshold()
        self.addCleanup(gc.set_threshold, *thresholds)
        gc.set_threshold(self.YOUNG_THRESHOLD, *thresholds[1:])

    @classmethod
    def _collect(cls):
        gc.collect()
        if not cls._frozen:
            gc.freeze()
            cls._frozen = True


class SqliteFilesHeldOpen(fixtures.Fixture):
    """Hold a connection open to every SQLite file the test's cloud uses.

    In threading mode Nova's harness keeps each database in a temporary
    SQLite file in WAL mode, and oslo.db opens a new connection for every
    transaction. Each time the last connection to a file closes, SQLite
    checkpoints and deletes the write-ahead log, and the next connection
    rebuilds the log's index under an exclusive lock. A transaction that
    read first and writes second (Nova's event_start, for one) cannot wait
    for that lock and fails at once with "database is locked" (seen once in
    18 threading runs of the suite). One idle connection per file,
    held for the length of the test, keeps the log in place. In-memory
    databases (eventlet mode) are left alone.
    """

    def _setUp(self):
        self.held = {}
        guard = threading.Lock()

        def connected(dbapi_connection, connection_record):
            if not isinstance(dbapi_connection, sqlite3.Connection):
                return
            path = dbapi_connection.execute(
                'PRAGMA database_list').fetchone()[2]
            with guard:
                if not path or path in self.held:
                    return
                keeper = sqlite3.connect(path, check_same_thread=False)
                # Reading attaches it to the log; no transaction stays open.
                keeper.execute('SELECT count(*) FROM sqlite_master').fetchall()
                self.held[path] = keeper

        sqlalchemy.event.listen(sqlalchemy.pool.Pool, 'connect', connected)
        self.addCleanup(self._release)
        self.addCleanup(sqlalchemy.event.remove, sqlalchemy.pool.Pool,
                        'connect', connected)

    def _release(self):
        for keeper in self.held.values():
            keeper.close()
        self.held.clear()


class LogsAfterCapture(fixtures.Fixture):
    """Keep what Nova logs after its own log capture ended off the console.

    Importing ``nova.test`` runs oslo.log's setup, which gives the root
    logger a handler on the process's stdout. Nova's test base swaps that
    handler for its capture during a test, but removes the capture before
    the cleanup that shuts the services' thread pools down, so every test
    printed its "The thread pool ... is shutdown" lines to the console
    (about 430 lines a run). Used first in setUp, and so cleaned up last,
    this fixture stands in for the root logger's handlers for the whole
    test: whatever is logged at INFO or above outside Nova's capture goes
    to this test's ``pythonlogging:outside-capture`` detail.
    """

    FORMAT = '%(asctime)s %(levelname)s [%(name)s] %(message)s'

    def _setUp(self):
        # The detail is read when the result is written, after the cleanups.
        self.stream = self.useFixture(
            fixtures.StringStream('pythonlogging:outside-capture')).stream
        handler = logging.StreamHandler(self.stream)
        handler.setFormatter(logging.Formatter(self.FORMAT))
        handler.setLevel(logging.INFO)
        self.useFixture(fixtures.LogHandler(handler, nuke_handlers=True))
