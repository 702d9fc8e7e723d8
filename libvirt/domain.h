/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvirt domain XML -> pnvm command line, in the spirit of
 * `virsh domxml-to-native`. libvirt itself parses and validates the XML
 * (its in-process test driver, test:///default: no daemon, no KVM); pnvm
 * reads the normalised XML back with XPath and maps it, refusing every
 * element it cannot honour. The mapping table and the refusals are in
 * configs/libvirt/README.md.
 */
#ifndef PNVM_LIBVIRT_DOMAIN_H
#define PNVM_LIBVIRT_DOMAIN_H

#include <stdio.h>

/* Namespace of pnvm's own settings under <metadata>. */
#define PNVM_XMLNS "https://pnvm.dev/xmlns/domain/1.0"

/*
 * Translate DOMAIN.xml into argv = { "pnvm", "run", options..., NULL }.
 * Returns 0 on success, 2 when the domain is refused (one line per problem
 * on errs, each starting with the XPath of the offending element), or a
 * negative errno when the file cannot be read. With lenient, harmless
 * omissions (display, sound, input, usb, balloon, ...) are warnings on
 * errs instead of refusals. Free the result with libvirt_argv_free().
 */
int libvirt_xml_to_argv(const char *xml_path, int lenient, char ***argv_out,
			int *argc_out, FILE *errs);
void libvirt_argv_free(char **argv);

/* `pnvm xml-to-argv [--lenient] DOMAIN.xml`: exit status 0, 1 (usage) or 2. */
int libvirt_main(int argc, char **argv);

/* One argument, quoted for a POSIX shell only when it needs to be. */
char *libvirt_shell_quote(const char *arg);

/*
 * Where pnvm would put guest RAM, decided from <numatune> alone even when
 * other elements are refused: tests compare it with what libvirt's QEMU
 * driver does for the same XML (host-nodes/policy in its .args).
 */
enum libvirt_place {
	LIBVIRT_PLACE_UNKNOWN,	/* libvirt rejected the XML: no decision */
	LIBVIRT_PLACE_NONE,	/* no <numatune>: nothing binds guest RAM */
	LIBVIRT_PLACE_NODE,	/* all guest RAM strictly on one node */
	LIBVIRT_PLACE_REFUSED,	/* a policy pnvm cannot honour */
};

struct libvirt_verdict {
	int libvirt_ok;		/* libvirt defined the domain */
	enum libvirt_place place;
	int node;		/* for LIBVIRT_PLACE_NODE */
	int hugepages;		/* <memoryBacking><hugepages> (refused) */
	int memfd;		/* <source type='memfd'/> */
	int file_backed;	/* <source type='file'/> (refused) */
	int prealloc;		/* <allocation mode='immediate'/> */
	int problems;		/* lines that refuse the domain */
	int warnings;		/* lines that --lenient turned into warnings */
	int harmless;		/* of the problems, those --lenient would waive */
};

/* libvirt_xml_to_argv() that also fills *v (may be NULL) and accepts a
 * NULL argv_out for a dry run. */
int libvirt_translate(const char *xml_path, int lenient, char ***argv_out,
		      int *argc_out, struct libvirt_verdict *v, FILE *errs);

#endif
