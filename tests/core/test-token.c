#include "config.h"

#include "core/kt-error.h"
#include "core/kt-token.h"

#define SENT_AT (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)

static KtToken *
parse (const char    *json,
       const KtToken *previous)
{
  g_autoptr(GError) error = NULL;
  KtToken *token = kt_token_parse (json, -1, SENT_AT, previous, &error);

  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
test_expires_number (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"refresh_token\":\"r\",\"expires_in\":120}", NULL);

  g_assert_cmpstr (token->access_token, ==, "a");
  g_assert_cmpstr (token->refresh_token, ==, "r");
  g_assert_cmpint (token->expires_at, ==, SENT_AT + 120 * G_USEC_PER_SEC);
  g_assert_cmpint (token->issued_at, ==, SENT_AT);
}

static void
test_expires_string (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"expires_in\":\"7200\"}", NULL);

  g_assert_cmpint (token->expires_at, ==, SENT_AT + G_GINT64_CONSTANT (7200) * G_USEC_PER_SEC);
}

static void
test_expires_double (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"expires_in\":90.5}", NULL);

  g_assert_cmpint (token->expires_at, ==, SENT_AT + 90500000);
}

static void
test_expires_default (void)
{
  const char *bodies[] = {
    "{\"access_token\":\"a\"}",
    "{\"access_token\":\"a\",\"expires_in\":null}",
    "{\"access_token\":\"a\",\"expires_in\":\"soon\"}",
    "{\"access_token\":\"a\",\"expires_in\":\"\"}",
    "{\"access_token\":\"a\",\"expires_in\":-5}",
    "{\"access_token\":\"a\",\"expires_in\":0}",
    "{\"access_token\":\"a\",\"expires_in\":true}",
    "{\"access_token\":\"a\",\"expires_in\":{\"s\":1}}",
    "{\"access_token\":\"a\",\"expires_in\":\"12x\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(KtToken) token = parse (bodies[i], NULL);

      g_assert_cmpint (token->expires_at, ==,
                       SENT_AT + (gint64) KT_TOKEN_DEFAULT_LIFETIME_SECONDS * G_USEC_PER_SEC);
    }
}

static void
test_refresh_keeps_old (void)
{
  g_autoptr(KtToken) previous = parse ("{\"access_token\":\"old\",\"refresh_token\":\"keep\"}", NULL);
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"new\",\"expires_in\":3600}", previous);

  g_assert_cmpstr (token->access_token, ==, "new");
  g_assert_cmpstr (token->refresh_token, ==, "keep");
}

static void
test_refresh_replaces (void)
{
  g_autoptr(KtToken) previous = parse ("{\"access_token\":\"old\",\"refresh_token\":\"r1\"}", NULL);
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"new\",\"refresh_token\":\"r2\"}", previous);

  g_assert_cmpstr (token->refresh_token, ==, "r2");
}

static void
test_extra_members (void)
{
  g_autoptr(KtToken) token =
    parse ("{\"scope\":\"all\",\"access_token\":\"a\",\"company\":{\"id\":5},\"token_type\":\"bearer\",\"x\":[1,2]}", NULL);

  g_assert_cmpstr (token->access_token, ==, "a");
  g_assert_cmpstr (token->scope, ==, "all");
  g_assert_cmpstr (token->token_type, ==, "bearer");
}

static void
test_invalid (void)
{
  const char *bodies[] = {
    "",
    "not json",
    "[]",
    "{\"refresh_token\":\"r\"}",
    "{\"access_token\":42}",
    "{\"access_token\":\"\"}",
    "{\"access_token\":\"a\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KtToken) token = kt_token_parse (bodies[i], -1, SENT_AT, NULL, &error);

      g_assert_null (token);
      g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE);
    }
}

static void
test_needs_refresh (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"expires_in\":3600}", NULL);
  gint64 expiry = token->expires_at;

  g_assert_false (kt_token_needs_refresh (token, SENT_AT));
  g_assert_false (kt_token_needs_refresh (token, expiry - 61 * G_USEC_PER_SEC));
  g_assert_true (kt_token_needs_refresh (token, expiry - 60 * G_USEC_PER_SEC));
  g_assert_true (kt_token_needs_refresh (token, expiry + 1));
  g_assert_true (kt_token_needs_refresh (NULL, SENT_AT));
}

static void
test_short_lifetime (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"expires_in\":2}", NULL);

  /* A two-second token is used for three quarters of its life. */
  g_assert_false (kt_token_needs_refresh (token, SENT_AT + 1000000));
  g_assert_true (kt_token_needs_refresh (token, SENT_AT + 1500000));
}

static void
test_copy (void)
{
  g_autoptr(KtToken) token = parse ("{\"access_token\":\"a\",\"refresh_token\":\"r\",\"scope\":\"s\"}", NULL);
  g_autoptr(KtToken) copy = kt_token_copy (token);

  g_assert_true (copy != token);
  g_assert_cmpstr (copy->access_token, ==, "a");
  g_assert_cmpstr (copy->refresh_token, ==, "r");
  g_assert_cmpstr (copy->scope, ==, "s");
  g_assert_cmpint (copy->expires_at, ==, token->expires_at);
  g_assert_null (kt_token_copy (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/token/expires-number", test_expires_number);
  g_test_add_func ("/token/expires-string", test_expires_string);
  g_test_add_func ("/token/expires-double", test_expires_double);
  g_test_add_func ("/token/expires-default", test_expires_default);
  g_test_add_func ("/token/refresh-keeps-old", test_refresh_keeps_old);
  g_test_add_func ("/token/refresh-replaces", test_refresh_replaces);
  g_test_add_func ("/token/extra-members", test_extra_members);
  g_test_add_func ("/token/invalid", test_invalid);
  g_test_add_func ("/token/needs-refresh", test_needs_refresh);
  g_test_add_func ("/token/short-lifetime", test_short_lifetime);
  g_test_add_func ("/token/copy", test_copy);

  return g_test_run ();
}
