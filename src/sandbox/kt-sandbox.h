#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Data sizes: small for unit tests, demo for the app, large for benchmarks. */
typedef enum
{
  KT_SANDBOX_SCALE_SMALL,
  KT_SANDBOX_SCALE_DEMO,
  KT_SANDBOX_SCALE_LARGE,
} KtSandboxScale;

/* How X-Ratelimit-Reset is written. */
typedef enum
{
  KT_SANDBOX_RESET_SECONDS_LEFT,
  KT_SANDBOX_RESET_UNIX_TIME,
} KtSandboxResetForm;

/* The body of a 429 response. */
typedef enum
{
  KT_SANDBOX_LIMIT_BODY_JSON,
  KT_SANDBOX_LIMIT_BODY_TEXT,
} KtSandboxLimitBody;

GType kt_sandbox_scale_get_type (void) G_GNUC_CONST;
GType kt_sandbox_reset_form_get_type (void) G_GNUC_CONST;
GType kt_sandbox_limit_body_get_type (void) G_GNUC_CONST;
#define KT_TYPE_SANDBOX_SCALE (kt_sandbox_scale_get_type ())
#define KT_TYPE_SANDBOX_RESET_FORM (kt_sandbox_reset_form_get_type ())
#define KT_TYPE_SANDBOX_LIMIT_BODY (kt_sandbox_limit_body_get_type ())

#define KT_TYPE_SANDBOX (kt_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (KtSandbox, kt_sandbox, KT, SANDBOX, GObject)

/*
 * Properties, all settable before kt_sandbox_start():
 *   "seed" (guint64), "scale" (KtSandboxScale), "page-size" (guint),
 *   "rate-window" (double, seconds), "basic-limit" (guint, default 60),
 *   "bearer-limit" (guint, default 180), "token-lifetime" (double, seconds),
 *   "reset-form", "limit-body", "retry-after" (gboolean),
 *   "listen-any" (gboolean: listen on every interface, not only loopback),
 *   "tls-certificate" (GTlsCertificate: serve HTTPS with it),
 *   "log-requests" (gboolean: print one line per request to stdout),
 *   "redirect-uri" (string: the demo client's registered redirect URI),
 *   "fault-delay" (double, seconds the "slow" fault delays a response),
 *   "code-lifetime" (double, seconds an authorization code is valid;
 *   default 600),
 *   "expires-in-string", "refresh-omits-token", "money-as-strings"
 *   (gboolean: variants seen in public clients, off by default).
 */
KtSandbox  *kt_sandbox_new                (void);
gboolean    kt_sandbox_add_fault          (KtSandbox   *self,
                                           const char  *spec,
                                           GError     **error);
gboolean    kt_sandbox_start              (KtSandbox   *self,
                                           guint16      port,
                                           GError     **error);
void        kt_sandbox_stop               (KtSandbox   *self);

guint16     kt_sandbox_get_port           (KtSandbox   *self);
const char *kt_sandbox_get_base_uri       (KtSandbox   *self);
const char *kt_sandbox_get_api_uri        (KtSandbox   *self);
const char *kt_sandbox_get_authorize_uri  (KtSandbox   *self);
const char *kt_sandbox_get_token_uri      (KtSandbox   *self);
const char *kt_sandbox_get_revoke_uri     (KtSandbox   *self);
const char *kt_sandbox_get_client_id      (KtSandbox   *self);
const char *kt_sandbox_get_client_secret  (KtSandbox   *self);
const char *kt_sandbox_get_redirect_uri   (KtSandbox   *self);
const char *kt_sandbox_get_login_email    (KtSandbox   *self);
const char *kt_sandbox_get_login_password (KtSandbox   *self);
gint64      kt_sandbox_get_company_id     (KtSandbox   *self);
const char *kt_sandbox_get_company_name   (KtSandbox   *self);

guint       kt_sandbox_get_counter        (KtSandbox   *self,
                                           const char  *name);
guint       kt_sandbox_count_rows         (KtSandbox   *self,
                                           const char  *resource);
void        kt_sandbox_revoke_all_tokens  (KtSandbox   *self);

const char *const *kt_sandbox_get_fault_names (void);

G_END_DECLS
