# Importing the adapter first checks the environment (one clear line on a
# problem) and lets Nova decide on eventlet before anything else loads.
from nova_resize_tests import nova_adapter  # noqa: F401
