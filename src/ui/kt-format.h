#pragma once

#include <glib.h>

#include "core/kt-catalogue.h"
#include "core/kt-rate-limit.h"

G_BEGIN_DECLS

/* Formatting of list and detail values for display. */

/* @value (a JSON number as text, e.g. "4.09") as an amount in @currency
 * (ISO 4217), e.g. "$4.09" for AUD. Returns NULL when @value is not a
 * number. The caller owns the string. */
char *kt_format_money    (const char *value,
                          const char *currency);
/* @iso8601 converted to @tz and written as "2024-03-02 08:15". Returns
 * NULL when @iso8601 does not parse. The caller owns the string. */
char *kt_format_datetime (const char *iso8601,
                          GTimeZone  *tz);
/* A cell's text for a column of kind @kind; @value may be NULL. The caller
 * owns the string. */
char *kt_format_value    (KtColumnKind kind,
                          const char  *value,
                          const char  *currency,
                          GTimeZone   *tz);
/* A status code as words: the order statuses of the Kounta API
 * translated ("ON_HOLD" → "On Hold"), any other code of capitals and
 * underscores in title case ("PARTLY_PAID" → "Partly Paid"), and other
 * text as it is. The caller owns the string. */
char *kt_format_status   (const char *code);
/* @fraction (a JSON number as text, e.g. "0.1") as a percentage, "10 %".
 * Returns NULL when @fraction is not a number. The caller owns the
 * string. */
char *kt_format_percent  (const char *fraction);
/* A byte count as "812 B", "4.1 kB". The caller owns the string. */
char *kt_format_size     (guint64      bytes);

/* The time zone named @identifier (IANA), or UTC when it is NULL or
 * unknown. The caller owns the reference. */
GTimeZone *kt_format_time_zone (const char *identifier);

/* @json re-indented, two spaces a level: only whitespace outside strings
 * changes, so numbers and strings keep the exact text the server sent.
 * @length is in bytes, or -1 when @json ends with NUL. The caller owns the
 * string. */
char *kt_format_json_indent (const char *json,
                             gssize      length);
/* A table of the non-integer numbers of @json, each spelled as in @json,
 * for kt_format_json_number_lookup(). The caller owns the table. */
GHashTable *kt_format_json_numbers (const char *json,
                                    gssize      length);
/* The spelling of @value in the text that @numbers was made from, or NULL
 * when it had none. Owned by @numbers. */
const char *kt_format_json_number_lookup (GHashTable *numbers,
                                          double      value);
/* The shortest text that reads back as @value ("0.1", "1e-07"). The
 * caller owns the string. */
char *kt_format_double (double value);

/* The wait of requests queued on @rate_limit, such as "Kounta is
 * limiting requests; trying again in 4 s", or NULL when none waits for
 * the window to reset. The caller owns the string. */
char *kt_format_rate_wait (KtRateLimit *rate_limit);

G_END_DECLS
