"""Bug 1825537: a resize that fails in finish_resize leaked the source.

https://bugs.launchpad.net/nova/+bug/1825537

When ``finish_migration`` raised on the destination, Nova left the server in
ERROR on the destination but never dropped the old flavor the migration held
on the source provider, so that capacity stayed used forever. Introduced in
Rocky, fixed in Train and backported to Pike. The server must end up owning
only the new flavor on the destination, and a hard reboot and a delete must
keep Placement consistent.
"""

from nova_resize_tests import base
from nova_resize_tests import flavors
from nova_resize_tests import nova_adapter

SOURCE, DEST = base.SOURCE, base.DEST


class FinishResizeFailureTestCase(base.ResizeTestCase):

    def test_finish_resize_failure_leaves_only_the_new_flavor(self):
        self.start_host(SOURCE)
        self.start_host(DEST, nova_adapter.NOVA_FINISH_MIGRATION_FAIL_DRIVER)
        server = self.boot_on(SOURCE, flavors.OLD)
        server_id = server['id']
        self.assert_allocations('boot', server_id,
                                {SOURCE: {'instance': flavors.OLD}},
                                server=server)

        self.api.post_server_action(
            server_id, {'resize': {'flavorRef': self.flavor_ids['new']}})
        # finish_resize marks its event failed after its cleanup, the fault
        # and the migration's error status; the task state is reset last.
        self.wait_for_event(server_id, 'resize', 'compute_finish_resize',
                            'error')
        migrations = self.wait_for_migration_status(server_id, 'error')
        server = self.wait_for_server_status(server_id, 'ERROR')
        self.assertEqual(DEST, server['OS-EXT-SRV-ATTR:host'])
        self.assertIn('Virtual Interface creation failed',
                      server['fault']['message'])
        self.assert_allocations('failed resize', server_id,
                                {DEST: {'instance': flavors.NEW}},
                                server=server, migrations=migrations)

        self.api.post_server_action(server_id, {'reboot': {'type': 'HARD'}})
        self.wait_for_event(server_id, 'reboot', 'compute_reboot_instance',
                            'success')
        server = self.wait_for_server_status(server_id, 'ACTIVE')
        self.assertEqual(DEST, server['OS-EXT-SRV-ATTR:host'])
        self.assert_allocations('hard reboot', server_id,
                                {DEST: {'instance': flavors.NEW}},
                                server=server)

        self.api.delete_server(server_id)
        self.wait_for_event(server_id, 'delete', 'compute_terminate_instance',
                            'success')
        server = self.wait_until_deleted(server_id)
        self.assert_allocations('delete', server_id, {}, server=server)
