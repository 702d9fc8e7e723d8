/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PNVM_SERIAL_H
#define PNVM_SERIAL_H

#include <pthread.h>
#include <semaphore.h>
#include <termios.h>
#include "lib/util.h"

struct bus;

#define SERIAL_RX_SIZE	1024

/* What the UART needs from the VM: its interrupt line and "quit". */
struct serial_host {
	void *opaque;
	/* Set IRQ 4 to @level (NULL: no interrupt controller, in tests). */
	void (*irq)(void *opaque, int level);
	/* Ctrl-A x on a raw terminal. */
	void (*quit)(void *opaque);
};

/* An 8250/16550A at 0x3f8, IRQ 4: the guest console (console=ttyS0). */
struct serial {
	struct serial_host host;
	pthread_mutex_t lock;
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;	/* THR-empty interrupt not yet acknowledged */
	int irq_level;
	unsigned long iir_reads;	/* for the lost-edge watchdog */
	u8 rx[SERIAL_RX_SIZE];
	unsigned int rx_head, rx_tail;
	int in_fd, out_fd;
	int stop_fd;		/* eventfd that ends the input thread */
	pthread_t in_thread;
	bool in_started;
	sem_t started;		/* the input thread has its seccomp filter */
	int start_err;
	bool raw;		/* terminal switched to raw mode */
	struct termios saved;
	bool escape;		/* last input byte was Ctrl-A */
};

void serial_init(struct serial *s, const struct serial_host *host, int in_fd, int out_fd);

/* Raw terminal (only if in_fd is a tty) and the input thread. */
int serial_start(struct serial *s);

/* Stop input and restore the terminal; safe to call more than once. */
void serial_stop(struct serial *s);

/* A vCPU access to register off (0-7). */
void serial_io(struct serial *s, u16 off, bool out, u8 *data);

/* Claim ports 0x3f8-0x3ff (byte accesses). */
int serial_register(struct serial *s, struct bus *pio);

/* Queue input for the guest (used by the input thread and tests). */
void serial_receive(struct serial *s, const u8 *buf, size_t len);

#endif
