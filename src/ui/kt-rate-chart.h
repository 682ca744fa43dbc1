#pragma once

#include <gtk/gtk.h>

#include "core/kt-rate-limit.h"

G_BEGIN_DECLS

/* Seconds per bar and number of bars of the chart: five minutes. */
#define KT_RATE_CHART_BUCKET_SECONDS 10
#define KT_RATE_CHART_N_BUCKETS      30

#define KT_TYPE_RATE_CHART (kt_rate_chart_get_type ())
G_DECLARE_FINAL_TYPE (KtRateChart, kt_rate_chart, KT, RATE_CHART, GtkWidget)

/*
 * A bar chart of the requests charged to a KtRateLimit over the last five
 * minutes, one bar per ten seconds, newest on the right.
 *
 * Property: "rate-limit" (KtRateLimit or NULL).
 */
GtkWidget   *kt_rate_chart_new            (void);
void         kt_rate_chart_set_rate_limit (KtRateChart *self,
                                           KtRateLimit *rate_limit);
/* Read the history again and redraw. */
void         kt_rate_chart_refresh        (KtRateChart *self);
/* Requests in the bars last drawn. */
guint        kt_rate_chart_get_total      (KtRateChart *self);

G_END_DECLS
