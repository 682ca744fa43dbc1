#pragma once

#include <gio/gio.h>

#include "kt-account.h"
#include "kt-client.h"
#include "kt-row-model.h"

G_BEGIN_DECLS

#define KT_TYPE_LOADER (kt_loader_get_type ())
G_DECLARE_FINAL_TYPE (KtLoader, kt_loader, KT, LOADER, GObject)

/*
 * Loads the pages of one list into a KtRowModel. It follows X-Next-Page,
 * X-Pages with X-Page, or page/start queries, never fetches a page twice,
 * and stops on a short or empty page.
 *
 * Properties (read-only, notified): "pages-loaded" (guint), "rows-loaded"
 * (guint), "requests-spent" (guint), "pages-total" (guint, 0 when unknown),
 * "has-more" (gboolean), "loading" (gboolean), "waiting" (gboolean: a
 * request of this loader is held back by the rate limit),
 * "estimated-seconds" (double: the minimum time the rate limit allows for
 * the pages still to load, with the reserve left out of the budget and the
 * window length the rate limit learned. It is 0 when unknown. Reading it
 * computes it afresh, but it is notified only when a page arrives).
 */
KtLoader   *kt_loader_new               (KtClient            *client,
                                         KtAccount           *account,
                                         const char          *path,
                                         KtRowModel          *model);
KtRowModel *kt_loader_get_model         (KtLoader            *self);
gboolean    kt_loader_get_has_more      (KtLoader            *self);
/* Whether a load runs that goes on to the last page. */
gboolean    kt_loader_get_loading_all   (KtLoader            *self);

/* Load the next page at interactive priority. A call while another load
 * of this loader runs joins that load and gets its result, and a
 * load_all joining a load_next turns it into a load of every page (unless
 * it was stopped). Only the cancellable of the call that started a load
 * cancels it. With no page left a call succeeds at once. Errors otherwise come from kt_client_request_finish()
 * or are KT_ERROR_INVALID_RESPONSE for a page that stayed unreadable after
 * three attempts. The rows loaded so far stay, and loading again resumes
 * at the page that failed. kt_loader_new() returns a loader the caller
 * owns. */
void        kt_loader_load_next_async   (KtLoader            *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    kt_loader_load_next_finish  (KtLoader            *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* Load every remaining page at bulk priority. */
void        kt_loader_load_all_async    (KtLoader            *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean    kt_loader_load_all_finish   (KtLoader            *self,
                                         GAsyncResult        *result,
                                         GError             **error);
/* Stop the running load without paying for a page twice. A page request
 * still waiting for the rate limit (or for a retry) is dropped and never
 * sent. A request already sent completes, its rows are added, and no
 * further page or attempt starts. A load that still had pages to fetch
 * then fails with G_IO_ERROR_CANCELLED. A load_next whose page arrived,
 * or a load_all whose last page arrived, succeeds. Loading again carries
 * on from the next page. Does nothing while the loader is idle. To end a
 * load at once, cancel its cancellable. */
void        kt_loader_stop              (KtLoader            *self);

G_END_DECLS
