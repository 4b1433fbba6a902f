/*
 * clk.h — time helpers shared by the device programs.
 *
 * Wall-clock time (CLOCK_REALTIME) goes into payloads so latency can be
 * measured across processes; CLOCK_MONOTONIC paces loops and timeouts.
 */
#ifndef MLAB_DEV_CLK_H
#define MLAB_DEV_CLK_H

#include <stdint.h>
#include <stddef.h>

int64_t clk_real_us(void);		/* CLOCK_REALTIME, microseconds */
int64_t clk_mono_ns(void);		/* CLOCK_MONOTONIC, nanoseconds */
int64_t clk_mono_ms(void);
/* Sleep until CLOCK_MONOTONIC reaches ns (restarts after signals unless
 * *stop becomes non-zero; stop may be NULL). */
void clk_sleep_until_ns(int64_t ns, volatile int *stop);
void clk_sleep_ms(long ms);
/* "2026-11-21T15:00:00.123Z" (UTC, milliseconds) into buf (>= 32 bytes). */
void clk_iso_utc(char *buf, size_t len, int64_t real_us);
/* "2026-11-21T10:00:00" in local time, no offset (Tasmota's Time). */
void clk_iso_local(char *buf, size_t len, int64_t real_us);

#endif
