/*
 * ods.h — the year's figures as an OpenDocument spreadsheet (.ods).
 */
#ifndef MLAB_ODS_H
#define MLAB_ODS_H

struct report;
struct api_resp;

/* Append the .ods file (a zip) of r's figures to o, labels in French when
 * fr.  0, or -1 when out of memory. */
int ods_write(struct report *r, int fr, struct api_resp *o);

#endif
