/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-measure"

#include "config.h"

#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Runs a command and prints what it cost, for the benchmarks:
 *
 *   bench-measure OUTPUT COMMAND [ARGUMENT…]
 *
 * writes "EXIT WALL_S CPU_S PEAK_RSS_KB" to the file OUTPUT (the command
 * keeps stdout and stderr). Linux counts in a process's peak RSS the memory
 * of the process it was forked from, up to its exec(), so a command forked
 * straight from a large benchmark script reports the script's size. Forked
 * from this small program it reports its own. SIGTERM and SIGINT are passed
 * on to the command, so stopping this program stops it.
 */

static volatile pid_t child;

static void
pass_on (int signum)
{
  if (child > 0)
    kill (child, signum);
}

static int
exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

int
main (int argc, char **argv)
{
  struct rusage usage;
  gint64 start;
  FILE *out;
  pid_t pid;
  int status;

  if (argc < 3)
    {
      fprintf (stderr, "Usage: bench-measure OUTPUT COMMAND [ARGUMENT…]\n");
      return 2;
    }

  start = g_get_monotonic_time ();
  pid = fork ();
  if (pid < 0)
    return 2;
  if (pid == 0)
    {
      execvp (argv[2], argv + 2);
      _exit (127);
    }
  child = pid;
  signal (SIGTERM, pass_on);
  signal (SIGINT, pass_on);
  while (wait4 (pid, &status, 0, &usage) < 0)
    if (errno != EINTR)
      return 2;

  out = fopen (argv[1], "w");
  if (out == NULL)
    return 2;
  fprintf (out, "%d %.6f %.6f %ld\n", exit_code (status),
           (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
           usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
             usage.ru_stime.tv_usec / 1e6,
           usage.ru_maxrss);
  return fclose (out) == 0 ? 0 : 2;
}
