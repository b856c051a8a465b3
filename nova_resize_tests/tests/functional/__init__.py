# Importing the adapter first checks the environment and lets Nova decide on
# eventlet before anything else loads. A problem ends discovery with the
# same one line `python -m nova_resize_tests.preflight` prints: the test
# loader would catch an exception (SystemExit too) and bury that line under
# a traceback of its own.
import os
import sys

from nova_resize_tests import preflight

try:
    from nova_resize_tests import nova_adapter  # noqa: F401
except preflight.PreflightError as exc:
    print(f'nova-resize-tests: {exc}', file=sys.stderr, flush=True)
    os._exit(2)
