#pragma once

#include <gio/gio.h>

#include "core/kt-catalogue.h"
#include "core/kt-lookup.h"

G_BEGIN_DECLS

#define KT_TYPE_SEARCH_MODEL (kt_search_model_get_type ())
G_DECLARE_FINAL_TYPE (KtSearchModel, kt_search_model, KT, SEARCH_MODEL, GObject)

/*
 * A GListModel of the KtRow items of a base model that match a search,
 * in the base model's order. A row matches when every space-separated
 * word of the casefolded query occurs in one of the resource's searched
 * columns, as kt_row_matches() decides. Each row's searched values are
 * casefolded once, when the row arrives, so a keystroke costs one
 * strstr() per word and row, and a change is announced as one
 * items-changed that spares the unchanged rows at both ends.
 */
KtSearchModel *kt_search_model_new       (GListModel       *base,
                                          const KtResource *resource);
/* Set the search text (NULL or empty: every row). Returns whether the
 * rows shown changed. */
gboolean       kt_search_model_set_query (KtSearchModel    *self,
                                          const char       *query);
gboolean       kt_search_model_is_active (KtSearchModel    *self);
/* Keep only rows whose column @column has the text @value as well (NULL:
 * no such condition). For lists the API cannot narrow itself. */
void           kt_search_model_set_column_filter (KtSearchModel *self,
                                                  int            column,
                                                  const char    *value);

/* Search REFERENCE column @column by the names in @lookup as well as by
 * the ids. The names are read again when @lookup changes. */
void           kt_search_model_set_lookup (KtSearchModel *self,
                                           guint          column,
                                           KtLookup      *lookup);

G_END_DECLS
