#define G_LOG_DOMAIN "test-sandbox-faults"

#include "config.h"

#include <string.h>

#include "sandbox-test.h"

/* Each fault the sandbox can inject, and the determinism of partial rates. */

static KtSandbox *
start_with_fault (const char *spec)
{
  KtSandbox *sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GError) error = NULL;

  g_object_set (sandbox, "basic-limit", 100000, "fault-delay", 0.3, NULL);
  kt_sandbox_add_fault (sandbox, spec, &error);
  g_assert_no_error (error);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  return sandbox;
}

static KtResponse *
get_products (KtSandbox   *sandbox,
              SoupSession *session)
{
  g_autofree char *uri = kt_test_api (sandbox, "products.json");
  g_autofree char *basic = kt_test_basic (sandbox);

  return kt_test_get (session, uri, basic);
}

static void
test_unknown_fault (void)
{
  g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (kt_sandbox_add_fault (sandbox, "gremlins:0.5", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "gremlins"));
  g_assert_nonnull (strstr (error->message, "server-error"));
  g_assert_nonnull (strstr (error->message, "changed-state"));
  g_clear_error (&error);

  g_assert_false (kt_sandbox_add_fault (sandbox, "slow:2", &error));
  g_assert_nonnull (strstr (error->message, "2"));
  g_clear_error (&error);
  g_assert_false (kt_sandbox_add_fault (sandbox, "slow:often", &error));
  g_assert_nonnull (strstr (error->message, "often"));
  g_clear_error (&error);

  g_assert_true (kt_sandbox_add_fault (sandbox, "slow:0.25", &error));
  g_assert_no_error (error);
  for (const char *const *name = kt_sandbox_get_fault_names (); *name != NULL; name++)
    g_assert_true (kt_sandbox_add_fault (sandbox, *name, NULL));
}

static void
test_server_error (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("server-error");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(KtResponse) first = get_products (sandbox, session);
  g_autoptr(KtResponse) second = get_products (sandbox, session);

  g_assert_cmpuint (first->status, ==, 500);
  g_assert_cmpuint (second->status, ==, 502);
  g_assert_nonnull (strstr (kt_response_header (first, "Content-Type"), "text/html"));
  g_assert_nonnull (strstr (first->body, "<html>"));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "fault:server-error"), ==, 2);
  kt_sandbox_stop (sandbox);
}

static void
test_drop_connection (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("drop-connection");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *uri = kt_test_api (sandbox, "products.json");
  g_autofree char *basic = kt_test_basic (sandbox);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", basic);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_null (body);
  g_assert_nonnull (error);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "dropped"), >=, 1);
  kt_sandbox_stop (sandbox);
}

static void
test_slow (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("slow");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(KtResponse) response = get_products (sandbox, session);

  /* Only a lower bound: the response cannot come before the delay. */
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300000);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "fault:slow"), ==, 1);
  kt_sandbox_stop (sandbox);
}

static void
test_slow_stop (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GError) error = NULL;

  /* Stopping with a delayed response pending must not hang or leak. */
  g_object_set (sandbox, "fault-delay", 30.0, NULL);
  kt_sandbox_add_fault (sandbox, "slow", &error);
  g_assert_no_error (error);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  {
    g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
    g_autofree char *uri = kt_test_api (sandbox, "products.json");
    g_autofree char *basic = kt_test_basic (sandbox);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
    g_autoptr(GInputStream) stream = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", basic);
    soup_session_set_timeout (session, 1);
    stream = soup_session_send (session, msg, NULL, NULL);
    g_assert_null (stream);
  }
  kt_sandbox_stop (sandbox);
}

static void
assert_broken_json (const char *fault)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault (fault);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(KtResponse) response = get_products (sandbox, session);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (response->length, >, 0);
  node = json_from_string (response->body, &error);
  g_assert_null (node);
  g_assert_nonnull (error);
  kt_sandbox_stop (sandbox);
}

static void
test_truncated_json (void)
{
  assert_broken_json ("truncated-json");
}

static void
test_malformed_json (void)
{
  assert_broken_json ("malformed-json");
}

static void
test_bare_429 (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("bare-429");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(KtResponse) response = get_products (sandbox, session);

  g_assert_cmpuint (response->status, ==, 429);
  g_assert_null (kt_response_header (response, "X-Ratelimit-Limit"));
  g_assert_null (kt_response_header (response, "X-Ratelimit-Remaining"));
  g_assert_null (kt_response_header (response, "X-Ratelimit-Reset"));
  g_assert_null (kt_response_header (response, "Retry-After"));
  kt_sandbox_stop (sandbox);
}

static void
find_header_name (const char *name,
                  const char *value,
                  gpointer    user_data)
{
  GPtrArray *names = user_data;

  g_ptr_array_add (names, g_strdup (name));
}

static void
test_lowercase_headers (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("lowercase-headers");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(KtResponse) response = get_products (sandbox, session);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean lower = FALSE;

  g_assert_cmpuint (response->status, ==, 200);
  soup_message_headers_foreach (response->headers, find_header_name, names);
  for (guint i = 0; i < names->len; i++)
    {
      g_assert_cmpstr (names->pdata[i], !=, "X-Ratelimit-Limit");
      lower |= g_str_equal (names->pdata[i], "x-ratelimit-limit");
    }
  g_assert_true (lower);
  kt_sandbox_stop (sandbox);
}

static void
test_early_expiry (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("early-expiry");
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autofree char *access_token = kt_test_sign_in (sandbox, session, NULL);
  g_autofree char *bearer = kt_test_bearer (access_token);
  g_autofree char *uri = kt_test_api (sandbox, "sites.json");
  g_autoptr(KtResponse) response = kt_test_get (session, uri, bearer);
  g_autoptr(JsonNode) node = kt_response_json (response);

  g_assert_cmpuint (response->status, ==, 401);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error_description"), ==,
                   "The access token provided has expired");
  kt_sandbox_stop (sandbox);
}

static void
test_revoked_refresh (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("revoked-refresh");
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (sandbox, session, &refresh_token);
  g_autofree char *form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                                            "client_id", kt_sandbox_get_client_id (sandbox),
                                            "client_secret", kt_sandbox_get_client_secret (sandbox), NULL);
  g_autoptr(KtResponse) response = kt_test_request (session, "POST", kt_sandbox_get_token_uri (sandbox),
                                                    NULL, form, NULL);
  g_autoptr(JsonNode) node = kt_response_json (response);

  g_assert_nonnull (access_token);
  g_assert_cmpuint (response->status, ==, 400);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "invalid_grant");
  kt_sandbox_stop (sandbox);
}

static void
test_changed_state (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("changed-state");
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autofree char *location = kt_test_authorize_code (sandbox, session, "original", "allow");
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = soup_form_decode (g_uri_get_query (uri));

  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), !=, "original");
  kt_sandbox_stop (sandbox);
}

static GString *
status_sequence (void)
{
  g_autoptr(KtSandbox) sandbox = start_with_fault ("server-error:0.5");
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  GString *sequence = g_string_new (NULL);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(KtResponse) response = get_products (sandbox, session);

      g_string_append_c (sequence, response->status == 200 ? '.' : 'x');
    }
  kt_sandbox_stop (sandbox);
  return sequence;
}

static void
test_rate_deterministic (void)
{
  g_autoptr(GString) first = status_sequence ();
  g_autoptr(GString) second = status_sequence ();
  guint faults = 0;

  g_assert_cmpstr (first->str, ==, second->str);
  for (gsize i = 0; i < first->len; i++)
    faults += first->str[i] == 'x';
  g_assert_cmpuint (faults, >, 5);
  g_assert_cmpuint (faults, <, 35);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-faults/unknown-fault", test_unknown_fault);
  g_test_add_func ("/sandbox-faults/server-error", test_server_error);
  g_test_add_func ("/sandbox-faults/drop-connection", test_drop_connection);
  g_test_add_func ("/sandbox-faults/slow", test_slow);
  g_test_add_func ("/sandbox-faults/slow-stop", test_slow_stop);
  g_test_add_func ("/sandbox-faults/truncated-json", test_truncated_json);
  g_test_add_func ("/sandbox-faults/malformed-json", test_malformed_json);
  g_test_add_func ("/sandbox-faults/bare-429", test_bare_429);
  g_test_add_func ("/sandbox-faults/lowercase-headers", test_lowercase_headers);
  g_test_add_func ("/sandbox-faults/early-expiry", test_early_expiry);
  g_test_add_func ("/sandbox-faults/revoked-refresh", test_revoked_refresh);
  g_test_add_func ("/sandbox-faults/changed-state", test_changed_state);
  g_test_add_func ("/sandbox-faults/rate-deterministic", test_rate_deterministic);

  return g_test_run ();
}
