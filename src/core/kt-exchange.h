#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KT_TYPE_EXCHANGE (kt_exchange_get_type ())
G_DECLARE_FINAL_TYPE (KtExchange, kt_exchange, KT, EXCHANGE, GObject)

/*
 * One HTTP request and its response, as the inspector shows it. Headers are
 * kept as (name, value) pairs in order, with Authorization and token fields
 * already redacted; the body is the response body as received.
 *
 * Properties (read-only): "method", "uri", "status" (guint, 0 when no
 * response), "reason", "started" (gint64 wall-clock microseconds),
 * "duration" (gint64 microseconds), "cost" (guint, requests charged),
 * "size" (guint64, response body bytes as received, before redaction),
 * "error" (string or NULL).
 */
const char *kt_exchange_get_method           (KtExchange *self);
const char *kt_exchange_get_uri              (KtExchange *self);
guint       kt_exchange_get_status           (KtExchange *self);
gint64      kt_exchange_get_started          (KtExchange *self);
gint64      kt_exchange_get_duration         (KtExchange *self);
guint       kt_exchange_get_cost             (KtExchange *self);
const char *kt_exchange_get_error_message    (KtExchange *self);
const char *kt_exchange_get_reason          (KtExchange *self);
/* The response body's length as received; the stored body can be shorter
 * when kt_exchange_get_response_body_redacted() is TRUE. */
guint64     kt_exchange_get_size             (KtExchange *self);
gboolean    kt_exchange_get_response_body_redacted (KtExchange *self);

/* The headers as a NULL-terminated array of alternating names and values;
 * owned by the exchange. */
const char * const *kt_exchange_get_request_headers  (KtExchange *self);
const char * const *kt_exchange_get_response_headers (KtExchange *self);
GBytes     *kt_exchange_get_request_body     (KtExchange *self);
GBytes     *kt_exchange_get_response_body    (KtExchange *self);

/* A curl command line that repeats the request; the credential is replaced
 * by a placeholder unless @secret is given. The caller owns the string. */
char       *kt_exchange_to_curl              (KtExchange *self,
                                              const char *secret);

G_END_DECLS
