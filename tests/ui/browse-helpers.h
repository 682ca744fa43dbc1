#pragma once

#include <adwaita.h>

#include "core/kt-account.h"
#include "core/kt-account-store.h"
#include "core/kt-client.h"
#include "sandbox/kt-sandbox.h"

G_BEGIN_DECLS

/* Shared setup of the browse tests: a sandbox in this process, a Basic
 * account on it with its company read, and a client. */
typedef struct
{
  KtSandbox *sandbox;
  KtClient *client;
  KtAccount *account;
} BrowseFixture;

typedef gboolean (*BrowseCondition) (gpointer data);

/* Start GTK and libadwaita for a test program. */
void        browse_init              (int           *argc,
                                      char        ***argv);
/* Start a sandbox of @scale (with @rate_window seconds and @basic_limit
 * requests per window when non-zero) and sign in to it with Basic. */
void        browse_fixture_setup     (BrowseFixture *fixture,
                                      KtSandboxScale scale,
                                      double         rate_window,
                                      guint          basic_limit);
/* Like browse_fixture_setup() at scale demo, with the sandbox's data
 * generated from @seed, so its company differs. */
void        browse_fixture_setup_seeded (BrowseFixture *fixture,
                                         guint64        seed);
void        browse_fixture_teardown  (BrowseFixture *fixture);
/* Run the main loop until @condition returns TRUE or @timeout_seconds
 * pass. Returns the last result of @condition. */
gboolean    browse_wait_until        (BrowseCondition condition,
                                      gpointer       data,
                                      guint          timeout_seconds);
/* Run the main loop for about @milliseconds. */
void        browse_spin              (guint          milliseconds);
/* Save @widget as drawn to $KT_SCREENSHOT_DIR/@name.png. Returns the path,
 * or NULL when the variable is unset. */
char       *browse_save_screenshot   (GtkWidget     *widget,
                                      const char    *name);
/* GET @path (relative to the API URI) straight from the sandbox, with the
 * sandbox's Basic credential, outside the client under test. */
JsonNode   *browse_fetch_json        (BrowseFixture *fixture,
                                      const char    *path);

/* The outcome of an account store call that a test waits for. */
typedef struct
{
  gboolean done;
  GError *error;
} BrowseAsync;

/* Returns whether the call of @data (a BrowseAsync) has finished. */
gboolean    browse_async_done        (gpointer       data);
/* Callbacks of kt_account_store_load_async(), _add_async() and
 * _sign_out_async() that store the outcome in the BrowseAsync @user_data. */
void        browse_on_store_loaded_cb     (GObject      *source,
                                           GAsyncResult *result,
                                           gpointer      user_data);
void        browse_on_store_added_cb      (GObject      *source,
                                           GAsyncResult *result,
                                           gpointer      user_data);
void        browse_on_store_signed_out_cb (GObject      *source,
                                           GAsyncResult *result,
                                           gpointer      user_data);
/* Returns the message dialog shown over @window, or NULL. */
AdwMessageDialog *browse_find_message_dialog (GtkWindow *window);

G_END_DECLS
