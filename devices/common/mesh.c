/*
 * mesh.c — vertex/face counts and completeness of mesh files (mesh.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mesh.h"

/* Counts of lines by their first word, filled by scan_lines(). */
struct line_counts {
	int64_t facet;		/* "facet" (ASCII STL) */
	int64_t v;		/* "v" (OBJ vertex; not vt/vn) */
	int64_t f;		/* "f" (OBJ face) */
	int64_t data;		/* non-empty, not a comment (ASC points) */
	int64_t lines;		/* newline-terminated lines */
};

static void classify(const char *w, size_t n, struct line_counts *lc)
{
	if (n == 0)
		return;
	if (n >= 5 && strncmp(w, "facet", 5) == 0)
		lc->facet++;
	else if (n == 1 && w[0] == 'v')
		lc->v++;
	else if (n == 1 && w[0] == 'f')
		lc->f++;
	if (w[0] != '#' && !(n >= 2 && w[0] == '/' && w[1] == '/'))
		lc->data++;
}

/*
 * One pass over fd from offset `from`, classifying each line by its first
 * whitespace-delimited word (at most 15 bytes of it are kept).
 */
static int scan_lines(int fd, off_t from, struct line_counts *lc)
{
	char buf[65536], word[16];
	size_t wn = 0;
	int in_word = 0, word_done = 0;
	ssize_t r, i;

	memset(lc, 0, sizeof(*lc));
	if (lseek(fd, from, SEEK_SET) < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < r; i++) {
			char c = buf[i];

			if (c == '\n') {
				classify(word, wn, lc);
				lc->lines++;
				wn = 0;
				in_word = word_done = 0;
			} else if (word_done) {
				continue;
			} else if (c == ' ' || c == '\t' || c == '\r') {
				if (in_word)
					word_done = 1;
			} else {
				in_word = 1;
				if (wn < sizeof(word) - 1)
					word[wn++] = c;
			}
		}
	}
	if (r < 0)
		return -1;
	classify(word, wn, lc);	/* last line without '\n' */
	return 0;
}

/* 1 if the last bytes of the file contain needle. */
static int tail_has(int fd, off_t size, const char *needle)
{
	char buf[512];
	off_t from = size > (off_t)sizeof(buf) - 1 ?
			     size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t r = pread(fd, buf, sizeof(buf) - 1, from);

	if (r <= 0)
		return 0;
	buf[r] = '\0';
	return memmem(buf, (size_t)r, needle, strlen(needle)) != NULL;
}

static int probe_stl(int fd, struct mesh_info *mi)
{
	unsigned char h[84];
	struct line_counts lc;
	uint32_t n = 0;

	if (mi->size < 84 || pread(fd, h, sizeof(h), 0) != sizeof(h))
		goto maybe_ascii;
	n = (uint32_t)h[80] | (uint32_t)h[81] << 8 | (uint32_t)h[82] << 16 |
	    (uint32_t)h[83] << 24;
	if (84 + 50 * (int64_t)n == mi->size) {
		mi->faces = n;
		mi->vertices = 3 * (int64_t)n;
		mi->complete = 1;
		return 0;
	}
maybe_ascii:
	if (mi->size >= 5) {
		char s[6] = "";

		if (pread(fd, s, 5, 0) == 5 && strncmp(s, "solid", 5) == 0)
			goto ascii;
	}
	/* binary, but shorter or longer than the header says */
	if (mi->size >= 84) {
		mi->faces = n;
		mi->vertices = 3 * (int64_t)n;
		mi->complete = mi->size > 84 + 50 * (int64_t)n;
	}
	return 0;
ascii:
	if (scan_lines(fd, 0, &lc) < 0)
		return -1;
	mi->faces = lc.facet;
	mi->vertices = 3 * lc.facet;
	mi->complete = tail_has(fd, mi->size, "endsolid");
	return 0;
}

static int probe_ply(int fd, struct mesh_info *mi)
{
	char hdr[65536], *end, *line, *save = NULL;
	ssize_t r = pread(fd, hdr, sizeof(hdr) - 1, 0);
	struct line_counts lc;
	int ascii = 0;
	long long n;

	if (r < 0)
		return -1;
	hdr[r] = '\0';
	if (strncmp(hdr, "ply", 3) != 0)
		return 0;
	end = strstr(hdr, "end_header");
	if (!end)
		return 0;		/* header still being written */
	end = strchr(end, '\n');
	if (!end)
		return 0;
	*end = '\0';
	for (line = strtok_r(hdr, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		if (strncmp(line, "format ascii", 12) == 0)
			ascii = 1;
		else if (sscanf(line, "element vertex %lld", &n) == 1)
			mi->vertices = n;
		else if (sscanf(line, "element face %lld", &n) == 1)
			mi->faces = n;
	}
	if (!ascii) {
		mi->complete = 1;
		return 0;
	}
	if (scan_lines(fd, end + 1 - hdr, &lc) < 0)
		return -1;
	mi->complete = lc.data >= (mi->vertices > 0 ? mi->vertices : 0) +
					  (mi->faces > 0 ? mi->faces : 0);
	return 0;
}

int mesh_probe(const char *path, struct mesh_info *mi)
{
	const char *dot = strrchr(path, '.');
	struct line_counts lc;
	struct stat st;
	int fd, rc = 0, e;
	size_t i;

	memset(mi, 0, sizeof(*mi));
	mi->vertices = mi->faces = -1;
	if (dot) {
		for (i = 0; dot[i + 1] && i < sizeof(mi->format) - 1; i++)
			mi->format[i] = (char)tolower((unsigned char)dot[i + 1]);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		rc = -1;
		goto out;
	}
	mi->size = st.st_size;
	mi->complete = mi->size > 0;
	if (strcmp(mi->format, "stl") == 0) {
		mi->complete = 0;
		rc = probe_stl(fd, mi);
	} else if (strcmp(mi->format, "ply") == 0) {
		mi->complete = 0;
		rc = probe_ply(fd, mi);
	} else if (strcmp(mi->format, "obj") == 0) {
		rc = scan_lines(fd, 0, &lc);
		mi->vertices = lc.v;
		mi->faces = lc.f;
	} else if (strcmp(mi->format, "asc") == 0 ||
		   strcmp(mi->format, "xyz") == 0) {
		rc = scan_lines(fd, 0, &lc);
		mi->vertices = lc.data;
	}
out:
	e = errno;
	close(fd);
	errno = e;
	return rc;
}
