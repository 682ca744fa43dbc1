#include "config.h"

#include <string.h>

#include "core-test.h"

#define WAIT_LIMIT_SECONDS 50

static gboolean
on_timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

KtSandbox *
kt_core_test_sandbox_new (KtSandboxScale  scale,
                          const char     *first_property,
                          ...)
{
  g_autoptr(GError) error = NULL;
  KtSandbox *sandbox = kt_sandbox_new ();
  va_list args;

  g_object_set (sandbox, "scale", scale, "seed", (guint64) 7, NULL);
  if (first_property != NULL)
    {
      va_start (args, first_property);
      g_object_set_valist (G_OBJECT (sandbox), first_property, args);
      va_end (args);
    }

  g_assert_true (kt_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  return sandbox;
}

KtOAuthConfig *
kt_core_test_config (KtSandbox *sandbox)
{
  KtOAuthConfig *config = kt_oauth_config_new ();

  config->client_id = g_strdup (kt_sandbox_get_client_id (sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (sandbox));
  config->redirect_uri = g_strdup (kt_sandbox_get_redirect_uri (sandbox));
  config->authorize_uri = g_strdup (kt_sandbox_get_authorize_uri (sandbox));
  config->token_uri = g_strdup (kt_sandbox_get_token_uri (sandbox));
  config->revoke_uri = g_strdup (kt_sandbox_get_revoke_uri (sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (sandbox));
  return config;
}

KtClient *
kt_core_test_client_new (void)
{
  KtClient *client = kt_client_new ();

  /* Keep fault retries quick. */
  g_object_set (client, "retry-delay", 0.05, NULL);
  return client;
}

void
kt_core_test_wait (GAsyncResult **result)
{
  gboolean expired = FALSE;
  guint timeout = g_timeout_add_seconds (WAIT_LIMIT_SECONDS, on_timeout_cb, &expired);

  while (*result == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);

  if (expired)
    g_error ("An operation did not finish within %d seconds", WAIT_LIMIT_SECONDS);
  g_source_remove (timeout);
}

void
kt_core_test_store_result (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

void
kt_core_test_sleep (double seconds)
{
  gboolean expired = FALSE;

  g_timeout_add ((guint) (seconds * 1000), on_timeout_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

KtResponse *
kt_core_test_get (KtClient   *client,
                  KtAccount  *account,
                  const char *path,
                  GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kt_client_request_async (client, account, "GET", path, NULL, KT_PRIORITY_INTERACTIVE,
                           NULL, kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  return kt_client_request_finish (client, result, error);
}

/* ---- the browser side of the authorization-code flow ---- */

typedef struct
{
  guint status;
  char *location;
  char *cookie;
  char *body;
} Page;

static void
page_free (Page *page)
{
  g_free (page->location);
  g_free (page->cookie);
  g_free (page->body);
  g_free (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Page, page_free)

static Page *
browse (SoupSession *session,
        const char  *method,
        const char  *uri,
        const char  *cookie,
        GHashTable  *form)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *set_cookie;
  Page *page;
  gsize size;
  const char *data;

  if (form != NULL)
    message = soup_message_new_from_encoded_form (method, uri, soup_form_encode_hash (form));
  else
    message = soup_message_new (method, uri);
  g_assert_nonnull (message);
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  if (cookie != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Cookie", cookie);

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);

  headers = soup_message_get_response_headers (message);
  page = g_new0 (Page, 1);
  page->status = soup_message_get_status (message);
  page->location = g_strdup (soup_message_headers_get_one (headers, "Location"));
  set_cookie = soup_message_headers_get_one (headers, "Set-Cookie");
  if (set_cookie != NULL)
    page->cookie = g_strndup (set_cookie, strcspn (set_cookie, ";"));
  data = g_bytes_get_data (body, &size);
  page->body = g_strndup (data != NULL ? data : "", size);

  return page;
}

static char *
unescape_attribute (const char *value)
{
  static const struct { const char *entity; char character; } entities[] = {
    { "&amp;", '&' }, { "&quot;", '"' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&#39;", '\'' },
  };
  GString *out = g_string_new (NULL);
  const char *p = value;

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
        {
          g_string_append_c (out, *p);
          p++;
        }
    }

  return g_string_free (out, FALSE);
}

/* The hidden fields of the form with @form_id, and its action. */
static GHashTable *
read_form (const char  *html,
           const char  *form_id,
           char       **action)
{
  g_autofree char *marker = g_strdup_printf ("id=\"%s\"", form_id);
  g_autoptr(GRegex) input = NULL;
  g_autoptr(GRegex) action_regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *form_text = NULL;
  GHashTable *fields;
  const char *start;
  const char *form_start;
  const char *end;

  start = strstr (html, marker);
  g_assert_nonnull (start);
  form_start = g_strrstr_len (html, start - html, "<form");
  g_assert_nonnull (form_start);
  end = strstr (start, "</form>");
  g_assert_nonnull (end);
  form_text = g_strndup (form_start, end - form_start);

  action_regex = g_regex_new ("action=\"([^\"]*)\"", 0, 0, NULL);
  g_assert_true (g_regex_match (action_regex, form_text, 0, &match));
  *action = g_match_info_fetch (match, 1);
  g_clear_pointer (&match, g_match_info_free);

  fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  input = g_regex_new ("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"", 0, 0, NULL);
  g_regex_match (input, form_text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *value = g_match_info_fetch (match, 2);

      g_hash_table_replace (fields, g_match_info_fetch (match, 1), unescape_attribute (value));
      g_match_info_next (match, NULL);
    }

  return fields;
}

static char *
absolute (KtSandbox  *sandbox,
          const char *path)
{
  const char *base = kt_sandbox_get_base_uri (sandbox);

  if (g_str_has_prefix (path, "http"))
    return g_strdup (path);
  return g_uri_resolve_relative (base, path, G_URI_FLAGS_NONE, NULL);
}

char *
kt_core_test_authorize (KtSandbox  *sandbox,
                        const char *state,
                        const char *decision)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  g_autofree char *authorize = kt_oauth_build_authorize_uri (config, state);
  g_autoptr(Page) login_page = NULL;
  g_autoptr(Page) logged_in = NULL;
  g_autoptr(Page) permission = NULL;
  g_autoptr(Page) decided = NULL;
  g_autoptr(GHashTable) login_form = NULL;
  g_autoptr(GHashTable) permission_form = NULL;
  g_autofree char *login_action = NULL;
  g_autofree char *permission_action = NULL;
  g_autofree char *login_uri = NULL;
  g_autofree char *next_uri = NULL;
  g_autofree char *decision_uri = NULL;

  login_page = browse (session, "GET", authorize, NULL, NULL);
  g_assert_cmpuint (login_page->status, ==, 200);
  g_assert_nonnull (strstr (login_page->body, "id=\"email\""));
  g_assert_nonnull (strstr (login_page->body, "id=\"password\""));

  login_form = read_form (login_page->body, "login", &login_action);
  g_hash_table_replace (login_form, g_strdup ("email"), g_strdup (kt_sandbox_get_login_email (sandbox)));
  g_hash_table_replace (login_form, g_strdup ("password"), g_strdup (kt_sandbox_get_login_password (sandbox)));
  login_uri = absolute (sandbox, login_action);
  logged_in = browse (session, "POST", login_uri, NULL, login_form);
  g_assert_cmpuint (logged_in->status, ==, 303);
  g_assert_nonnull (logged_in->cookie);
  g_assert_nonnull (logged_in->location);

  next_uri = absolute (sandbox, logged_in->location);
  permission = browse (session, "GET", next_uri, logged_in->cookie, NULL);
  g_assert_cmpuint (permission->status, ==, 200);
  g_assert_nonnull (strstr (permission->body, "id=\"allow\""));
  g_assert_nonnull (strstr (permission->body, "id=\"deny\""));

  permission_form = read_form (permission->body, "permission", &permission_action);
  g_hash_table_replace (permission_form, g_strdup ("decision"), g_strdup (decision));
  decision_uri = absolute (sandbox, permission_action);
  decided = browse (session, "POST", decision_uri, logged_in->cookie, permission_form);
  g_assert_cmpuint (decided->status, ==, 302);
  g_assert_nonnull (decided->location);

  return g_steal_pointer (&decided->location);
}

KtAccount *
kt_core_test_sign_in (KtSandbox *sandbox,
                      KtClient  *client)
{
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = kt_oauth_new_state (&error);
  g_autofree char *location = NULL;
  g_autoptr(KtOAuthRedirect) redirect = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) company = NULL;
  g_autoptr(KtToken) token = NULL;
  KtAccount *account;

  location = kt_core_test_authorize (sandbox, state, "allow");
  g_assert_true (kt_oauth_is_redirect (config->redirect_uri, location));
  redirect = kt_oauth_parse_redirect (location, &error);
  g_assert_no_error (error);
  g_assert_true (kt_oauth_redirect_check (redirect, state, &error));
  g_assert_no_error (error);

  kt_client_exchange_code_async (client, config, redirect->code, NULL,
                                 kt_core_test_store_result, &result);
  kt_core_test_wait (&result);
  token = kt_client_exchange_code_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);

  account = kt_account_new (KT_AUTH_KIND_OAUTH, config);
  kt_account_set_token (account, token);

  kt_client_fetch_company_async (client, account, NULL, kt_core_test_store_result, &company);
  kt_core_test_wait (&company);
  g_assert_true (kt_client_fetch_company_finish (client, company, &error));
  g_assert_no_error (error);

  return account;
}

KtAccount *
kt_core_test_basic_account (KtSandbox *sandbox)
{
  g_autoptr(KtOAuthConfig) config = kt_core_test_config (sandbox);
  KtAccount *account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  kt_account_set_company_id (account, kt_sandbox_get_company_id (sandbox));
  return account;
}
