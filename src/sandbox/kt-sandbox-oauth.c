#define G_LOG_DOMAIN "kt-sandbox-oauth"

#include "config.h"

#include <math.h>
#include <string.h>

#include "kt-sandbox-private.h"

/*
 * The OAuth 2.0 authorization-code flow as Kounta runs it. The browser
 * sees a login page, then a permission page, then a redirect with code
 * and state. The token endpoint serves the authorization_code and
 * refresh_token grants, and the revoke endpoint revokes either token.
 * Error codes follow RFC 6749 section 5.2.
 */

#define ADDON_NAME "Kounter Demo"
#define SESSION_COOKIE "kounta_sandbox_session"

typedef struct
{
  char *redirect_uri;
  gint64 expires_at;
  gboolean used;
} KtCode;

typedef struct
{
  gint64 id;
  gboolean revoked;
} KtGrant;

typedef struct
{
  KtGrant *grant;               /* owned by self->grants, never removed */
  gint64 expires_at;
  gboolean revoked;
  gboolean expired_early;
} KtAccessToken;

static void
code_free (KtCode *code)
{
  g_free (code->redirect_uri);
  g_free (code);
}

void
kt_sandbox_oauth_init (KtSandbox *self)
{
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) code_free);
  self->grants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* ---- Pages. */

static const char page_style[] =
  "*{box-sizing:border-box}"
  "body{margin:0;min-height:100vh;display:flex;flex-direction:column;align-items:center;"
  "justify-content:center;background:#eef1f5;color:#1d2433;"
  "font:15px/1.5 Cantarell,'Noto Sans','Segoe UI',Helvetica,Arial,sans-serif}"
  ".card{width:min(400px,calc(100vw - 32px));background:#fff;border-radius:12px;"
  "box-shadow:0 1px 3px rgba(16,24,40,.12),0 8px 24px rgba(16,24,40,.08);padding:32px}"
  ".brand{display:flex;align-items:center;gap:10px;margin-bottom:24px;font-weight:700;"
  "font-size:18px;letter-spacing:.2px}"
  ".logo{width:32px;height:32px;border-radius:8px;background:linear-gradient(135deg,#ff7a45,#e8491d);"
  "color:#fff;display:flex;align-items:center;justify-content:center;font-size:17px}"
  "h1{font-size:21px;margin:0 0 6px}"
  "p{margin:0 0 16px;color:#4a5468}"
  "label{display:block;font-weight:600;font-size:13px;margin:14px 0 6px}"
  "input[type=email],input[type=password]{width:100%;padding:10px 12px;border:1px solid #c9d0db;"
  "border-radius:8px;font:inherit}"
  "input:focus{outline:2px solid #e8491d;outline-offset:1px;border-color:#e8491d}"
  ".actions{display:flex;gap:10px;margin-top:22px}"
  "button{flex:1;padding:11px 14px;border-radius:8px;border:1px solid transparent;font:inherit;"
  "font-weight:600;cursor:pointer}"
  ".primary{background:#e8491d;color:#fff}.primary:hover{background:#cf3d14}"
  ".secondary{background:#fff;color:#1d2433;border-color:#c9d0db}.secondary:hover{background:#f4f6f9}"
  ".error{background:#fdecea;color:#9b1c1c;border-radius:8px;padding:10px 12px;margin:0 0 12px}"
  ".hint{background:#f4f6f9;border-radius:8px;padding:10px 12px;font-size:13px;margin-top:20px}"
  ".hint code{font-size:13px}"
  ".links{margin-top:16px;font-size:13px}"
  "a{color:#c53d16}"
  "ul{padding-left:20px;margin:0 0 8px;color:#4a5468}"
  ".company{font-weight:600;color:#1d2433}"
  "footer{margin-top:18px;font-size:12px;color:#7a8396}";

/* Wraps @content in a complete page with the sandbox's look. */
void
kt_request_html (KtRequest  *req,
                 guint       status,
                 const char *title,
                 const char *content)
{
  g_autofree char *escaped_title = kt_sandbox_escape_html (title, -1);
  GString *page = g_string_new (NULL);

  g_string_append_printf (page,
                          "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                          "<title>%s</title><style>%s</style></head><body>"
                          "<main class=\"card\"><div class=\"brand\"><span class=\"logo\">K</span>"
                          "Kounta <span style=\"font-weight:400;color:#7a8396\">sandbox</span></div>"
                          "%s</main><footer>A local stand-in for the Kounta API, for testing only.</footer>"
                          "</body></html>\n",
                          escaped_title, page_style, content);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "no-store");
  kt_request_set_body (req, status, "text/html; charset=utf-8", page);
}

typedef struct
{
  const char *client_id;
  const char *redirect_uri;
  const char *state;
  const char *response_type;
} AuthorizeParams;

static void
read_params (GHashTable      *fields,
             AuthorizeParams *params)
{
  params->client_id = fields != NULL ? g_hash_table_lookup (fields, "client_id") : NULL;
  params->redirect_uri = fields != NULL ? g_hash_table_lookup (fields, "redirect_uri") : NULL;
  params->state = fields != NULL ? g_hash_table_lookup (fields, "state") : NULL;
  params->response_type = fields != NULL ? g_hash_table_lookup (fields, "response_type") : NULL;
}

static void
append_hidden (GString    *out,
               const char *name,
               const char *value)
{
  g_autofree char *escaped = kt_sandbox_escape_html (value != NULL ? value : "", -1);

  g_string_append_printf (out, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", name, escaped);
}

static void
append_params (GString               *out,
               const AuthorizeParams *params)
{
  append_hidden (out, "client_id", params->client_id);
  append_hidden (out, "redirect_uri", params->redirect_uri);
  append_hidden (out, "state", params->state);
  append_hidden (out, "response_type", params->response_type);
}

/*
 * Checks the client, the redirect URI and the state. On failure shows an
 * error page, which never redirects, and returns FALSE.
 */
static gboolean
check_params (KtRequest             *req,
              const AuthorizeParams *params)
{
  KtSandbox *self = req->sandbox;
  g_autofree char *problem = NULL;
  g_autofree char *content = NULL;

  if (params->client_id == NULL || *params->client_id == '\0')
    problem = g_strdup ("The request has no <code>client_id</code>.");
  else if (!g_str_equal (params->client_id, kt_sandbox_get_client_id (self)))
    {
      g_autofree char *escaped = kt_sandbox_escape_html (params->client_id, -1);

      problem = g_strdup_printf ("No add-on is registered with the client id <code>%s</code>.", escaped);
    }
  else if (params->redirect_uri == NULL || *params->redirect_uri == '\0')
    problem = g_strdup ("The request has no <code>redirect_uri</code>.");
  else if (!g_str_equal (params->redirect_uri, self->redirect_uri))
    {
      g_autofree char *escaped = kt_sandbox_escape_html (params->redirect_uri, -1);

      problem = g_strdup_printf ("The redirect URI <code>%s</code> is not the one registered for this add-on.",
                                 escaped);
    }
  else if (params->state == NULL || *params->state == '\0')
    problem = g_strdup ("The request has no <code>state</code>; the add-on must send one.");
  else if (params->response_type == NULL || !g_str_equal (params->response_type, "code"))
    problem = g_strdup ("The request must ask for <code>response_type=code</code>.");

  if (problem == NULL)
    return TRUE;

  content = g_strdup_printf ("<h1>This sign-in link is not valid</h1><p class=\"error\">%s</p>"
                             "<p>Ask the developer of the add-on to check its settings.</p>", problem);
  kt_request_html (req, SOUP_STATUS_BAD_REQUEST, "Invalid sign-in request", content);
  return FALSE;
}

static void
show_login (KtRequest             *req,
            const AuthorizeParams *params,
            const char            *error,
            const char            *email)
{
  KtSandbox *self = req->sandbox;
  GString *content = g_string_new (NULL);
  g_autofree char *escaped_email = kt_sandbox_escape_html (email != NULL ? email : "", -1);

  g_string_append (content, "<h1>Sign in</h1><p>Use your Kounta account to continue.</p>");
  if (error != NULL)
    g_string_append_printf (content, "<p class=\"error\" id=\"error\" role=\"alert\">%s</p>", error);
  g_string_append (content, "<form method=\"post\" action=\"/authorize/login\" id=\"login\">");
  append_params (content, params);
  g_string_append_printf (content,
                          "<label for=\"email\">Email</label>"
                          "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"username\" "
                          "value=\"%s\" required autofocus>"
                          "<label for=\"password\">Password</label>"
                          "<input type=\"password\" id=\"password\" name=\"password\" "
                          "autocomplete=\"current-password\" required>"
                          "<div class=\"actions\"><button type=\"submit\" id=\"sign-in\" class=\"primary\">"
                          "Sign in</button></div></form>"
                          "<div class=\"links\"><a id=\"forgot-password\" href=\"https://www.example.com/help\">"
                          "Forgot password?</a></div>"
                          "<div class=\"hint\">Demo login: <code>%s</code> / <code>%s</code></div>",
                          escaped_email, kt_sandbox_get_login_email (self), kt_sandbox_get_login_password (self));

  kt_request_html (req, SOUP_STATUS_OK, "Sign in – Kounta sandbox", content->str);
  g_string_free (content, TRUE);
}

static void
show_permission (KtRequest             *req,
                 const AuthorizeParams *params)
{
  KtSandbox *self = req->sandbox;
  GString *content = g_string_new (NULL);
  g_autofree char *company = kt_sandbox_escape_html (kt_sandbox_get_company_name (self), -1);

  g_string_append_printf (content,
                          "<h1>Allow %s?</h1>"
                          "<p><strong>%s</strong> asks to access <span class=\"company\">%s</span>. It will be able to:</p>"
                          "<ul><li>read your sites, registers and staff</li>"
                          "<li>read your products, price lists and stock</li>"
                          "<li>read your customers, orders and shifts</li></ul>"
                          "<form method=\"post\" action=\"/authorize/decision\" id=\"permission\">",
                          ADDON_NAME, ADDON_NAME, company);
  append_params (content, params);
  g_string_append (content,
                   "<div class=\"actions\">"
                   "<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\" class=\"secondary\">"
                   "Deny</button>"
                   "<button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\" class=\"primary\">"
                   "Allow</button></div></form>");

  kt_request_html (req, SOUP_STATUS_OK, "Allow access – Kounta sandbox", content->str);
  g_string_free (content, TRUE);
}

static gboolean
has_session (KtRequest *req)
{
  KtSandbox *self = req->sandbox;
  const char *header;
  GHashTable *cookies;
  const char *value;
  gboolean found = FALSE;

  header = soup_message_headers_get_list (soup_server_message_get_request_headers (req->msg), "Cookie");
  if (header == NULL)
    return FALSE;

  cookies = soup_header_parse_semi_param_list (header);
  value = g_hash_table_lookup (cookies, SESSION_COOKIE);
  if (value != NULL)
    {
      g_mutex_lock (&self->lock);
      found = g_hash_table_contains (self->sessions, value);
      g_mutex_unlock (&self->lock);
    }
  soup_header_free_param_list (cookies);

  return found;
}

static GHashTable *
read_form (KtRequest *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_form_decode (text);
}

static char *
authorize_uri_with (KtRequest             *req,
                    const AuthorizeParams *params)
{
  g_autofree char *origin = kt_request_origin (req);
  g_autofree char *query = soup_form_encode ("client_id", params->client_id,
                                             "redirect_uri", params->redirect_uri,
                                             "state", params->state,
                                             "response_type", params->response_type,
                                             NULL);

  return g_strdup_printf ("%s/authorize?%s", origin, query);
}

/* Redirects to the client's redirect URI with a new code when @allowed,
 * or with error=access_denied. */
static void
redirect_with_decision (KtRequest             *req,
                        const AuthorizeParams *params,
                        gboolean               allowed)
{
  KtSandbox *self = req->sandbox;
  g_autofree char *state = g_strdup (params->state);
  g_autofree char *query = NULL;
  g_autofree char *location = NULL;

  if (kt_sandbox_draw_fault (self, KT_FAULT_CHANGED_STATE))
    {
      g_free (state);
      state = g_strconcat (params->state, "-changed", NULL);
    }

  if (allowed)
    {
      g_autofree char *code = kt_sandbox_random_token ();
      KtCode *entry = g_new0 (KtCode, 1);

      entry->redirect_uri = g_strdup (params->redirect_uri);
      entry->expires_at = g_get_real_time () + (gint64) (self->code_lifetime * G_USEC_PER_SEC);
      g_mutex_lock (&self->lock);
      g_hash_table_insert (self->codes, g_strdup (code), entry);
      g_mutex_unlock (&self->lock);

      kt_sandbox_count (self, "authorize:allow");
      query = soup_form_encode ("code", code, "state", state, NULL);
    }
  else
    {
      kt_sandbox_count (self, "authorize:deny");
      query = soup_form_encode ("error", "access_denied",
                                "error_description", "The user denied access to the add-on",
                                "state", state, NULL);
    }

  location = g_strdup_printf ("%s%c%s", params->redirect_uri,
                              strchr (params->redirect_uri, '?') != NULL ? '&' : '?', query);
  kt_request_redirect (req, location);
}

/* GET /authorize */
void
kt_sandbox_handle_authorize (KtRequest *req)
{
  AuthorizeParams params;

  kt_sandbox_count (req->sandbox, "authorize");
  read_params (req->query, &params);
  if (!check_params (req, &params))
    return;

  /* The app's demo signs in with no typing. The parameters were checked
   * above, as for any client. */
  if (req->sandbox->auto_approve)
    {
      kt_sandbox_count (req->sandbox, "authorize:auto");
      redirect_with_decision (req, &params, TRUE);
      return;
    }

  if (has_session (req))
    show_permission (req, &params);
  else
    show_login (req, &params, NULL, NULL);
}

/* POST /authorize/login */
void
kt_sandbox_handle_login (KtRequest *req)
{
  KtSandbox *self = req->sandbox;
  g_autoptr(GHashTable) form = read_form (req);
  AuthorizeParams params;
  const char *email = g_hash_table_lookup (form, "email");
  const char *password = g_hash_table_lookup (form, "password");
  g_autofree char *session = NULL;
  g_autofree char *cookie = NULL;
  g_autofree char *location = NULL;

  kt_sandbox_count (self, "login");
  read_params (form, &params);
  if (!check_params (req, &params))
    return;

  if (email == NULL || password == NULL
      || g_ascii_strcasecmp (email, kt_sandbox_get_login_email (self)) != 0
      || !g_str_equal (password, kt_sandbox_get_login_password (self)))
    {
      kt_sandbox_count (self, "login:failed");
      show_login (req, &params, "The email or password is incorrect. Check them and try again.", email);
      return;
    }

  session = kt_sandbox_random_token ();
  g_mutex_lock (&self->lock);
  g_hash_table_add (self->sessions, g_strdup (session));
  g_mutex_unlock (&self->lock);

  cookie = g_strdup_printf ("%s=%s; Path=/; HttpOnly; SameSite=Lax", SESSION_COOKIE, session);
  soup_message_headers_append (soup_server_message_get_response_headers (req->msg), "Set-Cookie", cookie);

  /* Post/redirect/get: the permission page is reached by GET /authorize. */
  location = authorize_uri_with (req, &params);
  soup_server_message_set_status (req->msg, SOUP_STATUS_SEE_OTHER, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
  soup_server_message_set_response (req->msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, "", 0);
}

/* POST /authorize/decision */
void
kt_sandbox_handle_decision (KtRequest *req)
{
  g_autoptr(GHashTable) form = read_form (req);
  AuthorizeParams params;
  const char *decision = g_hash_table_lookup (form, "decision");

  read_params (form, &params);
  if (!check_params (req, &params))
    return;

  if (!has_session (req))
    {
      show_login (req, &params, "Your session has ended. Sign in again.", NULL);
      return;
    }

  redirect_with_decision (req, &params, decision != NULL && g_str_equal (decision, "allow"));
}

/* ---- Token endpoint. */

static void
token_error (KtRequest  *req,
             guint       status,
             const char *error,
             const char *description)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (headers, "WWW-Authenticate", "Basic realm=\"Kounta\"");
  kt_request_json_error (req, status, error, description);
}

/*
 * Finds the client's credentials in the form or in a Basic header, and
 * checks them. Sends the error response and returns FALSE when they are
 * missing or wrong.
 */
static gboolean
check_client (KtRequest  *req,
              GHashTable *form)
{
  KtSandbox *self = req->sandbox;
  const char *client_id = g_hash_table_lookup (form, "client_id");
  const char *client_secret = g_hash_table_lookup (form, "client_secret");
  g_autofree char *basic_id = NULL;
  g_autofree char *basic_secret = NULL;
  const char *authorization;

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                                "Authorization");
  if (client_id == NULL && authorization != NULL && g_ascii_strncasecmp (authorization, "Basic ", 6) == 0)
    {
      gsize length;
      g_autofree guchar *decoded = g_base64_decode (authorization + 6, &length);
      g_autofree char *text = g_strndup ((const char *) decoded, length);
      const char *colon = strchr (text, ':');

      if (colon != NULL)
        {
          basic_id = g_strndup (text, colon - text);
          basic_secret = g_strdup (colon + 1);
          client_id = basic_id;
          client_secret = basic_secret;
        }
    }

  if (client_id == NULL || client_secret == NULL)
    {
      token_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_client",
                   "The request must carry client_id and client_secret");
      return FALSE;
    }
  if (!g_str_equal (client_id, kt_sandbox_get_client_id (self))
      || !g_str_equal (client_secret, kt_sandbox_get_client_secret (self)))
    {
      token_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_client",
                   "The client id or client secret is not valid");
      return FALSE;
    }
  return TRUE;
}

/* Issues an access token for @grant and sends the token response. */
static void
respond_tokens (KtRequest  *req,
                KtGrant    *grant,
                const char *refresh_token,
                gboolean    is_refresh)
{
  KtSandbox *self = req->sandbox;
  KtAccessToken *entry = g_new0 (KtAccessToken, 1);
  g_autofree char *access_token = kt_sandbox_random_token ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  GString *body = g_string_new (NULL);

  entry->grant = grant;
  entry->expires_at = g_get_real_time () + (gint64) (self->token_lifetime * G_USEC_PER_SEC);
  g_mutex_lock (&self->lock);
  g_hash_table_insert (self->access_tokens, g_strdup (access_token), entry);
  g_mutex_unlock (&self->lock);

  g_string_append (body, "{\"access_token\":");
  kt_json_string (body, access_token);
  if (!(is_refresh && self->refresh_omits_token))
    {
      g_string_append (body, ",\"refresh_token\":");
      kt_json_string (body, refresh_token);
    }
  if (self->expires_in_string)
    g_string_append_printf (body, ",\"expires_in\":\"%.0f\"", ceil (self->token_lifetime));
  else
    g_string_append_printf (body, ",\"expires_in\":%.0f", ceil (self->token_lifetime));
  g_string_append (body, ",\"token_type\":\"bearer\",\"scope\":\"all\"}");

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
  kt_request_set_body (req, SOUP_STATUS_OK, "application/json; charset=utf-8", body);
}

static void
grant_authorization_code (KtRequest  *req,
                          GHashTable *form)
{
  KtSandbox *self = req->sandbox;
  const char *code = g_hash_table_lookup (form, "code");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *problem = NULL;
  g_autofree char *refresh_token = NULL;
  KtGrant *grant = NULL;
  KtCode *entry;

  if (code == NULL || *code == '\0')
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", "The request has no code");
      return;
    }

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->codes, code);
  if (entry == NULL)
    problem = "The authorization code is not valid";
  else if (entry->used)
    problem = "The authorization code has already been used";
  else if (g_get_real_time () >= entry->expires_at)
    problem = "The authorization code has expired";
  else if (redirect_uri == NULL || !g_str_equal (redirect_uri, entry->redirect_uri))
    problem = "The redirect_uri does not match the one of the authorization request";

  /* Any attempt with the right client spends the code (RFC 6749, section 4.1.2). */
  if (entry != NULL)
    entry->used = TRUE;

  if (problem == NULL)
    {
      refresh_token = kt_sandbox_random_token ();
      grant = g_new0 (KtGrant, 1);
      grant->id = ++self->next_grant_id;
      g_hash_table_insert (self->grants, g_strdup (refresh_token), grant);
    }
  g_mutex_unlock (&self->lock);

  if (problem != NULL)
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_grant", problem);
      return;
    }

  respond_tokens (req, grant, refresh_token, FALSE);
}

static void
grant_refresh_token (KtRequest  *req,
                     GHashTable *form)
{
  KtSandbox *self = req->sandbox;
  const char *refresh_token = g_hash_table_lookup (form, "refresh_token");
  KtGrant *grant;

  if (refresh_token == NULL || *refresh_token == '\0')
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", "The request has no refresh_token");
      return;
    }

  if (kt_sandbox_draw_fault (self, KT_FAULT_REVOKED_REFRESH))
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The refresh token has been revoked");
      return;
    }

  g_mutex_lock (&self->lock);
  grant = g_hash_table_lookup (self->grants, refresh_token);
  if (grant != NULL && grant->revoked)
    grant = NULL;
  g_mutex_unlock (&self->lock);

  if (grant == NULL)
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The refresh token is not valid or has been revoked");
      return;
    }

  respond_tokens (req, grant, refresh_token, TRUE);
}

/*
 * Checks that the request body is a form, as token requests (RFC 6749,
 * section 4.1.3) and revocation requests (RFC 7009, section 2.1) must be,
 * and responds with 400 if not. A body without a Content-Type is read as
 * a form.
 */
static gboolean
check_form_body (KtRequest  *req,
                 const char *endpoint)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autofree char *description = NULL;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") == 0)
    return TRUE;

  description = g_strdup_printf ("The %s endpoint takes a form body, not %s; send the fields with "
                                 "Content-Type: application/x-www-form-urlencoded",
                                 endpoint, content_type);
  token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", description);
  return FALSE;
}

/* POST /v1/token.json */
void
kt_sandbox_handle_token (KtRequest *req)
{
  g_autoptr(GHashTable) form = NULL;
  const char *grant_type;

  if (!check_form_body (req, "token"))
    return;

  form = read_form (req);
  grant_type = g_hash_table_lookup (form, "grant_type");
  if (grant_type == NULL || *grant_type == '\0')
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                   "The request has no grant_type; send it in a form body with "
                   "Content-Type: application/x-www-form-urlencoded");
      return;
    }

  if (g_str_equal (grant_type, "authorization_code") || g_str_equal (grant_type, "refresh_token"))
    {
      g_autofree char *counter = g_strconcat ("token:", grant_type, NULL);

      kt_sandbox_count (req->sandbox, counter);
    }

  if (!check_client (req, form))
    return;

  if (g_str_equal (grant_type, "authorization_code"))
    grant_authorization_code (req, form);
  else if (g_str_equal (grant_type, "refresh_token"))
    grant_refresh_token (req, form);
  else
    token_error (req, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type",
                 "Only the authorization_code and refresh_token grants are supported");
}

/* POST /v1/revoke.json */
void
kt_sandbox_handle_revoke (KtRequest *req)
{
  KtSandbox *self = req->sandbox;
  g_autoptr(GHashTable) form = NULL;
  const char *token;
  KtGrant *grant;
  KtAccessToken *access;

  kt_sandbox_count (self, "revoke");
  if (!check_form_body (req, "revoke"))
    return;

  form = read_form (req);
  token = g_hash_table_lookup (form, "token");
  if (!check_client (req, form))
    return;
  if (token == NULL || *token == '\0')
    {
      token_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", "The request has no token");
      return;
    }

  /* An unknown token gets 200 too (RFC 7009, section 2.2). */
  g_mutex_lock (&self->lock);
  grant = g_hash_table_lookup (self->grants, token);
  if (grant != NULL)
    grant->revoked = TRUE;
  access = g_hash_table_lookup (self->access_tokens, token);
  if (access != NULL)
    access->revoked = TRUE;
  g_mutex_unlock (&self->lock);

  kt_request_set_body (req, SOUP_STATUS_OK, "application/json; charset=utf-8",
                       g_string_new ("{\"revoked\":true}"));
}

void
kt_sandbox_oauth_revoke_all (KtSandbox *self)
{
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->grants);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((KtGrant *) value)->revoked = TRUE;
  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((KtAccessToken *) value)->revoked = TRUE;
  g_mutex_unlock (&self->lock);
}

/* ---- API credentials. */

static void
unauthorized (KtRequest  *req,
              const char *scheme,
              const char *error,
              const char *description)
{
  g_autofree char *challenge = g_strdup_printf ("%s realm=\"Kounta\", error=\"%s\"", scheme, error);

  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "WWW-Authenticate", challenge);
  kt_request_json_error (req, SOUP_STATUS_UNAUTHORIZED, error, description);
}

/*
 * Checks the Authorization header of an API request. Returns TRUE with the
 * rate-limit bucket and limit of the credential, or FALSE after sending 401.
 */
gboolean
kt_sandbox_authenticate (KtRequest  *req,
                         char      **bucket_key,
                         guint      *limit)
{
  KtSandbox *self = req->sandbox;
  const char *authorization;

  authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                                "Authorization");
  if (authorization == NULL || *authorization == '\0')
    {
      unauthorized (req, "Bearer", "invalid_request",
                    "The request has no credentials: send an access token or Basic client credentials");
      return FALSE;
    }

  if (g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    {
      const char *token = authorization + 7;
      KtAccessToken *entry;
      const char *problem = NULL;
      gint64 grant_id = 0;

      while (*token == ' ')
        token++;

      g_mutex_lock (&self->lock);
      entry = g_hash_table_lookup (self->access_tokens, token);
      if (entry == NULL || entry->revoked || entry->grant->revoked)
        problem = "The access token provided is invalid";
      else if (entry->expired_early || g_get_real_time () >= entry->expires_at)
        problem = "The access token provided has expired";
      else
        grant_id = entry->grant->id;
      g_mutex_unlock (&self->lock);

      if (problem == NULL && kt_sandbox_draw_fault (self, KT_FAULT_EARLY_EXPIRY))
        {
          g_mutex_lock (&self->lock);
          entry->expired_early = TRUE;
          g_mutex_unlock (&self->lock);
          problem = "The access token provided has expired";
        }

      if (problem != NULL)
        {
          unauthorized (req, "Bearer", "invalid_token", problem);
          return FALSE;
        }

      req->grant_id = grant_id;
      *bucket_key = g_strdup_printf ("grant:%" G_GINT64_FORMAT, grant_id);
      *limit = self->bearer_limit;
      return TRUE;
    }

  if (g_ascii_strncasecmp (authorization, "Basic ", 6) == 0)
    {
      gsize length;
      g_autofree guchar *decoded = g_base64_decode (authorization + 6, &length);
      g_autofree char *expected = g_strconcat (kt_sandbox_get_client_id (self), ":",
                                               kt_sandbox_get_client_secret (self), NULL);

      if (length != strlen (expected) || memcmp (decoded, expected, length) != 0)
        {
          unauthorized (req, "Basic", "invalid_client", "The client id or client secret is not valid");
          return FALSE;
        }

      *bucket_key = g_strconcat ("basic:", kt_sandbox_get_client_id (self), NULL);
      *limit = self->basic_limit;
      return TRUE;
    }

  unauthorized (req, "Bearer", "invalid_request",
                "The Authorization header must use the Bearer or Basic scheme");
  return FALSE;
}
