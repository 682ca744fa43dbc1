#define G_LOG_DOMAIN "sandbox-bench"

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/kt-sandbox.h"

/*
 * Measures kounter-sandbox: the time to generate each scale, and the rate
 * at which it serves one page of 100 products to clients on keep-alive
 * connections. The server runs on its own thread as in the tests; each
 * client connection is a thread with its own synchronous SoupSession.
 *
 * Usage: sandbox-bench [--connections N] [--seconds S] [--scale SCALE] [--path PATH]
 */

typedef struct
{
  const char *uri;
  const char *authorization;
  gint64 deadline;
  guint requests;
  guint failures;
  guint64 bytes;
} Client;

static gpointer
client_thread (gpointer user_data)
{
  Client *client = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 1, NULL);

  while (g_get_monotonic_time () < client->deadline)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", client->uri);
      g_autoptr(GBytes) body = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    client->authorization);
      body = soup_session_send_and_read (session, msg, NULL, NULL);
      if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
        client->failures++;
      else
        {
          client->requests++;
          client->bytes += g_bytes_get_size (body);
        }
    }
  return NULL;
}

static void
bench_generation (void)
{
  const char *names[] = { "small", "demo", "large" };

  printf ("Generation (best and median of 5 runs):\n");
  for (guint scale = KT_SANDBOX_SCALE_SMALL; scale <= KT_SANDBOX_SCALE_LARGE; scale++)
    {
      double times[5];

      for (guint run = 0; run < G_N_ELEMENTS (times); run++)
        {
          g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
          gint64 start;

          g_object_set (sandbox, "scale", scale, "seed", (guint64) run + 1, NULL);
          start = g_get_monotonic_time ();
          /* Counting rows generates the data on first use. */
          kt_sandbox_count_rows (sandbox, "orders");
          times[run] = (g_get_monotonic_time () - start) / 1000.0;
        }

      for (guint i = 0; i < G_N_ELEMENTS (times); i++)
        for (guint j = i + 1; j < G_N_ELEMENTS (times); j++)
          if (times[j] < times[i])
            {
              double swap = times[i];

              times[i] = times[j];
              times[j] = swap;
            }
      printf ("  %-6s best %8.1f ms, median %8.1f ms\n", names[scale], times[0], times[2]);
    }
}

static int
bench_requests (guint          connections,
                double         seconds,
                KtSandboxScale scale,
                const char    *path)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *authorization = NULL;
  g_autofree Client *clients = g_new0 (Client, connections);
  g_autofree GThread **threads = g_new0 (GThread *, connections);
  guint requests = 0, failures = 0;
  guint64 bytes = 0;
  gint64 start, elapsed;

  g_object_set (sandbox, "scale", scale, "basic-limit", G_MAXUINT, NULL);
  if (!kt_sandbox_start (sandbox, 0, &error))
    {
      fprintf (stderr, "sandbox-bench: %s\n", error->message);
      return EXIT_FAILURE;
    }

  uri = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/%s",
                         kt_sandbox_get_api_uri (sandbox), kt_sandbox_get_company_id (sandbox), path);
  pair = g_strconcat (kt_sandbox_get_client_id (sandbox), ":", kt_sandbox_get_client_secret (sandbox), NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  authorization = g_strconcat ("Basic ", encoded, NULL);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < connections; i++)
    {
      clients[i].uri = uri;
      clients[i].authorization = authorization;
      clients[i].deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }
  for (guint i = 0; i < connections; i++)
    {
      g_thread_join (threads[i]);
      requests += clients[i].requests;
      failures += clients[i].failures;
      bytes += clients[i].bytes;
    }
  elapsed = g_get_monotonic_time () - start;
  kt_sandbox_stop (sandbox);

  printf ("GET %s (%.1f KiB) over %u keep-alive connections for %.1f s:\n", path,
          requests > 0 ? bytes / 1024.0 / requests : 0.0, connections, elapsed / 1e6);
  printf ("  %u requests, %u failed, %.0f requests/s\n", requests, failures,
          requests / (elapsed / 1e6));
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- measure kounter-sandbox");
  g_autoptr(GError) error = NULL;
  g_autofree char *scale = NULL;
  g_autofree char *path = NULL;
  int connections = 4;
  double seconds = 5.0;
  KtSandboxScale scale_value = KT_SANDBOX_SCALE_DEMO;
  GOptionEntry entries[] = {
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections, "Client connections, one thread each (default 4)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Length of the request run in seconds (default 5)", "S" },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "Data served: small, demo or large (default demo)", "SCALE" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &path, "Path under the company (default products.json?page=1)", "PATH" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "sandbox-bench: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (connections < 1 || connections > 64 || seconds <= 0 || seconds > 600)
    {
      fprintf (stderr, "sandbox-bench: use 1 to 64 connections and 0 to 600 seconds\n");
      return EXIT_FAILURE;
    }
  if (scale != NULL)
    {
      if (g_str_equal (scale, "small"))
        scale_value = KT_SANDBOX_SCALE_SMALL;
      else if (g_str_equal (scale, "large"))
        scale_value = KT_SANDBOX_SCALE_LARGE;
      else if (!g_str_equal (scale, "demo"))
        {
          fprintf (stderr, "sandbox-bench: invalid scale “%s”; use small, demo or large\n", scale);
          return EXIT_FAILURE;
        }
    }

  bench_generation ();
  return bench_requests ((guint) connections, seconds, scale_value,
                         path != NULL ? path : "products.json?page=1");
}
