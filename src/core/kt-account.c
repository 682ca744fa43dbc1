#define G_LOG_DOMAIN "kt-account"

#include "config.h"

#include <string.h>

#include "kt-account-private.h"

/* Exchanges kept for the inspector, and the response body bytes they may
 * keep together; the oldest are dropped first. A bulk load of 100,000
 * orders would otherwise keep every page it received. */
#define MAX_EXCHANGES 500
#define MAX_EXCHANGE_BYTES (16 * 1024 * 1024)

struct _KtAccount
{
  GObject parent_instance;

  KtAuthKind kind;
  KtOAuthConfig *config;
  gint64 company_id;
  char *company_name;
  char *currency;
  char *timezone;
  gboolean demo;
  KtToken *token;
  guint token_serial;
  gboolean needs_sign_in;
  KtRateLimit *rate_limit;
  GListStore *exchanges;
  guint64 exchange_bytes;
};

G_DEFINE_FINAL_TYPE (KtAccount, kt_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_CONFIG,
  PROP_COMPANY_ID,
  PROP_COMPANY_NAME,
  PROP_CURRENCY,
  PROP_TIMEZONE,
  PROP_DEMO,
  PROP_RATE_LIMIT,
  PROP_EXCHANGES,
  PROP_NEEDS_SIGN_IN,
  N_PROPS
};

enum {
  TOKEN_CHANGED,
  SIGN_IN_REQUIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_string (KtAccount  *self,
            char      **field,
            const char *value,
            guint       prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_needs_sign_in (KtAccount *self,
                   gboolean   needs_sign_in)
{
  if (self->needs_sign_in == needs_sign_in)
    return;

  self->needs_sign_in = needs_sign_in;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_SIGN_IN]);
}

static void
kt_account_dispose (GObject *object)
{
  KtAccount *self = (KtAccount *)object;

  g_clear_object (&self->rate_limit);
  g_clear_object (&self->exchanges);

  G_OBJECT_CLASS (kt_account_parent_class)->dispose (object);
}

static void
kt_account_finalize (GObject *object)
{
  KtAccount *self = (KtAccount *)object;

  g_clear_pointer (&self->config, kt_oauth_config_free);
  g_clear_pointer (&self->token, kt_token_free);
  g_free (self->company_name);
  g_free (self->currency);
  g_free (self->timezone);

  G_OBJECT_CLASS (kt_account_parent_class)->finalize (object);
}

static void
kt_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KtAccount *self = KT_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;

    case PROP_CONFIG:
      g_value_set_boxed (value, self->config);
      break;

    case PROP_COMPANY_ID:
      g_value_set_int64 (value, self->company_id);
      break;

    case PROP_COMPANY_NAME:
      g_value_set_string (value, self->company_name);
      break;

    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;

    case PROP_TIMEZONE:
      g_value_set_string (value, self->timezone);
      break;

    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;

    case PROP_RATE_LIMIT:
      g_value_set_object (value, self->rate_limit);
      break;

    case PROP_EXCHANGES:
      g_value_set_object (value, self->exchanges);
      break;

    case PROP_NEEDS_SIGN_IN:
      g_value_set_boolean (value, self->needs_sign_in);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KtAccount *self = KT_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;

    case PROP_CONFIG:
      kt_account_set_config (self, g_value_get_boxed (value));
      break;

    case PROP_COMPANY_ID:
      kt_account_set_company_id (self, g_value_get_int64 (value));
      break;

    case PROP_COMPANY_NAME:
      kt_account_set_company_name (self, g_value_get_string (value));
      break;

    case PROP_CURRENCY:
      kt_account_set_currency (self, g_value_get_string (value));
      break;

    case PROP_TIMEZONE:
      kt_account_set_timezone (self, g_value_get_string (value));
      break;

    case PROP_DEMO:
      kt_account_set_demo (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_account_constructed (GObject *object)
{
  KtAccount *self = (KtAccount *)object;

  G_OBJECT_CLASS (kt_account_parent_class)->constructed (object);

  /* The vendor's documented limits per minute: 60 for Basic, 180 for
   * OAuth 2.0. */
  self->rate_limit = kt_rate_limit_new (self->kind == KT_AUTH_KIND_BASIC ? 60 : 180);
}

static void
kt_account_class_init (KtAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags read_flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->constructed = kt_account_constructed;
  object_class->dispose = kt_account_dispose;
  object_class->finalize = kt_account_finalize;
  object_class->get_property = kt_account_get_property;
  object_class->set_property = kt_account_set_property;

  /* A KtAuthKind value; the enum has no GType, so it is an int. */
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, KT_AUTH_KIND_OAUTH, KT_AUTH_KIND_BASIC, KT_AUTH_KIND_OAUTH,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL, KT_TYPE_OAUTH_CONFIG, rw_flags);
  properties[PROP_COMPANY_ID] =
    g_param_spec_int64 ("company-id", NULL, NULL, 0, G_MAXINT64, 0, rw_flags);
  properties[PROP_COMPANY_NAME] =
    g_param_spec_string ("company-name", NULL, NULL, NULL, rw_flags);
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, NULL, rw_flags);
  properties[PROP_TIMEZONE] =
    g_param_spec_string ("timezone", NULL, NULL, NULL, rw_flags);
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE, rw_flags);
  properties[PROP_RATE_LIMIT] =
    g_param_spec_object ("rate-limit", NULL, NULL, KT_TYPE_RATE_LIMIT, read_flags);
  properties[PROP_EXCHANGES] =
    g_param_spec_object ("exchanges", NULL, NULL, G_TYPE_LIST_MODEL, read_flags);
  /* Set when the refresh token was rejected, until a new token or config
   * is stored; requests fail at once meanwhile. */
  properties[PROP_NEEDS_SIGN_IN] =
    g_param_spec_boolean ("needs-sign-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOKEN_CHANGED] =
    g_signal_new ("token-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /* The GError gives the reason: KT_ERROR_INVALID_GRANT,
   * KT_ERROR_UNAUTHORIZED or KT_ERROR_INVALID_CLIENT. */
  signals[SIGN_IN_REQUIRED] =
    g_signal_new ("sign-in-required",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
kt_account_init (KtAccount *self)
{
  self->config = kt_oauth_config_new ();
  self->exchanges = g_list_store_new (KT_TYPE_EXCHANGE);
}

/* Returns a new account of @kind for @config (copied; may be NULL); the
 * caller owns it. */
KtAccount *
kt_account_new (KtAuthKind           kind,
                const KtOAuthConfig *config)
{
  return g_object_new (KT_TYPE_ACCOUNT,
                       "kind", kind,
                       "config", config,
                       NULL);
}

/* Returns whether the account uses OAuth 2.0 or Basic credentials. */
KtAuthKind
kt_account_get_kind (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), KT_AUTH_KIND_OAUTH);

  return self->kind;
}

/* Returns the account's URIs and client credentials; owned by the
 * account. */
const KtOAuthConfig *
kt_account_get_config (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->config;
}

/* Replaces the URIs and client credentials with a copy of @config (NULL
 * clears them). */
void
kt_account_set_config (KtAccount           *self,
                       const KtOAuthConfig *config)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  if (config == self->config)
    return;

  kt_oauth_config_free (self->config);
  self->config = config != NULL ? kt_oauth_config_copy (config) : kt_oauth_config_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONFIG]);
  set_needs_sign_in (self, FALSE);
}

/* Returns the company id, 0 until known. */
gint64
kt_account_get_company_id (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), 0);

  return self->company_id;
}

/* Stores the company id. */
void
kt_account_set_company_id (KtAccount *self,
                           gint64     company_id)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  if (self->company_id == company_id)
    return;

  self->company_id = company_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPANY_ID]);
}

/* Returns the company name or NULL; owned by the account. */
const char *
kt_account_get_company_name (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->company_name;
}

/* Stores the company name. */
void
kt_account_set_company_name (KtAccount  *self,
                             const char *name)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  set_string (self, &self->company_name, name, PROP_COMPANY_NAME);
}

/* Returns the ISO 4217 currency code or NULL; owned by the account. */
const char *
kt_account_get_currency (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->currency;
}

/* Stores the ISO 4217 currency code. */
void
kt_account_set_currency (KtAccount  *self,
                         const char *currency)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  set_string (self, &self->currency, currency, PROP_CURRENCY);
}

/* Returns the IANA time zone name or NULL; owned by the account. */
const char *
kt_account_get_timezone (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->timezone;
}

/* Stores the IANA time zone name. */
void
kt_account_set_timezone (KtAccount  *self,
                         const char *timezone)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  set_string (self, &self->timezone, timezone, PROP_TIMEZONE);
}

/* Returns whether the account talks to the built-in sandbox. */
gboolean
kt_account_get_demo (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), FALSE);

  return self->demo;
}

/* Marks the account as talking to the built-in sandbox. */
void
kt_account_set_demo (KtAccount *self,
                     gboolean   demo)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  demo = !!demo;
  if (self->demo == demo)
    return;

  self->demo = demo;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

/* Returns the OAuth token or NULL; owned by the account. */
const KtToken *
kt_account_get_token (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->token;
}

/* Stores a copy of @token (NULL clears it) and emits "token-changed". */
void
kt_account_set_token (KtAccount     *self,
                      const KtToken *token)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  if (token == self->token)
    return;

  g_clear_pointer (&self->token, kt_token_free);
  self->token = kt_token_copy (token);
  self->token_serial++;
  set_needs_sign_in (self, FALSE);

  g_signal_emit (self, signals[TOKEN_CHANGED], 0);
}

/* Returns the account's request budget; owned by the account. */
KtRateLimit *
kt_account_get_rate_limit (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return self->rate_limit;
}

/* Returns the GListModel of KtExchange, newest last; owned by the
 * account. */
GListModel *
kt_account_get_exchanges (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  return G_LIST_MODEL (self->exchanges);
}

/* Returns the Authorization header value, or NULL when an OAuth account
 * has no token or a Basic account has no client id; the caller owns it. */
char *
kt_account_dup_authorization (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), NULL);

  if (self->kind == KT_AUTH_KIND_BASIC)
    {
      g_autofree char *pair = NULL;
      g_autofree char *encoded = NULL;
      char *value;

      if (self->config->client_id == NULL)
        return NULL;

      pair = g_strdup_printf ("%s:%s", self->config->client_id,
                              self->config->client_secret != NULL ? self->config->client_secret : "");
      encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
      value = g_strdup_printf ("Basic %s", encoded);

      explicit_bzero (pair, strlen (pair));
      explicit_bzero (encoded, strlen (encoded));
      return value;
    }

  if (self->token == NULL || self->token->access_token == NULL)
    return NULL;

  return g_strdup_printf ("Bearer %s", self->token->access_token);
}

static guint64
body_size (KtExchange *exchange)
{
  GBytes *body = kt_exchange_get_response_body (exchange);

  return body != NULL ? g_bytes_get_size (body) : 0;
}

/* Appends @exchange to the log, dropping the oldest past either cap. */
void
kt_account_add_exchange (KtAccount  *self,
                         KtExchange *exchange)
{
  GListModel *list;
  guint n;
  guint dropped = 0;

  g_return_if_fail (KT_IS_ACCOUNT (self));
  g_return_if_fail (KT_IS_EXCHANGE (exchange));

  list = G_LIST_MODEL (self->exchanges);
  n = g_list_model_get_n_items (list);
  self->exchange_bytes += body_size (exchange);

  while (dropped < n
         && (n - dropped >= MAX_EXCHANGES || self->exchange_bytes > MAX_EXCHANGE_BYTES))
    {
      g_autoptr(KtExchange) oldest = g_list_model_get_item (list, dropped);

      self->exchange_bytes -= body_size (oldest);
      dropped++;
    }

  if (dropped > 0)
    g_list_store_splice (self->exchanges, 0, dropped, NULL, 0);
  g_list_store_append (self->exchanges, exchange);
}

/* Emits "sign-in-required" with @error. */
void
kt_account_emit_sign_in_required (KtAccount    *self,
                                  const GError *error)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  g_signal_emit (self, signals[SIGN_IN_REQUIRED], 0, error);
}

/* Marks the account as needing a new sign-in and emits "sign-in-required"
 * with @error. */
void
kt_account_mark_needs_sign_in (KtAccount    *self,
                               const GError *error)
{
  g_return_if_fail (KT_IS_ACCOUNT (self));

  set_needs_sign_in (self, TRUE);
  g_signal_emit (self, signals[SIGN_IN_REQUIRED], 0, error);
}

/* Returns whether the refresh token was rejected and no new token or
 * config has been stored since. */
gboolean
kt_account_get_needs_sign_in (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), FALSE);

  return self->needs_sign_in;
}

/* Returns a number that changes whenever the token does. */
guint
kt_account_get_token_serial (KtAccount *self)
{
  g_return_val_if_fail (KT_IS_ACCOUNT (self), 0);

  return self->token_serial;
}
