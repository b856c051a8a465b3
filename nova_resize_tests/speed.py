"""Fixtures that spare a test work it would repeat from unchanging inputs.

Each one saves CPU seconds of every test and changes nothing a test can
observe: no state is carried from one test to the next but facts derived
from inputs that cannot change, keyed by those inputs. The saving each
fixture was measured to bring is in its docstring; README.rst
(Performance) says how to measure it again.
"""

import copy
import json
import threading
import types
import weakref

import fixtures
import jsonschema
import sqlalchemy
from sqlalchemy.sql import elements
from sqlalchemy import util as sqlalchemy_util


class SchemasCheckedOnce(fixtures.Fixture):
    """Check each JSON schema against its meta-schema once per process.

    Placement validates every request body and query string with
    ``jsonschema.validate``, which first proves that the *schema* itself
    is valid (``check_schema``) before it validates the request. Placement's
    schemas are constants, so every test proved the same eleven schemas
    valid again: 25 checks, 0.08 s of CPU in the seed scenario (measured
    with nova 34). Here a schema that passed the check once, compared by
    its full JSON text, is not checked again; the request itself is still
    validated exactly as before, and a schema that fails is checked (and
    fails) every time. Only the validator class jsonschema picks for a
    schema that names no ``$schema`` (Placement's) is affected.
    """

    #: JSON text of the schemas found valid so far, with their validator.
    _valid = set()

    def _setUp(self):
        validator = jsonschema.validators.validator_for({})
        check = validator.check_schema.__func__
        valid = self._valid

        def check_schema(cls, schema, *args, **kwargs):
            try:
                key = (cls, json.dumps(schema, sort_keys=True),
                       repr(args), repr(sorted(kwargs.items())))
            except (TypeError, ValueError):
                # Not plain JSON: nothing to compare it by.
                return check(cls, schema, *args, **kwargs)
            if key not in valid:
                check(cls, schema, *args, **kwargs)
                valid.add(key)

        self.useFixture(fixtures.MonkeyPatch(
            f'{validator.__module__}.{validator.__qualname__}.check_schema',
            classmethod(check_schema)))


#: Setting values a dialect's key holds as they are.
_PLAIN = (bool, int, float, str, tuple, frozenset)


def dialect_settings(dialect):
    """What decides how ``dialect`` compiles a statement, as a hashable key.

    Its class and every setting it holds: plain values as they are, modules
    by name, functions (a JSON serializer) themselves, and other objects
    (its identifier preparer, its type compiler, which its class and these
    settings make) by their class. Two engines on the same database library
    with the same options give equal keys.
    """
    settings = []
    for name, value in sorted(vars(dialect).items()):
        if name == '_type_memos':
            # A per-dialect cache of type processors, not a setting.
            continue
        if value is None or isinstance(value, _PLAIN):
            settings.append((name, value))
        elif isinstance(value, types.ModuleType):
            settings.append((name, 'module', value.__name__))
        elif isinstance(value, (types.FunctionType, types.MethodType,
                                types.BuiltinFunctionType)):
            settings.append((name, 'function', value))
        else:
            settings.append((name, 'object', type(value).__qualname__))
    return (type(dialect), tuple(settings))


class _AcrossEngines:
    """A compiled-statement cache that equally set-up dialects share.

    SQLAlchemy keys a compiled statement by the dialect *object*; this view
    puts :func:`dialect_settings` in its place, so a new engine finds what
    an earlier, equally set-up one compiled.
    """

    __slots__ = ('store', 'settings')

    def __init__(self, store, settings):
        self.store = store
        self.settings = settings

    def _key(self, key):
        return (self.settings,) + tuple(key[1:])

    def get(self, key, default=None):
        return self.store.get(self._key(key), default)

    def __setitem__(self, key, compiled):
        self.store[self._key(key)] = compiled


class CompiledStatementsShared(fixtures.Fixture):
    """Compile each SQL statement once per process, not once per test.

    SQLAlchemy caches every statement it compiles, keyed by the statement's
    structure and by the dialect object of the engine that runs it. Each
    test builds new engines for Nova's and Placement's databases, with new
    dialect objects, so every test compiled again the same 194 statements
    the previous test had compiled (a resize and revert row; 0.3 s of CPU,
    measured with nova 34), and the compiled statements that ORM flushes
    keep per table kept filling with entries no later test could reuse.
    Here engines whose dialects have the same class and settings share one
    cache (SQLAlchemy's own LRU cache, of ``CAPACITY`` statements): what is
    compiled depends only on the statement and those settings. Statements
    still run on each test's own engine and database; an engine or
    statement that asks for no cache still gets none.
    """

    CAPACITY = 5000
    _store = sqlalchemy_util.LRUCache(CAPACITY)
    #: The shared view of each dialect seen, made at its first statement.
    _views = weakref.WeakKeyDictionary()

    def _setUp(self):
        original = elements.ClauseElement._compile_w_cache
        store, views = self._store, self._views

        def compile_w_cache(element, dialect, *, compiled_cache, **kwargs):
            if compiled_cache is not None:
                compiled_cache = views.get(dialect)
                if compiled_cache is None:
                    compiled_cache = views[dialect] = _AcrossEngines(
                        store, dialect_settings(dialect))
            return original(element, dialect, compiled_cache=compiled_cache,
                            **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            'sqlalchemy.sql.elements.ClauseElement._compile_w_cache',
            compile_w_cache))


def is_sqlite_file(url):
    """Whether ``url`` names an SQLite database kept in a file."""
    url = sqlalchemy.engine.make_url(url)
    return (url.get_backend_name() == 'sqlite'
            and url.database not in (None, '', ':memory:')
            and url.query.get('mode') != 'memory')


class SqliteFileConnectionsPooled(fixtures.Fixture):
    """Keep SQLite file connections open between transactions.

    In threading mode Nova's harness keeps each database in an SQLite file,
    and oslo.db gives such an engine no connection pool (``NullPool``), so
    every transaction opened a new connection, and SQLite read and parsed
    the whole of Nova's or Placement's schema again before its first
    statement. Every 12th test of the functional suite (19) took 56.4,
    69.4 and 70.5 s of CPU in threading mode without this fixture and
    42.2, 56.7 and 57.2 s with it, 18 to 25 % less (three runs, each with
    both variants at the same time, one per core, nova 34). Here an engine
    on an SQLite *file* that oslo.db built with ``NullPool`` gets
    SQLAlchemy's own default for such files instead, a ``QueuePool``:
    transactions, isolation and the file are the same, only the connection
    outlives a transaction (oslo.db still pings it at checkout, and the
    pool rolls back whatever a transaction left). oslo.db asks for
    ``NullPool`` for every SQLite file, and the fixture cannot tell who
    asked, so any SQLite file engine asked for with it gets the pool; every
    other engine is created exactly as asked.
    """

    def _setUp(self):
        original = sqlalchemy.create_engine

        def create_engine(url, *args, **kwargs):
            if (kwargs.get('poolclass') is sqlalchemy.pool.NullPool
                    and is_sqlite_file(url)):
                kwargs.pop('poolclass')
            return original(url, *args, **kwargs)

        # oslo.db calls it through the module, as sqlalchemy.create_engine.
        self.useFixture(fixtures.MonkeyPatch(
            'sqlalchemy.create_engine', create_engine))


class TableAliasesShared(fixtures.Fixture):
    """Make each named alias of a table once per process.

    Placement's queries alias its tables anew on every call
    (``sa.alias(_RP_TBL, name="rp")``), and the first look at a new
    alias's columns builds a proxy of every column of the table: about
    2,500 columns built per test, a fifth of the CPU Placement spent
    answering the suite's requests (profiled with nova 34 and placement
    16). An alias only names a table for the statements that refer to it,
    and SQLAlchemy's statements are immutable, so one alias of a table
    under one name serves every statement, as a module-level alias would.
    Here ``sqlalchemy.alias`` of a table with a name gives the alias made
    the first time, its columns built at once under a lock, so that no two
    threads ever build them twice; anything else (a select, an unnamed or
    flat alias) is aliased anew as asked. The SQL, and every statement's
    cache key, stay the same.
    """

    _made = {}
    _lock = threading.Lock()

    def _setUp(self):
        original = sqlalchemy.alias
        made, lock = self._made, self._lock

        def alias(selectable, name=None, flat=False):
            if (name is None or flat
                    or not isinstance(selectable, sqlalchemy.Table)):
                return original(selectable, name=name, flat=flat)
            with lock:
                found = made.get((selectable, name))
                if found is None:
                    found = made[selectable, name] = original(selectable,
                                                              name=name)
                    # Its column collection, now, once.
                    found.c
            return found

        # Placement calls it through the module, as sa.alias.
        self.useFixture(fixtures.MonkeyPatch('sqlalchemy.alias', alias))


class PolicyFilesParsedOnce(fixtures.Fixture):
    """Parse the text of each policy file once per process.

    Nova's test base writes its policy file anew for every test (the same
    rules each time), and oslo.policy parses the text as YAML twice per
    load, in pure Python: 16 ms of CPU per test (nova 34). Here a text
    parsed once is not parsed again: its rules are copied from the first
    parse, so no caller can change what the next one gets. The file is
    still written and read, and every rule still checked and registered as
    before; a text that fails to parse fails every time.
    """

    _parsed = {}

    def _setUp(self):
        from oslo_policy import policy
        original = policy.parse_file_contents
        parsed = self._parsed

        def parse_file_contents(data):
            if data not in parsed:
                parsed[data] = original(data)
            return copy.deepcopy(parsed[data])

        self.useFixture(fixtures.MonkeyPatch(
            'oslo_policy.policy.parse_file_contents', parse_file_contents))


class EverySaving(fixtures.Fixture):
    """Every fixture of this module: what :class:`base.ResizeTestCase` uses.

    One name for base.py to use, so that a new saving touches this module
    only.
    """

    FIXTURES = (SchemasCheckedOnce, CompiledStatementsShared,
                SqliteFileConnectionsPooled, TableAliasesShared,
                PolicyFilesParsedOnce)

    def _setUp(self):
        for fixture in self.FIXTURES:
            self.useFixture(fixture())
