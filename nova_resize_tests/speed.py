"""Fixtures that spare a test work it would repeat from unchanging inputs.

Each one saves CPU seconds of every test and changes nothing a test can
observe: no state is carried from one test to the next but facts derived
from inputs that cannot change, keyed by those inputs. The saving each
fixture was measured to bring is in its docstring; README.rst
(Performance) says how to measure it again.
"""

import json

import fixtures
import jsonschema


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


class EverySaving(fixtures.Fixture):
    """Every fixture of this module: what :class:`base.ResizeTestCase` uses.

    One name for base.py to use, so that a new saving touches this module
    only.
    """

    FIXTURES = (SchemasCheckedOnce,)

    def _setUp(self):
        for fixture in self.FIXTURES:
            self.useFixture(fixture())
