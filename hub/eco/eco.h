/*
 * eco.h — device ecosystems: what each firmware publishes, normalized.
 *
 * Each ecosystem (Tasmota, Shelly, ESPHome, Zigbee2MQTT, Home Assistant
 * discovery, Homie, OctoPrint, Moonraker, Bambu Lab, and the hub's own
 * native schema) is one file defining one `const struct eco_ops`, listed
 * in the table in eco.c.  Adding an ecosystem is adding a file and a row.
 *
 * A parser maps (topic, payload, retained) to zero or more `eco_dev`
 * updates in an `eco_out`.  Parsers do no I/O, never trust the payload
 * (it may be truncated, empty, not UTF-8, 1 MB, …) and never allocate
 * anything the caller must free: per-ecosystem state (e.g. discovery
 * tables) lives in the ecosystem's `priv`, created by init() and freed by
 * fini().  Everything here runs on the hub's service thread only.
 */
#ifndef MLAB_ECO_H
#define MLAB_ECO_H

#include <stddef.h>

#define ECO_MAX_DEV	8	/* devices one message may describe */
#define ECO_MAX_METRIC	40	/* metrics per device per message */
#define ECO_ID_MAX	160	/* native id, bytes incl. NUL */
#define ECO_MAX		64	/* a short text: model, room, firmware, button, object id… (bytes incl. NUL) */

/* bits of eco_dev.has: which fields carry news */
enum {
	ECO_NAME	= 1 << 0,
	ECO_KIND	= 1 << 1,
	ECO_MODEL	= 1 << 2,
	ECO_ROOM	= 1 << 3,
	ECO_ONLINE	= 1 << 4,
	ECO_SWITCH	= 1 << 5,
	ECO_JOB_STATE	= 1 << 6,	/* job.state: idle|preparing|printing|paused|finished|failed|cancelled */
	ECO_JOB_FILE	= 1 << 7,
	ECO_JOB_PROGRESS = 1 << 8,	/* percent 0..100 */
	ECO_JOB_REMAINING = 1 << 9,	/* seconds */
	ECO_JOB_LAYER	= 1 << 10,	/* job_layer / job_layers */
	ECO_JOB_FILAMENT = 1 << 11,	/* millimetres used */
	ECO_BUTTON	= 1 << 12,	/* button pressed: `button` is the action */
	ECO_TS		= 1 << 13,	/* `ts` is the device's own time */
	ECO_FORGET	= 1 << 14,	/* the device was removed: drop it */
	ECO_EVENT	= 1 << 15,	/* native sequenced event: seq, event */
	ECO_JOB_KIND	= 1 << 16,	/* job_kind: "print" (default) or "scan" */
	ECO_FIRMWARE	= 1 << 17,
	ECO_DESCRIBE	= 1 << 18,	/* a (retained) description, such as a
					 * discovery config: no sign of life */
};

struct eco_metric {
	char name[32];		/* canonical: temperature_c, power_w, … (INTERFACES.md) */
	double value;		/* already in the canonical unit; finite */
};

struct eco_dev {
	char native[ECO_ID_MAX];	/* native id; full id is "<source>/<native>" */
	char source[16];		/* "" = the parsing ecosystem's name; set it
					 * when a message describes another source's
					 * device (e.g. Home Assistant discovery) */
	unsigned has;			/* ECO_* bits */
	char name[128];
	char kind[16];			/* printer|scanner|sensor|plug|button|other */
	char model[ECO_MAX];
	char room[ECO_MAX];
	char firmware[ECO_MAX];
	int online;
	int switch_on;
	char job_state[16];
	char job_kind[8];
	char job_file[256];
	double job_progress;
	double job_remaining;
	double job_layer, job_layers;
	double job_filament_mm;
	char button[ECO_MAX];
	double ts;			/* Unix seconds */
	long long seq;			/* ECO_EVENT: per-device sequence number, >= 1 */
	char boot[33];			/* ECO_EVENT: its numbering; "" = none given */
	long long base;			/* ECO_EVENT: every seq < base acked or never sent; 0 = none */
	char event[32];			/* ECO_EVENT: "job.started", … */
	int nmetric;
	struct eco_metric metric[ECO_MAX_METRIC];
};

struct eco_out {
	int ndev;
	struct eco_dev dev[ECO_MAX_DEV];
	char why[160];		/* set when a message is rejected */
};

/* What a parser may read of the hub: its configured prefix and state. */
struct eco_ctx {
	const struct eco_ops *ops;
	const char *prefix;	/* configured base topic / prefix (never NULL) */
	void *priv;		/* the ecosystem's own state (init/fini) */
	struct eco_ctx *all;	/* every ecosystem's ctx, eco_count of them (read-only peers) */
};

/* Parser result codes */
enum {
	ECO_IGNORED = 0,	/* not for me / nothing to say (not an error) */
	ECO_OK = 1,		/* out filled */
	ECO_BAD = -1,		/* malformed: out->why says why */
};

#define ECO_FILTER_LEN 256	/* bytes of one topic filter (and prefix) */
/* Topic filters one ecosystem may ask for.  Shelly needs the most: its
 * four Gen2 tails at two prefix depths, and a dozen Gen1 topic families
 * under shellies/<id>/ (20 in all).  Exact filters rather than
 * `shellies/#`: a broad one overlaps the Gen2 ones, and brokers may
 * deliver a message once per matching subscription (MQTT 3.1.1 allows
 * it, MQTT 5 requires it). */
#define ECO_FILTERS_MAX 24

struct eco_ops {
	const char *name;	/* source name: tasmota, shelly, …, mlab */
	const char *default_prefix;
	/* Topic filters to subscribe to, given the prefix.  Writes up to max
	 * filters into filters[] (each a buffer of ECO_FILTER_LEN bytes);
	 * returns the count. */
	int (*filters)(const char *prefix, char filters[][ECO_FILTER_LEN], int max);
	/* Parse one message.  payload is NUL-terminated at payload[len] but
	 * may contain NULs.  Returns ECO_IGNORED, ECO_OK or ECO_BAD. */
	int (*parse)(struct eco_ctx *ctx, const char *topic, const char *payload,
		     size_t len, int retained, struct eco_out *out);
	/* Build the command that switches native device `native`: topic and
	 * payload into the given buffers.  NULL when the ecosystem has no
	 * switch.  Returns 0, or -1 when the device cannot be switched. */
	int (*switch_cmd)(struct eco_ctx *ctx, const char *native, int on,
			  char *topic, size_t tlen, char *payload, size_t plen);
	int (*init)(struct eco_ctx *ctx);	/* may be NULL */
	void (*fini)(struct eco_ctx *ctx);	/* may be NULL */
};

/* The table (eco.c): eco_count rows, at most ECO_TABLE_MAX (checked when
 * eco.c compiles), so that per-ecosystem arrays can be sized by it. */
#define ECO_TABLE_MAX	64
extern const struct eco_ops *const eco_table[];
extern const int eco_count;

/* Helpers every parser shares (eco.c) -------------------------------- */

/* Append a device to out for native id; returns it zeroed with native set,
 * or NULL if out is full (ECO_MAX_DEV). An existing entry with the same
 * native id is returned instead of a new one. */
struct eco_dev *eco_dev_add(struct eco_out *out, const char *native);
/* Add a metric (ignored if !isfinite(value) or the array is full;
 * a metric already present is overwritten). */
void eco_metric(struct eco_dev *d, const char *name, double value);
/* Parse a number from text the way devices send them: leading/trailing
 * spaces, "nan", "21.5", "-45dBm" (with allow_suffix), "null".
 * Returns 0 and *v, or -1. */
int eco_num(const char *s, size_t len, int allow_suffix, double *v);
/* ON/OFF, on/off, true/false, 1/0, open/closed → 1/0; -1 if none. */
int eco_bool(const char *s, size_t len);
/* Copy at most dstlen-1 bytes of s (len bytes) into dst, cutting at a
 * UTF-8 character boundary and replacing invalid UTF-8 with '?'. */
void eco_strlcpy(char *dst, size_t dstlen, const char *s, size_t len);
/* Split topic into at most max '/'-separated segments, pointing into buf
 * (a copy the caller provides, >= strlen(topic)+1). Returns the count. */
int eco_split(const char *topic, char *buf, size_t buflen, char **seg, int max);
/* Copy the i-th non-empty item of a comma-separated list such as a
 * configured prefix ("octoPrint/, lab/mk4") into buf, without surrounding
 * spaces or a trailing '/'.  Returns 0, or -1 when there is no i-th item
 * or it does not fit in len bytes. */
int eco_list_item(const char *list, int i, char *buf, size_t len);
/* JSON values the way devices send them (cJSON items, may be NULL):
 * a number, or a string holding one ("5.0", " 21", "-45dBm" with suffix).
 * Returns 0 and *v (finite only), or -1. */
struct cJSON;
int eco_jnum(const struct cJSON *j, int allow_suffix, double *v);
/* true/false, "ON"/"OFF", 1/0 → 1/0; -1 otherwise. */
int eco_jbool(const struct cJSON *j);
/* Copy a JSON string (or a number, printed) into dst. Returns 0, or -1
 * when j is missing, null or another type. */
int eco_jstr(const struct cJSON *j, char *dst, size_t dstlen);
/* Temperature in °F → °C. */
double eco_f_to_c(double f);
/* Find the ctx of another ecosystem by name, or NULL. */
struct eco_ctx *eco_peer(struct eco_ctx *ctx, const char *name);

/* Bounded caches of per-device state (cache.c) ----------------------
 * A parser that remembers something per device keeps it in a fixed array
 * of slots it owns, each beginning with a struct eco_slot, and finds them
 * by key through one struct eco_cache.  When every slot is taken, a new
 * key takes the slot used longest ago (ECO_CACHE_LRU: a find counts as a
 * use) or filled longest ago (ECO_CACHE_FIFO). */
struct eco_slot {
	char key[ECO_ID_MAX];
	unsigned long used;		/* when last used (LRU) or filled; 0: free */
};

enum { ECO_CACHE_FIFO, ECO_CACHE_LRU };

struct eco_cache {
	void *slots;			/* cap slots of size bytes, owned by the parser */
	size_t size;
	int cap, n;			/* slots [0, n) have been filled */
	int lru;
	unsigned long clock;
	/* when set, called with a slot in use just before it is reused */
	void (*evicted)(void *slot, void *arg);
	void *arg;
};

/* Set c up over the caller's zeroed array of cap slots of size bytes. */
void eco_cache_init(struct eco_cache *c, void *slots, size_t size, int cap, int policy);
/* The slot of key, or, when create, a zeroed slot keyed key (taking the
 * oldest slot when all are used).  NULL when there is none and !create,
 * or when key is ECO_ID_MAX bytes or longer.  The slot stays the parser's. */
void *eco_cache_get(struct eco_cache *c, const char *key, int create);
/* Slot i (0 <= i < c->n) when it is in use, else NULL: for a search by
 * something other than the key. */
void *eco_cache_at(const struct eco_cache *c, int i);

/* Home Assistant MQTT discovery (hadisco.c) ---------------------------
 * The homeassistant ecosystem keeps, in its priv, one record per
 * discovered entity.  Other parsers (ESPHome, Zigbee2MQTT) ask it what a
 * state topic carries, since their state payloads do not say the unit. */
struct hadisco_entity {
	char state_topic[256];
	char json_key[48];	/* "X" when val_tpl is {{ value_json.X }}; "" otherwise */
	char source[16];	/* owning ecosystem: esphome, z2m, tasmota; "" unknown */
	char native[ECO_ID_MAX];
	char component[24];	/* sensor, binary_sensor, switch, button, event, … */
	char object_id[ECO_MAX];
	char metric[32];	/* canonical metric name; "" when not a number */
	char unit[16];		/* unit_of_measurement as discovered */
	char dev_class[32];
	char cmd_topic[256];	/* "" if none */
	double mul, add;	/* canonical = value * mul + add */
};
/* The entity discovered for state_topic (and json_key, when not NULL),
 * or NULL.  `any` is any ecosystem's ctx; the record belongs to the
 * homeassistant ctx and stays valid until its next parse() or fini(). */
const struct hadisco_entity *hadisco_lookup(struct eco_ctx *any,
					    const char *state_topic,
					    const char *json_key);
/* The first discovered switch entity's command topic of device
 * source/native into buf; 0, or -1 if none is known. */
int hadisco_switch_topic(struct eco_ctx *any, const char *source,
			 const char *native, char *buf, size_t len);
/* Home Assistant device classes and units → metrics (hametric.c) ------ */
/* Does a Home Assistant binary_sensor device class, or failing that an
 * object id, say "detector" (motion, door, leak, smoke, vibration, …)?
 * Such devices are sensors.  Either argument may be NULL. */
int hametric_detector(const char *dev_class, const char *object_id);
/* Is a canonical metric an environmental reading (temperature, humidity,
 * pressure, CO2, light, particulates, VOC, soil moisture)? */
int hametric_env(const char *metric);
/* Canonical metric name (into name, at least 32 bytes) and the linear
 * conversion from a Home Assistant device_class, a unit and an object
 * id, any of which may be NULL or "".  Returns 0, or -1 if nothing fits. */
int hametric_name(const char *dev_class, const char *unit,
		  const char *object_id, char *name, size_t len,
		  double *mul, double *add);

#endif
