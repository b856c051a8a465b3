"""The fixtures that spare repeated work: they must not change results."""

import uuid

import fixtures
import jsonschema
import testtools

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
