/*
 * notifyd.c — the receiving end of sd_notify(3) for tests/pi/install_chroot.sh's
 * systemctl stand-in: binds a datagram socket at PATH (what NOTIFY_SOCKET
 * names) and appends every message to LOG, one "pid=N KEY=VALUE" line per
 * assignment, N being the sender's pid from SCM_CREDENTIALS (systemd's
 * NotifyAccess=main compares it with the main pid).
 *	notifyd PATH LOG
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, on = 1;
	FILE *out;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: notifyd PATH LOG\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("notifyd");
		return 1;
	}
	chmod(argv[1], 0666);	/* the service runs as its own user */
	if (!(out = fopen(argv[2], "a"))) {
		perror(argv[2]);
		return 1;
	}
	for (;;) {
		char buf[4097], cbuf[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec iov = { buf, sizeof(buf) - 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		long pid = -1;
		ssize_t n = recvmsg(fd, &m, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("notifyd: recvmsg");
			return 1;
		}
		buf[n] = 0;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred u;
				memcpy(&u, CMSG_DATA(c), sizeof(u));
				pid = (long)u.pid;
			}
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
			fprintf(out, "pid=%ld %s\n", pid, line);
		fflush(out);
	}
}
