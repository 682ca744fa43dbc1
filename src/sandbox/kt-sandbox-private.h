#pragma once

#include <libsoup/soup.h>

#include "kt-sandbox.h"
#include "kt-sandbox-data.h"

G_BEGIN_DECLS

/* Faults, each off unless kt_sandbox_add_fault() turned it on. */
typedef enum
{
  KT_FAULT_SERVER_ERROR,
  KT_FAULT_DROP_CONNECTION,
  KT_FAULT_SLOW,
  KT_FAULT_TRUNCATED_JSON,
  KT_FAULT_MALFORMED_JSON,
  KT_FAULT_BARE_429,
  KT_FAULT_LOWERCASE_HEADERS,
  KT_FAULT_EARLY_EXPIRY,
  KT_FAULT_REVOKED_REFRESH,
  KT_FAULT_CHANGED_STATE,
  KT_FAULT_COUNT
} KtFault;

struct _KtSandbox
{
  GObject parent_instance;

  /* Settings: written before start, read-only afterwards. */
  guint64 seed;
  KtSandboxScale scale;
  char *end_date;       /* "YYYY-MM-DD" or "today", always valid */
  guint page_size;
  double rate_window;
  guint basic_limit;
  guint bearer_limit;
  double token_lifetime;
  double code_lifetime;
  KtSandboxResetForm reset_form;
  KtSandboxLimitBody limit_body;
  gboolean retry_after;
  gboolean listen_any;
  GTlsCertificate *tls_certificate;
  gboolean log_requests;
  char *redirect_uri;
  double fault_delay;
  gboolean expires_in_string;
  gboolean refresh_omits_token;
  gboolean money_as_strings;
  gboolean auto_approve;
  double fault_rate[KT_FAULT_COUNT];

  /* Data, generated once; immutable afterwards. */
  GMutex data_lock;
  KtSandboxData *data;

  /* The server thread. */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  GMutex start_lock;
  GCond start_cond;
  gboolean start_done;
  GError *start_error;
  guint16 port;
  char *base_uri;
  char *api_uri;
  char *authorize_uri;
  char *token_uri;
  char *revoke_uri;
  GList *delayed;               /* KtDelayed: messages held back by "slow" */

  /* Mutable state shared with other threads, all under this lock. */
  GMutex lock;
  GHashTable *counters;         /* name -> GUINT_TO_POINTER (count) */
  GHashTable *codes;            /* code -> KtCode */
  GHashTable *grants;           /* refresh token -> KtGrant */
  GHashTable *access_tokens;    /* access token -> KtAccessToken */
  GHashTable *sessions;         /* session cookie value -> NULL */
  GHashTable *buckets;          /* credential key -> KtBucket */
  guint64 fault_state;          /* PRNG state of the fault draws */
  guint64 next_grant_id;
};

/* One request as it passes through the handlers. */
typedef struct
{
  KtSandbox *sandbox;
  SoupServerMessage *msg;
  const char *method;
  const char *path;
  GHashTable *query;
  gboolean lowercase_headers;
  gboolean is_api;              /* an authenticated /v1/ resource request */
  gboolean dropped;
  int cost;                     /* requests charged to the rate limit */
  int remaining;                /* -1 when no rate headers were sent */
  gint64 grant_id;              /* 0 for Basic */
  double delay;                 /* seconds to delay the response */
} KtRequest;

/* kt-sandbox.c */
void      kt_sandbox_count              (KtSandbox  *self,
                                         const char *name);
gboolean  kt_sandbox_draw_fault         (KtSandbox  *self,
                                         KtFault     fault);
KtSandboxData *kt_sandbox_ensure_data   (KtSandbox  *self);
char     *kt_sandbox_random_token       (void);
void      kt_request_set_header         (KtRequest  *req,
                                         const char *name,
                                         const char *value);
void      kt_request_set_body           (KtRequest  *req,
                                         guint       status,
                                         const char *content_type,
                                         GString    *body);
/* @text escaped for HTML, invalid UTF-8 replaced by U+FFFD; the caller
 * owns the string. */
char     *kt_sandbox_escape_html        (const char *text,
                                         gssize      length);
void      kt_request_json_error         (KtRequest  *req,
                                         guint       status,
                                         const char *error,
                                         const char *description);
void      kt_request_html               (KtRequest  *req,
                                         guint       status,
                                         const char *title,
                                         const char *content);
char     *kt_request_origin             (KtRequest  *req);
void      kt_request_redirect           (KtRequest  *req,
                                         const char *location);

/* kt-sandbox-oauth.c */
void      kt_sandbox_oauth_init         (KtSandbox  *self);
void      kt_sandbox_handle_authorize   (KtRequest  *req);
void      kt_sandbox_handle_login       (KtRequest  *req);
void      kt_sandbox_handle_decision    (KtRequest  *req);
void      kt_sandbox_handle_token       (KtRequest  *req);
void      kt_sandbox_handle_revoke      (KtRequest  *req);
gboolean  kt_sandbox_authenticate       (KtRequest  *req,
                                         char      **bucket_key,
                                         guint      *limit);
void      kt_sandbox_oauth_revoke_all   (KtSandbox  *self);

/* kt-sandbox-rate.c */
gboolean  kt_sandbox_rate_charge        (KtRequest  *req,
                                         const char *bucket_key,
                                         guint       limit);
void      kt_sandbox_rate_respond_bare  (KtRequest  *req);

/* kt-sandbox-api.c */
void      kt_sandbox_handle_api         (KtRequest  *req,
                                         const char *api_path);

G_END_DECLS
