"""Faults of the RPC kind: one message on the in-memory bus goes wrong.

Nova's functional harness carries RPC over oslo.messaging's ``fake://``
driver, whose ``FakeExchange.deliver_message`` puts every cast and call on
its queue. The fixture wraps that method (after the suite's prompt bus, so a
delivered message still wakes its listener) and picks the message by its
RPC method and target host, never by topic: Nova 34 sends some compute
methods on a second topic. What happens to it:

* ``drop``: a cast is lost, as when a broker loses it;
* ``refuse``: sending fails, the sender sees ``MessageDeliveryFailure``;
* ``timeout``: a call is answered at once with ``MessagingTimeout``, as if
  its timeout (60 s, or 1800 s for the long calls) had passed, and the
  message is not delivered;
* ``hold``: the message waits until the row's ``release`` step, then is
  delivered as it was, as a slow broker would.

A dropped *call* would leave its caller waiting for the real timeout, so a
row drops casts only and answers calls with ``timeout``.
"""

import dataclasses
import threading

import fixtures
import oslo_messaging
from oslo_messaging._drivers import impl_fake

from nova_resize_tests import faults

WHATS = ('drop', 'refuse', 'timeout', 'hold')
RELEASE = 'release'


@dataclasses.dataclass(frozen=True, kw_only=True)
class RpcFault(faults.Fault):
    """``what`` happens to the ``occurrence``-th ``method`` message.

    ``host`` is the target server (a compute host); None selects a message
    to any server, as for the conductor and scheduler, whose messages go to
    a topic. ``service`` names the receiver in the test id.
    """

    method: str
    what: str
    host: str = None
    service: str = ''
    occurrence: int = 1

    kind = 'rpc'

    def __post_init__(self):
        if self.what not in WHATS:
            raise ValueError(f'unknown RPC fault {self.what!r}: one of '
                             f'{", ".join(WHATS)}')

    @property
    def where(self):
        nth = f'#{self.occurrence}' if self.occurrence != 1 else ''
        receiver = self.host or self.service
        return f'rpc-{self.what}:{self.method}{nth}@{receiver}'

    def on(self, host):
        if self.host is None:
            return self
        return dataclasses.replace(self, host=host)

    def fixture(self, test):
        return RpcInjection(self, test)


class RpcInjection(faults.Injection):
    """Wraps ``FakeExchange.deliver_message``; acts on the selected message."""

    def _setUp(self):
        self.seen = 0
        self.held = []
        self.lock = threading.Lock()
        exchange = impl_fake.FakeExchange
        deliver = exchange.deliver_message

        def deliver_message(bus, topic, ctxt, message, server=None,
                            fanout=False, reply_q=None):
            args = (bus, topic, ctxt, message)
            kwargs = dict(server=server, fanout=fanout, reply_q=reply_q)
            if not self._selected(message, server, fanout):
                return deliver(*args, **kwargs)
            return self._act(deliver, args, kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            f'{exchange.__module__}.{exchange.__qualname__}.deliver_message',
            deliver_message))
        self.deliver = deliver

    def _selected(self, message, server, fanout):
        if not self.armed or fanout or \
                message.get('method') != self.fault.method:
            return False
        if self.fault.host is not None and server != self.fault.host:
            return False
        with self.lock:
            self.seen += 1
            return self.seen == self.fault.occurrence

    def _act(self, deliver, args, kwargs):
        what = self.fault.what
        message, reply_q = args[3], kwargs['reply_q']
        kind = 'call' if reply_q is not None else 'cast'
        line = f'{kind} {message["method"]} to {kwargs["server"] or args[1]}'
        if what == 'hold':
            self.held.append((args, kwargs))
            self.record(f'{line} held')
            return None
        if what == 'refuse':
            self.record(f'{line} refused')
            raise oslo_messaging.MessageDeliveryFailure(
                f'{line} refused: injected by nova-resize-tests')
        if reply_q is not None:
            # A lost call: its caller gives up at once instead of after
            # its real timeout.
            self.record(f'{line} timed out')
            reply_q.put((None, oslo_messaging.MessagingTimeout(
                f'{line} timed out: injected by nova-resize-tests')))
            return None
        if what == 'drop':
            self.record(f'{line} lost')
            return None
        # A cast has no reply to time out: deliver it, and the row fails
        # for a fault that never fired.
        return deliver(*args, **kwargs)

    def step_begins(self, action):
        if action == RELEASE:
            self.release()
        super().step_begins(action)

    def release(self):
        """Deliver the held messages, in the order they were sent."""
        held, self.held = self.held, []
        for args, kwargs in held:
            self.deliver(*args, **kwargs)
