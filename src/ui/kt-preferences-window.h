#pragma once

#include <adwaita.h>

#include "core/kt-account-store.h"

G_BEGIN_DECLS

#define KT_TYPE_PREFERENCES_WINDOW (kt_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (KtPreferencesWindow, kt_preferences_window, KT, PREFERENCES_WINDOW, AdwPreferencesWindow)

/*
 * The add-on's client id, client secret (kept through the account store
 * in the keyring, never in GSettings), redirect URI, the service URIs
 * and the extra sign-in hosts. Each row is written when its apply button
 * is pressed, after its value is checked.
 */
/* The row that receives the keyboard focus along with a message. */
typedef enum
{
  KT_PREFERENCES_ROW_NONE,
  KT_PREFERENCES_ROW_CLIENT_ID,
  KT_PREFERENCES_ROW_CLIENT_SECRET,
} KtPreferencesRow;

KtPreferencesWindow *kt_preferences_window_new          (GSettings           *settings,
                                                         KtAccountStore      *store);
void                 kt_preferences_window_show_message (KtPreferencesWindow *self,
                                                         const char          *message,
                                                         KtPreferencesRow     focus);

G_END_DECLS
