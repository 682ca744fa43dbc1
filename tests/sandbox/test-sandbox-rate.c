#define G_LOG_DOMAIN "test-sandbox-rate"

#include "config.h"

#include <string.h>

#include "sandbox-test.h"

/* Rate limits: fixed windows per credential, each header form and 429 body. */

#define WINDOW 2.0
#define LIMIT 4

static KtSandbox *
start_sandbox (KtSandboxResetForm reset_form,
               KtSandboxLimitBody limit_body,
               gboolean           retry_after)
{
  KtSandbox *sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GError) error = NULL;

  g_object_set (sandbox,
                "rate-window", WINDOW,
                "basic-limit", LIMIT,
                "bearer-limit", LIMIT + 2,
                "reset-form", reset_form,
                "limit-body", limit_body,
                "retry-after", retry_after,
                NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  return sandbox;
}

static KtResponse *
get_sites (KtSandbox   *sandbox,
           SoupSession *session,
           const char  *authorization)
{
  g_autofree char *uri = kt_test_api (sandbox, "sites.json");

  return kt_test_get (session, uri, authorization);
}

/* Spends the Basic window and returns the first 429. */
static KtResponse *
exhaust (KtSandbox   *sandbox,
         SoupSession *session,
         const char  *basic)
{
  for (guint i = 0; i < LIMIT; i++)
    {
      g_autoptr(KtResponse) response = get_sites (sandbox, session, basic);

      g_assert_cmpuint (response->status, ==, 200);
      g_assert_cmpint (kt_response_header_int (response, "X-Ratelimit-Limit"), ==, LIMIT);
      g_assert_cmpint (kt_response_header_int (response, "X-Ratelimit-Remaining"), ==, LIMIT - 1 - i);
    }
  return get_sites (sandbox, session, basic);
}

static void
test_unix_reset (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (KT_SANDBOX_RESET_UNIX_TIME, KT_SANDBOX_LIMIT_BODY_JSON, FALSE);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *basic = kt_test_basic (sandbox);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(KtResponse) limited = exhaust (sandbox, session, basic);
  g_autoptr(JsonNode) node = NULL;
  gint64 reset;

  g_assert_cmpuint (limited->status, ==, 429);
  g_assert_cmpstr (limited->reason, ==, "Too Many Requests");
  g_assert_cmpint (kt_response_header_int (limited, "X-Ratelimit-Remaining"), ==, 0);
  g_assert_cmpint (kt_response_header_int (limited, "X-Ratelimit-Limit"), ==, LIMIT);
  g_assert_null (kt_response_header (limited, "Retry-After"));
  g_assert_nonnull (kt_response_header (limited, "Date"));
  reset = kt_response_header_int (limited, "X-Ratelimit-Reset");
  g_assert_cmpint (reset, >=, before + 1);
  g_assert_cmpint (reset, <=, before + 4);
  node = kt_response_json (limited);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error_description"), ==,
                   "Limit exceeded");
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:429"), ==, 1);
  kt_sandbox_stop (sandbox);
}

static void
test_seconds_reset (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (KT_SANDBOX_RESET_SECONDS_LEFT, KT_SANDBOX_LIMIT_BODY_TEXT, TRUE);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *basic = kt_test_basic (sandbox);
  g_autoptr(KtResponse) limited = exhaust (sandbox, session, basic);
  g_autoptr(KtResponse) again = NULL;
  gint64 reset;

  g_assert_cmpuint (limited->status, ==, 429);
  reset = kt_response_header_int (limited, "X-Ratelimit-Reset");
  g_assert_cmpint (reset, >=, 1);
  g_assert_cmpint (reset, <=, 2);
  g_assert_cmpint (kt_response_header_int (limited, "Retry-After"), ==, reset);
  g_assert_cmpstr (limited->body, ==, "Limit exceeded");
  g_assert_nonnull (strstr (kt_response_header (limited, "Content-Type"), "text/plain"));

  /* Still spent until the reset, then a new window opens. */
  again = get_sites (sandbox, session, basic);
  g_assert_cmpuint (again->status, ==, 429);
  g_clear_pointer (&again, kt_response_free);
  g_usleep ((gulong) (WINDOW * G_USEC_PER_SEC) + 100000);
  again = get_sites (sandbox, session, basic);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpint (kt_response_header_int (again, "X-Ratelimit-Remaining"), ==, LIMIT - 1);
  kt_sandbox_stop (sandbox);
}

static void
test_redirect_costs_two (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (KT_SANDBOX_RESET_UNIX_TIME, KT_SANDBOX_LIMIT_BODY_JSON, FALSE);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *basic = kt_test_basic (sandbox);
  g_autofree char *me = g_strconcat (kt_sandbox_get_api_uri (sandbox), "companies/me.json", NULL);
  g_autoptr(KtResponse) first = kt_test_get (session, me, basic);
  g_autoptr(KtResponse) second = NULL;
  g_autoptr(KtResponse) third = NULL;
  g_autoptr(KtResponse) fourth = NULL;
  g_autoptr(KtResponse) fifth = NULL;

  g_assert_cmpuint (first->status, ==, 302);
  g_assert_cmpint (kt_response_header_int (first, "X-Ratelimit-Remaining"), ==, LIMIT - 1);
  second = kt_test_get (session, kt_response_header (first, "Location"), basic);
  g_assert_cmpint (kt_response_header_int (second, "X-Ratelimit-Remaining"), ==, LIMIT - 2);

  third = kt_test_get (session, me, basic);
  fourth = kt_test_get (session, kt_response_header (third, "Location"), basic);
  g_assert_cmpint (kt_response_header_int (fourth, "X-Ratelimit-Remaining"), ==, 0);

  /* A 429 carries the headers too. */
  fifth = kt_test_get (session, me, basic);
  g_assert_cmpuint (fifth->status, ==, 429);
  g_assert_nonnull (kt_response_header (fifth, "X-Ratelimit-Reset"));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "status:302"), ==, 2);
  kt_sandbox_stop (sandbox);
}

static void
test_per_credential (void)
{
  g_autoptr(KtSandbox) sandbox = start_sandbox (KT_SANDBOX_RESET_UNIX_TIME, KT_SANDBOX_LIMIT_BODY_JSON, FALSE);
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autofree char *basic = kt_test_basic (sandbox);
  g_autoptr(KtResponse) limited = exhaust (sandbox, session, basic);
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (sandbox, session, &refresh_token);
  g_autofree char *bearer = kt_test_bearer (access_token);
  g_autoptr(KtResponse) with_token = get_sites (sandbox, session, bearer);
  g_autofree char *form = NULL;
  g_autoptr(KtResponse) refreshed = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *new_bearer = NULL;
  g_autoptr(KtResponse) after_refresh = NULL;

  g_assert_cmpuint (limited->status, ==, 429);
  g_assert_cmpuint (with_token->status, ==, 200);
  g_assert_cmpint (kt_response_header_int (with_token, "X-Ratelimit-Limit"), ==, LIMIT + 2);
  g_assert_cmpint (kt_response_header_int (with_token, "X-Ratelimit-Remaining"), ==, LIMIT + 1);

  /* A refreshed access token shares the grant's window. */
  form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                           "client_id", kt_sandbox_get_client_id (sandbox),
                           "client_secret", kt_sandbox_get_client_secret (sandbox), NULL);
  refreshed = kt_test_request (session, "POST", kt_sandbox_get_token_uri (sandbox), NULL, form, NULL);
  g_assert_cmpuint (refreshed->status, ==, 200);
  g_assert_null (kt_response_header (refreshed, "X-Ratelimit-Limit"));
  node = kt_response_json (refreshed);
  new_bearer = kt_test_bearer (json_object_get_string_member (json_node_get_object (node), "access_token"));
  after_refresh = get_sites (sandbox, session, new_bearer);
  g_assert_cmpint (kt_response_header_int (after_refresh, "X-Ratelimit-Remaining"), ==, LIMIT);
  kt_sandbox_stop (sandbox);
}

static void
test_defaults (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = NULL;
  g_autoptr(KtResponse) response = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 reset;

  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  basic = kt_test_basic (sandbox);
  response = get_sites (sandbox, session, basic);
  g_assert_cmpint (kt_response_header_int (response, "X-Ratelimit-Limit"), ==, 60);
  g_assert_cmpint (kt_response_header_int (response, "X-Ratelimit-Remaining"), ==, 59);
  reset = kt_response_header_int (response, "X-Ratelimit-Reset");
  g_assert_cmpint (reset, >=, now + 59);
  g_assert_cmpint (reset, <=, now + 62);
  kt_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-rate/defaults", test_defaults);
  g_test_add_func ("/sandbox-rate/unix-reset", test_unix_reset);
  g_test_add_func ("/sandbox-rate/seconds-reset", test_seconds_reset);
  g_test_add_func ("/sandbox-rate/redirect-costs-two", test_redirect_costs_two);
  g_test_add_func ("/sandbox-rate/per-credential", test_per_credential);

  return g_test_run ();
}
