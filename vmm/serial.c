// SPDX-License-Identifier: GPL-2.0
/*
 * 8250 UART, enough of a 16550A for Linux's serial driver: divisor latch,
 * FIFO flag, loopback for the probe, RX and THR-empty interrupts. Output
 * is written out at once, so the transmitter is always empty.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/bus.h"
#include "vmm/legacy.h"
#include "vmm/seccomp.h"
#include "vmm/serial.h"

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

#define CTRL_A		0x01

void serial_init(struct serial *s, const struct serial_host *host, int in_fd, int out_fd)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->host = *host;
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->stop_fd = -1;
	s->mcr = 0x08;		/* OUT2 */
}

static bool rx_empty(const struct serial *s)
{
	return s->rx_head == s->rx_tail;
}

static size_t rx_free(const struct serial *s)
{
	return SERIAL_RX_SIZE - 1 -
	       (s->rx_tail + SERIAL_RX_SIZE - s->rx_head) % SERIAL_RX_SIZE;
}

static void set_irq(struct serial *s, int level)
{
	if (s->host.irq)
		s->host.irq(s->host.opaque, level);
}

/* Edge-triggered ISA line: follow "an interrupt is pending". */
static void update_irq(struct serial *s)
{
	int level = ((s->ier & IER_RDI) && !rx_empty(s)) ||
		    ((s->ier & IER_THRI) && s->thre_pending);

	if (level != s->irq_level) {
		s->irq_level = level;
		set_irq(s, level);
	}
}

static void emit(struct serial *s, u8 c)
{
	while (write(s->out_fd, &c, 1) < 0 && errno == EINTR)
		;
}

void serial_receive(struct serial *s, const u8 *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < len; i++) {
		unsigned int next = (s->rx_tail + 1) % SERIAL_RX_SIZE;

		if (next == s->rx_head)
			break;		/* full: drop, like a real overrun */
		s->rx[s->rx_tail] = buf[i];
		s->rx_tail = next;
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static u8 msr_value(const struct serial *s)
{
	/* Loopback wires DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	if (s->mcr & MCR_LOOP)
		return (s->mcr & 0x01) << 5 | (s->mcr & 0x02) << 3 |
		       (s->mcr & 0x04) << 4 | (s->mcr & 0x08) << 4;
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

static void serial_out(struct serial *s, u16 off, u8 v)
{
	switch (off) {
	case RBR_THR:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
		} else if (s->mcr & MCR_LOOP) {
			unsigned int next = (s->rx_tail + 1) % SERIAL_RX_SIZE;

			if (next != s->rx_head) {
				s->rx[s->rx_tail] = v;
				s->rx_tail = next;
			}
			s->thre_pending = true;
		} else {
			emit(s, v);
			s->thre_pending = true;
		}
		break;
	case IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
		} else {
			/* Enabling THRI with an empty THR raises it at once. */
			if (!(s->ier & IER_THRI) && (v & IER_THRI))
				s->thre_pending = true;
			s->ier = v & 0x0f;
		}
		break;
	case IIR_FCR:
		s->fcr = v;
		if (v & FCR_CLEAR_RX)
			s->rx_head = s->rx_tail = 0;
		break;
	case LCR:
		s->lcr = v;
		break;
	case MCR:
		s->mcr = v & 0x1f;
		break;
	case SCR:
		s->scr = v;
		break;
	}
}

static u8 serial_in(struct serial *s, u16 off)
{
	u8 v = 0;

	switch (off) {
	case RBR_THR:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (!rx_empty(s)) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL_RX_SIZE;
		}
		return v;
	case IER:
		return s->lcr & LCR_DLAB ? s->dlm : s->ier;
	case IIR_FCR:
		s->iir_reads++;
		v = s->fcr & FCR_ENABLE ? IIR_FIFO : 0;
		if ((s->ier & IER_RDI) && !rx_empty(s))
			return v | IIR_RDI;
		if ((s->ier & IER_THRI) && s->thre_pending) {
			/* Reading IIR acknowledges THR empty. */
			s->thre_pending = false;
			return v | IIR_THRI;
		}
		return v | IIR_NO_INT;
	case LCR:
		return s->lcr;
	case MCR:
		return s->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (rx_empty(s) ? 0 : LSR_DR);
	case MSR:
		return msr_value(s);
	case SCR:
		return s->scr;
	}
	return 0xff;
}

void serial_io(struct serial *s, u16 off, bool out, u8 *data)
{
	pthread_mutex_lock(&s->lock);
	if (out)
		serial_out(s, off, *data);
	else
		*data = serial_in(s, off);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

static void serial_bus(void *opaque, u64 off, u8 *data, u32 len, bool write)
{
	serial_io(opaque, off, write, data);
}

int serial_register(struct serial *s, struct bus *pio)
{
	return bus_register(pio, SERIAL_PORT, 8, 1, serial_bus, s);
}

/* Ctrl-A x leaves pnvm (raw terminals send no SIGINT); Ctrl-A Ctrl-A sends one. */
static size_t filter_escape(struct serial *s, u8 *buf, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		u8 c = buf[i];

		if (s->escape) {
			s->escape = false;
			if (c == 'x') {
				s->host.quit(s->host.opaque);
				return out;
			}
			if (c != CTRL_A)
				continue;
		} else if (c == CTRL_A && s->raw) {
			s->escape = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

/*
 * IRQ 4 is edge-triggered: if an edge is ever lost, the line stays high,
 * no new edge comes and the guest's tty output blocks for good (seen
 * nested under TCG). When the line has been high for a whole period
 * without the guest reading IIR, pulse it. A spurious interrupt costs
 * the guest one IIR read.
 */
#define SERIAL_WATCHDOG_MS	100

static void serial_watchdog(struct serial *s, unsigned long *seen)
{
	pthread_mutex_lock(&s->lock);
	if (s->irq_level && s->iir_reads == *seen) {
		set_irq(s, 0);
		set_irq(s, 1);
	}
	*seen = s->iir_reads;
	pthread_mutex_unlock(&s->lock);
}

static void *input_thread(void *arg)
{
	struct serial *s = arg;
	struct pollfd fds[2] = {
		{ .fd = s->in_fd, .events = POLLIN },
		{ .fd = s->stop_fd, .events = POLLIN },
	};
	unsigned long seen = 0;
	struct timespec last;
	u8 buf[64];

	s->start_err = sc_install(SC_SERIAL, sc_default_mode, "serial-in");
	sem_post(&s->started);
	if (s->start_err)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &last);
	for (;;) {
		ssize_t n;
		int ret = poll(fds, 2, SERIAL_WATCHDOG_MS);
		struct timespec now;

		if (ret < 0 && errno != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >=
		    SERIAL_WATCHDOG_MS) {
			serial_watchdog(s, &seen);
			last = now;
		}
		if (ret <= 0)
			continue;
		if (fds[1].revents)
			break;
		if (!fds[0].revents)
			continue;
		n = read(s->in_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			/* EOF: no more input, but keep the watchdog going. */
			fds[0].fd = -1;
			continue;
		}
		n = filter_escape(s, buf, n);
		/* Back off while the guest has not drained the FIFO. */
		while (n > 0) {
			pthread_mutex_lock(&s->lock);
			bool room = rx_free(s) >= (size_t)n;
			pthread_mutex_unlock(&s->lock);
			if (room) {
				serial_receive(s, buf, n);
				break;
			}
			if (poll(&fds[1], 1, 10) > 0)
				return NULL;
		}
	}
	return NULL;
}

int serial_start(struct serial *s)
{
	if (isatty(s->in_fd) && !tcgetattr(s->in_fd, &s->saved)) {
		struct termios t = s->saved;

		cfmakeraw(&t);
		t.c_oflag |= OPOST | ONLCR;	/* our own messages stay readable */
		if (!tcsetattr(s->in_fd, TCSANOW, &t))
			s->raw = true;
	}
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_fd < 0)
		return errf(-errno, "eventfd: %s", strerror(errno));
	sem_init(&s->started, 0, 0);
	if (pthread_create(&s->in_thread, NULL, input_thread, s))
		return errf(-EAGAIN, "cannot start the console input thread");
	pthread_setname_np(s->in_thread, "serial-in");
	while (sem_wait(&s->started) && errno == EINTR)
		;
	if (s->start_err) {
		pthread_join(s->in_thread, NULL);
		/* errf() is per thread: say it again here. */
		return errf(s->start_err, "console input thread: seccomp filter: %s",
			    strerror(-s->start_err));
	}
	s->in_started = true;
	return 0;
}

void serial_stop(struct serial *s)
{
	u64 one = 1;

	if (s->in_started) {
		if (write(s->stop_fd, &one, sizeof(one)) < 0)
			pthread_cancel(s->in_thread);
		pthread_join(s->in_thread, NULL);
		s->in_started = false;
	}
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	s->stop_fd = -1;
	if (s->raw)
		tcsetattr(s->in_fd, TCSANOW, &s->saved);
	s->raw = false;
}
