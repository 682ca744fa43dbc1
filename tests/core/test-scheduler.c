#include "config.h"

#include <string.h>

#include "core/kt-catalogue.h"
#include "core/kt-exchange.h"
#include "core/kt-loader.h"
#include "core-test.h"

typedef struct
{
  KtLoader *loader;
  KtRowModel *model;
  GAsyncResult *result;
} Load;

static void
load_start (Load       *load,
            KtSandbox  *sandbox,
            KtClient   *client,
            KtAccount  *account,
            const char *resource_id)
{
  const KtResource *resource = kt_catalogue_lookup (resource_id);
  g_autofree char *path = kt_catalogue_build_path (resource, kt_sandbox_get_company_id (sandbox),
                                                   0, NULL, NULL);

  load->model = kt_row_model_new (resource);
  load->loader = kt_loader_new (client, account, path, load->model);
  load->result = NULL;
  kt_loader_load_all_async (load->loader, NULL, kt_core_test_store_result, &load->result);
}

static void
load_finish (Load       *load,
             KtSandbox  *sandbox,
             const char *resource_id)
{
  g_autoptr(GError) error = NULL;

  kt_core_test_wait (&load->result);
  g_assert_true (kt_loader_load_all_finish (load->loader, load->result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (load->model)), ==,
                    kt_sandbox_count_rows (sandbox, resource_id));

  g_clear_object (&load->result);
  g_clear_object (&load->loader);
  g_clear_object (&load->model);
}

static void
on_waiting_cb (KtLoader   *loader,
               GParamSpec *pspec,
               guint      *waited)
{
  gboolean waiting = FALSE;

  g_object_get (loader, "waiting", &waiting, NULL);
  if (waiting)
    (*waited)++;
}

static void
test_bulk_and_interactive (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL,
                                                         "rate-window", 5.0, "basic-limit", 30,
                                                         "page-size", 20, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/taxes.json",
                                           kt_sandbox_get_company_id (sandbox));
  const char *resources[] = { "orders", "customers", "products" };
  Load loads[3];
  guint waited = 0;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      load_start (&loads[i], sandbox, client, account, resources[i]);
      g_signal_connect (loads[i].loader, "notify::waiting", G_CALLBACK (on_waiting_cb), &waited);
    }

  /* Interactive requests while the three lists load. */
  for (i = 0; i < 8; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtResponse) response = NULL;

      kt_core_test_sleep (0.4);
      response = kt_core_test_get (client, account, path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kt_response_get_status (response), ==, 200);
    }

  for (i = 0; i < G_N_ELEMENTS (loads); i++)
    load_finish (&loads[i], sandbox, resources[i]);

  /* 48 requests at 30 a window: the loads had to wait and reported it
   * through their "waiting" property. */
  g_assert_cmpuint (waited, >, 0);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 0);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), >, 30);
}

typedef struct
{
  KtSandboxResetForm reset_form;
  KtSandboxLimitBody limit_body;
  gboolean retry_after;
} Forms;

/* Spends what is left of the Basic credential's window behind the
 * client's back, with plain requests. */
static void
spend_window (KtSandbox *sandbox,
              guint      count)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *pair = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (sandbox),
                                           kt_sandbox_get_client_secret (sandbox));
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *authorization = g_strconcat ("Basic ", encoded, NULL);
  g_autofree char *uri = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/taxes.json",
                                          kt_sandbox_get_api_uri (sandbox),
                                          kt_sandbox_get_company_id (sandbox));

  for (guint i = 0; i < count; i++)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);
      g_autoptr(GBytes) body = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
      body = soup_session_send_and_read (session, message, NULL, NULL);
      g_assert_nonnull (body);
    }
}

static void
check_forms (gconstpointer data)
{
  const Forms *forms = data;
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL,
                                                         "rate-window", 2.0, "basic-limit", 6,
                                                         "page-size", 100,
                                                         "reset-form", forms->reset_form,
                                                         "limit-body", forms->limit_body,
                                                         "retry-after", forms->retry_after,
                                                         "log-requests", g_getenv ("KT_LOG") != NULL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(GAsyncResult) first_page = NULL;
  g_autoptr(GError) error = NULL;
  Load load;

  /* Every request goes through the one budget, so no 429 comes back. */
  load_start (&load, sandbox, client, account, "orders");
  load_finish (&load, sandbox, "orders");
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 0);

  /* Requests the budget cannot know of: the next one is answered 429 in
   * the configured form, and the load waits for the reset it names. */
  kt_core_test_sleep (2.5);
  load.model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  {
    g_autofree char *path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"),
                                                     kt_sandbox_get_company_id (sandbox), 0, NULL, NULL);

    load.loader = kt_loader_new (client, account, path, load.model);
  }
  kt_loader_load_next_async (load.loader, NULL, kt_core_test_store_result, &first_page);
  kt_core_test_wait (&first_page);
  g_assert_true (kt_loader_load_next_finish (load.loader, first_page, &error));
  g_assert_no_error (error);

  spend_window (sandbox, 6);
  load.result = NULL;
  kt_loader_load_all_async (load.loader, NULL, kt_core_test_store_result, &load.result);
  load_finish (&load, sandbox, "orders");
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), >, 0);
}

typedef struct
{
  KtAuthKind auth_kind;
  KtSandboxResetForm reset_form;
} ReserveCase;

static void
on_exchange_recorded_cb (KtClient   *client,
                         KtExchange *exchange,
                         GPtrArray  *exchanges)
{
  g_ptr_array_add (exchanges, g_object_ref (exchange));
}

/* Returns the X-Ratelimit-Remaining value of @exchange's response. */
static guint
exchange_remaining (KtExchange *exchange)
{
  const char * const *headers = kt_exchange_get_response_headers (exchange);

  for (guint i = 0; headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      if (g_ascii_strcasecmp (headers[i], "X-Ratelimit-Remaining") == 0)
        return (guint) g_ascii_strtoull (headers[i + 1], NULL, 10);
    }

  g_error ("%s has no X-Ratelimit-Remaining header", kt_exchange_get_uri (exchange));
}

/* Checks the bulk requests among @exchanges from @first on: every one
 * got 200 and left the reserve in the window. */
static void
assert_bulk_kept_reserve (GPtrArray *exchanges,
                          guint      first,
                          guint      reserve)
{
  guint n_bulk = 0;

  for (guint i = first; i < exchanges->len; i++)
    {
      KtExchange *exchange = g_ptr_array_index (exchanges, i);

      if (strstr (kt_exchange_get_uri (exchange), "/orders.json") == NULL)
        continue;

      n_bulk++;
      g_test_message ("bulk %s: %u, remaining %u", kt_exchange_get_uri (exchange),
                      kt_exchange_get_status (exchange), exchange_remaining (exchange));
      g_assert_cmpuint (kt_exchange_get_status (exchange), ==, 200);
      g_assert_cmpuint (exchange_remaining (exchange), >=, reserve);
    }
  g_assert_cmpuint (n_bulk, >, 0);
}

/* Bulk loads leave the reserve to interactive requests for the whole
 * window, as the rate meter promises, and interactive requests can still
 * spend it. */
static void
check_reserve (gconstpointer data)
{
  const ReserveCase *test_case = data;
  guint limit = 20;
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GPtrArray) exchanges = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtLoader) loader = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *orders_path = NULL;
  g_autofree char *sites_path = NULL;
  KtRateLimit *rate_limit;
  guint reserve = 0;
  guint first_interactive;
  guint i;

  /* 25 pages of orders, more than a window leaves to bulk loads: a load
   * of them waits for the second window with the reserve unspent. */
  g_object_set (sandbox, "scale", KT_SANDBOX_SCALE_SMALL, "seed", (guint64) 7,
                "rate-window", 4.0, "basic-limit", limit, "bearer-limit", limit,
                "reset-form", test_case->reset_form, NULL);
  g_object_set (sandbox, "page-size", (kt_sandbox_count_rows (sandbox, "orders") + 24) / 25, NULL);
  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);

  if (test_case->auth_kind == KT_AUTH_KIND_OAUTH)
    account = kt_core_test_sign_in (sandbox, client);
  else
    account = kt_core_test_basic_account (sandbox);
  rate_limit = kt_account_get_rate_limit (account);
  sites_path = kt_catalogue_build_path (kt_catalogue_lookup ("sites"), kt_sandbox_get_company_id (sandbox),
                                        0, NULL, NULL);
  {
    g_autoptr(KtResponse) response = kt_core_test_get (client, account, sites_path, &error);

    g_assert_no_error (error);
  }

  /* A tenth of the sandbox's limit, once a response has reported it. */
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, limit);
  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 2);
  g_signal_connect (client, "exchange-recorded", G_CALLBACK (on_exchange_recorded_cb), exchanges);

  orders_path = kt_catalogue_build_path (kt_catalogue_lookup ("orders"), kt_sandbox_get_company_id (sandbox),
                                         0, NULL, NULL);

  loader = kt_loader_new (client, account, orders_path, model);
  kt_loader_load_all_async (loader, NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  g_assert_true (kt_loader_load_all_finish (loader, result, &error));
  g_assert_no_error (error);
  assert_bulk_kept_reserve (exchanges, 0, reserve);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 0);

  /* Another bulk load spends the rest of the window down to the reserve
   * and is held; interactive requests then take the reserve at once. */
  g_clear_object (&result);
  g_clear_object (&loader);
  g_clear_object (&model);
  model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  loader = kt_loader_new (client, account, orders_path, model);
  kt_loader_load_all_async (loader, cancellable, kt_core_test_store_result, &result);
  for (i = 0; i < 500; i++)
    {
      if (kt_rate_limit_get_queued (rate_limit) > 0 && kt_rate_limit_get_in_flight (rate_limit) == 0
          && kt_rate_limit_get_remaining (rate_limit) <= reserve)
        break;
      kt_core_test_sleep (0.01);
    }
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 1);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, reserve);

  first_interactive = exchanges->len;
  for (i = 0; i < reserve; i++)
    {
      g_autoptr(KtResponse) response = kt_core_test_get (client, account, sites_path, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (kt_response_get_status (response), ==, 200);
    }
  g_assert_cmpuint (exchanges->len, ==, first_interactive + reserve);
  g_assert_cmpuint (exchange_remaining (g_ptr_array_index (exchanges, exchanges->len - 1)), <, reserve);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 0);

  g_cancellable_cancel (cancellable);
  kt_core_test_wait (&result);
  g_assert_false (kt_loader_load_all_finish (loader, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  assert_bulk_kept_reserve (exchanges, 0, reserve);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  static const Forms seconds_json = { KT_SANDBOX_RESET_SECONDS_LEFT, KT_SANDBOX_LIMIT_BODY_JSON, FALSE };
  static const Forms unix_text = { KT_SANDBOX_RESET_UNIX_TIME, KT_SANDBOX_LIMIT_BODY_TEXT, FALSE };
  static const Forms seconds_text_retry = { KT_SANDBOX_RESET_SECONDS_LEFT, KT_SANDBOX_LIMIT_BODY_TEXT, TRUE };
  static const Forms unix_json_retry = { KT_SANDBOX_RESET_UNIX_TIME, KT_SANDBOX_LIMIT_BODY_JSON, TRUE };

  static const ReserveCase basic_seconds = { KT_AUTH_KIND_BASIC, KT_SANDBOX_RESET_SECONDS_LEFT };
  static const ReserveCase basic_unix = { KT_AUTH_KIND_BASIC, KT_SANDBOX_RESET_UNIX_TIME };
  static const ReserveCase oauth_unix = { KT_AUTH_KIND_OAUTH, KT_SANDBOX_RESET_UNIX_TIME };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scheduler/bulk-and-interactive", test_bulk_and_interactive);
  g_test_add_data_func ("/scheduler/seconds-json", &seconds_json, check_forms);
  g_test_add_data_func ("/scheduler/unix-text", &unix_text, check_forms);
  g_test_add_data_func ("/scheduler/seconds-text-retry-after", &seconds_text_retry, check_forms);
  g_test_add_data_func ("/scheduler/unix-json-retry-after", &unix_json_retry, check_forms);
  g_test_add_data_func ("/scheduler/reserve/basic-seconds", &basic_seconds, check_reserve);
  g_test_add_data_func ("/scheduler/reserve/basic-unix", &basic_unix, check_reserve);
  g_test_add_data_func ("/scheduler/reserve/oauth-unix", &oauth_unix, check_reserve);

  return g_test_run ();
}
