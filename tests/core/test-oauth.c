#include "config.h"

#include <string.h>

#include "core/kt-error.h"
#include "core/kt-oauth.h"

#define REDIRECT "http://127.0.0.1:8765/kounter/callback"

static KtOAuthConfig *
make_config (void)
{
  KtOAuthConfig *config = kt_oauth_config_new ();

  config->client_id = g_strdup ("client one");
  config->client_secret = g_strdup ("secret");
  config->redirect_uri = g_strdup (REDIRECT);
  config->authorize_uri = g_strdup ("https://my.kounta.com/authorize");
  return config;
}

static void
test_state_random (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = kt_oauth_new_state (&error);
  g_autofree char *b = kt_oauth_new_state (&error);

  g_assert_no_error (error);
  g_assert_nonnull (a);
  /* 32 bytes in unpadded base64. */
  g_assert_cmpuint (strlen (a), ==, 43);
  g_assert_cmpstr (a, !=, b);
  g_assert_null (strpbrk (a, "+/="));
}

static void
test_authorize_uri (void)
{
  g_autoptr(KtOAuthConfig) config = make_config ();
  g_autofree char *uri = kt_oauth_build_authorize_uri (config, "s t&x");
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;

  g_assert_nonnull (parsed);
  g_assert_cmpstr (g_uri_get_host (parsed), ==, "my.kounta.com");
  g_assert_cmpstr (g_uri_get_path (parsed), ==, "/authorize");

  params = g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, "client one");
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==, REDIRECT);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "s t&x");
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_null (g_hash_table_lookup (params, "client_secret"));
}

static void
test_authorize_existing_query (void)
{
  g_autoptr(KtOAuthConfig) config = make_config ();
  g_autofree char *uri = NULL;

  g_free (config->authorize_uri);
  config->authorize_uri = g_strdup ("https://example.com/authorize?lang=en");
  uri = kt_oauth_build_authorize_uri (config, "s");

  g_assert_true (g_str_has_prefix (uri, "https://example.com/authorize?lang=en&client_id="));
}

static void
test_is_redirect (void)
{
  struct { const char *uri; gboolean expected; } cases[] = {
    { REDIRECT "?code=abc&state=x", TRUE },
    { REDIRECT, TRUE },
    { "HTTP://127.0.0.1:8765/kounter/callback?code=1", TRUE },
    { REDIRECT "#fragment", TRUE },
    { "http://127.0.0.1:8766/kounter/callback?code=1", FALSE },
    { "https://127.0.0.1:8765/kounter/callback?code=1", FALSE },
    { "http://127.0.0.2:8765/kounter/callback?code=1", FALSE },
    { "http://127.0.0.1:8765/kounter/callback/x?code=1", FALSE },
    { "http://127.0.0.1:8765/kounter/Callback?code=1", FALSE },
    { "http://127.0.0.1:8765/kounter?code=1", FALSE },
    { "https://my.kounta.com/authorize?redirect_uri=" REDIRECT, FALSE },
    { "https://my.kounta.com/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fkounter%2Fcallback", FALSE },
    { "http://evil.example/?next=" REDIRECT, FALSE },
    { "http://127.0.0.1:8765@evil.example/kounter/callback?code=1", FALSE },
    { "http://evil.example:8765/kounter/callback#@127.0.0.1:8765/kounter/callback", FALSE },
    { "http://127.0.0.1:8765/kounter%2Fcallback?code=1", FALSE },
    { "not a uri", FALSE },
    { NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("uri %s", cases[i].uri);
      g_assert_cmpint (kt_oauth_is_redirect (REDIRECT, cases[i].uri), ==, cases[i].expected);
    }
}

static void
test_is_redirect_default_port (void)
{
  g_assert_true (kt_oauth_is_redirect ("http://127.0.0.1/cb", "http://127.0.0.1:80/cb?code=1"));
  g_assert_true (kt_oauth_is_redirect ("https://host/cb", "https://host:443/cb?code=1"));
  g_assert_false (kt_oauth_is_redirect ("https://host/cb", "https://host:8443/cb?code=1"));
  g_assert_true (kt_oauth_is_redirect ("kounter://oauth/done", "kounter://oauth/done?code=1"));
  g_assert_false (kt_oauth_is_redirect ("kounter://oauth/done", "kounter://oauth/other?code=1"));
}

static void
test_parse_any_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthRedirect) redirect =
    kt_oauth_parse_redirect (REDIRECT "?state=st%20ate&extra=1&code=c%2Bd", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (redirect->code, ==, "c+d");
  g_assert_cmpstr (redirect->state, ==, "st ate");
  g_assert_null (redirect->error);
  g_assert_null (redirect->error_description);
}

static void
test_parse_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthRedirect) redirect =
    kt_oauth_parse_redirect (REDIRECT "?error_description=The+user+said+no&state=s&error=access_denied", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (redirect->error, ==, "access_denied");
  g_assert_cmpstr (redirect->error_description, ==, "The user said no");
  g_assert_cmpstr (redirect->state, ==, "s");
  g_assert_null (redirect->code);
}

static void
test_parse_repeated (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthRedirect) redirect =
    kt_oauth_parse_redirect (REDIRECT "?code=a&state=s&code=b", &error);

  g_assert_null (redirect);
  g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE);
}

static void
check (const char *query,
       KtError     expected)
{
  g_autofree char *uri = g_strconcat (REDIRECT "?", query, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthRedirect) redirect = kt_oauth_parse_redirect (uri, &error);

  g_assert_no_error (error);
  g_assert_false (kt_oauth_redirect_check (redirect, "good", &error));
  g_assert_error (error, KT_ERROR, (int) expected);
}

static void
test_check_cases (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KtOAuthRedirect) good = kt_oauth_parse_redirect (REDIRECT "?code=c&state=good", &error);

  g_assert_true (kt_oauth_redirect_check (good, "good", &error));
  g_assert_no_error (error);

  check ("code=c&state=bad", KT_ERROR_STATE_MISMATCH);
  check ("code=c&state=goo", KT_ERROR_STATE_MISMATCH);
  check ("code=c&state=good-changed", KT_ERROR_STATE_MISMATCH);
  check ("code=c", KT_ERROR_STATE_MISMATCH);
  check ("error=access_denied&state=good", KT_ERROR_ACCESS_DENIED);
  check ("error=access_denied&state=bad", KT_ERROR_STATE_MISMATCH);
  check ("error=server_error&state=good", KT_ERROR_SERVER_ERROR_PAGE);
  check ("error=invalid_scope", KT_ERROR_SERVER_ERROR_PAGE);
  check ("state=good", KT_ERROR_INVALID_RESPONSE);
  check ("state=good&code=", KT_ERROR_INVALID_RESPONSE);
}

static void
test_config_copy (void)
{
  g_autoptr(KtOAuthConfig) config = make_config ();
  g_autoptr(KtOAuthConfig) copy = kt_oauth_config_copy (config);

  g_assert_true (copy->client_id != config->client_id);
  g_assert_cmpstr (copy->client_id, ==, "client one");
  g_assert_cmpstr (copy->client_secret, ==, "secret");
  g_assert_cmpstr (copy->redirect_uri, ==, REDIRECT);
  g_assert_null (copy->token_uri);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/oauth/state-random", test_state_random);
  g_test_add_func ("/oauth/authorize-uri", test_authorize_uri);
  g_test_add_func ("/oauth/authorize-existing-query", test_authorize_existing_query);
  g_test_add_func ("/oauth/is-redirect", test_is_redirect);
  g_test_add_func ("/oauth/is-redirect-default-port", test_is_redirect_default_port);
  g_test_add_func ("/oauth/parse-any-order", test_parse_any_order);
  g_test_add_func ("/oauth/parse-error", test_parse_error);
  g_test_add_func ("/oauth/parse-repeated", test_parse_repeated);
  g_test_add_func ("/oauth/check-cases", test_check_cases);
  g_test_add_func ("/oauth/config-copy", test_config_copy);

  return g_test_run ();
}
