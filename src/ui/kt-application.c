#define G_LOG_DOMAIN "kt-application"

#include "config.h"

#include <glib/gi18n.h>

#include "sandbox/kt-sandbox.h"
#include "kt-application.h"
#include "kt-basic-dialog.h"
#include "kt-preferences-window.h"
#include "kt-sign-in-module.h"
#include "kt-window.h"
#include "kt-plain-text.h"

struct _KtApplication
{
  AdwApplication parent_instance;

  /* --demo was given: start the demo once the window shows. */
  gboolean demo;

  GSettings *settings;
  KtClient *client;
  KtAccountStore *store;
  /* The in-process stand-in for app.demo, started on first use. */
  KtSandbox *sandbox;
  /* The open sign-in window, if any (a weak pointer). */
  GtkWindow *sign_in_window;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (KtApplication, kt_application, ADW_TYPE_APPLICATION)

/* Maximum seconds a quit waits for the account store's writes. */
#define STORE_QUIT_WAIT_SECONDS 5

static const GOptionEntry option_entries[] = {
  { "version", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Start a local stand-in of the Kounta API and sign in to its demo company"), NULL },
  /* Collects stray arguments so they get an error of their own instead of
   * GApplication's "can not open files" critical. */
  { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, NULL },
  { NULL }
};

static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *overlay = find_toast_overlay (child);

      if (overlay != NULL)
        return overlay;
    }

  return NULL;
}

static GtkWindow *main_window (KtApplication *self);

/* Shows @message in the main window's toast overlay, or only logs it when
 * there is no window yet. */
static void
show_toast (KtApplication *self,
            const char    *message)
{
  GtkWindow *window = main_window (self);
  AdwToastOverlay *overlay = window != NULL ? find_toast_overlay (GTK_WIDGET (window)) : NULL;

  g_debug ("Telling the user: %s", message);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, kt_toast_new_plain (message));
}

/* Shows an error in a dialog over the main window. Errors carry a reason
 * and what to do next, which a toast would cut off after one short line. */
static void
show_error (KtApplication *self,
            const char    *heading,
            const char    *message)
{
  GtkWidget *dialog;

  g_debug ("Showing the error “%s”: %s", heading, message);
  dialog = adw_message_dialog_new (main_window (self), heading, message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWindow *
main_window (KtApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (KT_IS_WINDOW (l->data))
        return l->data;
    }

  return gtk_application_get_active_window (GTK_APPLICATION (self));
}

static KtOAuthConfig *
config_from_settings (KtApplication *self)
{
  KtOAuthConfig *config = kt_oauth_config_new ();

  config->client_id = g_settings_get_string (self->settings, "client-id");
  config->redirect_uri = g_settings_get_string (self->settings, "redirect-uri");
  config->authorize_uri = g_settings_get_string (self->settings, "authorize-uri");
  config->token_uri = g_settings_get_string (self->settings, "token-uri");
  config->revoke_uri = g_settings_get_string (self->settings, "revoke-uri");
  config->api_uri = g_settings_get_string (self->settings, "api-uri");

  return config;
}

static KtPreferencesWindow *
open_preferences (KtApplication *self)
{
  KtPreferencesWindow *window = kt_preferences_window_new (self->settings, self->store);

  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (window), main_window (self));
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
on_signed_in_cb (GtkWindow     *window,
                 KtAccount     *account,
                 KtApplication *self)
{
  GtkWindow *main = main_window (self);
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Signed in to %s"), kt_account_get_company_name (account));
  if (KT_IS_WINDOW (main) && kt_window_get_account (KT_WINDOW (main)) != account)
    kt_window_show_account (KT_WINDOW (main), account);
  show_toast (self, message);
}

static void
on_sign_in_cancelled_cb (GtkWindow     *window,
                         KtApplication *self)
{
  show_toast (self, _("Sign-in cancelled"));
}

static void
open_sign_in_window (KtApplication       *self,
                     const KtOAuthConfig *config,
                     gboolean             demo)
{
  g_auto(GStrv) extra_hosts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  /* One sign-in at a time: a second request shows the open window. */
  if (self->sign_in_window != NULL)
    {
      gtk_window_present (self->sign_in_window);
      return;
    }

  /* A demo sign-in stays on the sandbox's own pages. */
  if (!demo)
    extra_hosts = g_settings_get_strv (self->settings, "extra-sign-in-hosts");

  window = kt_sign_in_module_new_window (self->client, self->store, config,
                                         (const char * const *) extra_hosts, demo, &error);
  if (window == NULL)
    {
      g_warning ("Opening the sign-in window failed: %s", error->message);
      show_error (self, _("Sign-In Window Not Opened"), error->message);
      return;
    }

  g_signal_connect_object (window, "signed-in", G_CALLBACK (on_signed_in_cb), self, 0);
  g_signal_connect_object (window, "cancelled", G_CALLBACK (on_sign_in_cancelled_cb), self, 0);
  self->sign_in_window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &self->sign_in_window);
  gtk_window_set_application (window, GTK_APPLICATION (self));
  gtk_window_set_transient_for (window, main_window (self));
  gtk_window_present (window);
  kt_sign_in_module_start (window);
}

static void
on_client_secret_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KtApplication) self = user_data;
  g_autoptr(KtOAuthConfig) config = config_from_settings (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  config->client_secret = kt_account_store_lookup_client_secret_finish (KT_ACCOUNT_STORE (source),
                                                                        result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Reading the client secret failed: %s", error->message);
      message = g_strdup_printf (_("Could not read the client secret from the keyring: %s. "
                                   "Enter it again in Preferences."),
                                 error->message);
      kt_preferences_window_show_message (open_preferences (self), message,
                                          KT_PREFERENCES_ROW_CLIENT_SECRET);
      return;
    }

  if (config->client_secret == NULL)
    {
      message = g_strdup_printf (_("Enter and save the client secret of add-on “%s”, "
                                   "then sign in again."),
                                 config->client_id);
      kt_preferences_window_show_message (open_preferences (self), message,
                                          KT_PREFERENCES_ROW_CLIENT_SECRET);
      return;
    }

  open_sign_in_window (self, config, FALSE);
}

/* Starts an OAuth 2.0 sign-in with the add-on from Preferences. The
 * welcome page and the account switcher also offer app.sign-in-basic and
 * app.demo beside it. */
static void
kt_application_sign_in (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  KtApplication *self = KT_APPLICATION (user_data);
  g_autoptr(KtOAuthConfig) config = config_from_settings (self);

  if (*config->client_id == '\0')
    {
      kt_preferences_window_show_message (open_preferences (self),
                                          _("Enter and save the client id and secret of your "
                                            "Kounta add-on, then sign in again."),
                                          KT_PREFERENCES_ROW_CLIENT_ID);
      return;
    }

  kt_account_store_lookup_client_secret_async (self->store, config->client_id,
                                               self->cancellable, on_client_secret_cb,
                                               g_object_ref (self));
}

static void
kt_application_sign_in_basic (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  KtApplication *self = KT_APPLICATION (user_data);
  g_autofree char *api_uri = g_settings_get_string (self->settings, "api-uri");
  g_autofree char *client_id = g_settings_get_string (self->settings, "client-id");
  KtBasicDialog *dialog;

  dialog = kt_basic_dialog_new (self->client, self->store, api_uri);
  kt_basic_dialog_fill (dialog, client_id, NULL);
  g_signal_connect_object (dialog, "signed-in", G_CALLBACK (on_signed_in_cb), self, 0);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), main_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
kt_application_start_demo (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  KtApplication *self = KT_APPLICATION (user_data);
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  g_autoptr(GError) error = NULL;

  if (self->sandbox == NULL)
    {
      g_autoptr(KtSandbox) sandbox = kt_sandbox_new ();

      /* The demo user approves the demo add-on at once, so the sign-in
       * needs no typing. The code and token exchanges still run. */
      g_object_set (sandbox,
                    "scale", KT_SANDBOX_SCALE_DEMO,
                    "end-date", "today",
                    "auto-approve", TRUE,
                    NULL);
      /* Port 0: the system picks a free loopback port for this run. */
      if (!kt_sandbox_start (sandbox, 0, &error))
        {
          g_autofree char *message = NULL;

          g_message ("Starting the demo sandbox failed: %s", error->message);
          message = g_strdup_printf (_("Could not start the demo server on 127.0.0.1: %s. "
                                       "Try the demo again."),
                                     error->message);
          show_error (self, _("Demo Not Started"), message);
          return;
        }

      g_debug ("The demo sandbox listens at %s", kt_sandbox_get_base_uri (sandbox));
      self->sandbox = g_steal_pointer (&sandbox);
    }

  config->client_id = g_strdup (kt_sandbox_get_client_id (self->sandbox));
  config->client_secret = g_strdup (kt_sandbox_get_client_secret (self->sandbox));
  config->redirect_uri = g_strdup (kt_sandbox_get_redirect_uri (self->sandbox));
  config->authorize_uri = g_strdup (kt_sandbox_get_authorize_uri (self->sandbox));
  config->token_uri = g_strdup (kt_sandbox_get_token_uri (self->sandbox));
  config->revoke_uri = g_strdup (kt_sandbox_get_revoke_uri (self->sandbox));
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (self->sandbox));

  open_sign_in_window (self, config, TRUE);
}

static void
kt_application_show_preferences (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  open_preferences (KT_APPLICATION (user_data));
}

static void
kt_application_show_about (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  KtApplication *self = KT_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Kounter developers", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  adw_about_window_set_application_name (about, _("Kounter"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, _("The Kounter developers"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_website (about, PACKAGE_WEBSITE);
  adw_about_window_set_issue_url (about, PACKAGE_ISSUES);
  adw_about_window_set_comments (about,
                                 _("Browse a Kounta point-of-sale company, inspect every API "
                                   "response and watch the rate limit."));
  adw_about_window_add_link (about, _("Kounta API authentication"),
                             "https://apidoc.kounta.com/");
  adw_about_window_set_copyright (about, "© 2026 The Kounter developers");

  gtk_window_set_transient_for (GTK_WINDOW (about), parent);
  gtk_window_set_modal (GTK_WINDOW (about), TRUE);
  gtk_window_present (GTK_WINDOW (about));
}

static void
kt_application_quit (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", kt_application_show_about },
  { "quit", kt_application_quit },
  { "sign-in", kt_application_sign_in },
  { "sign-in-basic", kt_application_sign_in_basic },
  { "demo", kt_application_start_demo },
  { "preferences", kt_application_show_preferences },
};

static void
on_store_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KtApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_account_store_load_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Loading the accounts failed: %s", error->message);
      show_error (self, _("Accounts Not Loaded"), error->message);
    }
}

/* Adds a pointer to --help to GOptionContext's "Unknown option" and
 * similar parse errors, which GApplication prints as they are. */
static void
on_option_error_cb (GOptionContext  *context,
                    GOptionGroup    *group,
                    gpointer         user_data,
                    GError         **error)
{
  if (error != NULL && *error != NULL)
    {
      g_autofree char *message = g_steal_pointer (&(*error)->message);

      (*error)->message = g_strdup_printf (_("kounter: %s\nRun “kounter --help” to see the options."), message);
    }
}

static gboolean
settings_schema_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return FALSE;
  schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  return schema != NULL;
}

static int
kt_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  KtApplication *self = KT_APPLICATION (app);
  g_autofree const char **arguments = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "kounter", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &arguments)
      && arguments[0] != NULL)
    {
      g_autofree char *name = g_filename_display_name (arguments[0]);

      g_printerr (_("kounter: unexpected argument “%s”: Kounter opens no files. "
                    "Run “kounter --help” to see the options.\n"), name);
      return 1;
    }

  /* Without its schema, g_settings_new() would abort the process. */
  if (!settings_schema_installed ())
    {
      g_printerr (_("kounter: the GSettings schema “%s” is not installed. Start a build "
                    "from the source tree with “build-aux/run-uninstalled BUILD_DIR”, "
                    "or install it with “meson install”.\n"), APPLICATION_ID);
      return 1;
    }

  self->demo = g_variant_dict_contains (options, "demo");

  return G_APPLICATION_CLASS (kt_application_parent_class)->handle_local_options (app, options);
}

static void
kt_application_activate (GApplication *app)
{
  KtApplication *self = KT_APPLICATION (app);
  GtkWindow *window = main_window (self);

  if (!KT_IS_WINDOW (window))
    window = GTK_WINDOW (kt_window_new (self));

  gtk_window_present (window);

  if (self->demo)
    {
      self->demo = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (self), "demo", NULL);
    }
}

static void
kt_application_startup (GApplication *app)
{
  KtApplication *self = KT_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *close_accels[] = { "<Control>w", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (kt_application_parent_class)->startup (app);

  self->settings = g_settings_new (APPLICATION_ID);
  self->client = kt_client_new ();
  self->store = kt_account_store_new (self->client);
  self->cancellable = g_cancellable_new ();

  /* The window follows the store; accounts appear once their keyring
   * items are read. */
  kt_account_store_load_async (self->store, self->cancellable, on_store_loaded_cb,
                               g_object_ref (self));

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.close", close_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", preferences_accels);
}

static gboolean
on_wait_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Lets a running keyring or accounts-file write finish, so quitting right
 * after a sign-in or sign-out keeps the account state consistent. */
static void
wait_for_store (KtApplication *self)
{
  gint64 deadline = g_get_monotonic_time () + STORE_QUIT_WAIT_SECONDS * G_USEC_PER_SEC;
  guint tick_id;

  if (self->store == NULL || !kt_account_store_get_busy (self->store))
    return;

  g_debug ("Waiting for the account store to finish writing");
  tick_id = g_timeout_add (50, on_wait_tick_cb, NULL);
  while (kt_account_store_get_busy (self->store) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick_id);

  if (kt_account_store_get_busy (self->store))
    g_warning ("Quitting while the account store is still writing, after %d s",
               STORE_QUIT_WAIT_SECONDS);
}

static void
kt_application_shutdown (GApplication *app)
{
  KtApplication *self = KT_APPLICATION (app);

  wait_for_store (self);
  g_cancellable_cancel (self->cancellable);

  if (self->sandbox != NULL)
    {
      g_debug ("Stopping the demo sandbox");
      kt_sandbox_stop (self->sandbox);
    }

  G_APPLICATION_CLASS (kt_application_parent_class)->shutdown (app);
}

static void
kt_application_finalize (GObject *object)
{
  KtApplication *self = KT_APPLICATION (object);

  if (self->sign_in_window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->sign_in_window), (gpointer *) &self->sign_in_window);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_clear_object (&self->sandbox);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (kt_application_parent_class)->finalize (object);
}

static void
kt_application_class_init (KtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kt_application_finalize;

  app_class->activate = kt_application_activate;
  app_class->startup = kt_application_startup;
  app_class->shutdown = kt_application_shutdown;
  app_class->handle_local_options = kt_application_handle_local_options;
}

static void
kt_application_init (KtApplication *self)
{
  /* A group without entries, so it adds no help section, only the hook. */
  GOptionGroup *hint_group = g_option_group_new ("kounter", "", "", NULL, NULL);

  g_option_group_set_error_hook (hint_group, on_option_error_cb);
  g_application_add_option_group (G_APPLICATION (self), hint_group);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Browse a Kounta point-of-sale company and its API."));
}

/* Returns a new application instance; the caller owns it. */
KtApplication *
kt_application_new (void)
{
  return g_object_new (KT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/kounter/Kounter",
                       NULL);
}

/* Returns the application's HTTP client (NULL before startup); the
 * application owns it. */
KtClient *
kt_application_get_client (KtApplication *self)
{
  g_return_val_if_fail (KT_IS_APPLICATION (self), NULL);

  return self->client;
}

/* Returns the application's account store (NULL before startup); the
 * application owns it. */
KtAccountStore *
kt_application_get_account_store (KtApplication *self)
{
  g_return_val_if_fail (KT_IS_APPLICATION (self), NULL);

  return self->store;
}
