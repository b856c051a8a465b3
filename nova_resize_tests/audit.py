"""The leak audit every functional test ends with.

It fails the test when Placement holds anything a correct Nova would not:

* an allocation whose consumer is neither an instance on that provider's
  compute node nor an in-progress migration (``nova-manage placement
  audit``, run in-process through the adapter);
* a provider whose usage is not the sum of its consumers' allocations;
* an allocation that the resource tracker's periodic task changes (it heals
  some leaks, which would otherwise hide them from a later look);
* a compute node whose resource tracker counts other usage than Placement,
  after the periodic task recounted it, on every node no move is still in
  flight on (there the tracker counts by design differently);
* a node of a resize waiting for confirmation (migration ``finished``)
  whose tracker, *before* the periodic task recounts it, counts other than
  the exact view it keeps while the move waits: the source the old flavor
  for a revert, the destination the new one (one host both), which is what
  Placement holds for the migration and the instance. The periodic task
  would hide a tracker that lost or doubled a pending move's claim. (Other
  nodes' trackers may lag behind a finished step until the periodic task,
  by design: Nova only recounts them there.)
* a project whose quota usage, counted from Placement
  (``[quota] count_usage_from_placement``), is not what its servers' flavors
  add up to (checked when no migration is in progress, since a pending move
  rightly counts both flavors). A dead allocation inflating it denies the
  tenant capacity it paid for.

* a migration that is not over (its status is not final) when the test
  ends, unless the test's last step expects exactly that status (a resize
  waiting in VERIFY_RESIZE expects ``finished``): both ``nova-manage
  placement audit`` and the "move in progress" rules above accept the
  allocations of a move in progress, so a move stuck forever would pass.

``nova-manage placement audit`` runs once more after the periodic task,
which can move a migration's status. Findings are reported together,
naming providers and consumers by role.
"""

import re

import fixtures
from oslo_config import cfg

from nova_resize_tests import flavors
from nova_resize_tests import matchers
from nova_resize_tests import nova_adapter
from nova_resize_tests import placement_state

CONF = cfg.CONF
# The hypervisors API stopped reporting usage in 2.88.
HYPERVISOR_USAGE_MICROVERSION = '2.87'
FINAL_MIGRATION_STATES = {'confirmed', 'reverted', 'error', 'failed',
                          'completed', 'cancelled', 'done'}


#: A resize waiting for the user's confirm or revert: the move is done, and
#: the resource tracker and Placement each count both flavors.
WAITING_MIGRATION_STATE = 'finished'


def busy_hosts(migrations, waiting_is_busy=True):
    """Hosts that an unfinished migration touches.

    Without ``waiting_is_busy``, a migration waiting for confirmation does
    not count: only one still in flight does.
    """
    busy = set()
    settled = set(FINAL_MIGRATION_STATES)
    if not waiting_is_busy:
        settled.add(WAITING_MIGRATION_STATE)
    for migration in migrations:
        if migration['status'] not in settled:
            busy.update({migration['source_compute'],
                         migration['dest_compute']})
    return busy


def waiting_hosts(migrations):
    """Hosts of a resize waiting for confirmation."""
    return busy_hosts(migrations) - busy_hosts(migrations,
                                               waiting_is_busy=False)


class AuditFailed(AssertionError):
    """Placement holds a leak or disagrees with Nova."""


class PlacementAudit(fixtures.Fixture):
    """Checks Placement for leaks when the test calls :meth:`verify`.

    ``test`` is a running :class:`base.ResizeTestCase`. A test that cannot
    be audited calls :meth:`skip` with a one-line reason; a row with a known
    Nova problem calls :meth:`expect_finding`, so the audit turns red both
    on any other finding and on the day Nova fixes that one.
    """

    def __init__(self, test):
        super().__init__()
        self.test = test
        self.skip_reason = ''
        self.expected = None
        self.unfinished = None

    def skip(self, reason):
        self.skip_reason = reason

    def expect_finding(self, reason, pattern='.', required=True):
        """This test is known to leave a finding matching ``pattern``.

        The audit then fails if it finds anything that does not match, and,
        when ``required``, if it finds nothing (a test whose own checks
        already prove the problem showed need not require it here).
        """
        self.expected = (reason, re.compile(pattern, re.DOTALL), required)

    def expect_unfinished(self, status):
        """The test ends with its newest migration in ``status`` on purpose.

        A status that is final needs no leave; any other migration that is
        not over is a finding.
        """
        self.unfinished = status

    def stuck_moves(self, migrations, snapshot, consumers):
        found = []
        for migration in migrations:
            status = migration['status']
            if status in FINAL_MIGRATION_STATES or status == self.unfinished:
                continue
            consumer = consumers.get(migration['uuid'])
            label = consumer.describe() if consumer else migration['uuid']
            holds = [f'{flavors.format_resources(held[migration["uuid"]])} '
                     f'on {provider}'
                     for provider, held in sorted(snapshot.allocations.items())
                     if migration['uuid'] in held]
            found.append(
                f'{label} of server {migration["instance_uuid"]} '
                f'({migration["source_compute"]} to '
                f'{migration["dest_compute"]}) is not over: status {status}, '
                'which no step of this test expects, holding '
                f'{"; ".join(holds) or "nothing"}')
        return found

    def findings(self):
        """Everything wrong, as a list of readable paragraphs."""
        found = []
        code, output = nova_adapter.placement_audit()
        if code != 0:
            found.append(f'nova-manage placement audit returned {code}:\n'
                         f'{output.strip()}')
        servers, migrations = nova_adapter.servers_and_migrations()
        consumers = placement_state.label_consumers(
            {server['id']: server['status'] for server in servers},
            migrations)
        before = placement_state.Snapshot.take(self.test.placement)
        self.test.record('audit', before, consumers)
        mismatch = matchers.UsagesAddUp().match(before)
        if mismatch:
            found.append(mismatch.describe())
        waiting = waiting_hosts(migrations)
        if waiting:
            found.extend(self.tracker_disagreements(
                before, set(before.providers) - waiting,
                'before the periodic task'))

        self.test._run_periodics()
        # Usages are Placement's sums of allocations: read them again only
        # if an allocation changed.
        after = placement_state.Snapshot.take(
            self.test.placement, usages=False)
        if after.allocations == before.allocations:
            after = before
        else:
            after = placement_state.Snapshot.take(self.test.placement)
            self.test.record('audit: periodic task', after, consumers)
            found.append(
                'the update_available_resource periodic task changed '
                'Placement (it heals some leaks, see the timeline):\n'
                + after.table(consumers))
        # The periodic task can end a migration, and with it the
        # allocations nova-manage accepted as a move in progress. Its
        # verdict depends only on these records and the allocations, so it
        # is asked again only when one of them changed.
        listed = nova_adapter.servers_and_migrations()
        if listed != (servers, migrations) or after is not before:
            servers, migrations = listed
            consumers = placement_state.label_consumers(
                {server['id']: server['status'] for server in servers},
                migrations)
            code, output = nova_adapter.placement_audit()
            if code != 0:
                found.append(
                    f'nova-manage placement audit returned {code} after the '
                    f'periodic task:\n{output.strip()}')
        found.extend(self.stuck_moves(migrations, after, consumers))
        found.extend(self.tracker_disagreements(
            after, busy_hosts(migrations, waiting_is_busy=False),
            'after the periodic task'))
        if not busy_hosts(migrations):
            found.extend(self.quota_disagreements(servers))
        return found

    def quota_disagreements(self, servers):
        api = self.test.admin_api
        by_project = {}
        for server in servers:
            cores, ram, names = by_project.get(
                server['tenant_id'], (0, 0, []))
            flavor = server['flavor']
            by_project[server['tenant_id']] = (
                cores + flavor['vcpus'], ram + flavor['ram'],
                names + [flavor['original_name']])
        found = []
        for project in sorted(set(by_project) | {api.project_id}):
            cores, ram, names = by_project.get(project, (0, 0, []))
            limits = api.api_get(
                f'/limits?tenant_id={project}').body['limits']['absolute']
            counted = (limits['totalCoresUsed'], limits['totalRAMUsed'])
            if counted != (cores, ram):
                found.append(
                    f'project {project}: quota usage cores={counted[0]} '
                    f'ram={counted[1]} but its servers\' flavors '
                    f'({", ".join(names) or "no server"}) add up to '
                    f'cores={cores} ram={ram}')
        return found

    def tracker_disagreements(self, snapshot, left_out, when):
        """Nodes whose tracker counts other usage than ``snapshot`` holds.

        ``left_out`` nodes are not compared; ``when`` says which look this is.
        """
        api = self.test.admin_api
        saved, api.microversion = api.microversion, \
            HYPERVISOR_USAGE_MICROVERSION
        try:
            hypervisors = api.api_get(
                '/os-hypervisors/detail').body['hypervisors']
        finally:
            api.microversion = saved
        found = []
        for hypervisor in hypervisors:
            node = hypervisor['hypervisor_hostname']
            if node in left_out or node not in snapshot.usages:
                continue
            tracked = {
                'VCPU': hypervisor['vcpus_used'] - CONF.reserved_host_cpus,
                'MEMORY_MB': (hypervisor['memory_mb_used'] -
                              CONF.reserved_host_memory_mb),
                'DISK_GB': hypervisor['local_gb_used'],
            }
            tracked = {rc: n for rc, n in tracked.items() if n}
            if tracked != snapshot.usages[node]:
                found.append(
                    f'provider {node} ({snapshot.providers[node]}): '
                    'Placement usage '
                    f'{flavors.format_resources(snapshot.usages[node])} but '
                    'the resource tracker counts '
                    f'{flavors.format_resources(tracked)} ({when})')
        return found

    def verify(self):
        """Run the audit; raise :class:`AuditFailed` on a wrong verdict."""
        if self.skip_reason:
            return
        found = self.findings()
        if self.expected:
            reason, pattern, required = self.expected
            if required and not found:
                raise AuditFailed(
                    'the audit found nothing, but this test expects a '
                    f'known Nova problem ({reason}): if Nova fixed it, '
                    'drop the mark from the row')
            found = [text for text in found if not pattern.search(text)]
        if found:
            raise AuditFailed('Placement audit failed:\n\n'
                              + '\n\n'.join(found))
