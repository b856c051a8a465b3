"""The matchers fail on planted faults and pass on the right state.

Snapshots here are built from data shaped like Placement's answers, so each
test plants exactly one fault and checks the message names it.
"""

import testtools

from nova_resize_tests import flavors
from nova_resize_tests import matchers
from nova_resize_tests import placement_state

INSTANCE, MIGRATION, STRANGER = 'inst-uuid', 'migr-uuid', 'other-uuid'
CONSUMERS = {
    INSTANCE: placement_state.Consumer(INSTANCE, 'instance', 'ERROR'),
    MIGRATION: placement_state.Consumer(MIGRATION, 'migration', 'error'),
}
OLD, NEW = flavors.OLD, flavors.NEW


def snapshot(allocations, usages=None):
    """A snapshot of the given providers; usages add up unless given."""
    if usages is None:
        usages = {}
        for provider, held in allocations.items():
            total = {}
            for resources in held.values():
                for rc, amount in resources.items():
                    total[rc] = total.get(rc, 0) + amount
            usages[provider] = total
    return placement_state.Snapshot(
        {name: f'{name}-rp-uuid' for name in allocations},
        allocations, usages)


class TestAllocationsMatch(testtools.TestCase):

    expected = {'dest': {'instance': NEW}}

    def mismatch(self, allocations):
        matcher = matchers.AllocationsMatch(self.expected, CONSUMERS)
        return matcher.match(snapshot(allocations))

    def test_exact_state_matches(self):
        self.assertIsNone(self.mismatch(
            {'source': {}, 'dest': {INSTANCE: NEW.resources}}))

    def test_leak_on_source_names_provider_consumer_and_flavor(self):
        found = self.mismatch({'source': {MIGRATION: OLD.resources},
                               'dest': {INSTANCE: NEW.resources}})
        self.assertIsNotNone(found)
        text = found.describe()
        self.assertIn('provider source (source-rp-uuid)', text)
        self.assertIn('consumer migration migr-uuid, status error', text)
        self.assertIn('(flavor old), expected nothing', text)

    def test_wrong_flavor_for_the_right_consumer(self):
        found = self.mismatch({'source': {},
                               'dest': {INSTANCE: OLD.resources}})
        self.assertIn('(flavor old), expected DISK_GB=17', found.describe())

    def test_swapped_consumers_both_reported(self):
        found = self.mismatch({'source': {INSTANCE: OLD.resources},
                               'dest': {MIGRATION: NEW.resources}})
        text = found.describe()
        self.assertIn('provider source', text)
        self.assertIn('consumer instance inst-uuid, status ERROR', text)
        self.assertIn('consumer migration migr-uuid', text)
        self.assertEqual(3, len(text.splitlines()) - 1)

    def test_unknown_consumer_never_matches(self):
        found = self.mismatch({'source': {STRANGER: OLD.resources},
                               'dest': {INSTANCE: NEW.resources}})
        self.assertIn('unknown consumer other-uuid', found.describe())

    def test_missing_allocation(self):
        found = self.mismatch({'source': {}, 'dest': {}})
        self.assertIn('holds nothing, expected', found.describe())

    def test_expected_provider_absent_from_placement(self):
        found = self.mismatch({'source': {}})
        self.assertIn('provider dest: not in Placement', found.describe())


class TestUsagesAddUp(testtools.TestCase):

    def test_consistent_usages_pass(self):
        state = snapshot({'source': {INSTANCE: OLD.resources,
                                     MIGRATION: NEW.resources}})
        self.assertIsNone(matchers.UsagesAddUp().match(state))

    def test_usage_without_consumer_is_reported(self):
        state = snapshot({'source': {}}, usages={'source': OLD.resources})
        found = matchers.UsagesAddUp().match(state)
        self.assertIn('provider source (source-rp-uuid): usage DISK_GB=10',
                      found.describe())
        self.assertIn('but its consumers hold nothing', found.describe())


class TestSnapshotTable(testtools.TestCase):

    def test_table_shows_roles_statuses_and_flavors(self):
        state = snapshot({'source': {MIGRATION: OLD.resources},
                          'dest': {}})
        text = state.table(CONSUMERS, title='after resize:')
        self.assertIn('after resize:', text)
        self.assertIn('migration migr-uuid, status error', text)
        self.assertIn('VCPU=2 (flavor old)', text)
        self.assertIn('dest (dest-rp-uuid)', text)
        self.assertIn('usage', text)

    def test_table_without_usages_read_has_no_usage_rows(self):
        state = placement_state.Snapshot(
            {'source': 'source-rp-uuid'}, {'source': {}}, None)
        text = state.table(CONSUMERS)
        self.assertIn('source (source-rp-uuid)  -', text)
        self.assertNotIn('usage', text)


class LabelConsumersTestCase(testtools.TestCase):

    def test_roles_follow_each_servers_migration_order(self):
        migrations = [
            {'id': 7, 'uuid': 'm-b2', 'instance_uuid': 'b', 'status': 'error'},
            {'id': 3, 'uuid': 'm-a1', 'instance_uuid': 'a',
             'status': 'reverted'},
            {'id': 5, 'uuid': 'm-b1', 'instance_uuid': 'b',
             'status': 'confirmed'},
        ]
        known = placement_state.label_consumers(
            {'a': 'ACTIVE', 'b': 'ERROR'}, migrations)
        self.assertEqual(
            {'a': 'instance ACTIVE', 'b': 'instance ERROR',
             'm-a1': 'migration reverted', 'm-b1': 'migration confirmed',
             'm-b2': 'migration-2 error'},
            {uuid: f'{c.role} {c.status}' for uuid, c in known.items()})
