#pragma once

#include <gtk/gtk.h>
#include <libsoup/soup.h>

#include "core/kt-account.h"
#include "core/kt-catalogue.h"

G_BEGIN_DECLS

#define KT_TYPE_DETAIL_PANE (kt_detail_pane_get_type ())
G_DECLARE_FINAL_TYPE (KtDetailPane, kt_detail_pane, KT, DETAIL_PANE, GtkWidget)

/*
 * One record in three tabs: its fields as rows (objects and lists
 * expandable, related records as links), the pretty-printed JSON, and the
 * response headers it came with. Links push onto a history that the back
 * button walks.
 *
 * Signals:
 *   "open-link" (const char *resource_id, gint64 id): a link was activated;
 *     the owner fetches the record and calls kt_detail_pane_push().
 *   "fetch-requested": the user asked for the current record on its own,
 *     to see its headers; the owner calls kt_detail_pane_replace().
 *   "close-requested".
 */
GtkWidget  *kt_detail_pane_new            (void);
/* The company whose currency and time zone format the values. */
void        kt_detail_pane_set_account    (KtDetailPane       *self,
                                           KtAccount          *account);
/* The window's lookups (resource id → KtLookup), read when a record is
 * shown to name the records that it refers to by id. The pane keeps a
 * reference to the table; NULL shows ids only. */
void        kt_detail_pane_set_lookups    (KtDetailPane       *self,
                                           GHashTable         *lookups);
/* Shows the record again if a lookup now names a record it links to. */
void        kt_detail_pane_update_names   (KtDetailPane       *self);
/* The site whose list the next shown record comes from, for records of a
 * site's list (inventory) that do not name their site; 0 when none. */
void        kt_detail_pane_set_site_id    (KtDetailPane       *self,
                                           gint64              site_id);
/* Show @json (one JSON object as text) of @resource as the only record;
 * @headers (nullable) are the response headers it arrived with. */
void        kt_detail_pane_show           (KtDetailPane       *self,
                                           const KtResource   *resource,
                                           const char         *json,
                                           SoupMessageHeaders *headers);
/* Show a related record on top of the current one. */
void        kt_detail_pane_push           (KtDetailPane       *self,
                                           const KtResource   *resource,
                                           const char         *json,
                                           SoupMessageHeaders *headers);
/* Replace the current record, keeping the history below it. */
void        kt_detail_pane_replace        (KtDetailPane       *self,
                                           const char         *json,
                                           SoupMessageHeaders *headers);
void        kt_detail_pane_go_back        (KtDetailPane       *self);
void        kt_detail_pane_clear          (KtDetailPane       *self);
/* Show a message in place of the record (a failed fetch, for one). */
void        kt_detail_pane_show_message   (KtDetailPane       *self,
                                           const char         *message);

/* The shown record's resource, or NULL. */
const KtResource *kt_detail_pane_get_resource (KtDetailPane *self);
/* The shown record's id, or 0. */
gint64      kt_detail_pane_get_record_id  (KtDetailPane       *self);
/* The shown JSON, pretty-printed; owned by the pane. */
const char *kt_detail_pane_get_text       (KtDetailPane       *self);
guint       kt_detail_pane_get_depth      (KtDetailPane       *self);
gboolean    kt_detail_pane_has_headers    (KtDetailPane       *self);
/* Activate the first link to @resource_id, as a click would. Returns FALSE
 * when the record has none. */
gboolean    kt_detail_pane_activate_link  (KtDetailPane       *self,
                                           const char         *resource_id);
/* Switch to the tab named "fields", "raw" or "headers". */
void        kt_detail_pane_set_tab        (KtDetailPane       *self,
                                           const char         *name);

G_END_DECLS
