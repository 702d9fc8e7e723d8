#!/usr/bin/env python3
# Writes the seed corpora under tests/fuzz/corpus/ (run from the top of
# the tree; the output is committed, this script is how it was made).
# The ring seeds follow tests/fuzz/fuzz_window.h: byte 0 picks the queue
# size (and for fuzz_virtio_dev the device), byte 1 the features, bytes
# 2-7 the desc/avail/used offsets in 16/2/4-byte units, then the first
# 64 KiB of the window at guest address W.
import os
import struct

W = 0x80000000
DESC, AVAIL, USED = 0x0, 0x1000, 0x2000
NEXT, WRITE, INDIRECT = 1, 2, 4


def ring(sel, feat, descs, heads, extra=(), used_event=None):
    """descs: [(window offset, len, flags, next)]; extra: [(offset, bytes)]."""
    img = bytearray(0x6000)
    for i, (off, ln, fl, nx) in enumerate(descs):
        struct.pack_into('<QIHH', img, DESC + 16 * i, W + off, ln, fl, nx)
    struct.pack_into('<HH', img, AVAIL, 0, len(heads))
    for i, h in enumerate(heads):
        struct.pack_into('<H', img, AVAIL + 4 + 2 * i, h)
    for off, data in extra:
        img[off:off + len(data)] = data
    hdr = bytes([sel, feat]) + struct.pack('<HHH', DESC // 16, AVAIL // 2, USED // 4)
    # fuzz_load zero-fills the window: trailing zeros need not be stored.
    return hdr + bytes(img).rstrip(b"\0")


def blk_hdr(typ, sector):
    return struct.pack('<IIQ', typ, 0, sector)


def write(target, name, data):
    d = os.path.join('tests/fuzz/corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# fuzz_virtq: byte 0 % 9 = log2(num); byte 1: 1 indirect, 2 event idx.
write('fuzz_virtq', 'one-chain', ring(3, 0, [(0x3000, 16, NEXT, 1), (0x4000, 512, WRITE, 0)], [0]))
write('fuzz_virtq', 'indirect', ring(3, 1, [(0x3000, 48, INDIRECT, 0)], [0], extra=[
    (0x3000, struct.pack('<QIHH', W + 0x4000, 16, NEXT, 1) +
     struct.pack('<QIHH', W + 0x4100, 4096, NEXT | WRITE, 2) +
     struct.pack('<QIHH', W + 0x5100, 1, WRITE, 0))]))
write('fuzz_virtq', 'event-idx-two', ring(4, 3, [(0x3000, 64, 0, 0), (0x3100, 64, WRITE, 0)], [0, 1]))
write('fuzz_virtq', 'loop', ring(3, 0, [(0x3000, 16, NEXT, 0)], [0]))
write('fuzz_virtq', 'outside-window', ring(3, 0, [(0x7fff0000, 4096, 0, 0)], [0]))
write('fuzz_virtq', 'full-queue', ring(2, 0, [(0x3000 + 0x10 * i, 16, 0, 0) for i in range(4)], [0, 1, 2, 3]))

# fuzz_virtio_dev: byte 0 % 3 = device (0 blk, 1 blk ro, 2 net tx), (byte 0 >> 2) % 9 = log2(num).
def blk(sel, typ, sector, dlen, dwrite=True):
    descs = [(0x3000, 16, NEXT, 1)]
    if dlen:
        descs.append((0x4000, dlen, NEXT | (WRITE if dwrite else 0), 2))
    descs.append((0x5800, 1, WRITE, 0))
    return ring(sel, 0, descs, [0], extra=[(0x3000, blk_hdr(typ, sector))])


write('fuzz_virtio_dev', 'blk-read', blk(3 << 2, 0, 8, 4096))
write('fuzz_virtio_dev', 'blk-write', blk(3 << 2, 1, 8, 4096, dwrite=False))
write('fuzz_virtio_dev', 'blk-flush', blk(3 << 2, 4, 0, 0))
write('fuzz_virtio_dev', 'blk-get-id', blk(3 << 2, 8, 0, 20))
write('fuzz_virtio_dev', 'blk-ro-write', blk((3 << 2) | 1, 1, 0, 512, dwrite=False))
write('fuzz_virtio_dev', 'blk-past-end', blk(3 << 2, 0, 2047, 1024))
write('fuzz_virtio_dev', 'net-tx', ring((3 << 2) | 2, 0, [(0x3000, 12, NEXT, 1), (0x3100, 60, 0, 0)], [0]))

# fuzz_http: requests as the API server gets them.
http = {
    'ping': b'GET /api/v1/vmm.ping HTTP/1.1\r\nHost: localhost\r\n\r\n',
    'create': b'PUT /api/v1/vm.create HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n'
              b'Content-Length: 62\r\n\r\n{"payload":{"kernel":"/k"},"memory":{"size":268435456}}      ',
    'expect-continue': b'PUT /api/v1/vm.boot HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n'
                       b'Content-Length: 0\r\n\r\n',
    'pipelined': b'GET /api/v1/vm.info HTTP/1.1\r\n\r\nGET /api/v1/vm.counters HTTP/1.1\r\n\r\n',
    'bad-length': b'PUT /api/v1/vm.create HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n',
}
for k, v in http.items():
    write('fuzz_http', k, v)

# fuzz_vmconfig: cloud-hypervisor VmConfig JSON.
vmc = {
    'minimal': b'{"payload":{"kernel":"/k"}}',
    'full': b'{"cpus":{"boot_vcpus":2,"max_vcpus":2},"memory":{"size":536870912,"shared":false},'
            b'"payload":{"kernel":"/k","initramfs":"/i","cmdline":"console=ttyS0"},'
            b'"disks":[{"path":"/d.img","readonly":true}],"net":[{"tap":"tap0"}],'
            b'"rng":{"src":"/dev/urandom"},"serial":{"mode":"Tty"},"console":{"mode":"Off"}}',
    'zones': b'{"memory":{"size":0,"zones":[{"id":"z0","size":268435456,"host_numa_node":1}]},'
             b'"payload":{"kernel":"/k"}}',
    'old-kernel': b'{"kernel":{"path":"/old"},"cmdline":{"args":"quiet"}}',
    'nulls': b'{"payload":{"kernel":"/k","initramfs":null,"cmdline":null},"cpus":null}',
}
for k, v in vmc.items():
    write('fuzz_vmconfig', k, v)

# fuzz_libvirt: domains like tests/libvirt/fixtures, small.
dom = '''<domain type='kvm'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>{cpus}</vcpu>
  <os><type arch='x86_64'>hvm</type><kernel>/boot/vmlinuz</kernel>{extra_os}</os>
  {numa}
  <devices>{devices}</devices>
</domain>
'''
lv = {
    'basic': dict(name='basic', cpus=1, extra_os='', numa='', devices=''),
    'numa-strict': dict(name='numa', cpus=2, extra_os='<cmdline>quiet</cmdline>',
                        numa="<numatune><memory mode='strict' nodeset='1'/></numatune>", devices=''),
    'devices': dict(name='dev', cpus=1, extra_os='<initrd>/boot/initrd.img</initrd>',
                    numa="<numatune><memory mode='strict' nodeset='1'/></numatune>",
                    devices="<disk type='file' device='disk'><source file='/d.img'/>"
                            "<target dev='vda' bus='virtio'/></disk>"
                            "<interface type='ethernet'><target dev='tap0'/><model type='virtio'/></interface>"
                            "<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>"),
    'refused': dict(name='ref', cpus=1, extra_os='', numa="<numatune><memory mode='interleave' nodeset='0-1'/></numatune>",
                    devices="<graphics type='vnc'/><sound model='ich9'/>"),
}
for k, v in lv.items():
    write('fuzz_libvirt', k + '.xml', dom.format(**v).encode())
write('fuzz_libvirt', 'not-xml', b'<domain type="kvm"><name>x</name')
