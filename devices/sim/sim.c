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
 * Threads: main runs the simulation under sim_lock; commands arriving on
 * libmosquitto's network threads take the same lock.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>

#include "../common/broker.h"
#include "../common/clk.h"
#include "../common/dlog.h"
#include "../common/native.h"
#include "../common/opt.h"
#include "../common/rng.h"
#include "../common/sbuf.h"

#define MAX_DEV 64
#define AMBIENT 22.0

enum dtype { T_OCTO, T_MOON, T_TASMOTA, T_SHELLY, T_ESPHOME, T_Z2M_CO2,
	     T_Z2M_BUTTON, T_SCANNER };
enum jstate { J_IDLE, J_HEATING, J_PRINTING };

struct sdev {
	enum dtype type;
	char nid[64];		/* native id: base topic, node, friendly name… */
	char hub_id[96];	/* "<source>/<native id>" */
	char name[96], room[32];
	const char *kind, *model;
	struct broker b;	/* unused for Zigbee devices (bridge) */
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

	/* scanners */
	int64_t seq;
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
	const char *host, *username, *password;
	int port;

	struct rng rng;
	struct sdev dev[MAX_DEV];
	int ndev;
	struct broker z2m;	/* the Zigbee2MQTT bridge's connection */
	int has_z2m;
	double t;		/* simulated seconds since start */
	int64_t t0_us;
};

static struct sim S;
static pthread_mutex_t sim_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t stop_flag;

static const char *const gcode_files[] = {
	"benchy.gcode", "vase-lithophane.gcode", "support-écran.gcode",
	"porte-clés-musée.gcode", "engrenage-m3.gcode",
	"château-frontenac.gcode", "boîtier-capteur.gcode",
	"calibration-cube.gcode", "fleur-de-lys.gcode",
};
static const char *const scan_files[] = {
	"buste-champlain.stl", "masque-wendat.ply", "canot-écorce.obj",
	"raquette-babiche.stl", "statuette-bois.ply",
};
static const char *const rooms[] = { "Salle 2", "Salle 3", "Atelier",
				     "Accueil" };

static void on_signal(int sig)
{
	stop_flag = 1;
}

/* ---- small helpers ---------------------------------------------------- */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static long now_s(void)
{
	return (long)(clk_real_us() / 1000000);
}

/* Whether a periodic publish is due; intervals are simulated seconds but
 * never shorter than half a real second. */
static int due(double *next, double interval)
{
	double min = 0.5 * S.speed;

	if (S.t < *next)
		return 0;
	*next = S.t + (interval > min ? interval : min);
	return 1;
}

static void pub(struct sdev *d, const char *topic, const char *payload,
		int retain)
{
	struct broker *b = d->has_conn ? &d->b : &S.z2m;

	if (!d->online)
		return;
	broker_publish(b, topic, payload, 1, retain);
}

static void pubf(struct sdev *d, int retain, const char *payload,
		 const char *tfmt, ...) __attribute__((format(printf, 4, 5)));

/* Publish payload on a printf-formatted topic. */
static void pubf(struct sdev *d, int retain, const char *payload,
		 const char *tfmt, ...)
{
	char topic[256];
	va_list ap;

	va_start(ap, tfmt);
	vsnprintf(topic, sizeof(topic), tfmt, ap);
	va_end(ap);
	pub(d, topic, payload, retain);
}

/* Tasmota writes integers below 10 with a leading space. */
static const char *tpad(char *buf, long v)
{
	sprintf(buf, v < 10 && v >= 0 ? " %ld" : "%ld", v);
	return buf;
}

/* ---- OctoPrint -------------------------------------------------------- */

/* Start an OctoPrint event payload: the job fields (Python spacing). */
static void octo_job_fields(struct sbuf *sb, struct sdev *d)
{
	sbuf_printf(sb, "{\"name\": ");
	sbuf_jstr(sb, d->file, SBUF_ASCII);
	sbuf_printf(sb, ", \"path\": ");
	sbuf_jstr(sb, d->file, SBUF_ASCII);
	sbuf_printf(sb, ", \"origin\": \"local\", \"size\": %ld, "
		    "\"owner\": \"mlab\", \"user\": \"mlab\"", d->file_size);
}

static void octo_event(struct sdev *d, const char *ev, struct sbuf *sb)
{
	char topic[128];

	sbuf_printf(sb, ", \"_event\": \"%s\", \"_timestamp\": %ld}", ev,
		    now_s());
	snprintf(topic, sizeof(topic), "%s/event/%s", d->nid, ev);
	pub(d, topic, sbuf_str(sb), 0);
}

static void octo_progress(struct sdev *d)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"location\": \"%s\", \"path\": ",
		    d->job == J_IDLE && !d->file[0] ? "" : "local");
	sbuf_jstr(&sb, d->file, SBUF_ASCII);
	sbuf_printf(&sb, ", \"progress\": %d, \"_timestamp\": %ld}",
		    d->progress, now_s());
	pubf(d, 1, sbuf_str(&sb), "%s/progress/printing", d->nid);
	sbuf_free(&sb);
}

static void octo_temps(struct sdev *d, int force)
{
	char p[160];

	if (force || fabs(d->nozzle - d->last_nozzle) >= 0.1) {
		snprintf(p, sizeof(p), "{\"actual\": %.1f, \"target\": %.1f, "
			 "\"_timestamp\": %ld}", d->nozzle, d->nozzle_target,
			 now_s());
		pubf(d, 1, p, "%s/temperature/tool0", d->nid);
		d->last_nozzle = d->nozzle;
	}
	if (force || fabs(d->bed - d->last_bed) >= 0.1) {
		snprintf(p, sizeof(p), "{\"actual\": %.1f, \"target\": %.1f, "
			 "\"_timestamp\": %ld}", d->bed, d->bed_target,
			 now_s());
		pubf(d, 1, p, "%s/temperature/bed", d->nid);
		d->last_bed = d->bed;
	}
}

/* ---- Moonraker -------------------------------------------------------- */

static void moon_status(struct sdev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Publish {"eventtime":…,"status":{<fmt>}} on <inst>/klipper/status. */
static void moon_status(struct sdev *d, const char *fmt, ...)
{
	char body[1024];
	struct sbuf sb;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"eventtime\":%.3f,\"status\":{%s}}",
		    5000.0 + S.t, body);
	pubf(d, 0, sbuf_str(&sb), "%s/klipper/status", d->nid);
	sbuf_free(&sb);
}

static void moon_full(struct sdev *d)
{
	struct sbuf fn;
	const char *state = d->job != J_IDLE ? "printing" :
			    d->jobs_done ? "complete" : "standby";

	sbuf_init(&fn);
	sbuf_jstr(&fn, d->file, SBUF_UTF8);
	moon_status(d, "\"webhooks\":{\"state\":\"ready\",\"state_message\":"
		    "\"Printer is ready\"},\"print_stats\":{\"filename\":%s,"
		    "\"total_duration\":%.1f,\"print_duration\":%.1f,"
		    "\"filament_used\":%.1f,\"state\":\"%s\",\"message\":\"\","
		    "\"info\":{\"total_layer\":null,\"current_layer\":null}},"
		    "\"virtual_sdcard\":{\"progress\":%.4f,\"is_active\":%s,"
		    "\"file_position\":%ld},\"extruder\":{\"temperature\":%.2f,"
		    "\"target\":%.1f},\"heater_bed\":{\"temperature\":%.2f,"
		    "\"target\":%.1f}", sbuf_str(&fn), d->heat_t + d->job_t,
		    d->job_t, d->job_t * 0.9, state, d->progress / 100.0,
		    d->job != J_IDLE ? "true" : "false",
		    (long)(d->file_size * (d->progress / 100.0)), d->nozzle,
		    d->nozzle_target, d->bed, d->bed_target);
	sbuf_free(&fn);
}

static void moon_temps(struct sdev *d)
{
	if (fabs(d->nozzle - d->last_nozzle) < 0.1 &&
	    fabs(d->bed - d->last_bed) < 0.1)
		return;
	moon_status(d, "\"extruder\":{\"temperature\":%.2f},"
		    "\"heater_bed\":{\"temperature\":%.2f}", d->nozzle, d->bed);
	d->last_nozzle = d->nozzle;
	d->last_bed = d->bed;
}

/* ---- printers (both ecosystems) ---------------------------------------- */

static void printer_announce(struct sdev *d)
{
	if (d->type == T_OCTO) {
		char p[160];

		snprintf(p, sizeof(p), "{\"port\": \"/dev/ttyACM0\", "
			 "\"baudrate\": 115200, \"_event\": \"Connected\", "
			 "\"_timestamp\": %ld}", now_s());
		pubf(d, 0, p, "%s/event/Connected", d->nid);
		octo_progress(d);
		octo_temps(d, 1);
	} else {
		moon_full(d);
	}
}

static void printer_start(struct sdev *d)
{
	struct sbuf sb;

	snprintf(d->file, sizeof(d->file), "%s",
		 gcode_files[rng_range(d->r, 0, NELEM(gcode_files) - 1)]);
	d->file_size = rng_range(d->r, 200000, 9000000);
	d->job_len = S.once ? 60 : rng_uniform(d->r, 1200, 5400);
	d->layers = (int)rng_range(d->r, 40, 400);
	d->job = J_HEATING;
	d->job_t = d->heat_t = 0;
	d->progress = 0;
	d->nozzle_target = d->type == T_OCTO ? 215.0 : 240.0;
	d->bed_target = d->type == T_OCTO ? 60.0 : 100.0;
	DLOG(D_INFO, "%s starts %s", d->hub_id, d->file);
	if (d->type == T_OCTO) {
		sbuf_init(&sb);
		octo_job_fields(&sb, d);
		octo_event(d, "FileSelected", &sb);
		sbuf_reset(&sb);
		octo_job_fields(&sb, d);
		octo_event(d, "PrintStarted", &sb);
		sbuf_free(&sb);
		octo_progress(d);
		octo_temps(d, 1);
	} else {
		sbuf_init(&sb);
		sbuf_jstr(&sb, d->file, SBUF_UTF8);
		moon_status(d, "\"print_stats\":{\"filename\":%s,\"state\":"
			    "\"printing\",\"print_duration\":0.0,"
			    "\"total_duration\":0.0},\"virtual_sdcard\":"
			    "{\"is_active\":true,\"progress\":0.0,"
			    "\"file_position\":0},\"extruder\":{\"target\":"
			    "%.1f},\"heater_bed\":{\"target\":%.1f}",
			    sbuf_str(&sb), d->nozzle_target, d->bed_target);
		sbuf_free(&sb);
	}
}

/* End the current job: how = "done", "failed", "cancelled" or "power". */
static void printer_end(struct sdev *d, const char *how)
{
	double took = d->heat_t + d->job_t;
	struct sbuf sb;

	DLOG(D_INFO, "%s %s %s", d->hub_id, how, d->file);
	sbuf_init(&sb);
	if (d->type == T_OCTO) {
		if (!strcmp(how, "done")) {
			d->progress = 100;
			octo_progress(d);
			octo_job_fields(&sb, d);
			sbuf_printf(&sb, ", \"time\": %.3f", took);
			octo_event(d, "PrintDone", &sb);
		} else if (!strcmp(how, "cancelled")) {
			octo_job_fields(&sb, d);
			octo_event(d, "PrintCancelling", &sb);
			sbuf_reset(&sb);
			octo_job_fields(&sb, d);
			sbuf_printf(&sb, ", \"time\": %.3f, \"reason\": "
				    "\"cancelled\"", took);
			octo_event(d, "PrintFailed", &sb);
			sbuf_reset(&sb);
			octo_job_fields(&sb, d);
			sbuf_printf(&sb, ", \"time\": %.3f, \"progress\": %d",
				    took, d->progress);
			octo_event(d, "PrintCancelled", &sb);
		} else {
			octo_job_fields(&sb, d);
			sbuf_printf(&sb, ", \"time\": %.3f, \"reason\": "
				    "\"error\", \"error\": \"%s\", "
				    "\"progress\": %.4f", took,
				    !strcmp(how, "power") ?
				    "Connection to printer lost" :
				    "Thermal runaway on heater tool0",
				    d->progress / 100.0);
			octo_event(d, "PrintFailed", &sb);
		}
	} else {
		const char *state = !strcmp(how, "done") ? "complete" :
				    !strcmp(how, "cancelled") ? "cancelled" :
								"error";
		const char *msg = !strcmp(how, "power") ?
			"Lost communication with MCU 'mcu'" :
			!strcmp(how, "failed") ?
			"Heater extruder not heating at expected rate" : "";

		if (!strcmp(how, "done"))
			d->progress = 100;
		moon_status(d, "\"print_stats\":{\"state\":\"%s\","
			    "\"message\":\"%s\",\"print_duration\":%.1f,"
			    "\"total_duration\":%.1f},\"virtual_sdcard\":"
			    "{\"is_active\":false,\"progress\":%.4f},"
			    "\"extruder\":{\"target\":0.0},\"heater_bed\":"
			    "{\"target\":0.0}", state, msg, d->job_t, took,
			    d->progress / 100.0);
	}
	sbuf_free(&sb);
	d->job = J_IDLE;
	d->nozzle_target = d->bed_target = 0;
	d->jobs_done++;
	d->next_job = S.t + rng_uniform(d->r, 300, 1200);
	if (d->type == T_OCTO)
		octo_temps(d, 1);
}

/* Advance a printer by dt simulated seconds. */
static void printer_step(struct sdev *d, double dt)
{
	int powered = !d->plug || d->plug->on;
	double k = dt / 45.0 > 1 ? 1 : dt / 45.0;

	if (!powered) {
		d->nozzle_target = d->bed_target = 0;
		if (d->job != J_IDLE)
			printer_end(d, "power");
	}
	/* heaters approach their target (or the room) */
	d->nozzle += ((d->nozzle_target > 0 ? d->nozzle_target : AMBIENT) -
		      d->nozzle) * k;
	d->bed += ((d->bed_target > 0 ? d->bed_target : AMBIENT) - d->bed) *
		  k * 0.5;
	if (!d->online)
		return;
	if (d->job == J_IDLE) {
		if (powered && !S.once && S.t >= d->next_job)
			printer_start(d);
	} else if (d->job == J_HEATING) {
		d->heat_t += dt;
		if ((d->nozzle >= d->nozzle_target - 2 &&
		     d->bed >= d->bed_target - 1.5) || d->heat_t > 400) {
			d->job = J_PRINTING;
			if (d->type == T_MOON)
				moon_status(d, "\"print_stats\":{\"info\":"
					    "{\"total_layer\":%d,"
					    "\"current_layer\":1}}", d->layers);
		}
	} else {
		int pct;

		d->job_t += dt;
		pct = (int)(100 * d->job_t / d->job_len);
		if (pct > 100)
			pct = 100;
		if (pct >= 100) {
			printer_end(d, "done");
			return;
		}
		if (!S.once && rng_chance(d->r, S.fail_rate * dt / d->job_len)) {
			printer_end(d, rng_chance(d->r, 0.5) ? "failed" :
							       "cancelled");
			return;
		}
		if (pct != d->progress) {
			d->progress = pct;
			if (d->type == T_OCTO)
				octo_progress(d);
		}
		if (d->type == T_MOON && due(&d->next_prog, 10))
			moon_status(d, "\"print_stats\":{\"print_duration\":"
				    "%.1f,\"total_duration\":%.1f,"
				    "\"filament_used\":%.1f,\"info\":"
				    "{\"total_layer\":%d,\"current_layer\":%d}},"
				    "\"virtual_sdcard\":{\"progress\":%.4f,"
				    "\"file_position\":%ld}", d->job_t,
				    d->job_t + d->heat_t, d->job_t * 0.9,
				    d->layers, 1 + d->layers * pct / 100,
				    d->job_t / d->job_len,
				    (long)(d->file_size * d->job_t / d->job_len));
	}
	if (due(&d->next_temp, d->job == J_IDLE ? 30 : 5)) {
		if (d->type == T_OCTO)
			octo_temps(d, 0);
		else
			moon_temps(d);
	}
}

/* ---- plugs ------------------------------------------------------------ */

/* The plug's load: the printer's phase, the scanner station, or idle. */
static double plug_load(struct sdev *p)
{
	struct sdev *pr = p->feeds;
	int i;

	if (!p->on)
		return 0;
	if (pr) {
		if (pr->job == J_HEATING)
			return rng_uniform(p->r, 120, 200);
		if (pr->job == J_PRINTING)
			return rng_gauss(p->r, 80, 6);
		return pr->nozzle > 50 ? rng_uniform(p->r, 4, 8) :
					 rng_uniform(p->r, 1.6, 2.4);
	}
	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].type == T_SCANNER && S.dev[i].scanning)
			return rng_gauss(p->r, 115, 8);
	return rng_uniform(p->r, 30, 38);	/* scanning station at rest */
}

static void tasmota_state(struct sdev *d)
{
	char t[32], up[32], p[512];
	long secs = (long)((clk_real_us() - S.t0_us) / 1000000) + 3600;

	clk_iso_local(t, sizeof(t), clk_real_us());
	snprintf(up, sizeof(up), "%ldT%02ld:%02ld:%02ld", secs / 86400,
		 secs / 3600 % 24, secs / 60 % 60, secs % 60);
	snprintf(p, sizeof(p), "{\"Time\":\"%s\",\"Uptime\":\"%s\","
		 "\"UptimeSec\":%ld,\"Heap\":26,\"SleepMode\":\"Dynamic\","
		 "\"Sleep\":50,\"LoadAvg\":19,\"MqttCount\":1,"
		 "\"POWER\":\"%s\",\"Wifi\":{\"AP\":1,\"SSId\":\"MLab-IoT\","
		 "\"BSSId\":\"C4:AD:34:5E:12:90\",\"Channel\":6,"
		 "\"Mode\":\"11n\",\"RSSI\":%d,\"Signal\":%d,"
		 "\"LinkCount\":1,\"Downtime\":\"0T00:00:05\"}}", t, up, secs,
		 d->on ? "ON" : "OFF", 70 + (int)rng_range(d->r, 0, 20),
		 -68 + (int)rng_range(d->r, 0, 10));
	pubf(d, 0, p, "tele/%s/STATE", d->nid);
}

static void tasmota_sensor(struct sdev *d)
{
	char t[32], p[640], a[4][16];
	double v = d->on ? rng_gauss(d->r, 120.5, 0.8) : 0;
	double i = d->on && v > 0 ? d->power / v : 0;
	double pf = d->power > 20 ? 0.95 : d->power > 0 ? 0.42 : 0;
	double va = pf > 0 ? d->power / pf : 0;

	clk_iso_local(t, sizeof(t), clk_real_us());
	snprintf(p, sizeof(p), "{\"Time\":\"%s\",\"ENERGY\":{\"TotalStartTime\":"
		 "\"2024-09-03T10:12:44\",\"Total\":%.3f,\"Yesterday\":0.412,"
		 "\"Today\":%.3f,\"Period\":%s,\"Power\":%s,\"ApparentPower\":%s,"
		 "\"ReactivePower\":%s,\"Factor\":%.2f,\"Voltage\":%ld,"
		 "\"Current\":%.3f}}", t, d->energy_kwh, d->today_kwh,
		 tpad(a[0], lround(d->period_wh)), tpad(a[1], lround(d->power)),
		 tpad(a[2], lround(va)),
		 tpad(a[3], lround(sqrt(fmax(va * va - d->power * d->power, 0)))),
		 pf, lround(v), i);
	d->period_wh = 0;
	pubf(d, 0, p, "tele/%s/SENSOR", d->nid);
}

/* The switch:0 status document, with Shelly's own spacing. */
static void shelly_switch_json(struct sdev *d, char *p, size_t len,
			       const char *source)
{
	double v = rng_gauss(d->r, 120.4, 0.6);
	double tc = 38 + d->power / 20;

	snprintf(p, len, "{\"id\":0, \"source\":\"%s\", \"output\":%s, "
		 "\"apower\":%.1f, \"voltage\":%.1f, \"current\":%.3f, "
		 "\"aenergy\":{\"total\":%.3f,\"by_minute\":[%.3f,%.3f,%.3f],"
		 "\"minute_ts\":%ld},\"temperature\":{\"tC\":%.1f, "
		 "\"tF\":%.1f}}", source, d->on ? "true" : "false", d->power,
		 v, d->power / v, d->energy_kwh * 1000, d->power * 16.667,
		 d->power * 16.667, d->power * 16.667, now_s() / 60 * 60, tc,
		 tc * 1.8 + 32);
}

static void shelly_notify(struct sdev *d, const char *params)
{
	char p[700];

	snprintf(p, sizeof(p), "{\"src\":\"%s\",\"dst\":\"%s/events\","
		 "\"method\":\"NotifyStatus\",\"params\":{\"ts\":%.2f,%s}}",
		 d->nid, d->nid, clk_real_us() / 1e6, params);
	pubf(d, 0, p, "%s/events/rpc", d->nid);
}

static void shelly_status(struct sdev *d, const char *source)
{
	char p[512];

	shelly_switch_json(d, p, sizeof(p), source);
	pubf(d, 0, p, "%s/status/switch:0", d->nid);
}

static void plug_telemetry(struct sdev *d)
{
	char p[256];

	if (d->type == T_TASMOTA) {
		tasmota_state(d);
		tasmota_sensor(d);
		return;
	}
	snprintf(p, sizeof(p), "\"switch:0\":{\"id\":0,\"apower\":%.1f,"
		 "\"current\":%.3f,\"aenergy\":{\"by_minute\":[%.3f,%.3f,"
		 "%.3f],\"minute_ts\":%ld,\"total\":%.3f}}", d->power,
		 d->power / 120.4, d->power * 16.667, d->power * 16.667,
		 d->power * 16.667, now_s() / 60 * 60, d->energy_kwh * 1000);
	shelly_notify(d, p);
	shelly_status(d, "init");
}

/* Switch a plug; called with sim_lock held. */
static void plug_set(struct sdev *d, int on, const char *source)
{
	char p[96];

	if (d->on != on)
		DLOG(D_NOTICE, "%s switched %s", d->hub_id, on ? "on" : "off");
	d->on = on;
	d->power = plug_load(d);
	if (d->type == T_TASMOTA) {
		snprintf(p, sizeof(p), "{\"POWER\":\"%s\"}", on ? "ON" : "OFF");
		pubf(d, 0, p, "stat/%s/RESULT", d->nid);
		pubf(d, 0, on ? "ON" : "OFF", "stat/%s/POWER", d->nid);
	} else {
		snprintf(p, sizeof(p), "\"switch:0\":{\"id\":0,\"output\":%s,"
			 "\"source\":\"%s\"}", on ? "true" : "false", source);
		shelly_notify(d, p);
		shelly_status(d, source);
	}
}

static void plug_step(struct sdev *d, double dt)
{
	double wh;

	d->power = plug_load(d);
	wh = d->power * dt / 3600.0;
	d->energy_kwh += wh / 1000;
	d->today_kwh += wh / 1000;
	d->period_wh += wh;
	if (d->online && due(&d->next_tele, d->type == T_TASMOTA ? 10 : 15))
		plug_telemetry(d);
}

/* ---- sensors and buttons ----------------------------------------------- */

static void esphome_discovery(struct sdev *d)
{
	static const struct {
		const char *obj, *cla, *unit, *name;
	} ents[] = {
		{ "temperature", "temperature", "°C", "Temperature" },
		{ "humidity", "humidity", "%", "Humidity" },
		{ "pressure", "pressure", "hPa", "Pressure" },
		{ "co2", "carbon_dioxide", "ppm", "CO2" },
	};
	struct sbuf sb;
	size_t i;

	sbuf_init(&sb);
	for (i = 0; i < NELEM(ents); i++) {
		sbuf_reset(&sb);
		sbuf_printf(&sb, "{\"dev_cla\":\"%s\",\"unit_of_meas\":\"%s\","
			    "\"stat_cla\":\"measurement\",\"name\":\"%s\","
			    "\"stat_t\":\"%s/sensor/%s/state\",\"avty_t\":"
			    "\"%s/status\",\"uniq_id\":\"ESPsensor%s\","
			    "\"dev\":{\"ids\":\"%s\",\"name\":", ents[i].cla,
			    ents[i].unit, ents[i].name, d->nid, ents[i].obj,
			    d->nid, ents[i].obj, d->mac);
		sbuf_jstr(&sb, d->name, SBUF_UTF8);
		sbuf_printf(&sb, ",\"sw\":\"2024.10.2 (Oct 25 2024, 11:05:25)\","
			    "\"mdl\":\"esp32dev\",\"mf\":\"Espressif\","
			    "\"cns\":[[\"mac\",\"%s\"]]}}", d->mac);
		pubf(d, 1, sbuf_str(&sb), "homeassistant/sensor/%s/%s/config",
		     d->nid, ents[i].obj);
	}
	sbuf_reset(&sb);
	sbuf_printf(&sb, "{\"ip\":\"192.168.10.%d\",\"name\":\"%s\","
		    "\"friendly_name\":", 40 + (int)(d - S.dev), d->nid);
	sbuf_jstr(&sb, d->name, SBUF_UTF8);
	sbuf_printf(&sb, ",\"port\":6053,\"version\":\"2024.10.2\",\"mac\":"
		    "\"%s\",\"platform\":\"ESP32\",\"board\":\"esp32dev\","
		    "\"network\":\"wifi\"}", d->mac);
	pubf(d, 0, sbuf_str(&sb), "esphome/discover/%s", d->nid);
	sbuf_free(&sb);
}

/* Indoor air drifts; CO2 rises with visitors during the day. */
static void air_drift(struct sdev *d, double dt)
{
	double k = dt / 600 > 1 ? 1 : dt / 600;

	d->temp += (21.5 - d->temp) * k * 0.2 + rng_gauss(d->r, 0, 0.05);
	d->hum += (40 - d->hum) * k * 0.2 + rng_gauss(d->r, 0, 0.1);
	d->press += (1013 - d->press) * k * 0.1 + rng_gauss(d->r, 0, 0.05);
	d->co2 += (650 - d->co2) * k * 0.3 + rng_gauss(d->r, 0, 4);
	if (d->co2 < 410)
		d->co2 = 410;
}

static void sensor_telemetry(struct sdev *d)
{
	char p[256];

	if (d->type == T_ESPHOME) {
		snprintf(p, sizeof(p), "%.1f", d->temp);
		pubf(d, 0, p, "%s/sensor/temperature/state", d->nid);
		snprintf(p, sizeof(p), "%.1f", d->hum);
		pubf(d, 0, p, "%s/sensor/humidity/state", d->nid);
		snprintf(p, sizeof(p), "%.1f", d->press);
		pubf(d, 0, p, "%s/sensor/pressure/state", d->nid);
		snprintf(p, sizeof(p), "%.0f", d->co2);
		pubf(d, 0, p, "%s/sensor/co2/state", d->nid);
		return;
	}
	/* Zigbee2MQTT: sorted keys, compact */
	snprintf(p, sizeof(p), "{\"battery\":%d,\"co2\":%.0f,\"humidity\":%.1f,"
		 "\"linkquality\":%d,\"temperature\":%.1f,\"voltage\":%d}",
		 d->battery, d->co2, d->hum, d->lqi, d->temp,
		 2700 + d->battery * 3);
	pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
}

static void button_press(struct sdev *d)
{
	static const char *const actions[] = { "single", "single", "single",
					       "double", "double", "hold" };
	char p[160];
	const char *a = actions[rng_range(d->r, 0, NELEM(actions) - 1)];

	snprintf(p, sizeof(p), "{\"action\":\"%s\",\"battery\":%d,"
		 "\"linkquality\":%d,\"voltage\":%d}", a, d->battery, d->lqi,
		 2700 + d->battery * 3);
	pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
	d->release_pending = 1;
	DLOG(D_INFO, "%s: %s", d->hub_id, a);
}

static void button_release(struct sdev *d)
{
	char p[160];

	snprintf(p, sizeof(p), "{\"action\":\"\",\"battery\":%d,"
		 "\"linkquality\":%d,\"voltage\":%d}", d->battery, d->lqi,
		 2700 + d->battery * 3);
	pubf(d, 0, p, "zigbee2mqtt/%s", d->nid);
	d->release_pending = 0;
}

/* ---- native scanner ---------------------------------------------------- */

static void scanner_event(struct sdev *d, const char *type)
{
	struct sbuf sb;
	char ts[40];

	clk_iso_utc(ts, sizeof(ts), clk_real_us());
	sbuf_init(&sb);
	sbuf_printf(&sb, "{\"seq\":%lld,\"type\":\"%s\",\"ts\":\"%s\","
		    "\"file\":", (long long)d->seq++, type, ts);
	sbuf_jstr(&sb, d->scan_file, SBUF_UTF8);
	if (!strcmp(type, "scan.finished")) {
		long faces = rng_range(d->r, 200000, 2500000);

		sbuf_printf(&sb, ",\"size\":%ld,\"vertices\":%ld,\"faces\":%ld,"
			    "\"duration_s\":%.1f", 84 + 50 * faces, faces / 2 + 2,
			    faces, (clk_real_us() - d->scan_start_us) / 1e6 *
			    S.speed);
	}
	sbuf_printf(&sb, "}");
	pubf(d, 0, sbuf_str(&sb), "mlab/v1/%s/event", d->nid);
	sbuf_free(&sb);
	DLOG(D_INFO, "%s %s %s", d->hub_id, type, d->scan_file);
}

static void scanner_start(struct sdev *d)
{
	snprintf(d->scan_file, sizeof(d->scan_file), "%s",
		 scan_files[rng_range(d->r, 0, NELEM(scan_files) - 1)]);
	d->scanning = 1;
	d->scan_start_us = clk_real_us();
	d->scan_end = S.t + rng_uniform(d->r, 300, 1200);
	scanner_event(d, "scan.started");
}

static void scanner_step(struct sdev *d)
{
	if (!d->online || S.once)
		return;
	if (!d->scanning && S.t >= d->next_scan)
		scanner_start(d);
	else if (d->scanning && S.t >= d->scan_end) {
		scanner_event(d, "scan.finished");
		d->scanning = 0;
		d->next_scan = S.t + rng_uniform(d->r, 900, 3600);
	}
}

/* ---- connections: birth, last will, commands ---------------------------- */

/* Birth messages and retained documents; sim_lock held by the caller. */
static void announce(struct sdev *d)
{
	struct sbuf sb;
	char p[128];

	switch (d->type) {
	case T_OCTO:
		pubf(d, 1, "connected", "%s/mqtt", d->nid);
		printer_announce(d);
		break;
	case T_MOON:
		pubf(d, 1, "{\"server\":\"online\"}", "%s/moonraker/status",
		     d->nid);
		printer_announce(d);
		break;
	case T_TASMOTA:
		pubf(d, 1, "Online", "tele/%s/LWT", d->nid);
		snprintf(p, sizeof(p), "{\"POWER\":\"%s\"}", d->on ? "ON" : "OFF");
		pubf(d, 0, p, "stat/%s/RESULT", d->nid);
		pubf(d, 0, d->on ? "ON" : "OFF", "stat/%s/POWER", d->nid);
		plug_telemetry(d);
		break;
	case T_SHELLY:
		pubf(d, 1, "true", "%s/online", d->nid);
		shelly_notify(d, "\"mqtt\":{\"connected\":true}");
		plug_telemetry(d);
		break;
	case T_ESPHOME:
		pubf(d, 1, "online", "%s/status", d->nid);
		esphome_discovery(d);
		sensor_telemetry(d);
		break;
	case T_Z2M_CO2:
	case T_Z2M_BUTTON:
		pubf(d, 1, "{\"state\":\"online\"}", "zigbee2mqtt/%s/availability",
		     d->nid);
		if (d->type == T_Z2M_CO2)
			sensor_telemetry(d);
		break;
	case T_SCANNER:
		pubf(d, 1, "online", "mlab/v1/%s/status", d->nid);
		sbuf_init(&sb);
		native_meta_json(&sb, d->name, "scanner", d->model, d->room);
		pubf(d, 1, sbuf_str(&sb), "mlab/v1/%s/meta", d->nid);
		sbuf_free(&sb);
		break;
	}
}

/* The payload the broker publishes for d when it vanishes (its will). */
static void will_of(const struct sdev *d, char *topic, size_t tl,
		    const char **payload)
{
	switch (d->type) {
	case T_OCTO:
		snprintf(topic, tl, "%s/mqtt", d->nid);
		*payload = "disconnected";
		break;
	case T_MOON:
		snprintf(topic, tl, "%s/moonraker/status", d->nid);
		*payload = "{\"server\":\"offline\"}";
		break;
	case T_TASMOTA:
		snprintf(topic, tl, "tele/%s/LWT", d->nid);
		*payload = "Offline";
		break;
	case T_SHELLY:
		snprintf(topic, tl, "%s/online", d->nid);
		*payload = "false";
		break;
	case T_ESPHOME:
		snprintf(topic, tl, "%s/status", d->nid);
		*payload = "offline";
		break;
	case T_SCANNER:
		snprintf(topic, tl, "mlab/v1/%s/status", d->nid);
		*payload = "offline";
		break;
	default:	/* Zigbee devices: the bridge reports availability */
		snprintf(topic, tl, "zigbee2mqtt/%s/availability", d->nid);
		*payload = "{\"state\":\"offline\"}";
		break;
	}
}

static void on_connect(struct broker *b, void *arg)
{
	struct sdev *d = arg;

	pthread_mutex_lock(&sim_lock);
	d->online = 1;
	switch (d->type) {
	case T_TASMOTA:
		{
			char t[128];

			snprintf(t, sizeof(t), "cmnd/%s/+", d->nid);
			broker_subscribe(b, t, 1);
		}
		break;
	case T_SHELLY:
		{
			char t[128];

			snprintf(t, sizeof(t), "%s/rpc", d->nid);
			broker_subscribe(b, t, 1);
		}
		break;
	case T_SCANNER:
		{
			char t[128];

			snprintf(t, sizeof(t), "mlab/v1/%s/ack", d->nid);
			broker_subscribe(b, t, 1);
		}
		break;
	default:
		break;
	}
	announce(d);
	pthread_mutex_unlock(&sim_lock);
}

static void z2m_on_connect(struct broker *b, void *arg)
{
	int i;

	pthread_mutex_lock(&sim_lock);
	broker_publish(b, "zigbee2mqtt/bridge/state", "{\"state\":\"online\"}",
		       1, 1);
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if ((d->type == T_Z2M_CO2 || d->type == T_Z2M_BUTTON) &&
		    d->back_at <= S.t) {
			d->online = 1;
			announce(d);
		}
	}
	pthread_mutex_unlock(&sim_lock);
}

static void tasmota_cmnd(struct sdev *d, const char *leaf,
			 const char *payload, int len)
{
	char v[16] = "";

	if (strcasecmp(leaf, "POWER") && strcasecmp(leaf, "POWER1"))
		return;
	snprintf(v, sizeof(v), "%.*s", len < 15 ? len : 15, payload);
	if (!strcasecmp(v, "ON") || !strcmp(v, "1"))
		plug_set(d, 1, "mqtt");
	else if (!strcasecmp(v, "OFF") || !strcmp(v, "0"))
		plug_set(d, 0, "mqtt");
	else if (!strcasecmp(v, "TOGGLE") || !strcmp(v, "2"))
		plug_set(d, !d->on, "mqtt");
	else
		plug_set(d, d->on, "mqtt");	/* query: report state */
}

/* Shelly Gen2 JSON-RPC over MQTT: Switch.Set/Toggle/GetStatus. */
static void shelly_rpc(struct sdev *d, const char *payload, int len)
{
	cJSON *req = cJSON_ParseWithLength(payload, (size_t)len);
	cJSON *id, *src, *method, *params, *on;
	char topic[160], res[600], st[512];
	int was_on = d->on;

	if (!req)
		return;
	id = cJSON_GetObjectItemCaseSensitive(req, "id");
	src = cJSON_GetObjectItemCaseSensitive(req, "src");
	method = cJSON_GetObjectItemCaseSensitive(req, "method");
	params = cJSON_GetObjectItemCaseSensitive(req, "params");
	if (!cJSON_IsString(method) || !cJSON_IsString(src))
		goto out;
	snprintf(topic, sizeof(topic), "%s/rpc", src->valuestring);
	if (!strcmp(method->valuestring, "Switch.Set")) {
		on = cJSON_GetObjectItemCaseSensitive(params, "on");
		if (!cJSON_IsBool(on))
			goto out;
		plug_set(d, cJSON_IsTrue(on), "MQTT");
		snprintf(res, sizeof(res), "{\"was_on\":%s}",
			 was_on ? "true" : "false");
	} else if (!strcmp(method->valuestring, "Switch.Toggle")) {
		plug_set(d, !d->on, "MQTT");
		snprintf(res, sizeof(res), "{\"was_on\":%s}",
			 was_on ? "true" : "false");
	} else if (!strcmp(method->valuestring, "Switch.GetStatus")) {
		shelly_switch_json(d, st, sizeof(st), "MQTT");
		snprintf(res, sizeof(res), "%s", st);
	} else {
		goto out;
	}
	{
		struct sbuf sb;

		sbuf_init(&sb);
		sbuf_printf(&sb, "{\"id\":%d,\"src\":\"%s\",\"dst\":",
			    cJSON_IsNumber(id) ? id->valueint : 0, d->nid);
		sbuf_jstr(&sb, src->valuestring, SBUF_UTF8);
		sbuf_printf(&sb, ",\"result\":%s}", res);
		pub(d, topic, sbuf_str(&sb), 0);
		sbuf_free(&sb);
	}
out:
	cJSON_Delete(req);
}

static void on_message(struct broker *b, const char *topic,
		       const char *payload, int len, int retained, void *arg)
{
	struct sdev *d = arg;
	const char *leaf = strrchr(topic, '/');
	int64_t seq;

	pthread_mutex_lock(&sim_lock);
	if (d->type == T_TASMOTA && leaf && !retained)
		tasmota_cmnd(d, leaf + 1, payload, len);
	else if (d->type == T_SHELLY && !retained)
		shelly_rpc(d, payload, len);
	else if (d->type == T_SCANNER &&
		 native_parse_ack(payload, len, &seq) == 0 && seq >= d->seq)
		d->seq = seq + 1;	/* the hub knows later events */
	pthread_mutex_unlock(&sim_lock);
}

static int connect_dev(struct sdev *d)
{
	static char wt[MAX_DEV][160];
	static char cid[MAX_DEV][96];
	int i = (int)(d - S.dev);
	const char *wp;
	struct broker_opts o = {
		.host = S.host, .port = S.port,
		.username = S.username, .password = S.password,
		.will_retain = 1, .quiet = 1,
		.on_connect = on_connect, .on_message = on_message, .arg = d,
	};

	will_of(d, wt[i], sizeof(wt[i]), &wp);
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
		will_of(d, topic, sizeof(topic), &payload);
		pub(d, topic, payload, 1);
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
			announce(d);
		}
	}
}

/* ---- the lab ----------------------------------------------------------- */

static struct sdev *add(enum dtype type, const char *kind)
{
	struct sdev *d = &S.dev[S.ndev++];

	memset(d, 0, sizeof(*d));
	d->type = type;
	d->kind = kind;
	d->r = &S.rng;
	d->nozzle = d->bed = d->last_nozzle = d->last_bed = AMBIENT;
	d->on = 1;
	d->battery = (int)rng_range(&S.rng, 62, 100);
	d->lqi = (int)rng_range(&S.rng, 60, 200);
	d->temp = rng_uniform(&S.rng, 20, 23);
	d->hum = rng_uniform(&S.rng, 32, 48);
	d->press = rng_uniform(&S.rng, 1005, 1020);
	d->co2 = rng_uniform(&S.rng, 450, 800);
	d->energy_kwh = rng_uniform(&S.rng, 5, 60);
	d->seq = 1;
	snprintf(d->mac, sizeof(d->mac), "a4cf12%06lx",
		 (unsigned long)rng_range(&S.rng, 0, 0xffffff));
	return d;
}

static void build_lab(void)
{
	static const char *const pnames[][2] = {
		{ "prusa", "Prusa MK4" }, { "voron", "Voron 2.4" },
		{ "bambu", "Creality K1" }, { "ender", "Ender 3 V3" },
	};
	int i;

	for (i = 0; i < S.printers; i++) {
		struct sdev *d = add(i % 2 ? T_MOON : T_OCTO, "printer");
		const char *room = rooms[i % 2];
		int k = i % 4;

		if (d->type == T_OCTO) {
			if (i == 0)
				snprintf(d->nid, sizeof(d->nid), "octoPrint");
			else
				snprintf(d->nid, sizeof(d->nid), "octoPrint%d",
					 i / 2 + 1);
			snprintf(d->hub_id, sizeof(d->hub_id), "octoprint/%s",
				 d->nid);
		} else {
			snprintf(d->nid, sizeof(d->nid), "lab-%s%s",
				 pnames[k][0], i >= 4 ? "-2" : "");
			snprintf(d->hub_id, sizeof(d->hub_id), "moonraker/%s",
				 d->nid);
		}
		snprintf(d->name, sizeof(d->name), "%s — %s", pnames[k][1],
			 room);
		snprintf(d->room, sizeof(d->room), "%s", room);
		d->model = pnames[k][1];
		d->next_job = rng_uniform(&S.rng, 5, 240);
	}
	for (i = 0; i < S.plugs; i++) {
		int feeds = i < S.printers;
		int shelly = !feeds && i == S.printers;
		struct sdev *d = add(shelly ? T_SHELLY : T_TASMOTA, "plug");

		if (feeds) {
			struct sdev *pr = &S.dev[i];

			snprintf(d->nid, sizeof(d->nid), "%s-%s%s",
				 pnames[i % 4][0],
				 pr->room[6] == '2' ? "salle2" : "salle3",
				 i >= 4 ? "-2" : "");
			snprintf(d->name, sizeof(d->name), "Prise %s",
				 pr->name);
			snprintf(d->room, sizeof(d->room), "%s", pr->room);
			d->feeds = pr;
			pr->plug = d;
		} else if (shelly) {
			snprintf(d->nid, sizeof(d->nid),
				 "shellyplusplugs-80646fd031f8");
			snprintf(d->name, sizeof(d->name),
				 "Prise poste de numérisation");
			snprintf(d->room, sizeof(d->room), "Atelier");
		} else {
			snprintf(d->nid, sizeof(d->nid), "prise-%d", i + 1);
			snprintf(d->name, sizeof(d->name), "Prise %d", i + 1);
			snprintf(d->room, sizeof(d->room), "Atelier");
		}
		d->model = shelly ? "Shelly Plus Plug S" : "Sonoff S31";
		snprintf(d->hub_id, sizeof(d->hub_id), "%s/%s",
			 shelly ? "shelly" : "tasmota", d->nid);
	}
	for (i = 0; i < S.sensors; i++) {
		int esp = i % 2 == 0;
		struct sdev *d = add(esp ? T_ESPHOME : T_Z2M_CO2, "sensor");
		const char *room = rooms[(i / 2) % 2];

		if (esp) {
			snprintf(d->nid, sizeof(d->nid), i ? "lab-env-%d" :
				 "lab-env", i / 2 + 1);
			snprintf(d->name, sizeof(d->name),
				 "Capteur labo — %s", room);
			d->model = "esp32dev";
		} else {
			snprintf(d->nid, sizeof(d->nid), "co2-salle%d",
				 (i / 2) % 2 + 2 + (i >= 4 ? 10 : 0));
			snprintf(d->name, sizeof(d->name), "CO₂ — %s", room);
			d->model = "TS0601_air_quality";
		}
		snprintf(d->room, sizeof(d->room), "%s", room);
		snprintf(d->hub_id, sizeof(d->hub_id), "%s/%s",
			 esp ? "esphome" : "z2m", d->nid);
	}
	for (i = 0; i < S.buttons; i++) {
		struct sdev *d = add(T_Z2M_BUTTON, "button");

		snprintf(d->nid, sizeof(d->nid), i ? "boutons-accueil-%d" :
			 "boutons-accueil", i + 1);
		snprintf(d->name, sizeof(d->name), "Boîte à boutons — Accueil");
		snprintf(d->room, sizeof(d->room), "Accueil");
		snprintf(d->hub_id, sizeof(d->hub_id), "z2m/%s", d->nid);
		d->model = "WXKG01LM";
		d->next_press = rng_uniform(&S.rng, 20, 300);
	}
	for (i = 0; i < S.scanners; i++) {
		struct sdev *d = add(T_SCANNER, "scanner");

		snprintf(d->nid, sizeof(d->nid), "scanner-%d", i + 1);
		snprintf(d->name, sizeof(d->name), "Scanner 3D %d", i + 1);
		snprintf(d->room, sizeof(d->room), "Atelier");
		snprintf(d->hub_id, sizeof(d->hub_id), "mlab/%s", d->nid);
		d->model = "Creaform Go!SCAN 3D";
		d->next_scan = rng_uniform(&S.rng, 30, 600);
	}
}

static int has_zigbee(void)
{
	int i;

	for (i = 0; i < S.ndev; i++)
		if (S.dev[i].type == T_Z2M_CO2 || S.dev[i].type == T_Z2M_BUTTON)
			return 1;
	return 0;
}

static int start_all(void)
{
	int i;

	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (d->type == T_Z2M_CO2 || d->type == T_Z2M_BUTTON)
			continue;
		if (connect_dev(d) < 0)
			return -1;
	}
	if (has_zigbee()) {
		struct broker_opts o = {
			.host = S.host, .port = S.port,
			.username = S.username, .password = S.password,
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
		will_of(d, topic, sizeof(topic), &payload);
		pub(d, topic, payload, 1);
		if (d->type == T_ESPHOME || d->type == T_OCTO ||
		    d->type == T_MOON || d->type == T_TASMOTA ||
		    d->type == T_SHELLY || d->type == T_SCANNER)
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
		switch (d->type) {
		case T_OCTO:
		case T_MOON:
			printer_step(d, dt);
			break;
		case T_TASMOTA:
		case T_SHELLY:
			plug_step(d, dt);
			break;
		case T_ESPHOME:
		case T_Z2M_CO2:
			air_drift(d, dt);
			if (d->online &&
			    due(&d->next_tele, d->type == T_ESPHOME ? 15 : 30))
				sensor_telemetry(d);
			break;
		case T_Z2M_BUTTON:
			if (d->release_pending)
				button_release(d);
			else if (d->online && !S.once && S.t >= d->next_press) {
				button_press(d);
				d->next_press = S.t + rng_uniform(d->r, 60, 900);
			}
			break;
		case T_SCANNER:
			scanner_step(d);
			break;
		}
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
	for (i = 0; i < S.ndev; i++) {
		struct sdev *d = &S.dev[i];

		if (d->type == T_OCTO || d->type == T_MOON)
			printer_start(d);
		else if (d->type == T_SCANNER)
			scanner_start(d);
		else if (d->type == T_Z2M_BUTTON)
			button_press(d);
	}
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

		if (d->type == T_SCANNER && d->scanning) {
			scanner_event(d, "scan.finished");
			d->scanning = 0;
		}
		if (d->type == T_TASMOTA || d->type == T_SHELLY ||
		    d->type == T_ESPHOME || d->type == T_Z2M_CO2) {
			d->next_tele = 0;
			if (d->type == T_TASMOTA || d->type == T_SHELLY)
				plug_telemetry(d);
			else
				sensor_telemetry(d);
		}
	}
	pthread_mutex_unlock(&sim_lock);
}

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
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "username", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'P' },
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
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	S.host = "127.0.0.1";
	S.port = 1883;
	S.seed = 1;
	S.speed = 1;
	S.printers = 2;
	S.plugs = 3;
	S.sensors = 2;
	S.buttons = 1;
	S.scanners = 1;
	S.fail_rate = 0.1;
	S.flap_rate = 0.2;
	S.password = getenv("MLAB_MQTT_PASSWORD");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":H:p:u:P:s:x:d:vqh", lo, NULL)) !=
	       -1) {
		switch (c) {
		case 'H': S.host = opt_str("host", optarg, 255); break;
		case 'p': S.port = (int)opt_long("port", optarg, 1, 65535); break;
		case 'u': S.username = opt_str("username", optarg, 255); break;
		case 'P': S.password = optarg; break;
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
		case 'v': dlog_verbosity++; break;
		case 'q': dlog_verbosity = D_WARN; break;
		case 'h': usage(stdout); exit(0);
		default:
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
	build_lab();
	if (S.list) {
		for (i = 0; i < S.ndev; i++)
			printf("%s\t%s\t%s\n", S.dev[i].hub_id, S.dev[i].kind,
			       S.dev[i].name);
		return 0;
	}

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
			DLOG(D_ERR, "cannot reach the broker at %s:%d", S.host,
			     S.port);
			rc = 1;
			goto out;
		}
		DLOG(D_WARN, "broker %s:%d not reachable yet; devices will "
		     "appear when it is", S.host, S.port);
	}
	DLOG(D_NOTICE, "%d simulated devices on %s:%d (seed %llu, speed %g)",
	     S.ndev, S.host, S.port, (unsigned long long)S.seed, S.speed);
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
	return rc;
}
