#define G_LOG_DOMAIN "kt-rate-meter"

#include "config.h"

#include <glib/gi18n.h>

#include "kt-plain-text.h"
#include "kt-rate-chart.h"
#include "kt-rate-meter.h"

struct _KtRateMeter
{
  GtkWidget parent_instance;

  GtkMenuButton *button;
  KtRateChart *chart;
  GtkLabel *label;
  GtkLevelBar *level_bar;
  GtkLabel *limit_value;
  GtkPopover *popover;
  GtkLabel *queued_value;
  GtkLabel *remaining_value;
  GtkLabel *reset_value;
  GtkLabel *session_value;
  GtkLabel *state_label;

  KtRateLimit *rate_limit;
  KtRateMeterState state;
  char *text;
  char *description;
  guint requests_seen;
  guint tick_id;
  gboolean compact;
};

enum {
  PROP_0,
  PROP_RATE_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KtRateMeter, kt_rate_meter, GTK_TYPE_WIDGET)

static const char * const state_classes[] = {
  [KT_RATE_METER_UNKNOWN] = "unknown",
  [KT_RATE_METER_PLENTY] = "plenty",
  [KT_RATE_METER_LOW] = "low",
  [KT_RATE_METER_SPENT] = "spent",
};

static void kt_rate_meter_update (KtRateMeter *self);

/* Whole seconds until @reset_time, rounded up; 0 when unknown or past. */
static guint
seconds_until (gint64 reset_time)
{
  gint64 left;

  if (reset_time <= 0)
    return 0;

  left = reset_time - g_get_real_time ();
  if (left <= 0)
    return 0;

  return (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* Whether the reset time of the last response has passed: the budget it
 * reported is stale until the rate limit rolls the window over or the
 * next response reports the new one. */
static gboolean
reset_has_passed (KtRateLimit *rate_limit)
{
  gint64 reset_time;

  if (rate_limit == NULL)
    return FALSE;

  reset_time = kt_rate_limit_get_reset_time (rate_limit);
  return reset_time > 0 && reset_time <= g_get_real_time ();
}

static KtRateMeterState
compute_state (KtRateLimit *rate_limit)
{
  guint limit;
  guint remaining;
  gboolean known = FALSE;

  if (rate_limit == NULL)
    return KT_RATE_METER_UNKNOWN;

  g_object_get (rate_limit, "known", &known, NULL);
  if (!known || reset_has_passed (rate_limit))
    return KT_RATE_METER_UNKNOWN;

  limit = kt_rate_limit_get_limit (rate_limit);
  remaining = kt_rate_limit_get_remaining (rate_limit);

  if (remaining == 0 || kt_rate_limit_get_spent (rate_limit))
    return KT_RATE_METER_SPENT;
  if (remaining * 4 <= limit)
    return KT_RATE_METER_LOW;

  return KT_RATE_METER_PLENTY;
}

static char *
format_countdown (guint seconds)
{
  if (seconds >= 60)
    return g_strdup_printf (_("%u min %02u s"), seconds / 60, seconds % 60);

  return g_strdup_printf (_("%u s"), seconds);
}

/* The popover's Resets value, in words a screen reader reads as they
 * are. Once a window has passed and no response has opened the next one,
 * a server that opens its window at the first request (as the sandbox
 * does) starts it with the next request, so the value gives its end. */
static char *
format_reset (KtRateLimit *rate_limit,
              guint        seconds,
              double       window_seconds)
{
  guint window = (guint) (window_seconds + 0.5);

  if (seconds > 0)
    return format_countdown (seconds);

  if (reset_has_passed (rate_limit))
    return g_strdup (_("Now"));

  if (rate_limit == NULL || !kt_rate_limit_get_known (rate_limit))
    return g_strdup (_("After the first response"));

  if (window == 60)
    return g_strdup (_("A minute after the next request"));

  return g_strdup_printf (ngettext ("%u second after the next request",
                                    "%u seconds after the next request", window),
                          window);
}

/* The countdown in the header, kept short so the header bar can show it
 * whole: "42 s", "4:59". */
static char *
format_short_countdown (guint seconds)
{
  if (seconds >= 60)
    return g_strdup_printf ("%u:%02u", seconds / 60, seconds % 60);

  return g_strdup_printf (_("%u s"), seconds);
}

/* The popover's first line: the state in words, so it does not rest on
 * the colour alone. */
static char *
describe_state (KtRateMeterState state,
                guint            remaining)
{
  switch (state)
    {
    case KT_RATE_METER_PLENTY:
      return g_strdup (_("Plenty: requests are sent at once"));

    case KT_RATE_METER_LOW:
      return g_strdup_printf (ngettext ("Low: the last %u request is kept for what you open",
                                        "Low: the last %u requests are kept for what you open",
                                        remaining),
                              remaining);

    case KT_RATE_METER_SPENT:
      return g_strdup (_("Spent: waiting for the reset"));

    case KT_RATE_METER_UNKNOWN:
    default:
      return g_strdup (_("Unknown: the next response reports what is left"));
    }
}

static gboolean
on_tick_cb (gpointer user_data)
{
  KtRateMeter *self = KT_RATE_METER (user_data);

  kt_rate_meter_update (self);

  if (gtk_widget_get_visible (GTK_WIDGET (self->popover)))
    kt_rate_chart_refresh (self->chart);

  return G_SOURCE_CONTINUE;
}

static void
set_state (KtRateMeter      *self,
           KtRateMeterState  state)
{
  if (self->state == state)
    return;

  gtk_widget_remove_css_class (GTK_WIDGET (self), state_classes[self->state]);
  self->state = state;
  gtk_widget_add_css_class (GTK_WIDGET (self), state_classes[self->state]);
}

static void
kt_rate_meter_update (KtRateMeter *self)
{
  g_autofree char *countdown = NULL;
  g_autofree char *short_countdown = NULL;
  g_autofree char *state_text = NULL;
  g_autofree char *text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *remaining_text = NULL;
  g_autofree char *queued_text = NULL;
  g_autofree char *session_text = NULL;
  g_autofree char *reset_text = NULL;
  KtRateMeterState state = compute_state (self->rate_limit);
  guint limit = 0;
  guint remaining = 0;
  guint queued = 0;
  guint seconds = 0;
  double window_seconds;

  if (self->rate_limit != NULL)
    {
      limit = kt_rate_limit_get_limit (self->rate_limit);
      remaining = kt_rate_limit_get_remaining (self->rate_limit);
      queued = kt_rate_limit_get_queued (self->rate_limit);
      seconds = seconds_until (kt_rate_limit_get_reset_time (self->rate_limit));
    }

  set_state (self, state);
  countdown = format_countdown (seconds);
  short_countdown = format_short_countdown (seconds);

  /* The header text leaves out how many requests wait, and drops the
   * countdown in a narrow window, so the header bar never cuts it
   * mid-word. The tooltip, the accessible description and the popover
   * give both. */

  switch (state)
    {
    case KT_RATE_METER_UNKNOWN:
      text = g_strdup_printf ("—/%u", limit);

      if (reset_has_passed (self->rate_limit))
        description = g_strdup_printf (_("Limit of %u requests; the window has reset, and the next response reports what is left"), limit);
      else
        description = g_strdup_printf (_("Limit of %u requests; no response has reported what is left yet"), limit);
      break;

    case KT_RATE_METER_SPENT:
      if (queued > 0)
        {
          description = g_strdup_printf (ngettext ("No requests left of %u; %u request waits %s for the reset",
                                                   "No requests left of %u; %u requests wait %s for the reset",
                                                   queued),
                                         limit, queued, countdown);
        }
      else
        {
          description = g_strdup_printf (_("No requests left of %u; the limit resets in %s"), limit, countdown);
        }
      break;

    case KT_RATE_METER_PLENTY:
    case KT_RATE_METER_LOW:
    default:
      if (queued > 0)
        {
          /* Bulk loads keep a reserve for interactive requests, so they
           * can wait before the budget reaches zero. */
          description = g_strdup_printf (ngettext ("%u of %u requests left, kept for interactive use; %u request waits %s for the reset",
                                                   "%u of %u requests left, kept for interactive use; %u requests wait %s for the reset",
                                                   queued),
                                         remaining, limit, queued, countdown);
        }
      else if (seconds > 0)
        {
          description = g_strdup_printf (_("%u of %u requests left; the limit resets in %s"),
                                         remaining, limit, countdown);
        }
      else
        {
          description = g_strdup_printf (_("%u of %u requests left"), remaining, limit);
        }
      break;
    }

  if (state != KT_RATE_METER_UNKNOWN && seconds > 0 && !self->compact)
    /* TRANSLATORS: the rate meter: requests left, the limit, and the time to the reset: "18/180 · 42 s" */
    text = g_strdup_printf (_("%u/%u · %s"), remaining, limit, short_countdown);
  else if (state != KT_RATE_METER_UNKNOWN)
    text = g_strdup_printf ("%u/%u", remaining, limit);

  gtk_level_bar_set_value (self->level_bar,
                           limit > 0 && state != KT_RATE_METER_UNKNOWN
                           ? (double) MIN (remaining, limit) / limit : 1.0);

  if (g_strcmp0 (self->text, text) != 0)
    {
      gtk_label_set_label (self->label, text);
      g_free (self->text);
      self->text = g_steal_pointer (&text);
    }

  if (g_strcmp0 (self->description, description) != 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                      -1);
      kt_widget_set_lazy_tooltip (GTK_WIDGET (self->button), description);
      g_free (self->description);
      self->description = g_steal_pointer (&description);
    }

  window_seconds = self->rate_limit != NULL ? kt_rate_limit_get_window_seconds (self->rate_limit) : 60;
  if (window_seconds == 60)
    limit_text = g_strdup_printf (_("%u requests a minute"), limit);
  else
    limit_text = g_strdup_printf (_("%u requests per %.0f s"), limit, window_seconds);
  remaining_text = state == KT_RATE_METER_UNKNOWN ? g_strdup (_("Unknown")) : g_strdup_printf ("%u", remaining);
  queued_text = g_strdup_printf (ngettext ("%u request", "%u requests", queued), queued);
  session_text = g_strdup_printf (ngettext ("%u request charged", "%u requests charged", self->requests_seen),
                                  self->requests_seen);
  gtk_label_set_label (self->limit_value, limit_text);
  gtk_label_set_label (self->remaining_value, remaining_text);
  reset_text = format_reset (self->rate_limit, seconds, window_seconds);
  gtk_label_set_label (self->reset_value, reset_text);
  gtk_label_set_label (self->queued_value, queued_text);
  gtk_label_set_label (self->session_value, session_text);
  state_text = describe_state (state, remaining);
  gtk_label_set_label (self->state_label, state_text);
}

static void
on_rate_limit_notify_cb (KtRateLimit *rate_limit,
                         GParamSpec  *pspec,
                         KtRateMeter *self)
{
  kt_rate_meter_update (self);
}

static void
on_request_recorded_cb (KtRateLimit *rate_limit,
                        guint        status,
                        guint        cost,
                        KtRateMeter *self)
{
  self->requests_seen += cost;
  kt_rate_meter_update (self);
}

static void
on_popover_show_cb (GtkPopover  *popover,
                    KtRateMeter *self)
{
  kt_rate_chart_refresh (self->chart);
}

static void
kt_rate_meter_dispose (GObject *object)
{
  KtRateMeter *self = KT_RATE_METER (object);
  GtkWidget *child;

  kt_rate_meter_set_rate_limit (self, NULL);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_RATE_METER);
  /* The template's top box has no id, so dispose_template() leaves it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (kt_rate_meter_parent_class)->dispose (object);
}

static void
kt_rate_meter_finalize (GObject *object)
{
  KtRateMeter *self = KT_RATE_METER (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (kt_rate_meter_parent_class)->finalize (object);
}

static void
kt_rate_meter_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KtRateMeter *self = KT_RATE_METER (object);

  switch (prop_id)
    {
    case PROP_RATE_LIMIT:
      g_value_set_object (value, self->rate_limit);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_rate_meter_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KtRateMeter *self = KT_RATE_METER (object);

  switch (prop_id)
    {
    case PROP_RATE_LIMIT:
      kt_rate_meter_set_rate_limit (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_rate_meter_class_init (KtRateMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_rate_meter_dispose;
  object_class->finalize = kt_rate_meter_finalize;
  object_class->get_property = kt_rate_meter_get_property;
  object_class->set_property = kt_rate_meter_set_property;

  properties[PROP_RATE_LIMIT] =
    g_param_spec_object ("rate-limit", NULL, NULL,
                         KT_TYPE_RATE_LIMIT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KT_TYPE_RATE_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-rate-meter.ui");
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, button);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, chart);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, label);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, level_bar);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, limit_value);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, popover);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, queued_value);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, remaining_value);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, reset_value);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, session_value);
  gtk_widget_class_bind_template_child (widget_class, KtRateMeter, state_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rate-meter");
}

static void
kt_rate_meter_init (KtRateMeter *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The level bar's own offsets colour it; the state classes colour the
   * label (see style.css). */
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (self->level_bar, "spent", 0.0);
  gtk_level_bar_add_offset_value (self->level_bar, "low", 0.25);
  gtk_level_bar_add_offset_value (self->level_bar, "plenty", 1.0);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Rate limit"),
                                  -1);

  g_signal_connect (self->popover, "show", G_CALLBACK (on_popover_show_cb), self);

  self->state = KT_RATE_METER_UNKNOWN;
  gtk_widget_add_css_class (GTK_WIDGET (self), state_classes[self->state]);
  kt_rate_meter_update (self);
}

GtkWidget *
kt_rate_meter_new (void)
{
  return g_object_new (KT_TYPE_RATE_METER, NULL);
}

KtRateLimit *
kt_rate_meter_get_rate_limit (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), NULL);

  return self->rate_limit;
}

void
kt_rate_meter_set_rate_limit (KtRateMeter *self,
                              KtRateLimit *rate_limit)
{
  g_return_if_fail (KT_IS_RATE_METER (self));
  g_return_if_fail (rate_limit == NULL || KT_IS_RATE_LIMIT (rate_limit));

  if (self->rate_limit == rate_limit)
    return;

  if (self->rate_limit != NULL)
    g_signal_handlers_disconnect_by_data (self->rate_limit, self);

  g_set_object (&self->rate_limit, rate_limit);
  /* Requests sent before the meter showed this budget, such as those of
   * the sign-in, were charged in this session too. Each recorded response
   * costs one request. */
  self->requests_seen = 0;
  if (rate_limit != NULL)
    g_object_get (rate_limit, "recorded", &self->requests_seen, NULL);

  if (self->rate_limit != NULL)
    {
      g_signal_connect_object (self->rate_limit, "notify",
                               G_CALLBACK (on_rate_limit_notify_cb), self, 0);
      g_signal_connect_object (self->rate_limit, "request-recorded",
                               G_CALLBACK (on_request_recorded_cb), self, 0);
    }

  if (self->chart != NULL)
    kt_rate_chart_set_rate_limit (self->chart, rate_limit);

  /* The countdown ticks only while there is a budget to count down. */
  if (self->rate_limit != NULL && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, on_tick_cb, self);
  else if (self->rate_limit == NULL)
    g_clear_handle_id (&self->tick_id, g_source_remove);

  kt_rate_meter_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_LIMIT]);
}

KtRateMeterState
kt_rate_meter_get_state (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), KT_RATE_METER_UNKNOWN);

  return self->state;
}

const char *
kt_rate_meter_get_text (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), NULL);

  return self->text;
}

const char *
kt_rate_meter_get_description (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), NULL);

  return self->description;
}

guint
kt_rate_meter_get_requests_seen (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), 0);

  return self->requests_seen;
}

void
kt_rate_meter_set_compact (KtRateMeter *self,
                           gboolean     compact)
{
  g_return_if_fail (KT_IS_RATE_METER (self));

  gtk_widget_set_visible (GTK_WIDGET (self->level_bar), !compact);
  self->compact = compact;
  kt_rate_meter_update (self);
}

void
kt_rate_meter_popup (KtRateMeter *self)
{
  g_return_if_fail (KT_IS_RATE_METER (self));

  gtk_menu_button_popup (self->button);
}

void
kt_rate_meter_popdown (KtRateMeter *self)
{
  g_return_if_fail (KT_IS_RATE_METER (self));

  gtk_menu_button_popdown (self->button);
}

GtkPopover *
kt_rate_meter_get_popover (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), NULL);

  return self->popover;
}

guint
kt_rate_meter_get_chart_total (KtRateMeter *self)
{
  g_return_val_if_fail (KT_IS_RATE_METER (self), 0);

  return kt_rate_chart_get_total (self->chart);
}
