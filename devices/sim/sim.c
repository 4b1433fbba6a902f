/*
 * mlab-sim — a simulated MLab on an MQTT broker, for `make run` and tests.
 *
 * Each simulated device speaks its real ecosystem's topics and bytes, as
 * documented in the device corpus: OctoPrint-MQTT and Moonraker printers,
 * Tasmota plugs and a Shelly Plus Plug S whose power follows the machine
 * they feed, an ESPHome environment sensor with Home Assistant discovery,
 * a Zigbee2MQTT CO2 sensor and button box behind one Z2M bridge, and a
 * native-schema 3D scanner.  Every device (the Z2M bridge for its Zigbee
 * devices) has its own MQTT connection with its firmware's last will.
 *
 * Printers run jobs (heat, print, finish; sometimes fail or get cancelled,
 * --fail-rate), devices drop off the network now and then (--flap-rate),
 * plugs obey Tasmota POWER commands and Shelly Switch.Set; switching off a
 * printer's plug fails its job.  Simulated time runs --speed times faster
 * than real time; --seed makes the choices repeatable.  --once publishes
 * one full cycle quickly (announce, one job per printer, one scan, one
 * button press) and exits.  On SIGINT/SIGTERM every device publishes its
 * offline status and the program exits 0.
 *
 * This file is the driver: options, the scheduler, the broker connections
 * (birth, last will, commands, drop-outs).  Each kind of device is one
 * file behind a `const struct sim_ops` (sim.h); lab.c lays the lab out.
 *
 * Threads: main runs the simulation under sim_lock; commands arriving on
 * libmosquitto's network threads take the same lock.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../common/broker.h"
#include "../common/clk.h"
#include "../common/dlog.h"
#include "../common/opt.h"

struct sim S;
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = 1;
}

/* ---- helpers every kind uses (sim.h) ------------------------------------ */

long sim_now_s(void)
{
	return (long)(clk_real_us() / 1000000);
}

int sim_due(double *next, double interval)
{
	double min = 0.5 * S.speed;

	if (S.t < *next)
		return 0;
	*next = S.t + (interval > min ? interval : min);
	return 1;
}

void sim_pub(struct sdev *d, const char *topic, const char *payload,
	     int retain)
{
	struct broker *b = d->has_conn ? &d->b : &S.z2m;

	if (!d->online)
		return;
	broker_publish(b, topic, payload, 1, retain);
}

void sim_pubf(struct sdev *d, int retain, const char *payload,
	      const char *tfmt, ...)
{
	char topic[256];
	va_list ap;

	va_start(ap, tfmt);
	vsnprintf(topic, sizeof(topic), tfmt, ap);
	va_end(ap);
	sim_pub(d, topic, payload, retain);
}

void sim_air_drift(struct sdev *d, double dt)
{
	double k = dt / 600 > 1 ? 1 : dt / 600;

	d->temp += (21.5 - d->temp) * k * 0.2 + rng_gauss(d->r, 0, 0.05);
	d->hum += (40 - d->hum) * k * 0.2 + rng_gauss(d->r, 0, 0.1);
	d->press += (1013 - d->press) * k * 0.1 + rng_gauss(d->r, 0, 0.05);
	d->co2 += (650 - d->co2) * k * 0.3 + rng_gauss(d->r, 0, 4);
	if (d->co2 < 410)
		d->co2 = 410;
}

/* ---- connections: birth, last will, commands ---------------------------- */

static void on_connect(struct broker *b, void *arg)
{
	struct sdev *d = arg;

	pthread_mutex_lock(&sim_lock);
	d->online = 1;
	if (d->ops->listen) {
		char t[128];

		d->ops->listen(d, t, sizeof(t));
		broker_subscribe(b, t, 1);
	}
	d->ops->announce(d);
	pthread_mutex_unlock(&sim_lock);
}

/* The Zigbee2MQTT bridge is up: it announces its devices. */
static void z2m_on_connect(struct broker *b, void *arg)
{
	int i;

	pthread_mutex_lock(&sim_lock);
	broker_publish(b, "zigbee2mqtt/bridge/state", "{\"state\":\"online\"}",
		       1, 1);
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (d->ops->bridged && d->back_at <= S.t) {
			d->online = 1;
			d->ops->announce(d);
		}
	}
	pthread_mutex_unlock(&sim_lock);
}

static void on_message(struct broker *b, const char *topic,
		       const char *payload, int len, int retained, void *arg)
{
	struct sdev *d = arg;

	pthread_mutex_lock(&sim_lock);
	if (d->ops->message)
		d->ops->message(d, topic, payload, len, retained);
	pthread_mutex_unlock(&sim_lock);
}

static int connect_dev(struct sdev *d)
{
	static char wt[MAX_DEV][160];
	static char cid[MAX_DEV][96];
	int i = (int)(d - S.dev);
	const char *wp;
	struct broker_opts o = {
		.host = S.mqtt.host, .port = S.mqtt.port,
		.username = S.mqtt.username, .password = S.mqtt.password,
		.will_retain = 1, .quiet = 1,
		.on_connect = on_connect, .on_message = on_message, .arg = d,
	};

	d->ops->will(d, wt[i], sizeof(wt[i]), &wp);
	snprintf(cid[i], sizeof(cid[i]), "sim-%s", d->nid);
	o.client_id = cid[i];
	o.will_topic = wt[i];
	o.will_payload = wp;
	d->has_conn = 1;
	return broker_start(&d->b, &o);
}

/* Go offline as the broker would report it, or come back. */
static void flap(struct sdev *d, int down)
{
	char topic[160];
	const char *payload;

	if (down) {
		DLOG(D_NOTICE, "%s drops off the network", d->hub_id);
		d->ops->will(d, topic, sizeof(topic), &payload);
		sim_pub(d, topic, payload, 1);
		d->online = 0;
		d->back_at = S.t + rng_uniform(d->r, 30, 240);
		if (d->has_conn) {
			pthread_mutex_unlock(&sim_lock);
			broker_drain(&d->b, 1000);
			broker_stop(&d->b);
			pthread_mutex_lock(&sim_lock);
		}
	} else {
		DLOG(D_NOTICE, "%s is back", d->hub_id);
		if (d->has_conn) {
			pthread_mutex_unlock(&sim_lock);
			connect_dev(d);	/* on_connect announces it */
			pthread_mutex_lock(&sim_lock);
		} else {
			d->online = 1;
			d->ops->announce(d);
		}
	}
}

static int has_zigbee(void)
{
	int i;

	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].ops->bridged)
			return 1;
	return 0;
}

static int start_all(void)
{
	int i;

	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (d->ops->bridged)
			continue;
		if (connect_dev(d) < 0)
			return -1;
	}
	if (has_zigbee()) {
		struct broker_opts o = {
			.host = S.mqtt.host, .port = S.mqtt.port,
			.username = S.mqtt.username, .password = S.mqtt.password,
			.client_id = "sim-zigbee2mqtt",
			.will_topic = "zigbee2mqtt/bridge/state",
			.will_payload = "{\"state\":\"offline\"}",
			.will_retain = 1, .quiet = 1,
			.on_connect = z2m_on_connect,
		};

		if (broker_start(&S.z2m, &o) < 0)
			return -1;
		S.has_z2m = 1;
	}
	return 0;
}

/* Wait until every connection is up; 0, or -1 after timeout_ms. */
static int wait_online(long timeout_ms)
{
	int64_t end = clk_mono_ms() + timeout_ms;
	int i, all;

	do {
		all = !S.has_z2m || atomic_load(&S.z2m.connected);
		for (i = 0; i < S.ndev; i++)
			if (S.dev[i].has_conn && !S.dev[i].online)
				all = 0;
		if (all)
			return 0;
		clk_sleep_ms(20);
	} while (clk_mono_ms() < end && !stop_flag);
	return -1;
}

/* Clean shutdown: every device says it is offline, then disconnects. */
static void stop_all(void)
{
	char topic[160];
	const char *payload;
	int i;

	pthread_mutex_lock(&sim_lock);
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (!d->online)
			continue;
		d->ops->will(d, topic, sizeof(topic), &payload);
		sim_pub(d, topic, payload, 1);
		if (!d->ops->bridged)
			d->online = 0;
	}
	if (S.has_z2m)
		broker_publish(&S.z2m, "zigbee2mqtt/bridge/state",
			       "{\"state\":\"offline\"}", 1, 1);
	pthread_mutex_unlock(&sim_lock);
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].has_conn && S.dev[i].b.mosq) {
			broker_drain(&S.dev[i].b, 2000);
			broker_stop(&S.dev[i].b);
		}
	if (S.has_z2m) {
		broker_drain(&S.z2m, 2000);
		broker_stop(&S.z2m);
	}
}

/* ---- the scheduler --------------------------------------------------- */

/* One simulation step of dt simulated seconds; sim_lock held. */
static void step(double dt)
{
	int i;

	S.t += dt;
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];
		int busy = d->job != J_IDLE || d->scanning;

		if (!d->online && d->back_at > 0 && S.t >= d->back_at) {
			d->back_at = 0;
			flap(d, 0);
		} else if (d->online && !busy && !S.once && S.flap_rate > 0 &&
			   rng_chance(&S.rng, S.flap_rate * dt / 3600)) {
			flap(d, 1);
			continue;
		}
		d->ops->step(d, dt);
	}
}

/*
 * --once: one full cycle, quickly.  Every device has announced itself on
 * connect; then each printer runs one short job to the end, with its plug
 * following, the scanner makes one scan, each button is pressed once.
 */
static void run_once(void)
{
	int i, busy;

	pthread_mutex_lock(&sim_lock);
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].ops->once_start)
			S.dev[i].ops->once_start(&S.dev[i]);
	pthread_mutex_unlock(&sim_lock);
	do {
		clk_sleep_ms(20);
		pthread_mutex_lock(&sim_lock);
		step(10);	/* 10 simulated seconds per step */
		busy = 0;
		for (i = 0; i < S.ndev; i++)
			if (S.dev[i].job != J_IDLE)
				busy = 1;
		pthread_mutex_unlock(&sim_lock);
	} while (busy && !stop_flag);
	pthread_mutex_lock(&sim_lock);
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (d->ops->once_end)
			d->ops->once_end(d);
		if (d->ops->telemetry) {
			d->next_tele = 0;
			d->ops->telemetry(d);
		}
	}
	pthread_mutex_unlock(&sim_lock);
}

/* ---- options and main --------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: mlab-sim [OPTION]...\n"
"A simulated maker lab on an MQTT broker: printers (OctoPrint, Moonraker),\n"
"plugs (Tasmota, Shelly), sensors (ESPHome, Zigbee2MQTT), a Zigbee button\n"
"box and a native 3D scanner, each in its real firmware's topics and format.\n"
"\n"
"  -H, --host HOST      MQTT broker (default 127.0.0.1)\n"
"  -p, --port PORT      MQTT port (default 1883)\n"
"  -u, --username USER  MQTT user name\n"
"  -P, --password PASS  MQTT password (or MLAB_MQTT_PASSWORD)\n"
"  -s, --seed N         seed of the simulation's choices (default 1)\n"
"  -x, --speed X        simulated time runs X times faster (default 1)\n"
"      --printers N     printers, alternately OctoPrint and Moonraker (2)\n"
"      --plugs N        plugs: one Tasmota per printer, then a Shelly Plus\n"
"                       Plug S for the scanning station, then Tasmota (3)\n"
"      --sensors N      sensors, alternately ESPHome and Zigbee2MQTT CO2 (2)\n"
"      --buttons N      Zigbee2MQTT button boxes (1)\n"
"      --scanners N     native 3D scanners (1)\n"
"      --fail-rate F    chance a print fails or is cancelled (0.1)\n"
"      --flap-rate F    network drop-outs per device per simulated hour (0.2)\n"
"  -d, --duration S     stop after S real seconds, 0 = never (default 0)\n"
"      --once           announce, one job per printer, one scan, one press,\n"
"                       then go offline and exit 0\n"
"      --list           print the devices (hub id, kind, name) and exit\n"
"  -v, --verbose        more log lines\n"
"  -q, --quiet          warnings and errors only\n"
"  -V, --version        print the version and exit\n"
"  -h, --help           this text\n"
"\n"
"Exit status: 0 done or stopped by SIGINT/SIGTERM, 1 broker unreachable\n"
"with --once, 2 bad options.\n");
}

static void parse_args(int argc, char **argv)
{
	enum { O_PRINTERS = 256, O_PLUGS, O_SENSORS, O_BUTTONS, O_SCANNERS,
	       O_FAIL, O_FLAP, O_ONCE, O_LIST };
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "speed", required_argument, NULL, 'x' },
		{ "printers", required_argument, NULL, O_PRINTERS },
		{ "plugs", required_argument, NULL, O_PLUGS },
		{ "sensors", required_argument, NULL, O_SENSORS },
		{ "buttons", required_argument, NULL, O_BUTTONS },
		{ "scanners", required_argument, NULL, O_SCANNERS },
		{ "fail-rate", required_argument, NULL, O_FAIL },
		{ "flap-rate", required_argument, NULL, O_FLAP },
		{ "duration", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, O_ONCE },
		{ "list", no_argument, NULL, O_LIST },
		OPT_BROKER_LONGOPTS,
		OPT_QUIET_LONGOPT,
		{ NULL, 0, NULL, 0 }
	};
	int c;

	opt_conn_init(&S.mqtt);
	S.seed = 1;
	S.speed = 1;
	S.printers = 2;
	S.plugs = 3;
	S.sensors = 2;
	S.buttons = 1;
	S.scanners = 1;
	S.fail_rate = 0.1;
	S.flap_rate = 0.2;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:x:d:q" OPT_BROKER_SHORT, lo,
				NULL)) != -1) {
		switch (c) {
		case 's': S.seed = (uint64_t)opt_long("seed", optarg, 0,
						      0x7fffffffL); break;
		case 'x': S.speed = opt_double("speed", optarg, 0.01, 100000);
			  break;
		case O_PRINTERS: S.printers = (int)opt_long("printers", optarg,
							    0, 8); break;
		case O_PLUGS: S.plugs = (int)opt_long("plugs", optarg, 0, 16);
			      break;
		case O_SENSORS: S.sensors = (int)opt_long("sensors", optarg, 0,
							  8); break;
		case O_BUTTONS: S.buttons = (int)opt_long("buttons", optarg, 0,
							  4); break;
		case O_SCANNERS: S.scanners = (int)opt_long("scanners", optarg,
							    0, 4); break;
		case O_FAIL: S.fail_rate = opt_double("fail-rate", optarg, 0,
						      1); break;
		case O_FLAP: S.flap_rate = opt_double("flap-rate", optarg, 0,
						      60); break;
		case 'd': S.duration = opt_double("duration", optarg, 0, 1e9);
			  break;
		case O_ONCE: S.once = 1; break;
		case O_LIST: S.list = 1; break;
		default:
			if (!opt_broker(c, &S.mqtt, usage))
				opt_getopt_error(c, argv);
		}
	}
	opt_no_more_args(argc, argv);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int64_t start_ms, last_ns;
	int i, rc = 0;

	opt_prog = "mlab-sim";
	parse_args(argc, argv);
	rng_seed(&S.rng, S.seed);
	S.t0_us = clk_real_us();
	lab_build();
	if (S.list) {
		for (i = 0; i < S.ndev; i++)
			printf("%s\t%s\t%s\n", S.dev[i].hub_id, S.dev[i].kind,
			       S.dev[i].name);
		return 0;
	}
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].ops->init && S.dev[i].ops->init(&S.dev[i]) < 0)
			return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (broker_lib_init() < 0)
		return 1;
	if (start_all() < 0) {
		rc = 1;
		goto out;
	}
	if (wait_online(S.once ? 10000 : 2000) < 0) {
		if (S.once) {
			DLOG(D_ERR, "cannot reach the broker at %s:%d",
			     S.mqtt.host, S.mqtt.port);
			rc = 1;
			goto out;
		}
		DLOG(D_WARN, "broker %s:%d not reachable yet; devices will "
		     "appear when it is", S.mqtt.host, S.mqtt.port);
	}
	DLOG(D_NOTICE, "%d simulated devices on %s:%d (seed %llu, speed %g)",
	     S.ndev, S.mqtt.host, S.mqtt.port, (unsigned long long)S.seed,
	     S.speed);
	for (i = 0; i < S.ndev; i++)
		DLOG(D_INFO, "  %s (%s) %s", S.dev[i].hub_id, S.dev[i].kind,
		     S.dev[i].name);

	if (S.once) {
		run_once();
	} else {
		start_ms = clk_mono_ms();
		last_ns = clk_mono_ns();
		while (!stop_flag) {
			int64_t now;

			clk_sleep_until_ns(last_ns + 100000000, &stop_flag);
			now = clk_mono_ns();
			pthread_mutex_lock(&sim_lock);
			step((double)(now - last_ns) / 1e9 * S.speed);
			pthread_mutex_unlock(&sim_lock);
			last_ns = now;
			if (S.duration > 0 &&
			    clk_mono_ms() - start_ms >= S.duration * 1000)
				break;
		}
	}
	stop_all();
out:
	broker_lib_cleanup();
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].ops->fini)
			S.dev[i].ops->fini(&S.dev[i]);
	return rc;
}

