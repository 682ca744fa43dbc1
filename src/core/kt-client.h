#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "kt-account.h"
#include "kt-oauth.h"
#include "kt-rate-limit.h"
#include "kt-token.h"

G_BEGIN_DECLS

#define KT_TYPE_RESPONSE (kt_response_get_type ())
G_DECLARE_FINAL_TYPE (KtResponse, kt_response, KT, RESPONSE, GObject)

/* The final answer to an API request, after redirects. */
guint               kt_response_get_status  (KtResponse *self);
const char         *kt_response_get_uri     (KtResponse *self);
SoupMessageHeaders *kt_response_get_headers (KtResponse *self);
GBytes             *kt_response_get_body    (KtResponse *self);
/* Requests charged for this answer: 2 for one redirect hop, and so on. */
guint               kt_response_get_cost    (KtResponse *self);
/* The parsed body, or NULL with @error set when it is not JSON. The
 * caller owns the node. */
JsonNode           *kt_response_parse_json  (KtResponse *self,
                                             GError    **error);

#define KT_TYPE_CLIENT (kt_client_get_type ())
G_DECLARE_FINAL_TYPE (KtClient, kt_client, KT, CLIENT, GObject)

/*
 * The only place a request leaves the app: one SoupSession for everything.
 * API requests wait for a slot of the account's KtRateLimit. They follow
 * redirects hop by hop, so each hop is charged and Authorization goes
 * only to the API's own origin. An expired OAuth token is refreshed once
 * per account at a time. Idempotent requests are retried with backoff on
 * network errors and 5xx, and every exchange is recorded in the
 * account's log.
 *
 * Properties: "max-retries" (guint, 3), "retry-delay" (double seconds
 * before the first retry, 0.5, doubling), "session", "exchanges".
 * Signal: "exchange-recorded" (KtExchange).
 */
KtClient   *kt_client_new                   (void);
SoupSession *kt_client_get_session          (KtClient            *self);
/* Exchanges of requests made for no account (code exchange, revoke),
 * newest last; owned by the client. Every exchange, wherever it is kept,
 * is also announced by the "exchange-recorded" signal. */
GListModel *kt_client_get_exchanges         (KtClient            *self);

/* @path is relative to the account's API URI ("companies/5678/sites.json")
 * or an absolute URI on the API's origin (an X-Next-Page value). Extra
 * request headers (such as X-Page) may be given in @headers or NULL. */
void        kt_client_request_async         (KtClient            *self,
                                             KtAccount           *account,
                                             const char          *method,
                                             const char          *path,
                                             SoupMessageHeaders  *headers,
                                             KtPriority           priority,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Like kt_client_request_async(), but @wait_cancellable cancels the
 * request only while it waits before a hop is sent: for a rate-limit slot
 * (first hop, redirect hop or after a 429), a retry's backoff or a token
 * refresh. Such a request leaves the rate-limit queue at once and is
 * never sent. Once a hop is on the wire, only @cancellable stops it: it
 * has been charged, so it completes and its response is returned.
 * @wait_cancellable must also be cancelled whenever @cancellable is (a
 * request cancelled by @cancellable alone stays queued until granted, and
 * then gives its slot back unused). kt_rate_limit_is_held() identifies
 * the request by @wait_cancellable. Finish with
 * kt_client_request_finish(). */
void        kt_client_request_full_async    (KtClient            *self,
                                             KtAccount           *account,
                                             const char          *method,
                                             const char          *path,
                                             SoupMessageHeaders  *headers,
                                             KtPriority           priority,
                                             GCancellable        *wait_cancellable,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
KtResponse *kt_client_request_finish        (KtClient            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* GET companies/me (a 302 and the company) and fill the account's company
 * id, name, currency and time zone. */
void        kt_client_fetch_company_async   (KtClient            *self,
                                             KtAccount           *account,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    kt_client_fetch_company_finish  (KtClient            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void        kt_client_exchange_code_async   (KtClient            *self,
                                             const KtOAuthConfig *config,
                                             const char          *code,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
KtToken    *kt_client_exchange_code_finish  (KtClient            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Refresh the account's token; concurrent callers share one request. */
void        kt_client_refresh_async         (KtClient            *self,
                                             KtAccount           *account,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    kt_client_refresh_finish        (KtClient            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void        kt_client_revoke_async          (KtClient            *self,
                                             const KtOAuthConfig *config,
                                             const char          *token,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    kt_client_revoke_finish         (KtClient            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
