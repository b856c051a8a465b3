"""The base test case: a Nova cloud whose compute hosts each get a driver.

Hosts are named for the part they play, ``source``, ``dest`` and
``alternate``, so the compute node provider of each carries that name too and
every message can say which side leaked. The scheduler prefers ``dest``, then
``alternate``, then ``source``, so a move's first choice is always known.
"""

import datetime
import time

from oslo_utils import timeutils
import testtools
from testtools import content

from nova_resize_tests import audit
from nova_resize_tests import fixtures as nrt_fixtures
from nova_resize_tests import flavors
from nova_resize_tests import matchers
from nova_resize_tests import nova_adapter
from nova_resize_tests import placement_state
from nova_resize_tests import preflight
from nova_resize_tests import speed

SOURCE, DEST, ALTERNATE = 'source', 'dest', 'alternate'
HOST_WEIGHTS = {DEST: 100, ALTERNATE: 50, SOURCE: 10}
POLL_INTERVAL = 0.05
#: How long a wait for an event trusts the bell before it reads the records
#: again anyway.
RELOOK_SECONDS = 0.5
#: ``resize_confirm_window`` (seconds) for a row's auto-confirm step.
AUTO_CONFIRM_WINDOW = 60


def deleted_server(server_id):
    """The server as consumers are labelled once the API no longer finds it."""
    return {'id': server_id, 'status': 'deleted'}


class ResizeTestCase(nova_adapter.ProviderUsageBaseTestCase):
    """Real Nova API, conductor, scheduler and Placement; hosts on demand.

    Subclasses start hosts with :meth:`start_host`, boot with
    :meth:`boot_on`, and check Placement with :meth:`assert_allocations`.
    Every snapshot taken through :meth:`capture` is kept and attached to the
    test's details, so a failure shows the Placement state after each step.
    """

    # The driver of a host started without one; start_host overrides it.
    compute_driver = 'fake.FakeDriver'

    def setUp(self):
        self.useFixture(nrt_fixtures.LogsAfterCapture())
        self.useFixture(nrt_fixtures.CalmGarbageCollector())
        self.useFixture(nrt_fixtures.NoNetwork())
        self.useFixture(nrt_fixtures.PromptMessageBus())
        self._event_bell = self.useFixture(nrt_fixtures.ActionEventBell())
        self.useFixture(nrt_fixtures.SqliteFilesHeldOpen())
        self.useFixture(speed.EverySaving())
        # Both must be in place before the parent starts the API and the
        # scheduler.
        self.useFixture(nrt_fixtures.ApiPasteConfig())
        self.useFixture(nova_adapter.HostNameWeigherFixture(HOST_WEIGHTS))
        super().setUp()
        if self.NUMBER_OF_CELLS > 1:
            # The second topology: hosts in two cells, and a user (the
            # admin) whom Nova lets move a server from one to the other.
            nova_adapter.allow_cross_cell_resize(self.policy)
        self.wait_seconds = preflight.wait_seconds()
        # Underscored: Nova's TestCase deletes public attributes at cleanup,
        # before a failure's details are written.
        self._timeline = []
        self._consumers = {}
        # Compute node providers by name; only starting a host adds one.
        self._providers = None
        # Cell mappings by server, once it is in one (see server_cell).
        self._cells = {}
        # Every server this test booted (see consumer_role).
        self._server_ids = set()
        # Hosts taken down (see take_down) and not restarted yet.
        self._down = {}
        self.addOnException(self._attach_timeline)
        self.audit = self.useFixture(audit.PlacementAudit(self))
        # Placement-based quota counting makes the limits API report what
        # Placement holds for the project.
        self.flags(count_usage_from_placement=True, group='quota')
        self.flavor_ids = {flavor.name: nova_adapter.create_flavor(flavor)
                           for flavor in flavors.ALL}

    def start_host(self, host, driver='fake.FakeDriver', cell=1):
        """Start ``host``'s nova-compute with ``driver`` in cell ``cell``.

        Cells are numbered from 1, the default cell; a test whose
        ``NUMBER_OF_CELLS`` is 2 has a cell 2 too.
        """
        self._providers = None
        return self.useFixture(nrt_fixtures.ComputeHost(
            self, host, driver, nova_adapter.cell_name(cell))).service

    # -- what an operator does to a host ---------------------------------

    def restart_host(self, host):
        """Restart ``host``'s nova-compute, as after a crash or a reboot.

        The guests the fake hypervisor knows survive, and the new service
        replaces the old one wherever the suite drives it (the audit's
        periodic task). A host that was taken down is brought back up.
        """
        if self._down.pop(host, False):
            self.admin_api.put_service_force_down(self._service_id(host),
                                                  False)
        self.computes[host] = self.restart_compute_service(
            self.computes[host], keep_hypervisor_state=True)

    def take_down(self, host):
        """Stop ``host``'s nova-compute and tell the API it is down.

        Without ``forced_down`` the API would trust the last heartbeat for
        a minute, so it would not treat the host as down.
        """
        self.computes[host].stop()
        self.admin_api.put_service_force_down(self._service_id(host), True)
        self._down[host] = True

    def _service_id(self, host):
        return self.admin_api.get_services(
            host=host, binary='nova-compute')[0]['id']

    def auto_confirm(self, server_id):
        """Let the destination's auto-confirm periodic confirm the resize.

        The migration is back-dated past the confirm window rather than
        waited for.
        """
        migration = self.migrations(server_id)[-1]
        self.flags(resize_confirm_window=AUTO_CONFIRM_WINDOW)
        long_ago = timeutils.utcnow() - datetime.timedelta(
            seconds=2 * AUTO_CONFIRM_WINDOW)
        nova_adapter.backdate_migration(migration['uuid'],
                                        self.cell_of(server_id), long_ago)
        nova_adapter.auto_confirm(self.computes[migration['dest_compute']])

    # -- waiting ---------------------------------------------------------

    def wait_for(self, probe, what):
        """Poll ``probe`` until it returns something true and return that.

        ``what`` is a callable describing the awaited signal and what was
        last seen, used in the failure message.
        """
        deadline = time.monotonic() + self.wait_seconds
        while True:
            result = probe()
            if result:
                return result
            if time.monotonic() > deadline:
                self.fail(f'waited {self.wait_seconds:g}s for {what()}')
            # Wakes early when Nova finishes an instance action event.
            self._event_bell.pause(POLL_INTERVAL)

    def get_server(self, server_id):
        return self.admin_api.get_server(server_id)

    def cell_of(self, server_id):
        """The server's cell mapping, or None before it is scheduled.

        With one cell it is kept once known; with more, a move may take the
        server to another cell, so it is read each time.
        """
        if server_id in self._cells:
            return self._cells[server_id]
        cell = nova_adapter.server_cell(server_id)
        if cell is not None and self.NUMBER_OF_CELLS == 1:
            self._cells[server_id] = cell
        return cell

    def cells_recording(self, server_id):
        """The cells whose records of the server's actions a wait reads.

        A move across cells ends some events in the cell the server left
        and others in the one it reached, so every cell of hosts is read.
        """
        if self.NUMBER_OF_CELLS == 1:
            cell = self.cell_of(server_id)
            return [cell] if cell else []
        return [self.cell_mappings[nova_adapter.cell_name(number)]
                for number in range(1, self.NUMBER_OF_CELLS + 1)]

    def migrations(self, server_id):
        """Migration records of the server, oldest first."""
        cell = self.cell_of(server_id)
        if cell is None:
            return []
        return nova_adapter.server_migrations(server_id, cell)

    def wait_for_migration_status(self, server_id, status, or_status=()):
        """Wait for the newest migration's status; return all migrations.

        ``or_status`` lists other statuses to accept (a known Nova problem
        leaves one); the caller compares what it got.
        """
        seen = []
        statuses = (status, *or_status)

        def probe():
            seen[:] = self.migrations(server_id)
            return seen and seen[-1]['status'] in statuses and list(seen)

        return self.wait_for(probe, lambda: (
            f'migration status {status!r} of server {server_id} (seen '
            f'{[m["status"] for m in seen]})'))

    def wait_for_server_status(self, server_id, status, task=None,
                               or_state=()):
        """Wait for the status with ``task`` (by default none) in progress.

        ``or_state`` lists other ``(status, task state)`` pairs to accept (a
        known Nova problem leaves one); the caller compares what it got.
        """
        seen = {}
        states = ((status, task), *or_state)

        def probe():
            seen.update(self.get_server(server_id))
            return ((seen['status'], seen['OS-EXT-STS:task_state'])
                    in states) and dict(seen)

        return self.wait_for(probe, lambda: (
            f'server {server_id} status {status!r}, task state {task!r} '
            f'(seen {seen.get("status")!r}, task state '
            f'{seen.get("OS-EXT-STS:task_state")!r})'))

    def wait_for_event(self, server_id, action, event, result):
        """Wait for an event of the newest ``action`` to end with ``result``.

        A compute method records its event as finished only after its own
        error handling and cleanup ran, so this is the moment its effect on
        Placement is complete. The records are read each time Nova finishes
        this event for this server (an event that never rang cannot have
        ended), and every ``RELOOK_SECONDS`` in case a ring was missed.
        """
        seen = []
        # Until it rings, the event has not ended for this server.
        looked = {'rings': 0, 'at': time.monotonic()}

        def probe():
            rings = self._event_bell.rings(server_id, event)
            now = time.monotonic()
            if (rings == looked['rings'] and
                    now - looked['at'] < RELOOK_SECONDS):
                return False
            looked.update(rings=rings, at=now)
            seen[:] = nova_adapter.newest_action_events(
                server_id, action, self.cells_recording(server_id)) or []
            return any(name == event and (ended or '').lower() == result
                       for name, ended in seen)

        self.wait_for(probe, lambda: (
            f'event {event} of action {action} to end in {result!r} '
            f'(events so far: {seen})'))

    def wait_until_deleted(self, server_id):
        """Wait until the API no longer finds the server.

        Returns the server as :meth:`consumers` takes it: status deleted.
        """
        def probe():
            try:
                self.get_server(server_id)
            except nova_adapter.api_client.OpenStackApiNotFoundException:
                return True
            return False

        self.wait_for(probe, lambda: f'server {server_id} to be deleted')
        return deleted_server(server_id)

    # -- booting ---------------------------------------------------------

    def boot_on(self, host, flavor=flavors.OLD, volume_backed=False):
        """Boot a server with ``flavor`` on ``host``; return it ACTIVE.

        ``volume_backed`` boots it from a volume of the fake Cinder, made
        from the fake Glance's image, instead of from the image.
        """
        request = self._build_server(
            image_uuid=nova_adapter.IMAGE_ID,
            flavor_id=self.flavor_ids[flavor.name], networks='none')
        if volume_backed:
            request.pop('imageRef')
            request['block_device_mapping_v2'] = [{
                'boot_index': 0, 'uuid': nova_adapter.IMAGE_BACKED_VOLUME,
                'source_type': 'volume', 'destination_type': 'volume'}]
        request['availability_zone'] = f'nova:{host}'
        server_id = self.api.post_server({'server': request})['id']
        self._server_ids.add(server_id)
        self.wait_for_event(server_id, 'create',
                            'compute__do_build_and_run_instance', 'success')
        return self.wait_for_server_status(server_id, 'ACTIVE')

    # -- Placement -------------------------------------------------------

    def consumers(self, server_id, server=None, migrations=None):
        """Label the server and its migrations as consumers.

        ``server`` and ``migrations``, when the caller has just read them,
        spare reading them again. Labels seen earlier in the test are kept:
        Nova drops a deleted server's migrations, but a leak must still be
        named by its role.
        """
        if server is None:
            try:
                server = self.get_server(server_id)
            except nova_adapter.api_client.OpenStackApiNotFoundException:
                server = deleted_server(server_id)
        if migrations is None:
            migrations = self.migrations(server_id)
        self._consumers.update(placement_state.label_consumers(
            {server_id: server['status']}, migrations))
        return dict(self._consumers)

    def consumer_role(self, consumer_uuid):
        """``instance`` or ``migration``: what kind of consumer this is.

        Only servers and their migrations consume in this cloud, and the
        test knows its servers, so this needs no lookup: a fault can ask it
        while Nova is in the middle of a request.
        """
        return ('instance' if consumer_uuid in self._server_ids
                else 'migration')

    def capture(self, label, server_id, **seen):
        """Take a snapshot, keep it on the timeline and return it.

        ``seen`` passes on what :meth:`consumers` may reuse.
        """
        consumers = self.consumers(server_id, **seen)
        # Usages are Placement's own sums of these allocations; the audit
        # checks once per test that they add up.
        snapshot = placement_state.Snapshot.take(
            self.placement, providers=self._providers, usages=False)
        self._providers = snapshot.providers
        self.record(label, snapshot, consumers)
        return snapshot, consumers

    def record(self, label, snapshot, consumers):
        self._timeline.append((label, snapshot, consumers))

    def tearDown(self):
        # Runs before the cleanups stop the services: the audit needs the
        # computes for the resource tracker's view, so every host must be
        # back.
        if self._down:
            self.fail(f'hosts still down at the end: {", ".join(self._down)}'
                      ': a row brings every host back before the audit')
        self.audit.verify()
        super().tearDown()

    def _attach_timeline(self, exc_info):
        """On failure, show Placement as it was after each step."""
        text = '\n'.join(snapshot.table(consumers, title=f'after {label}:')
                         for label, snapshot, consumers in self._timeline)
        self.addDetail('placement-timeline', content.text_content(
            text or 'no snapshot was taken\n'))

    def assert_allocations(self, label, server_id, expected, tolerated=None,
                           **seen):
        """Placement holds exactly ``expected`` (provider -> role -> flavor).

        Every provider and consumer is compared in one pass and every
        difference reported together. With ``tolerated`` (a compiled regex),
        differences that all match it are returned instead of failing: a
        known leak, recorded while the rest of the row still runs.
        ``seen`` (``server=``, ``migrations=``) is what the test has just
        read from Nova, so the consumers need not be read again.
        """
        snapshot, consumers = self.capture(label, server_id, **seen)
        matcher = matchers.AllocationsMatch(expected, consumers)
        mismatch = matcher.match(snapshot)
        if mismatch is None:
            return ''
        problems = mismatch.problems
        if tolerated and all(tolerated.search(p) for p in problems):
            return '; '.join(problems)
        raise testtools.matchers.MismatchError(snapshot, matcher, mismatch)
