#include "config.h"

#include "core/kt-rate-limit.h"
#include "core-test.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

static SoupMessageHeaders *
make_headers (const char *first_name,
              ...)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  const char *name = first_name;
  va_list args;

  va_start (args, first_name);
  while (name != NULL)
    {
      const char *value = va_arg (args, const char *);

      soup_message_headers_append (headers, name, value);
      name = va_arg (args, const char *);
    }
  va_end (args);

  return headers;
}

static void
update (KtRateLimit *rate_limit,
        guint        status,
        const char  *limit,
        const char  *remaining,
        const char  *reset)
{
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  if (limit != NULL)
    soup_message_headers_append (headers, "X-Ratelimit-Limit", limit);
  if (remaining != NULL)
    soup_message_headers_append (headers, "X-Ratelimit-Remaining", remaining);
  if (reset != NULL)
    soup_message_headers_append (headers, "X-Ratelimit-Reset", reset);
  kt_rate_limit_update (rate_limit, status, headers);
}

static void
test_parse_reset (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * SECOND;
  gint64 reset = 0;

  g_assert_true (kt_rate_limit_parse_reset ("30", now, &reset));
  g_assert_cmpint (reset, ==, now + 30 * SECOND);
  g_assert_true (kt_rate_limit_parse_reset (" 0 ", now, &reset));
  g_assert_cmpint (reset, ==, now);
  g_assert_true (kt_rate_limit_parse_reset ("1700000045", now, &reset));
  g_assert_cmpint (reset, ==, now + 45 * SECOND);
  /* 10^9 itself is still seconds left; only values above it are times. */
  g_assert_true (kt_rate_limit_parse_reset ("1000000000", 0, &reset));
  g_assert_cmpint (reset, ==, G_GINT64_CONSTANT (1000000000) * SECOND);

  reset = 7;
  g_assert_false (kt_rate_limit_parse_reset ("soon", now, &reset));
  g_assert_false (kt_rate_limit_parse_reset ("", now, &reset));
  g_assert_false (kt_rate_limit_parse_reset ("-5", now, &reset));
  g_assert_false (kt_rate_limit_parse_reset ("12s", now, &reset));
  g_assert_false (kt_rate_limit_parse_reset (NULL, now, &reset));
  g_assert_cmpint (reset, ==, 7);
}

static void
test_parse_retry_after (void)
{
  gint64 now = G_GINT64_CONSTANT (1700000000) * SECOND;
  gint64 retry = 0;

  g_assert_true (kt_rate_limit_parse_retry_after ("5", now, &retry));
  g_assert_cmpint (retry, ==, now + 5 * SECOND);
  g_assert_true (kt_rate_limit_parse_retry_after ("Wed, 21 Oct 2015 07:28:00 GMT", now, &retry));
  g_assert_cmpint (retry, ==, G_GINT64_CONSTANT (1445412480) * SECOND);

  retry = 7;
  g_assert_false (kt_rate_limit_parse_retry_after ("later", now, &retry));
  g_assert_false (kt_rate_limit_parse_retry_after ("", now, &retry));
  g_assert_false (kt_rate_limit_parse_retry_after (NULL, now, &retry));
  g_assert_cmpint (retry, ==, 7);
}

static void
test_headers_seconds (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);
  gint64 before = g_get_real_time ();

  g_assert_false (kt_rate_limit_get_known (rate_limit));
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 180);
  update (rate_limit, 200, "60", "59", "60");

  g_assert_true (kt_rate_limit_get_known (rate_limit));
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 60);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 59);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), >=, before + 60 * SECOND);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), <=, g_get_real_time () + 60 * SECOND);
  g_assert_false (kt_rate_limit_get_spent (rate_limit));
}

static void
test_headers_lowercase (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);
  g_autoptr(SoupMessageHeaders) headers =
    make_headers ("x-ratelimit-limit", "100", "x-ratelimit-remaining", "40", "x-ratelimit-reset", "20", NULL);

  kt_rate_limit_update (rate_limit, 200, headers);
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 100);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 40);
}

static void
test_headers_unix_time (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);
  g_autoptr(GDateTime) server_now = g_date_time_new_from_unix_utc (g_get_real_time () / SECOND - 3600);
  g_autofree char *date = g_date_time_format (server_now, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *reset = g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (server_now) + 30);
  g_autoptr(SoupMessageHeaders) headers =
    make_headers ("Date", date, "X-Ratelimit-Limit", "180", "X-Ratelimit-Remaining", "10",
                  "X-Ratelimit-Reset", reset, NULL);
  gint64 now = g_get_real_time ();
  gint64 reset_time;

  /* The server's clock is an hour behind: the reset is 30 s after its
   * Date, so 30 s from now on ours. */
  kt_rate_limit_update (rate_limit, 200, headers);
  reset_time = kt_rate_limit_get_reset_time (rate_limit);
  g_assert_cmpint (reset_time, >=, now + 29 * SECOND);
  g_assert_cmpint (reset_time, <=, now + 32 * SECOND);
}

static void
test_non_numeric_ignored (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);

  update (rate_limit, 200, "60", "30", "40");
  update (rate_limit, 200, "many", "few", "never");

  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 60);
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 30);
}

static void
test_bare_429_default (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);

  kt_rate_limit_update (rate_limit, 429, NULL);

  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 180);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), >, g_get_real_time ());
  g_assert_true (kt_rate_limit_get_spent (rate_limit));
}

static void
test_bare_429_keeps_limit (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);

  update (rate_limit, 200, "60", "12", "40");
  update (rate_limit, 429, NULL, NULL, NULL);

  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_limit (rate_limit), ==, 60);
}

static void
test_429_retry_after (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(SoupMessageHeaders) headers = make_headers ("Retry-After", "20", NULL);
  gint64 now = g_get_real_time ();

  kt_rate_limit_update (rate_limit, 429, headers);

  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), >=, now + 19 * SECOND);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), <=, now + 21 * SECOND);
}

static void
test_history (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GArray) history = NULL;
  guint recorded = 0;

  g_signal_connect_swapped (rate_limit, "request-recorded", G_CALLBACK (g_atomic_int_inc), &recorded);
  update (rate_limit, 200, "60", "59", "60");
  update (rate_limit, 302, "60", "58", "60");
  update (rate_limit, 429, "60", "0", "60");

  history = kt_rate_limit_get_history (rate_limit, 10, 6);
  g_assert_cmpuint (history->len, ==, 6);
  g_assert_cmpuint (g_array_index (history, guint, 5), ==, 3);
  g_assert_cmpuint (g_array_index (history, guint, 0), ==, 0);
  g_assert_cmpuint (recorded, ==, 3);
  g_object_get (rate_limit, "recorded", &recorded, NULL);
  g_assert_cmpuint (recorded, ==, 3);
}

static void
test_notify_remaining (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  guint notified = 0;

  g_signal_connect_swapped (rate_limit, "notify::remaining", G_CALLBACK (g_atomic_int_inc), &notified);
  update (rate_limit, 200, "60", "50", "60");
  update (rate_limit, 200, "60", "50", "60");

  g_assert_cmpuint (notified, ==, 1);
}

typedef struct
{
  GPtrArray *order;
  const char *name;
} Grant;

static void
on_granted_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Grant *grant = user_data;
  g_autoptr(GError) error = NULL;

  if (kt_rate_limit_acquire_finish (KT_RATE_LIMIT (source), result, &error))
    g_ptr_array_add (grant->order, (gpointer) grant->name);
  else
    g_ptr_array_add (grant->order, (gpointer) "error");
}

static void
test_waits_for_reset (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Grant bulk = { order, "bulk" };
  Grant interactive = { order, "interactive" };

  g_object_set (rate_limit, "reset-margin", 0.1, NULL);
  update (rate_limit, 200, "60", "0", "1");
  g_assert_true (kt_rate_limit_get_spent (rate_limit));

  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, NULL, on_granted_cb, &bulk);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &interactive);
  kt_core_test_sleep (0.3);
  g_assert_cmpuint (order->len, ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 2);

  /* After the reset one request goes out to confirm the new window, and
   * it is the interactive one. */
  kt_core_test_sleep (1.5);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "interactive");

  update (rate_limit, 200, "60", "59", "60");
  kt_rate_limit_release (rate_limit);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "bulk");
  kt_rate_limit_release (rate_limit);
}

static void
test_reserve_for_interactive (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Grant bulk = { order, "bulk" };
  Grant interactive = { order, "interactive" };
  guint reserve = 0;

  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 6);

  update (rate_limit, 200, "60", "6", "30");
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, NULL, on_granted_cb, &bulk);
  kt_core_test_sleep (0.1);
  g_assert_cmpuint (order->len, ==, 0);

  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &interactive);
  kt_core_test_sleep (0.1);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "interactive");
  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 5);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 1);
  kt_rate_limit_release (rate_limit);
}

static void
test_cancel_queued (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Grant waiting = { order, "granted" };

  update (rate_limit, 200, "60", "0", "30");
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, cancellable, on_granted_cb, &waiting);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 1);

  g_cancellable_cancel (cancellable);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "error");
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 0);
}

static void
test_unknown_in_flight (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (180);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Grant grants[4] = { { order, "1" }, { order, "2" }, { order, "3" }, { order, "4" } };
  guint i;

  /* Before any header, only a couple of requests go out at once. */
  for (i = 0; i < G_N_ELEMENTS (grants); i++)
    kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &grants[i]);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 2);

  update (rate_limit, 200, "180", "179", "60");
  kt_rate_limit_release (rate_limit);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 4);

  for (i = 0; i < 3; i++)
    kt_rate_limit_release (rate_limit);
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 0);
}

static void
on_granted_release_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  guint *granted = user_data;

  if (kt_rate_limit_acquire_finish (KT_RATE_LIMIT (source), result, NULL))
    {
      (*granted)++;
      /* A response without any rate header. */
      kt_rate_limit_update (KT_RATE_LIMIT (source), 200, NULL);
      kt_rate_limit_release (KT_RATE_LIMIT (source));
    }
}

static void
test_no_headers_continues (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (4);
  guint granted = 0;
  guint i;

  g_object_set (rate_limit, "reset-margin", 0.1, NULL);
  for (i = 0; i < 5; i++)
    kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, NULL, on_granted_release_cb, &granted);

  /* Three go at once (one of four is kept for interactive requests). */
  kt_core_test_sleep (0.2);
  g_assert_cmpuint (granted, ==, 3);

  /* With no header to say when the window resets, a new one is assumed
   * after a pause rather than waiting forever. */
  kt_core_test_sleep (2.0);
  g_assert_cmpuint (granted, ==, 5);
}

static void
on_notify_count_cb (GObject    *object,
                    GParamSpec *pspec,
                    guint      *count)
{
  (*count)++;
}

static void
test_rolls_without_request (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (10);
  guint remaining_notified = 0;
  guint spent_notified = 0;
  guint i;

  g_object_set (rate_limit, "reset-margin", 0.05, NULL);
  update (rate_limit, 200, "10", "0", "1");
  g_assert_true (kt_rate_limit_get_spent (rate_limit));
  g_signal_connect (rate_limit, "notify::remaining", G_CALLBACK (on_notify_count_cb), &remaining_notified);
  g_signal_connect (rate_limit, "notify::spent", G_CALLBACK (on_notify_count_cb), &spent_notified);

  /* No request waits and none is made: the budget rolls on its own. */
  for (i = 0; i < 100 && kt_rate_limit_get_remaining (rate_limit) == 0; i++)
    kt_core_test_sleep (0.05);

  g_assert_cmpuint (kt_rate_limit_get_remaining (rate_limit), ==, 10);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), ==, 0);
  g_assert_false (kt_rate_limit_get_spent (rate_limit));
  g_assert_cmpuint (remaining_notified, >=, 1);
  g_assert_cmpuint (spent_notified, >=, 1);
}

static void
test_reserve_follows_limit (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Grant bulk = { order, "bulk" };
  Grant interactive = { order, "interactive" };
  guint reserve_notified = 0;
  guint reserve = 0;

  g_signal_connect (rate_limit, "notify::reserve", G_CALLBACK (on_notify_count_cb), &reserve_notified);

  update (rate_limit, 200, "25", "24", "30");
  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 3);
  g_assert_cmpuint (reserve_notified, ==, 1);

  update (rate_limit, 200, "2", "1", "30");
  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 1);

  update (rate_limit, 200, "1", "1", "30");
  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 0);

  /* With a limit of 10, one request is kept for interactive ones. */
  update (rate_limit, 200, "10", "1", "30");
  g_object_get (rate_limit, "reserve", &reserve, NULL);
  g_assert_cmpuint (reserve, ==, 1);

  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, NULL, on_granted_cb, &bulk);
  kt_core_test_sleep (0.1);
  g_assert_cmpuint (order->len, ==, 0);

  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &interactive);
  kt_core_test_sleep (0.1);
  g_assert_cmpuint (order->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "interactive");
  kt_rate_limit_release (rate_limit);
}

static void
test_cancel_leaves_queue (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (60);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GCancellable) first_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) second_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) third_cancellable = g_cancellable_new ();
  Grant first = { order, "first" };
  Grant second = { order, "second" };
  Grant third = { order, "third" };

  g_object_set (rate_limit, "reset-margin", 0.05, NULL);
  update (rate_limit, 200, "60", "0", "1");
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, first_cancellable, on_granted_cb, &first);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, second_cancellable, on_granted_cb, &second);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, third_cancellable, on_granted_cb, &third);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 3);
  g_assert_true (kt_rate_limit_is_held (rate_limit, second_cancellable));

  /* Out of the queue at once, before the main loop runs. */
  g_cancellable_cancel (second_cancellable);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 2);
  g_assert_false (kt_rate_limit_is_held (rate_limit, second_cancellable));
  g_cancellable_cancel (first_cancellable);
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 1);

  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "error");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "error");

  /* After the reset the one request left takes the probing slot. */
  kt_core_test_sleep (1.5);
  g_assert_cmpuint (order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "third");
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 1);
  kt_rate_limit_release (rate_limit);
}

static void
test_window_from_resets (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (10);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *first_reset = g_strdup_printf ("%" G_GINT64_FORMAT, now + 2);
  g_autofree char *second_reset = g_strdup_printf ("%" G_GINT64_FORMAT, now + 6);

  /* Answers in the middle of two windows four seconds apart: neither is
   * the first of its window, so only the distance tells the length. */
  update (rate_limit, 200, "10", "5", first_reset);
  g_assert_cmpfloat (kt_rate_limit_get_window_seconds (rate_limit), ==, 60);
  update (rate_limit, 200, "10", "5", second_reset);
  g_assert_cmpfloat_with_epsilon (kt_rate_limit_get_window_seconds (rate_limit), 4, 0.01);
}

/* Answers as a server whose window opens at the first request for
 * @window_seconds, with a whole-second Unix-time reset rounded up from
 * @opened, and returns that reset in microseconds. */
static gint64
update_opened_window (KtRateLimit *rate_limit,
                      guint        status,
                      const char  *remaining,
                      gint64       opened,
                      guint        window_seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);
  gint64 reset_seconds = (opened + window_seconds * SECOND + SECOND - 1) / SECOND;
  g_autofree char *reset = g_strdup_printf ("%" G_GINT64_FORMAT, reset_seconds);
  g_autoptr(SoupMessageHeaders) headers = make_headers ("Date", date,
                                                        "X-Ratelimit-Limit", "10",
                                                        "X-Ratelimit-Remaining", remaining,
                                                        "X-Ratelimit-Reset", reset,
                                                        NULL);

  kt_rate_limit_update (rate_limit, status, headers);
  return reset_seconds * SECOND;
}

static void
test_window_from_unix_reset (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (10);
  gint64 opened;
  guint i;

  /* Late in a second, the rounded-up reset is almost a second past the
   * window's end, which read as it is makes a 60 s window 61 s long. */
  for (i = 0; i < 200 && g_get_real_time () % SECOND < SECOND / 2; i++)
    g_usleep (10 * 1000);
  opened = g_get_real_time ();

  update_opened_window (rate_limit, 200, "9", opened, 60);
  g_assert_cmpfloat (kt_rate_limit_get_window_seconds (rate_limit), ==, 60);
}

static void
test_opened_window_reset (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (10);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  Grant first = { order, "first" };
  Grant probe = { order, "probe" };
  Grant next = { order, "next" };
  gint64 before;
  gint64 opened;
  gint64 reset;
  gint64 after;
  guint i;

  /* The estimate is earlier than the rounded-up header only when the
   * grant and the answer fall in the same second, so start early in one. */
  for (i = 0; i < 200 && g_get_real_time () % SECOND > SECOND / 4; i++)
    g_usleep (10 * 1000);
  before = g_get_real_time ();

  g_object_set (rate_limit, "reset-margin", 0.05, NULL);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &first);
  kt_core_test_sleep (0.05);
  g_assert_cmpuint (order->len, ==, 1);
  opened = g_get_real_time ();

  /* The window opened between the grant and now, so it ends a whole
   * second count later, up to a second before the rounded-up header. */
  reset = update_opened_window (rate_limit, 200, "9", before, 1);
  after = g_get_real_time ();
  kt_rate_limit_release (rate_limit);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), <=, reset);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), >=, before + SECOND);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), <=, after + SECOND);

  /* A server that answers the request sent at the estimate 429 ... */
  update (rate_limit, 200, "10", "0", NULL);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &probe);
  for (i = 0; i < 100 && order->len < 2; i++)
    kt_core_test_sleep (0.02);
  g_assert_cmpuint (order->len, ==, 2);
  update_opened_window (rate_limit, KT_STATUS_TOO_MANY_REQUESTS, "0", opened, 1);
  kt_rate_limit_release (rate_limit);

  /* ... has its reset headers read as they are from then on. */
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &next);
  for (i = 0; i < 200 && order->len < 3; i++)
    kt_core_test_sleep (0.02);
  g_assert_cmpuint (order->len, ==, 3);
  reset = update_opened_window (rate_limit, 200, "9", g_get_real_time (), 1);
  g_assert_cmpint (kt_rate_limit_get_reset_time (rate_limit), ==, reset);
  kt_rate_limit_release (rate_limit);
}

static void
on_cancel_release_cb (GCancellable *cancellable,
                      KtRateLimit  *rate_limit)
{
  /* What a client does when a request in flight with the same
   * cancellable is cancelled. */
  kt_rate_limit_release (rate_limit);
}

static void
test_cancel_inside_release (void)
{
  g_autoptr(KtRateLimit) rate_limit = kt_rate_limit_new (10);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Grant in_flight = { order, "in-flight" };
  Grant first = { order, "first" };
  Grant second = { order, "second" };

  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, NULL, on_granted_cb, &in_flight);
  kt_core_test_sleep (0.05);
  update (rate_limit, 200, "10", "0", "30");

  /* The release runs inside the "cancelled" emission, before the
   * waiters' own handlers, and must not wait for the emission to end. */
  g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancel_release_cb), rate_limit);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_INTERACTIVE, cancellable, on_granted_cb, &first);
  kt_rate_limit_acquire_async (rate_limit, KT_PRIORITY_BULK, cancellable, on_granted_cb, &second);
  kt_core_test_sleep (0.05);
  g_cancellable_cancel (cancellable);
  kt_core_test_sleep (0.05);

  g_assert_cmpuint (order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "error");
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "error");
  g_assert_cmpuint (kt_rate_limit_get_queued (rate_limit), ==, 0);
  g_assert_cmpuint (kt_rate_limit_get_in_flight (rate_limit), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limit/parse-reset", test_parse_reset);
  g_test_add_func ("/rate-limit/parse-retry-after", test_parse_retry_after);
  g_test_add_func ("/rate-limit/headers-seconds", test_headers_seconds);
  g_test_add_func ("/rate-limit/headers-lowercase", test_headers_lowercase);
  g_test_add_func ("/rate-limit/headers-unix-time", test_headers_unix_time);
  g_test_add_func ("/rate-limit/non-numeric-ignored", test_non_numeric_ignored);
  g_test_add_func ("/rate-limit/bare-429-default", test_bare_429_default);
  g_test_add_func ("/rate-limit/bare-429-keeps-limit", test_bare_429_keeps_limit);
  g_test_add_func ("/rate-limit/429-retry-after", test_429_retry_after);
  g_test_add_func ("/rate-limit/history", test_history);
  g_test_add_func ("/rate-limit/notify-remaining", test_notify_remaining);
  g_test_add_func ("/rate-limit/waits-for-reset", test_waits_for_reset);
  g_test_add_func ("/rate-limit/reserve-for-interactive", test_reserve_for_interactive);
  g_test_add_func ("/rate-limit/cancel-queued", test_cancel_queued);
  g_test_add_func ("/rate-limit/unknown-in-flight", test_unknown_in_flight);
  g_test_add_func ("/rate-limit/no-headers-continues", test_no_headers_continues);
  g_test_add_func ("/rate-limit/rolls-without-request", test_rolls_without_request);
  g_test_add_func ("/rate-limit/reserve-follows-limit", test_reserve_follows_limit);
  g_test_add_func ("/rate-limit/cancel-leaves-queue", test_cancel_leaves_queue);
  g_test_add_func ("/rate-limit/window-from-resets", test_window_from_resets);
  g_test_add_func ("/rate-limit/window-from-unix-reset", test_window_from_unix_reset);
  g_test_add_func ("/rate-limit/opened-window-reset", test_opened_window_reset);
  g_test_add_func ("/rate-limit/cancel-inside-release", test_cancel_inside_release);

  return g_test_run ();
}
