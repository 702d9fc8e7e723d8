// SPDX-License-Identifier: GPL-2.0
/* The 8250 as Linux's probe and driver see it; output into a pipe. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tap.h"
#include "vmm/serial.h"

static struct serial *s;

static u8 in(u16 off)
{
	u8 v;

	serial_io(s, off, false, &v);
	return v;
}

static void out(u16 off, u8 v)
{
	serial_io(s, off, true, &v);
}

int main(void)
{
	struct serial_host host = { .irq = NULL };	/* no interrupt controller here */
	char buf[16] = "";
	int p[2];

	s = calloc(1, sizeof(*s));
	if (pipe(p))
		return 1;
	serial_init(s, &host, -1, p[1]);

	out(7, 0xa5);
	ok(in(7) == 0xa5, "scratch register holds a value");
	out(1, 0x0f);
	ok(in(1) == 0x0f, "IER reads back");
	out(1, 0);
	out(4, 0x1a);		/* loop | RTS | OUT2, as the probe does */
	ok((in(6) & 0xf0) == 0x90, "loopback: MSR shows CTS|DCD (0x%x)", in(6));
	out(4, 0x08);
	ok((in(6) & 0xb0) == 0xb0, "no loopback: DCD, DSR, CTS asserted");

	out(2, 0x01);		/* FIFO on */
	ok((in(2) & 0xc0) == 0xc0, "IIR reports a 16550A FIFO");
	ok(in(2) & 0x01, "no interrupt pending");

	out(3, 0x80);		/* DLAB */
	out(0, 0x01);
	out(1, 0x00);
	ok(in(0) == 0x01 && in(1) == 0x00, "divisor latch");
	out(3, 0x03);		/* 8N1 */
	ok(in(3) == 0x03, "LCR reads back");

	ok((in(5) & 0x60) == 0x60, "transmitter empty");
	out(0, 'h');
	out(0, 'i');
	ok(read(p[0], buf, 2) == 2 && !memcmp(buf, "hi", 2), "THR bytes reach the output");
	ok(s->irq_level == 0, "no IRQ while IER is 0");

	out(1, 0x02);		/* THRI */
	ok(s->irq_level == 1 && (in(2) & 0x0f) == 0x02, "enabling THRI raises a THR-empty interrupt");
	ok(s->irq_level == 0 && (in(2) & 0x01), "reading IIR acknowledges it and lowers the line");
	out(0, '!');
	ok(s->irq_level == 1, "the next byte sent raises it again (a new edge)");
	in(2);

	out(1, 0x01);		/* RDI only */
	serial_receive(s, (const u8 *)"ab", 2);
	ok(s->irq_level == 1 && (in(5) & 0x01) && (in(2) & 0x0f) == 0x04,
	   "input: data ready, RX interrupt");
	ok(in(0) == 'a' && in(0) == 'b', "input read in order");
	ok(!(in(5) & 0x01) && s->irq_level == 0, "drained: no data, line low");

	out(4, 0x18);		/* loopback */
	out(0, 'z');
	ok((in(5) & 0x01) && in(0) == 'z', "loopback returns what was sent");
	close(p[0]);
	close(p[1]);
	free(s);
	return tap_done();
}
