"""The matrix report reads subunit results and shows each env's verdict."""

import io
import os

import fixtures
import subunit
import testtools

from nova_resize_tests import report

PREFIX = 'nova_resize_tests.tests.functional.test_moves.MoveScenarioTestCase.'
OTHER = ('nova_resize_tests.tests.functional.test_bug_1825537.'
         'FinishResizeFailureTestCase.test_finish_resize_failure')
FINDING = ('rolled-back-flavor: after finish_migration fails, Placement '
           'keeps the new flavor\nComputeManager._finish_resize rolls the '
           'flavor back; the allocation stays.')


def write_results(directory, env, statuses):
    """Write ``{test: status or (status, {detail: text})}`` as a stream."""
    with open(os.path.join(directory, f'{env}.subunit'), 'wb') as stream:
        writer = subunit.StreamResultToBytes(stream)
        for test, outcome in statuses.items():
            status, details = (outcome if isinstance(outcome, tuple)
                               else (outcome, {}))
            test_id = test if test.startswith('nova_') else PREFIX + test
            writer.status(test_id=test_id, test_status='inprogress')
            for name, text in details.items():
                writer.status(test_id=test_id, file_name=name,
                              file_bytes=text.encode('utf-8'),
                              mime_type='text/plain; charset=utf8',
                              eof=True)
            writer.status(test_id=test_id, test_status=status)


class TestParse(testtools.TestCase):

    def test_scenario_ids(self):
        for test_id, expected in [
            (PREFIX + 'test_move(resize,fail=none,then=confirm)',
             ('resize', 'none', 'confirm')),
            (PREFIX + 'test_move(resize-same-host,fail=finish_migration@dest'
             ',then=revert+delete)',
             ('resize-same-host', 'finish_migration@dest', 'revert+delete')),
            # Another module and class, a fault with every odd character.
            ('nova_resize_tests.tests.functional.test_placement_faults.'
             'PlacementFaults.test_move(migrate,fail=placement-503:PUT/'
             'allocations@migration#1=x,then=nothing)',
             ('migrate', 'placement-503:PUT/allocations@migration#1=x',
              'nothing')),
            # The server's shape and steps before the move go with the
            # operation, settings with the failure.
            (PREFIX + 'test_move(migrate,volume-backed,after=stop,'
             'fail=prep_resize@dest,then=delete,max_attempts=1)',
             ('migrate,volume-backed,after=stop',
              'prep_resize@dest (max_attempts=1)', 'delete')),
            # Where the hosts are goes with the operation too.
            (PREFIX + 'test_move(resize,cell-to-cell,fail='
             'prep_snapshot_based_resize_at_dest-once@dest,'
             'then=reset-active+resize)',
             ('resize,cell-to-cell',
              'prep_snapshot_based_resize_at_dest-once@dest',
              'reset-active+resize')),
        ]:
            row = report.parse(test_id)
            self.assertEqual(expected, (row.op, row.fail, row.then), test_id)

    def test_other_ids(self):
        for test_id in [
                OTHER,
                PREFIX + 'test_other(resize,fail=none,then=confirm)',
                'elsewhere.Case.test_move(resize,fail=none,then=confirm)',
                PREFIX + 'test_move(resize,fail=none)',
                PREFIX + 'test_move(resize,fail=none,then=a,b)']:
            self.assertIsNone(report.parse(test_id), test_id)


class TestMatrix(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        write_results(self.dir, 'functional', {
            'test_move(resize,fail=none,then=confirm)': 'success',
            'test_move(resize,fail=finish_migration@dest,then=nothing)': (
                'success', {'known-finding': FINDING}),
            'test_move(resize,fail=destroy_on_revert@dest,then=revert)':
                'xfail',
            'test_move(migrate,fail=none,then=nothing)': 'success',
            OTHER: 'success'})
        write_results(self.dir, 'functional-nova30', {
            'test_move(resize,fail=none,then=confirm)': (
                'fail', {'traceback': 'AssertionError: leaked <source>',
                         'placement-timeline': 'after boot:\n  source ...',
                         'pythonlogging:': 'not shown'}),
            'test_move(resize,fail=finish_migration@dest,then=nothing)': (
                'success', {'known-finding': FINDING}),
            'test_move(resize,fail=destroy_on_revert@dest,then=revert)':
                'uxsuccess',
            OTHER: 'skip'})
        self.results = report.collect(self.dir)
        self.matrix = report.Matrix(self.results)

    def test_envs_newest_first_and_totals(self):
        self.assertEqual(['functional', 'functional-nova30'],
                         self.matrix.envs)
        self.assertEqual((6, 2, 1), self.matrix.totals())

    def test_grid_rows_are_failure_points_columns_follow_ups(self):
        self.assertEqual(['resize', 'migrate'], self.matrix.operations)
        fails, thens, cells = self.matrix.grid('resize')
        self.assertEqual(['none', 'finish_migration@dest',
                          'destroy_on_revert@dest'], fails)
        self.assertEqual(['nothing', 'confirm', 'revert'], thens)
        self.assertEqual([PREFIX + 'test_move(resize,fail=none,then=confirm)'],
                         cells['none', 'confirm'])
        self.assertNotIn(('none', 'nothing'), cells)
        self.assertEqual([OTHER], self.matrix.other)

    def test_findings_grouped_by_key_with_rows_and_envs(self):
        findings = self.matrix.findings()
        self.assertEqual(['rolled-back-flavor'], list(findings))
        finding = findings['rolled-back-flavor']
        self.assertEqual('after finish_migration fails, Placement keeps '
                         'the new flavor', finding['title'])
        self.assertIn('_finish_resize', finding['reason'])
        self.assertEqual(
            {PREFIX + 'test_move(resize,fail=finish_migration@dest,'
             'then=nothing)': ['functional', 'functional-nova30']},
            dict(finding['rows']))

    def test_only_the_shown_details_are_kept(self):
        result = self.results['functional-nova30'][
            PREFIX + 'test_move(resize,fail=none,then=confirm)']
        self.assertEqual({'traceback', 'placement-timeline'},
                         set(result.details))

    def test_markdown_has_one_grid_per_operation(self):
        text = report.markdown(self.results)
        self.assertIn('## resize\n\n| fails at | nothing | confirm | revert |',
                      text)
        self.assertIn('| `none` |  | ✓✗ |  |', text)
        self.assertIn('| `finish_migration@dest` | ✓✓ [1] |  |  |', text)
        self.assertIn('| `destroy_on_revert@dest` |  |  | x! |', text)
        self.assertIn('## migrate', text)
        self.assertIn('2. functional-nova30 (2024.2, eventlet)', text)
        self.assertIn('1. **rolled-back-flavor**: after finish_migration '
                      'fails, Placement keeps the new flavor (on 2024.2, '
                      '2026.2; 1 row: `resize,fail=finish_migration@dest,'
                      'then=nothing`)', text)
        self.assertIn('| `test_bug_1825537.FinishResizeFailureTestCase.'
                      'test_finish_resize_failure` | ✓ | s |', text)

    def test_html_marks_name_env_and_status(self):
        page = report.to_html(self.results)
        self.assertIn('<span class="m fail" title="functional-nova30 '
                      '(2024.2, eventlet): FAIL">✗</span>', page)
        self.assertIn('title="functional (2026.2, eventlet): xfail"', page)

    def test_html_bad_cells_open_to_failure_and_timeline(self):
        page = report.to_html(self.results)
        bad = page[page.index('<details>'):page.index('</details>')]
        self.assertIn('AssertionError: leaked &lt;source&gt;', bad)
        self.assertIn('placement-timeline:\nafter boot:', bad)
        self.assertNotIn('not shown', page)
        # The unexpected success opens too; good cells do not.
        self.assertEqual(2, page.count('<details>'))
        self.assertIn('has Nova fixed it?', page)

    def test_html_findings_section(self):
        page = report.to_html(self.results)
        self.assertIn('<li id="finding-rolled-back-flavor"><b>'
                      'rolled-back-flavor</b>', page)
        self.assertIn('seen on 2024.2, 2026.2, in 1 row:', page)
        self.assertIn('href="#finding-rolled-back-flavor"', page)

    def test_main_writes_both_pages_and_fails_on_failures(self):
        stdout = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', stdout))
        self.assertEqual(1, report.main([self.dir]))
        for name in ('matrix.md', 'matrix.html'):
            self.assertTrue(os.path.isfile(os.path.join(self.dir, name)))
        self.assertEqual('6 passed, 2 failed, 1 skipped',
                         stdout.getvalue().splitlines()[-1])

    def test_no_results_is_one_line(self):
        empty = self.useFixture(fixtures.TempDir()).path
        stderr = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', stderr))
        self.assertEqual(2, report.main([empty]))
        self.assertEqual(1, len(stderr.getvalue().splitlines()))


class TestParseFindings(testtools.TestCase):

    def test_one_block_per_finding(self):
        text = 'a-key: first title\nwhy a\n\nb-key: second\nwhy b\nmore\n'
        self.assertEqual(
            [('a-key', 'first title', 'why a'),
             ('b-key', 'second', 'why b\nmore')],
            report.parse_findings(text))

    def test_no_detail_no_finding(self):
        self.assertEqual([], report.parse_findings(None))
