# pnvm: private-node VMM. See README.md.
#   make        build pnvm, tests and tools into build/
#   make unit   host-only tests (fast)
#   make test   everything: unit tests, lab tests, kernel property table
#   make demo   boot a VM on the private node (inside the lab without KVM)
#   make fuzz-long  ring/device fuzzers 100 million executions, the others 10 million
#   make bench  benchmarks: page faults (stock vs patched), virtio-blk (pnvm vs QEMU)
#   make install  pnvm and its cloud-hypervisor name into $(DESTDIR)$(PREFIX)/bin
#   make deb    the Debian package into build/deb/ (packaging/README.md)

CC      ?= gcc
# SAN=1: the same tree with ASan+UBSan, in its own directory.
B       := build$(if $(SAN),-san)
# 7.3 uAPI headers (guest_memfd); the host's 6.1 ones lack it.
# Never fetched at parse time (make clean must not download): check-uapi
# says how to get them.
UAPI    := $(shell PNVM_OFFLINE=1 scripts/kernel uapi 2>/dev/null)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I. \
	   -isystem $(UAPI) -isystem $(UAPI)/x86_64-linux-gnu -MMD -MP
ifneq ($(SAN),)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# Debian 12's libfdt-dev ships no .pc file.
PKGS    := liburing json-c libseccomp libcap-ng
CFLAGS  += $(shell pkg-config --cflags $(PKGS) libvirt libxml-2.0 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfdt -lnuma -lpthread
# The libvirt front end, and only what links it (pnvm, its own test).
VIRT_LIBS := $(shell pkg-config --libs libvirt libxml-2.0 2>/dev/null)
# The schema libvirt itself validates domains with (libvirt/schema.c).
LV_DATA  := $(shell pkg-config --variable=datarootdir libvirt 2>/dev/null)
CFLAGS  += $(if $(LV_DATA),-DLIBVIRT_SCHEMA_DIR='"$(LV_DATA)/libvirt/schemas"')

VMM_SRC  := $(wildcard lib/*.c) $(filter-out vmm/main.c,$(wildcard vmm/*.c)) $(wildcard virtio/*.c) \
	    $(wildcard api/*.c)
VMM_OBJ  := $(VMM_SRC:%.c=$(B)/%.o)
VIRT_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard libvirt/*.c))
# pnvm host: a front end only pnvm and its test link (no new libraries,
# but kept out of libpnvm.a and of the fuzzers, which build from VMM_SRC).
HOST_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard host/*.c))
UNIT     := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(wildcard tests/unit/test_*.c))
LABT     := $(patsubst tests/lab/%.c,$(B)/tests/lab/%,$(wildcard tests/lab/*.c))
KERNT    := $(patsubst tests/kernel/%.c,$(B)/tests/kernel/%,$(wildcard tests/kernel/*.c))
PROGS    := $(if $(wildcard vmm/main.c),$(B)/pnvm)
FUZZ     := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# Benchmarks measure the plain build; blkbench is static, which ASan is not.
BENCH    := $(if $(SAN),,$(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c)))

GUEST    := $(if $(wildcard scripts/guest-initrd),$(B)/guest-initrd.cpio.gz)

all: check-uapi $(PROGS) $(UNIT) $(LABT) $(KERNT) $(BENCH) $(GUEST)

check-uapi:
	@test -f "$(UAPI)/linux/kvm.h" || { echo "make: no 7.3 uAPI headers; run scripts/kernel uapi (it fetches them)" >&2; exit 1; }
	@grep -q KVM_CREATE_GUEST_MEMFD "$(UAPI)/linux/kvm.h" || { echo "make: $(UAPI) lacks guest_memfd" >&2; exit 1; }

# CPPFLAGS: dpkg-buildflags' -D_FORTIFY_SOURCE=2 comes there.
$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The guest test payload: static busybox and scripts/guest-init.
$(B)/guest-initrd.cpio.gz: scripts/guest-initrd scripts/guest-init
	scripts/guest-initrd $@ >/dev/null

$(B)/libpnvm.a: $(VMM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/pnvm: $(B)/vmm/main.o $(VIRT_OBJ) $(HOST_OBJ) $(B)/libpnvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(VIRT_LIBS) $(LDLIBS)

# test_seccomp: with every library pnvm links, whose exit code runs filtered.
$(B)/tests/unit/test_seccomp $(B)/tests/unit/test_libvirt: $(B)/tests/unit/%: $(B)/tests/unit/%.o $(VIRT_OBJ) $(B)/libpnvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(VIRT_LIBS) $(LDLIBS)

$(B)/tests/unit/test_host: $(B)/tests/unit/test_host.o $(HOST_OBJ) $(B)/libpnvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(B)/libpnvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/lab/%: $(B)/tests/lab/%.o $(B)/libpnvm.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/kernel/%: $(B)/tests/kernel/%.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/%: $(B)/bench/%.o
	$(CC) $(LDFLAGS) -o $@ $^

# Runs in the guest's busybox initramfs: no shared libraries there.
$(B)/bench/blkbench: $(B)/bench/blkbench.o
	$(CC) $(LDFLAGS) -static -o $@ $^

# libFuzzer targets: clang builds the fuzzer with the library sources.
FUZZ_CFLAGS := $(filter-out -MMD -MP,$(CFLAGS)) -fsanitize=fuzzer,address,undefined
$(B)/fuzz/%: tests/fuzz/%.c $(VMM_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)

# The libvirt front end's target also links libvirt/ and libvirt itself.
$(B)/fuzz/fuzz_libvirt: tests/fuzz/fuzz_libvirt.c $(VMM_SRC) $(wildcard libvirt/*.c)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(VIRT_LIBS) $(LDLIBS)

fuzz: $(FUZZ)

deps:
	scripts/deps build lab

# These install what they need, build every variant and run.
unit:
	scripts/test unit

test:
	scripts/test

demo:
	scripts/demo

bench:
	scripts/test bench

# By count, not time (-runs=): the same work on any machine. Hours.
fuzz-long:
	PNVM_FUZZ_LONG=1 scripts/test fuzz

# libvirt's ch driver runs "cloud-hypervisor" from PATH; under that name
# pnvm answers as cloud-hypervisor (api/README.md).
PREFIX  ?= /usr/local
install: $(B)/pnvm
	install -D -m 755 $(B)/pnvm $(DESTDIR)$(PREFIX)/bin/pnvm
	ln -sf pnvm $(DESTDIR)$(PREFIX)/bin/cloud-hypervisor

# With Debian's tools, from a copy of the tree; prints the .deb's path.
deb:
	scripts/deb

clean:
	rm -rf build build-san

.PHONY: all check-uapi fuzz fuzz-long deps unit test demo bench install deb clean
.SECONDARY:
# Not build/deb/: make deb's copy of the tree has its own build/ (and
# directories named *.d).
-include $(shell find $(B) -path $(B)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
