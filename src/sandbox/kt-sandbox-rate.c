#define G_LOG_DOMAIN "kt-sandbox-rate"

#include "config.h"

#include <math.h>

#include "kt-sandbox-private.h"

/*
 * Rate limiting with a fixed window per credential: the window opens at
 * the first request after the previous one closed and lasts "rate-window"
 * seconds, whatever happens inside it. That is what the vendor's page
 * suggests ("you will not be able to make any more requests until the
 * X-Ratelimit-Reset time has been reached"). A Basic credential is keyed
 * by its client id; OAuth by the grant, so that refreshing the access
 * token does not reset the budget.
 */

typedef struct
{
  gint64 window_start;          /* g_get_real_time () at the first request */
  guint used;
} KtBucket;

static void
set_limit_headers (KtRequest *req,
                   guint      limit,
                   guint      remaining,
                   gint64     reset_at,
                   gint64     now)
{
  KtSandbox *self = req->sandbox;
  char value[32];
  gint64 seconds_left = (gint64) ceil ((double) (reset_at - now) / G_USEC_PER_SEC);

  g_snprintf (value, sizeof value, "%u", limit);
  kt_request_set_header (req, "X-Ratelimit-Limit", value);
  g_snprintf (value, sizeof value, "%u", remaining);
  kt_request_set_header (req, "X-Ratelimit-Remaining", value);
  if (self->reset_form == KT_SANDBOX_RESET_UNIX_TIME)
    g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT,
                (gint64) ceil ((double) reset_at / G_USEC_PER_SEC));
  else
    g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, MAX (seconds_left, 0));
  kt_request_set_header (req, "X-Ratelimit-Reset", value);
}

/* Sends 429 in the configured form; @seconds_left < 0 leaves Retry-After out. */
static void
respond_limit_exceeded (KtRequest *req,
                        gint64     seconds_left)
{
  KtSandbox *self = req->sandbox;

  if (self->retry_after && seconds_left >= 0)
    {
      char value[32];

      g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT, MAX (seconds_left, 1));
      kt_request_set_header (req, "Retry-After", value);
    }

  if (self->limit_body == KT_SANDBOX_LIMIT_BODY_TEXT)
    kt_request_set_body (req, 429, "text/plain; charset=utf-8",
                         g_string_new ("Limit exceeded"));
  else
    kt_request_json_error (req, 429, "rate_limit_exceeded",
                           "Limit exceeded");
}

/* Sends 429 with no rate-limit headers, as the bare-429 fault does. */
void
kt_sandbox_rate_respond_bare (KtRequest *req)
{
  respond_limit_exceeded (req, -1);
}

/*
 * Charges one request to @bucket_key and sets the X-Ratelimit-* headers.
 * Returns FALSE, after sending 429, when the window is spent.
 */
gboolean
kt_sandbox_rate_charge (KtRequest  *req,
                        const char *bucket_key,
                        guint       limit)
{
  KtSandbox *self = req->sandbox;
  gint64 now = g_get_real_time ();
  gint64 window = (gint64) (self->rate_window * G_USEC_PER_SEC);
  KtBucket *bucket;
  gboolean allowed;
  guint remaining;
  gint64 reset_at;

  g_mutex_lock (&self->lock);
  bucket = g_hash_table_lookup (self->buckets, bucket_key);
  if (bucket == NULL)
    {
      bucket = g_new0 (KtBucket, 1);
      g_hash_table_insert (self->buckets, g_strdup (bucket_key), bucket);
    }
  if (bucket->used == 0 || now >= bucket->window_start + window)
    {
      bucket->window_start = now;
      bucket->used = 0;
    }
  allowed = bucket->used < limit;
  if (allowed)
    bucket->used++;
  remaining = limit - MIN (bucket->used, limit);
  reset_at = bucket->window_start + window;
  g_mutex_unlock (&self->lock);

  req->cost = allowed ? 1 : 0;
  req->remaining = (int) remaining;
  set_limit_headers (req, limit, remaining, reset_at, now);

  if (!allowed)
    respond_limit_exceeded (req, (gint64) ceil ((double) (reset_at - now) / G_USEC_PER_SEC));

  return allowed;
}
