/*
 * clk.c — clocks, sleeping and ISO-8601 formatting (see clk.h).
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "clk.h"

int64_t clk_real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clk_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t clk_mono_ms(void)
{
	return clk_mono_ns() / 1000000;
}

void clk_sleep_until_ns(int64_t ns, volatile int *stop)
{
	struct timespec ts = {
		.tv_sec = ns / 1000000000,
		.tv_nsec = ns % 1000000000,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR) {
		if (stop && *stop)
			return;
	}
}

void clk_sleep_ms(long ms)
{
	clk_sleep_until_ns(clk_mono_ns() + (int64_t)ms * 1000000, NULL);
}

void clk_iso_utc(char *buf, size_t len, int64_t real_us)
{
	time_t t = (time_t)(real_us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(real_us / 1000 % 1000));
}

void clk_iso_local(char *buf, size_t len, int64_t real_us)
{
	time_t t = (time_t)(real_us / 1000000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}
