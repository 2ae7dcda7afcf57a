// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Helpers shared by the subcommands: JSON strings, findings, and checking
 * that what was written reached its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"
#include "cli/lmm.h"

void lmm_json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void lmm_print_finding(FILE *f, const struct sim_finding *finding)
{
	fprintf(f, "  %s: %s\n", finding->kind, finding->message);
}

bool lmm_stdout_closed;

void lmm_stdio_init(void)
{
	/*
	 * A closed descriptor 0, 1 or 2 would be reused by the next file
	 * opened (a trace), and what was meant for stdout or stderr would go
	 * into it. Keep them taken by /dev/null; remember that stdout was
	 * closed, to refuse to run (nothing could be reported).
	 */
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == STDOUT_FILENO)
			lmm_stdout_closed = true;
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(LMM_EXIT_USAGE);
	}
}

int lmm_finish_stream(FILE *f, const char *what, bool close)
{
	int bad, err;

	errno = 0;
	bad = fflush(f) != 0 || ferror(f);
	err = errno;

	if (close && fclose(f) && !bad) {
		bad = 1;
		err = errno;
	}
	if (!bad)
		return 0;
	return lmm_usage_error("%s: write error: %s", what,
			       err ? strerror(err) : "unknown error");
}
