"""The suite's own fixtures, on planted faults."""

import socket

import testtools

from nova_resize_tests import fixtures as nrt_fixtures


class TestNoNetwork(testtools.TestCase):

    def test_tcp_connection_fails_at_once_naming_the_address(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        # Loopback and a closed port: harmless even if the fixture broke.
        error = self.assertRaises(
            nrt_fixtures.NetworkAttempt, socket.create_connection,
            ('127.0.0.1', 9), 1)
        self.assertIn("('127.0.0.1', 9)", str(error))

    def test_connect_ex_is_refused_too(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        with socket.socket() as sock:
            self.assertRaises(nrt_fixtures.NetworkAttempt, sock.connect_ex,
                              ('127.0.0.1', 9))

    def test_unix_sockets_still_work(self):
        self.useFixture(nrt_fixtures.NoNetwork())
        left, right = socket.socketpair()
        with left, right:
            left.sendall(b'x')
            self.assertEqual(b'x', right.recv(1))

    def test_connections_allowed_again_after_the_fixture(self):
        with nrt_fixtures.NoNetwork():
            pass
        with socket.socket() as sock:
            # ECONNREFUSED from the closed port, not NetworkAttempt.
            self.assertNotEqual(0, sock.connect_ex(('127.0.0.1', 9)))
