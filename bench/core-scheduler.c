/*
 * Loads every page of the orders list from an in-process sandbox with a
 * short rate-limit window. It loads them once through KtLoader (the
 * scheduler) and once with a naive loop that has no budget. For each it
 * prints the wall time, the minimum time the limit allows and the 429s
 * received.
 *
 * Usage: bench-core-scheduler [WINDOW_SECONDS [LIMIT [unix|seconds]]]
 * Defaults: a 10 s window, 60 requests per window, X-Ratelimit-Reset as
 * seconds left; always 200 pages of 100 orders.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/kt-catalogue.h"
#include "core/kt-loader.h"
#include "sandbox/kt-sandbox.h"

static KtSandboxResetForm reset_form = KT_SANDBOX_RESET_SECONDS_LEFT;

static KtSandbox *
start_sandbox (double window,
               guint  limit)
{
  g_autoptr(GError) error = NULL;
  KtSandbox *sandbox = kt_sandbox_new ();

  g_object_set (sandbox,
                "scale", KT_SANDBOX_SCALE_DEMO,
                "page-size", 100,
                "rate-window", window,
                "basic-limit", limit,
                "reset-form", reset_form,
                NULL);
  if (!kt_sandbox_start (sandbox, 0, &error))
    g_error ("Could not start the sandbox: %s", error->message);
  return sandbox;
}

static char *
basic_header (KtSandbox *sandbox)
{
  g_autofree char *pair = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (sandbox),
                                           kt_sandbox_get_client_secret (sandbox));
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean *done = user_data;

  if (!kt_loader_load_all_finish (KT_LOADER (source), result, &error))
    g_error ("Loading failed: %s", error->message);
  *done = TRUE;
}

/* Loads @pages pages through the scheduler; returns the wall time. */
static double
run_scheduler (double  window,
               guint   limit,
               guint   pages,
               guint  *rows,
               guint  *status_429)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (window, limit);
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtLoader) loader = NULL;
  g_autofree char *path = NULL;
  gboolean done = FALSE;
  gint64 start;

  config->client_id = g_strdup (kt_sandbox_get_client_id (sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (sandbox));
  account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  /* The orders of the first @pages pages: the list ends at an id. */
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/orders.json",
                          kt_sandbox_get_company_id (sandbox));
  loader = kt_loader_new (client, account, path, model);

  start = g_get_monotonic_time ();
  kt_loader_load_all_async (loader, NULL, on_loaded_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  *rows = g_list_model_get_n_items (G_LIST_MODEL (model));
  *status_429 = kt_sandbox_get_counter (sandbox, "status:429");
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, pages);
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

/* Follows X-Next-Page with plain requests, retrying a 429 after 100 ms;
 * returns the wall time. */
static double
run_naive (double  window,
           guint   limit,
           guint  *rows,
           guint  *status_429)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (window, limit);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *authorization = basic_header (sandbox);
  g_autofree char *uri = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/orders.json",
                                          kt_sandbox_get_api_uri (sandbox),
                                          kt_sandbox_get_company_id (sandbox));
  gint64 start = g_get_monotonic_time ();

  *rows = 0;
  while (uri != NULL)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GError) error = NULL;
      const char *next;

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
      soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
      body = soup_session_send_and_read (session, message, NULL, &error);
      if (body == NULL)
        g_error ("GET %s failed: %s", uri, error->message);

      if (soup_message_get_status (message) == 429)
        {
          g_usleep (G_USEC_PER_SEC / 10);
          continue;
        }

      *rows += 100;
      next = soup_message_headers_get_one (soup_message_get_response_headers (message), "X-Next-Page");
      g_free (uri);
      uri = next != NULL && next[0] != '\0' ? g_strdup (next) : NULL;
    }

  *status_429 = kt_sandbox_get_counter (sandbox, "status:429");
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  double window = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 10.0;
  guint limit = argc > 2 ? (guint) atoi (argv[2]) : 60;
  guint pages = 200;
  guint rows = 0;
  guint status_429 = 0;
  double ideal;
  double wall;

  if (argc > 3 && g_str_equal (argv[3], "unix"))
    reset_form = KT_SANDBOX_RESET_UNIX_TIME;

  /* The minimum time: each window's requests go at once, and the next
   * window opens when the previous one resets. So the last request goes
   * out after floor((pages - 1) / limit) windows. */
  ideal = (double) ((pages - 1) / limit) * window;

  wall = run_scheduler (window, limit, pages, &rows, &status_429);
  g_print ("scheduler: %u pages, %u rows, window %.1f s, limit %u, reset as %s: wall %.2f s, "
           "ideal %.2f s, ratio %.3f, 429s %u\n",
           pages, rows, window, limit,
           reset_form == KT_SANDBOX_RESET_UNIX_TIME ? "Unix time" : "seconds left",
           wall, ideal, wall / ideal, status_429);

  wall = run_naive (window, limit, &rows, &status_429);
  g_print ("naive loop: %u pages, %u rows: wall %.2f s, ratio %.3f, 429s %u\n",
           pages, rows, wall, wall / ideal, status_429);

  return 0;
}
