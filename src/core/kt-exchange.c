#define G_LOG_DOMAIN "kt-exchange"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "kt-exchange-private.h"

#define REDACTED "[redacted]"

struct _KtExchange
{
  GObject parent_instance;

  char *method;
  char *uri;
  guint status;
  char *reason;
  gint64 started;
  gint64 duration;
  guint cost;
  char *error_message;
  GStrv request_headers;
  GStrv response_headers;
  GBytes *request_body;
  GBytes *response_body;
  /* The length of the response body as received, before any redaction. */
  guint64 received_size;
  gboolean response_body_redacted;
};

G_DEFINE_FINAL_TYPE (KtExchange, kt_exchange, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_METHOD,
  PROP_URI,
  PROP_STATUS,
  PROP_REASON,
  PROP_STARTED,
  PROP_DURATION,
  PROP_COST,
  PROP_SIZE,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const secret_form_fields[] = {
  "client_secret", "code", "refresh_token", "token", "access_token", "password",
};

static const char * const secret_json_members[] = {
  "access_token", "refresh_token", "id_token",
};

static gboolean
is_secret_header (const char *name)
{
  return g_ascii_strcasecmp (name, "Authorization") == 0
         || g_ascii_strcasecmp (name, "Proxy-Authorization") == 0
         || g_ascii_strcasecmp (name, "Cookie") == 0
         || g_ascii_strcasecmp (name, "Set-Cookie") == 0;
}

/* Keeps the scheme of an Authorization value ("Bearer [redacted]"), so the
 * inspector still shows which kind of credential went out. */
static char *
redact_header_value (const char *name,
                     const char *value)
{
  const char *space;

  if (!is_secret_header (name))
    return g_strdup (value);

  space = strchr (value, ' ');
  if (space != NULL
      && (g_ascii_strcasecmp (name, "Authorization") == 0
          || g_ascii_strcasecmp (name, "Proxy-Authorization") == 0))
    return g_strdup_printf ("%.*s " REDACTED, (int) (space - value), value);

  return g_strdup (REDACTED);
}

static GStrv
headers_to_strv (SoupMessageHeaders *headers)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  if (headers != NULL)
    {
      soup_message_headers_iter_init (&iter, headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        {
          g_autofree char *redacted = redact_header_value (name, value);

          g_strv_builder_add (builder, name);
          g_strv_builder_add (builder, redacted);
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
is_secret_field (const char *name,
                 gsize       length)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (secret_form_fields); i++)
    {
      if (strlen (secret_form_fields[i]) == length
          && strncmp (secret_form_fields[i], name, length) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
quote_header (const char *name,
              const char *value)
{
  g_autofree char *line = g_strdup_printf ("%s: %s", name, value);

  return g_shell_quote (line);
}

static void
kt_exchange_finalize (GObject *object)
{
  KtExchange *self = (KtExchange *)object;

  g_free (self->method);
  g_free (self->uri);
  g_free (self->reason);
  g_free (self->error_message);
  g_strfreev (self->request_headers);
  g_strfreev (self->response_headers);
  g_clear_pointer (&self->request_body, g_bytes_unref);
  g_clear_pointer (&self->response_body, g_bytes_unref);

  G_OBJECT_CLASS (kt_exchange_parent_class)->finalize (object);
}

static void
kt_exchange_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KtExchange *self = KT_EXCHANGE (object);

  switch (prop_id)
    {
    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;

    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;

    case PROP_STATUS:
      g_value_set_uint (value, self->status);
      break;

    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;

    case PROP_STARTED:
      g_value_set_int64 (value, self->started);
      break;

    case PROP_DURATION:
      g_value_set_int64 (value, self->duration);
      break;

    case PROP_COST:
      g_value_set_uint (value, self->cost);
      break;

    case PROP_SIZE:
      g_value_set_uint64 (value, self->received_size);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_exchange_class_init (KtExchangeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kt_exchange_finalize;
  object_class->get_property = kt_exchange_get_property;

  properties[PROP_METHOD] = g_param_spec_string ("method", NULL, NULL, NULL, flags);
  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_uint ("status", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, flags);
  properties[PROP_STARTED] = g_param_spec_int64 ("started", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DURATION] = g_param_spec_int64 ("duration", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_COST] = g_param_spec_uint ("cost", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kt_exchange_init (KtExchange *self)
{
}

/* Returns a new exchange for a request about to be sent; the caller owns
 * it. */
KtExchange *
kt_exchange_new (const char *method,
                 const char *uri,
                 gint64      started)
{
  KtExchange *self = g_object_new (KT_TYPE_EXCHANGE, NULL);

  self->method = g_strdup (method);
  self->uri = g_strdup (uri);
  self->started = started;
  self->request_headers = g_new0 (char *, 1);
  self->response_headers = g_new0 (char *, 1);

  return self;
}

/* Stores the request's headers (redacted here) and its body, which must
 * already be redacted. */
void
kt_exchange_set_request (KtExchange         *self,
                         SoupMessageHeaders *headers,
                         GBytes             *body)
{
  g_return_if_fail (KT_IS_EXCHANGE (self));

  g_strfreev (self->request_headers);
  self->request_headers = headers_to_strv (headers);
  g_clear_pointer (&self->request_body, g_bytes_unref);
  self->request_body = body != NULL ? g_bytes_ref (body) : NULL;
}

/* Stores the response; @body must already be redacted where it contains
 * tokens. */
void
kt_exchange_set_response (KtExchange         *self,
                          guint               status,
                          const char         *reason,
                          SoupMessageHeaders *headers,
                          GBytes             *body,
                          gint64              duration)
{
  g_return_if_fail (KT_IS_EXCHANGE (self));

  self->status = status;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  g_strfreev (self->response_headers);
  self->response_headers = headers_to_strv (headers);
  g_clear_pointer (&self->response_body, g_bytes_unref);
  self->response_body = body != NULL ? g_bytes_ref (body) : NULL;
  self->received_size = body != NULL ? g_bytes_get_size (body) : 0;
  self->response_body_redacted = FALSE;
  self->duration = duration;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

/* Records that the stored response body is a redacted copy of one that
 * was @received_size bytes long. */
void
kt_exchange_set_response_redacted (KtExchange *self,
                                   guint64     received_size)
{
  g_return_if_fail (KT_IS_EXCHANGE (self));

  self->received_size = received_size;
  self->response_body_redacted = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

/* Stores a failure that left no response. */
void
kt_exchange_set_error (KtExchange   *self,
                       const GError *error,
                       gint64        duration)
{
  g_return_if_fail (KT_IS_EXCHANGE (self));
  g_return_if_fail (error != NULL);

  g_free (self->error_message);
  self->error_message = g_strdup (error->message);
  self->duration = duration;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

/* Stores the number of requests charged to the budget for this exchange. */
void
kt_exchange_set_cost (KtExchange *self,
                      guint       cost)
{
  g_return_if_fail (KT_IS_EXCHANGE (self));

  self->cost = cost;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COST]);
}

/* Returns a copy of the form body @body with the values of client_secret,
 * code, refresh_token, token, access_token and password replaced; the
 * caller owns it. */
GBytes *
kt_exchange_redact_form (GBytes *body)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) pairs = NULL;
  GString *result;
  gsize size;
  const char *data;
  guint i;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &size);
  text = g_strndup (data, size);
  pairs = g_strsplit (text, "&", -1);
  result = g_string_sized_new (size);

  for (i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');

      if (i > 0)
        g_string_append_c (result, '&');

      if (equals != NULL && is_secret_field (pairs[i], equals - pairs[i]))
        {
          g_string_append_len (result, pairs[i], equals - pairs[i] + 1);
          g_string_append (result, "%5Bredacted%5D");
        }
      else
        g_string_append (result, pairs[i]);
    }

  return g_string_free_to_bytes (result);
}

/* Returns a copy of the token response @body with access_token,
 * refresh_token and id_token replaced, or a placeholder when it is not a
 * JSON object (it might still hold a token); the caller owns it. */
GBytes *
kt_exchange_redact_token_json (GBytes *body)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  JsonNode *root;
  JsonObject *object;
  char *text;
  gsize size;
  const char *data;
  guint i;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &size);
  if (size == 0)
    return g_bytes_ref (body);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    return g_bytes_new_static ("(not a JSON object; not shown because it may hold a token)",
                               strlen ("(not a JSON object; not shown because it may hold a token)"));

  object = json_node_get_object (root);
  for (i = 0; i < G_N_ELEMENTS (secret_json_members); i++)
    {
      if (json_object_has_member (object, secret_json_members[i]))
        json_object_set_string_member (object, secret_json_members[i], REDACTED);
    }

  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &size);

  return g_bytes_new_take (text, size);
}

/* Returns the request method ("GET"); owned by the exchange. */
const char *
kt_exchange_get_method (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->method;
}

/* Returns the request URI; owned by the exchange. */
const char *
kt_exchange_get_uri (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->uri;
}

/* Returns the response status, or 0 when no response arrived. */
guint
kt_exchange_get_status (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), 0);

  return self->status;
}

/* Returns the response's reason phrase or NULL; owned by the exchange. */
const char *
kt_exchange_get_reason (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->reason;
}

/* Returns when the request was sent, in wall-clock microseconds. */
gint64
kt_exchange_get_started (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), 0);

  return self->started;
}

/* Returns the time from sending to the end of the response body, in
 * microseconds. */
gint64
kt_exchange_get_duration (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), 0);

  return self->duration;
}

/* Returns the number of requests this exchange cost the budget. */
guint
kt_exchange_get_cost (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), 0);

  return self->cost;
}

/* Returns the error that left no response, or NULL; owned by the
 * exchange. */
const char *
kt_exchange_get_error_message (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->error_message;
}

/* Returns the redacted request headers as alternating names and values;
 * owned by the exchange. */
const char * const *
kt_exchange_get_request_headers (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return (const char * const *) self->request_headers;
}

/* Returns the redacted response headers as alternating names and values;
 * owned by the exchange. */
const char * const *
kt_exchange_get_response_headers (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return (const char * const *) self->response_headers;
}

/* Returns the length of the response body as received, before redaction. */
guint64
kt_exchange_get_size (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), 0);

  return self->received_size;
}

/* Returns whether the stored response body had tokens replaced. */
gboolean
kt_exchange_get_response_body_redacted (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), FALSE);

  return self->response_body_redacted;
}

/* Returns the (redacted) request body or NULL; owned by the exchange. */
GBytes *
kt_exchange_get_request_body (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->request_body;
}

/* Returns the response body or NULL; owned by the exchange. */
GBytes *
kt_exchange_get_response_body (KtExchange *self)
{
  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  return self->response_body;
}

/* Returns a shell command line that repeats the request with curl; the
 * Authorization value is "$KOUNTA_AUTHORIZATION" unless @secret (the whole
 * header value, e.g. "Bearer abc") is given. The caller owns it. */
char *
kt_exchange_to_curl (KtExchange *self,
                     const char *secret)
{
  GString *command;
  g_autofree char *quoted_uri = NULL;
  guint i;

  g_return_val_if_fail (KT_IS_EXCHANGE (self), NULL);

  command = g_string_new ("curl");
  if (g_strcmp0 (self->method, "GET") != 0)
    g_string_append_printf (command, " -X %s", self->method);

  for (i = 0; self->request_headers[i] != NULL && self->request_headers[i + 1] != NULL; i += 2)
    {
      const char *name = self->request_headers[i];
      g_autofree char *quoted = NULL;

      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        {
          if (secret != NULL)
            quoted = quote_header (name, secret);
          else
            {
              /* Double quotes so the shell expands the variable. */
              g_string_append (command, " -H \"Authorization: $KOUNTA_AUTHORIZATION\"");
              continue;
            }
        }
      else if (is_secret_header (name))
        continue;
      else
        quoted = quote_header (name, self->request_headers[i + 1]);

      g_string_append_printf (command, " -H %s", quoted);
    }

  if (self->request_body != NULL && g_bytes_get_size (self->request_body) > 0)
    {
      gsize size;
      const char *data = g_bytes_get_data (self->request_body, &size);
      g_autofree char *body = g_strndup (data, size);
      g_autofree char *quoted = g_shell_quote (body);

      g_string_append_printf (command, " --data-binary %s", quoted);
    }

  quoted_uri = g_shell_quote (self->uri);
  g_string_append_printf (command, " %s", quoted_uri);

  return g_string_free (command, FALSE);
}
