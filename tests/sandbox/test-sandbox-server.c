#define G_LOG_DOMAIN "test-sandbox-server"

#include "config.h"

#include <string.h>

#include "sandbox-test.h"

/* Serving: HTTPS with a given certificate, listening on every interface. */

/* A self-signed certificate for 127.0.0.1, valid until 2126, made for this test only. */
static const char test_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIDHDCCAgSgAwIBAgIUQdGEPZWoz3g2OA36Qvgt1GJCM1EwDQYJKoZIhvcNAQEL\n"
  "BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNDIwMTgzMFoYDzIxMjYx\n"
  "MTEwMjAxODMwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB\n"
  "AQUAA4IBDwAwggEKAoIBAQDthr3vjikVQBW+02L3Le0qAdFiHCRycQgbrRXNzTXZ\n"
  "HV7bfSQDRLT5LcClRMGtxkHUgnQ6rqhFMEsYb3mL+RREoD+ZlXNZ8NQZGeRC+j6t\n"
  "hcxbuRsh4gsGIGfWa09YpWSwdlkasGpV2TCBpUXoOYBWP0v9iABh5KRIlyb/YFTV\n"
  "YCLEBkOlvBQ5r9wSqQCdhEs3jAi5LSsdMqVn8dmYPDehR9EC/6QEEtetixFtNcAp\n"
  "IwUIQ49GnbXgfzRrZ7/df04GaQI2WrIYM0f1rcUH2yhMLBuCHBS4B+gzMCW5gK50\n"
  "gYy7CDzN1Va2bGRSBcpiKgyPGrheNWxzcCpYf/3ZC/DDAgMBAAGjZDBiMB0GA1Ud\n"
  "DgQWBBT2kzaRHGWZLOYz+wG83RON83696jAfBgNVHSMEGDAWgBT2kzaRHGWZLOYz\n"
  "+wG83RON83696jAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwDQYJ\n"
  "KoZIhvcNAQELBQADggEBAMApaIyR+UjkuPg02VH+Wl29q+2U14YcSfzvnlGGqu0o\n"
  "2Ivx0JwTiWMlqJS7ni3610KhBblE6LWVBdpfk1R1v8BIDKnFaLrTrCjW1urigK02\n"
  "dnXeGCOEgHzKPhfCzRXa8PLIJlE+QzzJt5ZIlMjN2FLR1vQXH9VOrn6XYrMTc2+p\n"
  "mHOawvU3EOM/UOdpYp6LKQxByYz1UYCpkFgOuuaGdqVqUndh4mEX8mEyyxm6pHkl\n"
  "cNdkaqPbpWISH3u+vw6RpoOP/NAxYiam+ULtkms0okeBdvv7YbuqzMIFG9wE++YL\n"
  "ad4R3SKE3uQ4Hbn//fT90rvTT1SRjj2cLIKQGRt1Ki4=\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDthr3vjikVQBW+\n"
  "02L3Le0qAdFiHCRycQgbrRXNzTXZHV7bfSQDRLT5LcClRMGtxkHUgnQ6rqhFMEsY\n"
  "b3mL+RREoD+ZlXNZ8NQZGeRC+j6thcxbuRsh4gsGIGfWa09YpWSwdlkasGpV2TCB\n"
  "pUXoOYBWP0v9iABh5KRIlyb/YFTVYCLEBkOlvBQ5r9wSqQCdhEs3jAi5LSsdMqVn\n"
  "8dmYPDehR9EC/6QEEtetixFtNcApIwUIQ49GnbXgfzRrZ7/df04GaQI2WrIYM0f1\n"
  "rcUH2yhMLBuCHBS4B+gzMCW5gK50gYy7CDzN1Va2bGRSBcpiKgyPGrheNWxzcCpY\n"
  "f/3ZC/DDAgMBAAECggEAMkC7J5cqnvnXf++GNSiM0EHhNEIi/elnHz/f6JI9jclW\n"
  "e9Z+i4h6R2vEIdMprOPQoq7U+2Nfa3/7q1hOXWxduuUyf4JsjL9UiFj/f6IlJ54y\n"
  "rcc8c884qNurTGSYvXcElgb79BcV8ELKreszHp4nxleO8r1W41812LvN/uK5IAlW\n"
  "BNe1ncc9MDrLq/03IYkst3vzXg+a+jKhNEIMOlns+3NZhrT/oAd5Ckeq1IzerrVu\n"
  "Nk/Pz8Tda5n2vy2ZDwH/OAxHoFPq7hem4hWWoV9LDc0lfsztnsm1dTfArkTzkJjn\n"
  "xxE5Lb/es5Pc+mykwajSfmtgl3PXHNebKbtRS1zK8QKBgQD7dkRqgXRktRhuGE8a\n"
  "pk3rJb4q+0mrL/ZUzUbfKOsByv/f4cNNBYl2kn4vVWi0gV5qObIQvJBTo31kZ+3N\n"
  "Y+8aIay6U1yqAlg/PyiuAC3RR5DxT5lpFLoPu8GEf04vclS8rYSgpKNwdOf7RwMm\n"
  "Zf2EF2SdSHfFMDlxRSWsdHY3UwKBgQDx0Bfb+d0eBSZ7w71KybkSIkeFsOjczxVZ\n"
  "rkx5pbv+onoIX7IljLNc9L6r5lgICP4XTI9eZxuM+MUGj2baGgQJNLxvPSDZJIz7\n"
  "VQROUYWLSQbRUSRhg4qfHL8tSbaJubU9IhwS3FKsHdrFOVKejSKuILvuQnpo2ptp\n"
  "TLC3Ktli0QKBgQCPjzJ595QilnzvBbPLjBw53h9WXIXvVH92ZIdMigi4ylMQVsxv\n"
  "4XRcHEAr97/CJYVoca3l/jELfu/sbaUGuEHeElGRQlxJtvL4kK9Bv1po+0mVapMz\n"
  "uaCLsO5HHYLedZBI82sfZz7jyepSu3Th7CIy0kQfwyqVifWRZB+g+BAxfwKBgQCl\n"
  "K4uwkQptP/1aWohItmM4tLt/4Sgd80FVIY5RJVi1BIwwfhU0OtglLXOz/UGyM1pD\n"
  "1eK0C9+wuhfydC8/2LdbBm+T2ABA8gtufVLUoDCExFvoy/D6vpwINN2M9KW/i171\n"
  "o//jDiVWNYpCXvZFIIhIwkk75KKyTmgLU/v9EUKtkQKBgQDNiItekx6h8xd+6qw5\n"
  "rKvmqxDnXC8Y3r3aWTDs3HiV0bEnR3/UKUJ0zV6iyYvtT/INlymhhk53FsMEiAN6\n"
  "IXe5sHT411HhDl2GVugW6tK3SfJIy8raUpmPzWV7tsKZcDe8uLXchDHLyAeeAGkD\n"
  "uOFO9CvhV/Lz9F4M8bIEan5joA==\n"
  "-----END PRIVATE KEY-----\n";

static gboolean
on_accept_certificate_cb (SoupMessage          *msg,
                          GTlsCertificate      *certificate,
                          GTlsCertificateFlags  errors,
                          gpointer              user_data)
{
  return TRUE;
}

static void
test_https (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_pem (test_pem, -1, &error);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *expected = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) rejected = NULL;
  g_autoptr(SoupMessage) accepted = NULL;
  g_autoptr(GBytes) body = NULL;

  g_assert_no_error (error);
  g_object_set (sandbox, "tls-certificate", certificate, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);

  expected = g_strdup_printf ("https://127.0.0.1:%u", kt_sandbox_get_port (sandbox));
  g_assert_cmpstr (kt_sandbox_get_base_uri (sandbox), ==, expected);
  g_assert_true (g_str_has_prefix (kt_sandbox_get_authorize_uri (sandbox), "https://"));

  /* An unknown issuer is a TLS error unless the client accepts it. */
  uri = kt_test_authorize_uri (sandbox, "s");
  rejected = soup_message_new ("GET", uri);
  body = soup_session_send_and_read (session, rejected, NULL, &error);
  g_assert_null (body);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  accepted = soup_message_new ("GET", uri);
  g_signal_connect (accepted, "accept-certificate", G_CALLBACK (on_accept_certificate_cb), NULL);
  body = soup_session_send_and_read (session, accepted, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (accepted), ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "id=\"password\""));
  kt_sandbox_stop (sandbox);
}

static void
test_listen_any (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autofree char *basic = NULL;
  g_autofree char *uri = NULL;

  g_object_set (sandbox, "listen-any", TRUE, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);

  /* The advertised URIs stay on loopback; only loopback is tested. */
  g_assert_true (g_str_has_prefix (kt_sandbox_get_base_uri (sandbox), "http://127.0.0.1:"));
  basic = kt_test_basic (sandbox);
  uri = kt_test_api (sandbox, "sites.json");
  response = kt_test_get (session, uri, basic);
  g_assert_cmpuint (response->status, ==, 200);
  kt_sandbox_stop (sandbox);
}

static void
test_restart (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 3; round++)
    {
      g_autofree char *basic = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(KtResponse) response = NULL;

      kt_sandbox_start (sandbox, 0, &error);
      g_assert_no_error (error);
      basic = kt_test_basic (sandbox);
      uri = kt_test_api (sandbox, "taxes.json");
      response = kt_test_get (session, uri, basic);
      g_assert_cmpuint (response->status, ==, 200);
      kt_sandbox_stop (sandbox);
    }
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "api"), ==, 3);
}

static void
test_index_page (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) index = NULL;
  g_autoptr(KtResponse) missing = NULL;
  g_autofree char *index_uri = NULL;
  g_autofree char *missing_uri = NULL;

  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  index_uri = g_strconcat (kt_sandbox_get_base_uri (sandbox), "/", NULL);
  missing_uri = g_strconcat (kt_sandbox_get_base_uri (sandbox), "/favicon.ico", NULL);
  index = kt_test_get (session, index_uri, NULL);
  missing = kt_test_get (session, missing_uri, NULL);
  g_assert_cmpuint (index->status, ==, 200);
  g_assert_nonnull (strstr (index->body, kt_sandbox_get_token_uri (sandbox)));
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "requests"), ==, 2);
  kt_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-server/https", test_https);
  g_test_add_func ("/sandbox-server/listen-any", test_listen_any);
  g_test_add_func ("/sandbox-server/restart", test_restart);
  g_test_add_func ("/sandbox-server/index-page", test_index_page);

  return g_test_run ();
}
