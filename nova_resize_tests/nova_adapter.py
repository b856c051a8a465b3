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
from nova.policies import base as base_policies  # noqa: E402
from nova.policies import servers as servers_policies  # noqa: E402

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


def cell_name(number):
    """The name Nova's harness gives its ``number``-th cell of hosts.

    ``cell1`` is the default one; a test with ``NUMBER_OF_CELLS = 2`` also
    has ``cell2`` (cell0 holds only servers that were never scheduled).
    """
    return f'cell{number}'


def allow_cross_cell_resize(policy):
    """Let an admin resize and cold migrate a server to another cell.

    Nova's default policy allows nobody (``compute:servers:resize:
    cross_cell``); the suite's requests are the admin's. ``policy`` is the
    test's policy fixture, which puts the default back after the test.
    """
    policy.set_rules({
        servers_policies.CROSS_CELL_RESIZE: base_policies.RULE_ADMIN_API},
        overwrite=False)


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

    A server stays in its cell unless it is moved to another cell (its
    mapping changes once the move finished on the destination, and back on
    a revert), so a caller with one cell may keep the answer for the rest
    of its test.
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

def newest_action_events(server_id, action, cells):
    """Events of the server's newest ``action`` in each of ``cells``.

    ``cells`` are cell mappings (what :func:`server_cell` returns). A move
    across cells records one action in both cells: the conductor ends its
    own event in the cell the server was in when the request came, the
    compute hosts theirs in their own cells. Returns ``(event, result)``
    pairs from every cell, ``result`` being None while the event runs (or
    in a copy Nova made before it ended), or None while no cell has that
    action.
    """
    found = None
    for cell in cells:
        with _in_cell(cell) as ctxt:
            # Newest first.
            actions = [listed for listed in
                       objects.InstanceActionList.get_by_instance_uuid(
                           ctxt, server_id) if listed.action == action]
            if not actions:
                continue
            found = (found or []) + [
                (event.event, event.result) for event in
                objects.InstanceActionEventList.get_by_action(
                    ctxt, actions[0].id)]
    return found


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

    During a move across cells Nova keeps a hidden copy of the server in
    the other cell (listed nowhere, as the API lists servers) and a copy of
    each of its migrations, whose statuses differ: each migration is given
    once, as the cell its server is mapped to has it (see
    :func:`_one_copy_each`).
    """
    servers, copies = [], {}
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
            for migration in objects.MigrationList.get_by_filters(ctxt, {}):
                copies.setdefault(migration.uuid, []).append(
                    (cell.uuid, _migration_record(migration)))
    return servers, _one_copy_each(copies)


def _one_copy_each(copies):
    """One record per migration from ``{uuid: [(cell uuid, record)]}``.

    Where two cells hold a migration, the copy of the cell its server is
    mapped to now is the one the API and the next step of the move act on;
    a copy only one cell holds is taken as it is.
    """
    doubles = {held[0][1]['instance_uuid'] for held in copies.values()
               if len(held) > 1}
    current = {}
    if doubles:
        current = {
            mapping.instance_uuid: mapping.cell_mapping.uuid
            for mapping in objects.InstanceMappingList.get_by_instance_uuids(
                nova_context.get_admin_context(), list(doubles))
            if mapping.cell_mapping}
    chosen = []
    for held in copies.values():
        records = [record for cell_uuid, record in held
                   if current.get(record['instance_uuid']) == cell_uuid]
        chosen.append((records or [held[0][1]])[0])
    return chosen
