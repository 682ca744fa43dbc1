#define G_LOG_DOMAIN "kt-sandbox"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "kt-sandbox-private.h"

/*
 * KtSandbox runs a SoupServer on a thread of its own with its own
 * GMainContext, so that synchronous test code and the GTK main loop can
 * both talk to it. Settings are written before kt_sandbox_start() and only
 * read afterwards; the mutable state (tokens, sessions, rate windows,
 * counters, the fault generator) sits behind self->lock.
 */

#define DEMO_CLIENT_ID "kounter-demo"
#define DEMO_CLIENT_SECRET "sandbox-secret-8c1f27d4"
#define DEMO_REDIRECT_URI "http://127.0.0.1/kounter/callback"

/* Request headers beyond this many bytes (names, values and the ": " and
 * CRLF of each line) are answered 431. NOTE: libsoup 3.2 closes the
 * connection without a response when the header block passes its own
 * limit of about 64 KiB, so only sizes between the two get a 431. */
#define MAX_REQUEST_HEADER_BYTES (32 * 1024)

/* The last day of the data unless "end-date" is set. Fixed, so
 * that tests get the same bytes on any day. */
#define DEFAULT_END_DATE "2026-06-30"
#define DEMO_LOGIN_EMAIL "demo@example.com"
#define DEMO_LOGIN_PASSWORD "kounta-demo"

/*
 * Fault names, in the order of KtFault:
 *   server-error       API requests get 500 or 502 with an HTML body
 *   drop-connection    API requests lose their connection with no response
 *   slow               API responses are delayed by "fault-delay" seconds
 *   truncated-json     API JSON bodies stop halfway
 *   malformed-json     API JSON bodies carry a syntax error
 *   bare-429           API requests get 429 with no rate-limit headers
 *   lowercase-headers  rate-limit and paging header names are lower case
 *   early-expiry       a Bearer request finds its access token expired
 *   revoked-refresh    refresh grants fail with invalid_grant
 *   changed-state      the authorize redirect carries another state
 * Each is drawn per event with the given probability from a generator
 * seeded by "seed", so a run repeats exactly for the same requests.
 */
static const char *const fault_names[KT_FAULT_COUNT] = {
  "server-error",
  "drop-connection",
  "slow",
  "truncated-json",
  "malformed-json",
  "bare-429",
  "lowercase-headers",
  "early-expiry",
  "revoked-refresh",
  "changed-state",
};

typedef struct
{
  KtSandbox *sandbox;
  SoupServerMessage *msg;
  GSource *source;
} KtDelayed;

enum
{
  PROP_0,
  PROP_SEED,
  PROP_SCALE,
  PROP_END_DATE,
  PROP_PAGE_SIZE,
  PROP_RATE_WINDOW,
  PROP_BASIC_LIMIT,
  PROP_BEARER_LIMIT,
  PROP_TOKEN_LIFETIME,
  PROP_CODE_LIFETIME,
  PROP_RESET_FORM,
  PROP_LIMIT_BODY,
  PROP_RETRY_AFTER,
  PROP_LISTEN_ANY,
  PROP_TLS_CERTIFICATE,
  PROP_LOG_REQUESTS,
  PROP_REDIRECT_URI,
  PROP_FAULT_DELAY,
  PROP_EXPIRES_IN_STRING,
  PROP_REFRESH_OMITS_TOKEN,
  PROP_MONEY_AS_STRINGS,
  PROP_AUTO_APPROVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KtSandbox, kt_sandbox, G_TYPE_OBJECT)

GType
kt_sandbox_scale_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { KT_SANDBOX_SCALE_SMALL, "KT_SANDBOX_SCALE_SMALL", "small" },
    { KT_SANDBOX_SCALE_DEMO, "KT_SANDBOX_SCALE_DEMO", "demo" },
    { KT_SANDBOX_SCALE_LARGE, "KT_SANDBOX_SCALE_LARGE", "large" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("KtSandboxScale", values));
  return type_id;
}

GType
kt_sandbox_reset_form_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { KT_SANDBOX_RESET_SECONDS_LEFT, "KT_SANDBOX_RESET_SECONDS_LEFT", "seconds" },
    { KT_SANDBOX_RESET_UNIX_TIME, "KT_SANDBOX_RESET_UNIX_TIME", "unix" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("KtSandboxResetForm", values));
  return type_id;
}

GType
kt_sandbox_limit_body_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { KT_SANDBOX_LIMIT_BODY_JSON, "KT_SANDBOX_LIMIT_BODY_JSON", "json" },
    { KT_SANDBOX_LIMIT_BODY_TEXT, "KT_SANDBOX_LIMIT_BODY_TEXT", "text" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static ("KtSandboxLimitBody", values));
  return type_id;
}

/* ---- Helpers shared by the handlers. */

/* Adds one to the counter @name. */
void
kt_sandbox_count (KtSandbox  *self,
                  const char *name)
{
  gpointer value;

  g_mutex_lock (&self->lock);
  value = g_hash_table_lookup (self->counters, name);
  g_hash_table_replace (self->counters, g_strdup (name), GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
  g_mutex_unlock (&self->lock);
}

/* Draws whether @fault strikes this time; never draws for a fault that is off. */
gboolean
kt_sandbox_draw_fault (KtSandbox *self,
                       KtFault    fault)
{
  double rate = self->fault_rate[fault];
  guint64 z;
  gboolean strikes;

  if (rate <= 0.0)
    return FALSE;

  g_mutex_lock (&self->lock);
  z = (self->fault_state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));
  g_mutex_unlock (&self->lock);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  z ^= z >> 31;
  strikes = rate >= 1.0 || (double) (z >> 11) / (double) (G_GUINT64_CONSTANT (1) << 53) < rate;
  if (strikes)
    {
      g_autofree char *name = g_strconcat ("fault:", fault_names[fault], NULL);

      kt_sandbox_count (self, name);
    }
  return strikes;
}

/* The generated data, made on first use; owned by the sandbox. */
KtSandboxData *
kt_sandbox_ensure_data (KtSandbox *self)
{
  KtSandboxData *data;

  g_mutex_lock (&self->data_lock);
  if (self->data == NULL)
    {
      int year = 2026, month = 6, day = 30;

      /* "today" ends the data now, so nothing lies in the future. A fixed
       * date ends it at the end of that day, the same on every run. */
      if (g_strcmp0 (self->end_date, "today") == 0)
        self->data = kt_sandbox_data_generate_until_time (self->seed, self->scale,
                                                          g_get_real_time () / G_USEC_PER_SEC);
      else if (kt_sandbox_parse_end_date (self->end_date, &year, &month, &day, NULL))
        self->data = kt_sandbox_data_generate_until (self->seed, self->scale, year, month, day);
      else
        g_assert_not_reached (); /* The setter accepts only valid values. */
    }
  data = self->data;
  g_mutex_unlock (&self->data_lock);

  return data;
}

/* Returns whether @text is YYYY-MM-DD (a valid date) or "today", and
 * stores the day it names; for "today", the date in Australia/Sydney. */
gboolean
kt_sandbox_parse_end_date (const char  *text,
                           int         *year,
                           int         *month,
                           int         *day,
                           GError     **error)
{
  char tail;

  g_return_val_if_fail (year != NULL && month != NULL && day != NULL, FALSE);

  if (g_strcmp0 (text, "today") == 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      gint64 local = now + kt_sandbox_utc_offset (now);

      kt_sandbox_civil_from_days (local / 86400, year, month, day);
      return TRUE;
    }

  if (text == NULL || strlen (text) != 10
      || sscanf (text, "%4d-%2d-%2d%c", year, month, day, &tail) != 3
      || text[4] != '-' || text[7] != '-'
      || !g_date_valid_dmy ((GDateDay) *day, (GDateMonth) *month, (GDateYear) *year))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid end date “%s”: give a date as YYYY-MM-DD, such as 2026-06-30, or “today”",
                   text != NULL ? text : "(null)");
      return FALSE;
    }

  /* The data starts a year before the end date, and from 1971 on every
   * day is a positive Unix time. */
  if (*year < 1971 || *year > 9999)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid end date “%s”: the year must be between 1971 and 9999", text);
      return FALSE;
    }

  return TRUE;
}

/* A new random token of 40 hex digits; the caller owns it. */
char *
kt_sandbox_random_token (void)
{
  GString *token = g_string_sized_new (41);

  for (guint i = 0; i < 5; i++)
    g_string_append_printf (token, "%08x", g_random_int ());
  return g_string_free (token, FALSE);
}

void
kt_request_set_header (KtRequest  *req,
                       const char *name,
                       const char *value)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  if (req->lowercase_headers)
    {
      g_autofree char *lower = g_ascii_strdown (name, -1);

      soup_message_headers_replace (headers, lower, value);
    }
  else
    soup_message_headers_replace (headers, name, value);
}

/* Sets the status and takes @body as the response body, which a JSON fault may damage. */
void
kt_request_set_body (KtRequest  *req,
                     guint       status,
                     const char *content_type,
                     GString    *body)
{
  gsize length;

  if (req->is_api && status == SOUP_STATUS_OK && g_str_has_prefix (content_type, "application/json"))
    {
      if (kt_sandbox_draw_fault (req->sandbox, KT_FAULT_TRUNCATED_JSON))
        g_string_truncate (body, body->len / 2);
      else if (kt_sandbox_draw_fault (req->sandbox, KT_FAULT_MALFORMED_JSON) && body->len > 1)
        {
          /* A missing value after the first colon, or a stray comma. */
          const char *colon = strchr (body->str, ':');

          if (colon != NULL)
            g_string_insert (body, colon - body->str + 1, ",");
          else
            g_string_insert (body, 1, ",");
        }
    }

  length = body->len;
  /* libsoup 3.2 has no reason phrase for 429 and would send "Unknown Error". */
  soup_server_message_set_status (req->msg, status,
                                  status == 429 ? "Too Many Requests"
                                  : status == 431 ? "Request Header Fields Too Large" : NULL);
  soup_server_message_set_response (req->msg, content_type, SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), length);
}

/* Returns @text escaped for HTML, with invalid UTF-8 replaced by U+FFFD,
 * since request values echoed in pages may be any bytes. The caller owns
 * the string. */
char *
kt_sandbox_escape_html (const char *text,
                        gssize      length)
{
  g_autofree char *valid = g_utf8_make_valid (text, length);

  return g_markup_escape_text (valid, -1);
}

void
kt_request_json_error (KtRequest  *req,
                       guint       status,
                       const char *error,
                       const char *description)
{
  GString *body = g_string_new ("{\"error\":");
  /* Descriptions echo request values, which may be any bytes: invalid
   * UTF-8 becomes U+FFFD, so the body stays valid JSON. */
  g_autofree char *valid_description = g_utf8_make_valid (description, -1);

  kt_json_string (body, error);
  g_string_append (body, ",\"error_description\":");
  kt_json_string (body, valid_description);
  g_string_append_c (body, '}');
  kt_request_set_body (req, status, "application/json; charset=utf-8", body);
}

/* "scheme://host:port" as the client addressed this server. */
char *
kt_request_origin (KtRequest *req)
{
  GUri *uri = soup_server_message_get_uri (req->msg);
  const char *host = g_uri_get_host (uri);
  int port = g_uri_get_port (uri);

  if (host == NULL)
    return g_strdup (req->sandbox->base_uri);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%d", g_uri_get_scheme (uri), host, port);
  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), host, port);
}

void
kt_request_redirect (KtRequest  *req,
                     const char *location)
{
  soup_server_message_set_status (req->msg, SOUP_STATUS_FOUND, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
  soup_server_message_set_response (req->msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, "", 0);
}

static gboolean
on_delay_done_cb (gpointer user_data)
{
  KtDelayed *delayed = user_data;
  KtSandbox *self = delayed->sandbox;

  self->delayed = g_list_remove (self->delayed, delayed);
  soup_server_message_unpause (delayed->msg);
  g_object_unref (delayed->msg);
  g_free (delayed);

  return G_SOURCE_REMOVE;
}

static gboolean
on_quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
hold_back (KtRequest *req)
{
  KtSandbox *self = req->sandbox;
  KtDelayed *delayed = g_new0 (KtDelayed, 1);

  delayed->sandbox = self;
  delayed->msg = g_object_ref (req->msg);
  delayed->source = g_timeout_source_new ((guint) (req->delay * 1000));
  g_source_set_callback (delayed->source, on_delay_done_cb, delayed, NULL);
  g_source_attach (delayed->source, self->context);
  g_source_unref (delayed->source);
  self->delayed = g_list_prepend (self->delayed, delayed);
  soup_server_message_pause (req->msg);
}

/* Whether a query parameter's value may carry a secret or a one-time
 * value (authorization codes, states, tokens, passwords). */
static gboolean
is_secret_parameter (const char *name,
                     gsize       length)
{
  static const char *const exact[] = { "code", "state", NULL };
  static const char *const parts[] = { "token", "secret", "password", NULL };
  g_autofree char *lower = g_ascii_strdown (name, (gssize) length);

  if (g_strv_contains (exact, lower))
    return TRUE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (strstr (lower, parts[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* The request's query as received, with the values of secret parameters
 * replaced by "[redacted]"; "" without a query. The caller owns it. */
static char *
loggable_query (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;
  g_autoptr(GString) out = NULL;
  g_auto(GStrv) pairs = NULL;

  if (query == NULL || query[0] == '\0')
    return g_strdup ("");

  out = g_string_new ("?");
  pairs = g_strsplit (query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      gsize name_length = equals != NULL ? (gsize) (equals - pairs[i]) : strlen (pairs[i]);

      if (i > 0)
        g_string_append_c (out, '&');
      if (equals != NULL && is_secret_parameter (pairs[i], name_length))
        {
          g_string_append_len (out, pairs[i], (gssize) name_length);
          g_string_append (out, "=[redacted]");
        }
      else
        g_string_append (out, pairs[i]);
    }

  /* Keep the line readable and the log free of control bytes. */
  for (gsize i = 0; i < out->len; i++)
    {
      if ((guchar) out->str[i] < 0x20 || (guchar) out->str[i] >= 0x7f)
        out->str[i] = '?';
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
log_request (KtRequest *req,
             guint      status)
{
  g_autofree char *remaining = NULL;
  g_autofree char *query = NULL;
  const char *note = "";

  if (!req->sandbox->log_requests)
    return;

  if (req->remaining >= 0)
    remaining = g_strdup_printf ("%d", req->remaining);
  else
    remaining = g_strdup ("-");

  if (req->dropped)
    note = " dropped";
  else if (req->delay > 0)
    note = " delayed";

  /* Codes, states and tokens in the query are redacted. */
  query = loggable_query (req->msg);
  printf ("%s %s%s %u cost=%d remaining=%s%s\n", req->method, req->path, query, status, req->cost,
          remaining, note);
  fflush (stdout);
}

static void
handle_index (KtRequest *req)
{
  g_autofree char *content = g_strdup_printf (
    "<h1>Kounta API sandbox</h1>"
    "<p>This server stands in for the Kounta API on your own machine.</p>"
    "<ul><li>API: <code>%s</code></li><li>Authorize: <code>%s</code></li>"
    "<li>Token: <code>%s</code></li><li>Revoke: <code>%s</code></li></ul>",
    req->sandbox->api_uri, req->sandbox->authorize_uri,
    req->sandbox->token_uri, req->sandbox->revoke_uri);

  kt_request_html (req, SOUP_STATUS_OK, "Kounta API sandbox", content);
}

static gsize
request_header_bytes (SoupServerMessage *msg)
{
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;
  gsize total = 0;

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    total += strlen (name) + strlen (value) + 4;

  return total;
}

static void
on_request_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  KtSandbox *self = user_data;
  KtRequest req = { 0 };
  gboolean is_get, is_post;
  g_autofree char *status_name = NULL;
  guint status;

  req.sandbox = self;
  req.msg = msg;
  req.method = soup_server_message_get_method (msg);
  req.path = path;
  req.query = query;
  req.remaining = -1;
  is_get = g_str_equal (req.method, "GET") || g_str_equal (req.method, "HEAD");
  is_post = g_str_equal (req.method, "POST");

  kt_sandbox_count (self, "requests");
  {
    g_autofree char *path_name = g_strconcat ("path:", path, NULL);

    kt_sandbox_count (self, path_name);
  }

  if (request_header_bytes (msg) > MAX_REQUEST_HEADER_BYTES)
    {
      g_autofree char *description =
        g_strdup_printf ("The request headers take %" G_GSIZE_FORMAT " bytes, more than the %d allowed; "
                         "send fewer or shorter headers",
                         request_header_bytes (msg), MAX_REQUEST_HEADER_BYTES);

      kt_request_json_error (&req, 431, "invalid_request", description);
    }
  else if (g_str_equal (path, "/authorize") && is_get)
    kt_sandbox_handle_authorize (&req);
  else if (g_str_equal (path, "/authorize/login") && is_post)
    kt_sandbox_handle_login (&req);
  else if (g_str_equal (path, "/authorize/decision") && is_post)
    kt_sandbox_handle_decision (&req);
  else if (g_str_equal (path, "/v1/token.json") || g_str_equal (path, "/v1/token"))
    {
      if (is_post)
        kt_sandbox_handle_token (&req);
      else
        {
          kt_request_set_header (&req, "Allow", "POST");
          kt_request_json_error (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                                 "The token endpoint takes POST requests only");
        }
    }
  else if (g_str_equal (path, "/v1/revoke.json") || g_str_equal (path, "/v1/revoke"))
    {
      if (is_post)
        kt_sandbox_handle_revoke (&req);
      else
        {
          kt_request_set_header (&req, "Allow", "POST");
          kt_request_json_error (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                                 "The revoke endpoint takes POST requests only");
        }
    }
  else if (g_str_has_prefix (path, "/v1/"))
    kt_sandbox_handle_api (&req, path + strlen ("/v1/"));
  else if (g_str_equal (path, "/") && is_get)
    handle_index (&req);
  else if (g_str_equal (path, "/") || g_str_equal (path, "/authorize")
           || g_str_equal (path, "/authorize/login") || g_str_equal (path, "/authorize/decision"))
    {
      gboolean takes_get = g_str_equal (path, "/") || g_str_equal (path, "/authorize");

      kt_request_set_header (&req, "Allow", takes_get ? "GET, HEAD" : "POST");
      kt_request_html (&req, SOUP_STATUS_METHOD_NOT_ALLOWED, "Not allowed",
                       "<h1>Not allowed</h1><p>This page does not take that kind of request.</p>");
    }
  else
    kt_request_html (&req, SOUP_STATUS_NOT_FOUND, "Not found",
                     "<h1>Page not found</h1><p>There is nothing at this address.</p>");

  if (req.dropped)
    {
      log_request (&req, 0);
      return;
    }

  status = soup_server_message_get_status (msg);
  status_name = g_strdup_printf ("status:%u", status);
  kt_sandbox_count (self, status_name);
  log_request (&req, status);

  if (req.delay > 0)
    hold_back (&req);
}

static void
set_uris (KtSandbox *self)
{
  const char *scheme = self->tls_certificate != NULL ? "https" : "http";

  g_free (self->base_uri);
  self->base_uri = g_strdup_printf ("%s://127.0.0.1:%u", scheme, self->port);
  g_free (self->api_uri);
  self->api_uri = g_strconcat (self->base_uri, "/v1/", NULL);
  g_free (self->authorize_uri);
  self->authorize_uri = g_strconcat (self->base_uri, "/authorize", NULL);
  g_free (self->token_uri);
  self->token_uri = g_strconcat (self->base_uri, "/v1/token.json", NULL);
  g_free (self->revoke_uri);
  self->revoke_uri = g_strconcat (self->base_uri, "/v1/revoke.json", NULL);
}

static void
finish_start (KtSandbox *self,
              GError    *error)
{
  g_mutex_lock (&self->start_lock);
  self->start_error = error;
  self->start_done = TRUE;
  g_cond_signal (&self->start_cond);
  g_mutex_unlock (&self->start_lock);
}

static gpointer
server_thread (gpointer user_data)
{
  KtSandbox *self = user_data;
  g_autoptr(SoupServer) server = NULL;
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GError *error = NULL;
  GSList *uris;
  gboolean listening;

  g_main_context_push_thread_default (self->context);
  kt_json_set_money_as_strings (self->money_as_strings);

  server = soup_server_new ("server-header", "kounter-sandbox ",
                            "tls-certificate", self->tls_certificate,
                            NULL);
  soup_server_add_handler (server, NULL, on_request_cb, self, NULL);
  if (self->tls_certificate != NULL)
    options |= SOUP_SERVER_LISTEN_HTTPS;

  if (self->listen_any)
    listening = soup_server_listen_all (server, self->port, options, &error);
  else
    listening = soup_server_listen_local (server, self->port, options, &error);
  if (!listening)
    {
      g_main_context_pop_thread_default (self->context);
      finish_start (self, error);
      return NULL;
    }

  uris = soup_server_get_uris (server);
  if (uris != NULL)
    self->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  set_uris (self);
  self->server = server;
  g_debug ("Listening on %s", self->base_uri);

  finish_start (self, NULL);
  g_main_loop_run (self->loop);

  /* Delayed responses are sent now, then every connection closes. */
  while (self->delayed != NULL)
    {
      KtDelayed *delayed = self->delayed->data;

      g_source_destroy (delayed->source);
      on_delay_done_cb (delayed);
    }
  soup_server_disconnect (server);
  self->server = NULL;
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  g_debug ("Stopped");

  return NULL;
}

/* ---- GObject. */

static void
kt_sandbox_dispose (GObject *object)
{
  KtSandbox *self = KT_SANDBOX (object);

  kt_sandbox_stop (self);
  g_clear_object (&self->tls_certificate);

  G_OBJECT_CLASS (kt_sandbox_parent_class)->dispose (object);
}

static void
kt_sandbox_finalize (GObject *object)
{
  KtSandbox *self = KT_SANDBOX (object);

  g_clear_pointer (&self->data, kt_sandbox_data_free);
  g_clear_pointer (&self->counters, g_hash_table_unref);
  g_clear_pointer (&self->codes, g_hash_table_unref);
  g_clear_pointer (&self->grants, g_hash_table_unref);
  g_clear_pointer (&self->access_tokens, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->buckets, g_hash_table_unref);
  g_free (self->redirect_uri);
  g_free (self->end_date);
  g_free (self->base_uri);
  g_free (self->api_uri);
  g_free (self->authorize_uri);
  g_free (self->token_uri);
  g_free (self->revoke_uri);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->data_lock);
  g_mutex_clear (&self->start_lock);
  g_cond_clear (&self->start_cond);

  G_OBJECT_CLASS (kt_sandbox_parent_class)->finalize (object);
}

static void
kt_sandbox_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KtSandbox *self = KT_SANDBOX (object);

  switch (prop_id)
    {
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_SCALE:
      g_value_set_enum (value, self->scale);
      break;
    case PROP_END_DATE:
      g_value_set_string (value, self->end_date);
      break;
    case PROP_PAGE_SIZE:
      g_value_set_uint (value, self->page_size);
      break;
    case PROP_RATE_WINDOW:
      g_value_set_double (value, self->rate_window);
      break;
    case PROP_BASIC_LIMIT:
      g_value_set_uint (value, self->basic_limit);
      break;
    case PROP_BEARER_LIMIT:
      g_value_set_uint (value, self->bearer_limit);
      break;
    case PROP_TOKEN_LIFETIME:
      g_value_set_double (value, self->token_lifetime);
      break;
    case PROP_CODE_LIFETIME:
      g_value_set_double (value, self->code_lifetime);
      break;
    case PROP_RESET_FORM:
      g_value_set_enum (value, self->reset_form);
      break;
    case PROP_LIMIT_BODY:
      g_value_set_enum (value, self->limit_body);
      break;
    case PROP_RETRY_AFTER:
      g_value_set_boolean (value, self->retry_after);
      break;
    case PROP_LISTEN_ANY:
      g_value_set_boolean (value, self->listen_any);
      break;
    case PROP_TLS_CERTIFICATE:
      g_value_set_object (value, self->tls_certificate);
      break;
    case PROP_LOG_REQUESTS:
      g_value_set_boolean (value, self->log_requests);
      break;
    case PROP_REDIRECT_URI:
      g_value_set_string (value, self->redirect_uri);
      break;
    case PROP_FAULT_DELAY:
      g_value_set_double (value, self->fault_delay);
      break;
    case PROP_EXPIRES_IN_STRING:
      g_value_set_boolean (value, self->expires_in_string);
      break;
    case PROP_REFRESH_OMITS_TOKEN:
      g_value_set_boolean (value, self->refresh_omits_token);
      break;
    case PROP_MONEY_AS_STRINGS:
      g_value_set_boolean (value, self->money_as_strings);
      break;

    case PROP_AUTO_APPROVE:
      g_value_set_boolean (value, self->auto_approve);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_sandbox_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KtSandbox *self = KT_SANDBOX (object);

  if (self->thread != NULL)
    {
      /* The server thread reads the data without a lock, so it must not change under it. */
      if (prop_id == PROP_SEED || prop_id == PROP_SCALE || prop_id == PROP_END_DATE)
        {
          g_warning ("Property “%s” cannot change while the sandbox runs; stop it first", pspec->name);
          return;
        }
      g_warning ("Property “%s” set while the sandbox runs; restart it for the change to apply",
                 pspec->name);
    }

  switch (prop_id)
    {
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      self->fault_state = self->seed ^ G_GUINT64_CONSTANT (0x5DEECE66D);
      g_clear_pointer (&self->data, kt_sandbox_data_free);
      break;
    case PROP_SCALE:
      self->scale = g_value_get_enum (value);
      g_clear_pointer (&self->data, kt_sandbox_data_free);
      break;
    case PROP_END_DATE:
      {
        const char *text = g_value_get_string (value);
        g_autoptr(GError) error = NULL;
        int year, month, day;

        if (text == NULL)
          text = DEFAULT_END_DATE;
        if (!kt_sandbox_parse_end_date (text, &year, &month, &day, &error))
          {
            g_warning ("%s; the end date stays %s", error->message, self->end_date);
            break;
          }
        g_free (self->end_date);
        self->end_date = g_strdup (text);
        g_clear_pointer (&self->data, kt_sandbox_data_free);
      }
      break;
    case PROP_PAGE_SIZE:
      self->page_size = g_value_get_uint (value);
      break;
    case PROP_RATE_WINDOW:
      self->rate_window = g_value_get_double (value);
      break;
    case PROP_BASIC_LIMIT:
      self->basic_limit = g_value_get_uint (value);
      break;
    case PROP_BEARER_LIMIT:
      self->bearer_limit = g_value_get_uint (value);
      break;
    case PROP_TOKEN_LIFETIME:
      self->token_lifetime = g_value_get_double (value);
      break;
    case PROP_CODE_LIFETIME:
      self->code_lifetime = g_value_get_double (value);
      break;
    case PROP_RESET_FORM:
      self->reset_form = g_value_get_enum (value);
      break;
    case PROP_LIMIT_BODY:
      self->limit_body = g_value_get_enum (value);
      break;
    case PROP_RETRY_AFTER:
      self->retry_after = g_value_get_boolean (value);
      break;
    case PROP_LISTEN_ANY:
      self->listen_any = g_value_get_boolean (value);
      break;
    case PROP_TLS_CERTIFICATE:
      g_set_object (&self->tls_certificate, g_value_get_object (value));
      break;
    case PROP_LOG_REQUESTS:
      self->log_requests = g_value_get_boolean (value);
      break;
    case PROP_REDIRECT_URI:
      g_free (self->redirect_uri);
      self->redirect_uri = g_value_dup_string (value);
      if (self->redirect_uri == NULL)
        self->redirect_uri = g_strdup (DEMO_REDIRECT_URI);
      break;
    case PROP_FAULT_DELAY:
      self->fault_delay = g_value_get_double (value);
      break;
    case PROP_EXPIRES_IN_STRING:
      self->expires_in_string = g_value_get_boolean (value);
      break;
    case PROP_REFRESH_OMITS_TOKEN:
      self->refresh_omits_token = g_value_get_boolean (value);
      break;
    case PROP_MONEY_AS_STRINGS:
      self->money_as_strings = g_value_get_boolean (value);
      break;

    case PROP_AUTO_APPROVE:
      self->auto_approve = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_sandbox_class_init (KtSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_sandbox_dispose;
  object_class->finalize = kt_sandbox_finalize;
  object_class->get_property = kt_sandbox_get_property;
  object_class->set_property = kt_sandbox_set_property;

  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, "Seed of the data and of the fault draws",
                         0, G_MAXUINT64, 1, flags);
  properties[PROP_SCALE] =
    g_param_spec_enum ("scale", NULL, "Size of the generated company",
                       KT_TYPE_SANDBOX_SCALE, KT_SANDBOX_SCALE_SMALL, flags);
  properties[PROP_END_DATE] =
    g_param_spec_string ("end-date", NULL,
                         "Last day of the twelve months of data: YYYY-MM-DD, or today for data up to now (Sydney time)",
                         DEFAULT_END_DATE, flags);
  properties[PROP_PAGE_SIZE] =
    g_param_spec_uint ("page-size", NULL, "Rows per page of a list",
                       1, KT_SANDBOX_MAX_PAGE_SIZE, 100, flags);
  properties[PROP_RATE_WINDOW] =
    g_param_spec_double ("rate-window", NULL, "Length of a rate-limit window in seconds",
                         0.1, 86400.0, 60.0, flags);
  properties[PROP_BASIC_LIMIT] =
    g_param_spec_uint ("basic-limit", NULL, "Requests per window with Basic credentials",
                       1, G_MAXUINT, 60, flags);
  properties[PROP_BEARER_LIMIT] =
    g_param_spec_uint ("bearer-limit", NULL, "Requests per window with an access token",
                       1, G_MAXUINT, 180, flags);
  properties[PROP_TOKEN_LIFETIME] =
    g_param_spec_double ("token-lifetime", NULL, "Lifetime of an access token in seconds",
                         0.1, 1e9, 3600.0, flags);
  properties[PROP_CODE_LIFETIME] =
    g_param_spec_double ("code-lifetime", NULL, "Lifetime of an authorization code in seconds",
                         0.1, 86400.0, 600.0, flags);
  properties[PROP_RESET_FORM] =
    g_param_spec_enum ("reset-form", NULL, "Form of X-Ratelimit-Reset",
                       KT_TYPE_SANDBOX_RESET_FORM, KT_SANDBOX_RESET_UNIX_TIME, flags);
  properties[PROP_LIMIT_BODY] =
    g_param_spec_enum ("limit-body", NULL, "Body of a 429 response",
                       KT_TYPE_SANDBOX_LIMIT_BODY, KT_SANDBOX_LIMIT_BODY_JSON, flags);
  properties[PROP_RETRY_AFTER] =
    g_param_spec_boolean ("retry-after", NULL, "Whether a 429 response carries Retry-After",
                          FALSE, flags);
  properties[PROP_LISTEN_ANY] =
    g_param_spec_boolean ("listen-any", NULL, "Listen on every interface, not only loopback",
                          FALSE, flags);
  properties[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, "Certificate and key to serve HTTPS with",
                         G_TYPE_TLS_CERTIFICATE, flags);
  properties[PROP_LOG_REQUESTS] =
    g_param_spec_boolean ("log-requests", NULL, "Print one line per request to standard output",
                          FALSE, flags);
  properties[PROP_REDIRECT_URI] =
    g_param_spec_string ("redirect-uri", NULL, "Redirect URI registered for the demo client",
                         DEMO_REDIRECT_URI, flags);
  properties[PROP_FAULT_DELAY] =
    g_param_spec_double ("fault-delay", NULL, "Seconds the slow fault delays a response",
                         0.0, 600.0, 2.0, flags);

  properties[PROP_EXPIRES_IN_STRING] =
    g_param_spec_boolean ("expires-in-string", NULL, "Write expires_in of token responses as a string",
                          FALSE, flags);
  properties[PROP_REFRESH_OMITS_TOKEN] =
    g_param_spec_boolean ("refresh-omits-token", NULL,
                          "Leave refresh_token out of refresh responses (the old one stays valid)",
                          FALSE, flags);
  properties[PROP_MONEY_AS_STRINGS] =
    g_param_spec_boolean ("money-as-strings", NULL, "Write money as strings such as \"3.0\"",
                          FALSE, flags);
  properties[PROP_AUTO_APPROVE] =
    g_param_spec_boolean ("auto-approve", NULL,
                          "Approve every valid authorize request as the demo user, with no pages",
                          FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_sandbox_init (KtSandbox *self)
{
  self->seed = 1;
  self->fault_state = self->seed ^ G_GUINT64_CONSTANT (0x5DEECE66D);
  self->scale = KT_SANDBOX_SCALE_SMALL;
  self->end_date = g_strdup (DEFAULT_END_DATE);
  self->page_size = 100;
  self->rate_window = 60.0;
  self->basic_limit = 60;
  self->bearer_limit = 180;
  self->token_lifetime = 3600.0;
  self->code_lifetime = 600.0;
  self->reset_form = KT_SANDBOX_RESET_UNIX_TIME;
  self->limit_body = KT_SANDBOX_LIMIT_BODY_JSON;
  self->redirect_uri = g_strdup (DEMO_REDIRECT_URI);
  self->fault_delay = 2.0;

  g_mutex_init (&self->lock);
  g_mutex_init (&self->data_lock);
  g_mutex_init (&self->start_lock);
  g_cond_init (&self->start_cond);
  self->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  kt_sandbox_oauth_init (self);
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* ---- Public API. */

/* Returns a new sandbox that is not yet listening; the caller owns it. */
KtSandbox *
kt_sandbox_new (void)
{
  return g_object_new (KT_TYPE_SANDBOX, NULL);
}

/*
 * Turns on a fault from "NAME" or "NAME:RATE", RATE a probability from 0
 * to 1 (default 1). Returns FALSE with @error naming the value when the
 * name or the rate is invalid.
 */
gboolean
kt_sandbox_add_fault (KtSandbox   *self,
                      const char  *spec,
                      GError     **error)
{
  g_auto(GStrv) parts = NULL;
  double rate = 1.0;

  g_return_val_if_fail (KT_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parts = g_strsplit (spec, ":", 2);
  if (parts[0] != NULL && parts[1] != NULL)
    {
      char *end = NULL;

      rate = g_ascii_strtod (parts[1], &end);
      if (end == parts[1] || *end != '\0' || !(rate >= 0.0 && rate <= 1.0))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Invalid fault rate “%s” in “%s”: give a probability from 0 to 1",
                       parts[1], spec);
          return FALSE;
        }
    }

  for (guint i = 0; i < KT_FAULT_COUNT; i++)
    {
      if (parts[0] != NULL && g_str_equal (parts[0], fault_names[i]))
        {
          self->fault_rate[i] = rate;
          return TRUE;
        }
    }

  {
    g_autofree char *valid = g_strjoinv (", ", (char **) fault_names);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "Unknown fault “%s”; valid faults are %s",
                 parts[0] != NULL ? parts[0] : spec, valid);
  }
  return FALSE;
}

/* The names of every fault, NULL-terminated; owned by the library. */
const char *const *
kt_sandbox_get_fault_names (void)
{
  static const char *names[KT_FAULT_COUNT + 1];

  for (guint i = 0; i < KT_FAULT_COUNT; i++)
    names[i] = fault_names[i];
  names[KT_FAULT_COUNT] = NULL;
  return names;
}

/*
 * Generates the data, then listens on 127.0.0.1:@port (0 picks a free
 * port) on the sandbox's own thread. Returns FALSE with @error when the
 * port cannot be bound or the sandbox already runs.
 */
gboolean
kt_sandbox_start (KtSandbox  *self,
                  guint16     port,
                  GError    **error)
{
  GError *start_error;

  g_return_val_if_fail (KT_IS_SANDBOX (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->thread != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The sandbox already listens on %s; stop it first", self->base_uri);
      return FALSE;
    }

  kt_sandbox_ensure_data (self);

  self->port = port;
  self->start_done = FALSE;
  self->start_error = NULL;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("kt-sandbox", server_thread, self);

  g_mutex_lock (&self->start_lock);
  while (!self->start_done)
    g_cond_wait (&self->start_cond, &self->start_lock);
  start_error = self->start_error;
  self->start_error = NULL;
  g_mutex_unlock (&self->start_lock);

  if (start_error != NULL)
    {
      g_thread_join (self->thread);
      self->thread = NULL;
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      g_propagate_prefixed_error (error, start_error, "Could not listen on port %u: ", port);
      return FALSE;
    }

  return TRUE;
}

/* Stops listening, closes every connection and joins the server thread. */
void
kt_sandbox_stop (KtSandbox *self)
{
  GSource *quit;

  g_return_if_fail (KT_IS_SANDBOX (self));

  if (self->thread == NULL)
    return;

  /* A source, not g_main_loop_quit() alone, so that a stop that comes
   * before the loop started running still ends it. */
  quit = g_idle_source_new ();
  g_source_set_callback (quit, on_quit_cb, self->loop, NULL);
  g_source_attach (quit, self->context);
  g_source_unref (quit);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

/* The port listened on, or 0 before start. */
guint16
kt_sandbox_get_port (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), 0);

  return self->base_uri != NULL ? self->port : 0;
}

/* "http://127.0.0.1:PORT" with no trailing slash, or NULL before start; owned by @self. */
const char *
kt_sandbox_get_base_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->base_uri;
}

/* The base URI plus "/v1/"; owned by @self. */
const char *
kt_sandbox_get_api_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->api_uri;
}

const char *
kt_sandbox_get_authorize_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->authorize_uri;
}

const char *
kt_sandbox_get_token_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->token_uri;
}

const char *
kt_sandbox_get_revoke_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->revoke_uri;
}

/* The demo client's id, also the Basic user name; a static string. */
const char *
kt_sandbox_get_client_id (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return DEMO_CLIENT_ID;
}

/* The demo client's secret, also the Basic password; a static string. */
const char *
kt_sandbox_get_client_secret (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return DEMO_CLIENT_SECRET;
}

const char *
kt_sandbox_get_redirect_uri (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return self->redirect_uri;
}

const char *
kt_sandbox_get_login_email (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return DEMO_LOGIN_EMAIL;
}

const char *
kt_sandbox_get_login_password (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return DEMO_LOGIN_PASSWORD;
}

/* The id of the generated company; generates the data if needed. */
gint64
kt_sandbox_get_company_id (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), 0);

  return kt_sandbox_ensure_data (self)->id;
}

/* The generated company's name; owned by @self. */
const char *
kt_sandbox_get_company_name (KtSandbox *self)
{
  g_return_val_if_fail (KT_IS_SANDBOX (self), NULL);

  return kt_sandbox_ensure_data (self)->name;
}

/*
 * Returns how often the event @name happened: "requests", "api",
 * "authorize", "login", "token:GRANT", "revoke", "status:CODE",
 * "fault:NAME", "dropped", "path:PATH" for each request path without its
 * query ("path:/v1/companies/1/sites.json"), and "page:PATH@OFFSET" for a
 * page of a list served from row OFFSET (from 0), PATH as requested
 * without the query, such as "page:/v1/companies/5678/customers.json@100".
 * Unknown names count 0.
 */
guint
kt_sandbox_get_counter (KtSandbox  *self,
                        const char *name)
{
  guint count;

  g_return_val_if_fail (KT_IS_SANDBOX (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counters, name));
  g_mutex_unlock (&self->lock);

  return count;
}

/* Returns the number of rows of @resource ("products", "orders", ...), 0 if unknown. */
guint
kt_sandbox_count_rows (KtSandbox  *self,
                       const char *resource)
{
  KtSandboxData *data;

  g_return_val_if_fail (KT_IS_SANDBOX (self), 0);
  g_return_val_if_fail (resource != NULL, 0);

  data = kt_sandbox_ensure_data (self);
  if (g_str_equal (resource, "companies"))
    return 1;
  if (g_str_equal (resource, "sites"))
    return data->n_sites;
  if (g_str_equal (resource, "registers"))
    return data->n_registers;
  if (g_str_equal (resource, "staff"))
    return data->n_staff;
  if (g_str_equal (resource, "taxes"))
    return data->n_taxes;
  if (g_str_equal (resource, "payment_methods"))
    return data->n_payment_methods;
  if (g_str_equal (resource, "categories"))
    return data->n_categories;
  if (g_str_equal (resource, "products"))
    return data->n_products;
  if (g_str_equal (resource, "price_lists"))
    return data->n_price_lists;
  if (g_str_equal (resource, "customers"))
    return data->n_customers;
  if (g_str_equal (resource, "orders"))
    return data->n_orders;
  if (g_str_equal (resource, "order_lines"))
    return data->n_lines;
  if (g_str_equal (resource, "shifts"))
    return data->n_shifts;
  if (g_str_equal (resource, "cashups"))
    return data->n_cashups;
  if (g_str_equal (resource, "addresses"))
    {
      guint count = 0;

      for (guint i = 0; i < data->n_customers; i++)
        count += data->customers[i].has_address;
      return count;
    }
  return 0;
}

/* Revokes every access and refresh token, as if the user removed the add-on. */
void
kt_sandbox_revoke_all_tokens (KtSandbox *self)
{
  g_return_if_fail (KT_IS_SANDBOX (self));

  kt_sandbox_oauth_revoke_all (self);
}
