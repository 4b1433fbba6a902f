/*
 * ods.c — the year's figures as an OpenDocument spreadsheet (.ods), for
 * the staff who finish the annual report in LibreOffice Calc or Excel.
 *
 * An .ods file is a zip holding `mimetype` (first, uncompressed),
 * META-INF/manifest.xml and content.xml.  We write it by hand, every
 * entry stored (no compression: the sheet is a few kilobytes; zlib gives
 * the CRC-32), so the hub needs no spreadsheet library: OpenDocument is an
 * open ISO standard (ISO/IEC 26300) that the museum's free software reads
 * natively, which is why we chose it over .xlsx.
 *
 * One sheet: indicator code, its name for people, value, target, gap,
 * headed in the words of the pages' catalogues (web/i18n/, through
 * render.c), as the printable report is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cjson/cJSON.h>

#include "net/api.h"
#include "report/fig.h"
#include "report/ods.h"
#include "report/render.h"
#include "report/year.h"
#include "report/words.h"

#define ODS_FILES 3

/* A growable byte buffer for content.xml. */
struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void bput(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *np;

		while (cap < b->len + n)
			cap *= 2;
		if (!(np = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void bstr(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

/* s with XML's five characters escaped. */
static void bxml(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': bstr(b, "&lt;"); break;
		case '>': bstr(b, "&gt;"); break;
		case '&': bstr(b, "&amp;"); break;
		case '"': bstr(b, "&quot;"); break;
		case '\'': bstr(b, "&apos;"); break;
		default: bput(b, s, 1);
		}
	}
}

static void cell_text(struct buf *b, const char *s)
{
	bstr(b, "<table:table-cell office:value-type=\"string\"><text:p>");
	bxml(b, s);
	bstr(b, "</text:p></table:table-cell>");
}

/* A number cell (the value as written in the CSV, so both agree), or an
 * empty cell when there is none. */
static void cell_num(struct buf *b, const char *v)
{
	if (!v || !*v) {
		bstr(b, "<table:table-cell/>");
		return;
	}
	bstr(b, "<table:table-cell office:value-type=\"float\" office:value=\"");
	bstr(b, v);
	bstr(b, "\"><text:p>");
	bstr(b, v);
	bstr(b, "</text:p></table:table-cell>");
}

/* content.xml: one sheet named and headed in the pages' words (the same
 * catalogue entries as the printable report's table), then a row per
 * figure. */
static void content(struct report *r, int fr, struct buf *b)
{
	static const char *const head[] = {
		"rep.doc.code", "ind.name", "ind.value", "ind.target", "rep.gap",
	};
	cJSON *cat = words_load(fr);
	char title[200], nb[64], tb[64], gb[64], lb[400];

	render_text(r, cat, "rep.doc.title", title, sizeof(title));
	bstr(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	     "<office:document-content"
	     " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
	     " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
	     " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
	     " office:version=\"1.2\"><office:body><office:spreadsheet>"
	     "<table:table table:name=\"");
	bxml(b, title);
	bstr(b, "\"><table:table-column table:number-columns-repeated=\"5\"/><table:table-row>");
	for (int i = 0; i < 5; i++)
		cell_text(b, render_text(r, cat, head[i], lb, sizeof(lb)));
	cJSON_Delete(cat);
	bstr(b, "</table:table-row>");
	for (int i = 0; i < r->nfigs; i++) {
		const struct fig *f = &r->figs[i];

		bstr(b, "<table:table-row>");
		cell_text(b, f->name);
		cell_text(b, render_label_r(r, f->name, fr, lb, sizeof(lb)));
		cell_num(b, f->null ? NULL : fig_num(f->v, f->dec, nb, sizeof(nb)));
		cell_num(b, f->has_t ? fig_num(f->t, 3, tb, sizeof(tb)) : NULL);
		cell_num(b, f->has_t && !f->null ? fig_gap(f, gb, sizeof(gb)) : NULL);
		bstr(b, "</table:table-row>");
	}
	bstr(b, "</table:table></office:spreadsheet></office:body></office:document-content>\n");
}

static void le16(struct api_resp *o, unsigned v)
{
	char b[2] = { (char)(v & 0xff), (char)((v >> 8) & 0xff) };

	api_write(o, b, 2);
}

static void le32(struct api_resp *o, uint32_t v)
{
	le16(o, v & 0xffff);
	le16(o, v >> 16);
}

struct entry {
	const char *name;
	const char *data;
	size_t len;
	uint32_t crc, offset;
};

/* A zip header (local: sig 0x04034b50; central: 0x02014b50) for e. */
static void header(struct api_resp *o, const struct entry *e, int central)
{
	le32(o, central ? 0x02014b50u : 0x04034b50u);
	if (central)
		le16(o, 20);		/* made by: 2.0 */
	le16(o, 20);			/* needed: 2.0 */
	le16(o, 0x0800);		/* names are UTF-8 */
	le16(o, 0);			/* stored */
	le16(o, 0);			/* time 00:00 */
	le16(o, (1 << 5) | 1);		/* date 1980-01-01: reproducible */
	le32(o, e->crc);
	le32(o, (uint32_t)e->len);
	le32(o, (uint32_t)e->len);
	le16(o, (unsigned)strlen(e->name));
	le16(o, 0);			/* extra */
	if (central) {
		le16(o, 0);		/* comment */
		le16(o, 0);		/* disk */
		le16(o, 0);		/* internal attributes */
		le32(o, 0);		/* external attributes */
		le32(o, e->offset);
	}
	api_write(o, e->name, strlen(e->name));
}

int ods_write(struct report *r, int fr, struct api_resp *o)
{
	static const char mimetype[] = "application/vnd.oasis.opendocument.spreadsheet";
	static const char manifest[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\""
		" manifest:version=\"1.2\">"
		"<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\""
		" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>"
		"<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
		"</manifest:manifest>\n";
	struct buf b = { 0 };
	struct entry e[ODS_FILES] = {
		{ "mimetype", mimetype, sizeof(mimetype) - 1, 0, 0 },
		{ "META-INF/manifest.xml", manifest, sizeof(manifest) - 1, 0, 0 },
		{ "content.xml", NULL, 0, 0, 0 },
	};
	size_t start = o->len, cd, cdlen;

	content(r, fr, &b);
	if (b.oom) {
		free(b.p);
		return -1;
	}
	e[2].data = b.p;
	e[2].len = b.len;
	for (int i = 0; i < ODS_FILES; i++) {
		e[i].crc = (uint32_t)crc32(0, (const Bytef *)e[i].data, (uInt)e[i].len);
		e[i].offset = (uint32_t)(o->len - start);
		header(o, &e[i], 0);
		api_write(o, e[i].data, e[i].len);
	}
	cd = o->len;
	for (int i = 0; i < ODS_FILES; i++)
		header(o, &e[i], 1);
	cdlen = o->len - cd;
	le32(o, 0x06054b50u);		/* end of central directory */
	le16(o, 0);
	le16(o, 0);
	le16(o, ODS_FILES);
	le16(o, ODS_FILES);
	le32(o, (uint32_t)cdlen);
	le32(o, (uint32_t)(cd - start));
	le16(o, 0);
	free(b.p);
	return 0;
}
