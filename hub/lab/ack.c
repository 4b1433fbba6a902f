/*
 * ack.c — the watermark and ranges behind "acknowledged means stored"
 * (ack.h).  Pure: no I/O, no allocation; device.c stores the events,
 * persists the watermark with them and publishes what ack_json says.
 */
#include <stdio.h>
#include <string.h>

#include "lab/ack.h"

void ack_load(struct ack *a, const char *boot, long long w)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->done.boot, sizeof(a->done.boot), "%s", boot ? boot : "");
	a->done.w = w > 0 ? w : 0;
	a->open = a->done;
}

int ack_check(const struct ack *a, const char *boot, long long seq)
{
	const struct ack_mark *m = &a->open;

	if (strcmp(m->boot, boot))
		return ACK_OTHER;
	if (seq <= m->w)
		return ACK_DUP;
	for (int i = 0; i < m->n && m->r[i][0] <= seq; i++)
		if (seq <= m->r[i][1])
			return ACK_DUP;
	return ACK_FRESH;
}

void ack_restart(struct ack *a, const char *boot)
{
	memset(&a->open, 0, sizeof(a->open));
	snprintf(a->open.boot, sizeof(a->open.boot), "%s", boot);
	a->dirty = 1;
}

static void drop_range(struct ack_mark *m, int i)
{
	memmove(m->r[i], m->r[i + 1], (size_t)(m->n - i - 1) * sizeof(m->r[0]));
	m->n--;
}

/* Move W over the ranges that now touch it. */
static void absorb(struct ack_mark *m)
{
	while (m->n && m->r[0][0] <= m->w + 1) {
		if (m->r[0][1] > m->w)
			m->w = m->r[0][1];
		drop_range(m, 0);
	}
}

void ack_base(struct ack *a, long long base)
{
	struct ack_mark *m = &a->open;

	if (base - 1 <= m->w)
		return;
	m->w = base - 1;
	absorb(m);
	a->dirty = 1;
}

void ack_stored(struct ack *a, long long seq)
{
	struct ack_mark *m = &a->open;
	int i, left, right;

	if (seq <= m->w)
		return;
	if (seq == m->w + 1) {
		m->w = seq;
		absorb(m);
		a->dirty = 1;
		return;
	}
	for (i = 0; i < m->n && m->r[i][0] <= seq; i++)
		if (seq <= m->r[i][1])
			return;	/* known */
	/* i: the first range above seq */
	left = i > 0 && m->r[i - 1][1] == seq - 1;
	right = i < m->n && m->r[i][0] == seq + 1;
	if (left && right) {
		m->r[i - 1][1] = m->r[i][1];
		drop_range(m, i);
	} else if (left) {
		m->r[i - 1][1] = seq;
	} else if (right) {
		m->r[i][0] = seq;
	} else {
		if (m->n == ACK_RANGES) {
			if (i == m->n)
				return;	/* above all we keep: forgotten, resent later */
			m->n--;		/* forget the highest range instead */
		}
		memmove(m->r[i + 1], m->r[i], (size_t)(m->n - i) * sizeof(m->r[0]));
		m->r[i][0] = m->r[i][1] = seq;
		m->n++;
	}
	a->dirty = 1;
}

void ack_commit(struct ack *a, int ok)
{
	if (ok)
		a->done = a->open;
	else
		a->open = a->done;
	a->dirty = 0;
}

int ack_json(const struct ack_mark *m, char *buf, size_t len)
{
	size_t n;
	int k;

	k = snprintf(buf, len, "{\"seq\":%lld", m->w);
	if (k < 0 || (size_t)k >= len)
		return -1;
	n = (size_t)k;
	if (m->boot[0]) {
		k = snprintf(buf + n, len - n, ",\"boot\":\"%s\"", m->boot);
		if (k < 0 || (size_t)k >= len - n)
			return -1;
		n += (size_t)k;
	}
	for (int i = 0; i < m->n; i++) {
		long long lo = i ? m->r[i - 1][1] + 1 : m->w + 1;

		k = snprintf(buf + n, len - n, "%s[%lld,%lld]", i ? "," : ",\"missing\":[",
			     lo, m->r[i][0] - 1);
		if (k < 0 || (size_t)k >= len - n)
			return -1;
		n += (size_t)k;
	}
	k = snprintf(buf + n, len - n, "%s}", m->n ? "]" : "");
	if (k < 0 || (size_t)k >= len - n)
		return -1;
	return (int)(n + (size_t)k);
}
