#pragma once

#include <gtk/gtk.h>

#include "core/kt-account.h"
#include "core/kt-catalogue.h"
#include "core/kt-client.h"
#include "core/kt-loader.h"
#include "core/kt-lookup.h"
#include "core/kt-row-model.h"

G_BEGIN_DECLS

#define KT_TYPE_RESOURCE_VIEW (kt_resource_view_get_type ())
G_DECLARE_FINAL_TYPE (KtResourceView, kt_resource_view, KT, RESOURCE_VIEW, GtkWidget)

/*
 * One resource of a company as a sortable, searchable GtkColumnView, with
 * the server-side filters the API offers for it, paging on scroll, "Load
 * all" with progress, and status pages for the empty and error states.
 *
 * Properties (read-only): "rows-loaded" (guint), "complete" (gboolean:
 * every page is loaded), "loading" (gboolean), "selected-row" (KtRow or
 * NULL).
 * Signal: "sign-in-required" when the server rejected the credential.
 */
GtkWidget        *kt_resource_view_new              (KtClient         *client,
                                                     KtAccount        *account,
                                                     const KtResource *resource);
const KtResource *kt_resource_view_get_resource     (KtResourceView   *self);
/* The ids of the resources whose names the view needs, for its filter
 * drop-downs and its REFERENCE columns. The caller owns the array. */
char            **kt_resource_view_dup_lookup_ids   (KtResourceView   *self);
/* Use @lookup for the names of its resource; lookups are shared by the
 * views of one account. Cells redraw as names arrive. */
void              kt_resource_view_set_lookup       (KtResourceView   *self,
                                                     KtLookup         *lookup);
/* Show the list without server-side filters from @lookup's model and
 * load it with @lookup's loader, so the lookup and the view fetch each
 * page once. Lists with filters keep rows of their own. Call before the
 * view starts loading; the view keeps a reference. */
void              kt_resource_view_set_shared_list  (KtResourceView   *self,
                                                     KtLookup         *lookup);
/* The lookup that REFERENCE column @column shows names from, or NULL. */
KtLookup         *kt_resource_view_get_column_lookup (KtResourceView  *self,
                                                      guint            column);
/* Shows the rows of @rows, a complete list of the view's resource loaded
 * elsewhere, instead of requesting them; Reload requests them again.
 * Returns FALSE, and changes nothing, when the view has started loading,
 * is of another resource or scope, or has filters. */
gboolean          kt_resource_view_show_rows        (KtResourceView   *self,
                                                     KtRowModel       *rows);

/* Load the first page unless a load has already started, or resume a
 * load that kt_resource_view_suspend() stopped. */
void              kt_resource_view_ensure_loaded    (KtResourceView   *self);
void              kt_resource_view_reload           (KtResourceView   *self);
void              kt_resource_view_load_more        (KtResourceView   *self);
void              kt_resource_view_load_all         (KtResourceView   *self);
/* Stops the running load: a page request still waiting for the rate
 * limit is dropped, and one already sent completes and keeps its rows,
 * since it has been charged. No further page starts. */
void              kt_resource_view_cancel           (KtResourceView   *self);
/* Shows @record, the JSON of the view's single record fetched elsewhere,
 * instead of requesting it; Reload requests it again. Returns FALSE, and
 * changes nothing, when the view is not of a single record, has started
 * loading, or @record is not a JSON object. */
gboolean          kt_resource_view_show_record      (KtResourceView   *self,
                                                     GBytes           *record);
/* Stops the load of a view that is no longer shown, so the shown view
 * gets the rate budget first. Queued page requests are dropped. A page
 * already sent completes into the hidden view, so it is never requested
 * and charged twice. The next kt_resource_view_ensure_loaded() carries on
 * from the next page. Closing the window or signing out still cancels
 * every request. */
void              kt_resource_view_suspend          (KtResourceView   *self);

void              kt_resource_view_start_search     (KtResourceView   *self);
void              kt_resource_view_set_search_text  (KtResourceView   *self,
                                                     const char       *text);

/* Server-side filters; NULL or 0 clears one. The list reloads. */
void              kt_resource_view_set_filters      (KtResourceView   *self,
                                                     const char       *status,
                                                     gint64            site_id,
                                                     gint64            category_id,
                                                     const char       *from_date,
                                                     const char       *to_date);
/* The site of the list's site filter, 0 when none. */
gint64            kt_resource_view_get_site_id      (KtResourceView   *self);
/* The day of a list kept per day (shifts), as YYYY-MM-DD. The list reloads. */
void              kt_resource_view_set_day          (KtResourceView   *self,
                                                     const char       *date);
/* The path of the first page with the current filters, relative to the
 * API URI. The caller owns the string. */
char             *kt_resource_view_build_path       (KtResourceView   *self);

guint             kt_resource_view_get_rows_loaded  (KtResourceView   *self);
gboolean          kt_resource_view_get_complete     (KtResourceView   *self);
gboolean          kt_resource_view_get_loading      (KtResourceView   *self);
/* Whether a load is held back by the rate limit. */
gboolean          kt_resource_view_get_waiting      (KtResourceView   *self);
KtRow            *kt_resource_view_get_selected_row (KtResourceView   *self);
/* Every loaded row, in load order. */
KtRowModel       *kt_resource_view_get_row_model    (KtResourceView   *self);
/* The rows as shown: searched and sorted. */
GListModel       *kt_resource_view_get_shown_rows   (KtResourceView   *self);
KtLoader         *kt_resource_view_get_loader       (KtResourceView   *self);
GtkColumnView    *kt_resource_view_get_column_view  (KtResourceView   *self);
/* The text of a shown cell as drawn. The caller owns the string. */
char             *kt_resource_view_dup_cell_text    (KtResourceView   *self,
                                                     guint             position,
                                                     guint             column);
void              kt_resource_view_select           (KtResourceView   *self,
                                                     guint             position);
/* The name of the visible child: "list", "loading", "empty", "no-matches"
 * (loaded rows, none matching the search) or "error". */
const char       *kt_resource_view_get_state        (KtResourceView   *self);
/* The footer's whole text, as its tooltip shows it. */
const char       *kt_resource_view_get_footer_text  (KtResourceView   *self);

G_END_DECLS
