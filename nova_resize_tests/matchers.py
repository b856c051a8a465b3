"""testtools matchers over a :class:`placement_state.Snapshot`.

Each matcher checks every provider and every consumer in one pass and
reports all differences together, naming the provider by role and uuid, the
consumer by role, uuid and status, and the flavor an allocation equals.
"""

import collections

from testtools import matchers

from nova_resize_tests import flavors


class _ProblemsMismatch(matchers.Mismatch):

    def __init__(self, headline, problems):
        self.problems = problems
        super().__init__('%s:\n  %s' % (headline, '\n  '.join(problems)))


class AllocationsMatch:
    """Placement holds exactly ``expected`` and nothing else.

    ``expected`` maps provider name to ``{consumer role: Flavor}``; a provider
    left out must hold nothing. ``consumers`` maps uuid to
    :class:`placement_state.Consumer`, so that actual allocations can be
    labelled by role. Matches a :class:`placement_state.Snapshot`.
    """

    def __init__(self, expected, consumers):
        self.expected = expected
        self.consumers = consumers

    def __str__(self):
        return 'AllocationsMatch(%r)' % {
            provider: {role: flavor.name for role, flavor in held.items()}
            for provider, held in self.expected.items()}

    def _describe(self, role):
        for consumer in self.consumers.values():
            if consumer.role == role:
                return consumer.describe()
        return role

    def match(self, snapshot):
        actual = snapshot.labelled(self.consumers)
        problems = []
        for provider in sorted(set(self.expected) | set(actual)):
            if provider not in actual:
                problems.append(f'provider {provider}: not in Placement')
                continue
            expected = self.expected.get(provider, {})
            want = {role: flavor.resources
                    for role, flavor in expected.items()}
            have = actual[provider]
            for role in sorted(set(want) | set(have)):
                if want.get(role) != have.get(role):
                    problems.append(
                        f'provider {provider} '
                        f'({snapshot.providers[provider]}): consumer '
                        f'{self._describe(role)} holds '
                        f'{flavors.format_resources(have.get(role))}, '
                        f'expected {flavors.format_resources(want.get(role))}')
        if problems:
            return _ProblemsMismatch(
                'Placement allocations differ from the expectation', problems)
        return None


class UsagesAddUp:
    """Each provider's usage equals the sum of its consumers' allocations."""

    def __str__(self):
        return 'UsagesAddUp()'

    def match(self, snapshot):
        problems = []
        for provider, held in sorted(snapshot.allocations.items()):
            total = collections.Counter()
            for resources in held.values():
                total.update(resources)
            if dict(+total) != snapshot.usages[provider]:
                problems.append(
                    f'provider {provider} ({snapshot.providers[provider]}): '
                    'usage '
                    f'{flavors.format_resources(snapshot.usages[provider])}'
                    ' but its consumers hold '
                    f'{flavors.format_resources(dict(+total))}')
        if problems:
            return _ProblemsMismatch(
                'Placement usages do not add up', problems)
        return None
