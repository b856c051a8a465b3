"""The only module that imports Nova's test internals.

Nova's functional helpers are not a stable API: names and signatures move
between releases. Everything the suite needs from ``nova.tests`` is reached
through this module, so a rename upstream is absorbed here and nowhere else.
It is also the one place that reads Nova's records (instance actions,
migrations, the servers the audit counts) through Nova's objects rather
than the API, and that creates flavors.

Importing it runs :mod:`nova_resize_tests.preflight` first, so a broken
environment ends in one readable line instead of an import traceback.
"""

import contextlib

from nova_resize_tests import preflight

NOVA_MAJOR = preflight.check()

# Nova's test package decides on eventlet monkey patching when it is first
# imported, so it has to come before anything else that may import threading
# or sockets.
from nova.tests.functional import integrated_helpers  # noqa: E402,H306
from nova.tests import fixtures as nova_fixtures  # noqa: E402,H306
from nova.tests.functional.api import client as api_client  # noqa: E402,F401

from nova.api.openstack import common as api_common  # noqa: E402
from nova.cmd import manage  # noqa: E402
from nova.compute import flavors as compute_flavors  # noqa: E402
from nova import context as nova_context  # noqa: E402
from nova.db.main import api as main_db  # noqa: E402
from nova.db.main import models as main_models  # noqa: E402
from nova import exception  # noqa: E402
from nova import objects  # noqa: E402

#: Base class that starts API, conductor, scheduler, Placement and fakes.
ProviderUsageBaseTestCase = integrated_helpers.ProviderUsageBaseTestCase

#: Makes the scheduler's choice among hosts depend only on host names.
HostNameWeigherFixture = nova_fixtures.HostNameWeigherFixture

#: An image the fake Glance always serves: naming it spares the boot request
#: a round trip to look one up.
IMAGE_ID = nova_fixtures.GlanceFixture.image1['id']

#: A volume the fake Cinder serves, made from that image: a server booted
#: from it is volume-backed.
IMAGE_BACKED_VOLUME = nova_fixtures.CinderFixture.IMAGE_BACKED_VOL

#: Fault recorded by ``nova.virt.fake.FakeFinishMigrationFailDriver``.
NOVA_FINISH_MIGRATION_FAIL_DRIVER = 'fake.FakeFinishMigrationFailDriver'


def placement_audit(verbose=True):
    """Run ``nova-manage placement audit`` in-process.

    Returns ``(return_code, output)``: 0 when every allocation belongs to an
    instance on that provider's node or to an in-progress migration, 3 when
    it found orphans (listed in the output).
    """
    import io
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        code = manage.PlacementCommands().audit(verbose=verbose)
    return code, output.getvalue()


def create_flavor(flavor):
    """Create ``flavor`` (a :class:`nova_resize_tests.flavors.Flavor`).

    Goes through the function Nova's flavor-create API calls, with its
    validation, but without an API request. No ephemeral disk and no swap,
    so DISK_GB is exactly ``disk_gb``. Returns the id requests name it by.
    """
    return compute_flavors.create(
        flavor.name, flavor.memory_mb, flavor.vcpus, flavor.disk_gb,
        ephemeral_gb=0, swap=0, is_public=True).flavorid


def server_cell(server_id):
    """The server's cell mapping, or None while it is not in a cell yet.

    A server stays in the cell it was scheduled to (this suite has one cell
    and no cross-cell move), so a caller may keep the answer for the rest of
    its test.
    """
    ctxt = nova_context.get_admin_context()
    try:
        mapping = objects.InstanceMapping.get_by_instance_uuid(
            ctxt, server_id)
    except exception.InstanceMappingNotFound:
        return None
    return mapping.cell_mapping


@contextlib.contextmanager
def _in_cell(cell):
    """An admin context on ``cell`` (a cell mapping)."""
    with nova_context.target_cell(nova_context.get_admin_context(),
                                  cell) as ctxt:
        yield ctxt


# Waits poll these while Nova works, every step labels consumers with
# them, and the audit lists them. The API shows the same records; reading
# them the way Nova's own code does costs a few small queries instead of a
# whole API request.

def newest_action_events(server_id, action, cell):
    """Events of the server's newest ``action``, read in its ``cell``.

    ``cell`` is what :func:`server_cell` returned. Returns ``(event,
    result)`` pairs, ``result`` being None while the event runs, or None
    while Nova has not recorded that action yet.
    """
    with _in_cell(cell) as ctxt:
        # Newest first.
        actions = [found for found in
                   objects.InstanceActionList.get_by_instance_uuid(
                       ctxt, server_id) if found.action == action]
        if not actions:
            return None
        return [(event.event, event.result) for event in
                objects.InstanceActionEventList.get_by_action(
                    ctxt, actions[0].id)]


def server_migrations(server_id, cell):
    """The server's migration records, oldest first, read in its ``cell``.

    ``cell`` is what :func:`server_cell` returned. Each is a dict with the
    keys ``/os-migrations`` gives them (``id``, ``uuid``, ``status``,
    ``instance_uuid``, ``source_compute``, ``dest_compute``). Like the
    API, Nova drops them with the server.
    """
    with _in_cell(cell) as ctxt:
        found = objects.MigrationList.get_by_filters(
            ctxt, {'instance_uuid': server_id})
        return sorted(map(_migration_record, found),
                      key=lambda migration: migration['id'])


def backdate_migration(migration_uuid, cell, when):
    """Make the migration look last changed at ``when`` (a naive UTC time).

    Lets a test run the auto-confirm periodic as if its confirm window had
    passed, instead of sleeping through it. ``Migration.save`` would stamp
    the time anew, so the row is updated directly.
    """
    with _in_cell(cell) as ctxt:
        with main_db.get_context_manager(ctxt).writer.using(ctxt):
            changed = ctxt.session.query(main_models.Migration).filter_by(
                uuid=migration_uuid).update({'updated_at': when},
                                            synchronize_session=False)
    if changed != 1:
        raise LookupError(f'no migration {migration_uuid} in {cell.name}')


def auto_confirm(compute):
    """Run ``compute``'s auto-confirm periodic task once, now."""
    compute.manager._poll_unconfirmed_resizes(
        nova_context.get_admin_context())


def add_tracked_usage(host, vcpus):
    """Make ``host``'s compute node record count ``vcpus`` more in use.

    Only for the audit's own tests: a resource tracker gone wrong between
    two of its periodic tasks, which recount it from scratch.
    """
    ctxt = nova_context.get_admin_context()
    cell = objects.HostMapping.get_by_host(ctxt, host).cell_mapping
    with _in_cell(cell) as cctxt:
        for node in objects.ComputeNodeList.get_all_by_host(cctxt, host):
            node.vcpus_used += vcpus
            node.save()


def _migration_record(migration):
    return {
        'id': migration.id, 'uuid': migration.uuid,
        'status': migration.status,
        'instance_uuid': migration.instance_uuid,
        'source_compute': migration.source_compute,
        'dest_compute': migration.dest_compute,
    }


def servers_and_migrations():
    """Every server and every migration, in every cell.

    What ``/servers/detail?all_tenants=1`` and ``/os-migrations`` list,
    read in each cell the way ``nova-manage placement audit`` reads them:
    a listing through the API costs several times more. Servers are dicts
    with the keys the API gives them (``id``, ``status``, ``tenant_id``,
    and ``flavor`` with ``vcpus``, ``ram``, ``original_name``); migrations
    are as :func:`server_migrations` gives them.
    """
    servers, migrations = [], []
    for cell in objects.CellMappingList.get_all(
            nova_context.get_admin_context()):
        with _in_cell(cell) as ctxt:
            for instance in objects.InstanceList.get_by_filters(
                    ctxt, {'deleted': False}, expected_attrs=['flavor']):
                flavor = instance.flavor
                servers.append({
                    'id': instance.uuid,
                    'status': api_common.status_from_state(
                        instance.vm_state, instance.task_state),
                    'tenant_id': instance.project_id,
                    'flavor': {'vcpus': flavor.vcpus,
                               'ram': flavor.memory_mb,
                               'original_name': flavor.name},
                })
            migrations.extend(map(
                _migration_record,
                objects.MigrationList.get_by_filters(ctxt, {})))
    return servers, migrations
