// SPDX-License-Identifier: GPL-2.0
/*
 * <devices>: virtio disks and taps, the serial console, virtio-rng, and
 * every device pnvm does not have. Disks, taps and the rng take pnvm
 * run's virtio slots, PNVM_MAX_VIRTIO in all, as on its command line.
 */
#include <stdio.h>
#include <string.h>

#include "libvirt/internal.h"
#include "vmm/cli.h"

/*
 * A virtio slot for n, or 0 after saying (once) that the domain has more
 * virtio devices than pnvm run takes (vmm/machine.h).
 */
static int virtio_slot(struct lv *l, xmlNodePtr n)
{
	if (l->ndisk + l->ntap + l->rng < PNVM_MAX_VIRTIO)
		return 1;
	if (!l->virtio_full)
		report(l, n, NULL, HARD, "more than %d virtio devices (disks, interfaces and rng "
		       "together)", PNVM_MAX_VIRTIO);
	l->virtio_full = 1;
	return 0;
}

/* <disk><source>: a file, with nothing inside. */
static void do_disk_source(struct lv *l, xmlNodePtr n)
{
	if (xmlFirstElementChild(n))
		report(l, xmlFirstElementChild(n), NULL, HARD, "pnvm cannot honour <source><%s>",
		       (const char *)xmlFirstElementChild(n)->name);
}

/* An empty <backingStore/> says "no backing chain". */
static void do_disk_backing(struct lv *l, xmlNodePtr n)
{
	if (xmlFirstElementChild(n))
		report(l, n, NULL, HARD, "pnvm cannot honour <disk><%s>", (const char *)n->name);
}

static const struct rule disk_rules[] = {
	{ "driver target readonly shareable address alias boot", NULL, ACCEPT, NULL },
	{ "source", do_disk_source, 0, NULL },
	{ "backingStore", do_disk_backing, 0, NULL },
	{ "serial wwn vendor product geometry blockio iotune", NULL, SOFT,
	  "pnvm's virtio disk has no <%s> setting" },
	{ NULL, NULL, HARD, "pnvm cannot honour <disk><%s>" },
};

static void do_disk(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr src = child(n, "source"), tgt = child(n, "target");
	xmlNodePtr drv = child(n, "driver");
	const char *type = attr(l, n, "type"), *dev = attr(l, n, "device") ?: "disk";
	const char *bus = attr(l, tgt, "bus"), *fmt = attr(l, drv, "type");
	const char *file = attr(l, src, "file");
	int bad = l->v->problems;
	xmlAttrPtr a;

	if (!streq(type, "file"))
		report(l, n, "type", HARD, "disk type '%s': pnvm's disks are host files", type ?: "");
	if (!streq(dev, "disk"))
		report(l, n, "device", HARD, "device '%s': pnvm has virtio block disks only", dev);
	if (!streq(bus, "virtio"))
		report(l, tgt ? tgt : n, "bus", HARD, "bus '%s': pnvm has virtio block disks only",
		       bus ?: "");
	if (fmt && !streq(fmt, "raw"))
		report(l, drv, "type", HARD, "image format '%s': pnvm reads raw images only", fmt);
	for (a = drv ? drv->properties : NULL; a; a = a->next)
		/* Caching and I/O mode change speed, not what the guest sees. */
		if (!in((const char *)a->name, "name type cache io discard detect_zeroes"))
			report(l, drv, (const char *)a->name, SOFT,
			       "disk driver option not applied by pnvm");
	walk(l, n, disk_rules);
	if (streq(type, "file") && (!file || !*file))
		report(l, src ? src : n, NULL, HARD, "a disk without a source file (empty drive)");
	if (l->v->problems != bad || !file || !virtio_slot(l, n))
		return;
	l->disk_ro[l->ndisk] = !!child(n, "readonly");
	l->disk[l->ndisk++] = file;
}

static const struct rule interface_rules[] = {
	{ "target model mac address alias boot guest", NULL, ACCEPT, NULL },
	{ "driver mtu bandwidth link rom coalesce", NULL, SOFT,
	  "pnvm's virtio-net has no <%s> setting" },
	{ NULL, NULL, HARD, "pnvm cannot honour <interface><%s> (it does not configure the "
	  "host side of the tap)" },
};

static void do_interface(struct lv *l, xmlNodePtr n)
{
	xmlNodePtr tgt = child(n, "target"), model = child(n, "model"), mac;
	const char *type = attr(l, n, "type"), *dev = attr(l, tgt, "dev");
	const char *mt = attr(l, model, "type"), *odev, *addr = NULL;
	u8 bin[6];
	char path[64];
	int bad = l->v->problems;

	l->nif++;
	if (!streq(type, "ethernet"))
		report(l, n, "type", HARD, "interface type '%s': pnvm attaches to an existing tap "
		       "device only (<interface type='ethernet'>)", type ?: "");
	if (!model)
		report(l, n, NULL, HARD, "no <model type='virtio'/>: libvirt's default NIC is an "
		       "emulated one pnvm does not have");
	else if (!streq(mt, "virtio"))
		report(l, model, "type", HARD, "NIC model '%s': pnvm has virtio-net only", mt ?: "");
	/*
	 * libvirt makes up a MAC and a tap name ("testnet0" here, "vnetN" in
	 * the QEMU driver) when the XML has none: take what the author wrote
	 * (--net mac=), else pnvm's own, not libvirt's random one.
	 */
	snprintf(path, sizeof(path), "/domain/devices/interface[%d]/mac", l->nif);
	mac = child(n, "mac");
	if (mac && orig_first(l, path)) {
		addr = attr(l, mac, "address");
		if (!addr || cli_parse_mac(addr, bin)) {
			report(l, mac, "address", HARD, "%s", addr ? err_msg() : "no address");
			addr = NULL;
		}
	}
	snprintf(path, sizeof(path), "/domain/devices/interface[%d]/target", l->nif);
	odev = attr(l, orig_first(l, path), "dev");
	if (!odev || !*odev)
		report(l, tgt ? tgt : n, NULL, HARD, "no <target dev='TAP'/>: pnvm attaches to an "
		       "existing tap device and needs its name");
	else if (!streq(odev, dev))
		report(l, tgt ? tgt : n, "dev", HARD, "libvirt discards the tap name '%s' (it reserves "
		       "such names for taps it creates); name the tap otherwise", odev);
	walk(l, n, interface_rules);
	if (l->v->problems != bad || !virtio_slot(l, n))
		return;
	l->mac[l->ntap] = addr;
	l->tap[l->ntap++] = dev;
}

static const struct rule chardev_rules[] = {
	{ "target source alias address", NULL, ACCEPT, NULL },
	{ NULL, NULL, SOFT, "pnvm's console has no <%s>" },
};

/* The guest's console is always one 8250 (ttyS0) on pnvm's stdio. */
static void do_chardev(struct lv *l, xmlNodePtr n)
{
	const char *type = attr(l, n, "type");
	xmlNodePtr tgt = child(n, "target");
	const char *tt = attr(l, tgt, "type"), *port = attr(l, tgt, "port");
	int serial = is(n, "serial");

	if (!streq(type, "pty") && !streq(type, "stdio")) {
		report(l, n, "type", SOFT, "pnvm's serial console is on its stdio, not a '%s'",
		       type ?: "");
		return;
	}
	if (serial && port && !streq(port, "0")) {
		report(l, n, NULL, SOFT, "pnvm has one serial port (ttyS0), not port %s", port);
		return;
	}
	if (tt && !streq(tt, serial ? "isa-serial" : "serial")) {
		report(l, tgt, "type", SOFT, "pnvm's console is the 8250 serial port (ttyS0), not %s",
		       tt);
		return;
	}
	walk(l, n, chardev_rules);
	l->serial_seen = 1;
}

/* pnvm feeds it from getrandom(2): any local random source is that. */
static void do_rng_backend(struct lv *l, xmlNodePtr n)
{
	if (streq(attr(l, n, "model"), "egd"))
		report(l, n, NULL, SOFT, "pnvm's rng reads the host kernel's RNG, not an EGD "
		       "source");
}

static const struct rule rng_rules[] = {
	{ "backend", do_rng_backend, 0, NULL },
	{ "rate driver", NULL, SOFT, "pnvm's virtio-rng has no <%s> setting" },
	{ "address alias", NULL, ACCEPT, NULL },
	{ NULL, NULL, HARD, "pnvm cannot honour <rng><%s>" },
};

static void do_rng(struct lv *l, xmlNodePtr n)
{
	const char *m = attr(l, n, "model");

	if (!m || strncmp(m, "virtio", 6)) {
		report(l, n, "model", HARD, "rng model '%s': pnvm has virtio-rng only", m ?: "");
		return;
	}
	if (l->rng) {
		report(l, n, NULL, SOFT, "pnvm has one virtio-rng device");
		return;
	}
	walk(l, n, rng_rules);
	if (virtio_slot(l, n))
		l->rng = 1;
}

static void do_controller(struct lv *l, xmlNodePtr n)
{
	const char *t = attr(l, n, "type"), *m = attr(l, n, "model");

	if (streq(t, "pci") && (streq(m, "pci-root") || streq(m, "pcie-root")))
		return;
	if (streq(t, "usb") && streq(m, "none"))
		return;
	report(l, n, NULL, SOFT, "pnvm has no %s controller%s%s", t ?: "?", m ? " " : "", m ?: "");
}

static void do_memballoon(struct lv *l, xmlNodePtr n)
{
	if (!streq(attr(l, n, "model"), "none"))
		report(l, n, NULL, SOFT, "pnvm has no memory balloon; the guest keeps all of "
		       "<memory>");
}

static void do_video(struct lv *l, xmlNodePtr n)
{
	if (!streq(attr(l, child(n, "model"), "type"), "none"))
		report(l, n, NULL, SOFT, "pnvm has no display adapter; the console is the serial "
		       "port");
}

static const struct rule device_rules[] = {
	{ "emulator", NULL, ACCEPT, NULL },	/* pnvm is the emulator */
	{ "disk", do_disk, 0, NULL },
	{ "interface", do_interface, 0, NULL },
	{ "serial console", do_chardev, 0, NULL },
	{ "rng", do_rng, 0, NULL },
	{ "controller", do_controller, 0, NULL },
	{ "memballoon", do_memballoon, 0, NULL },
	{ "video", do_video, 0, NULL },
	{ "graphics", NULL, SOFT, "pnvm has no graphical display; the console is the serial port" },
	{ "input", NULL, SOFT, "pnvm has no input devices" },
	{ "sound", NULL, SOFT, "pnvm has no sound device" },
	{ "audio", NULL, SOFT, "pnvm has no audio backend" },
	{ "parallel", NULL, SOFT, "pnvm has no parallel port" },
	{ "channel", NULL, SOFT, "pnvm has no virtio-serial channels (guest agent)" },
	{ "smartcard", NULL, SOFT, "pnvm has no smartcard reader" },
	{ "redirdev redirfilter", NULL, SOFT, "pnvm has no USB redirection" },
	{ "hub", NULL, SOFT, "pnvm has no USB hub" },
	{ "panic", NULL, SOFT, "pnvm has no panic notifier device" },
	{ "nvram", NULL, SOFT, "pnvm has no NVRAM device" },
	{ "hostdev", NULL, HARD, "device passthrough (hostdev) is not supported: a passed-through "
	  "device would DMA outside pnvm's shared window" },
	{ "filesystem", NULL, HARD, "pnvm has no shared filesystem (virtiofs/9p)" },
	{ "shmem", NULL, HARD, "pnvm has no shared-memory device; guest RAM is private" },
	{ "memory", NULL, HARD, "pnvm has no memory hotplug; all guest RAM is <memory> on the "
	  "private node" },
	{ "watchdog", NULL, HARD, "pnvm has no watchdog; a guest that relies on one would not be "
	  "reset" },
	{ "tpm", NULL, HARD, "pnvm has no TPM" },
	{ "vsock", NULL, HARD, "pnvm has no vsock device" },
	{ "iommu", NULL, HARD, "pnvm has no IOMMU" },
	{ "crypto", NULL, HARD, "pnvm has no crypto device" },
	{ "lease", NULL, HARD, "pnvm takes no disk leases (lock manager)" },
	{ NULL, NULL, HARD, "pnvm does not know <%s>; refusing rather than dropping it" },
};

void do_devices(struct lv *l, xmlNodePtr n)
{
	walk(l, n, device_rules);
}
