/*
 * mlab-load — load generator for mlab-hub's native MQTT schema.
 *
 * Plays N native devices (ids <prefix>-0001…) publishing telemetry and/or
 * events at a target total rate, over K MQTT connections, for a count of
 * messages or a duration.  Every payload carries the device's sequence
 * number and "t_us", the CLOCK_REALTIME microseconds at which it was sent,
 * so a subscriber can measure end-to-end latency and loss.
 *
 * Events follow the acknowledgement rule (docs/devices.md): they carry a
 * boot id (random per run, or --boot) and seq from --seq-start.  With
 * --resend-until-ack, events are kept until an ack of that boot covers
 * them on mlab/v1/<id>/ack ({"seq":W,"boot":B}: every event <= W is
 * stored; an ack without boot counts as ours), carry their base, and are
 * republished, oldest first, every --resend-ms until then, and at once
 * when an ack reports them missing; the program exits 0 once everything
 * is acknowledged and 1 after --ack-timeout.  --skip-seq N holds back the
 * first sending of event N (as if it were lost on the way).
 *
 * Pacing is a token bucket refilled from CLOCK_MONOTONIC and slept on with
 * clock_nanosleep(TIMER_ABSTIME), so the average rate holds even when a
 * single publish is slow.  Threads: main paces and publishes; each
 * connection's libmosquitto thread handles acks, under that connection's
 * mutex.
 *
 * The last line on stdout is the summary, e.g.
 *   sent=1000 acked=100 resent=0 unacked=0 elapsed_s=10.001 rate=99.99
 * With --resend-until-ack one JSON line per device comes before it:
 *   {"device":"load-0001","boot":"…","sent":100,"acked":100}
 * (sent: the highest seq published, acked: the highest acknowledged).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/broker.h"
#include "common/clk.h"
#include "common/dlog.h"
#include "common/native.h"
#include "common/opt.h"
#include "common/rng.h"
#include "common/sbuf.h"

enum kind { K_TELEMETRY, K_EVENT, K_MIXED };

/* An event sent and not yet acknowledged; the payload is rebuilt from it. */
struct pend {
	int64_t seq;
	int64_t t_us;		/* first send time, kept on resends */
	int progress;
};

struct dev {
	char id[NATIVE_ID_MAX + 1];
	char t_tele[NATIVE_TOPIC_MAX], t_event[NATIVE_TOPIC_MAX];
	char t_ack[NATIVE_TOPIC_MAX];
	struct conn *c;
	int64_t tele_seq;	/* telemetry counter */
	int64_t next_seq;	/* next event seq */
	int64_t acked;		/* highest seq acknowledged */
	int64_t last_sent;	/* highest seq published */
	struct pend *p;		/* ring of unacknowledged events, owned */
	size_t head, n, cap;
	int64_t resend_ms;	/* next time to republish pending events */
};

struct conn {
	struct broker b;
	pthread_mutex_t lock;	/* guards the pend rings of its devices */
	struct load *L;
	char client_id[96];
	size_t first, stride;	/* its devices: first, first+stride, … */
};

struct load {
	long ndev, nconn;
	double rate;
	int qos;
	long count;
	double duration;
	struct opt_conn mqtt;	/* the broker */
	const char *prefix;
	enum kind kind;
	long long seq_start;
	int resend_until_ack, announce;
	double ack_timeout;
	long resend_ms;
	char boot[NATIVE_BOOT_MAX + 1];
	long long skip[16];	/* --skip-seq: first sending held back */
	int nskip;

	struct dev *dev;
	struct conn *conn;
	atomic_long acked, resent;
	long sent;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mlab-load [OPTION]...\n"
"Load generator: N native devices publish on mlab/v1/<id>/telemetry and\n"
"mlab/v1/<id>/event at a target total rate; payloads carry \"seq\" and\n"
"\"t_us\" (send time, CLOCK_REALTIME microseconds).\n"
"\n"
"  -n, --devices N       number of devices (default 10)\n"
"  -r, --rate R          total messages per second, 0 = unpaced (default 100)\n"
"  -Q, --qos 0|1         QoS of telemetry and events (default 1)\n"
"  -c, --count C         stop after C messages\n"
"  -d, --duration S      stop after S seconds (default 10 if no --count)\n"
"  -k, --kind K          telemetry, event or mixed (1 event in 10) (default\n"
"                        telemetry)\n"
"      --seq-start K     first event seq of every device (default 1)\n"
"      --id-prefix P     device ids are P-0001… (default load)\n"
"      --clients K       MQTT connections to spread devices over\n"
"                        (default min(N, 16))\n"
"      --resend-until-ack  keep events until mlab/v1/<id>/ack covers them,\n"
"                        republishing them in order; exit 1 on timeout\n"
"      --resend-ms MS    republish unacknowledged events every MS (2000)\n"
"      --boot B          boot id of the numbering ([A-Za-z0-9._-]{1,32};\n"
"                        default random per run)\n"
"      --skip-seq N      do not publish event N when it is made (as if lost);\n"
"                        with --resend-until-ack it goes out with the resends\n"
"                        (repeatable, 16 at most)\n"
"      --ack-timeout S   wait at most S s for the last acks (default 30)\n"
"      --no-announce     do not publish retained status/meta per device\n"
"  -H, --host HOST       MQTT broker (default 127.0.0.1)\n"
"  -p, --port PORT       MQTT port (default 1883)\n"
"  -u, --username USER   MQTT user name\n"
"  -P, --password PASS   MQTT password (or MLAB_MQTT_PASSWORD)\n"
"  -v, --verbose         more log lines\n"
"  -V, --version         print the version and exit\n"
"  -h, --help            this text\n"
"\n"
"Last line on stdout: sent=N acked=N resent=N unacked=N elapsed_s=X rate=Y\n"
"before it, with --resend-until-ack, one line per device:\n"
"{\"device\":ID,\"boot\":B,\"sent\":LAST_SEQ_SENT,\"acked\":LAST_SEQ_ACKED}\n"
"Exit status: 0 done (and all acknowledged), 1 ack timeout or connection\n"
"failure, 2 bad options.\n");
}

static void event_json(struct sbuf *sb, const struct load *L,
		       const struct pend *p, int64_t base);

/* 1 if seq is in one of the ack's missing ranges. */
static int is_missing(const struct native_ack *a, int64_t seq)
{
	int k;

	for (k = 0; k < a->nmissing; k++)
		if (seq >= a->missing[k][0] && seq <= a->missing[k][1])
			return 1;
	return 0;
}

/* Network thread: drop the events an ack of our boot covers, republish
 * at once those it reports missing. */
static void on_message(struct broker *b, const char *topic,
		       const char *payload, int len, int retained, void *arg)
{
	struct conn *c = arg;
	struct load *L = c->L;
	struct native_ack a;
	size_t i, k;

	if (native_parse_ack(payload, len, &a) < 0 ||
	    !native_ack_covers(&a, L->boot))
		return;
	for (i = c->first; i < (size_t)L->ndev; i += c->stride) {
		struct dev *d = &L->dev[i];
		struct pend *again = NULL;
		long dropped = 0;
		size_t n = 0;
		int64_t base;

		if (strcmp(topic, d->t_ack) != 0)
			continue;
		pthread_mutex_lock(&c->lock);
		if (a.seq > d->acked)
			d->acked = a.seq;
		while (d->n && d->p[d->head].seq <= a.seq) {
			d->head = (d->head + 1) % d->cap;
			d->n--;
			dropped++;
		}
		base = d->n ? d->p[d->head].seq : d->next_seq;
		if (a.nmissing && d->n && (again = malloc(d->n * sizeof(*again))))
			for (k = 0; k < d->n; k++) {
				struct pend *p = &d->p[(d->head + k) % d->cap];

				if (is_missing(&a, p->seq)) {
					again[n++] = *p;
					if (p->seq > d->last_sent)
						d->last_sent = p->seq;
				}
			}
		pthread_mutex_unlock(&c->lock);
		atomic_fetch_add(&L->acked, dropped);
		if (n) {
			struct sbuf sb;

			sbuf_init(&sb);
			for (k = 0; k < n; k++) {
				event_json(&sb, L, &again[k], base);
				broker_publish(b, d->t_event, sbuf_str(&sb),
					       L->qos, 0);
			}
			sbuf_free(&sb);
			atomic_fetch_add(&L->resent, (long)n);
		}
		free(again);
		break;
	}
}

/* Network thread: subscribe to the acks of this connection's devices. */
static void on_connect(struct broker *b, void *arg)
{
	struct conn *c = arg;
	struct load *L = c->L;
	size_t i;

	if (!L->resend_until_ack)
		return;
	for (i = c->first; i < (size_t)L->ndev; i += c->stride)
		broker_subscribe(b, L->dev[i].t_ack, 1);
}

static int pend_push(struct dev *d, const struct pend *p)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64, i;
		struct pend *np = malloc(cap * sizeof(*np));

		if (!np)
			return -1;
		for (i = 0; i < d->n; i++)
			np[i] = d->p[(d->head + i) % d->cap];
		free(d->p);
		d->p = np;
		d->head = 0;
		d->cap = cap;
	}
	d->p[(d->head + d->n) % d->cap] = *p;
	d->n++;
	return 0;
}

/* The event's payload; base 0 = none (events not kept for resending). */
static void event_json(struct sbuf *sb, const struct load *L,
		       const struct pend *p, int64_t base)
{
	char ts[40];
	const char *type = p->progress == 0 ? "job.started" :
			   p->progress >= 100 ? "job.finished" :
						"job.progress";

	clk_iso_utc(ts, sizeof(ts), p->t_us);
	sbuf_reset(sb);
	sbuf_printf(sb, "{\"seq\":%lld,\"boot\":\"%s\",", (long long)p->seq,
		    L->boot);
	if (base > 0)
		sbuf_printf(sb, "\"base\":%lld,", (long long)base);
	sbuf_printf(sb, "\"type\":\"%s\",\"ts\":\"%s\","
		    "\"t_us\":%lld,\"file\":\"load-test.gcode\"",
		    type, ts, (long long)p->t_us);
	if (p->progress > 0 && p->progress < 100)
		sbuf_printf(sb, ",\"progress_pct\":%d,\"remaining_s\":%d",
			    p->progress, (100 - p->progress) * 36);
	sbuf_printf(sb, "}");
}

/* Publish one message for device d; returns 0 or -1. */
static int send_one(struct load *L, struct dev *d, int event,
		    struct rng *r, struct sbuf *sb)
{
	int64_t now = clk_real_us();
	int rc;

	if (!event) {
		sbuf_reset(sb);
		/* sent_s: the send time again, as a metric the hub keeps, so a
		 * WebSocket client can measure publish→screen latency */
		sbuf_printf(sb, "{\"temperature_c\":%.1f,\"humidity_pct\":%.1f,"
			    "\"power_w\":%.1f,\"seq\":%lld,\"t_us\":%lld,"
			    "\"sent_s\":%lld.%06lld}",
			    rng_uniform(r, 19, 24), rng_uniform(r, 30, 50),
			    rng_uniform(r, 2, 180), (long long)++d->tele_seq,
			    (long long)now, (long long)(now / 1000000),
			    (long long)(now % 1000000));
		return broker_publish(&d->c->b, d->t_tele, sbuf_str(sb),
				      L->qos, 0);
	}
	struct pend p = {
		.seq = d->next_seq++,
		.t_us = now,
		.progress = (int)((p.seq - L->seq_start) % 11) * 10,
	};

	int64_t base = 0;
	int skip = 0, i;

	for (i = 0; i < L->nskip; i++)
		if (L->skip[i] == p.seq)
			skip = 1;
	pthread_mutex_lock(&d->c->lock);
	if (L->resend_until_ack) {
		if (p.seq > d->acked)
			rc = pend_push(d, &p);
		else
			rc = 0;
		if (d->n == 1)
			d->resend_ms = clk_mono_ms() + L->resend_ms;
		base = d->n ? d->p[d->head].seq : p.seq;
		if (rc < 0)
			DLOG(D_ERR, "out of memory for pending events");
	}
	if (!skip)
		d->last_sent = p.seq;
	pthread_mutex_unlock(&d->c->lock);
	if (skip) {
		DLOG(D_INFO, "%s: seq %lld held back (--skip-seq)", d->id,
		     (long long)p.seq);
		return 0;
	}
	event_json(sb, L, &p, base);
	return broker_publish(&d->c->b, d->t_event, sbuf_str(sb), L->qos, 0);
}

/* Republish every due device's unacknowledged events, oldest first. */
static void resend_due(struct load *L, struct sbuf *sb)
{
	int64_t now = clk_mono_ms();
	long i;

	for (i = 0; i < L->ndev; i++) {
		struct dev *d = &L->dev[i];
		struct pend *copy = NULL;
		size_t n, k;

		pthread_mutex_lock(&d->c->lock);
		n = d->n;
		if (n && now >= d->resend_ms &&
		    (copy = malloc(n * sizeof(*copy)))) {
			for (k = 0; k < n; k++)
				copy[k] = d->p[(d->head + k) % d->cap];
			d->resend_ms = now + L->resend_ms;
			if (atomic_load(&d->c->b.connected) &&
			    copy[n - 1].seq > d->last_sent)
				d->last_sent = copy[n - 1].seq;
		}
		pthread_mutex_unlock(&d->c->lock);
		if (!copy)
			continue;
		if (atomic_load(&d->c->b.connected)) {
			for (k = 0; k < n; k++) {
				event_json(sb, L, &copy[k], copy[0].seq);
				broker_publish(&d->c->b, d->t_event,
					       sbuf_str(sb), L->qos, 0);
			}
			atomic_fetch_add(&L->resent, (long)n);
		}
		free(copy);
	}
}

static long unacked(struct load *L)
{
	long i, total = 0;

	for (i = 0; i < L->ndev; i++) {
		pthread_mutex_lock(&L->dev[i].c->lock);
		total += (long)L->dev[i].n;
		pthread_mutex_unlock(&L->dev[i].c->lock);
	}
	return total;
}

static void parse_args(struct load *L, int argc, char **argv)
{
	enum { O_SEQ = 256, O_PREFIX, O_CLIENTS, O_RUA, O_RESEND, O_ACKTO,
	       O_NOANN, O_BOOT, O_SKIP };
	static const struct option lo[] = {
		{ "devices", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "qos", required_argument, NULL, 'Q' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "kind", required_argument, NULL, 'k' },
		{ "seq-start", required_argument, NULL, O_SEQ },
		{ "id-prefix", required_argument, NULL, O_PREFIX },
		{ "clients", required_argument, NULL, O_CLIENTS },
		{ "resend-until-ack", no_argument, NULL, O_RUA },
		{ "resend-ms", required_argument, NULL, O_RESEND },
		{ "ack-timeout", required_argument, NULL, O_ACKTO },
		{ "no-announce", no_argument, NULL, O_NOANN },
		{ "boot", required_argument, NULL, O_BOOT },
		{ "skip-seq", required_argument, NULL, O_SKIP },
		OPT_BROKER_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	char probe[NATIVE_ID_MAX + 8];
	int c;

	L->ndev = 10;
	L->rate = 100;
	L->qos = 1;
	opt_conn_init(&L->mqtt);
	L->prefix = "load";
	L->kind = K_TELEMETRY;
	L->seq_start = 1;
	L->ack_timeout = 30;
	L->resend_ms = 2000;
	L->announce = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:r:Q:c:d:k:" OPT_BROKER_SHORT,
				lo, NULL)) != -1) {
		switch (c) {
		case 'n': L->ndev = opt_long("devices", optarg, 1, 100000); break;
		case 'r': L->rate = opt_double("rate", optarg, 0, 1e7); break;
		case 'Q': L->qos = (int)opt_long("qos", optarg, 0, 1); break;
		case 'c': L->count = opt_long("count", optarg, 1, 2000000000); break;
		case 'd': L->duration = opt_double("duration", optarg, 0.001,
						   1e7); break;
		case 'k':
			if (!strcmp(optarg, "telemetry"))
				L->kind = K_TELEMETRY;
			else if (!strcmp(optarg, "event"))
				L->kind = K_EVENT;
			else if (!strcmp(optarg, "mixed"))
				L->kind = K_MIXED;
			else
				opt_usage_error("--kind: '%s' is not telemetry, "
						"event or mixed", optarg);
			break;
		case O_SEQ: L->seq_start = opt_long("seq-start", optarg, 1,
						    1000000000000000LL); break;
		case O_PREFIX: L->prefix = opt_str("id-prefix", optarg, 50); break;
		case O_CLIENTS: L->nconn = opt_long("clients", optarg, 1, 1000); break;
		case O_RUA: L->resend_until_ack = 1; break;
		case O_RESEND: L->resend_ms = opt_long("resend-ms", optarg, 10,
						       3600000); break;
		case O_ACKTO: L->ack_timeout = opt_double("ack-timeout", optarg,
							  0, 1e6); break;
		case O_NOANN: L->announce = 0; break;
		case O_BOOT:
			if (!native_boot_valid(optarg))
				opt_usage_error("--boot: '%s' is not 1..%d of "
						"[A-Za-z0-9._-]", optarg,
						NATIVE_BOOT_MAX);
			snprintf(L->boot, sizeof(L->boot), "%s", optarg);
			break;
		case O_SKIP:
			if (L->nskip == (int)(sizeof(L->skip) /
					      sizeof(L->skip[0])))
				opt_usage_error("--skip-seq: at most 16");
			L->skip[L->nskip++] = opt_long("skip-seq", optarg, 1,
						       1000000000000000LL);
			break;
		default:
			if (!opt_broker(c, &L->mqtt, usage))
				opt_getopt_error(c, argv);
		}
	}
	opt_no_more_args(argc, argv);
	if (!L->boot[0])
		native_boot_new(L->boot, sizeof(L->boot));
	snprintf(probe, sizeof(probe), "%s-%06ld", L->prefix, L->ndev);
	if (!native_id_valid(probe))
		opt_usage_error("--id-prefix: '%s' makes invalid device ids",
				L->prefix);
	if (L->resend_until_ack && L->kind == K_TELEMETRY)
		L->kind = K_EVENT;	/* acks are about events */
	if (!L->count && !L->duration)
		L->duration = 10;
	if (!L->nconn)
		L->nconn = L->ndev < 16 ? L->ndev : 16;
	if (L->nconn > L->ndev)
		L->nconn = L->ndev;
}

int main(int argc, char **argv)
{
	struct load L;
	struct sigaction sa;
	struct sbuf sb;
	struct rng r;
	int64_t t0, end_ns = 0, next_ns, interval_ns = 0, wait_end;
	double tokens = 0, burst;
	long i, width = 1, ten;
	int rc = 1, started = 0;

	opt_prog = "mlab-load";
	memset(&L, 0, sizeof(L));
	parse_args(&L, argc, argv);
	for (ten = 10; ten <= L.ndev; ten *= 10)
		width++;
	if (width < 4)
		width = 4;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sbuf_init(&sb);
	rng_seed(&r, (uint64_t)L.seq_start * 7919 + (uint64_t)L.ndev);

	L.dev = calloc((size_t)L.ndev, sizeof(*L.dev));
	L.conn = calloc((size_t)L.nconn, sizeof(*L.conn));
	if (!L.dev || !L.conn) {
		DLOG(D_ERR, "out of memory for %ld devices", L.ndev);
		return 1;
	}
	if (broker_lib_init() < 0)
		return 1;
	for (i = 0; i < L.nconn; i++) {
		struct conn *c = &L.conn[i];

		pthread_mutex_init(&c->lock, NULL);
		c->L = &L;
		c->first = (size_t)i;
		c->stride = (size_t)L.nconn;
	}
	for (i = 0; i < L.ndev; i++) {
		struct dev *d = &L.dev[i];

		snprintf(d->id, sizeof(d->id), "%s-%0*ld", L.prefix, (int)width,
			 i + 1);
		native_topic(d->t_tele, sizeof(d->t_tele), d->id, "telemetry");
		native_topic(d->t_event, sizeof(d->t_event), d->id, "event");
		native_topic(d->t_ack, sizeof(d->t_ack), d->id, "ack");
		d->c = &L.conn[i % L.nconn];
		d->next_seq = L.seq_start;
		d->acked = L.seq_start - 1;
	}
	for (i = 0; i < L.nconn; i++) {
		struct conn *c = &L.conn[i];
		struct broker_opts bo = {
			.host = L.mqtt.host, .port = L.mqtt.port,
			.username = L.mqtt.username, .password = L.mqtt.password,
			.client_id = c->client_id,
			.max_inflight = L.qos ? 1000 : 0,
			.quiet = 1,
			.on_connect = on_connect, .on_message = on_message,
			.arg = c,
		};

		snprintf(c->client_id, sizeof(c->client_id), "%s-conn%ld-%ld",
			 L.prefix, i + 1, (long)getpid());
		if (broker_start(&c->b, &bo) < 0)
			goto out;
		started++;
	}
	/* everyone connected (and subscribed) before the clock starts */
	wait_end = clk_mono_ms() + 10000;
	for (i = 0; i < L.nconn && !stop_flag; i++) {
		while (!atomic_load(&L.conn[i].b.connected) &&
		       clk_mono_ms() < wait_end && !stop_flag)
			clk_sleep_ms(10);
		if (!atomic_load(&L.conn[i].b.connected)) {
			DLOG(D_ERR, "cannot connect to %s:%d", L.mqtt.host,
			     L.mqtt.port);
			goto out;
		}
	}
	if (L.announce) {
		for (i = 0; i < L.ndev; i++) {
			struct dev *d = &L.dev[i];
			char t[NATIVE_TOPIC_MAX], name[80];

			native_topic(t, sizeof(t), d->id, "status");
			broker_publish(&d->c->b, t, "online", 1, 1);
			native_topic(t, sizeof(t), d->id, "meta");
			snprintf(name, sizeof(name), "Charge %ld", i + 1);
			sbuf_reset(&sb);
			native_meta_json(&sb, name, "other", "mlab-load",
					 "Banc d'essai");
			broker_publish(&d->c->b, t, sbuf_str(&sb), 1, 1);
		}
	}
	clk_sleep_ms(L.resend_until_ack ? 300 : 50);	/* retained acks */

	t0 = clk_mono_ns();
	if (L.duration > 0)
		end_ns = t0 + (int64_t)(L.duration * 1e9);
	if (L.rate > 0)
		interval_ns = (int64_t)(1e9 / L.rate);
	burst = L.rate > 0 ? (L.rate * 0.02 > 1 ? L.rate * 0.02 : 1) : 0;
	next_ns = t0;
	while (!stop_flag) {
		int64_t now = clk_mono_ns();

		if (end_ns && now >= end_ns)
			break;
		if (L.count && L.sent >= L.count)
			break;
		if (L.rate > 0) {
			/* token bucket: refill by elapsed time, cap at burst */
			tokens += (double)(now - next_ns) / (double)interval_ns;
			next_ns = now;
			if (tokens > burst)
				tokens = burst;
			if (tokens < 1) {
				int64_t wake = now + (int64_t)((1 - tokens) *
							       interval_ns);

				if (end_ns && wake > end_ns)
					wake = end_ns;
				clk_sleep_until_ns(wake, &stop_flag);
				continue;
			}
			tokens -= 1;
		}
		struct dev *d = &L.dev[L.sent % L.ndev];
		int event = L.kind == K_EVENT ||
			    (L.kind == K_MIXED && L.sent % 10 == 9);

		send_one(&L, d, event, &r, &sb);
		L.sent++;
		if (L.resend_until_ack && (L.sent & 255) == 0)
			resend_due(&L, &sb);
	}
	double elapsed = (double)(clk_mono_ns() - t0) / 1e9;

	/* let QoS 1 publishes finish, then wait for acks */
	for (i = 0; i < L.nconn; i++)
		broker_drain(&L.conn[i].b, 10000);
	rc = 0;
	if (L.resend_until_ack) {
		int64_t until = clk_mono_ms() + (int64_t)(L.ack_timeout * 1000);

		stop_flag = 0;
		while (unacked(&L) > 0 && clk_mono_ms() < until && !stop_flag) {
			resend_due(&L, &sb);
			clk_sleep_ms(20);
		}
		if (unacked(&L) > 0) {
			DLOG(D_WARN, "%ld event(s) not acknowledged after %g s",
			     unacked(&L), L.ack_timeout);
			rc = 1;
		}
	}
	if (L.announce) {
		for (i = 0; i < L.ndev; i++) {
			char t[NATIVE_TOPIC_MAX];

			native_topic(t, sizeof(t), L.dev[i].id, "status");
			broker_publish(&L.dev[i].c->b, t, "offline", 1, 1);
		}
		for (i = 0; i < L.nconn; i++)
			broker_drain(&L.conn[i].b, 5000);
	}
	for (i = 0; L.resend_until_ack && i < L.ndev; i++) {
		struct dev *d = &L.dev[i];

		pthread_mutex_lock(&d->c->lock);
		printf("{\"device\":\"%s\",\"boot\":\"%s\",\"sent\":%lld,"
		       "\"acked\":%lld}\n", d->id, L.boot,
		       (long long)d->last_sent, (long long)d->acked);
		pthread_mutex_unlock(&d->c->lock);
	}
	printf("sent=%ld acked=%ld resent=%ld unacked=%ld elapsed_s=%.3f "
	       "rate=%.2f\n", L.sent, atomic_load(&L.acked),
	       atomic_load(&L.resent), L.resend_until_ack ? unacked(&L) : 0,
	       elapsed, elapsed > 0 ? (double)L.sent / elapsed : 0.0);
	fflush(stdout);
out:
	for (i = 0; i < started; i++)
		broker_stop(&L.conn[i].b);
	broker_lib_cleanup();
	for (i = 0; i < L.ndev; i++)
		free(L.dev[i].p);
	for (i = 0; i < L.nconn; i++)
		pthread_mutex_destroy(&L.conn[i].lock);
	free(L.dev);
	free(L.conn);
	sbuf_free(&sb);
	return rc;
}
