/* Start-up time: runs a program again and again and measures the time
 * from fork() to its first drawn frame, which the program reports on the
 * pipe named by KT_BENCH_FIRST_FRAME_FD. Run under tests/kt-test-env:
 *
 *   bench-ui-startup RUNS PROGRAM [ARG]...
 *
 * Prints each run, then the median, minimum and maximum in milliseconds,
 * and what the program reported on its line (kounter reports whether a
 * WebKit library is mapped). */
#define G_LOG_DOMAIN "bench-ui-startup"

#include "config.h"

#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  if (x < y)
    return -1;
  if (x > y)
    return 1;

  return 0;
}

int
main (int   argc,
      char *argv[])
{
  int runs;
  double *times;

  if (argc < 3 || (runs = atoi (argv[1])) <= 0)
    {
      g_printerr ("usage: %s RUNS PROGRAM [ARG]...\n", argv[0]);
      return 2;
    }

  times = g_new0 (double, runs);

  for (int i = 0; i < runs; i++)
    {
      int fds[2];
      char line[256] = "";
      ssize_t length;
      gint64 start;
      pid_t pid;

      if (pipe (fds) != 0)
        g_error ("pipe() failed");

      start = g_get_monotonic_time ();
      pid = fork ();
      if (pid == 0)
        {
          char fd_text[16];

          close (fds[0]);
          g_snprintf (fd_text, sizeof fd_text, "%d", fds[1]);
          g_setenv ("KT_BENCH_FIRST_FRAME_FD", fd_text, TRUE);
          execv (argv[2], argv + 2);
          _exit (127);
        }

      close (fds[1]);
      length = read (fds[0], line, sizeof line - 1);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
      close (fds[0]);

      kill (pid, SIGTERM);
      waitpid (pid, NULL, 0);

      if (length <= 0)
        g_error ("%s exited without reporting a drawn frame", argv[2]);
      line[length] = '\0';
      g_strchomp (line);
      g_print ("run %d: %.1f ms (%s)\n", i + 1, times[i], line);
    }

  qsort (times, runs, sizeof (double), compare_double);
  g_print ("%s: median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n",
           argv[2], times[runs / 2], times[0], times[runs - 1], runs);
  g_free (times);

  return 0;
}
