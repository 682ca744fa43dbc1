#include "config.h"

#include <string.h>

#include "core/kt-exchange-private.h"

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static char *
text (GBytes *data)
{
  gsize size;
  const char *start = g_bytes_get_data (data, &size);

  return g_strndup (start, size);
}

static void
test_redact_form (void)
{
  g_autoptr(GBytes) form = bytes ("grant_type=refresh_token&refresh_token=r1&client_id=id&client_secret=s3&code=c&token=t");
  g_autoptr(GBytes) redacted = kt_exchange_redact_form (form);
  g_autofree char *result = text (redacted);

  g_assert_cmpstr (result, ==,
                   "grant_type=refresh_token&refresh_token=%5Bredacted%5D&client_id=id"
                   "&client_secret=%5Bredacted%5D&code=%5Bredacted%5D&token=%5Bredacted%5D");
}

static void
test_redact_token_json (void)
{
  g_autoptr(GBytes) body = bytes ("{\"access_token\":\"a1\",\"refresh_token\":\"r1\",\"expires_in\":3600}");
  g_autoptr(GBytes) redacted = kt_exchange_redact_token_json (body);
  g_autofree char *result = text (redacted);
  g_autoptr(GBytes) garbage = bytes ("access_token=a1");
  g_autoptr(GBytes) hidden = kt_exchange_redact_token_json (garbage);
  g_autofree char *hidden_text = text (hidden);

  g_assert_null (strstr (result, "a1"));
  g_assert_null (strstr (result, "r1"));
  g_assert_nonnull (strstr (result, "\"expires_in\":3600"));
  g_assert_null (strstr (hidden_text, "a1"));
}

static void
test_headers_redacted (void)
{
  g_autoptr(KtExchange) exchange = kt_exchange_new ("GET", "http://127.0.0.1/v1/x", 1);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  const char * const *redacted;

  soup_message_headers_append (headers, "Accept", "application/json");
  soup_message_headers_append (headers, "Authorization", "Bearer secret-token");
  soup_message_headers_append (headers, "Cookie", "session=abc");
  kt_exchange_set_request (exchange, headers, NULL);

  redacted = kt_exchange_get_request_headers (exchange);
  g_assert_cmpstr (redacted[0], ==, "Accept");
  g_assert_cmpstr (redacted[1], ==, "application/json");
  g_assert_cmpstr (redacted[2], ==, "Authorization");
  g_assert_cmpstr (redacted[3], ==, "Bearer [redacted]");
  g_assert_cmpstr (redacted[4], ==, "Cookie");
  g_assert_cmpstr (redacted[5], ==, "[redacted]");
  g_assert_null (redacted[6]);
}

static void
test_curl (void)
{
  g_autoptr(KtExchange) exchange = kt_exchange_new ("GET", "http://127.0.0.1/v1/it's", 1);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autofree char *placeholder = NULL;
  g_autofree char *with_secret = NULL;

  soup_message_headers_append (headers, "Accept", "application/json");
  soup_message_headers_append (headers, "Authorization", "Bearer secret-token");
  kt_exchange_set_request (exchange, headers, NULL);

  placeholder = kt_exchange_to_curl (exchange, NULL);
  g_assert_cmpstr (placeholder, ==,
                   "curl -H 'Accept: application/json' -H \"Authorization: $KOUNTA_AUTHORIZATION\" "
                   "'http://127.0.0.1/v1/it'\\''s'");

  with_secret = kt_exchange_to_curl (exchange, "Bearer xyz");
  g_assert_nonnull (strstr (with_secret, "-H 'Authorization: Bearer xyz'"));
}

static void
test_response (void)
{
  g_autoptr(KtExchange) exchange = kt_exchange_new ("GET", "http://127.0.0.1/v1/x", 5);
  g_autoptr(GBytes) body = bytes ("[]");
  guint64 size = 0;

  g_assert_cmpuint (kt_exchange_get_status (exchange), ==, 0);
  kt_exchange_set_response (exchange, 200, "OK", NULL, body, 1500);
  kt_exchange_set_cost (exchange, 1);
  g_object_get (exchange, "size", &size, NULL);

  g_assert_cmpuint (kt_exchange_get_status (exchange), ==, 200);
  g_assert_cmpstr (kt_exchange_get_reason (exchange), ==, "OK");
  g_assert_cmpint (kt_exchange_get_started (exchange), ==, 5);
  g_assert_cmpint (kt_exchange_get_duration (exchange), ==, 1500);
  g_assert_cmpuint (kt_exchange_get_cost (exchange), ==, 1);
  g_assert_cmpuint (size, ==, 2);
  g_assert_null (kt_exchange_get_error_message (exchange));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/exchange/redact-form", test_redact_form);
  g_test_add_func ("/exchange/redact-token-json", test_redact_token_json);
  g_test_add_func ("/exchange/headers-redacted", test_headers_redacted);
  g_test_add_func ("/exchange/curl", test_curl);
  g_test_add_func ("/exchange/response", test_response);

  return g_test_run ();
}
