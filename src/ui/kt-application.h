#pragma once

#include <adwaita.h>

#include "core/kt-account-store.h"
#include "core/kt-client.h"

G_BEGIN_DECLS

#define KT_TYPE_APPLICATION (kt_application_get_type ())
G_DECLARE_FINAL_TYPE (KtApplication, kt_application, KT, APPLICATION, AdwApplication)

/*
 * Application actions: app.sign-in (OAuth 2.0 in the sign-in window),
 * app.sign-in-basic (Basic credentials form), app.demo (start the local
 * sandbox and sign in to its demo company), app.preferences, app.about,
 * app.quit.
 */
KtApplication  *kt_application_new               (void);
KtClient       *kt_application_get_client        (KtApplication *self);
KtAccountStore *kt_application_get_account_store (KtApplication *self);

G_END_DECLS
