/*
 * reload.h — SIGHUP: read the configuration again (file, then the command
 * line's --set values, as at start-up), apply the log level, and hand the
 * new configuration to every module that registered a reload hook.  A
 * file with errors changes nothing.
 */
#ifndef MLAB_RELOAD_H
#define MLAB_RELOAD_H

struct hub;
struct conf;

#define RELOAD_HOOKS_MAX 8

/* Take from c (which the caller keeps owning: keep nothing of it) what
 * can change without a restart.  0 or negative (logged). */
typedef int (*reload_fn)(struct hub *h, const struct conf *c);

/* Call fn at each reload.  0, or -1 (out of memory, too many hooks). */
int reload_hook(struct hub *h, reload_fn fn);
/* Reload now (the loop calls it on SIGHUP). */
void reload_run(struct hub *h);
/* Forget the hooks (teardown). */
void reload_fini(struct hub *h);

#endif
