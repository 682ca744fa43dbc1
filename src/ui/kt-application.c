#define G_LOG_DOMAIN "kt-application"

#include "config.h"

#include <glib/gi18n.h>

#include "kt-application.h"
#include "kt-window.h"

struct _KtApplication
{
  AdwApplication parent_instance;

  gboolean demo;
};

G_DEFINE_FINAL_TYPE (KtApplication, kt_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "version", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Start a local stand-in of the Kounta API and sign in to its demo company"), NULL },
  { NULL }
};

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
};

static int
kt_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  KtApplication *self = KT_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "kounter", PACKAGE_VERSION);
      return 0;
    }

  self->demo = g_variant_dict_contains (options, "demo");

  return G_APPLICATION_CLASS (kt_application_parent_class)->handle_local_options (app, options);
}

static void
kt_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (kt_window_new (KT_APPLICATION (app)));

  gtk_window_present (window);
}

static void
kt_application_startup (GApplication *app)
{
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (kt_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.close", close_accels);
}

static void
kt_application_class_init (KtApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = kt_application_activate;
  app_class->startup = kt_application_startup;
  app_class->handle_local_options = kt_application_handle_local_options;
}

static void
kt_application_init (KtApplication *self)
{
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
