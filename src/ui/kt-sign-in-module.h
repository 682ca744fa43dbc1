#pragma once

#include <gtk/gtk.h>

#include "core/kt-account-store.h"
#include "core/kt-client.h"
#include "core/kt-oauth.h"

G_BEGIN_DECLS

/*
 * The sign-in window lives in a module of its own, so WebKitGTK is loaded
 * only when a sign-in window opens and the app starts without it.
 */
GtkWindow *kt_sign_in_module_new_window (KtClient            *client,
                                         KtAccountStore      *store,
                                         const KtOAuthConfig *config,
                                         const char * const  *extra_hosts,
                                         gboolean             demo,
                                         GError             **error);
void       kt_sign_in_module_start      (GtkWindow           *window);

G_END_DECLS
