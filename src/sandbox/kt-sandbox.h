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

/* The largest "page-size". */
#define KT_SANDBOX_MAX_PAGE_SIZE 100000

GType kt_sandbox_scale_get_type (void) G_GNUC_CONST;
GType kt_sandbox_reset_form_get_type (void) G_GNUC_CONST;
GType kt_sandbox_limit_body_get_type (void) G_GNUC_CONST;
#define KT_TYPE_SANDBOX_SCALE (kt_sandbox_scale_get_type ())
#define KT_TYPE_SANDBOX_RESET_FORM (kt_sandbox_reset_form_get_type ())
#define KT_TYPE_SANDBOX_LIMIT_BODY (kt_sandbox_limit_body_get_type ())

#define KT_TYPE_SANDBOX (kt_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (KtSandbox, kt_sandbox, KT, SANDBOX, GObject)

/*
 * Properties. Set them before kt_sandbox_start(): a change while the
 * sandbox runs is not supported and logs a warning.
 *   "seed"                guint64, default 1: data and fault draws
 *   "scale"               KtSandboxScale, default small
 *   "end-date"            string, default "2026-06-30": the last day of
 *                         the twelve months of data, as YYYY-MM-DD or
 *                         "today" (in Australia/Sydney when the data is
 *                         generated); invalid values are ignored with a
 *                         warning
 *   "page-size"           guint, default 100 rows
 *   "rate-window"         double, default 60 seconds
 *   "basic-limit"         guint, default 60 requests per window
 *   "bearer-limit"        guint, default 180 requests per window
 *   "token-lifetime"      double, default 3600 seconds
 *   "code-lifetime"       double, default 600 seconds
 *   "reset-form"          KtSandboxResetForm, default Unix time
 *   "limit-body"          KtSandboxLimitBody, default JSON
 *   "retry-after"         gboolean, default FALSE: Retry-After on 429
 *   "listen-any"          gboolean, default FALSE: every interface
 *   "tls-certificate"     GTlsCertificate: serve HTTPS with it
 *   "log-requests"        gboolean: one line per request on stdout
 *   "redirect-uri"        string: the demo client's registered URI
 *   "fault-delay"         double, default 2 seconds for the slow fault
 *   "expires-in-string"   gboolean: expires_in as a string
 *   "refresh-omits-token" gboolean: no refresh_token on refresh
 *   "money-as-strings"    gboolean: money as strings such as "3.0"
 *   "auto-approve"        gboolean, default FALSE: GET /authorize with valid
 *                         parameters redirects with a code at once, as if
 *                         the demo user had signed in and allowed access
 */
KtSandbox  *kt_sandbox_new                (void);
/* Returns whether @text is a valid "end-date" (YYYY-MM-DD or "today") and
 * stores the day it names, today's in Australia/Sydney for "today". */
gboolean    kt_sandbox_parse_end_date     (const char  *text,
                                           int         *year,
                                           int         *month,
                                           int         *day,
                                           GError     **error);
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
