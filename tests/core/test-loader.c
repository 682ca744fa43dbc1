#include "config.h"

#include <string.h>

#include "core/kt-catalogue.h"
#include "core/kt-error.h"
#include "core/kt-exchange.h"
#include "core/kt-loader.h"
#include "core/kt-lookup.h"
#include "core-test.h"

/* ---- a small paging server for the forms the sandbox does not use alone ---- */

#define SERVED_ROWS 57
#define SERVED_PAGE 25

typedef struct
{
  SoupServer *server;
  char *base;
  GHashTable *hits;   /* request key → count */
} Pager;

static void
append_rows (GString *body,
             guint    first,
             guint    last)
{
  guint i;

  g_string_append_c (body, '[');
  for (i = first; i < last; i++)
    g_string_append_printf (body, "%s{\"id\":%u,\"name\":\"Tax %u\",\"rate\":0.1}",
                            i == first ? "" : ",", 1000 + i, i);
  g_string_append_c (body, ']');
}

static void
on_pager_request_cb (SoupServer        *server,
                     SoupServerMessage *message,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  Pager *pager = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (message);
  const char *x_page = soup_message_headers_get_one (request_headers, "X-Page");
  const char *page = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
  const char *start = query != NULL ? g_hash_table_lookup (query, "start") : NULL;
  g_autofree char *key = g_strdup_printf ("%s x=%s page=%s start=%s", path, x_page, page, start);
  GString *body = g_string_new (NULL);
  guint first = 0;

  g_hash_table_replace (pager->hits, g_strdup (key),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (pager->hits, key)) + 1));

  if (g_str_has_suffix (path, "/pages.json"))
    {
      first = x_page != NULL ? (guint) g_ascii_strtoull (x_page, NULL, 10) * SERVED_PAGE : 0;
      soup_message_headers_replace (response_headers, "X-Pages", "3");
      if (x_page != NULL)
        soup_message_headers_replace (response_headers, "X-Page", x_page);
    }
  else if (g_str_has_suffix (path, "/query.json"))
    first = page != NULL ? ((guint) g_ascii_strtoull (page, NULL, 10) - 1) * SERVED_PAGE : 0;
  else if (g_str_has_suffix (path, "/start.json"))
    {
      guint64 last_id = start != NULL ? g_ascii_strtoull (start, NULL, 10) : 0;

      first = last_id >= 1000 ? (guint) (last_id - 1000 + 1) : 0;
    }
  else if (g_str_has_suffix (path, "/same.json"))
    first = 0;
  else if (g_str_has_suffix (path, "/cycle.json"))
    {
      /* The second page links back to the first. */
      g_autofree char *next = NULL;

      first = page != NULL ? SERVED_PAGE : 0;
      next = g_strconcat (pager->base, "companies/1/cycle.json", page != NULL ? "" : "?page=2", NULL);
      soup_message_headers_replace (response_headers, "X-Next-Page", next);
    }
  else if (g_str_has_suffix (path, "/exact.json"))
    {
      /* Two full pages and then an empty one. */
      first = page != NULL ? ((guint) g_ascii_strtoull (page, NULL, 10) - 1) * SERVED_PAGE : 0;
      if (first >= 2 * SERVED_PAGE)
        first = SERVED_ROWS;
    }

  append_rows (body, MIN (first, SERVED_ROWS), MIN (first + SERVED_PAGE, SERVED_ROWS));
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_TAKE,
                                    body->str, body->len);
  g_string_free (body, FALSE);
}

static Pager *
pager_new (void)
{
  g_autoptr(GError) error = NULL;
  Pager *pager = g_new0 (Pager, 1);
  GSList *uris;

  pager->server = soup_server_new (NULL, NULL);
  pager->hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  soup_server_add_handler (pager->server, NULL, on_pager_request_cb, pager, NULL);
  g_assert_true (soup_server_listen_local (pager->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (pager->server);
  pager->base = g_strconcat (g_uri_to_string (uris->data), "v1/", NULL);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return pager;
}

static void
pager_free (Pager *pager)
{
  soup_server_disconnect (pager->server);
  g_object_unref (pager->server);
  g_hash_table_unref (pager->hits);
  g_free (pager->base);
  g_free (pager);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pager, pager_free)

static KtAccount *
pager_account (Pager *pager)
{
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();

  config->client_id = g_strdup ("id");
  config->client_secret = g_strdup ("secret");
  config->api_uri = g_strdup (pager->base);
  return kt_account_new (KT_AUTH_KIND_BASIC, config);
}

static gboolean
load_all (KtLoader  *loader,
          GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_loader_load_all_async (loader, NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  return kt_loader_load_all_finish (loader, result, error);
}

static void
assert_ascending_ids (KtRowModel *model)
{
  GListModel *list = G_LIST_MODEL (model);
  gint64 previous = G_MININT64;
  guint i;

  for (i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (list, i);

      g_assert_cmpint (kt_row_get_id (row), >, previous);
      previous = kt_row_get_id (row);
    }
}

static guint
max_hits (Pager *pager)
{
  GHashTableIter iter;
  gpointer value;
  guint max = 0;

  g_hash_table_iter_init (&iter, pager->hits);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    max = MAX (max, GPOINTER_TO_UINT (value));
  return max;
}

static void
check_pager_mode (const char *path,
                  guint       expected_rows,
                  guint       expected_pages)
{
  g_autoptr(Pager) pager = pager_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = pager_account (pager);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("taxes"));
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GError) error = NULL;
  guint pages = 0;

  g_assert_true (load_all (loader, &error));
  g_assert_no_error (error);

  g_object_get (loader, "pages-loaded", &pages, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected_rows);
  g_assert_cmpuint (pages, ==, expected_pages);
  g_assert_false (kt_loader_get_has_more (loader));
  g_assert_cmpuint (max_hits (pager), ==, 1);
  assert_ascending_ids (model);
}

static void
test_page_count (void)
{
  check_pager_mode ("companies/1/pages.json", SERVED_ROWS, 3);
}

static void
test_page_query (void)
{
  check_pager_mode ("companies/1/query.json", SERVED_ROWS, 3);
}

static void
test_start_query (void)
{
  check_pager_mode ("companies/1/start.json?start=0", SERVED_ROWS, 3);
}

static void
test_empty_last_page (void)
{
  check_pager_mode ("companies/1/exact.json", 2 * SERVED_PAGE, 3);
}

static void
test_link_cycle_stops (void)
{
  check_pager_mode ("companies/1/cycle.json", 2 * SERVED_PAGE, 2);
}

static void
test_same_page_stops (void)
{
  /* A server that ignores the page query repeats the first page: the
   * loader stops when a page adds nothing. */
  check_pager_mode ("companies/1/same.json", SERVED_PAGE, 2);
}

/* ---- against the sandbox ---- */

static void
test_next_link (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 50, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GError) error = NULL;
  guint orders = kt_sandbox_count_rows (sandbox, "orders");
  guint pages = 0;
  guint spent = 0;
  guint total = 0;

  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &first);
  kt_core_test_wait (&first);
  g_assert_true (kt_loader_load_next_finish (loader, first, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50);
  g_assert_true (kt_loader_get_has_more (loader));
  g_object_get (loader, "pages-total", &total, NULL);
  g_assert_cmpuint (total, ==, (orders + 49) / 50);

  g_assert_true (load_all (loader, &error));
  g_assert_no_error (error);
  g_object_get (loader, "pages-loaded", &pages, "requests-spent", &spent, "pages-total", &total, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, orders);
  g_assert_cmpuint (pages, ==, (orders + 49) / 50);
  g_assert_cmpuint (spent, ==, pages);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, pages);
  assert_ascending_ids (model);
}

static void
test_exchange_log_capped (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_LARGE, "page-size", 1000,
                                                         "basic-limit", 100000, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtExchange) newest = NULL;
  GListModel *log = kt_account_get_exchanges (account);
  guint64 kept = 0;
  guint n;
  guint i;

  g_assert_true (load_all (loader, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100000);

  /* 100 pages of about 210 kB: only the newest fit in the log. */
  n = g_list_model_get_n_items (log);
  g_assert_cmpuint (n, <, 100);
  g_assert_cmpuint (n, >, 10);
  for (i = 0; i < n; i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (log, i);

      kept += g_bytes_get_size (kt_exchange_get_response_body (exchange));
    }
  g_assert_cmpuint (kept, <=, 16 * 1024 * 1024);

  newest = g_list_model_get_item (log, n - 1);
  g_assert_null (strstr (kt_exchange_get_uri (newest), "start="));
  g_assert_nonnull (strstr (kt_exchange_get_uri (newest), "page=100"));
}

static void
test_estimated_seconds (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 50,
                                                         "basic-limit", 5, "rate-window", 30.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double estimate = 0;

  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  g_assert_true (kt_loader_load_next_finish (loader, result, &error));
  g_assert_no_error (error);

  /* 11 of 12 pages left and 4 requests in this window, one of them kept
   * in reserve: 3 now, 4 after the reset in about 30 s, the last 4 a
   * window later. The reset and the window length are each read up to a
   * second late. */
  g_object_get (loader, "estimated-seconds", &estimate, NULL);
  g_assert_cmpfloat (estimate, >=, 55);
  g_assert_cmpfloat (estimate, <=, 63);
}

static void
test_estimate_short_window (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 50,
                                                         "basic-limit", 5, "rate-window", 4.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  double estimate = 0;

  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  g_assert_true (kt_loader_load_next_finish (loader, result, &error));
  g_assert_no_error (error);

  /* 11 pages left with one request of each window kept in reserve: 3
   * now, then 4 in each of two more windows of about 4 s, each read up
   * to a second long. */
  g_object_get (loader, "estimated-seconds", &estimate, NULL);
  g_assert_cmpfloat (estimate, >, 0);
  g_assert_cmpfloat (estimate, <=, 12);
}

static void
on_waiting_cb (KtLoader   *loader,
               GParamSpec *pspec,
               gboolean   *ever_waiting)
{
  gboolean waiting = FALSE;

  g_object_get (loader, "waiting", &waiting, NULL);
  *ever_waiting |= waiting;
}

static void
test_waiting_own_request (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 50,
                                                         "basic-limit", 5, "rate-window", 4.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) bulk_model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtRowModel) interactive_model = kt_row_model_new (kt_catalogue_lookup ("sites"));
  g_autofree char *bulk_path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                        kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autofree char *interactive_path = kt_catalogue_build_path (kt_catalogue_lookup ("sites"),
                                                               kt_sandbox_get_company_id (sandbox),
                                                               0, NULL, NULL);
  g_autoptr(KtLoader) bulk = kt_loader_new (client, account, bulk_path, bulk_model);
  g_autoptr(KtLoader) interactive = kt_loader_new (client, account, interactive_path, interactive_model);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) bulk_result = NULL;
  g_autoptr(GAsyncResult) interactive_result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean bulk_waited = FALSE;
  gboolean interactive_waited = FALSE;
  guint i;

  g_signal_connect (bulk, "notify::waiting", G_CALLBACK (on_waiting_cb), &bulk_waited);
  g_signal_connect (interactive, "notify::waiting", G_CALLBACK (on_waiting_cb), &interactive_waited);

  /* The bulk load spends all but the reserve and is then held back. */
  kt_loader_load_all_async (bulk, cancellable, kt_core_test_store_result, &bulk_result);
  for (i = 0; i < 100 && !bulk_waited; i++)
    kt_core_test_sleep (0.02);
  g_assert_true (bulk_waited);

  /* The interactive page takes the reserve at once, so its loader never
   * waits, though another loader's request is queued. */
  g_assert_cmpuint (kt_rate_limit_get_queued (kt_account_get_rate_limit (account)), ==, 1);
  kt_loader_load_next_async (interactive, NULL, kt_core_test_store_result, &interactive_result);
  kt_core_test_wait (&interactive_result);
  g_assert_true (kt_loader_load_next_finish (interactive, interactive_result, &error));
  g_assert_no_error (error);
  g_assert_false (interactive_waited);

  g_cancellable_cancel (cancellable);
  kt_core_test_wait (&bulk_result);
  g_assert_false (kt_loader_load_all_finish (bulk, bulk_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Returns how often the sandbox served the page of @path starting at row
 * @offset. */
static guint
page_served (KtSandbox  *sandbox,
             const char *path,
             guint       offset)
{
  g_autofree char *bare = g_strndup (path, strcspn (path, "?"));
  g_autofree char *counter = g_strdup_printf ("page:/v1/%s@%u", bare, offset);

  return kt_sandbox_get_counter (sandbox, counter);
}

/* Iterates the main context until the sandbox has served the page of
 * @path at row @offset; fails the test after about 20 seconds. */
static void
wait_until_served (KtSandbox  *sandbox,
                   const char *path,
                   guint       offset)
{
  for (guint i = 0; i < 2000 && page_served (sandbox, path, offset) == 0; i++)
    kt_core_test_sleep (0.01);
  g_assert_cmpuint (page_served (sandbox, path, offset), ==, 1);
}

static void
test_stop_keeps_sent_page (void)
{
  /* Every API response is held back half a second, so the stop comes
   * while the second page is on the wire. */
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 20,
                                                         "fault-delay", 0.5, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("customers"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) stopped = NULL;
  g_autoptr(GError) error = NULL;
  guint expected_rows = kt_sandbox_count_rows (sandbox, "customers");
  guint pages_loaded = 0;
  guint offset;

  g_assert_cmpuint (expected_rows, >, 3 * 20);

  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &first);
  kt_core_test_wait (&first);
  g_assert_true (kt_loader_load_next_finish (loader, first, &error));
  g_assert_no_error (error);

  g_assert_true (kt_sandbox_add_fault (sandbox, "slow", &error));
  g_assert_no_error (error);
  kt_loader_load_all_async (loader, NULL, kt_core_test_store_result, &stopped);
  wait_until_served (sandbox, path, 20);
  kt_loader_stop (loader);

  /* The page on the wire arrives and its rows stay; no page follows. */
  kt_core_test_wait (&stopped);
  g_assert_false (kt_loader_load_all_finish (loader, stopped, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_object_get (loader, "pages-loaded", &pages_loaded, NULL);
  g_assert_cmpuint (pages_loaded, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2 * 20);
  g_assert_true (kt_loader_get_has_more (loader));
  g_assert_cmpuint (page_served (sandbox, path, 40), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 0);

  /* Loading again carries on from the third page. */
  g_assert_true (kt_sandbox_add_fault (sandbox, "slow:0", &error));
  g_assert_true (load_all (loader, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected_rows);
  assert_ascending_ids (model);
  for (offset = 0; offset < expected_rows; offset += 20)
    g_assert_cmpuint (page_served (sandbox, path, offset), ==, 1);
}

static void
test_join_running_load (void)
{
  /* Responses are held back, so the second call comes while the first
   * page is on the wire. */
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 20,
                                                         "fault-delay", 0.3, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("customers"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) next = NULL;
  g_autoptr(GAsyncResult) all = NULL;
  g_autoptr(GAsyncResult) after = NULL;
  g_autoptr(GError) error = NULL;
  guint expected_rows = kt_sandbox_count_rows (sandbox, "customers");

  g_assert_cmpuint (expected_rows, >, 3 * 20);
  g_assert_true (kt_sandbox_add_fault (sandbox, "slow", &error));
  g_assert_no_error (error);

  /* A load of every page joins the load of the first page and goes on
   * after it; both calls end with the last page. */
  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &next);
  g_assert_false (kt_loader_get_loading_all (loader));
  kt_loader_load_all_async (loader, NULL, kt_core_test_store_result, &all);
  g_assert_true (kt_loader_get_loading_all (loader));
  kt_core_test_wait (&all);
  g_assert_true (kt_loader_load_all_finish (loader, all, &error));
  g_assert_no_error (error);
  kt_core_test_wait (&next);
  g_assert_true (kt_loader_load_next_finish (loader, next, &error));
  g_assert_no_error (error);

  g_assert_false (kt_loader_get_has_more (loader));
  g_assert_false (kt_loader_get_loading_all (loader));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected_rows);
  assert_ascending_ids (model);
  for (guint offset = 0; offset < expected_rows; offset += 20)
    g_assert_cmpuint (page_served (sandbox, path, offset), ==, 1);

  /* With no page left, a call succeeds at once. */
  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &after);
  kt_core_test_wait (&after);
  g_assert_true (kt_loader_load_next_finish (loader, after, &error));
  g_assert_no_error (error);
}

static gboolean
lookup_complete (KtLookup *lookup)
{
  for (guint i = 0; i < 2000 && !kt_lookup_get_complete (lookup); i++)
    kt_core_test_sleep (0.01);

  return kt_lookup_get_complete (lookup);
}

static void
test_lookup_shares_loader (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 20, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autoptr(KtLookup) lookup = kt_lookup_new (model);
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("customers"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GError) error = NULL;
  guint expected_rows = kt_sandbox_count_rows (sandbox, "customers");
  g_autoptr(KtLoader) old_loader = NULL;
  KtLoader *loader;

  g_assert_cmpuint (expected_rows, >, 3 * 20);

  /* A list view loads the first page with the lookup's loader. */
  loader = kt_lookup_ensure_loader (lookup, client, account);
  g_assert_true (kt_lookup_ensure_loader (lookup, client, account) == loader);
  g_assert_true (kt_loader_get_model (loader) == model);
  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &first);
  kt_core_test_wait (&first);
  g_assert_true (kt_loader_load_next_finish (loader, first, &error));
  g_assert_no_error (error);
  g_assert_false (kt_lookup_get_complete (lookup));
  g_assert_false (kt_lookup_get_loading_started (lookup));

  /* The lookup goes on from the second page. */
  kt_lookup_load (lookup, client, account, NULL);
  g_assert_true (kt_lookup_get_loading_started (lookup));
  g_assert_true (lookup_complete (lookup));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected_rows);
  for (guint offset = 0; offset < expected_rows; offset += 20)
    g_assert_cmpuint (page_served (sandbox, path, offset), ==, 1);

  /* A reset empties the model and starts over with a new loader. */
  old_loader = g_object_ref (loader);
  kt_lookup_reset (lookup);
  g_assert_false (kt_lookup_get_complete (lookup));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_true (kt_lookup_ensure_loader (lookup, client, account) != old_loader);
  g_assert_true (kt_loader_get_has_more (kt_lookup_ensure_loader (lookup, client, account)));
}

/* A lookup whose caller cancelled its load loads again for a new caller. */
static void
test_lookup_new_caller_after_cancel (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 20, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autoptr(KtLookup) lookup = kt_lookup_new (model);
  g_autoptr(GCancellable) first_caller = g_cancellable_new ();
  g_autoptr(GCancellable) second_caller = g_cancellable_new ();
  guint expected_rows = kt_sandbox_count_rows (sandbox, "customers");

  kt_lookup_load (lookup, client, account, first_caller);
  g_cancellable_cancel (first_caller);
  kt_core_test_sleep (0.5);
  g_assert_false (kt_lookup_get_complete (lookup));

  kt_lookup_load (lookup, client, account, second_caller);
  g_assert_true (lookup_complete (lookup));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, expected_rows);
}

static void
test_stop_drops_queued_page (void)
{
  /* Two requests per three-second window: once they are spent, the page
   * request waits in the rate-limit queue. */
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "page-size", 20,
                                                         "basic-limit", 2, "rate-window", 3.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("customers"),
                                                   kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);
  g_autofree char *company_path = g_strdup_printf ("companies/%" G_GINT64_FORMAT ".json",
                                                   kt_sandbox_get_company_id (sandbox));
  g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
  g_autoptr(GAsyncResult) dropped = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GError) error = NULL;
  gboolean waiting = FALSE;
  guint api_requests;

  while (!kt_rate_limit_get_known (rate_limit) || kt_rate_limit_get_remaining (rate_limit) > 0)
    {
      g_autoptr(KtResponse) response = kt_core_test_get (client, account, company_path, &error);

      g_assert_no_error (error);
      g_assert_nonnull (response);
    }

  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &dropped);
  for (guint i = 0; i < 200 && !waiting; i++)
    {
      kt_core_test_sleep (0.01);
      g_object_get (loader, "waiting", &waiting, NULL);
    }
  g_assert_true (waiting);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 1);

  api_requests = kt_sandbox_get_counter (sandbox, "api");
  kt_loader_stop (loader);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 0);

  kt_core_test_wait (&dropped);
  g_assert_false (kt_loader_load_next_finish (loader, dropped, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Past the reset, the dropped request is still not sent. */
  kt_core_test_sleep (4.5);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, api_requests);
  g_assert_cmpuint (page_served (sandbox, path, 0), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 0);

  /* Loading again requests the page once. */
  kt_loader_load_next_async (loader, NULL, kt_core_test_store_result, &again);
  kt_core_test_wait (&again);
  g_assert_true (kt_loader_load_next_finish (loader, again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (page_served (sandbox, path, 0), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 20);
}

static void
test_every_resource (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  const char *counted[] = { "sites", "products", "categories", "customers", "orders", "staff",
                            "registers", "price_lists", "taxes", "payment_methods" };
  gint64 site_id = 0;
  guint n = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n);

  for (guint i = 0; i < n; i++)
    {
      const KtResource *resource = &resources[i];
      g_autoptr(KtRowModel) model = kt_row_model_new (resource);
      g_autofree char *path = kt_catalogue_build_path (resource, kt_sandbox_get_company_id (sandbox),
                                                       site_id, "2024-03-01", NULL);
      g_autoptr(KtLoader) loader = kt_loader_new (client, account, path, model);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtRow) first = NULL;

      if (g_str_equal (resource->id, "shifts"))
        {
          g_free (path);
          path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/shifts.json",
                                  kt_sandbox_get_company_id (sandbox));
          g_clear_object (&loader);
          loader = kt_loader_new (client, account, path, model);
        }

      g_test_message ("resource %s at %s", resource->id, path);
      g_assert_true (load_all (loader, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >, 0);

      first = g_list_model_get_item (G_LIST_MODEL (model), 0);
      g_assert_nonnull (kt_row_get_value (first, 0));
      g_assert_nonnull (kt_row_get_value (first, 1));
      if (g_str_equal (resource->id, "sites"))
        site_id = kt_row_get_id (first);

      for (guint j = 0; j < G_N_ELEMENTS (counted); j++)
        {
          if (g_str_equal (counted[j], resource->id))
            g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==,
                              kt_sandbox_count_rows (sandbox, resource->id));
        }
    }
  g_assert_cmpint (site_id, !=, 0);
}

/* Fetches every page of @path straight from the sandbox and stores each
 * row's parsed JSON in @rows by id. */
static void
fetch_server_rows (KtClient   *client,
                   KtAccount  *account,
                   const char *path,
                   GHashTable *rows)
{
  guint n_pages = 1;

  for (guint page = 1; page <= n_pages; page++)
    {
      g_autofree char *page_path = g_strdup_printf ("%s%cpage=%u", path,
                                                    strchr (path, '?') != NULL ? '&' : '?', page);
      g_autoptr(GError) error = NULL;
      g_autoptr(KtResponse) response = kt_core_test_get (client, account, page_path, &error);
      g_autoptr(JsonNode) root = NULL;
      const char *pages_text;
      JsonArray *array;

      g_assert_no_error (error);
      g_assert_cmpuint (kt_response_get_status (response), ==, 200);
      root = kt_response_parse_json (response, &error);
      g_assert_no_error (error);

      /* A single object, such as the company, has no pages. */
      if (JSON_NODE_HOLDS_OBJECT (root))
        {
          gint64 id = json_object_get_int_member (json_node_get_object (root), "id");

          g_hash_table_insert (rows, g_memdup2 (&id, sizeof id), json_node_copy (root));
          break;
        }

      pages_text = soup_message_headers_get_one (kt_response_get_headers (response), "X-Pages");
      g_assert_nonnull (pages_text);
      n_pages = (guint) g_ascii_strtoull (pages_text, NULL, 10);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

      array = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          gint64 id = json_object_get_int_member (json_node_get_object (element), "id");

          g_hash_table_insert (rows, g_memdup2 (&id, sizeof id), json_node_copy (element));
        }
    }
}

/* Every stored row of every resource turns back into the JSON the sandbox
 * sent. Inventory names its "id" member in two columns, which once made
 * the stored JSON end in ",}". */
static void
test_rows_round_trip (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_DEMO,
                                                           "page-size", 1000,
                                                           "bearer-limit", 10000,
                                                           "basic-limit", 10000,
                                                           NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  gint64 company_id = kt_sandbox_get_company_id (sandbox);
  gint64 site_id = 0;
  guint n = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n);

  for (guint i = 0; i < n; i++)
    {
      const KtResource *resource = &resources[i];
      g_autoptr(KtRowModel) model = kt_row_model_new (resource);
      g_autofree char *path = NULL;
      g_autoptr(KtLoader) loader = NULL;
      g_autoptr(GHashTable) server_rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                                (GDestroyNotify) json_node_unref);
      g_autoptr(GError) error = NULL;
      GListModel *list = G_LIST_MODEL (model);

      /* Every shift, not only one day's, so the list is not empty. */
      if (g_str_equal (resource->id, "shifts"))
        path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/shifts.json", company_id);
      else
        path = kt_catalogue_build_path (resource, company_id, site_id, "2024-03-01", NULL);
      loader = kt_loader_new (client, account, path, model);

      g_test_message ("resource %s at %s", resource->id, path);
      g_assert_true (load_all (loader, &error));
      g_assert_no_error (error);
      fetch_server_rows (client, account, path, server_rows);
      g_assert_cmpuint (g_list_model_get_n_items (list), >, 0);
      g_assert_cmpuint (g_list_model_get_n_items (list), ==, g_hash_table_size (server_rows));

      for (guint j = 0; j < g_list_model_get_n_items (list); j++)
        {
          g_autoptr(KtRow) row = g_list_model_get_item (list, j);
          g_autofree char *json = kt_row_dup_json (row);
          g_autoptr(JsonParser) parser = json_parser_new ();
          gint64 id = kt_row_get_id (row);
          JsonNode *sent = g_hash_table_lookup (server_rows, &id);

          if (!json_parser_load_from_data (parser, json, -1, &error))
            g_error ("Row %" G_GINT64_FORMAT " of %s is not JSON: %s: %s",
                     id, resource->id, error->message, json);
          g_assert_nonnull (sent);
          if (!json_node_equal (json_parser_get_root (parser), sent))
            {
              g_autofree char *sent_text = json_to_string (sent, FALSE);

              g_error ("Row %" G_GINT64_FORMAT " of %s is stored as %s, sent as %s",
                       id, resource->id, json, sent_text);
            }
        }

      if (g_str_equal (resource->id, "sites"))
        {
          g_autoptr(KtRow) first = g_list_model_get_item (list, 0);

          site_id = kt_row_get_id (first);
        }
    }
  g_assert_cmpint (site_id, !=, 0);
}

static void
check_fault (const char *fault,
             KtAuthKind  kind)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint orders;
  guint attempts;

  /* A bare 429 means the window is spent, so the client waits for its
   * reset: keep the window short. */
  g_object_set (sandbox, "scale", KT_SANDBOX_SCALE_SMALL, "page-size", 60, "fault-delay", 0.2,
                "rate-window", 2.0, NULL);
  g_assert_true (kt_sandbox_start (sandbox, 0, &error));

  if (kind == KT_AUTH_KIND_OAUTH)
    account = kt_core_test_sign_in (sandbox, client);
  else
    account = kt_core_test_basic_account (sandbox);

  /* Faults start after signing in, so they strike the list requests. */
  g_assert_true (kt_sandbox_add_fault (sandbox, fault, &error));
  g_assert_no_error (error);

  path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"), kt_sandbox_get_company_id (sandbox),
                                  0, NULL, NULL);
  loader = kt_loader_new (client, account, path, model);
  orders = kt_sandbox_count_rows (sandbox, "orders");

  /* A fault that outlasts the retries is reported; loading again goes on
   * from the page that failed. */
  for (attempts = 0; attempts < 5; attempts++)
    {
      g_clear_error (&error);
      if (load_all (loader, &error))
        break;

      g_test_message ("fault %s reported: %s", fault, error->message);
      g_assert_true (error->domain == KT_ERROR);
      g_assert_nonnull (strstr (error->message, "127.0.0.1"));
      assert_ascending_ids (model);
    }

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, orders);
  assert_ascending_ids (model);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==,
                    kt_sandbox_get_counter (sandbox, "fault:bare-429"));
}

static void
test_fault_server_error (void)
{
  check_fault ("server-error:0.3", KT_AUTH_KIND_BASIC);
}

static void
test_fault_drop_connection (void)
{
  check_fault ("drop-connection:0.3", KT_AUTH_KIND_BASIC);
}

static void
test_fault_slow (void)
{
  check_fault ("slow:0.3", KT_AUTH_KIND_BASIC);
}

static void
test_fault_truncated_json (void)
{
  check_fault ("truncated-json:0.3", KT_AUTH_KIND_BASIC);
}

static void
test_fault_malformed_json (void)
{
  check_fault ("malformed-json:0.3", KT_AUTH_KIND_BASIC);
}

static void
test_fault_bare_429 (void)
{
  check_fault ("bare-429:0.2", KT_AUTH_KIND_BASIC);
}

static void
test_fault_lowercase_headers (void)
{
  check_fault ("lowercase-headers:1", KT_AUTH_KIND_BASIC);
}

static void
test_fault_early_expiry (void)
{
  check_fault ("early-expiry:0.2", KT_AUTH_KIND_OAUTH);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loader/page-count", test_page_count);
  g_test_add_func ("/loader/page-query", test_page_query);
  g_test_add_func ("/loader/start-query", test_start_query);
  g_test_add_func ("/loader/empty-last-page", test_empty_last_page);
  g_test_add_func ("/loader/same-page-stops", test_same_page_stops);
  g_test_add_func ("/loader/link-cycle-stops", test_link_cycle_stops);
  g_test_add_func ("/loader/next-link", test_next_link);
  g_test_add_func ("/loader/exchange-log-capped", test_exchange_log_capped);
  g_test_add_func ("/loader/estimated-seconds", test_estimated_seconds);
  g_test_add_func ("/loader/estimate-short-window", test_estimate_short_window);
  g_test_add_func ("/loader/waiting-own-request", test_waiting_own_request);
  g_test_add_func ("/loader/join/running-load", test_join_running_load);
  g_test_add_func ("/loader/lookup/shares-loader", test_lookup_shares_loader);
  g_test_add_func ("/loader/lookup/new-caller-after-cancel", test_lookup_new_caller_after_cancel);
  g_test_add_func ("/loader/stop/keeps-sent-page", test_stop_keeps_sent_page);
  g_test_add_func ("/loader/stop/drops-queued-page", test_stop_drops_queued_page);
  g_test_add_func ("/loader/every-resource", test_every_resource);
  g_test_add_func ("/loader/rows-round-trip", test_rows_round_trip);
  g_test_add_func ("/loader/fault-server-error", test_fault_server_error);
  g_test_add_func ("/loader/fault-drop-connection", test_fault_drop_connection);
  g_test_add_func ("/loader/fault-slow", test_fault_slow);
  g_test_add_func ("/loader/fault-truncated-json", test_fault_truncated_json);
  g_test_add_func ("/loader/fault-malformed-json", test_fault_malformed_json);
  g_test_add_func ("/loader/fault-bare-429", test_fault_bare_429);
  g_test_add_func ("/loader/fault-lowercase-headers", test_fault_lowercase_headers);
  g_test_add_func ("/loader/fault-early-expiry", test_fault_early_expiry);

  return g_test_run ();
}
