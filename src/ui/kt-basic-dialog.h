#pragma once

#include <adwaita.h>

#include "core/kt-account-store.h"
#include "core/kt-client.h"

G_BEGIN_DECLS

#define KT_TYPE_BASIC_DIALOG (kt_basic_dialog_get_type ())
G_DECLARE_FINAL_TYPE (KtBasicDialog, kt_basic_dialog, KT, BASIC_DIALOG, AdwWindow)

/*
 * A form for Basic credentials (client id and secret). They are checked
 * with GET companies/me before anything is saved.
 *
 * Properties: "busy" (gboolean, a check is running), "error-message"
 * (string, the last failure shown, or NULL).
 * Signals: "signed-in" (KtAccount) after the account is saved, just
 * before the window closes.
 */
KtBasicDialog *kt_basic_dialog_new               (KtClient       *client,
                                                  KtAccountStore *store,
                                                  const char     *api_uri);
void           kt_basic_dialog_fill              (KtBasicDialog  *self,
                                                  const char     *client_id,
                                                  const char     *client_secret);
void           kt_basic_dialog_submit            (KtBasicDialog  *self);
const char    *kt_basic_dialog_get_error_message (KtBasicDialog  *self);
gboolean       kt_basic_dialog_get_busy          (KtBasicDialog  *self);
const char    *kt_basic_dialog_get_wait_message  (KtBasicDialog  *self);
void           kt_basic_dialog_cancel            (KtBasicDialog  *self);

G_END_DECLS
