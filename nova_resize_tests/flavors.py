"""The flavors every scenario uses, as data.

``OLD`` and ``NEW`` differ on every resource class and neither is a multiple
of the other, so a swapped, doubled or half-cleaned allocation can never add
up to the right numbers by accident.
"""

import dataclasses

import os_resource_classes as orc


@dataclasses.dataclass(frozen=True)
class Flavor:
    """A flavor the test creates, and the allocation it must produce."""

    name: str
    vcpus: int
    memory_mb: int
    disk_gb: int

    @property
    def resources(self):
        return {orc.VCPU: self.vcpus, orc.MEMORY_MB: self.memory_mb,
                orc.DISK_GB: self.disk_gb}


OLD = Flavor('old', vcpus=2, memory_mb=512, disk_gb=10)
NEW = Flavor('new', vcpus=3, memory_mb=832, disk_gb=17)
ALL = (OLD, NEW)


def name_of(resources, flavors=ALL):
    """The flavor whose allocation ``resources`` is, or None."""
    for flavor in flavors:
        if flavor.resources == resources:
            return flavor.name
    return None


def format_resources(resources):
    """``DISK_GB=10 MEMORY_MB=512 VCPU=2 (flavor old)``, sorted by class."""
    if not resources:
        return 'nothing'
    text = ' '.join(f'{rc}={amount}'
                    for rc, amount in sorted(resources.items()))
    name = name_of(resources)
    return f'{text} (flavor {name})' if name else text
