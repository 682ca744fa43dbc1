#pragma once

#include <gio/gio.h>

#include "kt-catalogue.h"

G_BEGIN_DECLS

#define KT_TYPE_ROW (kt_row_get_type ())
G_DECLARE_FINAL_TYPE (KtRow, kt_row, KT, ROW, GObject)

/* One list row, stored compactly: the id, the column values as text and
 * the row's JSON, without a json-glib tree. */
gint64      kt_row_get_id        (KtRow *self);
/* The resource whose columns the row holds; static. */
const KtResource *kt_row_get_resource (KtRow *self);
/* The value of column @column of the resource as text (money and numbers
 * as received, e.g. "4.09"), or NULL when absent. Owned by the row. */
const char *kt_row_get_value     (KtRow *self,
                                  guint  column);
/* The numeric value of a NUMBER, MONEY or ID column, for sorting. */
gboolean    kt_row_get_number    (KtRow  *self,
                                  guint   column,
                                  double *out);
/* The row's JSON object as compact text; the caller owns the string. */
char       *kt_row_dup_json      (KtRow *self);
/* Whether every word of @casefolded_query occurs in a searched column. */
gboolean    kt_row_matches       (KtRow      *self,
                                  const char *casefolded_query);

#define KT_TYPE_ROW_MODEL (kt_row_model_get_type ())
G_DECLARE_FINAL_TYPE (KtRowModel, kt_row_model, KT, ROW_MODEL, GObject)

/* A GListModel of KtRow for one resource, filled page by page. Rows with an
 * id already present are dropped. Property "n-items" (guint) is notified
 * when rows are added or cleared. kt_row_model_new() returns a model the
 * caller owns. */
KtRowModel       *kt_row_model_new          (const KtResource *resource);
const KtResource *kt_row_model_get_resource (KtRowModel       *self);
/* Parse a page (a JSON array of objects, or one object) and append its new
 * rows. Returns the number of rows added, or -1 with @error set. */
int               kt_row_model_append_page  (KtRowModel       *self,
                                             GBytes           *page,
                                             GError          **error);
void              kt_row_model_clear        (KtRowModel       *self);

G_END_DECLS
