"""The audit itself: it passes a clean cloud and fails on planted leaks.

Each leak is written straight through the Placement API (the real app, no
mocks), the audit must name it, and the test then removes what it planted,
so the end-of-test audit proves the cloud is clean again. With the audit
switched off, each ``assertRaises`` below fails.
"""

from oslo_utils import uuidutils

from nova_resize_tests import audit
from nova_resize_tests import base
from nova_resize_tests import flavors
from nova_resize_tests import nova_adapter

SOURCE, DEST = base.SOURCE, base.DEST


class PlacementAuditTestCase(base.ResizeTestCase):

    def setUp(self):
        super().setUp()
        self.start_host(SOURCE)
        self.start_host(DEST)
        self.server_id = self.boot_on(SOURCE)['id']
        self.rp = {host: self._get_provider_uuid_by_host(host)
                   for host in (SOURCE, DEST)}

    def put_allocation(self, consumer, provider, resources):
        current = self.placement.get(
            f'/allocations/{consumer}', version='1.28').body
        body = {'allocations': {self.rp[provider]: {'resources': resources}},
                'project_id': self.api_fixture.project_id,
                'user_id': self.admin_api.auth_user,
                'consumer_generation': current.get('consumer_generation')}
        self.placement.put(f'/allocations/{consumer}', body, version='1.28')

    def assertAuditFails(self, *fragments):
        error = self.assertRaises(audit.AuditFailed, self.audit.verify)
        for fragment in fragments:
            self.assertIn(fragment, str(error))
        return str(error)

    def test_clean_cloud_passes(self):
        self.audit.verify()

    def test_orphan_allocation_is_named(self):
        orphan = uuidutils.generate_uuid()
        self.put_allocation(orphan, DEST, flavors.OLD.resources)
        self.assertAuditFails(
            'nova-manage placement audit returned 3', orphan,
            f'provider {DEST} ({self.rp[DEST]}): Placement usage '
            'DISK_GB=10 MEMORY_MB=512 VCPU=2 (flavor old) but the resource '
            'tracker counts nothing',
            # The orphan belongs to the tenant: its quota is inflated.
            f'project {self.api_fixture.project_id}: quota usage cores=4 '
            "ram=1024 but its servers' flavors (old) add up to cores=2 "
            'ram=512')
        self.placement.delete(f'/allocations/{orphan}')

    def test_usage_the_resource_tracker_does_not_count(self):
        # The instance consumer is legitimate on its own node, so only the
        # comparison with the resource tracker can see the wrong amount.
        self.put_allocation(self.server_id, SOURCE, flavors.NEW.resources)
        text = self.assertAuditFails(
            f'provider {SOURCE} ({self.rp[SOURCE]}): Placement usage '
            'DISK_GB=17 MEMORY_MB=832 VCPU=3 (flavor new) but the resource '
            'tracker counts DISK_GB=10 MEMORY_MB=512 VCPU=2 (flavor old)')
        self.assertNotIn('nova-manage placement audit returned', text)
        self.put_allocation(self.server_id, SOURCE, flavors.OLD.resources)

    def test_leak_healed_by_the_periodic_is_still_reported(self):
        self.api.delete_server(self.server_id)
        self.wait_until_deleted(self.server_id)
        # A deleted instance's allocation: the periodic task deletes it, so
        # only a look before the periodic sees it.
        self.put_allocation(self.server_id, SOURCE, flavors.OLD.resources)
        self.assertAuditFails(
            'nova-manage placement audit returned 3', self.server_id,
            'the update_available_resource periodic task changed Placement')

    def test_a_move_that_is_not_over_is_named(self):
        # A resize waiting for confirmation: nova-manage and the tracker
        # rules accept its allocations as a move in progress, so only the
        # stuck-move check sees that no step of this test expects it.
        self.api.post_server_action(
            self.server_id, {'resize': {'flavorRef': self.flavor_ids['new']}})
        migration = self.wait_for_migration_status(
            self.server_id, 'finished')[-1]
        self.wait_for_server_status(self.server_id, 'VERIFY_RESIZE')
        text = self.assertAuditFails(
            f'migration {migration["uuid"]}, status finished of server '
            f'{self.server_id} (source to dest) is not over: status '
            'finished, which no step of this test expects, holding '
            f'DISK_GB=10 MEMORY_MB=512 VCPU=2 (flavor old) on {SOURCE}')
        self.assertNotIn('nova-manage placement audit returned', text)
        # A test whose last step expects the move to wait there passes.
        self.audit.expect_unfinished('finished')
        self.audit.verify()
        self.audit.expect_unfinished(None)
        self.api.post_server_action(self.server_id, {'confirmResize': None})
        # The migration is marked confirmed before its allocation goes:
        # the event ends after both.
        self.wait_for_event(self.server_id, 'confirmResize',
                            'compute_confirm_resize', 'success')

    def resize_and_wait(self):
        """Resize to ``dest``; return the migration waiting to be confirmed.

        The audit is told the test ends there on purpose.
        """
        self.api.post_server_action(
            self.server_id, {'resize': {'flavorRef': self.flavor_ids['new']}})
        migration = self.wait_for_migration_status(
            self.server_id, 'finished')[-1]
        self.wait_for_server_status(self.server_id, 'VERIFY_RESIZE')
        self.audit.expect_unfinished('finished')
        return migration

    def test_tracker_is_compared_while_a_resize_waits(self):
        migration = self.resize_and_wait()
        # The source's tracker keeps the old flavor for a revert; Placement
        # now says the migration holds the new one there.
        self.put_allocation(migration['uuid'], SOURCE, flavors.NEW.resources)
        text = self.assertAuditFails(
            f'provider {SOURCE} ({self.rp[SOURCE]}): Placement usage '
            'DISK_GB=17 MEMORY_MB=832 VCPU=3 (flavor new) but the resource '
            'tracker counts DISK_GB=10 MEMORY_MB=512 VCPU=2 (flavor old) '
            '(before the periodic task)',
            '(after the periodic task)')
        self.assertNotIn(f'provider {DEST}', text)
        self.put_allocation(migration['uuid'], SOURCE, flavors.OLD.resources)

    def test_tracker_wrong_only_until_the_periodic_is_caught(self):
        self.resize_and_wait()
        # The destination's tracker counts one CPU too many, as if it kept
        # a claim twice; its periodic task recounts it and hides that.
        nova_adapter.add_tracked_usage(DEST, vcpus=1)
        text = self.assertAuditFails(
            f'provider {DEST} ({self.rp[DEST]}): Placement usage '
            'DISK_GB=17 MEMORY_MB=832 VCPU=3 (flavor new) but the resource '
            'tracker counts DISK_GB=17 MEMORY_MB=832 VCPU=4 (before the '
            'periodic task)')
        self.assertNotIn('(after the periodic task)', text)


class CrossCellAuditTestCase(base.ResizeTestCase):
    """The audit over two cells, while a resize across them waits.

    Nova keeps a copy of the server and its migration in each cell until
    the resize is confirmed or reverted; the copy in the cell the server
    left is not updated any more. The audit must judge the move by the copy
    of the cell the server is mapped to, and still see every provider.
    """

    NUMBER_OF_CELLS = 2

    def setUp(self):
        super().setUp()
        self.start_host(SOURCE)
        self.start_host(DEST, cell=2)
        self.server_id = self.boot_on(SOURCE)['id']
        self.rp = {host: self._get_provider_uuid_by_host(host)
                   for host in (SOURCE, DEST)}
        self.api.post_server_action(
            self.server_id, {'resize': {'flavorRef': self.flavor_ids['new']}})
        # The conductor ends its event once the server is mapped to the
        # destination's cell.
        self.wait_for_event(self.server_id, 'resize',
                            'conductor_migrate_server', 'success')
        self.migration = self.wait_for_migration_status(
            self.server_id, 'finished')[-1]
        self.audit.expect_unfinished('finished')

    def left_behind(self):
        """The migration as the source's cell still has it."""
        return nova_adapter.server_migrations(
            self.server_id, self.cell_mappings[nova_adapter.cell_name(1)])

    def test_the_move_is_judged_by_the_copy_that_counts(self):
        # The copy left behind is not over by its own status...
        self.assertNotIn(self.left_behind()[-1]['status'],
                         audit.FINAL_MIGRATION_STATES | {'finished'})
        # ...but the test expects the copy of the server's cell in
        # "finished", and only that one counts.
        self.audit.verify()
        self.audit.expect_unfinished(None)
        self.assertAuditFails(
            f'migration {self.migration["uuid"]}, status finished of server '
            f'{self.server_id} (source to dest) is not over: status '
            'finished, which no step of this test expects')
        self.audit.expect_unfinished('finished')

    def test_orphan_in_the_other_cell_is_named(self):
        orphan = uuidutils.generate_uuid()
        self.put_allocation(orphan, DEST, flavors.OLD.resources)
        self.assertAuditFails('nova-manage placement audit returned 3',
                              orphan, self.rp[DEST])
        self.placement.delete(f'/allocations/{orphan}')

    put_allocation = PlacementAuditTestCase.put_allocation
    assertAuditFails = PlacementAuditTestCase.assertAuditFails
