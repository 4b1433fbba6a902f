/*
 * mesh.h — cheap facts about a 3D scan or mesh file, for mlab-scand.
 *
 * Reads only what is needed: the 84-byte header of a binary STL, the text
 * header of a PLY, or one streaming pass over line starts for ASCII STL,
 * OBJ and ASC point clouds.  It also says whether the file looks complete,
 * so a half-copied binary STL is not reported as a finished scan.
 */
#ifndef MLAB_DEV_MESH_H
#define MLAB_DEV_MESH_H

#include <stdint.h>

struct mesh_info {
	char format[8];		/* "stl", "ply", "obj", "asc", "3mf", "e57"… */
	int64_t size;		/* bytes */
	int64_t vertices;	/* -1 when unknown; STL: 3 per facet */
	int64_t faces;		/* -1 when unknown */
	int complete;		/* 0: a known trailer or length is missing */
};

/* Fill *mi for the file at path.  Returns 0, or -1 (errno set) if the file
 * cannot be opened or read; no logging. */
int mesh_probe(const char *path, struct mesh_info *mi);

#endif
