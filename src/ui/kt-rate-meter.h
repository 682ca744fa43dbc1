#pragma once

#include <gtk/gtk.h>

#include "core/kt-rate-limit.h"

G_BEGIN_DECLS

/* How much of the rate limit is left, as the meter colours it. */
typedef enum
{
  KT_RATE_METER_UNKNOWN,  /* no X-Ratelimit-* header seen yet */
  KT_RATE_METER_PLENTY,
  KT_RATE_METER_LOW,      /* a quarter of the limit or less */
  KT_RATE_METER_SPENT,    /* nothing left until the reset */
} KtRateMeterState;

#define KT_TYPE_RATE_METER (kt_rate_meter_get_type ())
G_DECLARE_FINAL_TYPE (KtRateMeter, kt_rate_meter, KT, RATE_METER, GtkWidget)

/*
 * The header bar's view of a KtRateLimit: a level bar and a label with the
 * requests left, the limit and a countdown to the reset, and a popover with
 * a chart of recent requests and the budget's details.
 *
 * Property: "rate-limit" (KtRateLimit or NULL).
 */
GtkWidget        *kt_rate_meter_new                 (void);
KtRateLimit      *kt_rate_meter_get_rate_limit      (KtRateMeter *self);
void              kt_rate_meter_set_rate_limit      (KtRateMeter *self,
                                                     KtRateLimit *rate_limit);
KtRateMeterState  kt_rate_meter_get_state           (KtRateMeter *self);
/* The label as shown, e.g. "57/60 · 42 s"; owned by the meter. */
const char       *kt_rate_meter_get_text            (KtRateMeter *self);
/* The accessible description as last set; owned by the meter. */
const char       *kt_rate_meter_get_description     (KtRateMeter *self);
/* Requests charged since the rate limit was set, each 302 hop counted. */
guint             kt_rate_meter_get_requests_seen   (KtRateMeter *self);
/* Hide the level bar, for a narrow window; the label stays. */
void              kt_rate_meter_set_compact         (KtRateMeter *self,
                                                     gboolean     compact);
/* Open or close the popover with the chart. */
void              kt_rate_meter_popup               (KtRateMeter *self);
void              kt_rate_meter_popdown             (KtRateMeter *self);
GtkPopover       *kt_rate_meter_get_popover         (KtRateMeter *self);
/* Requests shown in the popover's chart. */
guint             kt_rate_meter_get_chart_total     (KtRateMeter *self);

G_END_DECLS
