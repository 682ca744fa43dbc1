#include "config.h"

#include <string.h>

#include "core/kt-error.h"
#include "core/kt-exchange.h"
#include "core-test.h"

static KtToken *
exchange_code (KtClient            *client,
               const KtOAuthConfig *config,
               const char          *code,
               GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_client_exchange_code_async (client, config, code, NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  return kt_client_exchange_code_finish (client, result, error);
}

static void
on_sign_in_required_cb (KtAccount    *account,
                        const GError *error,
                        guint        *count)
{
  (*count)++;
}

static void
test_oauth_flow (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  const KtToken *token = kt_account_get_token (account);

  g_assert_nonnull (token);
  g_assert_nonnull (token->access_token);
  g_assert_nonnull (token->refresh_token);
  g_assert_cmpint (kt_account_get_company_id (account), ==, kt_sandbox_get_company_id (sandbox));
  g_assert_cmpstr (kt_account_get_company_name (account), ==, kt_sandbox_get_company_name (sandbox));
  g_assert_nonnull (kt_account_get_currency (account));
  g_assert_nonnull (kt_account_get_timezone (account));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 1);
}

static void
test_access_denied (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = kt_core_test_authorize (sandbox, "state-1", "deny");
  g_autoptr(KtOAuthRedirect) redirect = kt_oauth_parse_redirect (location, &error);

  g_assert_no_error (error);
  g_assert_true (kt_oauth_is_redirect (kt_sandbox_get_redirect_uri (sandbox), location));
  g_assert_false (kt_oauth_redirect_check (redirect, "state-1", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_ACCESS_DENIED);
}

static void
test_changed_state (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  g_autoptr(KtOAuthRedirect) redirect = NULL;

  g_assert_true (kt_sandbox_add_fault (sandbox, "changed-state", &error));
  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  location = kt_core_test_authorize (sandbox, "state-2", "allow");
  redirect = kt_oauth_parse_redirect (location, &error);

  g_assert_no_error (error);
  g_assert_nonnull (redirect->code);
  g_assert_false (kt_oauth_redirect_check (redirect, "state-2", &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_STATE_MISMATCH);
}

static void
test_code_once (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = kt_core_test_authorize (sandbox, "s", "allow");
  g_autoptr(KtOAuthRedirect) redirect = kt_oauth_parse_redirect (location, &error);
  g_autoptr(KtToken) first = NULL;
  g_autoptr(KtToken) second = NULL;

  first = exchange_code (client, config, redirect->code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);

  second = exchange_code (client, config, redirect->code, &error);
  g_assert_null (second);
  g_assert_error (error, KT_ERROR, KT_ERROR_CODE_ALREADY_USED);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:authorization_code"), ==, 1);
}

static void
test_invalid_client (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = kt_core_test_authorize (sandbox, "s", "allow");
  g_autoptr(KtOAuthRedirect) redirect = kt_oauth_parse_redirect (location, &error);
  g_autoptr(KtToken) token = NULL;

  g_free (config->client_secret);
  config->client_secret = g_strdup ("wrong");
  token = exchange_code (client, config, redirect->code, &error);

  g_assert_null (token);
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_CLIENT);
}

static void
test_basic_auth (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) first = NULL;
  g_autoptr(KtResponse) second = NULL;
  g_autofree char *pair = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (sandbox),
                                           kt_sandbox_get_client_secret (sandbox));
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *expected = g_strconcat ("Basic ", encoded, NULL);
  g_autofree char *header = kt_account_dup_authorization (account);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_sandbox_get_company_id (sandbox));

  g_assert_cmpstr (header, ==, expected);

  first = kt_core_test_get (client, account, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (first), ==, 200);
  second = kt_core_test_get (client, account, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (second), ==, 200);

  g_assert_cmpuint (kt_rate_limit_get_limit (kt_account_get_rate_limit (account)), ==, 60);
  g_assert_cmpuint (kt_rate_limit_get_remaining (kt_account_get_rate_limit (account)), ==, 58);
}

static void
test_api_uri_no_slash (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("/v1/companies/%" G_GINT64_FORMAT,
                                               kt_sandbox_get_company_id (sandbox));

  g_assert_true (g_str_has_suffix (config->api_uri, "/v1/"));
  config->api_uri[strlen (config->api_uri) - 1] = '\0';
  account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  response = kt_core_test_get (client, account, "companies/me", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (response), ==, 200);
  g_assert_true (g_str_has_suffix (kt_response_get_uri (response), expected));
}

static void
test_company_costs_two (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  guint api_before = kt_sandbox_get_counter (sandbox, "api");
  GListModel *exchanges = kt_account_get_exchanges (account);
  g_autoptr(KtExchange) hop = NULL;

  response = kt_core_test_get (client, account, "companies/me", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (response), ==, 200);
  g_assert_cmpuint (kt_response_get_cost (response), ==, 2);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api") - api_before, ==, 2);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 58);
  g_assert_cmpuint (g_list_model_get_n_items (exchanges), ==, 2);
  hop = g_list_model_get_item (exchanges, 0);
  g_assert_cmpuint (kt_exchange_get_status (hop), ==, 302);
}

static void
test_refresh_on_expiry (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "token-lifetime", 2.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *old_token = g_strdup (kt_account_get_token (account)->access_token);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/taxes.json",
                                           kt_account_get_company_id (account));

  kt_core_test_sleep (2.2);
  response = kt_core_test_get (client, account, path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (response), ==, 200);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
  g_assert_cmpstr (kt_account_get_token (account)->access_token, !=, old_token);
}

static void
concurrent_across_expiry (guint n_requests)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "token-lifetime", 2.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));
  GAsyncResult *results[10] = { NULL, };
  guint i;

  g_assert_cmpuint (n_requests, <=, G_N_ELEMENTS (results));
  kt_core_test_sleep (2.2);

  for (i = 0; i < n_requests; i++)
    kt_client_request_async (client, account, "GET", path, NULL, KT_PRIORITY_INTERACTIVE,
                             NULL, kt_core_test_store_result, &results[i]);

  for (i = 0; i < n_requests; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtResponse) response = NULL;

      kt_core_test_wait (&results[i]);
      response = kt_client_request_finish (client, results[i], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kt_response_get_status (response), ==, 200);
      g_clear_object (&results[i]);
    }

  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
}

static void
test_concurrent_refresh_two (void)
{
  concurrent_across_expiry (2);
}

static void
test_concurrent_refresh_ten (void)
{
  concurrent_across_expiry (10);
}

static void
test_401_refreshes_once (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GAsyncResult) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));

  /* With only the access token revoked, the next request gets a 401. */
  kt_client_revoke_async (client, kt_account_get_config (account),
                          kt_account_get_token (account)->access_token, NULL,
                          kt_core_test_store_result, &revoked);
  kt_core_test_wait (&revoked);
  g_assert_true (kt_client_revoke_finish (client, revoked, &error));
  g_assert_no_error (error);

  response = kt_core_test_get (client, account, path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (response), ==, 200);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
}

static void
test_concurrent_401 (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GAsyncResult) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));
  GAsyncResult *results[10] = { NULL, };
  guint i;

  kt_client_revoke_async (client, kt_account_get_config (account),
                          kt_account_get_token (account)->access_token, NULL,
                          kt_core_test_store_result, &revoked);
  kt_core_test_wait (&revoked);
  g_assert_true (kt_client_revoke_finish (client, revoked, &error));

  /* Every request gets a 401, and they share one refresh. */
  for (i = 0; i < G_N_ELEMENTS (results); i++)
    kt_client_request_async (client, account, "GET", path, NULL, KT_PRIORITY_INTERACTIVE,
                             NULL, kt_core_test_store_result, &results[i]);

  for (i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autoptr(KtResponse) response = NULL;

      kt_core_test_wait (&results[i]);
      response = kt_client_request_finish (client, results[i], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kt_response_get_status (response), ==, 200);
      g_clear_object (&results[i]);
    }

  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
}

static void
test_waits_for_refresh (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GAsyncResult) revoked = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));

  kt_client_revoke_async (client, kt_account_get_config (account),
                          kt_account_get_token (account)->access_token, NULL,
                          kt_core_test_store_result, &revoked);
  kt_core_test_wait (&revoked);
  g_assert_true (kt_client_revoke_finish (client, revoked, &error));

  /* A request made while a refresh is under way goes out with the new
   * token: the old one is never sent again. */
  kt_client_refresh_async (client, account, NULL, kt_core_test_store_result, &refreshed);
  response = kt_core_test_get (client, account, path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (kt_response_get_status (response), ==, 200);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:401"), ==, 0);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
  kt_core_test_wait (&refreshed);
  g_assert_true (kt_client_refresh_finish (client, refreshed, &error));
}

static void
test_invalid_no_refresh (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/orders.json?page=invalid",
                                           kt_account_get_company_id (account));

  response = kt_core_test_get (client, account, path, &error);

  g_assert_null (response);
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_REQUEST);
  g_assert_nonnull (strstr (error->message, "page=invalid"));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 0);
}

static void
test_revoke (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GAsyncResult) revoked = NULL;
  g_autoptr(GAsyncResult) refreshed = NULL;
  g_autoptr(GError) error = NULL;
  guint sign_in_required = 0;

  g_signal_connect (account, "sign-in-required", G_CALLBACK (on_sign_in_required_cb), &sign_in_required);

  kt_client_revoke_async (client, kt_account_get_config (account),
                          kt_account_get_token (account)->refresh_token, NULL,
                          kt_core_test_store_result, &revoked);
  kt_core_test_wait (&revoked);
  g_assert_true (kt_client_revoke_finish (client, revoked, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "revoke"), ==, 1);

  kt_client_refresh_async (client, account, NULL, kt_core_test_store_result, &refreshed);
  kt_core_test_wait (&refreshed);
  g_assert_false (kt_client_refresh_finish (client, refreshed, &error));
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_GRANT);
  g_assert_cmpuint (sign_in_required, ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
  g_assert_true (kt_account_get_needs_sign_in (account));
}

static void
test_no_refresh_loop (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));
  guint i;

  kt_sandbox_revoke_all_tokens (sandbox);

  /* The first request finds the token revoked and the refresh rejected;
   * the next ones fail at once, with neither API nor token requests. */
  for (i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtResponse) response = kt_core_test_get (client, account, path, &error);

      g_assert_null (response);
      g_assert_nonnull (error);
      g_assert_true (error->domain == KT_ERROR);
    }

  g_assert_true (kt_account_get_needs_sign_in (account));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:401"), ==, 1);

  /* A new sign-in clears the mark. */
  {
    g_autoptr(KtToken) token = kt_token_copy (kt_account_get_token (account));

    kt_account_set_token (account, token);
  }
  g_assert_false (kt_account_get_needs_sign_in (account));
}

static void
test_revoked_refresh_fault (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *path = NULL;
  guint sign_in_required = 0;

  g_object_set (sandbox, "token-lifetime", 2.0, NULL);
  g_assert_true (kt_sandbox_add_fault (sandbox, "revoked-refresh", &error));
  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  account = kt_core_test_sign_in (sandbox, client);
  g_signal_connect (account, "sign-in-required", G_CALLBACK (on_sign_in_required_cb), &sign_in_required);
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json", kt_account_get_company_id (account));

  kt_core_test_sleep (2.2);
  response = kt_core_test_get (client, account, path, &error);

  g_assert_null (response);
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_GRANT);
  g_assert_cmpuint (sign_in_required, ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "token:refresh_token"), ==, 1);
}

static gboolean
contains (GBytes     *bytes,
          const char *needle)
{
  gsize size;
  const char *data;
  g_autofree char *text = NULL;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  if (data == NULL)
    return FALSE;
  text = g_strndup (data, size);
  return strstr (text, needle) != NULL;
}

static gboolean
headers_contain (const char * const *headers,
                 const char         *needle)
{
  for (guint i = 0; headers[i] != NULL; i++)
    {
      if (strstr (headers[i], needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
assert_no_secret (KtExchange *exchange,
                  const char *secret)
{
  g_autofree char *curl = kt_exchange_to_curl (exchange, NULL);

  g_assert_false (contains (kt_exchange_get_request_body (exchange), secret));
  g_assert_false (contains (kt_exchange_get_response_body (exchange), secret));
  g_assert_false (headers_contain (kt_exchange_get_request_headers (exchange), secret));
  g_assert_false (headers_contain (kt_exchange_get_response_headers (exchange), secret));
  g_assert_null (strstr (curl, secret));
}

static const char *
find_response_header (KtExchange *exchange,
                      const char *name)
{
  const char * const *headers = kt_exchange_get_response_headers (exchange);

  for (guint i = 0; headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    if (g_ascii_strcasecmp (headers[i], name) == 0)
      return headers[i + 1];

  return NULL;
}

static void
test_exchanges_redacted (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, "token-lifetime", 2.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_sign_in (sandbox, client);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(KtExchange) code_exchange = NULL;
  GListModel *client_log = kt_client_get_exchanges (client);
  GListModel *account_log = kt_account_get_exchanges (account);
  g_autofree char *old_access = g_strdup (kt_account_get_token (account)->access_token);
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (account));
  const char *secret = kt_sandbox_get_client_secret (sandbox);
  const char *content_length;
  guint i;

  kt_core_test_sleep (2.2);
  response = kt_core_test_get (client, account, path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (client_log), ==, 1);
  code_exchange = g_list_model_get_item (client_log, 0);
  g_assert_cmpstr (kt_exchange_get_method (code_exchange), ==, "POST");
  g_assert_true (contains (kt_exchange_get_request_body (code_exchange), "client_secret=%5Bredacted%5D"));
  g_assert_true (contains (kt_exchange_get_request_body (code_exchange), "code=%5Bredacted%5D"));
  g_assert_true (contains (kt_exchange_get_response_body (code_exchange), "\"access_token\":\"[redacted]\""));
  assert_no_secret (code_exchange, secret);

  /* The size is that of the body received, which the tokens make longer
   * than the redacted copy kept. */
  content_length = find_response_header (code_exchange, "Content-Length");
  g_assert_nonnull (content_length);
  g_assert_cmpuint (kt_exchange_get_size (code_exchange), ==, g_ascii_strtoull (content_length, NULL, 10));
  g_assert_cmpuint (kt_exchange_get_size (code_exchange), >,
                    g_bytes_get_size (kt_exchange_get_response_body (code_exchange)));
  g_assert_true (kt_exchange_get_response_body_redacted (code_exchange));
  assert_no_secret (code_exchange, old_access);

  /* The account's log: the company request, the refresh, the list. */
  g_assert_cmpuint (g_list_model_get_n_items (account_log), >=, 3);
  for (i = 0; i < g_list_model_get_n_items (account_log); i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (account_log, i);

      assert_no_secret (exchange, secret);
      assert_no_secret (exchange, old_access);
      assert_no_secret (exchange, kt_account_get_token (account)->access_token);
      assert_no_secret (exchange, kt_account_get_token (account)->refresh_token);

      /* Resource bodies contain no tokens and are kept as received.
       * Only the token endpoint's POSTs are redacted. */
      if (g_str_equal (kt_exchange_get_method (exchange), "GET")
          && kt_exchange_get_response_body (exchange) != NULL)
        {
          g_assert_false (kt_exchange_get_response_body_redacted (exchange));
          g_assert_cmpuint (kt_exchange_get_size (exchange), ==,
                            g_bytes_get_size (kt_exchange_get_response_body (exchange)));
        }
    }
}

static void
test_other_origin (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtSandbox) other = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(KtExchange) exchange = NULL;
  g_autofree char *uri = g_strconcat (kt_sandbox_get_api_uri (other), "companies/me", NULL);
  guint sign_in_required = 0;

  g_signal_connect (account, "sign-in-required", G_CALLBACK (on_sign_in_required_cb), &sign_in_required);
  response = kt_core_test_get (client, account, uri, &error);

  /* Sent without credentials, the other server refuses. */
  g_assert_null (response);
  g_assert_error (error, KT_ERROR, KT_ERROR_UNAUTHORIZED);
  exchange = g_list_model_get_item (kt_account_get_exchanges (account), 0);
  g_assert_false (headers_contain (kt_exchange_get_request_headers (exchange), "Authorization"));
  g_assert_cmpuint (kt_exchange_get_status (exchange), ==, 401);
  /* The account's own credentials were not rejected. */
  g_assert_cmpuint (sign_in_required, ==, 0);
}

static void
test_cancel_waiting (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL,
                                                         "basic-limit", 1, "rate-window", 30.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) first = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_sandbox_get_company_id (sandbox));

  /* One request per window: the second one waits for the reset. */
  first = kt_core_test_get (client, account, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kt_rate_limit_get_remaining (kt_account_get_rate_limit (account)), ==, 0);

  kt_client_request_async (client, account, "GET", path, NULL,
                           KT_PRIORITY_INTERACTIVE, cancellable, kt_core_test_store_result, &result);
  kt_core_test_sleep (0.2);
  g_assert_null (result);
  g_assert_cmpuint (kt_rate_limit_get_queued (kt_account_get_rate_limit (account)), ==, 1);

  g_cancellable_cancel (cancellable);
  kt_core_test_wait (&result);
  g_assert_null (kt_client_request_finish (client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (kt_rate_limit_get_queued (kt_account_get_rate_limit (account)), ==, 0);
}

static void
test_cancel_never_sends (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL,
                                                         "basic-limit", 1, "rate-window", 2.0, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  KtRateLimit *rate_limit = kt_account_get_rate_limit (account);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) first = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_sandbox_get_company_id (sandbox));
  GCancellable *cancellables[4];
  GAsyncResult *results[4] = { NULL, };
  guint api_before;
  guint i;

  /* One request per window: the four below all wait for a reset. */
  first = kt_core_test_get (client, account, path, &error);
  g_assert_no_error (error);
  api_before = kt_sandbox_get_counter (sandbox, "api");

  for (i = 0; i < G_N_ELEMENTS (cancellables); i++)
    {
      cancellables[i] = g_cancellable_new ();
      kt_client_request_async (client, account, "GET", path, NULL,
                               i % 2 == 0 ? KT_PRIORITY_BULK : KT_PRIORITY_INTERACTIVE,
                               cancellables[i], kt_core_test_store_result, &results[i]);
    }
  kt_core_test_sleep (0.1);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 4);

  /* Cancelled requests leave the queue before the main loop runs again. */
  g_cancellable_cancel (cancellables[0]);
  g_cancellable_cancel (cancellables[1]);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 2);

  for (i = 0; i < G_N_ELEMENTS (cancellables); i++)
    {
      g_autoptr(KtResponse) response = NULL;
      g_autoptr(GError) request_error = NULL;

      kt_core_test_wait (&results[i]);
      response = kt_client_request_finish (client, results[i], &request_error);
      if (i < 2)
        {
          g_assert_null (response);
          g_assert_error (request_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
        }
      else
        {
          g_assert_no_error (request_error);
          g_assert_cmpuint (kt_response_get_status (response), ==, 200);
        }
      g_clear_object (&results[i]);
      g_clear_object (&cancellables[i]);
    }

  /* Only the two requests left were sent, one window each. */
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api") - api_before, ==, 2);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 0);
}

static KtResponse *
request_sync (KtClient    *client,
              KtAccount   *account,
              const char  *method,
              const char  *path,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_client_request_async (client, account, method, path, NULL, KT_PRIORITY_INTERACTIVE,
                           NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  return kt_client_request_finish (client, result, error);
}

static void
test_retries_bounded (void)
{
  g_autoptr(KtSandbox) sandbox = kt_core_test_sandbox_new (KT_SANDBOX_SCALE_SMALL, NULL);
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(KtAccount) account = kt_core_test_basic_account (sandbox);
  g_autoptr(KtResponse) get = NULL;
  g_autoptr(KtResponse) post = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_sandbox_get_company_id (sandbox));

  g_assert_true (kt_sandbox_add_fault (sandbox, "server-error", &error));

  /* A GET is tried once and retried three times. */
  get = request_sync (client, account, "GET", path, &error);
  g_assert_null (get);
  g_assert_error (error, KT_ERROR, KT_ERROR_SERVER);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, 4);
  g_clear_error (&error);

  /* A POST is not idempotent: it is never sent twice. */
  post = request_sync (client, account, "POST", path, &error);
  g_assert_null (post);
  g_assert_error (error, KT_ERROR, KT_ERROR_SERVER);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, 5);
}

static void
test_tls_rejected (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_core_test_client_new ();
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  certificate = g_tls_certificate_new_from_file (KT_TEST_TLS_PEM, &error);
  g_assert_no_error (error);
  g_object_set (sandbox, "tls-certificate", certificate, NULL);
  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_true (g_str_has_prefix (kt_sandbox_get_api_uri (sandbox), "https://"));
  account = kt_core_test_basic_account (sandbox);

  response = kt_core_test_get (client, account, "companies/me", &error);

  /* An unknown issuer fails at once: no retry, no request reaches the API. */
  g_assert_null (response);
  g_assert_error (error, KT_ERROR, KT_ERROR_TLS);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "requests"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (kt_account_get_exchanges (account)), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/oauth-flow", test_oauth_flow);
  g_test_add_func ("/client/access-denied", test_access_denied);
  g_test_add_func ("/client/changed-state", test_changed_state);
  g_test_add_func ("/client/code-once", test_code_once);
  g_test_add_func ("/client/invalid-client", test_invalid_client);
  g_test_add_func ("/client/basic-auth", test_basic_auth);
  g_test_add_func ("/client/api-uri-no-slash", test_api_uri_no_slash);
  g_test_add_func ("/client/company-costs-two", test_company_costs_two);
  g_test_add_func ("/client/refresh-on-expiry", test_refresh_on_expiry);
  g_test_add_func ("/client/concurrent-refresh-two", test_concurrent_refresh_two);
  g_test_add_func ("/client/concurrent-refresh-ten", test_concurrent_refresh_ten);
  g_test_add_func ("/client/401-refreshes-once", test_401_refreshes_once);
  g_test_add_func ("/client/concurrent-401", test_concurrent_401);
  g_test_add_func ("/client/waits-for-refresh", test_waits_for_refresh);
  g_test_add_func ("/client/invalid-no-refresh", test_invalid_no_refresh);
  g_test_add_func ("/client/revoke", test_revoke);
  g_test_add_func ("/client/no-refresh-loop", test_no_refresh_loop);
  g_test_add_func ("/client/revoked-refresh-fault", test_revoked_refresh_fault);
  g_test_add_func ("/client/exchanges-redacted", test_exchanges_redacted);
  g_test_add_func ("/client/other-origin", test_other_origin);
  g_test_add_func ("/client/cancel-waiting", test_cancel_waiting);
  g_test_add_func ("/client/cancel-never-sends", test_cancel_never_sends);
  g_test_add_func ("/client/retries-bounded", test_retries_bounded);
  g_test_add_func ("/client/tls-rejected", test_tls_rejected);

  return g_test_run ();
}
