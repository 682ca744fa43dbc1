#define G_LOG_DOMAIN "sandbox-test"

#include "config.h"

#include <string.h>

#include "sandbox-test.h"

/* Helpers shared by the sandbox tests: a synchronous libsoup client. */

void
kt_response_free (KtResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response->body);
  g_free (response->uri);
  g_free (response->reason);
  g_free (response);
}

/* A started sandbox on a free loopback port with seed 7. */
KtSandbox *
kt_test_sandbox_new (KtSandboxScale scale)
{
  KtSandbox *sandbox = kt_sandbox_new ();

  g_object_set (sandbox, "seed", (guint64) 7, "scale", scale, NULL);
  return sandbox;
}

SoupSession *
kt_test_session_new (gboolean with_cookies)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 30, "max-conns-per-host", 4, NULL);

  if (with_cookies)
    {
      g_autoptr(SoupCookieJar) jar = soup_cookie_jar_new ();

      soup_session_add_feature (session, SOUP_SESSION_FEATURE (jar));
    }
  return session;
}

KtResponse *
kt_test_request (SoupSession       *session,
                 const char        *method,
                 const char        *uri,
                 const char        *authorization,
                 const char        *form,
                 const char *const *headers)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  KtResponse *response;
  SoupMessageHeaders *request_headers;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  request_headers = soup_message_get_request_headers (msg);
  if (authorization != NULL)
    soup_message_headers_replace (request_headers, "Authorization", authorization);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
  if (form != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", body);
    }

  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  response = g_new0 (KtResponse, 1);
  response->status = soup_message_get_status (msg);
  response->reason = g_strdup (soup_message_get_reason_phrase (msg));
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  response->length = g_bytes_get_size (bytes);
  response->body = g_strndup (g_bytes_get_data (bytes, NULL), response->length);
  response->uri = g_strdup (uri);
  return response;
}

KtResponse *
kt_test_get (SoupSession *session,
             const char  *uri,
             const char  *authorization)
{
  return kt_test_request (session, "GET", uri, authorization, NULL, NULL);
}

const char *
kt_response_header (KtResponse *response,
                    const char *name)
{
  return soup_message_headers_get_one (response->headers, name);
}

/* The header as an integer; fails the test when it is absent or not one. */
gint64
kt_response_header_int (KtResponse *response,
                        const char *name)
{
  const char *value = kt_response_header (response, name);
  gint64 number = 0;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (value);
  g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, &error);
  g_assert_no_error (error);
  return number;
}

/* The body parsed as JSON; the caller owns the node. */
JsonNode *
kt_response_json (KtResponse *response)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (response->body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

char *
kt_test_basic (KtSandbox *sandbox)
{
  g_autofree char *pair = g_strconcat (kt_sandbox_get_client_id (sandbox), ":",
                                       kt_sandbox_get_client_secret (sandbox), NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));

  return g_strconcat ("Basic ", encoded, NULL);
}

char *
kt_test_bearer (const char *access_token)
{
  return g_strconcat ("Bearer ", access_token, NULL);
}

/* The absolute URI of @path under the company, e.g. "products.json". */
char *
kt_test_api (KtSandbox  *sandbox,
             const char *path)
{
  return g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/%s", kt_sandbox_get_api_uri (sandbox),
                          kt_sandbox_get_company_id (sandbox), path);
}

char *
kt_test_authorize_uri (KtSandbox  *sandbox,
                       const char *state)
{
  g_autofree char *query = NULL;

  if (state != NULL)
    query = soup_form_encode ("client_id", kt_sandbox_get_client_id (sandbox),
                              "redirect_uri", kt_sandbox_get_redirect_uri (sandbox),
                              "state", state, "response_type", "code", NULL);
  else
    query = soup_form_encode ("client_id", kt_sandbox_get_client_id (sandbox),
                              "redirect_uri", kt_sandbox_get_redirect_uri (sandbox),
                              "response_type", "code", NULL);
  return g_strdup_printf ("%s?%s", kt_sandbox_get_authorize_uri (sandbox), query);
}

static char *
unescape_html (const char *text)
{
  static const struct
  {
    const char *entity;
    char character;
  } entities[] = {
    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
  };
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gboolean replaced = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (entities) && !replaced; i++)
        {
          if (g_str_has_prefix (p, entities[i].entity))
            {
              g_string_append_c (out, entities[i].character);
              p += strlen (entities[i].entity);
              replaced = TRUE;
            }
        }
      if (!replaced)
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/*
 * The hidden inputs of the form with id @form_id, plus its action under
 * the key "@action"; NULL when the page has no such form.
 */
GHashTable *
kt_test_form_fields (const char *html,
                     const char *form_id)
{
  g_autofree char *form_start = g_strdup_printf ("id=\"%s\"", form_id);
  g_autoptr(GRegex) action_regex = g_regex_new ("<form[^>]*action=\"([^\"]*)\"[^>]*>", 0, 0, NULL);
  g_autoptr(GRegex) input_regex = g_regex_new ("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  const char *form;
  const char *form_end;
  g_autofree char *section = NULL;
  GHashTable *fields;

  form = strstr (html, form_start);
  if (form == NULL)
    return NULL;
  while (form > html && *form != '<')
    form--;
  form_end = strstr (form, "</form>");
  g_assert_nonnull (form_end);
  section = g_strndup (form, form_end - form);

  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_regex_match (action_regex, section, 0, &match))
    g_hash_table_insert (fields, g_strdup ("@action"), g_match_info_fetch (match, 1));
  g_clear_pointer (&match, g_match_info_free);

  g_regex_match (input_regex, section, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *value = g_match_info_fetch (match, 2);

      g_hash_table_insert (fields, g_match_info_fetch (match, 1), unescape_html (value));
      g_match_info_next (match, NULL);
    }
  return fields;
}

static char *
encode_fields (GHashTable *fields)
{
  GString *form = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_str_equal (key, "@action"))
        continue;
      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_uri_escaped (form, key, NULL, FALSE);
      g_string_append_c (form, '=');
      g_string_append_uri_escaped (form, value, NULL, FALSE);
    }
  return g_string_free (form, FALSE);
}

/*
 * Goes through the HTML pages as a browser would: the login form (when
 * the session has no cookie yet), then the permission form, pressing the
 * button named by @decision. Returns the Location of the final redirect.
 */
char *
kt_test_authorize_code (KtSandbox   *sandbox,
                        SoupSession *session,
                        const char  *state,
                        const char  *decision)
{
  g_autofree char *uri = kt_test_authorize_uri (sandbox, state);
  g_autoptr(KtResponse) page = kt_test_get (session, uri, NULL);
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(KtResponse) decided = NULL;
  g_autofree char *form = NULL;
  g_autofree char *action = NULL;

  g_assert_cmpuint (page->status, ==, 200);

  fields = kt_test_form_fields (page->body, "login");
  if (fields != NULL)
    {
      g_autoptr(KtResponse) login = NULL;
      g_autoptr(KtResponse) permission = NULL;
      const char *location;

      g_hash_table_insert (fields, g_strdup ("email"), g_strdup (kt_sandbox_get_login_email (sandbox)));
      g_hash_table_insert (fields, g_strdup ("password"), g_strdup (kt_sandbox_get_login_password (sandbox)));
      form = encode_fields (fields);
      action = g_strconcat (kt_sandbox_get_base_uri (sandbox), g_hash_table_lookup (fields, "@action"), NULL);
      login = kt_test_request (session, "POST", action, NULL, form, NULL);
      g_assert_cmpuint (login->status, ==, 303);
      location = kt_response_header (login, "Location");
      g_assert_nonnull (location);

      permission = kt_test_get (session, location, NULL);
      g_assert_cmpuint (permission->status, ==, 200);
      g_clear_pointer (&fields, g_hash_table_unref);
      g_clear_pointer (&form, g_free);
      g_clear_pointer (&action, g_free);
      fields = kt_test_form_fields (permission->body, "permission");
    }
  else
    fields = kt_test_form_fields (page->body, "permission");

  g_assert_nonnull (fields);
  g_hash_table_insert (fields, g_strdup ("decision"), g_strdup (decision));
  form = encode_fields (fields);
  action = g_strconcat (kt_sandbox_get_base_uri (sandbox), g_hash_table_lookup (fields, "@action"), NULL);
  decided = kt_test_request (session, "POST", action, NULL, form, NULL);
  g_assert_cmpuint (decided->status, ==, 302);
  g_assert_nonnull (kt_response_header (decided, "Location"));

  return g_strdup (kt_response_header (decided, "Location"));
}

/* Signs in through the pages and the token endpoint; returns the access token. */
char *
kt_test_sign_in (KtSandbox   *sandbox,
                 SoupSession *session,
                 char       **refresh_token)
{
  g_autofree char *location = kt_test_authorize_code (sandbox, session, "state-1", "allow");
  g_autoptr(GUri) uri = g_uri_parse (location, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GHashTable) params = soup_form_decode (g_uri_get_query (uri));
  g_autofree char *form = NULL;
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_nonnull (g_hash_table_lookup (params, "code"));
  form = soup_form_encode ("grant_type", "authorization_code",
                           "code", g_hash_table_lookup (params, "code"),
                           "client_id", kt_sandbox_get_client_id (sandbox),
                           "client_secret", kt_sandbox_get_client_secret (sandbox),
                           "redirect_uri", kt_sandbox_get_redirect_uri (sandbox),
                           NULL);
  response = kt_test_request (session, "POST", kt_sandbox_get_token_uri (sandbox), NULL, form, NULL);
  g_assert_cmpuint (response->status, ==, 200);
  node = kt_response_json (response);
  object = json_node_get_object (node);
  if (refresh_token != NULL)
    *refresh_token = g_strdup (json_object_get_string_member (object, "refresh_token"));
  return g_strdup (json_object_get_string_member (object, "access_token"));
}

/*
 * Follows X-Next-Page from @path to the end; returns every row as a
 * JsonNode, each page's rows in order.
 */
GPtrArray *
kt_test_fetch_all (KtSandbox   *sandbox,
                   SoupSession *session,
                   const char  *path,
                   const char  *authorization)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *uri = kt_test_api (sandbox, path);
  guint pages = 0;

  while (uri != NULL)
    {
      g_autoptr(KtResponse) response = kt_test_get (session, uri, authorization);
      g_autoptr(JsonNode) node = NULL;
      JsonArray *array;

      g_assert_cmpuint (response->status, ==, 200);
      node = kt_response_json (response);
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (rows, json_node_copy (json_array_get_element (array, i)));

      g_free (uri);
      uri = g_strdup (kt_response_header (response, "X-Next-Page"));
      g_assert_cmpuint (++pages, <, 10000);
    }
  return rows;
}
