"""What Placement holds, read through its REST API and labelled by role.

A snapshot keeps allocations per provider per consumer, and each provider's
usages, exactly as Placement reports them. Labels (``source``, ``dest``;
``instance``, ``migration``) come from the test, which knows which host and
which consumer played which part.
"""

import collections
import dataclasses

from nova_resize_tests import flavors

PLACEMENT_MICROVERSION = '1.28'


@dataclasses.dataclass(frozen=True)
class Consumer:
    """A consumer as the test knows it: its role and current status."""

    uuid: str
    role: str
    status: str = ''

    def describe(self):
        status = f', status {self.status}' if self.status else ''
        return f'{self.role} {self.uuid}{status}'


def label_consumers(servers, migrations):
    """Label consumers by role from what Nova's API reports.

    ``servers`` maps server uuid to its status; ``migrations`` are records
    of ``/os-migrations``. A server's first migration is ``migration``, its
    later ones ``migration-2``, ``migration-3``... so a leak names which.
    """
    known = {uuid: Consumer(uuid, 'instance', status)
             for uuid, status in servers.items()}
    per_server = collections.Counter()
    for migration in sorted(migrations, key=lambda m: m['id']):
        per_server[migration['instance_uuid']] += 1
        index = per_server[migration['instance_uuid']]
        role = 'migration' if index == 1 else f'migration-{index}'
        known[migration['uuid']] = Consumer(
            migration['uuid'], role, migration['status'])
    return known


@dataclasses.dataclass
class Snapshot:
    """Placement's allocations and usages at one moment.

    ``providers`` maps provider name (the compute node, named after its host)
    to uuid; ``allocations`` maps provider name to ``{consumer uuid:
    resources}``; ``usages`` maps provider name to ``{resource class:
    amount}`` with zero amounts dropped.
    """

    providers: dict
    allocations: dict
    usages: dict

    @classmethod
    def take(cls, placement, providers=None, usages=True):
        """Read every provider's allocations and, with ``usages``, usages.

        ``providers`` (name to uuid), when the caller already knows them,
        spares listing them again. Without ``usages`` the snapshot's
        ``usages`` is None.
        """
        def get(url):
            return placement.get(url, version=PLACEMENT_MICROVERSION).body

        if providers is None:
            providers = {
                rp['name']: rp['uuid']
                for rp in get('/resource_providers')['resource_providers']}
        allocations = {}
        used = {} if usages else None
        for name, uuid in providers.items():
            held = get(f'/resource_providers/{uuid}/allocations')
            allocations[name] = {
                consumer: dict(alloc['resources'])
                for consumer, alloc in held['allocations'].items()}
            if usages:
                found = get(f'/resource_providers/{uuid}/usages')['usages']
                used[name] = {rc: n for rc, n in found.items() if n}
        return cls(dict(providers), allocations, used)

    def labelled(self, consumers):
        """``{provider name: {consumer role: resources}}``.

        ``consumers`` maps uuid to :class:`Consumer`; a consumer the test does
        not know is labelled by its uuid so it can never match an
        expectation by accident.
        """
        result = {}
        for provider, held in self.allocations.items():
            result[provider] = {
                consumers[uuid].role if uuid in consumers
                else f'unknown consumer {uuid}': resources
                for uuid, resources in held.items()}
        return result

    def table(self, consumers, title=''):
        """A fixed-width table a person can read in a test failure."""
        rows = [('provider', 'consumer', 'resources')]
        for provider in sorted(self.allocations):
            held = self.allocations[provider]
            name = f'{provider} ({self.providers[provider]})'
            if not held:
                rows.append((name, '-', 'nothing'))
            for uuid, resources in sorted(held.items()):
                consumer = consumers.get(uuid, Consumer(uuid, 'unknown'))
                rows.append((name, consumer.describe(),
                             flavors.format_resources(resources)))
            if self.usages is not None:
                rows.append(('', 'usage', flavors.format_resources(
                    self.usages[provider])))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        lines = [f'{a:<{widths[0]}}  {b:<{widths[1]}}  {c}'.rstrip()
                 for a, b, c in rows]
        if title:
            lines.insert(0, title)
        return '\n'.join(lines) + '\n'
