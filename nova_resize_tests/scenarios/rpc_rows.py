"""Rows whose fault is one RPC message lost, refused or timed out.

Each hop of a move is a message on the bus: the conductor's call to the
scheduler (``select_destinations``) and cast to the destination
(``prep_resize``), the destination's cast to the source
(``resize_instance``), the source's back (``finish_resize``), the API's
casts for confirm (``confirm_resize``) and revert (``revert_resize``), the
destination's cast to the source when reverting (``finish_revert_resize``),
and two calls: the destination's reschedule to the conductor
(``migrate_server``) and the API's confirm on delete. A lost cast leaves
the move in flight for good, and the user's way out is to delete the
server: then nothing may be left anywhere. A refused cast or a timed-out
call is an error Nova must clean up after, as for any other failure.
"""

from nova_resize_tests.faults import both
from nova_resize_tests.faults import rpc
from nova_resize_tests import findings
from nova_resize_tests import scenarios as s
from nova_resize_tests.scenarios import driver_rows

#: A step that no instance action event ends: the API set the migration
#: status before it sent the message that was then lost.
NO_EVENT = (None, None)


def message(method, what, host=None, service='', action='move', event='',
            occurrence=1):
    sender = f'to {host}' if host else f'to the {service}'
    return rpc.RpcFault(
        method=method, what=what, host=host, service=service, action=action,
        event=event, occurrence=occurrence,
        how=f'the {method} message {sender} is '
            + {'drop': 'lost', 'refuse': 'refused by the bus',
               'timeout': 'answered with MessagingTimeout at once',
               'hold': 'held until released'}[what])


#: The bus refuses the conductor's prep_resize to the destination.
REFUSED_PREP = message('prep_resize', 'refuse', host=s.DEST,
                       event='conductor_migrate_server')


def rows(operation, dest, new):
    on_source = s.held((s.SOURCE, 'instance', s.OLD))
    on_dest = s.held((dest, 'instance', new))
    in_flight = s.held((s.SOURCE, 'migration', s.OLD),
                       (dest, 'instance', new))
    verify, confirmed, reverted = s.moved(operation, dest, new)
    again = s.moved(operation, dest, new, role='migration-2')[0]
    delete = s.Step('delete', s.deleted())
    rows = []

    def row(fault, *steps, **kwargs):
        rows.append(s.Row(operation, fault, steps, **kwargs))

    # A cast is lost: the move stays in flight, as Nova last wrote it,
    # until the user deletes the server.
    for method, host, before, ends_with, server, migration, task in (
            ('prep_resize', dest, (), ('conductor_migrate_server',
                                       'success'),
             'RESIZE', 'pre-migrating', 'resize_prep'),
            ('resize_instance', s.SOURCE, (), ('compute_prep_resize',
                                               'success'),
             'RESIZE', 'pre-migrating', 'resize_prep'),
            ('finish_resize', dest, (), ('compute_resize_instance',
                                         'success'),
             'RESIZE', 'post-migrating', 'resize_migrated'),
            ('confirm_resize', s.SOURCE, (verify,), NO_EVENT,
             'VERIFY_RESIZE', 'confirming', None),
            ('revert_resize', dest, (verify,), NO_EVENT,
             'REVERT_RESIZE', 'reverting', 'resize_reverting'),
            # The destination calls the migration reverted before it sends
            # finish_revert_resize to the source.
            ('finish_revert_resize', s.SOURCE, (verify,),
             ('compute_revert_resize', 'success'),
             'REVERT_RESIZE', 'reverted', 'resize_reverting')):
        action = {'confirm_resize': 'confirm'}.get(
            method, 'revert' if 'revert' in method else 'move')
        step = {'move': operation}.get(action, action)
        # Until finish_resize runs, the server is on the source.
        host_now = s.SOURCE if action == 'move' else dest
        lost = s.Step(step, s.Expect(server, host_now, migration, in_flight,
                                     task=task), ends_with=ends_with)
        fault = message(method, 'drop', host=host, action=action)
        # A lost confirm is the one the delete recovers from.
        found = () if method == 'confirm_resize' else (
            findings.DELETE_IN_FLIGHT,)
        row(fault, *before, lost, delete, findings=found)

    # The bus refuses a cast: the sender's error handling runs.
    refused_prep = REFUSED_PREP.on(dest)
    not_moved = s.Step(operation, s.Expect('ACTIVE', s.SOURCE, 'error',
                                           on_source))
    hard_reboot = s.Step('hard-reboot', s.Expect('ACTIVE', s.SOURCE, 'error',
                                                 on_source))
    row(refused_prep, not_moved, hard_reboot)
    row(refused_prep, not_moved, delete)
    failed = s.Step(operation, s.Expect('ERROR', s.SOURCE, 'error',
                                        on_source))
    refused_resize = message('resize_instance', 'refuse', host=s.SOURCE,
                             event='compute_prep_resize')
    row(refused_resize, failed, delete)
    # The source powered the guest off and pointed the server at the
    # destination before the cast: the destination must hold what the
    # server's (unchanged) flavor is.
    refused_finish = message('finish_resize', 'refuse', host=dest,
                             event='compute_resize_instance')
    pointed_at_dest = s.Step(operation, s.Expect(
        'ERROR', dest, 'error', s.held((dest, 'instance', s.OLD))))
    mismatch = () if dest == s.SOURCE else (
        findings.RESIZE_INSTANCE_HOST_MISMATCH,)
    row(refused_finish, pointed_at_dest, delete, findings=mismatch)
    # revert_resize fails on the destination: the same as any failure
    # there.
    refused_revert = message('finish_revert_resize', 'refuse',
                             host=s.SOURCE, action='revert',
                             event='compute_revert_resize')
    revert_failed = s.Step('revert', s.Expect('ERROR', dest, 'error',
                                              on_dest))
    row(refused_revert, verify, revert_failed, delete,
        findings=(findings.REVERT_ON_DEST_LEAK,))

    # A call times out: the scheduler's answer never comes.
    no_answer = message('select_destinations', 'timeout',
                        service='scheduler', event='conductor_migrate_server')
    never_started = s.Step(operation, s.Expect('ACTIVE', s.SOURCE, 'error',
                                               on_source))
    row(no_answer, never_started, again)

    if operation != s.SAME_HOST:
        # prep_resize fails on the first choice and the reschedule call to
        # the conductor (the second migrate_server: the API's was the
        # first) times out.
        reschedule = both.Both.of(
            driver_rows.PREP_RESIZE,
            message('migrate_server', 'timeout', service='conductor',
                    occurrence=2))
        row(reschedule, failed, delete, alternate=True)

    # The API's confirm on delete gets no answer from the source: the
    # delete fails and must change nothing, so the user can delete again.
    confirm_on_delete = message('confirm_resize', 'timeout', host=s.SOURCE,
                                action='delete')
    not_deleted = s.Step('delete', verify.expect, refused=500)
    row(confirm_on_delete, verify, not_deleted,
        findings=(findings.DELETE_STUCK_DELETING,))
    return rows
