#define G_LOG_DOMAIN "kt-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kt-account-private.h"
#include "kt-client.h"
#include "kt-error.h"
#include "kt-exchange-private.h"
#include "kt-json-private.h"

/* Redirect hops followed before giving up on a loop. */
#define MAX_HOPS 10

/* Times a request is parked on a 429 before the error is reported. */
#define MAX_429_WAITS 5

/* Exchanges with no account (code exchange, revoke) kept for the
 * inspector. */
#define MAX_CLIENT_EXCHANGES 100

/* ------------------------------------------------------------------ */
/* KtResponse                                                          */

struct _KtResponse
{
  GObject parent_instance;

  guint status;
  char *uri;
  SoupMessageHeaders *headers;
  GBytes *body;
  guint cost;
};

G_DEFINE_FINAL_TYPE (KtResponse, kt_response, G_TYPE_OBJECT)

static void
kt_response_finalize (GObject *object)
{
  KtResponse *self = (KtResponse *)object;

  g_free (self->uri);
  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_clear_pointer (&self->body, g_bytes_unref);

  G_OBJECT_CLASS (kt_response_parent_class)->finalize (object);
}

static void
kt_response_class_init (KtResponseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kt_response_finalize;
}

static void
kt_response_init (KtResponse *self)
{
}

/* Returns the HTTP status of the final response. */
guint
kt_response_get_status (KtResponse *self)
{
  g_return_val_if_fail (KT_IS_RESPONSE (self), 0);

  return self->status;
}

/* Returns the URI that gave the final response; owned by the response. */
const char *
kt_response_get_uri (KtResponse *self)
{
  g_return_val_if_fail (KT_IS_RESPONSE (self), NULL);

  return self->uri;
}

/* Returns the final response's headers; owned by the response. */
SoupMessageHeaders *
kt_response_get_headers (KtResponse *self)
{
  g_return_val_if_fail (KT_IS_RESPONSE (self), NULL);

  return self->headers;
}

/* Returns the final response's body; owned by the response. */
GBytes *
kt_response_get_body (KtResponse *self)
{
  g_return_val_if_fail (KT_IS_RESPONSE (self), NULL);

  return self->body;
}

/* Returns the requests charged for this response, redirect hops included. */
guint
kt_response_get_cost (KtResponse *self)
{
  g_return_val_if_fail (KT_IS_RESPONSE (self), 0);

  return self->cost;
}

/* Returns the parsed body, or NULL with @error set
 * (KT_ERROR_INVALID_RESPONSE); the caller owns the node. */
JsonNode *
kt_response_parse_json (KtResponse  *self,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size;
  JsonNode *root;

  g_return_val_if_fail (KT_IS_RESPONSE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = self->body != NULL ? g_bytes_get_data (self->body, &size) : NULL;
  if (data == NULL)
    {
      data = "";
      size = 0;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The answer from %s is not valid JSON (%s). Try again later."),
                   self->uri, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                   _("The answer from %s is empty. Try again later."), self->uri);
      return NULL;
    }

  return json_node_copy (root);
}

/* ------------------------------------------------------------------ */
/* KtClient                                                            */

struct _KtClient
{
  GObject parent_instance;

  SoupSession *session;
  /* KtAccount* → Refresh*: the refresh in progress of each account. */
  GHashTable *refreshes;
  /* SHA-256 of every authorization code already sent. */
  GHashTable *used_codes;
  GListStore *exchanges;
  guint max_retries;
  double retry_delay;
};

G_DEFINE_FINAL_TYPE (KtClient, kt_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY,
  PROP_EXCHANGES,
  N_PROPS
};

enum {
  EXCHANGE_RECORDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  KtClient *client;
  KtAccount *account;
  GPtrArray *waiters;     /* GTask */
} Refresh;

/* The state of one API request across hops and retries. */
typedef struct
{
  KtAccount *account;
  KtRateLimit *rate_limit;
  char *method;
  char *first_method;
  char *first_uri;
  char *uri;
  SoupMessageHeaders *extra_headers;
  KtPriority priority;
  guint cost;
  guint hops;
  guint attempts;
  guint waits_429;
  gboolean refreshed;
  gboolean sent_credentials;
  guint token_serial;
  gboolean holds_slot;
  /* Cancels the request only while no hop of it is on the wire (see
   * kt_client_request_full_async()). NULL when the caller gave none. */
  GCancellable *wait_cancellable;
  SoupMessage *message;
  KtExchange *exchange;
  gint64 sent_at;
  GSource *backoff;
} ApiRequest;

/* A token-endpoint or revoke POST. */
typedef enum
{
  FORM_EXCHANGE_CODE,
  FORM_REFRESH,
  FORM_REVOKE,
} FormKind;

typedef struct
{
  FormKind kind;
  KtAccount *account;     /* NULL for code exchange and revoke */
  KtToken *previous;
  SoupMessage *message;
  KtExchange *exchange;
  gint64 sent_at;
  gint64 sent_monotonic;
} FormRequest;

static void api_request_acquire (GTask *task);
static void api_request_start (GTask *task);

static void
api_request_free (ApiRequest *request)
{
  if (request->holds_slot)
    kt_rate_limit_release_unused (request->rate_limit);
  if (request->backoff != NULL)
    g_source_destroy (request->backoff);
  g_clear_pointer (&request->backoff, g_source_unref);
  g_clear_object (&request->wait_cancellable);
  g_clear_object (&request->account);
  g_clear_object (&request->rate_limit);
  g_free (request->method);
  g_free (request->first_method);
  g_free (request->first_uri);
  g_free (request->uri);
  g_clear_pointer (&request->extra_headers, soup_message_headers_unref);
  g_clear_object (&request->message);
  g_clear_object (&request->exchange);
  g_free (request);
}

static void
form_request_free (FormRequest *request)
{
  g_clear_object (&request->account);
  g_clear_pointer (&request->previous, kt_token_free);
  g_clear_object (&request->message);
  g_clear_object (&request->exchange);
  g_free (request);
}

static void
refresh_free (Refresh *refresh)
{
  g_clear_object (&refresh->account);
  g_clear_pointer (&refresh->waiters, g_ptr_array_unref);
  g_free (refresh);
}

static int
port_of (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port != -1)
    return port;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    return 443;
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0)
    return 80;
  return -1;
}

/* Whether @uri has the scheme, host and port of @base. */
static gboolean
same_origin (const char *base,
             const char *uri)
{
  g_autoptr(GUri) a = NULL;
  g_autoptr(GUri) b = NULL;

  if (base == NULL || uri == NULL)
    return FALSE;

  a = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
  b = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (a == NULL || b == NULL || g_uri_get_host (a) == NULL || g_uri_get_host (b) == NULL)
    return FALSE;

  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && port_of (a) == port_of (b);
}

static gboolean
is_idempotent (const char *method)
{
  return g_str_equal (method, "GET") || g_str_equal (method, "HEAD")
         || g_str_equal (method, "PUT") || g_str_equal (method, "DELETE")
         || g_str_equal (method, "OPTIONS");
}

static gboolean
is_tls_error (const GError *error)
{
  return error->domain == G_TLS_ERROR;
}

static void
record_exchange (KtClient   *self,
                 KtAccount  *account,
                 KtExchange *exchange)
{
  if (account != NULL)
    kt_account_add_exchange (account, exchange);
  else
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->exchanges));

      if (n >= MAX_CLIENT_EXCHANGES)
        g_list_store_splice (self->exchanges, 0, n - MAX_CLIENT_EXCHANGES + 1, NULL, 0);
      g_list_store_append (self->exchanges, exchange);
    }

  g_signal_emit (self, signals[EXCHANGE_RECORDED], 0, exchange);
}

/* Reads {"error": code, "error_description": text} from an error body. */
static void
read_oauth_error (GBytes  *body,
                  char   **code,
                  char   **description)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  const char *data;
  gsize size;

  *code = NULL;
  *description = NULL;
  if (body == NULL)
    return;

  data = g_bytes_get_data (body, &size);
  if (data == NULL || !json_parser_load_from_data (parser, data, size, NULL))
    return;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  *code = g_strdup (kt_json_get_string (json_node_get_object (root), "error"));
  *description = g_strdup (kt_json_get_string (json_node_get_object (root), "error_description"));
}

static GError *
status_error (const char *method,
              const char *uri,
              guint       status,
              const char *reason)
{
  int code;
  const char *advice;

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      code = KT_ERROR_INVALID_REQUEST;
      advice = _("Check the filters and try again.");
      break;

    case SOUP_STATUS_UNAUTHORIZED:
      code = KT_ERROR_UNAUTHORIZED;
      advice = _("Sign in again.");
      break;

    case SOUP_STATUS_FORBIDDEN:
      code = KT_ERROR_FORBIDDEN;
      advice = _("Ask the company owner to grant the add-on access to it.");
      break;

    case SOUP_STATUS_NOT_FOUND:
      code = KT_ERROR_NOT_FOUND;
      advice = _("Check the id; the record may have been deleted.");
      break;

    case SOUP_STATUS_NOT_ACCEPTABLE:
      code = KT_ERROR_NOT_ACCEPTABLE;
      advice = _("The server does not offer JSON at this address; check the API URI.");
      break;

    case KT_STATUS_TOO_MANY_REQUESTS:
      code = KT_ERROR_RATE_LIMITED;
      advice = _("Wait for the rate limit to reset and try again.");
      break;

    default:
      if (status >= 500)
        {
          code = KT_ERROR_SERVER;
          advice = _("The service has a problem; try again later.");
        }
      else
        {
          code = KT_ERROR_FAILED;
          advice = _("Try again later.");
        }
      break;
    }

  return g_error_new (KT_ERROR, code,
                      _("%s %s failed: the server answered %u %s. %s"),
                      method, uri, status,
                      reason != NULL ? reason : soup_status_get_phrase (status),
                      advice);
}

static GError *
transport_error (const char   *method,
                 const char   *uri,
                 const GError *error)
{
  if (is_tls_error (error))
    return g_error_new (KT_ERROR, KT_ERROR_TLS,
                        _("%s %s failed: the secure connection could not be set up (%s). Check the address and the system's certificates."),
                        method, uri, error->message);

  /* A refused connection reached the host, so the network works but no
   * service listens at that port. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (KT_ERROR, KT_ERROR_NETWORK,
                        _("%s %s failed: %s. Check the API URI and that the service is running."),
                        method, uri, error->message);

  return g_error_new (KT_ERROR, KT_ERROR_NETWORK,
                      _("%s %s failed: %s. Check the network connection and try again."),
                      method, uri, error->message);
}

static gint64
backoff_delay (KtClient *self,
               guint     attempt)
{
  double seconds = self->retry_delay * (1u << MIN (attempt, 8u));

  /* Up to a quarter more, so parallel retries do not line up. */
  seconds += seconds * g_random_double_range (0, 0.25);

  return (gint64) (seconds * 1000);
}

/* ---- refresh: one request per account, shared by all callers ---- */

static void form_request_send (KtClient            *self,
                               FormRequest         *form,
                               const char          *uri,
                               char                *encoded,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
static gpointer form_request_finish (KtClient      *self,
                                     GAsyncResult  *result,
                                     GError       **error);

static void
on_refresh_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  KtClient *self = KT_CLIENT (source);
  Refresh *refresh = user_data;
  g_autoptr(KtToken) token = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  g_hash_table_steal (self->refreshes, refresh->account);

  token = form_request_finish (self, result, &error);
  if (token != NULL)
    {
      g_debug ("Refreshed the token of company %" G_GINT64_FORMAT,
               kt_account_get_company_id (refresh->account));
      kt_account_set_token (refresh->account, token);
    }
  else if (g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_GRANT)
           || g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_CLIENT))
    {
      g_debug ("Refreshing the token of company %" G_GINT64_FORMAT " was rejected: %s",
                 kt_account_get_company_id (refresh->account), error->message);
      kt_account_mark_needs_sign_in (refresh->account, error);
    }

  for (i = 0; i < refresh->waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (refresh->waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }

  refresh_free (refresh);
}

static void
start_refresh (KtClient  *self,
               KtAccount *account,
               GTask     *task)
{
  const KtOAuthConfig *config = kt_account_get_config (account);
  const KtToken *token = kt_account_get_token (account);
  Refresh *refresh;
  FormRequest *form;
  char *encoded;

  refresh = g_hash_table_lookup (self->refreshes, account);
  if (refresh != NULL)
    {
      g_ptr_array_add (refresh->waiters, g_object_ref (task));
      return;
    }

  /* A rejected refresh token is not sent again: no retry loop. */
  if (kt_account_get_needs_sign_in (account))
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_GRANT,
                               _("The saved sign-in of this company was rejected. Sign in again."));
      return;
    }

  if (token == NULL || token->refresh_token == NULL || config->token_uri == NULL)
    {
      g_autoptr(GError) error =
        g_error_new_literal (KT_ERROR, KT_ERROR_INVALID_GRANT,
                             _("There is no refresh token for this company. Sign in again."));

      kt_account_mark_needs_sign_in (account, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refresh = g_new0 (Refresh, 1);
  refresh->client = self;
  refresh->account = g_object_ref (account);
  refresh->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (refresh->waiters, g_object_ref (task));
  g_hash_table_insert (self->refreshes, account, refresh);

  g_debug ("Refreshing the token of company %" G_GINT64_FORMAT,
           kt_account_get_company_id (account));

  encoded = soup_form_encode ("grant_type", "refresh_token",
                              "refresh_token", token->refresh_token,
                              "client_id", config->client_id != NULL ? config->client_id : "",
                              "client_secret", config->client_secret != NULL ? config->client_secret : "",
                              NULL);

  form = g_new0 (FormRequest, 1);
  form->kind = FORM_REFRESH;
  form->account = g_object_ref (account);
  form->previous = kt_token_copy (token);

  /* Shared by every waiter, so no single caller's cancellable stops it. */
  form_request_send (self, form, config->token_uri, encoded, NULL,
                     on_refresh_done_cb, refresh);
}

/* ---- token endpoint and revoke POSTs ---- */

static GError *
form_error (FormRequest *form,
            const char  *uri,
            guint        status,
            GBytes      *body)
{
  g_autofree char *code = NULL;
  g_autofree char *description = NULL;
  const char *detail;

  read_oauth_error (body, &code, &description);
  detail = description != NULL ? description : (code != NULL ? code : soup_status_get_phrase (status));

  if (g_strcmp0 (code, "invalid_client") == 0)
    return g_error_new (KT_ERROR, KT_ERROR_INVALID_CLIENT,
                        _("The client id or secret was rejected by %s (%s). Check them in Preferences."),
                        uri, detail);

  if (form->kind == FORM_REFRESH && (status == 400 || status == 401))
    return g_error_new (KT_ERROR, KT_ERROR_INVALID_GRANT,
                        _("The saved sign-in was rejected by %s (%s). Sign in again."),
                        uri, detail);

  if (g_strcmp0 (code, "invalid_grant") == 0)
    return g_error_new (KT_ERROR, KT_ERROR_INVALID_GRANT,
                        _("The authorization code was rejected by %s (%s). Sign in again."),
                        uri, detail);

  if (status == 400 || status == 401)
    return g_error_new (KT_ERROR, status == 401 ? KT_ERROR_INVALID_CLIENT : KT_ERROR_INVALID_REQUEST,
                        _("%s rejected the request with %u (%s). Check the add-on settings in Preferences."),
                        uri, status, detail);

  if (status == KT_STATUS_TOO_MANY_REQUESTS)
    return g_error_new (KT_ERROR, KT_ERROR_RATE_LIMITED,
                        _("%s answered 429 Too Many Requests. Wait a minute and try again."), uri);

  if (status >= 500)
    return g_error_new (KT_ERROR, KT_ERROR_SERVER,
                        _("%s answered %u (%s). The service has a problem; try again later."),
                        uri, status, detail);

  return g_error_new (KT_ERROR, KT_ERROR_FAILED,
                      _("%s answered %u (%s). Try again later."), uri, status, detail);
}

static void
on_form_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtClient *self = g_task_get_source_object (task);
  FormRequest *form = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) redacted_body = NULL;
  g_autoptr(GError) error = NULL;
  const char *uri;
  guint status;
  gint64 duration;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  duration = g_get_monotonic_time () - form->sent_monotonic;
  uri = kt_exchange_get_uri (form->exchange);

  if (body == NULL)
    {
      kt_exchange_set_error (form->exchange, error, duration);
      record_exchange (self, form->account, form->exchange);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, transport_error ("POST", uri, error));
      return;
    }

  status = soup_message_get_status (form->message);
  redacted_body = form->kind == FORM_REVOKE ? g_bytes_ref (body) : kt_exchange_redact_token_json (body);
  kt_exchange_set_response (form->exchange, status, soup_message_get_reason_phrase (form->message),
                            soup_message_get_response_headers (form->message), redacted_body, duration);
  if (!g_bytes_equal (body, redacted_body))
    kt_exchange_set_response_redacted (form->exchange, g_bytes_get_size (body));
  record_exchange (self, form->account, form->exchange);

  if (status < 200 || status >= 300)
    {
      g_task_return_error (task, form_error (form, uri, status, body));
      return;
    }

  if (form->kind == FORM_REVOKE)
    {
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
      return;
    }

  {
    gsize size;
    const char *data = g_bytes_get_data (body, &size);
    KtToken *token = kt_token_parse (data != NULL ? data : "", data != NULL ? (gssize) size : 0,
                                     form->sent_at, form->previous, &error);

    if (token == NULL)
      g_task_return_error (task, g_steal_pointer (&error));
    else
      g_task_return_pointer (task, token, (GDestroyNotify) kt_token_free);
  }
}

/* Sends @encoded (taken) to @uri; the result is a KtToken, or TRUE as a
 * pointer for a revoke. */
static void
form_request_send (KtClient            *self,
                   FormRequest         *form,
                   const char          *uri,
                   char                *encoded,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) request_body = NULL;
  g_autoptr(GBytes) redacted_request = NULL;
  SoupMessageHeaders *headers;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, form_request_send);
  g_task_set_task_data (task, form, (GDestroyNotify) form_request_free);

  request_body = g_bytes_new (encoded, strlen (encoded));
  explicit_bzero (encoded, strlen (encoded));
  g_free (encoded);

  form->message = soup_message_new ("POST", uri);
  if (form->message == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("The address “%s” is not a valid URI. Correct it in Preferences."),
                               uri);
      return;
    }

  soup_message_add_flags (form->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_set_request_body_from_bytes (form->message,
                                            "application/x-www-form-urlencoded",
                                            request_body);
  headers = soup_message_get_request_headers (form->message);
  soup_message_headers_replace (headers, "Accept", "application/json");

  form->sent_at = g_get_real_time ();
  form->sent_monotonic = g_get_monotonic_time ();
  form->exchange = kt_exchange_new ("POST", uri, form->sent_at);
  redacted_request = kt_exchange_redact_form (request_body);
  kt_exchange_set_request (form->exchange, headers, redacted_request);

  soup_session_send_and_read_async (self->session, form->message, G_PRIORITY_DEFAULT,
                                    cancellable, on_form_sent_cb, g_steal_pointer (&task));
}

static gpointer
form_request_finish (KtClient      *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- API requests ---- */

static void
api_request_fail (GTask  *task,
                  GError *error)
{
  g_task_return_error (task, error);
}

/* The cancellable that ends the waits before a hop is sent: for a slot,
 * a backoff or a refresh. */
static GCancellable *
api_request_get_wait_cancellable (GTask *task)
{
  ApiRequest *request = g_task_get_task_data (task);

  if (request->wait_cancellable != NULL)
    return request->wait_cancellable;
  return g_task_get_cancellable (task);
}

/* Returns G_IO_ERROR_CANCELLED from @task, and TRUE, when its request is
 * to be dropped before the next hop goes out. */
static gboolean
api_request_return_if_cancelled (GTask *task)
{
  ApiRequest *request = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return TRUE;

  if (request->wait_cancellable != NULL && g_cancellable_is_cancelled (request->wait_cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "%s %s was dropped before it was sent", request->method, request->uri);
      return TRUE;
    }

  return FALSE;
}

static void
on_backoff_done (GTask *task)
{
  ApiRequest *request = g_task_get_task_data (task);

  g_clear_pointer (&request->backoff, g_source_unref);

  if (api_request_return_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  api_request_acquire (task);
}

static gboolean
on_backoff_cb (gpointer user_data)
{
  on_backoff_done (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  on_backoff_done (G_TASK (user_data));
  return G_SOURCE_REMOVE;
}

/* Waits @delay_ms (or until cancelled) before trying again; holds the
 * task's reference. */
static void
api_request_retry_later (GTask *task,
                         gint64 delay_ms)
{
  ApiRequest *request = g_task_get_task_data (task);
  GCancellable *cancellable = api_request_get_wait_cancellable (task);

  if (cancellable != NULL)
    {
      request->backoff = g_cancellable_source_new (cancellable);
      g_source_set_ready_time (request->backoff, g_get_monotonic_time () + delay_ms * 1000);
      /* The cancellable source fires on cancellation; the ready time fires
       * it when the delay is over. */
      g_source_set_callback (request->backoff, G_SOURCE_FUNC (on_backoff_cancelled_cb), task, NULL);
    }
  else
    {
      request->backoff = g_timeout_source_new ((guint) delay_ms);
      g_source_set_callback (request->backoff, on_backoff_cb, task, NULL);
    }

  g_source_attach (request->backoff, g_task_get_context (task));
}

/* Goes back to the request as first made, before any redirect. */
static void
restart (ApiRequest *request)
{
  g_free (request->uri);
  request->uri = g_strdup (request->first_uri);
  g_free (request->method);
  request->method = g_strdup (request->first_method);
  request->hops = 0;
}

static void
on_refreshed_for_request_cb (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ApiRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_client_refresh_finish (KT_CLIENT (source), result, &error))
    {
      api_request_fail (task, g_steal_pointer (&error));
      return;
    }

  if (api_request_return_if_cancelled (task))
    return;

  /* Start over from the first address with the new token. */
  restart (request);
  api_request_acquire (g_steal_pointer (&task));
}

static void
finish_success (GTask      *task,
                GBytes     *body,
                guint       status)
{
  ApiRequest *request = g_task_get_task_data (task);
  KtResponse *response = g_object_new (KT_TYPE_RESPONSE, NULL);

  response->status = status;
  response->uri = g_strdup (request->uri);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (request->message));
  response->body = g_bytes_ref (body);
  response->cost = request->cost;

  g_task_return_pointer (task, response, g_object_unref);
}

static void
on_api_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtClient *self = g_task_get_source_object (task);
  ApiRequest *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;
  gint64 duration;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  duration = g_get_monotonic_time () - request->sent_at;
  status = soup_message_get_status (request->message);

  /* Every response updates the budget, even one whose body was cut
   * off. */
  if (status != 0)
    kt_rate_limit_update (request->rate_limit, status,
                          soup_message_get_response_headers (request->message));
  request->holds_slot = FALSE;
  kt_rate_limit_release (request->rate_limit);
  request->cost++;

  /* Only a response shows that the server charged the request, and only
   * responses reach the budget's count. */
  kt_exchange_set_cost (request->exchange, status != 0 ? 1 : 0);
  if (body == NULL)
    kt_exchange_set_error (request->exchange, error, duration);
  else
    kt_exchange_set_response (request->exchange, status,
                              soup_message_get_reason_phrase (request->message),
                              soup_message_get_response_headers (request->message),
                              body, duration);
  record_exchange (self, request->account, request->exchange);
  g_clear_object (&request->exchange);

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          api_request_fail (task, g_steal_pointer (&error));
          return;
        }

      if (!is_tls_error (error) && is_idempotent (request->method)
          && request->attempts < self->max_retries)
        {
          request->attempts++;
          g_debug ("%s %s failed (%s); retry %u of %u",
                   request->method, request->uri, error->message,
                   request->attempts, self->max_retries);
          api_request_retry_later (g_steal_pointer (&task), backoff_delay (self, request->attempts - 1));
          return;
        }

      api_request_fail (task, transport_error (request->method, request->uri, error));
      return;
    }

  if (SOUP_STATUS_IS_REDIRECTION (status) && status != SOUP_STATUS_NOT_MODIFIED)
    {
      const char *location = soup_message_headers_get_one (soup_message_get_response_headers (request->message),
                                                           "Location");
      g_autoptr(GError) resolve_error = NULL;
      char *next;

      if (location == NULL)
        {
          api_request_fail (task, g_error_new (KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                                               _("%s %s answered %u without a Location header. Try again later."),
                                               request->method, request->uri, status));
          return;
        }

      if (++request->hops > MAX_HOPS)
        {
          api_request_fail (task, g_error_new (KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                                               _("%s %s redirected more than %d times. Try again later."),
                                               request->method, request->first_uri, MAX_HOPS));
          return;
        }

      next = g_uri_resolve_relative (request->uri, location, G_URI_FLAGS_ENCODED, &resolve_error);
      if (next == NULL)
        {
          api_request_fail (task, g_error_new (KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                                               _("%s %s redirected to an invalid address “%s” (%s)."),
                                               request->method, request->uri, location,
                                               resolve_error->message));
          return;
        }

      g_debug ("%s %s answered %u; following to %s", request->method, request->uri, status, next);
      if (status != SOUP_STATUS_TEMPORARY_REDIRECT && status != SOUP_STATUS_PERMANENT_REDIRECT)
        {
          g_free (request->method);
          request->method = g_strdup ("GET");
        }
      g_free (request->uri);
      request->uri = next;
      api_request_acquire (g_steal_pointer (&task));
      return;
    }

  if (status == SOUP_STATUS_UNAUTHORIZED
      && request->sent_credentials
      && kt_account_get_kind (request->account) == KT_AUTH_KIND_OAUTH
      && !request->refreshed)
    {
      request->refreshed = TRUE;

      if (kt_account_get_token_serial (request->account) != request->token_serial)
        {
          /* Another request refreshed the token while this one was out. */
          restart (request);
          api_request_acquire (g_steal_pointer (&task));
          return;
        }

      g_debug ("%s %s answered 401; refreshing the token", request->method, request->uri);
      kt_client_refresh_async (self, request->account, NULL,
                               on_refreshed_for_request_cb, g_steal_pointer (&task));
      return;
    }

  /* Only a 401 to the account's own credentials means a new sign-in is
   * needed, because another origin never received them. */
  if (status == SOUP_STATUS_UNAUTHORIZED && request->sent_credentials)
    {
      GError *unauthorized = status_error (request->method, request->uri, status,
                                           soup_message_get_reason_phrase (request->message));

      kt_account_emit_sign_in_required (request->account, unauthorized);
      api_request_fail (task, unauthorized);
      return;
    }

  if (status == KT_STATUS_TOO_MANY_REQUESTS && request->waits_429 < MAX_429_WAITS)
    {
      request->waits_429++;
      g_debug ("%s %s answered 429; parked until the reset", request->method, request->uri);
      api_request_acquire (g_steal_pointer (&task));
      return;
    }

  if (status >= 500 && is_idempotent (request->method) && request->attempts < self->max_retries)
    {
      request->attempts++;
      g_debug ("%s %s answered %u; retry %u of %u", request->method, request->uri,
               status, request->attempts, self->max_retries);
      api_request_retry_later (g_steal_pointer (&task), backoff_delay (self, request->attempts - 1));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      api_request_fail (task, status_error (request->method, request->uri, status,
                                            soup_message_get_reason_phrase (request->message)));
      return;
    }

  finish_success (task, body, status);
}

static void
api_request_send (GTask *task)
{
  KtClient *self = g_task_get_source_object (task);
  ApiRequest *request = g_task_get_task_data (task);
  const KtOAuthConfig *config = kt_account_get_config (request->account);
  SoupMessageHeaders *headers;

  g_clear_object (&request->message);
  request->message = soup_message_new (request->method, request->uri);
  if (request->message == NULL)
    {
      api_request_fail (task, g_error_new (KT_ERROR, KT_ERROR_INVALID_REQUEST,
                                           _("The address “%s” is not a valid URI. Check the API URI in Preferences."),
                                           request->uri));
      g_object_unref (task);
      return;
    }

  /* Redirects are followed here, hop by hop, so each is charged and the
   * credential never leaves the API's origin. */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (request->message);

  if (request->extra_headers != NULL)
    {
      SoupMessageHeadersIter iter;
      const char *name;
      const char *value;

      soup_message_headers_iter_init (&iter, request->extra_headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        soup_message_headers_replace (headers, name, value);
    }
  soup_message_headers_replace (headers, "Accept", "application/json");

  request->sent_credentials = FALSE;
  if (same_origin (config->api_uri, request->uri))
    {
      g_autofree char *authorization = kt_account_dup_authorization (request->account);

      if (authorization != NULL)
        {
          soup_message_headers_replace (headers, "Authorization", authorization);
          explicit_bzero (authorization, strlen (authorization));
          request->sent_credentials = TRUE;
        }
      request->token_serial = kt_account_get_token_serial (request->account);
    }
  else
    soup_message_headers_remove (headers, "Authorization");

  request->sent_at = g_get_monotonic_time ();
  g_clear_object (&request->exchange);
  request->exchange = kt_exchange_new (request->method, request->uri, g_get_real_time ());
  kt_exchange_set_request (request->exchange, headers, NULL);

  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_api_sent_cb, task);
}

static void
on_acquired_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  ApiRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!kt_rate_limit_acquire_finish (KT_RATE_LIMIT (source), result, &error))
    {
      api_request_fail (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  request->holds_slot = TRUE;

  if (api_request_return_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  api_request_send (task);
}

/* Takes the task's reference. */
static void
api_request_acquire (GTask *task)
{
  ApiRequest *request = g_task_get_task_data (task);

  kt_rate_limit_acquire_async (request->rate_limit, request->priority,
                               api_request_get_wait_cancellable (task), on_acquired_cb, task);
}

/* Takes the task's reference. Refreshes a token about to expire before
 * the first request goes out. */
static void
api_request_start (GTask *task)
{
  KtClient *self = g_task_get_source_object (task);
  ApiRequest *request = g_task_get_task_data (task);
  const KtToken *token;

  if (kt_account_get_kind (request->account) != KT_AUTH_KIND_OAUTH)
    {
      api_request_acquire (task);
      return;
    }

  if (kt_account_get_needs_sign_in (request->account))
    {
      api_request_fail (task, g_error_new_literal (KT_ERROR, KT_ERROR_UNAUTHORIZED,
                                                   _("The saved sign-in of this company was rejected. Sign in again.")));
      g_object_unref (task);
      return;
    }

  token = kt_account_get_token (request->account);
  if (token == NULL || token->access_token == NULL)
    {
      GError *error = g_error_new_literal (KT_ERROR, KT_ERROR_UNAUTHORIZED,
                                           _("This company has no access token. Sign in again."));

      kt_account_emit_sign_in_required (request->account, error);
      api_request_fail (task, error);
      g_object_unref (task);
      return;
    }

  if (kt_token_needs_refresh (token, g_get_real_time ()) && token->refresh_token != NULL)
    {
      request->refreshed = TRUE;
      kt_client_refresh_async (self, request->account, NULL, on_refreshed_for_request_cb, task);
      return;
    }

  /* A refresh under way means the current token was just rejected: wait
   * for the new one instead of spending a request on the old. */
  if (g_hash_table_contains (self->refreshes, request->account))
    {
      kt_client_refresh_async (self, request->account, NULL, on_refreshed_for_request_cb, task);
      return;
    }

  api_request_acquire (task);
}

static void
kt_client_dispose (GObject *object)
{
  KtClient *self = (KtClient *)object;

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->exchanges);

  G_OBJECT_CLASS (kt_client_parent_class)->dispose (object);
}

static void
kt_client_finalize (GObject *object)
{
  KtClient *self = (KtClient *)object;

  g_clear_pointer (&self->refreshes, g_hash_table_unref);
  g_clear_pointer (&self->used_codes, g_hash_table_unref);

  G_OBJECT_CLASS (kt_client_parent_class)->finalize (object);
}

static void
kt_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KtClient *self = KT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_RETRY_DELAY:
      g_value_set_double (value, self->retry_delay);
      break;

    case PROP_EXCHANGES:
      g_value_set_object (value, self->exchanges);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_client_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  KtClient *self = KT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_MAX_RETRIES:
      self->max_retries = g_value_get_uint (value);
      break;

    case PROP_RETRY_DELAY:
      self->retry_delay = g_value_get_double (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_client_class_init (KtClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw_flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_client_dispose;
  object_class->finalize = kt_client_finalize;
  object_class->get_property = kt_client_get_property;
  object_class->set_property = kt_client_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Retries of an idempotent request after a network error or a 5xx. */
  properties[PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 10, 3, rw_flags);
  /* Seconds before the first retry; each next one waits twice as long. */
  properties[PROP_RETRY_DELAY] =
    g_param_spec_double ("retry-delay", NULL, NULL, 0, 60, 0.5, rw_flags);
  /* KtExchange of requests made for no account: code exchange, revoke. */
  properties[PROP_EXCHANGES] =
    g_param_spec_object ("exchanges", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted with every KtExchange recorded, whichever log contains it. */
  signals[EXCHANGE_RECORDED] =
    g_signal_new ("exchange-recorded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KT_TYPE_EXCHANGE);
}

static void
kt_client_init (KtClient *self)
{
  g_autofree char *user_agent = g_strdup_printf ("Kounter/%s", PACKAGE_VERSION);

  self->session = soup_session_new_with_options ("user-agent", user_agent,
                                                 "timeout", 60,
                                                 "max-conns-per-host", 6,
                                                 NULL);
  self->refreshes = g_hash_table_new (NULL, NULL);
  self->used_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->exchanges = g_list_store_new (KT_TYPE_EXCHANGE);
  self->max_retries = 3;
  self->retry_delay = 0.5;
}

/* Returns a new client with its own SoupSession; the caller owns it. */
KtClient *
kt_client_new (void)
{
  return g_object_new (KT_TYPE_CLIENT, NULL);
}

/* Returns the one SoupSession of the app; owned by the client. */
SoupSession *
kt_client_get_session (KtClient *self)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), NULL);

  return self->session;
}

/* Returns the KtExchange log of requests made for no account; owned by the
 * client. */
GListModel *
kt_client_get_exchanges (KtClient *self)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), NULL);

  return G_LIST_MODEL (self->exchanges);
}

/* Sends @method @path for @account through its rate limit; see the header
 * for what happens on the way. */
void
kt_client_request_async (KtClient            *self,
                         KtAccount           *account,
                         const char          *method,
                         const char          *path,
                         SoupMessageHeaders  *headers,
                         KtPriority           priority,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  kt_client_request_full_async (self, account, method, path, headers, priority,
                                NULL, cancellable, callback, user_data);
}

/* Like kt_client_request_async(), and @wait_cancellable drops the request
 * while it waits before a hop is sent; see the header. */
void
kt_client_request_full_async (KtClient            *self,
                              KtAccount           *account,
                              const char          *method,
                              const char          *path,
                              SoupMessageHeaders  *headers,
                              KtPriority           priority,
                              GCancellable        *wait_cancellable,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  const KtOAuthConfig *config;
  ApiRequest *request;
  char *uri;

  g_return_if_fail (KT_IS_CLIENT (self));
  g_return_if_fail (KT_IS_ACCOUNT (account));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);
  g_return_if_fail (!wait_cancellable || G_IS_CANCELLABLE (wait_cancellable));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_client_request_full_async);

  config = kt_account_get_config (account);
  if (config->api_uri == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("The account has no API URI. Set it in Preferences."));
      return;
    }

  /* "https://api.kounta.com/v1" would otherwise resolve "companies/me"
   * against "/", dropping "v1". */
  if (g_str_has_suffix (config->api_uri, "/"))
    base = g_strdup (config->api_uri);
  else
    base = g_strconcat (config->api_uri, "/", NULL);

  uri = g_uri_resolve_relative (base, path, G_URI_FLAGS_ENCODED, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("The path “%s” cannot be used with the API URI “%s” (%s)."),
                               path, config->api_uri, error->message);
      return;
    }

  request = g_new0 (ApiRequest, 1);
  request->account = g_object_ref (account);
  request->rate_limit = g_object_ref (kt_account_get_rate_limit (account));
  request->method = g_strdup (method);
  request->first_method = g_strdup (method);
  request->first_uri = g_strdup (uri);
  request->uri = uri;
  request->extra_headers = headers != NULL ? soup_message_headers_ref (headers) : NULL;
  request->priority = priority;
  request->wait_cancellable = wait_cancellable != NULL ? g_object_ref (wait_cancellable) : NULL;
  g_task_set_task_data (task, request, (GDestroyNotify) api_request_free);

  api_request_start (g_steal_pointer (&task));
}

/* Returns the final 2xx response, or NULL with @error set in the KT_ERROR
 * domain (or G_IO_ERROR_CANCELLED); the caller owns it. */
KtResponse *
kt_client_request_finish (KtClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_company_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KtAccount *account = g_task_get_task_data (task);
  g_autoptr(KtResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gint64 id = 0;
  const char *timezone;

  response = kt_client_request_finish (KT_CLIENT (source), result, &error);
  if (response != NULL)
    root = kt_response_parse_json (response, &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || !kt_json_get_id ((object = json_node_get_object (root)), "id", &id))
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_RESPONSE,
                               _("The company at %s has no id. Try again later."),
                               kt_response_get_uri (response));
      return;
    }

  timezone = kt_json_get_string (object, "timezone.name");
  if (timezone == NULL)
    timezone = kt_json_get_string (object, "timezone");

  g_object_freeze_notify (G_OBJECT (account));
  kt_account_set_company_id (account, id);
  kt_account_set_company_name (account, kt_json_get_string (object, "name"));
  kt_account_set_currency (account, kt_json_get_string (object, "currency"));
  kt_account_set_timezone (account, timezone);
  g_object_thaw_notify (G_OBJECT (account));

  g_task_return_boolean (task, TRUE);
}

/* Fetches companies/me (a redirect and the company, two requests) and
 * stores the company's id, name, currency and time zone in @account. */
void
kt_client_fetch_company_async (KtClient            *self,
                               KtAccount           *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KT_IS_CLIENT (self));
  g_return_if_fail (KT_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_client_fetch_company_async);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);

  kt_client_request_async (self, account, "GET", "companies/me", NULL,
                           KT_PRIORITY_INTERACTIVE, cancellable, on_company_cb, task);
}

/* Returns TRUE when the account's company fields were filled, or FALSE
 * with @error set. */
gboolean
kt_client_fetch_company_finish (KtClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_code_exchanged_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  KtToken *token = form_request_finish (KT_CLIENT (source), result, &error);

  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) kt_token_free);
}

/* Exchanges an authorization code for a token. One KtClient sends each
 * code at most once and fails with KT_ERROR_CODE_ALREADY_USED when asked
 * again; another KtClient does not know the codes this one sent. */
void
kt_client_exchange_code_async (KtClient            *self,
                               const KtOAuthConfig *config,
                               const char          *code,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *digest = NULL;
  FormRequest *form;
  char *encoded;

  g_return_if_fail (KT_IS_CLIENT (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_client_exchange_code_async);

  if (config->token_uri == NULL || config->client_id == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("The token URI or client id is not set. Set them in Preferences."));
      return;
    }

  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, code, -1);
  if (g_hash_table_contains (self->used_codes, digest))
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_CODE_ALREADY_USED,
                               _("This authorization code was already exchanged. Start signing in again."));
      return;
    }
  g_hash_table_add (self->used_codes, g_steal_pointer (&digest));

  encoded = soup_form_encode ("grant_type", "authorization_code",
                              "code", code,
                              "client_id", config->client_id,
                              "client_secret", config->client_secret != NULL ? config->client_secret : "",
                              "redirect_uri", config->redirect_uri != NULL ? config->redirect_uri : "",
                              NULL);

  form = g_new0 (FormRequest, 1);
  form->kind = FORM_EXCHANGE_CODE;
  form_request_send (self, form, config->token_uri, encoded, cancellable,
                     on_code_exchanged_cb, g_steal_pointer (&task));
}

/* Returns the new token, or NULL with @error set; the caller owns it. */
KtToken *
kt_client_exchange_code_finish (KtClient      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Refreshes @account's token; callers during a refresh share it. A 400 or
 * 401 from the token endpoint emits "sign-in-required" and is not retried. */
void
kt_client_refresh_async (KtClient            *self,
                         KtAccount           *account,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KT_IS_CLIENT (self));
  g_return_if_fail (KT_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_client_refresh_async);
  /* Waiters get the result of the shared refresh when it ends, and a
   * cancelled one gets G_IO_ERROR_CANCELLED instead. */
  g_task_set_check_cancellable (task, TRUE);

  if (kt_account_get_kind (account) != KT_AUTH_KIND_OAUTH)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("Basic credentials have no token to refresh."));
      return;
    }

  start_refresh (self, account, task);
}

/* Returns TRUE when the account has a new token, or FALSE with @error
 * set (KT_ERROR_INVALID_GRANT: sign in again). */
gboolean
kt_client_refresh_finish (KtClient      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_revoked_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (form_request_finish (KT_CLIENT (source), result, &error) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Revokes @token (an access or refresh token) at the revoke URI. */
void
kt_client_revoke_async (KtClient            *self,
                        const KtOAuthConfig *config,
                        const char          *token,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FormRequest *form;
  char *encoded;

  g_return_if_fail (KT_IS_CLIENT (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_client_revoke_async);

  if (config->revoke_uri == NULL)
    {
      g_task_return_new_error (task, KT_ERROR, KT_ERROR_INVALID_REQUEST,
                               _("The revoke URI is not set. Set it in Preferences."));
      return;
    }

  encoded = soup_form_encode ("client_id", config->client_id != NULL ? config->client_id : "",
                              "client_secret", config->client_secret != NULL ? config->client_secret : "",
                              "token", token,
                              NULL);

  form = g_new0 (FormRequest, 1);
  form->kind = FORM_REVOKE;
  form_request_send (self, form, config->revoke_uri, encoded, cancellable,
                     on_revoked_cb, g_steal_pointer (&task));
}

/* Returns TRUE when the server confirmed the revocation, or FALSE with
 * @error set. */
gboolean
kt_client_revoke_finish (KtClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (KT_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
