#pragma once

#include <adwaita.h>

#include "core/kt-account.h"
#include "core/kt-client.h"
#include "kt-application.h"
#include "kt-detail-pane.h"
#include "kt-inspector.h"
#include "kt-rate-meter.h"
#include "kt-resource-view.h"

G_BEGIN_DECLS

#define KT_TYPE_WINDOW (kt_window_get_type ())
G_DECLARE_FINAL_TYPE (KtWindow, kt_window, KT, WINDOW, AdwApplicationWindow)

/*
 * The main window: a sidebar of the company's resources, the selected one
 * as a list, the selected row in a detail pane, the account switcher and
 * the rate meter in the header bars.
 *
 * Properties (construct-only): "client" (KtClient), "account-store"
 * (KtAccountStore or NULL). kt_window_new() takes both from the
 * application; tests may set them directly.
 */
KtWindow       *kt_window_new                 (KtApplication *application);
/* Browse @account (NULL: show the welcome page). A window with an account
 * store follows the store; this is for a window without one, and for
 * switching accounts. */
void            kt_window_show_account        (KtWindow      *self,
                                               KtAccount     *account);
KtAccount      *kt_window_get_account         (KtWindow      *self);
/* Show the list of @resource_id, creating and loading it if needed, and
 * return it (owned by the window). */
KtResourceView *kt_window_show_resource       (KtWindow      *self,
                                               const char    *resource_id);
/* The list of @resource_id if it has been shown, else NULL. */
KtResourceView *kt_window_get_resource_view   (KtWindow      *self,
                                               const char    *resource_id);
/* The count shown beside @resource_id in the sidebar ("" until known,
 * "100+" while more pages remain). Owned by the window. */
const char     *kt_window_get_sidebar_count   (KtWindow      *self,
                                               const char    *resource_id);
KtDetailPane   *kt_window_get_detail_pane     (KtWindow      *self);
KtRateMeter    *kt_window_get_rate_meter      (KtWindow      *self);
/* Open the inspector of the shown account, or present it again. */
KtInspector    *kt_window_open_inspector      (KtWindow      *self);
/* The text of the banner about secrets kept for this session only, or
 * NULL while the banner is hidden. Owned by the window. */
const char     *kt_window_get_banner_text     (KtWindow      *self);
/* "welcome", "signed-out" or "browse". */
const char     *kt_window_get_state           (KtWindow      *self);

G_END_DECLS
