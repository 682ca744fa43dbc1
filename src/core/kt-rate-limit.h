#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* libsoup 3.2 has no name for status 429. */
#define KT_STATUS_TOO_MANY_REQUESTS 429

/* Who is waiting for a slot: interactive requests go first, and bulk loads
 * leave a reserve of the window for them. */
typedef enum
{
  KT_PRIORITY_INTERACTIVE,
  KT_PRIORITY_BULK,
} KtPriority;

#define KT_TYPE_RATE_LIMIT (kt_rate_limit_get_type ())
G_DECLARE_FINAL_TYPE (KtRateLimit, kt_rate_limit, KT, RATE_LIMIT, GObject)

/*
 * The request budget of one credential, shared by everything that uses it.
 *
 * Properties (read-only, notified on the main context of the owner):
 *   "limit" (guint), "remaining" (guint), "reset-time" (gint64, wall-clock
 *   microseconds, 0 when unknown), "queued" (guint, requests waiting for a
 *   slot), "in-flight" (guint), "known" (gboolean, a header has been seen),
 *   "spent" (gboolean, remaining is 0 and the reset is in the future),
 *   "window-seconds" (double, the window length learned from the reset
 *   headers, 60 until seen),
 *   "recorded" (guint, responses recorded, for views of the history).
 * Settable: "reserve" (guint, requests of a window that bulk loads leave
 *   to interactive ones for the whole window, by default a tenth of the
 *   current limit rounded up),
 *   "reset-margin" (double, seconds waited past a reset at first; it adapts
 *   to the server).
 *
 * Scheduling: "remaining" counts granted requests at once, so requests in
 * flight are never sent past the limit. Before the first rate header only
 * two requests go out at a time, and after an assumed reset one, until a
 * response confirms the new window. The budget rolls over to a full
 * window by itself once the reset time and the margin have passed, with
 * "reset-time" back to 0, whether or not a request waits.
 * Signals:
 *   "request-recorded" (guint status, guint cost): after each response,
 *   302 hops and 429s included.
 */
KtRateLimit *kt_rate_limit_new              (guint               default_limit);
guint        kt_rate_limit_get_limit        (KtRateLimit        *self);
guint        kt_rate_limit_get_remaining    (KtRateLimit        *self);
gint64       kt_rate_limit_get_reset_time   (KtRateLimit        *self);
guint        kt_rate_limit_get_queued       (KtRateLimit        *self);
gboolean     kt_rate_limit_get_spent        (KtRateLimit        *self);
guint        kt_rate_limit_get_in_flight    (KtRateLimit        *self);
gboolean     kt_rate_limit_get_known        (KtRateLimit        *self);
/* The window length learned from the headers, in seconds (60 until seen). */
double       kt_rate_limit_get_window_seconds (KtRateLimit      *self);

/* Requests per interval over the last minutes, oldest first: an array of
 * guint counts of @bucket_seconds each. The caller owns the array. */
GArray      *kt_rate_limit_get_history      (KtRateLimit        *self,
                                             guint               bucket_seconds,
                                             guint               n_buckets);

/* Waits until a request of @priority can be sent without a 429. Every
 * successful acquire is followed by exactly one release, after the
 * response (if any) went through kt_rate_limit_update(). A cancelled
 * request leaves the queue at once. A slot granted just before the cancel
 * is still returned as granted, to be given back with
 * kt_rate_limit_release_unused(). */
void         kt_rate_limit_acquire_async    (KtRateLimit        *self,
                                             KtPriority          priority,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean     kt_rate_limit_acquire_finish   (KtRateLimit        *self,
                                             GAsyncResult       *result,
                                             GError            **error);
void         kt_rate_limit_release          (KtRateLimit        *self);
/* Returns whether a request acquired with @cancellable is held back by the
 * budget (queued past a dispatch that could not grant it). */
gboolean     kt_rate_limit_is_held          (KtRateLimit        *self,
                                             GCancellable       *cancellable);
/* Gives back a granted slot that was never used to send a request. */
void         kt_rate_limit_release_unused   (KtRateLimit        *self);

/* Reads a response's rate headers (any status, 302 and 429 included). */
void         kt_rate_limit_update           (KtRateLimit        *self,
                                             guint               status,
                                             SoupMessageHeaders *headers);

/* Parsing helpers, public for tests. Times are wall-clock microseconds. */
gboolean     kt_rate_limit_parse_reset      (const char         *value,
                                             gint64              server_now,
                                             gint64             *reset_time);
gboolean     kt_rate_limit_parse_retry_after (const char        *value,
                                             gint64              now,
                                             gint64             *retry_time);

G_END_DECLS
