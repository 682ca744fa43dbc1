#define G_LOG_DOMAIN "kt-rate-limit"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "kt-rate-limit.h"

/* A reset value above this is a Unix time, below it seconds left. */
#define UNIX_TIME_THRESHOLD 1000000000.0

/* Requests allowed in flight before any rate header has been seen. */
#define UNKNOWN_MAX_IN_FLIGHT 2

/* Two reset estimates closer than this belong to the same window. The
 * header forms have a resolution of one second, so estimates of one
 * window scatter by up to a second. */
#define SAME_WINDOW_TOLERANCE (3 * G_USEC_PER_SEC / 2)

/* How long the request history is kept. */
#define HISTORY_SPAN (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* Bare 429s (no headers at all) back off from one second, doubling up to a
 * minute, the length of the vendor's documented window. */
#define BARE_429_FIRST_WAIT ((gint64) G_USEC_PER_SEC)
#define BARE_429_MAX_WAIT (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

/* Bounds of the margin waited past a reset time. It starts at the
 * "reset-margin" property, halves after each first request of a window
 * that is accepted and grows after one answered 429, so it settles near
 * what the server's rounding of the reset time needs. */
#define MIN_RESET_MARGIN (G_USEC_PER_SEC / 20)
#define MAX_RESET_MARGIN (G_GINT64_CONSTANT (5) * G_USEC_PER_SEC)

struct _KtRateLimit
{
  GObject parent_instance;

  GMainContext *context;

  guint limit;
  guint remaining;
  gint64 reset_time;
  gboolean known;
  /* FALSE after a reset was assumed and before a response confirmed it:
   * only one request goes out until then. */
  gboolean confirmed;
  /* TRUE from an assumed reset until the first answer after it, which
   * tells whether the margin was long enough. */
  gboolean probing;
  guint in_flight;
  /* G_MAXUINT: a tenth of the current limit rounded up, see
   * get_reserve(). */
  guint reserve;
  gint64 reset_margin;
  double window_seconds;
  /* FALSE while window_seconds is still the assumed 60. */
  gboolean window_learned;
  /* The reset time of the last window confirmed by a response, kept after
   * the window rolled over, to learn the window length. */
  gint64 last_reset;
  /* When the first request into a window with no known reset was granted,
   * or 0; see estimate_opened_reset(). */
  gint64 window_opened_at;
  /* The reset time was estimated by estimate_opened_reset(), and whether
   * such an estimate was once rejected with 429 (then it is not used
   * again). */
  gboolean opened_estimate;
  gboolean opened_estimate_rejected;
  guint bare_429_streak;
  guint recorded;

  /* The thread of the owner's main context: only it touches the queues. */
  GThread *owner;
  GQueue interactive;
  GQueue bulk;
  /* Waiters cancelled and already out of their queue, whose tasks return
   * from the main loop. */
  GQueue cancelled;
  GArray *history;
  GSource *timer;
  GSource *idle;
};

G_DEFINE_FINAL_TYPE (KtRateLimit, kt_rate_limit, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LIMIT,
  PROP_REMAINING,
  PROP_RESET_TIME,
  PROP_QUEUED,
  PROP_IN_FLIGHT,
  PROP_KNOWN,
  PROP_SPENT,
  PROP_RESERVE,
  PROP_RESET_MARGIN,
  PROP_WINDOW_SECONDS,
  PROP_RECORDED,
  N_PROPS
};

enum {
  REQUEST_RECORDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  KtRateLimit *self;      /* not a reference: the queue belongs to it */
  GTask *task;
  KtPriority priority;
  gulong cancel_id;
  /* A dispatch ran and could not grant it, so the budget keeps it
   * waiting. */
  gboolean held;
} Waiter;

/* A snapshot of the notified values, to notify only what changed. */
typedef struct
{
  guint limit;
  guint remaining;
  gint64 reset_time;
  guint queued;
  guint in_flight;
  gboolean known;
  gboolean spent;
  guint reserve;
  double window_seconds;
} Snapshot;

static void dispatch (KtRateLimit *self);
static guint get_reserve (KtRateLimit *self);

static guint
count_queued (KtRateLimit *self)
{
  return self->interactive.length + self->bulk.length;
}

static gboolean
compute_spent (KtRateLimit *self)
{
  return self->remaining == 0 && self->reset_time > g_get_real_time ();
}

static void
take_snapshot (KtRateLimit *self,
               Snapshot    *snapshot)
{
  snapshot->limit = self->limit;
  snapshot->remaining = self->remaining;
  snapshot->reset_time = self->reset_time;
  snapshot->queued = count_queued (self);
  snapshot->in_flight = self->in_flight;
  snapshot->known = self->known;
  snapshot->spent = compute_spent (self);
  snapshot->reserve = get_reserve (self);
  snapshot->window_seconds = self->window_seconds;
}

static void
notify_changes (KtRateLimit    *self,
                const Snapshot *before)
{
  GObject *object = G_OBJECT (self);
  Snapshot after;

  take_snapshot (self, &after);

  g_object_freeze_notify (object);
  if (before->limit != after.limit)
    g_object_notify_by_pspec (object, properties[PROP_LIMIT]);
  if (before->remaining != after.remaining)
    g_object_notify_by_pspec (object, properties[PROP_REMAINING]);
  if (before->reset_time != after.reset_time)
    g_object_notify_by_pspec (object, properties[PROP_RESET_TIME]);
  if (before->queued != after.queued)
    g_object_notify_by_pspec (object, properties[PROP_QUEUED]);
  if (before->in_flight != after.in_flight)
    g_object_notify_by_pspec (object, properties[PROP_IN_FLIGHT]);
  if (before->known != after.known)
    g_object_notify_by_pspec (object, properties[PROP_KNOWN]);
  if (before->spent != after.spent)
    g_object_notify_by_pspec (object, properties[PROP_SPENT]);
  if (before->reserve != after.reserve)
    g_object_notify_by_pspec (object, properties[PROP_RESERVE]);
  if (before->window_seconds != after.window_seconds)
    g_object_notify_by_pspec (object, properties[PROP_WINDOW_SECONDS]);
  g_object_thaw_notify (object);
}

static gboolean
parse_decimal (const char *value,
               double     *out)
{
  char *end = NULL;
  double number;

  if (value == NULL)
    return FALSE;
  while (g_ascii_isspace (*value))
    value++;
  if (!g_ascii_isdigit (*value))
    return FALSE;

  errno = 0;
  number = g_ascii_strtod (value, &end);
  if (errno != 0 || end == value)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' || !isfinite (number) || number < 0)
    return FALSE;

  *out = number;
  return TRUE;
}

static gboolean
parse_count (const char *value,
             guint      *out)
{
  guint64 number;
  g_autofree char *trimmed = NULL;

  if (value == NULL)
    return FALSE;

  trimmed = g_strstrip (g_strdup (value));
  if (!g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXUINT, &number, NULL))
    return FALSE;

  *out = (guint) number;
  return TRUE;
}

static gboolean
parse_http_date (const char *value,
                 gint64     *out)
{
  g_autoptr(GDateTime) date = NULL;

  if (value == NULL)
    return FALSE;

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return FALSE;

  *out = g_date_time_to_unix (date) * G_USEC_PER_SEC;
  return TRUE;
}

/* Requests of each window that bulk loads leave to interactive ones: a
 * tenth of the current limit rounded up, so at least one once the limit is
 * two or more. */
static guint
get_reserve (KtRateLimit *self)
{
  if (self->reserve != G_MAXUINT)
    return self->reserve;

  return self->limit > 1 ? (self->limit + 9) / 10 : 0;
}

/* Slots left for a request of @priority right now. Bulk requests keep the
 * reserve free for the whole window, also before the limit is known and
 * while a new window is unconfirmed, because the rate meter shows the user
 * that those requests are kept for interactive use. */
static gboolean
can_grant (KtRateLimit *self,
           KtPriority   priority)
{
  guint reserve = priority == KT_PRIORITY_BULK ? get_reserve (self) : 0;

  if (!self->known)
    return self->in_flight < UNKNOWN_MAX_IN_FLIGHT && self->remaining > reserve;

  if (!self->confirmed)
    return self->in_flight == 0 && self->remaining > reserve;

  return self->remaining > reserve;
}

/* Assumes a full window once its reset time and the margin have passed,
 * and returns whether it did. The margin covers clock skew and the
 * headers' one-second resolution, and the next response confirms the new
 * window. */
static gboolean
roll_window (KtRateLimit *self,
             gint64       now)
{
  if (self->reset_time == 0 || now < self->reset_time + self->reset_margin)
    return FALSE;

  g_debug ("Window reset passed (%.3f s ago); assuming %u requests are available again",
           (double) (now - self->reset_time) / G_USEC_PER_SEC, self->limit);
  self->remaining = self->in_flight < self->limit ? self->limit - self->in_flight : 0;
  self->reset_time = 0;
  self->confirmed = FALSE;
  self->window_opened_at = 0;
  /* Only a request sent right at the roll shows whether the margin was
   * long enough. One sent much later shows nothing about it. */
  self->probing = count_queued (self) > 0;

  return TRUE;
}

/* Learns the window length from the first response of a window, whose
 * reset is about one window ahead (a lower bound, as the window may have
 * started a little earlier). */
static void
learn_window_from_start (KtRateLimit *self,
                         double       seconds)
{
  seconds = CLAMP (seconds, 1, 3600);
  if (!self->window_learned || seconds > self->window_seconds)
    self->window_seconds = seconds;
  self->window_learned = TRUE;
}

/* Learns the window length from the distance between the resets of two
 * windows, a whole number of windows (an upper bound). */
static void
learn_window_from_resets (KtRateLimit *self,
                          gint64       previous_reset,
                          gint64       reset)
{
  double seconds = (double) (reset - previous_reset) / G_USEC_PER_SEC;

  if (previous_reset == 0 || seconds < 1 || seconds > 3600)
    return;

  /* Half a second covers the one-second resolution of both resets. */
  if (!self->window_learned || seconds + 0.5 < self->window_seconds)
    self->window_seconds = seconds;
  self->window_learned = TRUE;
}

/* Whether @value is a Unix-time reset in whole seconds. */
static gboolean
is_whole_unix_time (const char *value)
{
  double number;

  return parse_decimal (value, &number) && number > UNIX_TIME_THRESHOLD && number == floor (number);
}

/* Estimates the reset of the window opened by the request just answered at
 * @now, from its whole-second Unix-time @reset (on our clock, which agrees
 * with the server's). A server that opens its window at the first request,
 * for a whole number W of seconds, and rounds the reset up, sends
 * ceil(A + W) for an arrival A between the grant and @now. So W lies in
 * (@reset - @now - 1, @reset - grant], and with the largest whole number
 * there the window ends by @now + W, up to a second before @reset. A
 * server that breaks these assumptions answers the first request sent at
 * that time 429, and the estimate is not used again. */
static gint64
estimate_opened_reset (KtRateLimit *self,
                       gint64       now,
                       gint64       reset)
{
  gint64 whole;

  if (self->window_opened_at == 0 || self->opened_estimate_rejected || reset <= now)
    return reset;

  whole = (reset - self->window_opened_at) / G_USEC_PER_SEC * G_USEC_PER_SEC;
  if (whole < G_USEC_PER_SEC || whole + G_USEC_PER_SEC <= reset - now)
    return reset;

  self->opened_estimate = now + whole < reset;
  return MIN (reset, now + whole);
}

static void
waiter_free (Waiter *waiter)
{
  GCancellable *cancellable = g_task_get_cancellable (waiter->task);

  /* Inside the "cancelled" emission (a release from another handler of
   * the same cancellable), g_cancellable_disconnect() would wait for the
   * emission to end and never return. A cancelled cancellable emits no
   * more until it is reset, so its handler can simply go. */
  if (waiter->cancel_id != 0 && g_cancellable_is_cancelled (cancellable))
    g_signal_handler_disconnect (cancellable, waiter->cancel_id);
  else if (waiter->cancel_id != 0)
    g_cancellable_disconnect (cancellable, waiter->cancel_id);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

/* Removes a cancelled waiter from its queue at once. Its task returns
 * from the main loop, because disconnecting from the cancellable inside
 * its handler would deadlock. */
static void
withdraw (KtRateLimit *self,
          Waiter      *waiter)
{
  GQueue *queue = waiter->priority == KT_PRIORITY_BULK ? &self->bulk : &self->interactive;
  Snapshot before;

  take_snapshot (self, &before);
  if (!g_queue_remove (queue, waiter))
    return;

  g_queue_push_tail (&self->cancelled, waiter);
  notify_changes (self, &before);
}

static void
return_withdrawn (KtRateLimit *self)
{
  Waiter *waiter;

  while ((waiter = g_queue_pop_head (&self->cancelled)) != NULL)
    {
      g_autoptr(GTask) task = g_object_ref (waiter->task);

      waiter_free (waiter);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "The request for a slot was cancelled");
    }
}

static gboolean
on_timer_cb (gpointer user_data)
{
  KtRateLimit *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  dispatch (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_idle_cb (gpointer user_data)
{
  KtRateLimit *self = user_data;

  g_clear_pointer (&self->idle, g_source_unref);
  dispatch (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_idle (KtRateLimit *self)
{
  if (self->idle != NULL)
    return;

  self->idle = g_idle_source_new ();
  g_source_set_priority (self->idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->idle, on_idle_cb, self, NULL);
  g_source_attach (self->idle, self->context);
}

static void
schedule_timer (KtRateLimit *self,
                gint64       wake_time)
{
  gint64 delay_ms = (wake_time - g_get_real_time () + 999) / 1000;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  self->timer = g_timeout_source_new ((guint) CLAMP (delay_ms, 1, G_MAXINT));
  g_source_set_callback (self->timer, on_timer_cb, self, NULL);
  g_source_attach (self->timer, self->context);
}

static void
on_cancelled_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  Waiter *waiter = user_data;
  KtRateLimit *self = waiter->self;

  /* A cancellable cancelled on another thread: the main loop removes the
   * waiter before it grants anything. */
  if (g_thread_self () == self->owner)
    withdraw (self, waiter);
  schedule_idle (self);
}

static gboolean
remove_cancelled (KtRateLimit *self,
                  GQueue      *queue)
{
  GList *link = queue->head;
  gboolean removed = FALSE;

  while (link != NULL)
    {
      GList *next = link->next;
      Waiter *waiter = link->data;

      if (g_cancellable_is_cancelled (g_task_get_cancellable (waiter->task)))
        {
          g_autoptr(GTask) task = g_object_ref (waiter->task);

          g_queue_delete_link (queue, link);
          waiter_free (waiter);
          g_task_return_error_if_cancelled (task);
          removed = TRUE;
        }
      link = next;
    }

  return removed;
}

static void
grant (KtRateLimit *self,
       GQueue      *queue)
{
  Waiter *waiter = g_queue_pop_head (queue);
  g_autoptr(GTask) task = g_object_ref (waiter->task);

  if ((self->reset_time == 0 || !self->confirmed) && self->window_opened_at == 0)
    self->window_opened_at = g_get_real_time ();

  self->in_flight++;
  if (self->remaining > 0)
    self->remaining--;

  waiter_free (waiter);
  g_task_return_boolean (task, TRUE);
}

/* Marks the waiters left after a dispatch as held, and returns whether
 * any was not before. */
static gboolean
mark_held (GQueue *queue)
{
  gboolean changed = FALSE;

  for (GList *link = queue->head; link != NULL; link = link->next)
    {
      Waiter *waiter = link->data;

      changed |= !waiter->held;
      waiter->held = TRUE;
    }

  return changed;
}

static void
dispatch (KtRateLimit *self)
{
  Snapshot before;
  gint64 now = g_get_real_time ();
  gboolean rolled;
  gboolean newly_held;

  g_object_ref (self);
  take_snapshot (self, &before);

  return_withdrawn (self);
  remove_cancelled (self, &self->interactive);
  remove_cancelled (self, &self->bulk);

  rolled = roll_window (self, now);

  while (self->interactive.length > 0 && can_grant (self, KT_PRIORITY_INTERACTIVE))
    grant (self, &self->interactive);
  while (self->interactive.length == 0 && self->bulk.length > 0
         && can_grant (self, KT_PRIORITY_BULK))
    grant (self, &self->bulk);
  newly_held = mark_held (&self->interactive);
  newly_held |= mark_held (&self->bulk);

  /* Requests wait, but no reset is known and nothing in flight could
   * tell one (a server without rate headers): assume a new window after
   * a pause, probing with a single request. */
  if (count_queued (self) > 0 && self->reset_time == 0 && self->in_flight == 0)
    {
      self->reset_time = now + BARE_429_FIRST_WAIT;
      self->confirmed = FALSE;
    }

  /* Waiting requests go at the reset. When nothing waits, views bound to
   * the budget should still show the new window once the old one ends,
   * without a request to tell them. */
  if (self->reset_time > 0)
    schedule_timer (self, self->reset_time + self->reset_margin);

  g_object_freeze_notify (G_OBJECT (self));
  notify_changes (self, &before);
  if (rolled)
    {
      /* "spent" was computed FALSE since the reset time, so the snapshot
       * cannot show the change to views that read it before. */
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMIT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMAINING]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESET_TIME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPENT]);
    }
  if (newly_held)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUED]);
  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
}

static void
record_history (KtRateLimit *self,
                gint64       now)
{
  guint expired = 0;

  while (expired < self->history->len
         && g_array_index (self->history, gint64, expired) < now - HISTORY_SPAN)
    expired++;
  if (expired > 0)
    g_array_remove_range (self->history, 0, expired);

  g_array_append_val (self->history, now);
}

static void
kt_rate_limit_dispose (GObject *object)
{
  KtRateLimit *self = (KtRateLimit *)object;
  Waiter *waiter;

  while ((waiter = g_queue_pop_head (&self->interactive)) != NULL
         || (waiter = g_queue_pop_head (&self->bulk)) != NULL)
    {
      g_autoptr(GTask) task = g_object_ref (waiter->task);

      waiter_free (waiter);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The rate limit was closed");
    }
  return_withdrawn (self);

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  if (self->idle != NULL)
    g_source_destroy (self->idle);
  g_clear_pointer (&self->idle, g_source_unref);

  G_OBJECT_CLASS (kt_rate_limit_parent_class)->dispose (object);
}

static void
kt_rate_limit_finalize (GObject *object)
{
  KtRateLimit *self = (KtRateLimit *)object;

  g_clear_pointer (&self->history, g_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (kt_rate_limit_parent_class)->finalize (object);
}

static void
kt_rate_limit_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KtRateLimit *self = KT_RATE_LIMIT (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      g_value_set_uint (value, self->limit);
      break;

    case PROP_REMAINING:
      g_value_set_uint (value, self->remaining);
      break;

    case PROP_RESET_TIME:
      g_value_set_int64 (value, self->reset_time);
      break;

    case PROP_QUEUED:
      g_value_set_uint (value, count_queued (self));
      break;

    case PROP_IN_FLIGHT:
      g_value_set_uint (value, self->in_flight);
      break;

    case PROP_KNOWN:
      g_value_set_boolean (value, self->known);
      break;

    case PROP_SPENT:
      g_value_set_boolean (value, compute_spent (self));
      break;

    case PROP_RESERVE:
      g_value_set_uint (value, get_reserve (self));
      break;

    case PROP_RESET_MARGIN:
      g_value_set_double (value, (double) self->reset_margin / G_USEC_PER_SEC);
      break;

    case PROP_WINDOW_SECONDS:
      g_value_set_double (value, self->window_seconds);
      break;

    case PROP_RECORDED:
      g_value_set_uint (value, self->recorded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_rate_limit_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KtRateLimit *self = KT_RATE_LIMIT (object);

  switch (prop_id)
    {
    case PROP_LIMIT:
      self->limit = MAX (1, g_value_get_uint (value));
      self->remaining = self->limit;
      break;

    case PROP_RESERVE:
      self->reserve = g_value_get_uint (value);
      schedule_idle (self);
      break;

    case PROP_RESET_MARGIN:
      self->reset_margin = (gint64) (g_value_get_double (value) * G_USEC_PER_SEC);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_rate_limit_class_init (KtRateLimitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags read_flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = kt_rate_limit_dispose;
  object_class->finalize = kt_rate_limit_finalize;
  object_class->get_property = kt_rate_limit_get_property;
  object_class->set_property = kt_rate_limit_set_property;

  properties[PROP_LIMIT] =
    g_param_spec_uint ("limit", NULL, NULL, 1, G_MAXUINT, 60,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMAINING] =
    g_param_spec_uint ("remaining", NULL, NULL, 0, G_MAXUINT, 0, read_flags);
  properties[PROP_RESET_TIME] =
    g_param_spec_int64 ("reset-time", NULL, NULL, 0, G_MAXINT64, 0, read_flags);
  properties[PROP_QUEUED] =
    g_param_spec_uint ("queued", NULL, NULL, 0, G_MAXUINT, 0, read_flags);
  properties[PROP_IN_FLIGHT] =
    g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, read_flags);
  properties[PROP_KNOWN] =
    g_param_spec_boolean ("known", NULL, NULL, FALSE, read_flags);
  properties[PROP_SPENT] =
    g_param_spec_boolean ("spent", NULL, NULL, FALSE, read_flags);
  /* Requests of each window that bulk loads leave to interactive ones;
   * G_MAXUINT (the default) means a tenth of the current limit, rounded
   * up. */
  properties[PROP_RESERVE] =
    g_param_spec_uint ("reserve", NULL, NULL, 0, G_MAXUINT, G_MAXUINT, rw_flags);
  /* Seconds waited past a reset time before the window counts as fresh. */
  properties[PROP_RESET_MARGIN] =
    g_param_spec_double ("reset-margin", NULL, NULL, 0, 60, 0.5, rw_flags);
  /* The window length seen from the headers, in seconds; 60 until seen. */
  properties[PROP_WINDOW_SECONDS] =
    g_param_spec_double ("window-seconds", NULL, NULL, 0, G_MAXDOUBLE, 60, read_flags);

  /* Responses recorded so far; notified with each, so a history view can
   * bind to it and call kt_rate_limit_get_history(). */
  properties[PROP_RECORDED] =
    g_param_spec_uint ("recorded", NULL, NULL, 0, G_MAXUINT, 0, read_flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REQUEST_RECORDED] =
    g_signal_new ("request-recorded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
}

static void
kt_rate_limit_init (KtRateLimit *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->limit = 60;
  self->remaining = 60;
  self->confirmed = TRUE;
  self->reset_margin = G_USEC_PER_SEC / 2;
  self->window_seconds = 60;
  self->reserve = G_MAXUINT;
  self->owner = g_thread_self ();
  self->history = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_queue_init (&self->interactive);
  g_queue_init (&self->bulk);
  g_queue_init (&self->cancelled);
}

/* Returns a new budget assuming @default_limit requests per window until a
 * header says otherwise; the caller owns it. */
KtRateLimit *
kt_rate_limit_new (guint default_limit)
{
  g_return_val_if_fail (default_limit > 0, NULL);

  return g_object_new (KT_TYPE_RATE_LIMIT, "limit", default_limit, NULL);
}

/* Returns the requests allowed per window. */
guint
kt_rate_limit_get_limit (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return self->limit;
}

/* Returns the requests left in this window, less those already granted. */
guint
kt_rate_limit_get_remaining (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return self->remaining;
}

/* Returns when the window resets, in wall-clock microseconds, or 0. */
gint64
kt_rate_limit_get_reset_time (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return self->reset_time;
}

/* Returns the number of requests waiting for a slot. */
guint
kt_rate_limit_get_queued (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return count_queued (self);
}

/* Returns the number of granted slots not yet released. */
guint
kt_rate_limit_get_in_flight (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return self->in_flight;
}

/* Returns whether a rate header has been seen. */
gboolean
kt_rate_limit_get_known (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), FALSE);

  return self->known;
}

/* Returns whether nothing is left until a reset in the future. */
gboolean
kt_rate_limit_get_spent (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), FALSE);

  return compute_spent (self);
}

/* Returns the window length seen from the headers in seconds, 60 until
 * one has been seen. */
double
kt_rate_limit_get_window_seconds (KtRateLimit *self)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), 0);

  return self->window_seconds;
}

/* Returns the counts of recorded requests in @n_buckets intervals of
 * @bucket_seconds ending now, oldest first; the caller owns the array. */
GArray *
kt_rate_limit_get_history (KtRateLimit *self,
                           guint        bucket_seconds,
                           guint        n_buckets)
{
  GArray *counts;
  gint64 now = g_get_real_time ();
  gint64 bucket = (gint64) bucket_seconds * G_USEC_PER_SEC;
  gint64 start = now - bucket * n_buckets;
  guint i;

  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), NULL);
  g_return_val_if_fail (bucket_seconds > 0, NULL);

  counts = g_array_new (FALSE, TRUE, sizeof (guint));
  g_array_set_size (counts, n_buckets);

  for (i = 0; i < self->history->len; i++)
    {
      gint64 time = g_array_index (self->history, gint64, i);
      gint64 index;

      if (time <= start || time > now)
        continue;
      index = (time - start - 1) / bucket;
      if (index >= 0 && index < n_buckets)
        g_array_index (counts, guint, index)++;
    }

  return counts;
}

/* Waits until a request of @priority may be sent without being answered
 * 429. Every successful acquire must be followed by one
 * kt_rate_limit_release(). */
void
kt_rate_limit_acquire_async (KtRateLimit         *self,
                             KtPriority           priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Waiter *waiter;
  Snapshot before;

  g_return_if_fail (KT_IS_RATE_LIMIT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kt_rate_limit_acquire_async);
  /* A slot granted just before a cancel is still reported, so the caller
   * gives it back with kt_rate_limit_release_unused(). */
  g_task_set_check_cancellable (task, FALSE);

  if (g_task_return_error_if_cancelled (task))
    return;

  take_snapshot (self, &before);

  waiter = g_new0 (Waiter, 1);
  waiter->self = self;
  waiter->task = g_steal_pointer (&task);
  waiter->priority = priority;
  if (priority == KT_PRIORITY_BULK)
    g_queue_push_tail (&self->bulk, waiter);
  else
    g_queue_push_tail (&self->interactive, waiter);

  if (cancellable != NULL)
    waiter->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled_cb),
                                               waiter, NULL);

  notify_changes (self, &before);
  /* Grant from the main loop, so the callback never runs inside this
   * call. */
  schedule_idle (self);
}

static gboolean
queue_holds_cancellable (GQueue       *queue,
                         GCancellable *cancellable)
{
  for (GList *link = queue->head; link != NULL; link = link->next)
    {
      Waiter *waiter = link->data;

      if (waiter->held && g_task_get_cancellable (waiter->task) == cancellable)
        return TRUE;
    }

  return FALSE;
}

/* Returns whether a request acquired with @cancellable is held back by the
 * budget: it still waits after a dispatch could not grant it. Changes are
 * notified as "queued". */
gboolean
kt_rate_limit_is_held (KtRateLimit  *self,
                       GCancellable *cancellable)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), FALSE);

  return queue_holds_cancellable (&self->interactive, cancellable)
         || queue_holds_cancellable (&self->bulk, cancellable);
}

/* Returns TRUE when a slot was granted, or FALSE with @error set
 * (G_IO_ERROR_CANCELLED). */
gboolean
kt_rate_limit_acquire_finish (KtRateLimit   *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (KT_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Gives back a slot granted by kt_rate_limit_acquire_async(), after the
 * response (if any) went through kt_rate_limit_update(). */
void
kt_rate_limit_release (KtRateLimit *self)
{
  Snapshot before;

  g_return_if_fail (KT_IS_RATE_LIMIT (self));
  g_return_if_fail (self->in_flight > 0);

  take_snapshot (self, &before);
  self->in_flight--;
  notify_changes (self, &before);

  dispatch (self);
}

/* Gives back a slot that was granted but never used for a request, so it
 * is not charged. */
void
kt_rate_limit_release_unused (KtRateLimit *self)
{
  g_return_if_fail (KT_IS_RATE_LIMIT (self));
  g_return_if_fail (self->in_flight > 0);

  if (self->remaining < self->limit)
    self->remaining++;
  kt_rate_limit_release (self);
}

/* Reads the rate headers of a response with @status (302s and 429s
 * included) into the budget, and emits "request-recorded". */
void
kt_rate_limit_update (KtRateLimit        *self,
                      guint               status,
                      SoupMessageHeaders *headers)
{
  Snapshot before;
  gint64 now = g_get_real_time ();
  gint64 server_now = now;
  gint64 server_reset = 0;
  gint64 server_retry = 0;
  gint64 reset = 0;
  gint64 retry = 0;
  guint header_limit = 0;
  guint header_remaining = 0;
  gboolean has_limit = FALSE;
  gboolean has_remaining = FALSE;
  gboolean has_reset = FALSE;
  gboolean has_retry = FALSE;
  gboolean whole_unix_reset = FALSE;

  g_return_if_fail (KT_IS_RATE_LIMIT (self));

  take_snapshot (self, &before);
  record_history (self, now);

  if (headers != NULL)
    {
      gint64 date;

      /* Times in the Unix form are on the server's clock; the Date header
       * tells how far it is from ours. Date has a resolution of one
       * second and is rounded down, so a clock that reads up to a second
       * past it (or a little before, for the transit) is taken to agree
       * with the server's, and the reset is read on it directly. */
      if (parse_http_date (soup_message_headers_get_one (headers, "Date"), &date)
          && (now - date < -G_USEC_PER_SEC / 2 || now - date > 3 * G_USEC_PER_SEC / 2))
        server_now = date;

      has_limit = parse_count (soup_message_headers_get_one (headers, "X-Ratelimit-Limit"),
                               &header_limit) && header_limit > 0;
      has_remaining = parse_count (soup_message_headers_get_one (headers, "X-Ratelimit-Remaining"),
                                   &header_remaining);
      has_reset = kt_rate_limit_parse_reset (soup_message_headers_get_one (headers, "X-Ratelimit-Reset"),
                                             server_now, &server_reset);
      whole_unix_reset = has_reset && server_now == now
                         && is_whole_unix_time (soup_message_headers_get_one (headers, "X-Ratelimit-Reset"));
      has_retry = kt_rate_limit_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"),
                                                   server_now, &server_retry);
      if (has_reset)
        reset = now + (server_reset - server_now);
      if (has_retry)
        retry = now + (server_retry - server_now);
    }

  if (has_limit)
    {
      self->limit = header_limit;
      self->known = TRUE;
    }

  if (self->probing)
    {
      self->probing = FALSE;
      if (status == KT_STATUS_TOO_MANY_REQUESTS && self->opened_estimate)
        {
          /* The estimate, not the margin, was wrong. */
          g_debug ("429 at the estimated reset; reading the reset header as it is from now on");
          self->opened_estimate_rejected = TRUE;
        }
      else if (status == KT_STATUS_TOO_MANY_REQUESTS)
        self->reset_margin = MIN (MAX_RESET_MARGIN, self->reset_margin * 2 + G_USEC_PER_SEC / 4);
      else
        self->reset_margin = MAX (MIN_RESET_MARGIN, self->reset_margin / 2);
      self->opened_estimate = FALSE;
    }

  if (status == KT_STATUS_TOO_MANY_REQUESTS)
    {
      gint64 until = MAX (reset, retry);

      self->known = TRUE;
      self->confirmed = TRUE;
      self->remaining = 0;

      if (until == 0 && !has_remaining)
        {
          /* A 429 with nothing to go by: keep a reset still ahead, or back
           * off, doubling the wait for each bare 429 in a row. */
          if (self->reset_time > now)
            until = self->reset_time;
          else
            until = now + MIN (BARE_429_MAX_WAIT,
                               BARE_429_FIRST_WAIT << MIN (self->bare_429_streak, 6));
          self->bare_429_streak++;
        }
      else if (until == 0)
        until = self->reset_time > now ? self->reset_time : now + BARE_429_FIRST_WAIT;

      g_debug ("429 received; waiting %.1f s", (double) (until - now) / G_USEC_PER_SEC);
      self->reset_time = until;
      self->opened_estimate = FALSE;
    }
  else if (has_remaining && has_reset)
    {
      guint others = self->in_flight > 0 ? self->in_flight - 1 : 0;
      guint fresh = header_remaining > others ? header_remaining - others : 0;

      self->bare_429_streak = 0;
      self->known = TRUE;

      if (self->reset_time == 0 || !self->confirmed)
        {
          /* The first answer of a window: requests still in flight may be
           * charged to it too. */
          if (ABS (reset - self->last_reset) > SAME_WINDOW_TOLERANCE)
            learn_window_from_resets (self, self->last_reset, reset);
          self->remaining = fresh;
          self->reset_time = reset;
          self->opened_estimate = FALSE;
          if (whole_unix_reset && header_remaining + 1 >= self->limit)
            self->reset_time = estimate_opened_reset (self, now, reset);
          self->window_opened_at = 0;
        }
      else if (ABS (reset - self->reset_time) <= SAME_WINDOW_TOLERANCE)
        {
          /* Each answer's estimate errs late by the rounding up of a
           * one-second value, by a different fraction; the earliest is
           * the closest. A Unix-time reset is the same value for the
           * whole window, so only estimate_opened_reset() gets closer. */
          self->remaining = MIN (self->remaining, header_remaining);
          self->reset_time = MIN (self->reset_time, reset);
        }
      else if (reset > self->reset_time)
        {
          learn_window_from_resets (self, self->reset_time, reset);
          self->remaining = fresh;
          self->reset_time = reset;
        }
      /* else: an answer from a window already over, nothing to learn. */

      self->confirmed = TRUE;
      self->last_reset = self->reset_time;

      /* A whole-second Unix-time reset is rounded up from the window's
       * end, so reset - now exceeds a whole-second window by up to a
       * second. Its whole seconds are the bound, as estimate_opened_reset()
       * explains. */
      if (header_remaining + 1 >= self->limit && reset > now && whole_unix_reset)
        learn_window_from_start (self, (double) ((reset - now) / G_USEC_PER_SEC));
      else if (header_remaining + 1 >= self->limit && reset > now)
        learn_window_from_start (self, (double) (reset - now) / G_USEC_PER_SEC);
    }
  else if (has_remaining)
    {
      self->known = TRUE;
      self->confirmed = TRUE;
      self->remaining = MIN (self->remaining, header_remaining);
    }
  else if (has_reset)
    {
      self->reset_time = reset;
    }

  self->remaining = MIN (self->remaining, self->limit);

  self->recorded++;
  g_object_freeze_notify (G_OBJECT (self));
  notify_changes (self, &before);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDED]);
  g_object_thaw_notify (G_OBJECT (self));
  g_signal_emit (self, signals[REQUEST_RECORDED], 0, status, 1);

  schedule_idle (self);
}

/* Returns whether @value is an X-Ratelimit-Reset value and stores the reset
 * in @reset_time on the server's clock: values above 10^9 are Unix times,
 * others seconds after @server_now. Non-numeric values are rejected. */
gboolean
kt_rate_limit_parse_reset (const char *value,
                           gint64      server_now,
                           gint64     *reset_time)
{
  double number;

  g_return_val_if_fail (reset_time != NULL, FALSE);

  if (!parse_decimal (value, &number))
    return FALSE;

  if (number > UNIX_TIME_THRESHOLD)
    {
      if (number > (double) (G_MAXINT64 / G_USEC_PER_SEC))
        return FALSE;
      *reset_time = (gint64) (number * G_USEC_PER_SEC);
    }
  else
    *reset_time = server_now + (gint64) (number * G_USEC_PER_SEC);

  return TRUE;
}

/* Returns whether @value is a Retry-After value (seconds or an HTTP date)
 * and stores the time it names in @retry_time, on the clock of @now. */
gboolean
kt_rate_limit_parse_retry_after (const char *value,
                                 gint64      now,
                                 gint64     *retry_time)
{
  double seconds;
  gint64 date;

  g_return_val_if_fail (retry_time != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  if (parse_decimal (value, &seconds))
    {
      if (seconds > 365.0 * 24 * 3600)
        return FALSE;
      *retry_time = now + (gint64) (seconds * G_USEC_PER_SEC);
      return TRUE;
    }

  if (parse_http_date (value, &date))
    {
      *retry_time = date;
      return TRUE;
    }

  return FALSE;
}
