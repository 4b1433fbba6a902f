/*
 * sim.h — the simulated lab's shared state and its table of device kinds.
 *
 * Every simulated kind (OctoPrint, Moonraker, Tasmota, Shelly, ESPHome, the
 * Zigbee2MQTT sensor and button box, the native scanner) is one file
 * defining one `const struct sim_ops`, the same idiom as the hub's
 * ecosystem table (hub/eco/eco.c).  lab.c lays the lab out and gives each
 * device its kind's ops; sim.c is the driver (options, the scheduler, the
 * broker connections) and calls the hooks, knowing no kind by name.
 * Adding a kind is adding a file and placing it in lab.c.  printer.c and plug.c hold what
 * the two printer and the two plug ecosystems share.
 *
 * Threads: main runs the simulation under sim_lock; commands arriving on
 * libmosquitto's network threads take the same lock before calling an
 * ops hook.  Every hook runs with sim_lock held.
 */
#ifndef MLAB_SIM_H
#define MLAB_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/broker.h"
#include "../common/journal.h"
#include "../common/opt.h"
#include "../common/rng.h"

#define MAX_DEV 64
#define AMBIENT 22.0
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

enum jstate { J_IDLE, J_HEATING, J_PRINTING };

struct sdev;
struct printer_fmt;

/* One simulated kind.  Hooks left NULL do nothing. */
struct sim_ops {
	const char *kind;	/* printer, plug, sensor, button, scanner */
	const char *source;	/* hub id prefix: "<source>/<native id>" */
	int bridged;		/* 1: no connection of its own, behind the
				 * Zigbee2MQTT bridge's */
	const struct printer_fmt *printer;	/* printers only (printer.c) */
	/* birth messages and retained documents, after each (re)connect */
	void (*announce)(struct sdev *d);
	/* the topic and payload of the last will (what the broker says when
	 * the device vanishes); payload is static */
	void (*will)(const struct sdev *d, char *topic, size_t tl,
		     const char **payload);
	/* advance by dt simulated seconds */
	void (*step)(struct sdev *d, double dt);
	/* the topic filter to subscribe to after each connect (commands,
	 * acknowledgements), and what arrives on it */
	void (*listen)(const struct sdev *d, char *topic, size_t tl);
	void (*message)(struct sdev *d, const char *topic, const char *payload,
			int len, int retained);
	/* --once: begin the one cycle, and finish it once printers are idle */
	void (*once_start)(struct sdev *d);
	void (*once_end)(struct sdev *d);
	/* periodic readings (plugs, sensors); also sent at the end of --once */
	void (*telemetry)(struct sdev *d);
	/* once the lab is laid out, and at exit (no lock needed) */
	int (*init)(struct sdev *d);
	void (*fini)(struct sdev *d);
};

struct sdev {
	const struct sim_ops *ops;
	char nid[64];		/* native id: base topic, node, friendly name… */
	char hub_id[96];	/* "<source>/<native id>" */
	char name[96], room[32];
	const char *kind, *model;
	struct broker b;	/* unused for bridged (Zigbee) devices */
	int has_conn, online;
	double back_at;		/* sim time a flapped device returns */
	struct rng *r;

	/* printers */
	enum jstate job;
	char file[64];
	long file_size;
	double job_len, job_t, heat_t;
	int progress, layers;
	double nozzle, bed, nozzle_target, bed_target;
	double next_job, next_temp, next_prog;
	double last_nozzle, last_bed;
	struct sdev *plug;	/* feeding this printer, may be NULL */
	int jobs_done;

	/* plugs */
	struct sdev *feeds;	/* printer fed, NULL = scanner station/none */
	int on;
	double power, energy_kwh, today_kwh, period_wh;
	double next_tele;
	char mac[16];

	/* sensors */
	double temp, hum, press, co2;
	int battery, lqi;

	/* buttons */
	double next_press;
	int release_pending;

	/* scanners: events kept until acknowledged (in memory) */
	struct journal j;
	int64_t next_resend_ms;
	int scanning;
	double scan_end, next_scan;
	char scan_file[64];
	int64_t scan_start_us;
};

struct sim {
	int printers, plugs, sensors, buttons, scanners;
	double speed, duration, fail_rate, flap_rate;
	int once, list;
	uint64_t seed;
	struct opt_conn mqtt;	/* the broker */

	struct rng rng;
	struct sdev dev[MAX_DEV];
	int ndev;
	struct broker z2m;	/* the Zigbee2MQTT bridge's connection */
	int has_z2m;
	double t;		/* simulated seconds since start */
	int64_t t0_us;
};

extern struct sim S;

/* the kinds (one file each) */
extern const struct sim_ops sim_octoprint, sim_moonraker, sim_tasmota,
	sim_shelly, sim_esphome, sim_z2m_sensor, sim_z2m_button, sim_scanner;

/* helpers every kind uses (sim.c) */
long sim_now_s(void);
/* Whether a periodic publish is due; intervals are simulated seconds but
 * never shorter than half a real second.  Moves *next on. */
int sim_due(double *next, double interval);
/* Publish on the device's own connection (or the bridge's) if online. */
void sim_pub(struct sdev *d, const char *topic, const char *payload,
	     int retain);
/* Publish payload on a printf-formatted topic. */
void sim_pubf(struct sdev *d, int retain, const char *payload,
	      const char *tfmt, ...) __attribute__((format(printf, 4, 5)));
/* Indoor air drifts; CO2 rises with visitors during the day. */
void sim_air_drift(struct sdev *d, double dt);

/* printers (printer.c): the job cycle both printer ecosystems share */
struct printer_fmt {
	double nozzle_target, bed_target;	/* while printing */
	void (*announce)(struct sdev *d);
	void (*started)(struct sdev *d);
	/* how: "done", "failed", "cancelled" or "power" */
	void (*ended)(struct sdev *d, const char *how, double took);
	void (*heated)(struct sdev *d);		/* heating → printing */
	void (*progress)(struct sdev *d, int pct, int changed);
	void (*temps)(struct sdev *d);
	void (*idle)(struct sdev *d);		/* after ended(), targets 0 */
};
void printer_announce(struct sdev *d);
void printer_start(struct sdev *d);
void printer_step(struct sdev *d, double dt);

/* the lab's layout (lab.c): which devices, their ids, names, rooms */
void lab_build(void);

/* plugs (plug.c): load follows the machine fed */
double plug_load(struct sdev *p);
/* Account energy for dt, publish telemetry when due (every tele_s). */
void plug_step(struct sdev *d, double dt, double tele_s,
	       void (*telemetry)(struct sdev *d));
/* Switch a plug; report() publishes the firmware's answer. */
void plug_set(struct sdev *d, int on, const char *source,
	      void (*report)(struct sdev *d, const char *source));

#endif
