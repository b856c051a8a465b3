"""The flavors every scenario uses, as data.

``OLD`` and ``NEW`` differ on every resource class and neither is a multiple
of the other, so a swapped, doubled or half-cleaned allocation can never add
up to the right numbers by accident.

A volume-backed server's root disk is a volume, so Placement must hold no
DISK_GB for it. Its rows boot and resize with ``OLD_ON_VOLUME`` and
``NEW_ON_VOLUME``, whose root disks are larger than any fake host's whole
disk: counted anywhere, they would make the boot or the move fail to
schedule, and a tracker that counted one would show it plainly. Their CPU
and memory differ from ``OLD`` and ``NEW`` too, so no allocation of one
shape can pass for the other.
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
    #: False for the flavors of volume-backed servers: their root disk is
    #: not on the host, so the allocation has no DISK_GB.
    local_disk: bool = True

    @property
    def resources(self):
        held = {orc.VCPU: self.vcpus, orc.MEMORY_MB: self.memory_mb}
        if self.local_disk:
            held[orc.DISK_GB] = self.disk_gb
        return held


OLD = Flavor('old', vcpus=2, memory_mb=512, disk_gb=10)
NEW = Flavor('new', vcpus=3, memory_mb=832, disk_gb=17)
# nova.virt.fake.FakeDriver reports 600000 GB of local disk.
OLD_ON_VOLUME = Flavor('old-volume', vcpus=5, memory_mb=704,
                       disk_gb=700000, local_disk=False)
NEW_ON_VOLUME = Flavor('new-volume', vcpus=7, memory_mb=960,
                       disk_gb=900000, local_disk=False)
ALL = (OLD, NEW, OLD_ON_VOLUME, NEW_ON_VOLUME)
#: The flavor a volume-backed row uses where an image-backed row uses the key.
ON_VOLUME = {OLD: OLD_ON_VOLUME, NEW: NEW_ON_VOLUME}


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
