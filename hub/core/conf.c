/*
 * conf.c — configuration keys, the INI parser and --set.
 *
 * The table `keys` below is the whole list of settings.  A file looks like
 *
 *	[broker]
 *	host = 127.0.0.1	# comment
 *	[machine.prusa-mk4]
 *	plug = tasmota/prusa-salle2
 *
 * and "section.key = value" lines are accepted at top level too.
 * Values are stored as strings once validated; getters convert.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/conf.h"
#include "eco/eco.h"
#include "core/log.h"

enum ktype { K_STR, K_INT, K_NUM, K_BOOL, K_ENUM, K_HOSTPORT };

struct key {
	const char *name;	/* may contain "*" segments */
	enum ktype type;
	const char *def;	/* default as text, NULL = unset */
	double min, max;	/* K_INT/K_NUM range */
	const char *choices;	/* K_ENUM: "a|b|c" */
	const char *help;
};

static const struct key keys[] = {
	/* broker link */
	{ "broker.host", K_STR, "127.0.0.1", 0, 0, NULL, "MQTT broker host" },
	{ "broker.port", K_INT, "1883", 1, 65535, NULL, "MQTT broker port" },
	{ "broker.username", K_STR, NULL, 0, 0, NULL, "MQTT user name" },
	{ "broker.password", K_STR, NULL, 0, 0, NULL, "MQTT password" },
	{ "broker.client_id", K_STR, "mlab-hub", 0, 0, NULL, "stable client id (persistent session)" },
	{ "broker.keepalive", K_INT, "30", 5, 3600, NULL, "MQTT keepalive, seconds" },
	{ "broker.tls_ca", K_STR, NULL, 0, 0, NULL, "CA file: turns TLS on" },
	{ "broker.tls_cert", K_STR, NULL, 0, 0, NULL, "client certificate (PEM)" },
	{ "broker.tls_key", K_STR, NULL, 0, 0, NULL, "client key (PEM)" },
	{ "broker.tls_insecure", K_BOOL, "no", 0, 0, NULL, "skip host name check" },
	{ "broker.backoff_min_ms", K_INT, "500", 10, 600000, NULL, "first reconnect delay" },
	{ "broker.backoff_max_ms", K_INT, "30000", 100, 3600000, NULL, "reconnect delay cap" },
	{ "broker.inbox_max", K_INT, "20000", 100, 10000000, NULL, "messages queued between MQTT and the loop" },
	{ "broker.max_payload", K_INT, "262144", 1024, 16777216, NULL, "larger payloads are dropped" },

	/* HTTP and WebSocket */
	{ "http.listen", K_HOSTPORT, "127.0.0.1:8080", 0, 0, NULL, "ADDR:PORT to serve on" },
	{ "http.root", K_STR, NULL, 0, 0, NULL, "web/ directory (default: next to the binary, then the install path)" },
	{ "http.tls_cert", K_STR, NULL, 0, 0, NULL, "serve HTTPS with this certificate" },
	{ "http.tls_key", K_STR, NULL, 0, 0, NULL, "key for http.tls_cert" },
	{ "ws.queue_max", K_INT, "256", 8, 100000, NULL, "messages queued per WebSocket client before it is dropped" },
	{ "ws.queue_max_kb", K_INT, "256", 16, 1048576, NULL, "bytes (KiB) queued per WebSocket client before it is dropped" },
	{ "ws.max_clients", K_INT, "1000", 1, 100000, NULL, "WebSocket clients at once" },
	{ "ws.sndbuf_kb", K_INT, "64", 0, 65536, NULL, "kernel send buffer per WebSocket (0: system default)" },
	{ "ws.max_per_addr", K_INT, "32", 1, 100000, NULL, "anonymous WebSocket clients from one address" },
	{ "ws.staff_reserve", K_INT, "16", 0, 100000, NULL, "of ws.max_clients, places only logged-in clients may take" },
	{ "ws.idle_s", K_INT, "60", 2, 3600, NULL, "a WebSocket silent this long is pinged; one that does not answer within it again is closed" },
	{ "http.max_per_addr", K_INT, "64", 2, 100000, NULL, "connections (HTTP and WebSocket) open at once from one address; more are closed at once" },
	{ "http.fd_reserve", K_INT, "64", 16, 100000, NULL, "file descriptors kept free for the database, the broker and files: connections past the limit less this are closed at once" },

	/* storage */
	{ "store.path", K_STR, "var/mlab-hub.db", 0, 0, NULL, "SQLite database file" },
	{ "store.commit_ms", K_INT, "50", 0, 10000, NULL, "group-commit window" },
	{ "store.batch_max", K_INT, "20000", 1, 1000000, NULL, "commit early past this many writes (each commit is an fsync)" },
	{ "store.raw_days", K_INT, "30", 1, 36500, NULL, "keep raw telemetry this long" },
	{ "store.aggregate_days", K_INT, "90", 1, 36500, NULL, "keep per-minute aggregates this long (the last two days also as minute rows)" },
	{ "store.min_interval_ms", K_INT, "0", 0, 3600000, NULL, "store at most one raw point per metric per interval" },
	{ "store.telemetry_commit_s", K_INT, "10", 1, 600, NULL, "telemetry is written and committed this often (what a power cut can lose)" },
	{ "store.heartbeat_s", K_INT, "300", 0, 86400, NULL, "an unchanged reading is stored again after this long (0 = store every reading)" },
	{ "store.deadband_pct", K_INT, "0", 0, 100, NULL, "a reading within this % of the last one stored counts as unchanged" },
	{ "store.hour_days", K_INT, "3650", 1, 36500, NULL, "keep hourly aggregates this long" },
	{ "store.min_free_mb", K_INT, "1024", 0, 1048576, NULL, "warn (log, /metrics mlab_disk_low, a disk-low alert) when less space is left for the database" },


	/* logging */
	{ "log.level", K_ENUM, "notice", 0, 0, "err|warn|notice|info|debug", "log verbosity" },

	/* the lab */
	{ "lab.name", K_STR, "MLab", 0, 0, NULL, "shown on pages" },
	{ "lab.timezone", K_STR, "America/Toronto", 0, 0, NULL, "the lab's time zone (fiscal years, pages)" },
	{ "ha.discovery", K_BOOL, "yes", 0, 0, NULL, "publish Home Assistant MQTT discovery for the hub's entities" },
	{ "ha.prefix", K_STR, "homeassistant", 0, 0, NULL, "Home Assistant's discovery prefix" },
	{ "devices.max", K_INT, "2000", 1, 1000000, NULL, "devices the hub keeps; messages from more are dropped and counted" },
	{ "devices.stale_s", K_INT, "600", 10, 86400 * 30, NULL, "a device without its own online signal, silent this long, is offline" },

	/* ecosystems: enabled and where their topics live */
	{ "eco.*.enabled", K_BOOL, "yes", 0, 0, NULL, "read this ecosystem" },
	{ "eco.*.prefix", K_STR, NULL, 0, 0, NULL, "base topic or prefix (default: the firmware's)" },

	/* Bambu Lab printers reached directly (each is its own broker) */
	{ "bambu.*.host", K_STR, NULL, 0, 0, NULL, "printer address" },
	{ "bambu.*.port", K_INT, "8883", 1, 65535, NULL, "printer MQTT port" },
	{ "bambu.*.serial", K_STR, NULL, 0, 0, NULL, "printer serial" },
	{ "bambu.*.access_code", K_STR, NULL, 0, 0, NULL, "LAN access code (the MQTT password)" },

	/* machines measured by smart plugs */
	{ "machine.*.plug", K_STR, NULL, 0, 0, NULL, "device id of the plug powering it" },
	{ "machine.*.busy_w", K_NUM, "15", 0, 100000, NULL, "busy above this many watts" },
	{ "machine.*.name", K_STR, NULL, 0, 0, NULL, "display name" },

	/* device buttons mapped to actions */
	{ "button.*.device", K_STR, NULL, 0, 0, NULL, "device id of a button" },
	{ "button.*.action", K_STR, NULL, 0, 0, NULL, "its action string (empty: any)" },
	{ "button.*.do", K_STR, NULL, 0, 0, NULL, "vote:N, session or event:NAME" },

	/* GPIO */
	{ "gpio.backend", K_ENUM, "none", 0, 0, "none|gpiod|sim", "none, libgpiod, or the simulated chip" },
	{ "gpio.chip", K_STR, "auto", 0, 0, NULL, "chip name, label, path or number; auto: the Pi's header chip (pinctrl-rp1, pinctrl-bcm2711, pinctrl-bcm2835) else gpiochip0" },
	{ "gpio.required", K_BOOL, "no", 0, 0, NULL, "a missing chip or an unusable line is fatal" },
	{ "gpio.debounce_ms", K_INT, "30", 0, 1000, NULL, "debounce time" },
	{ "gpio.input.*", K_STR, NULL, 0, 0, NULL, "LINE = action (vote:N, session, event:NAME)" },
	{ "gpio.output.*", K_STR, NULL, 0, 0, NULL, "LINE = state[:pattern][:flash] (broker|offline|session|vote; on|slow|fast)" },

	/* accounts, privacy */
	{ "auth.session_hours", K_INT, "12", 1, 24 * 365, NULL, "login lifetime" },
	{ "auth.max_attempts", K_INT, "10", 1, 1000, NULL, "failed logins per address per window" },
	{ "auth.window_s", K_INT, "300", 1, 86400, NULL, "login rate-limit window" },
	{ "auth.account_free", K_INT, "5", 1, 1000, NULL, "failed logins on one account (any address) per window before each try waits" },
	{ "auth.account_delay_s", K_INT, "60", 1, 3600, NULL, "longest wait between tries on one account (it doubles up to this)" },
	{ "privacy.retention_months", K_INT, "12", 1, 240, NULL, "personal fields kept after a participant's last session" },
	{ "privacy.consent_version", K_STR, "2026-1", 0, 0, NULL, "version of the consent text shown" },
	{ "rating.scale", K_INT, "3", 3, 5, NULL, "faces on the appreciation scale (3 or 5)" },
	{ "rating.question", K_STR, "novelty", 0, 0, NULL, "what the rating asks" },
	{ "kiosk.idle_s", K_INT, "60", 5, 3600, NULL, "kiosk resets after this idle time" },
	{ "kiosk.late_grace_s", K_INT, "21600", 0, 604800, NULL, "how old a kiosk write kept offline may be and still count for the session open when it was made" },
	{ "kiosk.party_max", K_INT, "30", 1, 1000, NULL, "most people one check-in may stand for" },
	{ "kiosk.writes_per_min", K_INT, "30", 1, 100000, NULL, "writes one kiosk account may make per minute (check-ins, ratings, contributions)" },

	/* alerts and indicator targets */
	{ "alert.*.above", K_NUM, NULL, -1e9, 1e9, NULL, "alert when metric goes above" },
	{ "alert.*.below", K_NUM, NULL, -1e9, 1e9, NULL, "alert when metric goes below" },
	{ "target.*.*", K_NUM, NULL, -1e12, 1e12, NULL, "target.<indicator>.<fy>" },
	{ "target.*", K_NUM, NULL, -1e12, 1e12, NULL, "target.<indicator> for every year" },
	{ "report.lang", K_ENUM, "fr", 0, 0, "fr|en", "language of the HTML indicators report" },

	/* a network of labs (docs/network.md) */
	{ "net.site", K_STR, NULL, 0, 0, NULL, "this lab's id in a network of labs: publish its anonymous facts" },
	{ "net.role", K_ENUM, "lab", 0, 0, "lab|network", "network: collect and add up the labs' facts" },
	{ "net.scan_ms", K_INT, "5000", 100, 3600000, NULL, "look for new facts this often" },
	{ "net.resend_ms", K_INT, "15000", 200, 3600000, NULL, "resend unacknowledged facts this often" },
};

struct entry {
	char *key;
	char *value;
	const struct key *k;
	struct entry *next;
};

struct conf {
	struct entry *head, *tail;
};

/* Does name match pattern, "*" standing for exactly one non-empty segment? */
static int key_match(const char *pat, const char *name)
{
	while (*pat && *name) {
		if (*pat == '*') {
			const char *dot = strchr(name, '.');
			size_t seg = dot ? (size_t)(dot - name) : strlen(name);

			if (!seg)
				return 0;
			name += seg;
			pat++;
			continue;
		}
		if (*pat != *name)
			return 0;
		pat++;
		name++;
	}
	return !*pat && !*name;
}

static const struct key *key_find(const char *name)
{
	/* exact rows first, so "target.*" does not shadow a fixed key */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strchr(keys[i].name, '*') && key_match(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int parse_bool(const char *v)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}

/* Is "NAME.rest" about an ecosystem of eco_table (eco.NAME.enabled)? */
static int eco_known(const char *name)
{
	size_t n = strcspn(name, ".");

	for (int i = 0; i < eco_count; i++)
		if (strlen(eco_table[i]->name) == n && !strncmp(eco_table[i]->name, name, n))
			return 1;
	return 0;
}

/* Check value against k; on error write the reason into why. */
static int check_value(const struct key *k, const char *v, char *why, size_t n)
{
	char *end;

	switch (k->type) {
	case K_STR:
		return 0;
	case K_INT: {
		errno = 0;
		long l = strtol(v, &end, 10);

		if (errno || end == v || *end) {
			snprintf(why, n, "'%s' is not a whole number", v);
			return -1;
		}
		if (l < k->min || l > k->max) {
			snprintf(why, n, "%ld is out of range %.0f..%.0f", l, k->min, k->max);
			return -1;
		}
		return 0;
	}
	case K_NUM: {
		errno = 0;
		double d = strtod(v, &end);

		if (errno || end == v || *end || !isfinite(d)) {
			snprintf(why, n, "'%s' is not a number", v);
			return -1;
		}
		if (d < k->min || d > k->max) {
			snprintf(why, n, "%g is out of range %g..%g", d, k->min, k->max);
			return -1;
		}
		return 0;
	}
	case K_BOOL:
		if (parse_bool(v) < 0) {
			snprintf(why, n, "'%s' is not yes or no", v);
			return -1;
		}
		return 0;
	case K_ENUM: {
		size_t len = strlen(v);
		const char *p = k->choices;

		while (p) {
			const char *bar = strchr(p, '|');
			size_t l = bar ? (size_t)(bar - p) : strlen(p);

			if (l == len && !strncasecmp(p, v, l))
				return 0;
			p = bar ? bar + 1 : NULL;
		}
		snprintf(why, n, "'%s' is not one of %s", v, k->choices);
		return -1;
	}
	case K_HOSTPORT: {
		const char *colon = strrchr(v, ':');
		long port;

		if (!colon || colon == v) {
			snprintf(why, n, "'%s' is not ADDR:PORT", v);
			return -1;
		}
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || port < 0 || port > 65535) {
			snprintf(why, n, "'%s' has no valid port", v);
			return -1;
		}
		return 0;
	}
	}
	return -1;
}

struct conf *conf_new(void)
{
	return calloc(1, sizeof(struct conf));
}

void conf_free(struct conf *c)
{
	struct entry *e, *next;

	if (!c)
		return;
	for (e = c->head; e; e = next) {
		next = e->next;
		free(e->key);
		free(e->value);
		free(e);
	}
	free(c);
}

int conf_set(struct conf *c, const char *key, const char *value,
	     const char *origin)
{
	const struct key *k = key_find(key);
	char why[256];
	struct entry *e;

	if (!k || (!strncmp(k->name, "eco.*.", 6) && !eco_known(key + 4))) {
		LOG(L_ERR, "%s: unknown key '%s'", origin, key);
		return -1;
	}
	if (check_value(k, value, why, sizeof(why))) {
		LOG(L_ERR, "%s: %s: %s", origin, key, why);
		return -1;
	}
	for (e = c->head; e; e = e->next)
		if (!strcmp(e->key, key))
			break;
	if (e) {
		free(e->value);
	} else {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key))) {
			free(e);
			LOG(L_ERR, "conf: out of memory");
			return -1;
		}
		if (c->tail)
			c->tail->next = e;
		else
			c->head = e;
		c->tail = e;
	}
	e->k = k;
	e->value = strdup(value);
	return e->value ? 0 : -1;
}

int conf_set_arg(struct conf *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[256];

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key)) {
		LOG(L_ERR, "--set %s: expected section.key=value", arg);
		return -1;
	}
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	return conf_set(c, key, eq + 1, "--set");
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_load(struct conf *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], section[256] = "", origin[512];
	int lineno = 0, rc = 0;

	if (!f) {
		LOG(L_ERR, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s, *eq, *k, *v, key[512];

		lineno++;
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			LOG(L_ERR, "%s: line too long", origin);
			rc = -1;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (!end || end[1] || end == s + 1 || end - s - 1 >= (long)sizeof(section)) {
				LOG(L_ERR, "%s: bad section header", origin);
				rc = -1;
				break;
			}
			*end = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			LOG(L_ERR, "%s: expected key = value", origin);
			rc = -1;
			break;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		/* a " #" starts a trailing comment; quotes keep it literal */
		if (*v == '"') {
			char *q = strrchr(v + 1, '"');

			if (!q) {
				LOG(L_ERR, "%s: unterminated quote", origin);
				rc = -1;
				break;
			}
			*q = '\0';
			v++;
		} else {
			for (char *p = v; *p; p++)
				if ((*p == '#' || *p == ';') && p > v && isspace((unsigned char)p[-1])) {
					*p = '\0';
					v = trim(v);
					break;
				}
		}
		if (!*k) {
			LOG(L_ERR, "%s: empty key", origin);
			rc = -1;
			break;
		}
		if (*section)
			snprintf(key, sizeof(key), "%s.%s", section, k);
		else
			snprintf(key, sizeof(key), "%s", k);
		rc = conf_set(c, key, v, origin);
	}
	fclose(f);
	return rc;
}

static const char *lookup(const struct conf *c, const char *key)
{
	const struct key *k = key_find(key);

	assert(k && "conf: key not in the table");
	for (const struct entry *e = c->head; e; e = e->next)
		if (!strcmp(e->key, key))
			return e->value;
	return k ? k->def : NULL;
}

const char *conf_str(const struct conf *c, const char *key)
{
	return lookup(c, key);
}

long conf_int(const struct conf *c, const char *key)
{
	const char *v = lookup(c, key);

	return v ? strtol(v, NULL, 10) : 0;
}

double conf_num(const struct conf *c, const char *key)
{
	const char *v = lookup(c, key);

	return v ? strtod(v, NULL) : NAN;
}

int conf_bool(const struct conf *c, const char *key)
{
	const char *v = lookup(c, key);

	return v ? parse_bool(v) == 1 : 0;
}

void conf_each(const struct conf *c, const char *pattern, conf_each_fn fn,
	       void *arg)
{
	const char *star = strchr(pattern, '*');

	for (const struct entry *e = c->head; e; e = e->next) {
		char name[256] = "";

		if (!key_match(pattern, e->key))
			continue;
		if (star) {
			const char *p = e->key + (star - pattern);
			const char *dot = strchr(p, '.');
			size_t n = dot ? (size_t)(dot - p) : strlen(p);

			if (n >= sizeof(name))
				n = sizeof(name) - 1;
			memcpy(name, p, n);
			name[n] = '\0';
		}
		fn(arg, e->key, name, e->value);
	}
}

void conf_dump(const struct conf *c)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strchr(keys[i].name, '*'))
			continue;
		const char *v = lookup(c, keys[i].name);
		int secret = strstr(keys[i].name, "password") || strstr(keys[i].name, "access_code");

		printf("%s = %s\n", keys[i].name, v ? (secret ? "********" : v) : "");
	}
	for (const struct entry *e = c->head; e; e = e->next)
		if (strchr(e->k->name, '*'))
			printf("%s = %s\n", e->key,
			       strstr(e->key, "access_code") ? "********" : e->value);
}
