#define G_LOG_DOMAIN "kt-rate-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "kt-rate-chart.h"

struct _KtRateChart
{
  GtkWidget parent_instance;

  KtRateLimit *rate_limit;
  GArray *history;               /* guint per bucket, oldest first */
  guint total;
  guint max;
};

enum {
  PROP_0,
  PROP_RATE_LIMIT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (KtRateChart, kt_rate_chart, GTK_TYPE_WIDGET)

static void
update_accessible (KtRateChart *self)
{
  g_autofree char *description = NULL;

  description = g_strdup_printf (ngettext ("%u request in the last five minutes, at most %u in ten seconds",
                                           "%u requests in the last five minutes, at most %u in ten seconds",
                                           self->total),
                                 self->total, self->max);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
on_request_recorded_cb (KtRateLimit *rate_limit,
                        guint        status,
                        guint        cost,
                        KtRateChart *self)
{
  kt_rate_chart_refresh (self);
}

static void
kt_rate_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  KtRateChart *self = KT_RATE_CHART (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA bar_color;
  GdkRGBA axis_color;
  guint n_bars;
  double scale_max;
  double slot;

  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &bar_color))
    gdk_rgba_parse (&bar_color, "#3584e4");
  gtk_style_context_get_color (context, &axis_color);
  axis_color.alpha *= 0.3;

  gtk_snapshot_append_color (snapshot, &axis_color,
                             &GRAPHENE_RECT_INIT (0, height - 1, width, 1));

  if (self->history == NULL || self->history->len == 0)
    return;

  n_bars = self->history->len;
  scale_max = MAX (self->max, 1);
  slot = (double) width / n_bars;

  for (guint i = 0; i < n_bars; i++)
    {
      guint count = g_array_index (self->history, guint, i);
      double bar_height = (height - 1) * count / scale_max;

      if (count == 0)
        continue;

      gtk_snapshot_append_color (snapshot, &bar_color,
                                 &GRAPHENE_RECT_INIT (i * slot + 1,
                                                      height - 1 - bar_height,
                                                      MAX (slot - 2, 1),
                                                      bar_height));
    }
}

static void
kt_rate_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = KT_RATE_CHART_N_BUCKETS * 3;
      *natural = KT_RATE_CHART_N_BUCKETS * 8;
    }
  else
    {
      *minimum = 48;
      *natural = 96;
    }
}

static void
kt_rate_chart_dispose (GObject *object)
{
  KtRateChart *self = KT_RATE_CHART (object);

  kt_rate_chart_set_rate_limit (self, NULL);

  G_OBJECT_CLASS (kt_rate_chart_parent_class)->dispose (object);
}

static void
kt_rate_chart_finalize (GObject *object)
{
  KtRateChart *self = KT_RATE_CHART (object);

  g_clear_pointer (&self->history, g_array_unref);

  G_OBJECT_CLASS (kt_rate_chart_parent_class)->finalize (object);
}

static void
kt_rate_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KtRateChart *self = KT_RATE_CHART (object);

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
kt_rate_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KtRateChart *self = KT_RATE_CHART (object);

  switch (prop_id)
    {
    case PROP_RATE_LIMIT:
      kt_rate_chart_set_rate_limit (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_rate_chart_class_init (KtRateChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_rate_chart_dispose;
  object_class->finalize = kt_rate_chart_finalize;
  object_class->get_property = kt_rate_chart_get_property;
  object_class->set_property = kt_rate_chart_set_property;

  widget_class->snapshot = kt_rate_chart_snapshot;
  widget_class->measure = kt_rate_chart_measure;

  properties[PROP_RATE_LIMIT] =
    g_param_spec_object ("rate-limit", NULL, NULL,
                         KT_TYPE_RATE_LIMIT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "rate-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
kt_rate_chart_init (KtRateChart *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Requests over the last five minutes"),
                                  -1);
}

GtkWidget *
kt_rate_chart_new (void)
{
  return g_object_new (KT_TYPE_RATE_CHART, NULL);
}

void
kt_rate_chart_set_rate_limit (KtRateChart *self,
                              KtRateLimit *rate_limit)
{
  g_return_if_fail (KT_IS_RATE_CHART (self));
  g_return_if_fail (rate_limit == NULL || KT_IS_RATE_LIMIT (rate_limit));

  if (self->rate_limit == rate_limit)
    return;

  if (self->rate_limit != NULL)
    g_signal_handlers_disconnect_by_data (self->rate_limit, self);

  g_set_object (&self->rate_limit, rate_limit);

  if (self->rate_limit != NULL)
    g_signal_connect_object (self->rate_limit, "request-recorded",
                             G_CALLBACK (on_request_recorded_cb), self, 0);

  kt_rate_chart_refresh (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_LIMIT]);
}

void
kt_rate_chart_refresh (KtRateChart *self)
{
  g_return_if_fail (KT_IS_RATE_CHART (self));

  g_clear_pointer (&self->history, g_array_unref);
  self->total = 0;
  self->max = 0;

  if (self->rate_limit != NULL)
    {
      self->history = kt_rate_limit_get_history (self->rate_limit,
                                                 KT_RATE_CHART_BUCKET_SECONDS,
                                                 KT_RATE_CHART_N_BUCKETS);
      for (guint i = 0; self->history != NULL && i < self->history->len; i++)
        {
          guint count = g_array_index (self->history, guint, i);

          self->total += count;
          self->max = MAX (self->max, count);
        }
    }

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
kt_rate_chart_get_total (KtRateChart *self)
{
  g_return_val_if_fail (KT_IS_RATE_CHART (self), 0);

  return self->total;
}
