/* The rate meter against the sandbox: the values it shows, how it counts
 * redirects, and a bulk load that needs more requests than a window
 * allows. */
#define G_LOG_DOMAIN "browse-meter"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core/kt-exchange.h"
#include "ui/kt-window.h"

/* A small budget in a short window, so one list needs several windows. */
#define TEST_LIMIT 10
#define TEST_WINDOW_SECONDS 4

static BrowseFixture fixture;

typedef struct
{
  GError *error;
  gboolean done;
} AsyncResult;

static gboolean
async_done (gpointer data)
{
  return ((AsyncResult *) data)->done;
}

static void
on_company_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncResult *async = user_data;

  kt_client_fetch_company_finish (KT_CLIENT (source), result, &async->error);
  async->done = TRUE;
}

static void
on_request_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncResult *async = user_data;
  g_autoptr(KtResponse) response = kt_client_request_finish (KT_CLIENT (source), result, &async->error);

  async->done = TRUE;
}

static KtAccount *
new_account (void)
{
  return kt_account_new (KT_AUTH_KIND_BASIC, kt_account_get_config (fixture.account));
}

static const char *
find_header (const char * const *headers,
             const char         *name)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (headers[i], name) == 0)
        return headers[i + 1];
    }

  return NULL;
}

static KtExchange *
last_exchange (KtAccount *account)
{
  GListModel *exchanges = kt_account_get_exchanges (account);
  guint n_items = g_list_model_get_n_items (exchanges);

  g_assert_cmpuint (n_items, >, 0);
  return g_list_model_get_item (exchanges, n_items - 1);
}

/* The meter's "remaining/limit" must be the last response's headers. */
static void
check_meter_matches_last_response (KtRateMeter *meter,
                                   KtAccount   *account)
{
  g_autoptr(KtExchange) exchange = last_exchange (account);
  const char * const *headers = kt_exchange_get_response_headers (exchange);
  const char *remaining = find_header (headers, "X-Ratelimit-Remaining");
  const char *limit = find_header (headers, "X-Ratelimit-Limit");
  g_autofree char *expected = NULL;
  g_autofree char *expected_description = NULL;

  g_assert_nonnull (remaining);
  g_assert_nonnull (limit);
  expected = g_strdup_printf ("%s/%s", remaining, limit);
  if (g_str_equal (remaining, "0"))
    expected_description = g_strdup_printf ("No requests left of %s", limit);
  else
    expected_description = g_strdup_printf ("%s of %s requests left", remaining, limit);

  g_assert_true (g_str_has_prefix (kt_rate_meter_get_text (meter), expected));
  g_assert_true (g_str_has_prefix (kt_rate_meter_get_description (meter), expected_description));
}

static GtkWidget *
new_meter_window (KtRateMeter **meter)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *header = adw_header_bar_new ();

  *meter = KT_RATE_METER (kt_rate_meter_new ());
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (*meter));
  gtk_window_set_titlebar (GTK_WINDOW (window), header);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Kounter"));
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 120);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
test_redirect_counts_two (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtRateMeter *meter = NULL;
  GtkWidget *window = new_meter_window (&meter);
  AsyncResult async = { NULL, FALSE };
  GListModel *exchanges = kt_account_get_exchanges (account);
  g_autoptr(KtExchange) redirect = NULL;
  g_autoptr(KtExchange) company = NULL;
  guint remaining_after_redirect;
  guint remaining_after_company;

  kt_rate_meter_set_rate_limit (meter, kt_account_get_rate_limit (account));
  g_assert_cmpint (kt_rate_meter_get_state (meter), ==, KT_RATE_METER_UNKNOWN);
  browse_save_screenshot (window, "browse-meter-unknown");

  kt_client_fetch_company_async (fixture.client, account, NULL, on_company_cb, &async);
  g_assert_true (browse_wait_until (async_done, &async, 20));
  g_assert_no_error (async.error);

  /* companies/me returns 302, and following it is a second request. */
  g_assert_cmpuint (g_list_model_get_n_items (exchanges), ==, 2);
  redirect = g_list_model_get_item (exchanges, 0);
  company = g_list_model_get_item (exchanges, 1);
  g_assert_cmpuint (kt_exchange_get_status (redirect), ==, 302);
  g_assert_cmpuint (kt_exchange_get_status (company), ==, 200);
  g_assert_cmpuint (kt_rate_meter_get_requests_seen (meter), ==, 2);

  remaining_after_redirect = atoi (find_header (kt_exchange_get_response_headers (redirect), "X-Ratelimit-Remaining"));
  remaining_after_company = atoi (find_header (kt_exchange_get_response_headers (company), "X-Ratelimit-Remaining"));
  g_assert_cmpuint (remaining_after_company + 1, ==, remaining_after_redirect);
  g_assert_cmpuint (kt_rate_limit_get_remaining (kt_account_get_rate_limit (account)), ==, remaining_after_company);
  check_meter_matches_last_response (meter, account);
  g_assert_cmpint (kt_rate_meter_get_state (meter), !=, KT_RATE_METER_UNKNOWN);
  browse_save_screenshot (window, "browse-meter-plenty");

  kt_rate_meter_popup (meter);
  browse_spin (300);
  g_assert_cmpuint (kt_rate_meter_get_chart_total (meter), ==, 2);
  browse_save_screenshot (GTK_WIDGET (kt_rate_meter_get_popover (meter)), "browse-meter-popover");
  kt_rate_meter_popdown (meter);

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
rate_limit_has_queued (gpointer data)
{
  return kt_rate_limit_get_queued (KT_RATE_LIMIT (data)) > 0;
}

static void
send_request (KtAccount   *account,
              const char  *path,
              AsyncResult *async)
{
  kt_client_request_async (fixture.client, account, "GET", path, NULL, KT_PRIORITY_INTERACTIVE,
                           NULL, on_request_cb, async);
}

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
sum_charged (KtAccount *account)
{
  GListModel *exchanges = kt_account_get_exchanges (account);
  guint sum = 0;

  for (guint i = 0; i < g_list_model_get_n_items (exchanges); i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i);

      sum += kt_exchange_get_cost (exchange);
    }

  return sum;
}

static gboolean
window_rolled_over (gpointer data)
{
  return kt_rate_limit_get_reset_time (KT_RATE_LIMIT (data)) == 0;
}

static void
test_popover_matches_session (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  KtRateMeter *meter = NULL;
  GtkWidget *window = new_meter_window (&meter);
  GtkWidget *popover = GTK_WIDGET (kt_rate_meter_get_popover (meter));
  AsyncResult company = { NULL, FALSE };
  g_autofree char *path = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *reset_text = NULL;
  g_autofree char *session_text = NULL;
  guint i;

  /* The sandbox counts per credential, so the window opened by earlier
   * tests has to pass first: only the first response of a window gives
   * its length. Late in a second, a whole-second Unix-time reset is rounded
   * up by most of a second, which once made the window a second too
   * long. */
  browse_spin ((TEST_WINDOW_SECONDS + 1) * 1000);
  for (i = 0; i < 200 && g_get_real_time () % G_USEC_PER_SEC < G_USEC_PER_SEC / 2; i++)
    g_usleep (10 * 1000);

  /* The sign-in's requests, a 302 and its target, go out before any
   * meter shows the budget. */
  kt_client_fetch_company_async (fixture.client, account, NULL, on_company_cb, &company);
  g_assert_true (browse_wait_until (async_done, &company, 20));
  g_assert_no_error (company.error);
  g_assert_cmpuint (sum_charged (account), ==, 2);

  kt_rate_meter_set_rate_limit (meter, rate_limit);
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT ".json", kt_account_get_company_id (fixture.account));
  for (i = 0; i < 2; i++)
    {
      AsyncResult sent = { NULL, FALSE };

      send_request (account, path, &sent);
      g_assert_true (browse_wait_until (async_done, &sent, 20));
      g_assert_no_error (sent.error);
    }

  g_assert_cmpuint (sum_charged (account), ==, 4);
  g_assert_cmpuint (kt_rate_meter_get_requests_seen (meter), ==, sum_charged (account));

  kt_rate_meter_popup (meter);
  browse_spin (300);
  limit_text = g_strdup_printf ("%u requests per %u s", TEST_LIMIT, TEST_WINDOW_SECONDS);
  g_assert_cmpfloat (kt_rate_limit_get_window_seconds (rate_limit), ==, TEST_WINDOW_SECONDS);
  g_assert_nonnull (find_label (popover, limit_text));
  session_text = g_strdup_printf ("%u requests charged", sum_charged (account));
  g_assert_nonnull (find_label (popover, session_text));

  /* Once the window has passed, the next request opens the next one. */
  g_assert_true (browse_wait_until (window_rolled_over, rate_limit, TEST_WINDOW_SECONDS + 10));
  browse_spin (1100);
  reset_text = g_strdup_printf ("%u seconds after the next request", TEST_WINDOW_SECONDS);
  g_assert_nonnull (find_label (popover, reset_text));
  g_assert_null (find_label (popover, "Not Known"));
  browse_save_screenshot (popover, "browse-meter-popover-rolled");
  kt_rate_meter_popdown (meter);

  gtk_window_destroy (GTK_WINDOW (window));
}


static void
test_meter_follows_each_response (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  KtRateMeter *meter = NULL;
  GtkWidget *window = new_meter_window (&meter);
  AsyncResult held = { NULL, FALSE };
  g_autofree char *path = NULL;
  gboolean saw_low = FALSE;

  kt_account_set_company_id (account, kt_account_get_company_id (fixture.account));
  kt_rate_meter_set_rate_limit (meter, rate_limit);
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/taxes.json", kt_account_get_company_id (account));

  /* Wait for a fresh window so the budget runs from full to spent. */
  browse_spin ((TEST_WINDOW_SECONDS + 1) * 1000);

  for (guint i = 0; i < TEST_LIMIT; i++)
    {
      AsyncResult async = { NULL, FALSE };

      send_request (account, path, &async);
      g_assert_true (browse_wait_until (async_done, &async, 20));
      g_assert_no_error (async.error);
      check_meter_matches_last_response (meter, account);

      if (kt_rate_meter_get_state (meter) == KT_RATE_METER_LOW && !saw_low)
        {
          GtkWidget *popover = GTK_WIDGET (kt_rate_meter_get_popover (meter));
          g_autofree char *low_text = NULL;

          saw_low = TRUE;
          browse_save_screenshot (window, "browse-meter-low");

          /* The popover names the state in words, not by colour alone. */
          kt_rate_meter_popup (meter);
          browse_spin (300);
          low_text = g_strdup_printf ("Low: the last %u requests are kept for what you open",
                                      kt_rate_limit_get_remaining (rate_limit));
          g_assert_nonnull (find_label (popover, low_text));
          browse_save_screenshot (popover, "browse-meter-popover-low");
          kt_rate_meter_popdown (meter);
        }
    }

  g_assert_true (saw_low);
  g_assert_cmpint (kt_rate_meter_get_state (meter), ==, KT_RATE_METER_SPENT);
  g_assert_true (g_str_has_prefix (kt_rate_meter_get_text (meter), "0/"));
  browse_save_screenshot (window, "browse-meter-spent");

  /* One more request waits for the reset instead of being sent. */
  send_request (account, path, &held);
  g_assert_true (browse_wait_until (rate_limit_has_queued, rate_limit, 5));
  /* The header text stays short enough to show whole; the count of
   * waiting requests is in the description and the popover. */
  g_assert_null (strstr (kt_rate_meter_get_text (meter), "waiting"));
  g_assert_nonnull (strstr (kt_rate_meter_get_text (meter), " · "));
  g_assert_nonnull (strstr (kt_rate_meter_get_description (meter), "1 request waits"));
  kt_rate_meter_popup (meter);
  browse_spin (300);
  g_assert_nonnull (find_label (GTK_WIDGET (kt_rate_meter_get_popover (meter)), "Spent: waiting for the reset"));
  g_assert_nonnull (find_label (GTK_WIDGET (kt_rate_meter_get_popover (meter)), "1 request"));
  browse_save_screenshot (GTK_WIDGET (kt_rate_meter_get_popover (meter)), "browse-meter-popover-spent");
  kt_rate_meter_popdown (meter);
  browse_save_screenshot (window, "browse-meter-spent-waiting");

  /* A narrow window drops the countdown instead of cutting the text. */
  kt_rate_meter_set_compact (meter, TRUE);
  g_assert_null (strstr (kt_rate_meter_get_text (meter), " · "));
  g_assert_true (g_str_has_prefix (kt_rate_meter_get_text (meter), "0/"));
  kt_rate_meter_set_compact (meter, FALSE);

  g_assert_true (browse_wait_until (async_done, &held, 20));
  g_assert_no_error (held.error);
  check_meter_matches_last_response (meter, account);

  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  KtWindow *window;
  KtResourceView *view;
  gboolean saw_waiting;
  gboolean saw_meter_waiting;
  guint page_rows;
  guint estimates_seen;
} LoadWatch;

/* Checks that the sidebar's estimate, while one is shown, lies between
 * the rows loaded and the rows that the announced pages can hold. */
static void
check_estimate (LoadWatch *watch)
{
  const char *count = kt_window_get_sidebar_count (watch->window, "customers");
  KtLoader *loader = kt_resource_view_get_loader (watch->view);
  guint pages_total = 0;
  guint64 estimate;

  if (count == NULL || !g_str_has_prefix (count, "≈"))
    return;

  g_object_get (loader, "pages-total", &pages_total, NULL);
  g_assert_true (g_ascii_string_to_unsigned (count + strlen ("≈"), 10, 0, G_MAXUINT, &estimate, NULL));
  g_assert_cmpuint (estimate, <=, (guint64) pages_total * watch->page_rows);
  g_assert_cmpuint (estimate, >=, kt_resource_view_get_rows_loaded (watch->view));
  watch->estimates_seen++;
}

static GtkWidget *
footer_label (KtResourceView *view,
              const char     *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, name));
}

/* Checks that a footer line shows its whole text: it never wraps, and it
 * has at least the width its text needs, so it is not ellipsized. */
static void
check_footer_line_fits (KtResourceView *view,
                        const char     *name)
{
  GtkWidget *label = footer_label (view, name);
  g_autoptr(PangoLayout) layout = NULL;
  int needed = 0;

  g_assert_true (gtk_widget_get_visible (label));
  g_assert_false (gtk_label_get_wrap (GTK_LABEL (label)));
  g_assert_cmpint (gtk_widget_get_width (label), >, 0);
  layout = gtk_widget_create_pango_layout (label, gtk_label_get_label (GTK_LABEL (label)));
  pango_layout_get_pixel_size (layout, &needed, NULL);
  g_assert_cmpint (gtk_widget_get_width (label), >=, needed);
}

static void
check_footer_fits (KtResourceView *view)
{
  check_footer_line_fits (view, "count_label");
  check_footer_line_fits (view, "progress_detail_label");
}

static gboolean
load_is_complete (gpointer data)
{
  LoadWatch *watch = data;
  KtRateMeter *meter = kt_window_get_rate_meter (watch->window);

  if (kt_resource_view_get_waiting (watch->view) && !watch->saw_waiting)
    {
      watch->saw_waiting = TRUE;
      browse_save_screenshot (GTK_WIDGET (watch->window), "browse-load-all-waiting");
    }

  if (strstr (kt_rate_meter_get_description (meter), " wait") != NULL)
    watch->saw_meter_waiting = TRUE;

  check_estimate (watch);

  return kt_resource_view_get_complete (watch->view);
}

static gboolean
view_has_first_page (gpointer data)
{
  return kt_resource_view_get_rows_loaded (KT_RESOURCE_VIEW (data)) > 0
         && !kt_resource_view_get_loading (KT_RESOURCE_VIEW (data));
}

static void
test_load_all_waits (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtWindow *window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  LoadWatch watch = { window, NULL, FALSE, FALSE, 0, 0 };
  guint expected_rows = kt_sandbox_count_rows (fixture.sandbox, "customers");
  g_autofree char *expected_text = g_strdup_printf ("%u", expected_rows);
  GListModel *exchanges;
  guint n_exchanges;
  guint requests = 0;

  /* Twenty pages of customers need more than one window of this budget. */
  g_assert_cmpuint (expected_rows / 100, >, TEST_LIMIT);

  kt_account_set_company_id (account, kt_account_get_company_id (fixture.account));
  kt_account_set_company_name (account, kt_account_get_company_name (fixture.account));
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, account);

  watch.view = kt_window_show_resource (window, "customers");
  g_assert_true (browse_wait_until (view_has_first_page, watch.view, 30));
  watch.page_rows = kt_resource_view_get_rows_loaded (watch.view);
  kt_resource_view_load_all (watch.view);
  g_assert_true (browse_wait_until (load_is_complete, &watch, 55));

  g_assert_true (watch.saw_waiting);
  g_assert_true (watch.saw_meter_waiting);
  g_assert_cmpuint (watch.estimates_seen, >, 0);
  g_assert_cmpstr (kt_window_get_sidebar_count (window, "customers"), ==, expected_text);
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (watch.view), ==, expected_rows);

  exchanges = kt_account_get_exchanges (account);
  n_exchanges = g_list_model_get_n_items (exchanges);
  for (guint i = 0; i < n_exchanges; i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i);

      g_assert_cmpuint (kt_exchange_get_status (exchange), !=, 429);
      requests += kt_exchange_get_cost (exchange);
    }
  g_assert_cmpuint (requests, >, TEST_LIMIT);
  browse_save_screenshot (GTK_WIDGET (window), "browse-load-all-done");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
label_shows_waiting (gpointer data)
{
  return strstr (gtk_label_get_label (GTK_LABEL (data)), "waiting") != NULL;
}

static void
test_load_all_progress_fits (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtWindow *window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  GtkLabel *label;
  GtkLabel *detail;
  KtResourceView *view;
  const char *text;
  const char *tooltip;
  double first_estimate = 0;
  double second_estimate = 0;

  kt_account_set_company_id (account, kt_account_get_company_id (fixture.account));
  kt_account_set_company_name (account, kt_account_get_company_name (fixture.account));
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, account);

  view = kt_window_show_resource (window, "customers");
  label = GTK_LABEL (footer_label (view, "count_label"));
  detail = GTK_LABEL (footer_label (view, "progress_detail_label"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  kt_resource_view_load_all (view);

  /* Every part is there, where the load is on the first line and its
   * cost on the second, and both show all of it once laid out. The
   * waiting part lasts only until the short window resets, so the text
   * is read as soon as the second line shows it. */
  g_assert_true (browse_wait_until (label_shows_waiting, detail, 30));
  text = gtk_label_get_label (label);
  g_assert_nonnull (strstr (text, "Page"));
  g_assert_nonnull (strstr (text, "rows"));
  text = gtk_label_get_label (detail);
  g_assert_nonnull (strstr (text, " spent"));
  g_assert_nonnull (strstr (text, "waiting"));

  /* The time left counts down while no page arrives. */
  g_object_get (kt_resource_view_get_loader (view), "estimated-seconds", &first_estimate, NULL);
  g_assert_cmpfloat (first_estimate, >, 0);
  browse_spin (300);
  g_object_get (kt_resource_view_get_loader (view), "estimated-seconds", &second_estimate, NULL);
  g_assert_cmpfloat (second_estimate, <, first_estimate);
  check_footer_fits (view);
  browse_save_screenshot (GTK_WIDGET (window), "browse-load-all-progress");

  /* Narrow, the first line still fits, and the tooltip of the second
   * has every part. */
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  browse_spin (500);
  check_footer_line_fits (view, "count_label");
  tooltip = kt_resource_view_get_footer_text (view);
  g_assert_nonnull (strstr (tooltip, "Page"));
  g_assert_nonnull (strstr (tooltip, " spent"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-load-all-progress-narrow");

  kt_resource_view_cancel (view);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
meter_shows_no_spent_budget (gpointer data)
{
  KtRateMeterState state = kt_rate_meter_get_state (KT_RATE_METER (data));

  return state != KT_RATE_METER_LOW && state != KT_RATE_METER_SPENT;
}

static void
test_meter_after_reset (void)
{
  g_autoptr(KtAccount) account = new_account ();
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  g_autofree char *path = NULL;
  KtRateMeter *meter = NULL;
  GtkWidget *window = new_meter_window (&meter);
  KtRateMeterState state;

  kt_rate_meter_set_rate_limit (meter, rate_limit);
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT ".json", kt_account_get_company_id (fixture.account));

  /* Spend three quarters of the budget, so the meter warns. */
  while (kt_rate_limit_get_remaining (rate_limit) * 4 > kt_rate_limit_get_limit (rate_limit))
    {
      AsyncResult spent = { NULL, FALSE };

      kt_client_request_async (fixture.client, account, "GET", path, NULL,
                               KT_PRIORITY_INTERACTIVE, NULL, on_request_cb, &spent);
      g_assert_true (browse_wait_until (async_done, &spent, 20));
      g_assert_no_error (spent.error);
    }
  state = kt_rate_meter_get_state (meter);
  g_assert_true (state == KT_RATE_METER_LOW || state == KT_RATE_METER_SPENT);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), >, 0);

  /* With no request after it, the reset alone clears the warning. */
  g_assert_true (browse_wait_until (meter_shows_no_spent_budget, meter, TEST_WINDOW_SECONDS + 10));
  state = kt_rate_meter_get_state (meter);
  g_assert_true (state == KT_RATE_METER_UNKNOWN || state == KT_RATE_METER_PLENTY);
  g_assert_false (g_str_has_prefix (kt_rate_meter_get_text (meter), "0/"));
  browse_save_screenshot (window, "browse-meter-after-reset");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
view_is_waiting (gpointer data)
{
  return kt_resource_view_get_waiting (KT_RESOURCE_VIEW (data));
}

static gboolean
view_shows_error (gpointer data)
{
  return g_strcmp0 (kt_resource_view_get_state (KT_RESOURCE_VIEW (data)), "error") == 0;
}

static void
test_first_page_waiting (void)
{
  /* A budget of three requests a minute: the list's first page is held
   * back far longer than this test looks at it. */
  BrowseFixture slow = { NULL, NULL, NULL };
  KtWindow *window;
  KtResourceView *view;
  GtkWidget *load_all;
  GtkLabel *loading_label;
  AdwStatusPage *error_page;
  GtkWidget *retry;
  g_autofree char *path = NULL;
  g_autofree char *path_counter = NULL;

  browse_fixture_setup (&slow, KT_SANDBOX_SCALE_DEMO, 60, 3);
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT ".json", kt_account_get_company_id (slow.account));
  while (kt_rate_limit_get_remaining (kt_account_get_rate_limit (slow.account)) > 0)
    {
      AsyncResult spent = { NULL, FALSE };

      kt_client_request_async (slow.client, slow.account, "GET", path, NULL,
                               KT_PRIORITY_INTERACTIVE, NULL, on_request_cb, &spent);
      g_assert_true (browse_wait_until (async_done, &spent, 20));
      g_assert_no_error (spent.error);
    }

  window = g_object_new (KT_TYPE_WINDOW, "client", slow.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, slow.account);
  view = kt_window_show_resource (window, "customers");
  g_assert_true (browse_wait_until (view_is_waiting, view, 20));
  browse_spin (200);

  load_all = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "load_all_button"));
  loading_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "loading_label"));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "loading");
  g_assert_false (gtk_widget_get_sensitive (load_all));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (loading_label)));
  g_assert_cmpstr (gtk_label_get_label (loading_label), ==, "Waiting for the rate limit…");
  browse_save_screenshot (GTK_WIDGET (window), "browse-first-page-waiting");

  /* Cancelling the held-back first page shows that the list was not loaded,
   * instead of showing an empty list, and Retry queues the page again. */
  path_counter = g_strdup_printf ("path:/v1/companies/%" G_GINT64_FORMAT "/customers.json",
                                  kt_account_get_company_id (slow.account));
  kt_resource_view_cancel (view);
  g_assert_true (browse_wait_until (view_shows_error, view, 20));
  error_page = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "error_page"));
  g_assert_cmpstr (adw_status_page_get_title (error_page), ==, "Loading Customers Stopped");
  g_assert_cmpuint (kt_sandbox_get_counter (slow.sandbox, path_counter), ==, 0);
  g_assert_false (kt_resource_view_get_loading (view));
  browse_save_screenshot (GTK_WIDGET (window), "browse-first-page-stopped");

  retry = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "retry_button"));
  g_signal_emit_by_name (retry, "clicked");
  g_assert_true (browse_wait_until (view_is_waiting, view, 20));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "loading");

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&slow);
}

static gboolean
nothing_queued (gpointer data)
{
  return kt_rate_limit_get_queued (kt_account_get_rate_limit (KT_ACCOUNT (data))) == 0;
}

/* Whether an exchange after the first @first of @account got a response
 * for a URI containing @path. */
static gboolean
sent_request_for (KtAccount  *account,
                  guint       first,
                  const char *path)
{
  GListModel *exchanges = kt_account_get_exchanges (account);

  for (guint i = first; i < g_list_model_get_n_items (exchanges); i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i);

      if (kt_exchange_get_status (exchange) != 0 && strstr (kt_exchange_get_uri (exchange), path) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
test_left_views_send_nothing (void)
{
  static const char * const left_behind[] = { "staff", "taxes", "registers", "payment_methods" };
  g_autoptr(KtAccount) account = new_account ();
  KtWindow *window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  g_autofree char *company_path = NULL;
  g_autofree char *shown_path = NULL;
  char *left_paths[G_N_ELEMENTS (left_behind)];
  KtResourceView *shown;
  guint first;

  kt_account_set_company_id (account, kt_account_get_company_id (fixture.account));
  kt_account_set_company_name (account, kt_account_get_company_name (fixture.account));
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, account);
  g_assert_true (browse_wait_until (view_has_first_page, kt_window_show_resource (window, "company"), 30));

  /* Spend the budget, so every list shown next has to queue. */
  company_path = g_strdup_printf ("companies/%" G_GINT64_FORMAT ".json", kt_account_get_company_id (account));
  while (kt_rate_limit_get_remaining (rate_limit) > 0)
    {
      AsyncResult spent = { NULL, FALSE };

      kt_client_request_async (fixture.client, account, "GET", company_path, NULL,
                               KT_PRIORITY_INTERACTIVE, NULL, on_request_cb, &spent);
      g_assert_true (browse_wait_until (async_done, &spent, 20));
      g_assert_no_error (spent.error);
    }

  /* Click through four lists to a fifth without waiting. */
  first = g_list_model_get_n_items (kt_account_get_exchanges (account));
  for (guint i = 0; i < G_N_ELEMENTS (left_behind); i++)
    left_paths[i] = kt_resource_view_build_path (kt_window_show_resource (window, left_behind[i]));
  shown = kt_window_show_resource (window, "price_lists");
  shown_path = kt_resource_view_build_path (shown);

  g_assert_true (browse_wait_until (view_has_first_page, shown, 30));
  browse_wait_until (nothing_queued, account, 10);

  g_assert_true (sent_request_for (account, first, shown_path));
  for (guint i = 0; i < G_N_ELEMENTS (left_behind); i++)
    g_assert_false (sent_request_for (account, first, left_paths[i]));

  /* A window later, the dropped requests are still not sent. */
  browse_spin ((TEST_WINDOW_SECONDS + 1) * 1000);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (left_behind); i++)
    {
      g_assert_false (sent_request_for (account, first, left_paths[i]));
      g_free (left_paths[i]);
    }

  /* A list shown again loads the page it left behind. */
  g_assert_true (browse_wait_until (view_has_first_page, kt_window_show_resource (window, "staff"), 30));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Returns how often the sandbox of @sandboxed served the page of the list
 * shown by @view that starts at row @offset. */
static guint
page_served (BrowseFixture  *sandboxed,
             KtResourceView *view,
             guint           offset)
{
  g_autofree char *path = kt_resource_view_build_path (view);
  g_autofree char *bare = g_strndup (path, strcspn (path, "?"));
  g_autofree char *counter = g_strdup_printf ("page:/v1/%s@%u", bare, offset);

  return kt_sandbox_get_counter (sandboxed->sandbox, counter);
}

typedef struct
{
  BrowseFixture *sandboxed;
  KtResourceView *view;
  guint offset;
} PageWatch;

static gboolean
page_was_served (gpointer data)
{
  PageWatch *watch = data;

  return page_served (watch->sandboxed, watch->view, watch->offset) > 0;
}

static gboolean
view_is_idle (gpointer data)
{
  return !kt_resource_view_get_loading (KT_RESOURCE_VIEW (data));
}

static gboolean
no_request_in_flight (gpointer data)
{
  return kt_rate_limit_get_in_flight (KT_RATE_LIMIT (data)) == 0;
}

static gboolean
view_is_complete (gpointer data)
{
  return kt_resource_view_get_complete (KT_RESOURCE_VIEW (data));
}

static void
test_left_view_keeps_sent_page (void)
{
  BrowseFixture keep = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  KtWindow *window;
  KtResourceView *view;
  KtRowModel *rows;
  PageWatch second_page;
  guint expected_rows;
  guint page_size;
  guint pages_loaded = 0;
  gint64 previous_id = G_MININT64;

  browse_fixture_setup (&keep, KT_SANDBOX_SCALE_DEMO, 0, 0);
  expected_rows = kt_sandbox_count_rows (keep.sandbox, "customers");
  g_object_get (keep.sandbox, "page-size", &page_size, NULL);
  g_assert_cmpuint (expected_rows, >, 3 * page_size);

  window = g_object_new (KT_TYPE_WINDOW, "client", keep.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, keep.account);
  view = kt_window_show_resource (window, "customers");
  rows = kt_resource_view_get_row_model (view);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  /* Each response now takes two seconds, so the second page of the Load
   * All is still on the wire when the list is left. */
  g_assert_true (kt_sandbox_add_fault (keep.sandbox, "slow", &error));
  g_assert_no_error (error);
  kt_resource_view_load_all (view);
  second_page = (PageWatch) { &keep, view, page_size };
  g_assert_true (browse_wait_until (page_was_served, &second_page, 20));
  kt_window_show_resource (window, "products");

  /* The page arrives into the hidden list, and no page follows it. */
  g_assert_true (browse_wait_until (view_is_idle, view, 20));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 2 * page_size);
  g_object_get (kt_resource_view_get_loader (view), "pages-loaded", &pages_loaded, NULL);
  g_assert_cmpuint (pages_loaded, ==, 2);
  g_assert_cmpuint (page_served (&keep, view, 2 * page_size), ==, 0);

  /* Shown again, the list carries on from the third page. */
  g_assert_true (kt_sandbox_add_fault (keep.sandbox, "slow:0", &error));
  g_assert_no_error (error);
  g_assert_true (kt_window_show_resource (window, "customers") == view);
  g_assert_true (browse_wait_until (view_is_complete, view, 40));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, expected_rows);
  for (guint offset = 0; offset < expected_rows; offset += page_size)
    g_assert_cmpuint (page_served (&keep, view, offset), ==, 1);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (rows)); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (rows), i);

      /* The sandbox sends rows by ascending id, so a repeated row would
       * break the order. */
      g_assert_cmpint (kt_row_get_id (row), >, previous_id);
      previous_id = kt_row_get_id (row);
    }
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&keep);
}

static void
test_cancel_keeps_sent_page (void)
{
  g_autofree char *footer = NULL;
  BrowseFixture keep = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KtRowModel) rows = NULL;
  KtRateLimit *rate_limit;
  KtWindow *window;
  KtResourceView *view;
  GtkWidget *cancel_button;
  GtkWidget *load_all_button;
  GtkLabel *count_label;
  PageWatch second_page;
  PageWatch third_page;
  guint page_size;

  browse_fixture_setup (&keep, KT_SANDBOX_SCALE_DEMO, 0, 0);
  rate_limit = kt_account_get_rate_limit (keep.account);
  g_object_get (keep.sandbox, "page-size", &page_size, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (keep.sandbox, "customers"), >, 3 * page_size);

  window = g_object_new (KT_TYPE_WINDOW, "client", keep.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, keep.account);
  view = kt_window_show_resource (window, "customers");
  rows = g_object_ref (kt_resource_view_get_row_model (view));
  cancel_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "cancel_button"));
  load_all_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "load_all_button"));
  count_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "count_label"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  g_assert_true (kt_sandbox_add_fault (keep.sandbox, "slow", &error));
  g_assert_no_error (error);
  kt_resource_view_load_all (view);
  second_page = (PageWatch) { &keep, view, page_size };
  g_assert_true (browse_wait_until (page_was_served, &second_page, 20));

  /* Cancel lets the page on the wire arrive, and the footer explains why. */
  g_assert_true (gtk_widget_get_visible (cancel_button));
  g_signal_emit_by_name (cancel_button, "clicked");
  g_assert_true (kt_resource_view_get_loading (view));
  g_assert_false (gtk_widget_get_visible (cancel_button));
  footer = g_strdup (gtk_label_get_label (GTK_LABEL (footer_label (view, "progress_detail_label"))));
  g_assert_nonnull (strstr (footer, "stopping after the page already requested"));

  g_assert_true (browse_wait_until (view_is_idle, view, 20));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 2 * page_size);
  g_assert_cmpuint (page_served (&keep, view, page_size), ==, 1);
  g_assert_cmpuint (page_served (&keep, view, 2 * page_size), ==, 0);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
  g_assert_false (kt_resource_view_get_complete (view));
  g_assert_true (gtk_widget_get_sensitive (load_all_button));
  g_free (footer);
  footer = g_strdup (gtk_label_get_label (count_label));
  g_assert_nonnull (strstr (footer, "more on the server"));

  /* Closing the window still cancels the page on the wire: its rows
   * never arrive. */
  kt_resource_view_load_all (view);
  third_page = (PageWatch) { &keep, view, 2 * page_size };
  g_assert_true (browse_wait_until (page_was_served, &third_page, 20));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (browse_wait_until (no_request_in_flight, rate_limit, 20));
  browse_spin (2500);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 2 * page_size);

  browse_fixture_teardown (&keep);
}

/* A page that stays unreadable ends Load All with a short message that
 * names the page and states that Load All, not Reload, resumes there. The
 * parser's message is only in the tooltip, and the footer stays on one
 * line. */
static void
test_failed_page_footer (void)
{
  g_autofree char *footer = NULL;
  const char *tooltip;
  BrowseFixture broken = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  KtWindow *window;
  KtResourceView *view;
  GtkLabel *count_label;
  guint page_size;

  browse_fixture_setup (&broken, KT_SANDBOX_SCALE_DEMO, 0, 0);
  g_object_get (broken.sandbox, "page-size", &page_size, NULL);

  window = g_object_new (KT_TYPE_WINDOW, "client", broken.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, broken.account);
  view = kt_window_show_resource (window, "customers");
  count_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "count_label"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  g_assert_true (kt_sandbox_add_fault (broken.sandbox, "truncated-json", &error));
  g_assert_no_error (error);
  kt_resource_view_load_all (view);
  g_assert_true (browse_wait_until (view_is_idle, view, 60));
  browse_spin (200);

  footer = g_strdup (gtk_label_get_label (count_label));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, page_size);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
  g_assert_nonnull (strstr (footer, "Page 2 of customers could not be read after 3 tries."));
  g_assert_nonnull (strstr (footer, "Load All resumes from page 2."));
  g_assert_null (strstr (footer, "Reload"));
  g_assert_null (strstr (footer, "Parse error"));
  g_assert_null (strchr (footer, '\n'));
  g_assert_false (gtk_label_get_wrap (count_label));
  g_assert_cmpint (gtk_label_get_ellipsize (count_label), ==, PANGO_ELLIPSIZE_END);

  tooltip = kt_resource_view_get_footer_text (view);
  g_assert_nonnull (strstr (tooltip, "Load All resumes from page 2."));
  g_assert_nonnull (strstr (tooltip, "GET "));
  g_assert_nonnull (strstr (tooltip, "page=2"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-meter-failed-page");

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&broken);
}

/* Load All pressed while a cancelled scroll load still waits for its
 * page starts once that page arrives, and loads every page once. */
static void
test_load_all_after_cancel (void)
{
  BrowseFixture keep = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(KtRowModel) rows = NULL;
  KtWindow *window;
  KtResourceView *view;
  PageWatch second_page;
  guint page_size;
  guint n_rows;

  browse_fixture_setup (&keep, KT_SANDBOX_SCALE_DEMO, 0, 0);
  g_object_get (keep.sandbox, "page-size", &page_size, NULL);
  n_rows = kt_sandbox_count_rows (keep.sandbox, "products");
  g_assert_cmpuint (n_rows, >, 2 * page_size);

  window = g_object_new (KT_TYPE_WINDOW, "client", keep.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, keep.account);
  view = kt_window_show_resource (window, "products");
  rows = g_object_ref (kt_resource_view_get_row_model (view));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  g_assert_true (kt_sandbox_add_fault (keep.sandbox, "slow", &error));
  g_assert_no_error (error);
  kt_resource_view_load_more (view);
  second_page = (PageWatch) { &keep, view, page_size };
  g_assert_true (browse_wait_until (page_was_served, &second_page, 20));

  kt_resource_view_cancel (view);
  g_assert_true (kt_resource_view_get_loading (view));
  kt_resource_view_load_all (view);

  g_assert_true (browse_wait_until (view_is_complete, view, 60));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, n_rows);
  for (guint offset = 0; offset < n_rows; offset += page_size)
    g_assert_cmpuint (page_served (&keep, view, offset), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&keep);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);
  browse_fixture_setup (&fixture, KT_SANDBOX_SCALE_DEMO, TEST_WINDOW_SECONDS, TEST_LIMIT);

  g_test_add_func ("/meter/redirect/counts-two", test_redirect_counts_two);
  g_test_add_func ("/meter/popover/matches-session", test_popover_matches_session);
  g_test_add_func ("/meter/headers/each-response", test_meter_follows_each_response);
  g_test_add_func ("/meter/load-all/waits-for-reset", test_load_all_waits);
  g_test_add_func ("/meter/load-all/progress-fits", test_load_all_progress_fits);
  g_test_add_func ("/meter/reset/clears-warning", test_meter_after_reset);
  g_test_add_func ("/meter/views/first-page-waiting", test_first_page_waiting);
  g_test_add_func ("/meter/views/left-views-send-nothing", test_left_views_send_nothing);
  g_test_add_func ("/meter/views/left-view-keeps-sent-page", test_left_view_keeps_sent_page);
  g_test_add_func ("/meter/views/cancel-keeps-sent-page", test_cancel_keeps_sent_page);
  g_test_add_func ("/meter/views/load-all-after-cancel", test_load_all_after_cancel);
  g_test_add_func ("/meter/load-all/failed-page-footer", test_failed_page_footer);

  status = g_test_run ();
  browse_fixture_teardown (&fixture);

  return status;
}
