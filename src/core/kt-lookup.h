#pragma once

#include <gio/gio.h>

#include "kt-account.h"
#include "kt-client.h"
#include "kt-loader.h"
#include "kt-row-model.h"

G_BEGIN_DECLS

#define KT_TYPE_LOOKUP (kt_lookup_get_type ())
G_DECLARE_FINAL_TYPE (KtLookup, kt_lookup, KT, LOOKUP, GObject)

/*
 * The names of the records of one resource by id, read from a KtRowModel.
 * Other lists use it to show a name where a record only contains an id.
 * The lookup owns the loader of the resource's list without filters
 * (kt_lookup_ensure_loader()), which the list view of that resource uses
 * too, so each page is fetched once for both.
 *
 * Property "complete" (gboolean, notified): every row of the resource is
 * in the model, so an id without a name is not a record of the resource.
 * With a loader it is TRUE once the loader has no page left.
 * Signal "changed": names were added or removed, or "complete" changed.
 */
KtLookup   *kt_lookup_new            (KtRowModel   *model);
KtRowModel *kt_lookup_get_model      (KtLookup     *self);
const KtResource *kt_lookup_get_resource (KtLookup *self);
/* The name of the record @id, or NULL when no row has that id or the row
 * has no name. Owned by the row. */
const char *kt_lookup_get_name       (KtLookup     *self,
                                      gint64        id);
/* Whether a row with id @id is in the model. */
gboolean    kt_lookup_contains       (KtLookup     *self,
                                      gint64        id);
gboolean    kt_lookup_get_complete   (KtLookup     *self);
void        kt_lookup_set_complete   (KtLookup     *self,
                                      gboolean      complete);
/* Load every page of the resource's list into the model at bulk priority;
 * "complete" turns TRUE when the last page arrives. A failure is logged,
 * and calling again resumes at the page that failed. A call while a list
 * view is stopping the load makes the load resume after the page on the
 * wire. Does nothing once complete. */
void        kt_lookup_load           (KtLookup     *self,
                                      KtClient     *client,
                                      KtAccount    *account,
                                      GCancellable *cancellable);
/* Whether kt_lookup_load() has been called, so a list needs every name. */
gboolean    kt_lookup_get_loading_started (KtLookup *self);
/* The loader of the resource's list without filters into the model, made
 * on the first call; owned by the lookup. */
KtLoader   *kt_lookup_ensure_loader  (KtLookup     *self,
                                      KtClient     *client,
                                      KtAccount    *account);
/* Cancel the lookup's own load, drop the loader and empty the model, so
 * the list is fetched again from its first page. */
void        kt_lookup_reset          (KtLookup     *self);

G_END_DECLS
