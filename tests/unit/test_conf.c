/*
 * test_conf.c — the configuration: defaults, an INI file on disk
 * (sections, comments, spaces), --set on top, typed checks with ranges
 * and enumerations, ecosystem names checked against the eco table, and a
 * bad file that changes nothing and names its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"
#include "t.h"

static char path[64];

static int write_file(const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_conf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fputs(text, f);
	fclose(f);
	return 0;
}

TEST(defaults)
{
	struct conf *c = conf_new();

	CHECK(conf_int(c, "broker.port") == 1883);
	CHECK_STR(conf_str(c, "log.level"), "notice");
	CHECK(conf_int(c, "store.batch_max") == 20000);
	CHECK(conf_bool(c, "eco.tasmota.enabled") == 1);
	conf_free(c);
}

TEST(file_then_set)
{
	struct conf *c = conf_new();

	CHECK(write_file("# a comment\n"
			 "[broker]\n"
			 "port = 1884   ; trailing comment\n"
			 "\n"
			 "[log]\n"
			 "level=debug\n"
			 "[eco.tasmota]\n"
			 "enabled = no\n") == 0);
	CHECK(conf_load(c, path) == 0);
	CHECK(conf_int(c, "broker.port") == 1884);
	CHECK_STR(conf_str(c, "log.level"), "debug");
	CHECK(conf_bool(c, "eco.tasmota.enabled") == 0);
	CHECK(conf_set_arg(c, "broker.port=1999") == 0);	/* --set wins */
	CHECK(conf_int(c, "broker.port") == 1999);
	conf_free(c);
	unlink(path);
}

TEST(bad_values_are_refused)
{
	struct conf *c = conf_new();

	CHECK(conf_set_arg(c, "broker.port=70000") == -1);	/* range */
	CHECK(conf_set_arg(c, "broker.port=12ab") == -1);	/* not a number */
	CHECK(conf_set_arg(c, "log.level=loud") == -1);	/* enumeration */
	CHECK(conf_set_arg(c, "broker.nope=1") == -1);		/* unknown key */
	CHECK(conf_set_arg(c, "eco.tasmot.enabled=no") == -1);	/* unknown ecosystem */
	CHECK(conf_set_arg(c, "noequals") == -1);
	CHECK(conf_int(c, "broker.port") == 1883);		/* nothing changed */
	conf_free(c);
}

TEST(bad_file_fails)
{
	struct conf *c = conf_new();

	CHECK(write_file("[broker]\nport = 1885\nthis line has no equals sign\n") == 0);
	CHECK(conf_load(c, path) == -1);
	conf_free(c);
	unlink(path);
	c = conf_new();
	CHECK(conf_load(c, "/nonexistent/mlab-hub.conf") == -1);
	conf_free(c);
}

int main(void)
{
	RUN(defaults);
	RUN(file_then_set);
	RUN(bad_values_are_refused);
	RUN(bad_file_fails);
	return t_done();
}
