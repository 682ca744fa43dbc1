#pragma once

#include <gio/gio.h>

#include "kt-oauth.h"
#include "kt-rate-limit.h"
#include "kt-token.h"

G_BEGIN_DECLS

typedef enum
{
  KT_AUTH_KIND_OAUTH,
  KT_AUTH_KIND_BASIC,
} KtAuthKind;

#define KT_TYPE_ACCOUNT (kt_account_get_type ())
G_DECLARE_FINAL_TYPE (KtAccount, kt_account, KT, ACCOUNT, GObject)

/*
 * One company reached through one credential. Secrets (client secret and
 * token) are held in memory only; saving them is the account store's job.
 *
 * Properties: "kind" (KtAuthKind, construct-only), "config" (KtOAuthConfig
 * boxed: client id, URIs; its client_secret is the secret), "company-id"
 * (gint64), "company-name", "currency" (ISO 4217, e.g. "AUD"), "timezone"
 * (IANA name), "demo" (gboolean), "rate-limit" (KtRateLimit, read-only,
 * 60 for Basic and 180 for OAuth before any header arrives), "exchanges"
 * (GListModel of KtExchange, read-only, newest last).
 * Signals: "token-changed" after a refresh stores a new token;
 * "sign-in-required" (GError *why) when the credential was rejected for
 * good. Getters return values owned by the account; setters copy.
 */
KtAccount           *kt_account_new                (KtAuthKind           kind,
                                                    const KtOAuthConfig *config);
KtAuthKind           kt_account_get_kind           (KtAccount           *self);
const KtOAuthConfig *kt_account_get_config         (KtAccount           *self);
void                 kt_account_set_config         (KtAccount           *self,
                                                    const KtOAuthConfig *config);
gint64               kt_account_get_company_id     (KtAccount           *self);
void                 kt_account_set_company_id     (KtAccount           *self,
                                                    gint64               company_id);
const char          *kt_account_get_company_name   (KtAccount           *self);
void                 kt_account_set_company_name   (KtAccount           *self,
                                                    const char          *name);
const char          *kt_account_get_currency       (KtAccount           *self);
void                 kt_account_set_currency       (KtAccount           *self,
                                                    const char          *currency);
const char          *kt_account_get_timezone       (KtAccount           *self);
void                 kt_account_set_timezone       (KtAccount           *self,
                                                    const char          *timezone);
gboolean             kt_account_get_demo           (KtAccount           *self);
void                 kt_account_set_demo           (KtAccount           *self,
                                                    gboolean             demo);
const KtToken       *kt_account_get_token          (KtAccount           *self);
void                 kt_account_set_token          (KtAccount           *self,
                                                    const KtToken       *token);
KtRateLimit         *kt_account_get_rate_limit     (KtAccount           *self);
GListModel          *kt_account_get_exchanges      (KtAccount           *self);
/* Whether the refresh token was rejected: requests fail at once until a
 * new token or config is stored (property "needs-sign-in"). */
gboolean             kt_account_get_needs_sign_in  (KtAccount           *self);

/* The Authorization header value for the next request, or NULL when an
 * OAuth account has no token yet. The caller owns the string. */
char                *kt_account_dup_authorization  (KtAccount           *self);

G_END_DECLS
