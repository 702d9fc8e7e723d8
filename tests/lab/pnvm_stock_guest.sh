#!/usr/bin/env bash
# Debian's own kernel as the guest: pnvm_virtio's checks (disk written and
# read back, the image holding the data after exit, ping over the tap,
# hwrng, counters, guest RAM 100% on node 1) with the devices found
# through ACPI and Debian's virtio modules loaded from the initramfs.
exec env PNVM_VIRTIO_GUEST=debian "$(dirname "$0")/pnvm_virtio.sh"
