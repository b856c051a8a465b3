"""The fixtures that spare repeated work: they must not change results."""

import uuid

import fixtures
import jsonschema
from oslo_db.sqlalchemy import engines
import sqlalchemy
from sqlalchemy.sql import elements
import testtools
from testtools import matchers

from nova_resize_tests import speed

VALIDATOR = jsonschema.validators.validator_for({})
CHECK_SCHEMA = (f'{VALIDATOR.__module__}.{VALIDATOR.__qualname__}'
                '.check_schema')


def new_schema(**extra):
    """A schema no earlier test can have checked (the cache is global)."""
    return dict({'type': 'object', 'description': str(uuid.uuid4()),
                 'properties': {'vcpus': {'type': 'integer', 'minimum': 1}},
                 'required': ['vcpus']}, **extra)


class CountsSchemaChecks(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Counts the checks that reach jsonschema's own check_schema.
        self.checked = []
        original = VALIDATOR.check_schema.__func__

        def counting(cls, schema, *args, **kwargs):
            self.checked.append(schema['description'])
            return original(cls, schema, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(CHECK_SCHEMA,
                                             classmethod(counting)))


class TestSchemasCheckedOnce(CountsSchemaChecks):

    def test_a_valid_schema_is_checked_once(self):
        self.useFixture(speed.SchemasCheckedOnce())
        schema = new_schema()
        for _ in range(3):
            jsonschema.validate({'vcpus': 2}, schema)
        self.assertEqual([schema['description']], self.checked)

    def test_an_equal_copy_is_not_checked_again(self):
        self.useFixture(speed.SchemasCheckedOnce())
        schema = new_schema()
        jsonschema.validate({'vcpus': 2}, schema)
        jsonschema.validate({'vcpus': 2}, dict(schema))
        self.assertEqual(1, len(self.checked))

    def test_different_schemas_are_each_checked(self):
        self.useFixture(speed.SchemasCheckedOnce())
        first, second = new_schema(), new_schema()
        jsonschema.validate({'vcpus': 2}, first)
        jsonschema.validate({'vcpus': 2}, second)
        self.assertEqual([first['description'], second['description']],
                         self.checked)

    def test_requests_are_still_validated(self):
        self.useFixture(speed.SchemasCheckedOnce())
        schema = new_schema()
        jsonschema.validate({'vcpus': 2}, schema)
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate,
                          {'vcpus': 0}, schema)
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate,
                          {}, schema)

    def test_an_invalid_schema_fails_every_time(self):
        self.useFixture(speed.SchemasCheckedOnce())
        schema = new_schema(minProperties='one')
        for _ in range(2):
            self.assertRaises(jsonschema.SchemaError, jsonschema.validate,
                              {'vcpus': 2}, schema)
        self.assertEqual(2, len(self.checked))

    def test_checks_again_once_the_fixture_is_gone(self):
        schema = new_schema()
        with speed.SchemasCheckedOnce():
            jsonschema.validate({'vcpus': 2}, schema)
        jsonschema.validate({'vcpus': 2}, schema)
        self.assertEqual(2, len(self.checked))


class TestCompiledStatementsShared(testtools.TestCase):
    """Engines of equal set-up share compiled SQL; results stay the same."""

    def setUp(self):
        super().setUp()
        # A table no other test compiles statements for (the store is
        # shared by the whole process).
        self.table = sqlalchemy.Table(
            f't{uuid.uuid4().hex}', sqlalchemy.MetaData(),
            sqlalchemy.Column('id', sqlalchemy.Integer, primary_key=True),
            sqlalchemy.Column('name', sqlalchemy.String(20)))
        # Counts real compilations, hits of any cache excluded.
        self.compiled = []
        original = elements.CompilerElement._compiler

        def counting(element, dialect, **kwargs):
            self.compiled.append(type(element).__name__)
            return original(element, dialect, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'sqlalchemy.sql.elements.CompilerElement._compiler', counting))

    def names(self, engine, options=None):
        """Set the table up on ``engine``, add rows, read their names."""
        statement = sqlalchemy.select(self.table.c.name).where(
            self.table.c.id > sqlalchemy.bindparam('low')).order_by(
            self.table.c.id)
        with engine.begin() as connection:
            self.table.create(connection)
            connection.execute(self.table.insert(),
                               [{'id': 1, 'name': 'one'},
                                {'id': 2, 'name': 'two'}])
            if options:
                connection = connection.execution_options(**options)
            self.compiled.clear()
            return [row.name for row in connection.execute(
                statement, {'low': 1})]

    def test_a_new_engine_reuses_what_an_earlier_one_compiled(self):
        self.useFixture(speed.CompiledStatementsShared())
        self.assertEqual(['two'], self.names(sqlalchemy.create_engine(
            'sqlite://')))
        self.assertEqual(1, len(self.compiled))
        self.assertEqual(['two'], self.names(sqlalchemy.create_engine(
            'sqlite://')))
        self.assertEqual([], self.compiled)

    def test_without_it_each_engine_compiles_again(self):
        # The cost the fixture removes: proves the test above can fail.
        for _ in range(2):
            self.assertEqual(['two'], self.names(sqlalchemy.create_engine(
                'sqlite://')))
            self.assertEqual(1, len(self.compiled))

    def test_a_dialect_set_up_differently_compiles_its_own(self):
        self.useFixture(speed.CompiledStatementsShared())
        qmark = sqlalchemy.create_engine('sqlite://')
        named = sqlalchemy.create_engine('sqlite://', paramstyle='named')
        self.assertEqual(['two'], self.names(qmark))
        self.assertEqual(['two'], self.names(named))
        self.assertEqual(1, len(self.compiled))
        self.assertNotEqual(speed.dialect_settings(qmark.dialect),
                            speed.dialect_settings(named.dialect))

    def test_no_cache_asked_for_means_none(self):
        self.useFixture(speed.CompiledStatementsShared())
        engine = sqlalchemy.create_engine('sqlite://')
        self.names(engine)
        self.assertEqual(['two'], self.names(
            sqlalchemy.create_engine('sqlite://'),
            options={'compiled_cache': None}))
        self.assertEqual(1, len(self.compiled))

    def test_settings_name_what_compiles_differently(self):
        plain = sqlalchemy.create_engine('sqlite://').dialect
        self.assertEqual(speed.dialect_settings(plain),
                         speed.dialect_settings(
                             sqlalchemy.create_engine('sqlite://').dialect))
        self.assertNotEqual(
            speed.dialect_settings(plain),
            speed.dialect_settings(sqlalchemy.create_engine(
                'sqlite://', label_length=10).dialect))
        self.assertNotEqual(
            speed.dialect_settings(plain),
            speed.dialect_settings(sqlalchemy.create_engine(
                'sqlite://', json_serializer=repr).dialect))


class TestSqliteFileConnectionsPooled(testtools.TestCase):
    """SQLite file engines keep connections; nothing else changes."""

    def setUp(self):
        super().setUp()
        self.path = self.useFixture(fixtures.TempDir()).join('cell1.sqlite')

    def engine(self, url=None):
        """An engine built as oslo.db builds Nova's and Placement's."""
        engine = engines.create_engine(url or f'sqlite:///{self.path}')
        self.addCleanup(engine.dispose)
        self.connects = []
        sqlalchemy.event.listen(engine, 'connect',
                                lambda *args: self.connects.append(1))
        return engine

    def transactions(self, engine):
        """Three transactions: create, write, read back."""
        with engine.begin() as connection:
            connection.exec_driver_sql('CREATE TABLE t (name TEXT)')
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES ('one')")
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                'SELECT name FROM t').scalars().all()

    def test_a_file_engine_reuses_its_connection(self):
        self.useFixture(speed.SqliteFileConnectionsPooled())
        engine = self.engine()
        self.assertThat(engine.pool, matchers.IsInstance(
            sqlalchemy.pool.QueuePool))
        self.assertEqual(['one'], self.transactions(engine))
        # The connection oslo.db opened to try the database serves all.
        self.assertEqual([], self.connects)

    def test_without_it_each_transaction_connects(self):
        # The cost the fixture removes: proves the test above can fail.
        engine = self.engine()
        self.assertThat(engine.pool, matchers.IsInstance(
            sqlalchemy.pool.NullPool))
        self.assertEqual(['one'], self.transactions(engine))
        self.assertEqual(3, len(self.connects))

    def test_an_in_memory_engine_is_left_as_it_was(self):
        self.useFixture(speed.SqliteFileConnectionsPooled())
        self.assertThat(self.engine('sqlite://').pool, matchers.IsInstance(
            sqlalchemy.pool.StaticPool))

    def test_a_null_pool_in_memory_is_kept(self):
        self.useFixture(speed.SqliteFileConnectionsPooled())
        engine = sqlalchemy.create_engine(
            'sqlite://', poolclass=sqlalchemy.pool.NullPool)
        self.assertThat(engine.pool, matchers.IsInstance(
            sqlalchemy.pool.NullPool))

    def test_which_urls_are_files(self):
        self.assertTrue(speed.is_sqlite_file('sqlite:////tmp/a.sqlite'))
        self.assertTrue(speed.is_sqlite_file('sqlite+pysqlite:///a.db'))
        for url in ('sqlite://', 'sqlite:///:memory:',
                    'sqlite:///file:a?mode=memory&uri=true',
                    'mysql+pymysql://u:p@localhost/nova'):
            self.assertFalse(speed.is_sqlite_file(url), url)

    def test_it_goes_with_the_fixture(self):
        with speed.SqliteFileConnectionsPooled():
            pass
        self.assertThat(self.engine().pool, matchers.IsInstance(
            sqlalchemy.pool.NullPool))


class TestTableAliasesShared(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # A table no other test has aliased (the aliases are kept for the
        # process).
        self.table = sqlalchemy.Table(
            f'providers_{uuid.uuid4().hex}', sqlalchemy.MetaData(),
            sqlalchemy.Column('id', sqlalchemy.Integer, primary_key=True),
            sqlalchemy.Column('parent_id', sqlalchemy.Integer),
            sqlalchemy.Column('name', sqlalchemy.String(20)))

    def test_a_named_alias_is_made_once(self):
        self.useFixture(speed.TableAliasesShared())
        first = sqlalchemy.alias(self.table, name='rp')
        self.assertIs(first, sqlalchemy.alias(self.table, name='rp'))
        # Its columns were built when it was made, so no reader builds them.
        self.assertIn('c', vars(first))

    def test_without_it_each_call_makes_another(self):
        self.assertIsNot(sqlalchemy.alias(self.table, name='rp'),
                         sqlalchemy.alias(self.table, name='rp'))

    def test_other_names_and_selectables_are_made_as_asked(self):
        self.useFixture(speed.TableAliasesShared())
        self.assertIsNot(sqlalchemy.alias(self.table, name='rp'),
                         sqlalchemy.alias(self.table, name='parent'))
        self.assertIsNot(sqlalchemy.alias(self.table),
                         sqlalchemy.alias(self.table))
        query = sqlalchemy.select(self.table.c.id)
        self.assertIsNot(sqlalchemy.alias(query, name='q'),
                         sqlalchemy.alias(query, name='q'))

    def test_a_shared_alias_queries_each_engine_it_runs_on(self):
        self.useFixture(speed.TableAliasesShared())
        for names in (('a', 'b'), ('c',)):
            engine = sqlalchemy.create_engine('sqlite://')
            self.table.metadata.create_all(engine)
            with engine.begin() as connection:
                connection.execute(self.table.insert(), [
                    {'id': 1, 'parent_id': None, 'name': 'root'}] + [
                    {'id': i, 'parent_id': 1, 'name': name}
                    for i, name in enumerate(names, 2)])
            # A self-join of two aliases, as Placement's queries make.
            child = sqlalchemy.alias(self.table, name='rp')
            parent = sqlalchemy.alias(self.table, name='parent')
            query = sqlalchemy.select(child.c.name, parent.c.name).select_from(
                sqlalchemy.join(child, parent,
                                child.c.parent_id == parent.c.id))
            with engine.connect() as connection:
                self.assertEqual(sorted((name, 'root') for name in names),
                                 sorted(map(tuple, connection.execute(query))))

    def test_it_goes_with_the_fixture(self):
        with speed.TableAliasesShared():
            pass
        self.assertIsNot(sqlalchemy.alias(self.table, name='rp'),
                         sqlalchemy.alias(self.table, name='rp'))


class TestPolicyFilesParsedOnce(testtools.TestCase):

    def setUp(self):
        super().setUp()
        from oslo_policy import policy
        self.policy = policy
        # A text no earlier test can have parsed (the cache is global).
        self.text = (f'"rule:{uuid.uuid4()}": "role:admin"\n'
                     '"admin_or_owner": "is_admin:True or '
                     'project_id:%(project_id)s"\n')
        self.parsed = []
        original = policy.parse_file_contents

        def counting(data):
            self.parsed.append(data)
            return original(data)

        self.useFixture(fixtures.MonkeyPatch(
            'oslo_policy.policy.parse_file_contents', counting))

    def test_a_text_is_parsed_once(self):
        self.useFixture(speed.PolicyFilesParsedOnce())
        first = self.policy.parse_file_contents(self.text)
        self.assertEqual(first, self.policy.parse_file_contents(self.text))
        self.assertEqual([self.text], self.parsed)

    def test_without_it_each_load_parses(self):
        self.policy.parse_file_contents(self.text)
        self.policy.parse_file_contents(self.text)
        self.assertEqual(2, len(self.parsed))

    def test_callers_get_their_own_copy(self):
        self.useFixture(speed.PolicyFilesParsedOnce())
        first = self.policy.parse_file_contents(self.text)
        first.clear()
        self.assertEqual(2, len(self.policy.parse_file_contents(self.text)))

    def test_rules_load_as_before(self):
        expected = self.policy.Rules.load(self.text)
        self.useFixture(speed.PolicyFilesParsedOnce())
        for _ in range(2):
            self.assertEqual(
                {name: str(check) for name, check in expected.items()},
                {name: str(check) for name, check in
                 self.policy.Rules.load(self.text).items()})

    def test_a_bad_text_fails_every_time(self):
        self.useFixture(speed.PolicyFilesParsedOnce())
        for _ in range(2):
            self.assertRaises(ValueError, self.policy.parse_file_contents,
                              '"rule": [unclosed')
        self.assertEqual(2, len(self.parsed))


class TestEverySaving(CountsSchemaChecks):

    def test_uses_every_fixture_of_the_module(self):
        names = {name for name, value in vars(speed).items()
                 if isinstance(value, type) and
                 issubclass(value, fixtures.Fixture) and
                 value is not speed.EverySaving}
        self.assertEqual(names, {fixture.__name__
                                 for fixture in speed.EverySaving.FIXTURES})

    def test_installs_them(self):
        self.useFixture(speed.EverySaving())
        schema = new_schema()
        jsonschema.validate({'vcpus': 2}, schema)
        jsonschema.validate({'vcpus': 2}, schema)
        self.assertEqual(1, len(self.checked))
