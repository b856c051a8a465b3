"""The README's scenario table is generated from the rows and kept in sync."""

import dataclasses
import os

import testtools

from nova_resize_tests import flavors
from nova_resize_tests import scenarios
from nova_resize_tests import table

README = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                      'README.rst')


class TestScenarioTable(testtools.TestCase):

    def test_readme_shows_the_current_rows(self):
        with open(README) as f:
            text = f.read()
        self.assertEqual(
            table.section(), table.current(text),
            'README.rst is out of date: run '
            '"python -m nova_resize_tests.table README.rst"')

    def test_readme_shows_the_current_findings(self):
        with open(README) as f:
            text = f.read()
        self.assertEqual(
            table.findings_section(),
            table.current(text, table.FINDINGS_BEGIN, table.FINDINGS_END),
            'README.rst is out of date: run '
            '"python -m nova_resize_tests.table README.rst"')

    def test_every_finding_is_shown_by_a_row(self):
        from nova_resize_tests import findings
        for finding in findings.ALL:
            self.assertTrue(
                any(finding in row.findings for row in scenarios.ROWS),
                finding.key)

    def test_one_line_per_row(self):
        self.assertEqual(len(scenarios.ROWS), len(table.lines()))

    def test_row_names_are_unique(self):
        names = [row.name for row in scenarios.ROWS]
        self.assertEqual(len(names), len(set(names)))

    def test_every_row_expects_a_state_after_each_step(self):
        for row in scenarios.ROWS:
            self.assertTrue(row.steps, row.name)
            for step in row.steps:
                self.assertIsInstance(step.expect, scenarios.Expect)

    def test_name_shows_steps_before_the_move_and_settings(self):
        expect = scenarios.Expect('ACTIVE', scenarios.SOURCE, None, {})
        row = scenarios.Row(
            scenarios.MIGRATE, None,
            (scenarios.Step('stop', expect),
             scenarios.Step(scenarios.MIGRATE, expect),
             scenarios.Step('auto-confirm', expect)),
            settings=(('max_attempts', 1, 'scheduler'),))
        self.assertEqual(
            'migrate,after=stop,fail=none,then=auto-confirm,max_attempts=1',
            row.name)
        # The periodic confirms as the user would: a confirm fault fires.
        self.assertEqual('confirm', row.steps[2].kind)

    def test_volume_backed_rows_expect_no_disk_anywhere(self):
        told = [row for row in scenarios.ROWS
                if row.server == scenarios.VOLUME]
        self.assertTrue(told)
        for row in told:
            self.assertIn(',volume-backed,', row.name)
            self.assertEqual((flavors.OLD_ON_VOLUME, flavors.NEW_ON_VOLUME),
                             row.flavors, row.name)
            for step in row.steps:
                for held in step.expect.allocations.values():
                    for flavor in held.values():
                        self.assertNotIn('DISK_GB', flavor.resources,
                                         row.name)

    def test_on_volume_keeps_the_row_but_its_flavors(self):
        row = scenarios.Row(scenarios.RESIZE, None, scenarios.moved(
            scenarios.RESIZE, scenarios.DEST, scenarios.NEW)[:2])
        told = scenarios.on_volume(row)
        self.assertEqual(
            [{'source': {'migration': flavors.OLD_ON_VOLUME},
              'dest': {'instance': flavors.NEW_ON_VOLUME}},
             {'dest': {'instance': flavors.NEW_ON_VOLUME}}],
            [step.expect.allocations for step in told.steps])
        self.assertEqual([step.expect.server for step in row.steps],
                         [step.expect.server for step in told.steps])
        self.assertEqual('resize,volume-backed,fail=none,then=confirm',
                         told.name)

    def test_cross_cell_rows_put_the_destination_in_another_cell(self):
        told = [row for row in scenarios.ROWS
                if row.cells == scenarios.CROSS_CELL]
        self.assertTrue(told)
        for row in told:
            self.assertEqual(f'{row.operation},cell-to-cell,',
                             row.name[:len(row.operation) + 14])
            self.assertEqual(2, row.number_of_cells)
            self.assertEqual(
                {scenarios.SOURCE: 1, scenarios.DEST: 2,
                 scenarios.ALTERNATE: 2},
                {host: row.cell_of(host) for host in
                 (scenarios.SOURCE, scenarios.DEST, scenarios.ALTERNATE)})
            # Every step that succeeds names the event that ends it there.
            for step in row.steps:
                if step.action in ('resize', 'migrate', 'confirm', 'revert'):
                    self.assertTrue(
                        step.ends_with or (row.fault and row.fault.action ==
                                           step.kind), row.name)

    def test_one_cell_rows_keep_their_names_and_hosts(self):
        row = scenarios.Row(scenarios.RESIZE, None, scenarios.moved(
            scenarios.RESIZE, scenarios.DEST, scenarios.NEW)[:1])
        self.assertEqual('resize,fail=none,then=nothing', row.name)
        self.assertEqual(1, row.number_of_cells)
        self.assertEqual(1, row.cell_of(scenarios.DEST))
        across = dataclasses.replace(row, cells=scenarios.CROSS_CELL,
                                     server=scenarios.VOLUME)
        self.assertEqual('resize,volume-backed,cell-to-cell,fail=none,'
                         'then=nothing', across.name)
