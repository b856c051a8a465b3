"""Faults of the Placement kind: the real app answers one write with an error.

The fixture swaps the wsgi-intercept registry entry of the test's Placement
endpoint for a thin WSGI wrapper around the very same app object, and puts
the original entry back at cleanup. Every request reaches the real app
unchanged except the one the fault selects, by method, path, the role of
the consumer it writes (instance or migration) and which occurrence after
the fault is armed. That request gets:

* ``503`` or ``500``: an answer in Placement's own JSON error format (Nova
  reads ``errors[0]``), without reaching the app;
* ``conflict``: a real consumer-generation conflict. Just before the request
  reaches the app, the consumer's current allocations are written once more
  (same resources, so only its generation moves on), and the app itself
  answers Nova's stale write with 409 ``placement.concurrent_update``.

Nothing of Placement is re-implemented: the error body is the documented
format, and the conflict is the app's own.
"""

import dataclasses
import io
import json
import threading

import webob
import wsgi_intercept

from nova_resize_tests import faults

MICROVERSION = '1.28'
TITLES = {'503': 'Service Unavailable', '500': 'Internal Server Error'}


def same_allocations(current):
    """GET ``current`` as a PUT body: one copy for the fault and its test."""
    return {'allocations': {
        provider: {'resources': held['resources']}
        for provider, held in current['allocations'].items()},
        'consumer_generation': current['consumer_generation'],
        'project_id': current['project_id'],
        'user_id': current['user_id']}


@dataclasses.dataclass(frozen=True)
class Call:
    """An allocation write Nova makes, as Placement sees it.

    ``role`` is the role of the consumer the request gives allocations to
    (for ``POST /allocations``, the one whose allocations are not empty),
    or, with ``empties``, the one it takes them all from.
    """

    method: str
    path: str
    role: str
    empties: bool = False

    def matches(self, method, path, body, role_of):
        if method != self.method:
            return None
        if self.path == '/allocations':
            if path != '/allocations':
                return None
            for consumer, held in (body or {}).items():
                if bool(held.get('allocations')) != self.empties and \
                        role_of(consumer) == self.role:
                    return self._stalest(body, consumer)
            return None
        prefix = '/allocations/'
        if not path.startswith(prefix):
            return None
        consumer = path[len(prefix):]
        if role_of(consumer) != self.role:
            return None
        if method == 'PUT' and \
                bool((body or {}).get('allocations')) == self.empties:
            return None
        return consumer

    @staticmethod
    def _stalest(body, consumer):
        # A move names two consumers; the one that already exists (it has a
        # generation) is the one whose generation can move on.
        for name, held in body.items():
            if held.get('consumer_generation') is not None:
                return name
        return consumer


#: The allocation writes of a move, by the name rows use.
CALLS = {
    # Conductor: the instance's source allocation becomes the migration's.
    'move-to-migration': Call('POST', '/allocations', 'migration'),
    # Scheduler: the instance claims the destination.
    'claim': Call('PUT', '/allocations/', 'instance'),
    # Conductor or compute: the migration's allocation goes back to the
    # instance (a failed move's cleanup, a revert).
    'move-to-instance': Call('POST', '/allocations', 'instance'),
    # Compute: the migration's allocation is emptied (confirm, and the
    # cleanup after finish_resize fails).
    'drop-migration': Call('PUT', '/allocations/', 'migration',
                           empties=True),
    # Compute: a deleted server's allocations go.
    'delete-instance': Call('DELETE', '/allocations/', 'instance'),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlacementError(faults.Fault):
    """Placement answers ``answer`` to the ``occurrence``-th ``call``.

    ``sender`` names who makes the call (conductor, scheduler, a host), for
    the test id only; the request is selected by what it is, not by who
    sends it.
    """

    call: str
    answer: str
    sender: str
    occurrence: int = 1

    kind = 'placement'

    def __post_init__(self):
        if self.call not in CALLS:
            raise ValueError(f'unknown Placement call {self.call!r}: one of '
                             f'{", ".join(CALLS)}')
        if self.answer not in (*TITLES, 'conflict'):
            raise ValueError(f'unknown Placement answer {self.answer!r}')

    @property
    def where(self):
        nth = f'#{self.occurrence}' if self.occurrence != 1 else ''
        return f'placement-{self.answer}:{self.call}{nth}@{self.sender}'

    def fixture(self, test):
        return PlacementInjection(self, test)


class PlacementInjection(faults.Injection):
    """Wraps the test's Placement app; answers the selected request."""

    def _setUp(self):
        self.call = CALLS[self.fault.call]
        self.seen = 0
        self.lock = threading.Lock()
        endpoint = self.test.placement.fixture.endpoint
        key = (endpoint.split('/')[2], 80)
        factory, script_name = wsgi_intercept._wsgi_intercept[key]
        app = factory()

        def wrapped():
            return lambda environ, start: self._serve(app, environ, start)

        wsgi_intercept._wsgi_intercept[key] = (wrapped, script_name)
        self.addCleanup(wsgi_intercept._wsgi_intercept.__setitem__, key,
                        (factory, script_name))

    def _selected(self, environ):
        """The consumer a selected request writes, or None."""
        length = int(environ.get('CONTENT_LENGTH') or 0)
        raw = environ['wsgi.input'].read(length) if length else b''
        environ['wsgi.input'] = io.BytesIO(raw)
        if not self.armed or environ['REQUEST_METHOD'] == 'GET':
            return None
        body = json.loads(raw) if raw else None
        consumer = self.call.matches(
            environ['REQUEST_METHOD'], environ.get('PATH_INFO', ''), body,
            self.test.consumer_role)
        if consumer is None:
            return None
        with self.lock:
            self.seen += 1
            return consumer if self.seen == self.fault.occurrence else None

    def _serve(self, app, environ, start_response):
        consumer = self._selected(environ)
        if consumer is None:
            return app(environ, start_response)
        request = f'{environ["REQUEST_METHOD"]} {environ["PATH_INFO"]}'
        if self.fault.answer == 'conflict':
            return self._conflict(app, environ, start_response, consumer,
                                  request)
        self.record(f'{request} answered {self.fault.answer}')
        status = int(self.fault.answer)
        title = TITLES[self.fault.answer]
        body = json.dumps({'errors': [{
            'status': status, 'title': title, 'code':
            'placement.undefined_code',
            'detail': f'{title}: injected by nova-resize-tests',
            'request_id': 'req-nova-resize-tests'}]}).encode()
        start_response(f'{status} {title}', [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(body)))])
        return [body]

    def _conflict(self, app, environ, start_response, consumer, request):
        self._rewrite(app, consumer)
        answered = []

        def noting(status, headers, *args):
            answered.append(status)
            return start_response(status, headers, *args)

        result = app(environ, noting)
        if answered and answered[0].startswith('409'):
            self.record(f'{request} met a consumer generation conflict '
                        f'on {consumer}')
        return result

    @staticmethod
    def _rewrite(app, consumer):
        """Write ``consumer``'s allocations once more, as they are."""
        headers = {'x-auth-token': 'admin',
                   'OpenStack-API-Version': f'placement {MICROVERSION}',
                   'Content-Type': 'application/json'}
        # Straight to the app: this write is not Nova's, nor selectable.
        url = f'/allocations/{consumer}'
        current = webob.Request.blank(url, headers=headers).get_response(
            app).json
        body = json.dumps(same_allocations(current)).encode()
        webob.Request.blank(url, method='PUT', headers=headers,
                            body=body).get_response(app)
