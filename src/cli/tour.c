// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The default tour: what `lazymmu` with no arguments (and `make run`) shows.
 */
#include <stdio.h>

#include "cli/lmm.h"

int lmm_cmd_tour(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts("The Linux 7.0 lazy MMU API, call by call (lazymmu explain):\n");
	return lmm_cmd_explain(0, NULL);
}
