/*
 * dpkg.h — a fiscal year's indicators as open data: a Frictionless Data
 * Package (datapackage.json with a Table Schema) and the CSV it describes.
 */
#ifndef MLAB_DPKG_H
#define MLAB_DPKG_H

#include <stddef.h>

struct cJSON;

/* Write DIR/datapackage.json and DIR/<name>.csv for the figures in o,
 * which is a lab's report ({"fy":Y,"indicators":{NAME:{"value":…,
 * "target":…}}}) or a network's ({"fy":Y,"sites":{SITE:{"indicators":…}},
 * "total":{"indicators":…}}: one row per site, then a row "total").
 * lab names the publisher (lab.name).  DIR is created if missing; each
 * file is written whole or not at all.  0, or -1 with err. */
int dpkg_write(const char *dir, const struct cJSON *o, const char *lab, char *err, size_t errlen);

#endif
