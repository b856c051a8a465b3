"""The matrix report reads subunit results and shows each env's verdict."""

import io
import os

import fixtures
import subunit
import testtools

from nova_resize_tests import report

PREFIX = 'nova_resize_tests.tests.functional.test_moves.MoveScenarioTestCase.'


def write_results(directory, env, statuses):
    with open(os.path.join(directory, f'{env}.subunit'), 'wb') as stream:
        writer = subunit.StreamResultToBytes(stream)
        for test, status in statuses.items():
            writer.status(test_id=PREFIX + test, test_status='inprogress')
            writer.status(test_id=PREFIX + test, test_status=status)


class TestReport(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        write_results(self.dir, 'functional', {
            'test_move(a)': 'success', 'test_move(b)': 'xfail'})
        write_results(self.dir, 'functional-nova30', {
            'test_move(a)': 'fail', 'test_move(b)': 'uxsuccess'})

    def test_cells_per_env_newest_first(self):
        matrix = report.collect(self.dir)
        self.assertEqual(['functional', 'functional-nova30'], list(matrix))
        self.assertEqual(
            [('test_moves.MoveScenarioTestCase.test_move(a)',
              ['pass', 'FAIL']),
             ('test_moves.MoveScenarioTestCase.test_move(b)',
              ['xfail', 'FAIL (unexpected success)'])],
            list(report.rows(matrix)))
        self.assertEqual((2, 2, 0), report.totals(matrix))

    def test_main_writes_both_tables_and_fails_on_failures(self):
        stdout = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        self.assertEqual(1, report.main([self.dir]))
        with open(os.path.join(self.dir, 'matrix.md')) as f:
            self.assertIn('functional-nova30 (2024.2, eventlet)', f.read())
        with open(os.path.join(self.dir, 'matrix.html')) as f:
            self.assertIn('<td class="fail">FAIL</td>', f.read())
        stdout.seek(0)
        self.assertEqual('2 passed, 2 failed, 0 skipped',
                         stdout.read().splitlines()[-1])

    def test_no_results_is_one_line(self):
        empty = self.useFixture(fixtures.TempDir()).path
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(2, report.main([empty]))
        stderr.seek(0)
        self.assertEqual(1, len(stderr.read().splitlines()))
