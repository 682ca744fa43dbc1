#define G_LOG_DOMAIN "test-sandbox-oauth"

#include "config.h"

#include <string.h>

#include "sandbox-test.h"

/* The authorize pages, the token and revoke endpoints, and API credentials. */

typedef struct
{
  KtSandbox *sandbox;
  SoupSession *session;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  if (user_data != NULL)
    g_object_set (fixture->sandbox, "token-lifetime", 1.0, NULL);
  kt_sandbox_start (fixture->sandbox, 0, &error);
  g_assert_no_error (error);
  fixture->session = kt_test_session_new (TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  kt_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
}

static GHashTable *
redirect_params (const char *location)
{
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);

  g_assert_nonnull (uri);
  g_assert_nonnull (g_uri_get_query (uri));
  return soup_form_decode (g_uri_get_query (uri));
}

static KtResponse *
post_token (Fixture    *fixture,
            const char *form)
{
  return kt_test_request (fixture->session, "POST", kt_sandbox_get_token_uri (fixture->sandbox),
                          NULL, form, NULL);
}

static char *
code_form (Fixture    *fixture,
           const char *code)
{
  return soup_form_encode ("grant_type", "authorization_code", "code", code,
                           "client_id", kt_sandbox_get_client_id (fixture->sandbox),
                           "client_secret", kt_sandbox_get_client_secret (fixture->sandbox),
                           "redirect_uri", kt_sandbox_get_redirect_uri (fixture->sandbox), NULL);
}

static char *
refresh_form (Fixture    *fixture,
              const char *refresh_token)
{
  return soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                           "client_id", kt_sandbox_get_client_id (fixture->sandbox),
                           "client_secret", kt_sandbox_get_client_secret (fixture->sandbox), NULL);
}

static void
assert_error (KtResponse *response,
              guint       status,
              const char *error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpuint (response->status, ==, status);
  node = kt_response_json (response);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, error);
  g_assert_true (json_object_has_member (object, "error_description"));
}

static guint
api_status (Fixture    *fixture,
            const char *access_token)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "sites.json");
  g_autofree char *bearer = kt_test_bearer (access_token);
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, bearer);

  return response->status;
}

static void
test_uris (Fixture       *fixture,
           gconstpointer  user_data)
{
  KtSandbox *sandbox = fixture->sandbox;
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", kt_sandbox_get_port (sandbox));
  g_autofree char *api = g_strconcat (base, "/v1/", NULL);
  g_autofree char *authorize = g_strconcat (base, "/authorize", NULL);
  g_autofree char *token = g_strconcat (base, "/v1/token.json", NULL);
  g_autofree char *revoke = g_strconcat (base, "/v1/revoke.json", NULL);

  g_assert_cmpuint (kt_sandbox_get_port (sandbox), >, 0);
  g_assert_cmpstr (kt_sandbox_get_base_uri (sandbox), ==, base);
  g_assert_cmpstr (kt_sandbox_get_api_uri (sandbox), ==, api);
  g_assert_cmpstr (kt_sandbox_get_authorize_uri (sandbox), ==, authorize);
  g_assert_cmpstr (kt_sandbox_get_token_uri (sandbox), ==, token);
  g_assert_cmpstr (kt_sandbox_get_revoke_uri (sandbox), ==, revoke);
  g_assert_cmpstr (kt_sandbox_get_redirect_uri (sandbox), ==, "http://127.0.0.1/kounter/callback");
  g_assert_nonnull (kt_sandbox_get_client_id (sandbox));
  g_assert_nonnull (kt_sandbox_get_client_secret (sandbox));
  g_assert_nonnull (kt_sandbox_get_company_name (sandbox));
  g_assert_cmpint (kt_sandbox_get_company_id (sandbox), >, 0);
}

static void
test_login_page (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_authorize_uri (fixture->sandbox, "s1");
  g_autoptr(KtResponse) page = kt_test_get (fixture->session, uri, NULL);
  g_autoptr(GHashTable) fields = NULL;

  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (kt_response_header (page, "Content-Type"), "text/html"));
  g_assert_nonnull (strstr (page->body, "id=\"email\""));
  g_assert_nonnull (strstr (page->body, "id=\"password\""));
  g_assert_nonnull (strstr (page->body, "id=\"sign-in\""));
  g_assert_nonnull (strstr (page->body, kt_sandbox_get_login_email (fixture->sandbox)));
  g_assert_nonnull (strstr (page->body, "href=\"https://www.example.com/help\""));

  fields = kt_test_form_fields (page->body, "login");
  g_assert_nonnull (fields);
  g_assert_cmpstr (g_hash_table_lookup (fields, "state"), ==, "s1");
  g_assert_cmpstr (g_hash_table_lookup (fields, "@action"), ==, "/authorize/login");
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "authorize"), ==, 1);
}

static void
test_flow_allow (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *location = kt_test_authorize_code (fixture->sandbox, fixture->session, "st&te=1", "allow");
  g_autoptr(GHashTable) params = redirect_params (location);
  g_autofree char *form = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1/kounter/callback?"));
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st&te=1");
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "status:302"), ==, 1);

  form = code_form (fixture, g_hash_table_lookup (params, "code"));
  response = post_token (fixture, form);
  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpstr (kt_response_header (response, "Cache-Control"), ==, "no-store");
  node = kt_response_json (response);
  object = json_node_get_object (node);
  g_assert_nonnull (json_object_get_string_member (object, "access_token"));
  g_assert_nonnull (json_object_get_string_member (object, "refresh_token"));
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 3600);
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "bearer");
  g_assert_true (json_object_has_member (object, "scope"));
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "token:authorization_code"), ==, 1);

  g_assert_cmpuint (api_status (fixture, json_object_get_string_member (object, "access_token")), ==, 200);
}

static void
test_flow_deny (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *location = kt_test_authorize_code (fixture->sandbox, fixture->session, "s2", "deny");
  g_autoptr(GHashTable) params = redirect_params (location);

  g_assert_cmpstr (g_hash_table_lookup (params, "error"), ==, "access_denied");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "s2");
  g_assert_null (g_hash_table_lookup (params, "code"));
}

static void
test_session_cookie (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *first = kt_test_authorize_code (fixture->sandbox, fixture->session, "a", "allow");
  g_autofree char *uri = kt_test_authorize_uri (fixture->sandbox, "b");
  g_autoptr(KtResponse) page = kt_test_get (fixture->session, uri, NULL);

  g_assert_cmpuint (page->status, ==, 200);
  g_assert_null (strstr (page->body, "id=\"password\""));
  g_assert_nonnull (strstr (page->body, "id=\"allow\""));
  g_assert_nonnull (strstr (page->body, "id=\"deny\""));
  g_assert_nonnull (strstr (page->body, "Kounter Demo"));
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "login"), ==, 1);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_authorize_uri (fixture->sandbox, "s3");
  g_autoptr(KtResponse) page = kt_test_get (fixture->session, uri, NULL);
  g_autoptr(GHashTable) fields = kt_test_form_fields (page->body, "login");
  g_autofree char *form = NULL;
  g_autofree char *action = g_strconcat (kt_sandbox_get_base_uri (fixture->sandbox), "/authorize/login", NULL);
  g_autoptr(KtResponse) again = NULL;
  g_autoptr(GHashTable) again_fields = NULL;

  form = soup_form_encode ("client_id", g_hash_table_lookup (fields, "client_id"),
                           "redirect_uri", g_hash_table_lookup (fields, "redirect_uri"),
                           "state", g_hash_table_lookup (fields, "state"),
                           "response_type", g_hash_table_lookup (fields, "response_type"),
                           "email", kt_sandbox_get_login_email (fixture->sandbox),
                           "password", "wrong", NULL);
  again = kt_test_request (fixture->session, "POST", action, NULL, form, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_null (kt_response_header (again, "Set-Cookie"));
  g_assert_nonnull (strstr (again->body, "id=\"error\""));
  again_fields = kt_test_form_fields (again->body, "login");
  g_assert_nonnull (again_fields);
  g_assert_cmpstr (g_hash_table_lookup (again_fields, "state"), ==, "s3");
}

static void
assert_error_page (Fixture    *fixture,
                   const char *uri,
                   const char *expected)
{
  g_autoptr(KtResponse) page = kt_test_get (fixture->session, uri, NULL);

  g_assert_cmpuint (page->status, ==, 400);
  g_assert_null (kt_response_header (page, "Location"));
  g_assert_null (strstr (page->body, "<form"));
  g_assert_nonnull (strstr (page->body, expected));
}

static void
test_invalid_requests (Fixture       *fixture,
                       gconstpointer  user_data)
{
  const char *authorize = kt_sandbox_get_authorize_uri (fixture->sandbox);
  g_autofree char *redirect = g_uri_escape_string (kt_sandbox_get_redirect_uri (fixture->sandbox), NULL, FALSE);
  g_autofree char *unknown_client = g_strdup_printf ("%s?client_id=nobody&redirect_uri=%s&state=x&response_type=code",
                                                     authorize, redirect);
  g_autofree char *other_redirect = g_strdup_printf ("%s?client_id=kounter-demo&redirect_uri=%s&state=x&response_type=code",
                                                     authorize, "http%3A%2F%2F127.0.0.1%2Fkounter%2Fcallback%2Fx");
  g_autofree char *no_state = kt_test_authorize_uri (fixture->sandbox, NULL);

  assert_error_page (fixture, unknown_client, "nobody");
  assert_error_page (fixture, other_redirect, "http://127.0.0.1/kounter/callback/x");
  assert_error_page (fixture, no_state, "state");
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "status:302"), ==, 0);
}

static void
test_code_single_use (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *location = kt_test_authorize_code (fixture->sandbox, fixture->session, "s", "allow");
  g_autoptr(GHashTable) params = redirect_params (location);
  g_autofree char *form = code_form (fixture, g_hash_table_lookup (params, "code"));
  g_autoptr(KtResponse) first = post_token (fixture, form);
  g_autoptr(KtResponse) second = post_token (fixture, form);

  g_assert_cmpuint (first->status, ==, 200);
  assert_error (second, 400, "invalid_grant");
}

static void
test_code_bound (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *location = kt_test_authorize_code (fixture->sandbox, fixture->session, "s", "allow");
  g_autoptr(GHashTable) params = redirect_params (location);
  g_autofree char *wrong_redirect = NULL;
  g_autofree char *unknown = code_form (fixture, "not-a-code");
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(KtResponse) unknown_response = NULL;

  wrong_redirect = soup_form_encode ("grant_type", "authorization_code",
                                     "code", g_hash_table_lookup (params, "code"),
                                     "client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                     "client_secret", kt_sandbox_get_client_secret (fixture->sandbox),
                                     "redirect_uri", "http://127.0.0.1/other", NULL);
  response = post_token (fixture, wrong_redirect);
  assert_error (response, 400, "invalid_grant");
  unknown_response = post_token (fixture, unknown);
  assert_error (unknown_response, 400, "invalid_grant");
}

static void
test_token_errors (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(KtResponse) no_grant = post_token (fixture, "client_id=kounter-demo");
  g_autofree char *bad_secret = soup_form_encode ("grant_type", "refresh_token", "refresh_token", "x",
                                                  "client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                                  "client_secret", "wrong", NULL);
  g_autoptr(KtResponse) bad_client = post_token (fixture, bad_secret);
  g_autofree char *password_grant = soup_form_encode ("grant_type", "password",
                                                      "client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                                      "client_secret", kt_sandbox_get_client_secret (fixture->sandbox),
                                                      NULL);
  g_autoptr(KtResponse) unsupported = post_token (fixture, password_grant);
  g_autofree char *no_code = code_form (fixture, "");
  g_autoptr(KtResponse) missing = post_token (fixture, no_code);
  g_autoptr(KtResponse) get = kt_test_get (fixture->session, kt_sandbox_get_token_uri (fixture->sandbox), NULL);

  assert_error (no_grant, 400, "invalid_request");
  assert_error (bad_client, 401, "invalid_client");
  assert_error (unsupported, 400, "unsupported_grant_type");
  assert_error (missing, 400, "invalid_request");
  g_assert_cmpuint (get->status, ==, 405);
}

/* POSTs @body as application/json to @uri and returns the status; stores
 * the error_description of the reply in @description. */
static guint
post_json_body (Fixture     *fixture,
                const char  *uri,
                const char  *body,
                char       **description)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) request_body = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
  reply = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), (gssize) g_bytes_get_size (reply), &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "invalid_request");
  *description = g_strdup (json_object_get_string_member (object, "error_description"));
  return soup_message_get_status (msg);
}

static void
test_json_body_rejected (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *token_description = NULL;
  g_autofree char *revoke_description = NULL;
  guint token_status = post_json_body (fixture, kt_sandbox_get_token_uri (fixture->sandbox),
                                       "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"x\"}",
                                       &token_description);
  guint revoke_status = post_json_body (fixture, kt_sandbox_get_revoke_uri (fixture->sandbox),
                                        "{\"token\":\"x\"}", &revoke_description);
  g_autoptr(KtResponse) no_grant = post_token (fixture, "client_id=kounter-demo");
  g_autoptr(JsonNode) node = kt_response_json (no_grant);

  g_assert_cmpuint (token_status, ==, 400);
  g_assert_nonnull (strstr (token_description, "application/x-www-form-urlencoded"));
  g_assert_nonnull (strstr (token_description, "application/json"));
  g_assert_cmpuint (revoke_status, ==, 400);
  g_assert_nonnull (strstr (revoke_description, "application/x-www-form-urlencoded"));
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "token:refresh_token"), ==, 0);

  /* The error for a form without grant_type names the form content type. */
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (node), "error_description"),
                            "application/x-www-form-urlencoded"));
}

static void
test_allow_header (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *base = g_strdup (kt_sandbox_get_base_uri (fixture->sandbox));
  g_autofree char *login = g_strconcat (base, "/authorize/login", NULL);
  g_autofree char *root = g_strconcat (base, "/", NULL);
  g_autoptr(KtResponse) token = kt_test_get (fixture->session, kt_sandbox_get_token_uri (fixture->sandbox), NULL);
  g_autoptr(KtResponse) revoke = kt_test_get (fixture->session, kt_sandbox_get_revoke_uri (fixture->sandbox), NULL);
  g_autoptr(KtResponse) authorize = kt_test_request (fixture->session, "POST",
                                                     kt_sandbox_get_authorize_uri (fixture->sandbox),
                                                     NULL, "x=1", NULL);
  g_autoptr(KtResponse) login_get = kt_test_get (fixture->session, login, NULL);
  g_autoptr(KtResponse) root_post = kt_test_request (fixture->session, "POST", root, NULL, "x=1", NULL);

  g_assert_cmpuint (token->status, ==, 405);
  g_assert_cmpstr (kt_response_header (token, "Allow"), ==, "POST");
  g_assert_cmpuint (revoke->status, ==, 405);
  g_assert_cmpstr (kt_response_header (revoke, "Allow"), ==, "POST");
  g_assert_cmpuint (authorize->status, ==, 405);
  g_assert_cmpstr (kt_response_header (authorize, "Allow"), ==, "GET, HEAD");
  g_assert_cmpuint (login_get->status, ==, 405);
  g_assert_cmpstr (kt_response_header (login_get, "Allow"), ==, "POST");
  g_assert_cmpuint (root_post->status, ==, 405);
  g_assert_cmpstr (kt_response_header (root_post, "Allow"), ==, "GET, HEAD");
}

static void
test_token_without_suffix (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *location = kt_test_authorize_code (fixture->sandbox, fixture->session, "s", "allow");
  g_autoptr(GHashTable) params = redirect_params (location);
  g_autofree char *form = code_form (fixture, g_hash_table_lookup (params, "code"));
  g_autofree char *uri = g_strconcat (kt_sandbox_get_api_uri (fixture->sandbox), "token", NULL);
  g_autoptr(KtResponse) response = kt_test_request (fixture->session, "POST", uri, NULL, form, NULL);

  g_assert_cmpuint (response->status, ==, 200);
}

static void
test_refresh (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (fixture->sandbox, fixture->session, &refresh_token);
  g_autofree char *form = refresh_form (fixture, refresh_token);
  g_autoptr(KtResponse) response = post_token (fixture, form);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  const char *new_token;

  g_assert_cmpuint (response->status, ==, 200);
  node = kt_response_json (response);
  object = json_node_get_object (node);
  new_token = json_object_get_string_member (object, "access_token");
  g_assert_cmpstr (new_token, !=, access_token);
  g_assert_cmpstr (json_object_get_string_member (object, "refresh_token"), ==, refresh_token);
  g_assert_cmpuint (api_status (fixture, new_token), ==, 200);
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "token:refresh_token"), ==, 1);
}

static void
test_revoke_access (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (fixture->sandbox, fixture->session, &refresh_token);
  g_autofree char *form = soup_form_encode ("client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                            "client_secret", kt_sandbox_get_client_secret (fixture->sandbox),
                                            "token", access_token, NULL);
  g_autoptr(KtResponse) response = kt_test_request (fixture->session, "POST",
                                                    kt_sandbox_get_revoke_uri (fixture->sandbox),
                                                    NULL, form, NULL);
  g_autofree char *refresh = refresh_form (fixture, refresh_token);
  g_autoptr(KtResponse) refreshed = NULL;

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (api_status (fixture, access_token), ==, 401);
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "revoke"), ==, 1);

  /* The refresh token still works. */
  refreshed = post_token (fixture, refresh);
  g_assert_cmpuint (refreshed->status, ==, 200);
}

static void
test_revoke_refresh (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (fixture->sandbox, fixture->session, &refresh_token);
  g_autofree char *form = soup_form_encode ("client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                            "client_secret", kt_sandbox_get_client_secret (fixture->sandbox),
                                            "token", refresh_token, NULL);
  g_autoptr(KtResponse) response = kt_test_request (fixture->session, "POST",
                                                    kt_sandbox_get_revoke_uri (fixture->sandbox),
                                                    NULL, form, NULL);
  g_autofree char *refresh = refresh_form (fixture, refresh_token);
  g_autoptr(KtResponse) refreshed = post_token (fixture, refresh);
  g_autofree char *bad_form = soup_form_encode ("client_id", kt_sandbox_get_client_id (fixture->sandbox),
                                                "client_secret", "wrong", "token", refresh_token, NULL);
  g_autoptr(KtResponse) bad = kt_test_request (fixture->session, "POST",
                                               kt_sandbox_get_revoke_uri (fixture->sandbox),
                                               NULL, bad_form, NULL);

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_cmpuint (api_status (fixture, access_token), ==, 401);
  assert_error (refreshed, 400, "invalid_grant");
  assert_error (bad, 401, "invalid_client");
}

static void
test_revoke_all (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = kt_test_sign_in (fixture->sandbox, fixture->session, &refresh_token);
  g_autofree char *refresh = refresh_form (fixture, refresh_token);
  g_autoptr(KtResponse) refreshed = NULL;

  g_assert_cmpuint (api_status (fixture, access_token), ==, 200);
  kt_sandbox_revoke_all_tokens (fixture->sandbox);
  g_assert_cmpuint (api_status (fixture, access_token), ==, 401);
  refreshed = post_token (fixture, refresh);
  assert_error (refreshed, 400, "invalid_grant");
}

static void
test_expiry (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *access_token = kt_test_sign_in (fixture->sandbox, fixture->session, NULL);
  g_autofree char *uri = kt_test_api (fixture->sandbox, "sites.json");
  g_autofree char *bearer = kt_test_bearer (access_token);
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  /* The fixture made tokens live one second. */
  g_usleep (1200 * 1000);
  response = kt_test_get (fixture->session, uri, bearer);
  g_assert_cmpuint (response->status, ==, 401);
  node = kt_response_json (response);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, "invalid_token");
  g_assert_cmpstr (json_object_get_string_member (object, "error_description"), ==,
                   "The access token provided has expired");
  g_assert_null (kt_response_header (response, "X-Ratelimit-Limit"));
}

static void
test_token_variants (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh_token = NULL;
  g_autofree char *access_token = NULL;
  g_autofree char *form = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_object_set (sandbox, "expires-in-string", TRUE, "refresh-omits-token", TRUE, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  access_token = kt_test_sign_in (sandbox, session, &refresh_token);
  g_assert_nonnull (refresh_token);

  form = soup_form_encode ("grant_type", "refresh_token", "refresh_token", refresh_token,
                           "client_id", kt_sandbox_get_client_id (sandbox),
                           "client_secret", kt_sandbox_get_client_secret (sandbox), NULL);
  response = kt_test_request (session, "POST", kt_sandbox_get_token_uri (sandbox), NULL, form, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  node = kt_response_json (response);
  object = json_node_get_object (node);
  g_assert_false (json_object_has_member (object, "refresh_token"));
  g_assert_cmpstr (json_object_get_string_member (object, "expires_in"), ==, "3600");
  g_assert_cmpstr (json_object_get_string_member (object, "access_token"), !=, access_token);
  kt_sandbox_stop (sandbox);
}

static void
test_code_expiry (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *form = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_object_set (sandbox, "code-lifetime", 0.5, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  location = kt_test_authorize_code (sandbox, session, "s", "allow");
  params = redirect_params (location);
  form = soup_form_encode ("grant_type", "authorization_code", "code", g_hash_table_lookup (params, "code"),
                           "client_id", kt_sandbox_get_client_id (sandbox),
                           "client_secret", kt_sandbox_get_client_secret (sandbox),
                           "redirect_uri", kt_sandbox_get_redirect_uri (sandbox), NULL);
  g_usleep (700 * 1000);
  response = kt_test_request (session, "POST", kt_sandbox_get_token_uri (sandbox), NULL, form, NULL);
  g_assert_cmpuint (response->status, ==, 400);
  node = kt_response_json (response);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "invalid_grant");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error_description"), ==,
                   "The authorization code has expired");
  kt_sandbox_stop (sandbox);
}

static void
test_api_credentials (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "sites.json");
  g_autoptr(KtResponse) missing = kt_test_get (fixture->session, uri, NULL);
  g_autoptr(KtResponse) wrong_token = kt_test_get (fixture->session, uri, "Bearer nope");
  g_autoptr(KtResponse) wrong_basic = kt_test_get (fixture->session, uri, "Basic a291bnRlci1kZW1vOng=");
  g_autofree char *basic = kt_test_basic (fixture->sandbox);
  g_autoptr(KtResponse) good = kt_test_get (fixture->session, uri, basic);
  g_autoptr(JsonNode) node = kt_response_json (wrong_token);

  assert_error (missing, 401, "invalid_request");
  assert_error (wrong_token, 401, "invalid_token");
  assert_error (wrong_basic, 401, "invalid_client");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error_description"), ==,
                   "The access token provided is invalid");
  g_assert_cmpuint (good->status, ==, 200);
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "api"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "status:401"), ==, 3);
  g_assert_cmpuint (kt_sandbox_get_counter (fixture->sandbox, "no-such-counter"), ==, 0);
}

static void
test_redirect_uri_property (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;

  g_object_set (sandbox, "redirect-uri", "http://127.0.0.1:9/done?x=1", NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  location = kt_test_authorize_code (sandbox, session, "s", "allow");
  g_assert_true (g_str_has_prefix (location, "http://127.0.0.1:9/done?x=1&code="));
  kt_sandbox_stop (sandbox);
}

static void
test_auto_approve (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(KtResponse) redirect = NULL;
  g_autoptr(KtResponse) invalid = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *wrong_client = NULL;
  gboolean auto_approve = TRUE;

  /* Off unless a caller turns it on. */
  g_object_get (sandbox, "auto-approve", &auto_approve, NULL);
  g_assert_false (auto_approve);

  g_object_set (sandbox, "auto-approve", TRUE, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);

  /* No login page and no permission page: the code comes at once. */
  uri = kt_test_authorize_uri (sandbox, "auto");
  redirect = kt_test_get (session, uri, NULL);
  g_assert_cmpuint (redirect->status, ==, 302);
  g_assert_true (g_str_has_prefix (kt_response_header (redirect, "Location"),
                                   "http://127.0.0.1/kounter/callback?"));
  params = redirect_params (kt_response_header (redirect, "Location"));
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "auto");
  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize:auto"), ==, 1);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "login"), ==, 0);

  /* The parameters are still checked. */
  wrong_client = g_strdup_printf ("%s?client_id=other&redirect_uri=%s&state=s&response_type=code",
                                  kt_sandbox_get_authorize_uri (sandbox),
                                  "http%3A%2F%2F127.0.0.1%2Fkounter%2Fcallback");
  invalid = kt_test_get (session, wrong_client, NULL);
  g_assert_cmpuint (invalid->status, !=, 302);
  g_assert_cmpuint (kt_sandbox_get_counter (sandbox, "authorize:auto"), ==, 1);

  kt_sandbox_stop (sandbox);
}

static void
test_start_twice (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) other = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GError) error = NULL;

  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_false (kt_sandbox_start (sandbox, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* A port in use is an error, not a crash. */
  g_assert_false (kt_sandbox_start (other, kt_sandbox_get_port (sandbox), &error));
  g_assert_nonnull (error);
  kt_sandbox_stop (sandbox);
  kt_sandbox_stop (sandbox);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/sandbox-oauth/uris", test_uris);
  ADD ("/sandbox-oauth/login-page", test_login_page);
  ADD ("/sandbox-oauth/flow-allow", test_flow_allow);
  ADD ("/sandbox-oauth/flow-deny", test_flow_deny);
  ADD ("/sandbox-oauth/session-cookie", test_session_cookie);
  ADD ("/sandbox-oauth/wrong-password", test_wrong_password);
  ADD ("/sandbox-oauth/invalid-requests", test_invalid_requests);
  ADD ("/sandbox-oauth/code-single-use", test_code_single_use);
  ADD ("/sandbox-oauth/code-bound", test_code_bound);
  ADD ("/sandbox-oauth/token-errors", test_token_errors);
  ADD ("/sandbox-oauth/json-body-rejected", test_json_body_rejected);
  ADD ("/sandbox-oauth/allow-header", test_allow_header);
  ADD ("/sandbox-oauth/token-without-suffix", test_token_without_suffix);
  ADD ("/sandbox-oauth/refresh", test_refresh);
  ADD ("/sandbox-oauth/revoke-access", test_revoke_access);
  ADD ("/sandbox-oauth/revoke-refresh", test_revoke_refresh);
  ADD ("/sandbox-oauth/revoke-all", test_revoke_all);
  ADD ("/sandbox-oauth/api-credentials", test_api_credentials);
#undef ADD
  g_test_add ("/sandbox-oauth/expiry", Fixture, GINT_TO_POINTER (1), fixture_set_up, test_expiry,
              fixture_tear_down);
  g_test_add_func ("/sandbox-oauth/redirect-uri-property", test_redirect_uri_property);
  g_test_add_func ("/sandbox-oauth/start-twice", test_start_twice);
  g_test_add_func ("/sandbox-oauth/auto-approve", test_auto_approve);
  g_test_add_func ("/sandbox-oauth/code-expiry", test_code_expiry);
  g_test_add_func ("/sandbox-oauth/token-variants", test_token_variants);

  return g_test_run ();
}
