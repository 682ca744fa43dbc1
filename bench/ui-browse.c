/* Measures the orders list with 100,000 rows: how long the main loop
 * stalls while the pages load, and how long a search keystroke takes to
 * filter the list and draw the next frame. The list is shown alone, or
 * with --main-window inside the main window with its sidebar, rate meter
 * and detail pane. Run under tests/kt-test-env; see bench/README.md. */
#define G_LOG_DOMAIN "bench-ui-browse"

#include "config.h"

#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <stdlib.h>
#include <time.h>

#include "core/kt-account.h"
#include "core/kt-client.h"
#include "sandbox/kt-sandbox.h"
#include "ui/kt-resource-view.h"
#include "ui/kt-window.h"

typedef struct
{
  KtResourceView *view;
  gint64 last;
  gint64 last_cpu;
  gint64 max_gap;
  gint64 max_cpu;        /* the largest main-thread CPU time in one gap */
  GArray *gaps;          /* gint64 microseconds between probe runs */
} StallProbe;

/* CPU time of the calling thread in microseconds: the part of a gap that
 * the main thread spent running, not waiting for a core. */
static gint64
thread_cpu_time (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static gboolean
on_probe_cb (gpointer data)
{
  StallProbe *probe = data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_time ();

  if (probe->last != 0)
    {
      gint64 gap = now - probe->last;
      gint64 gap_cpu = cpu - probe->last_cpu;

      g_array_append_val (probe->gaps, gap);
      probe->max_gap = MAX (probe->max_gap, gap);
      probe->max_cpu = MAX (probe->max_cpu, gap_cpu);
      if (gap > 10000 && probe->view != NULL)
        g_print ("gap of %.1f ms (%.1f ms running) with %u rows loaded, ending at %.6f s\n", gap / 1000.0,
                 gap_cpu / 1000.0, kt_resource_view_get_rows_loaded (probe->view), now / 1e6);
    }
  probe->last = now;
  probe->last_cpu = cpu;

  return G_SOURCE_CONTINUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  if (x < y)
    return -1;
  if (x > y)
    return 1;

  return 0;
}

static gint64
percentile (GArray *values,
            double  fraction)
{
  guint index;

  if (values->len == 0)
    return 0;

  g_array_sort (values, compare_int64);
  index = MIN (values->len - 1, (guint) (fraction * values->len));
  return g_array_index (values, gint64, index);
}

static gboolean painted;

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       data)
{
  painted = TRUE;
}

static void
wait_for_frame (GtkWidget *widget)
{
  painted = FALSE;
  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_company_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!kt_client_fetch_company_finish (KT_CLIENT (source), result, &error))
    g_error ("Reading the sandbox company failed: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  static const char * const queries[] = {
    "s", "sh", "sh1", "sh1-", "sh1-1", "sh1-10", "sh1-100", "sh1-10", "sh1-1", "sh1",
    "c", "co", "com", "comp", "complete", "nt2", "pending", "",
  };
  g_autoptr(KtSandbox) sandbox = NULL;
  g_autoptr(KtClient) client = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtOAuthConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  StallProbe probe = { NULL, 0, 0, 0, 0, NULL };
  GdkFrameClock *frame_clock;
  GtkWidget *window;
  KtResourceView *view;
  gboolean done = FALSE;
  gint64 load_start;
  gint64 load_end;
  guint probe_id;
  gint64 max_filter = 0;
  gint64 max_frame = 0;
  gboolean main_window = argc > 1 && g_str_equal (argv[1], "--main-window");

  gtk_init ();
  adw_init ();
  gtk_source_init ();

  sandbox = kt_sandbox_new ();
  /* The rate limit is not what this measures: give the budget room. */
  g_object_set (sandbox, "scale", KT_SANDBOX_SCALE_LARGE, "basic-limit", 1000000, "rate-window", 1.0, NULL);
  if (!kt_sandbox_start (sandbox, 0, &error))
    g_error ("Starting the sandbox failed: %s", error->message);

  config = kt_oauth_config_new ();
  config->client_id = g_strdup (kt_sandbox_get_client_id (sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (sandbox));
  client = kt_client_new ();
  account = kt_account_new (KT_AUTH_KIND_BASIC, config);
  kt_client_fetch_company_async (client, account, NULL, on_company_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  if (main_window)
    {
      /* The window shows the company list first; the orders list is
       * created, and starts loading, when it is shown below. */
      window = g_object_new (KT_TYPE_WINDOW, "client", client, NULL);
      gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
      gtk_window_present (GTK_WINDOW (window));
      kt_window_show_account (KT_WINDOW (window), account);
      view = NULL;
    }
  else
    {
      window = gtk_window_new ();
      gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
      view = KT_RESOURCE_VIEW (kt_resource_view_new (client, account, kt_catalogue_lookup ("orders")));
      gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
      gtk_window_present (GTK_WINDOW (window));
    }
  frame_clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (frame_clock, "after-paint", G_CALLBACK (on_after_paint_cb), NULL);
  wait_for_frame (window);

  /* Loading: a probe that should run every millisecond records the gaps. */
  probe.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_probe_cb, &probe, NULL);
  load_start = g_get_monotonic_time ();
  if (main_window)
    view = kt_window_show_resource (KT_WINDOW (window), "orders");
  else
    kt_resource_view_ensure_loaded (view);
  probe.view = view;
  while (kt_resource_view_get_rows_loaded (view) == 0 || kt_resource_view_get_loading (view))
    g_main_context_iteration (NULL, TRUE);
  kt_resource_view_load_all (view);
  while (!kt_resource_view_get_complete (view))
    g_main_context_iteration (NULL, TRUE);
  load_end = g_get_monotonic_time ();
  g_source_remove (probe_id);

  g_print ("rows loaded: %u in %.1f s\n", kt_resource_view_get_rows_loaded (view),
           (load_end - load_start) / 1e6);
  g_print ("main loop gap while loading: max %.1f ms, p99 %.1f ms, p50 %.1f ms (%u samples)\n",
           probe.max_gap / 1000.0, percentile (probe.gaps, 0.99) / 1000.0,
           percentile (probe.gaps, 0.50) / 1000.0, probe.gaps->len);
  g_print ("main thread running in one gap: max %.1f ms\n", probe.max_cpu / 1000.0);

  /* Searching: each keystroke's filter, then the frame that shows it.
   * KT_BENCH_REPEAT repeats the sequence, for profiling. */
  for (guint i = 0; i < G_N_ELEMENTS (queries) * (guint) MAX (1, atoi (g_getenv ("KT_BENCH_REPEAT") ? g_getenv ("KT_BENCH_REPEAT") : "1")); i++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 filtered;
      gint64 drawn;

      kt_resource_view_set_search_text (view, queries[i % G_N_ELEMENTS (queries)]);
      filtered = g_get_monotonic_time ();
      wait_for_frame (window);
      drawn = g_get_monotonic_time ();

      max_filter = MAX (max_filter, filtered - start);
      max_frame = MAX (max_frame, drawn - start);
      g_print ("search \"%s\": %u rows, filter %.1f ms, drawn after %.1f ms\n", queries[i % G_N_ELEMENTS (queries)],
               g_list_model_get_n_items (kt_resource_view_get_shown_rows (view)),
               (filtered - start) / 1000.0, (drawn - start) / 1000.0);
    }
  g_print ("search keystroke: max filter %.1f ms, max until drawn %.1f ms\n",
           max_filter / 1000.0, max_frame / 1000.0);

  g_array_unref (probe.gaps);
  gtk_window_destroy (GTK_WINDOW (window));
  kt_sandbox_stop (sandbox);

  return 0;
}
