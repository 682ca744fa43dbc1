#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Seconds before expiry at which an access token is refreshed. */
#define KT_TOKEN_REFRESH_MARGIN_SECONDS 60

/* Lifetime assumed when a token response has no usable expires_in. */
#define KT_TOKEN_DEFAULT_LIFETIME_SECONDS 3600

#define KT_TYPE_TOKEN (kt_token_get_type ())

/* An OAuth 2.0 token set. Times are wall-clock microseconds
 * (g_get_real_time()), so they survive a restart when stored. */
typedef struct
{
  char   *access_token;
  char   *refresh_token;
  char   *token_type;
  char   *scope;
  gint64  expires_at;
  gint64  issued_at;   /* when the request that got it was sent; 0 if unknown */
} KtToken;

GType    kt_token_get_type      (void) G_GNUC_CONST;
/* Constructors return a token the caller owns; free it with kt_token_free().
 * kt_token_parse() returns NULL with @error set when the body has no
 * access_token or is not a JSON object. */
KtToken *kt_token_new           (void);
KtToken *kt_token_copy          (const KtToken *token);
void     kt_token_free          (KtToken       *token);
KtToken *kt_token_parse         (const char    *json,
                                 gssize         length,
                                 gint64         sent_at,
                                 const KtToken *previous,
                                 GError       **error);
gboolean kt_token_needs_refresh (const KtToken *token,
                                 gint64         now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KtToken, kt_token_free)

G_END_DECLS
