#define G_LOG_DOMAIN "kt-preferences-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/kt-oauth.h"
#include "core/kt-secret-store.h"
#include "kt-preferences-window.h"

struct _KtPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwEntryRow *api_uri_row;
  AdwEntryRow *authorize_uri_row;
  AdwEntryRow *client_id_row;
  AdwPasswordEntryRow *client_secret_row;
  AdwEntryRow *extra_hosts_row;
  GtkLabel *keyring_label;
  AdwPreferencesGroup *message_group;
  GtkImage *message_icon;
  GtkLabel *message_label;
  GtkButton *reset_button;
  AdwEntryRow *redirect_uri_row;
  AdwEntryRow *revoke_uri_row;
  AdwEntryRow *token_uri_row;

  GSettings *settings;
  KtAccountStore *store;
  GCancellable *cancellable;
  /* The row whose saving makes the shown message obsolete. */
  GtkWidget *message_row;
};

G_DEFINE_FINAL_TYPE (KtPreferencesWindow, kt_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The GSettings key each text row writes. Every key but the client id
 * contains an http or https URI. */
typedef struct
{
  const char *key;
} RowKey;

static const RowKey client_id_key = { "client-id" };
static const RowKey redirect_uri_key = { "redirect-uri" };
static const RowKey authorize_uri_key = { "authorize-uri" };
static const RowKey token_uri_key = { "token-uri" };
static const RowKey revoke_uri_key = { "revoke-uri" };
static const RowKey api_uri_key = { "api-uri" };

static void update_secret_state (KtPreferencesWindow *self);
static void on_old_secret_deleted_cb (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);

/* Marks @row as saved with a "Saved" suffix until it is edited again. A
 * toast would cover the rows below while the user goes on to them. */
static void
mark_saved (AdwEntryRow *row)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "kt-saved-label");

  if (label == NULL)
    {
      label = gtk_label_new (_("Saved"));
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "caption");
      adw_entry_row_add_suffix (row, label);
      g_object_set_data (G_OBJECT (row), "kt-saved-label", label);
    }

  gtk_widget_set_visible (label, TRUE);
}

static void
unmark_saved (AdwEntryRow *row)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "kt-saved-label");

  if (label != NULL)
    gtk_widget_set_visible (label, FALSE);
}

/* Shows @message in full at the top of the page until another message
 * replaces it or @row is saved. A @problem is a value that was rejected;
 * otherwise the message is an instruction. */
static void
show_message (KtPreferencesWindow *self,
              const char          *message,
              gpointer             row,
              gboolean             problem)
{
  g_debug ("Showing the preferences message: %s", message);
  gtk_image_set_from_icon_name (self->message_icon,
                                problem ? "dialog-warning-symbolic" : "dialog-information-symbolic");
  gtk_label_set_label (self->message_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message_group), TRUE);
  self->message_row = row;
}

/* Hides the message when @row, the value the message requests, is saved. */
static void
hide_message_of (KtPreferencesWindow *self,
                 gpointer             row)
{
  if (self->message_row != row)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->message_group), FALSE);
  gtk_label_set_label (self->message_label, "");
  self->message_row = NULL;
}

static const char *
row_title (AdwEntryRow *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

static void
load_rows (KtPreferencesWindow *self)
{
  struct { AdwEntryRow *row; const RowKey *key; } rows[] = {
    { self->client_id_row, &client_id_key },
    { self->redirect_uri_row, &redirect_uri_key },
    { self->authorize_uri_row, &authorize_uri_key },
    { self->token_uri_row, &token_uri_key },
    { self->revoke_uri_row, &revoke_uri_key },
    { self->api_uri_row, &api_uri_key },
  };
  g_auto(GStrv) hosts = g_settings_get_strv (self->settings, "extra-sign-in-hosts");
  g_autofree char *joined = g_strjoinv (", ", hosts);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *value = g_settings_get_string (self->settings, rows[i].key->key);

      g_object_set_data (G_OBJECT (rows[i].row), "kt-row-key", (gpointer) rows[i].key);
      gtk_editable_set_text (GTK_EDITABLE (rows[i].row), value);
    }

  gtk_editable_set_text (GTK_EDITABLE (self->extra_hosts_row), joined);
}

/* Names the character at @p for a message, such as “a space”. */
static char *
describe_char (const char *p)
{
  char utf8[8] = { 0 };

  if (*p == ' ')
    return g_strdup (_("a space"));

  if (g_ascii_iscntrl (*p))
    return g_strdup (_("a control character"));

  /* GtkEditable text is valid UTF-8, so @p starts a whole character. */
  g_unichar_to_utf8 (g_utf8_get_char (p), utf8);
  return g_strdup_printf (_("the character “%s”"), utf8);
}

/* The schema's default of @key, shown as an example of a valid value. */
static char *
dup_default (GSettings  *settings,
             const char *key)
{
  g_autoptr(GVariant) value = g_settings_get_default_value (settings, key);

  return g_variant_dup_string (value, NULL);
}

static char *
check_client_id (AdwEntryRow *row,
                 const char  *value)
{
  const char *invalid = kt_oauth_find_invalid_client_id_char (value);
  g_autofree char *character = NULL;

  if (invalid == NULL)
    return NULL;

  character = describe_char (invalid);
  return g_strdup_printf (_("%s “%s” contains %s. A client id has only letters, digits and "
                            "punctuation, without spaces. Copy it again from the add-on’s "
                            "settings in Kounta."),
                          row_title (row), value, character);
}

/* Checks that @value is an absolute http or https URI with a host and only
 * characters a URI may contain. */
static char *
check_uri (KtPreferencesWindow *self,
           AdwEntryRow         *row,
           const RowKey        *key,
           const char          *value)
{
  g_autofree char *example = dup_default (self->settings, key->key);
  g_autofree char *character = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *invalid = kt_oauth_find_invalid_uri_char (value);
  const char *scheme;

  if (invalid != NULL)
    {
      character = describe_char (invalid);
      return g_strdup_printf (_("%s “%s” contains %s, which a URI cannot contain. "
                                "Enter a full address such as %s."),
                              row_title (row), value, character, example);
    }

  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return g_strdup_printf (_("%s “%s” is not a valid absolute URI. "
                              "Enter a full address such as %s."),
                            row_title (row), value, example);

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
    return g_strdup_printf (_("%s “%s” must start with https:// or http://. "
                              "Enter a full address such as %s."),
                            row_title (row), value, example);

  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup_printf (_("%s “%s” has no host name. Enter a full address such as %s."),
                            row_title (row), value, example);

  return NULL;
}

/* A warning when @value, a valid URI of a sign-in endpoint, ends at the
 * host or at the API version ("…/v1/"), so it probably lacks the
 * endpoint's path; NULL otherwise. The value is saved anyway, because a
 * service may serve an endpoint there. */
static char *
check_endpoint_path (KtPreferencesWindow *self,
                     AdwEntryRow         *row,
                     const RowKey        *key,
                     const char          *value)
{
  g_autofree char *example = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *path;

  if (key != &authorize_uri_key && key != &token_uri_key && key != &revoke_uri_key)
    return NULL;

  uri = g_uri_parse (value, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return NULL;

  path = g_uri_get_path (uri);
  while (*path == '/')
    path++;
  if (*path == 'v' && g_ascii_isdigit (path[1]))
    {
      path++;
      while (g_ascii_isdigit (*path))
        path++;
      while (*path == '/')
        path++;
    }
  if (*path != '\0')
    return NULL;

  example = dup_default (self->settings, key->key);
  return g_strdup_printf (_("%s “%s” was saved, but it ends at the API root and probably lacks "
                            "the endpoint’s path, as in %s."),
                          row_title (row), value, example);
}

/* Checks @value for @key; on failure returns a message naming the value. */
static char *
check_value (KtPreferencesWindow *self,
             AdwEntryRow         *row,
             const RowKey        *key,
             const char          *value)
{
  if (key == &client_id_key)
    return check_client_id (row, value);

  return check_uri (self, row, key, value);
}

static void
on_text_applied_cb (AdwEntryRow         *row,
                    KtPreferencesWindow *self)
{
  const RowKey *key = g_object_get_data (G_OBJECT (row), "kt-row-key");
  g_autofree char *value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
  g_autofree char *problem = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *old_value = NULL;

  g_return_if_fail (key != NULL);

  problem = check_value (self, row, key, value);
  if (problem != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      show_message (self, problem, row, TRUE);
      return;
    }

  old_value = g_settings_get_string (self->settings, key->key);
  g_settings_set_string (self->settings, key->key, value);
  g_debug ("Saved the preference %s", key->key);
  hide_message_of (self, row);
  if (key == &client_id_key && *old_value != '\0' && g_strcmp0 (old_value, value) != 0)
    {
      /* The secret kept for the old client id belongs to another add-on. */
      kt_account_store_delete_client_secret_async (self->store, old_value, self->cancellable,
                                                   on_old_secret_deleted_cb, g_object_ref (self));
    }
  else if (key == &client_id_key)
    {
      update_secret_state (self);
    }
  mark_saved (row);

  warning = check_endpoint_path (self, row, key, value);
  if (warning != NULL)
    show_message (self, warning, row, TRUE);
}

static void
on_hosts_applied_cb (AdwEntryRow         *row,
                     KtPreferencesWindow *self)
{
  g_auto(GStrv) parts = g_strsplit (gtk_editable_get_text (GTK_EDITABLE (row)), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) hosts = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *host = g_ascii_strdown (g_strstrip (parts[i]), -1);
      g_autofree char *probe = NULL;
      g_autofree char *message = NULL;

      if (*host == '\0')
        continue;

      /* A host is valid when it forms a URI whose host part is the whole
       * text, optionally with a port. */
      probe = g_strconcat ("https://", host, "/", NULL);
      if (strpbrk (host, "/?#@ ") != NULL || !g_uri_is_valid (probe, G_URI_FLAGS_NONE, NULL))
        {
          gtk_widget_add_css_class (GTK_WIDGET (row), "error");
          message = g_strdup_printf (_("“%s” is not a host name; enter names such as "
                                       "login.example.com, separated by commas."),
                                     host);
          show_message (self, message, row, TRUE);
          return;
        }

      g_strv_builder_add (builder, host);
    }

  hosts = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "extra-sign-in-hosts", (const char * const *) hosts);
  hide_message_of (self, row);
  mark_saved (row);
}

static void
on_secret_looked_up_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(KtPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;
  gboolean saved;

  secret = kt_account_store_lookup_client_secret_finish (KT_ACCOUNT_STORE (source), result, &error);
  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  saved = secret != NULL;
  kt_secret_store_free_secret (secret);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->client_secret_row),
                                 saved ? _("Client Secret (Saved)") : _("Client Secret"));
}

/* Shows in the secret row's title whether a secret is kept for the saved
 * client id. */
static void
update_secret_state (KtPreferencesWindow *self)
{
  g_autofree char *client_id = g_settings_get_string (self->settings, "client-id");

  if (*client_id == '\0')
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->client_secret_row), _("Client Secret"));
      return;
    }

  kt_account_store_lookup_client_secret_async (self->store, client_id, self->cancellable,
                                               on_secret_looked_up_cb, g_object_ref (self));
}

static void
on_old_secret_deleted_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(KtPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_account_store_delete_client_secret_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Only a leftover item: the next secret saved replaces it. */
      g_message ("Deleting the client secret of the previous client id failed: %s", error->message);
    }

  update_secret_state (self);
}

static void
on_secret_saved_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KtPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kt_account_store_save_client_secret_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      message = g_strdup_printf (_("The client secret was not saved: %s. "
                                   "Check that the keyring is unlocked and save it again."),
                                 error->message);
      show_message (self, message, self->client_secret_row, TRUE);
      return;
    }

  /* Emptying the row counts as an edit, which would show the apply
   * button again next to nothing to apply. */
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->client_secret_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->client_secret_row), "");
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (self->client_secret_row), TRUE);
  hide_message_of (self, self->client_secret_row);
  update_secret_state (self);
  mark_saved (ADW_ENTRY_ROW (self->client_secret_row));
  if (!kt_account_store_get_keyring_available (self->store))
    show_message (self, _("The client secret is kept until Kounter quits, because no keyring is available."),
                  self->client_secret_row, FALSE);
}

static void
on_secret_applied_cb (AdwEntryRow         *row,
                      KtPreferencesWindow *self)
{
  g_autofree char *client_id = g_settings_get_string (self->settings, "client-id");
  const char *secret = gtk_editable_get_text (GTK_EDITABLE (row));

  if (*client_id == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->client_id_row), "error");
      show_message (self, _("Save the client id first, because the secret is stored for that "
                            "client id."),
                    self->client_id_row, TRUE);
      return;
    }

  if (*secret == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      show_message (self, _("The client secret is empty. Paste it from your add-on’s settings "
                            "in Kounta."),
                    row, TRUE);
      return;
    }

  kt_account_store_save_client_secret_async (self->store, client_id, secret,
                                             self->cancellable, on_secret_saved_cb,
                                             g_object_ref (self));
}

static void
on_row_changed_cb (GtkEditable         *editable,
                   KtPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  unmark_saved (ADW_ENTRY_ROW (editable));
}

static void
on_reset_clicked_cb (GtkButton           *button,
                     KtPreferencesWindow *self)
{
  const char *keys[] = { "authorize-uri", "token-uri", "revoke-uri", "api-uri", "extra-sign-in-hosts" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (self->settings, keys[i]);

  load_rows (self);
  hide_message_of (self, self->authorize_uri_row);
  hide_message_of (self, self->token_uri_row);
  hide_message_of (self, self->revoke_uri_row);
  hide_message_of (self, self->api_uri_row);
  hide_message_of (self, self->extra_hosts_row);
  show_message (self, _("Service addresses reset to Kounta’s."), NULL, FALSE);
}

static void
update_keyring_label (KtPreferencesWindow *self)
{
  const char *message = kt_account_store_get_keyring_message (self->store);

  gtk_label_set_label (self->keyring_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->keyring_label), message != NULL);
}

static void
on_keyring_message_cb (KtAccountStore      *store,
                       GParamSpec          *pspec,
                       KtPreferencesWindow *self)
{
  update_keyring_label (self);
}

static void
kt_preferences_window_dispose (GObject *object)
{
  KtPreferencesWindow *self = KT_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (kt_preferences_window_parent_class)->dispose (object);
}

static void
kt_preferences_window_finalize (GObject *object)
{
  KtPreferencesWindow *self = KT_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (kt_preferences_window_parent_class)->finalize (object);
}

static void
kt_preferences_window_class_init (KtPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_preferences_window_dispose;
  object_class->finalize = kt_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, api_uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, authorize_uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, client_secret_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, extra_hosts_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, message_group);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, message_icon);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, message_label);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, redirect_uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, reset_button);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, revoke_uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtPreferencesWindow, token_uri_row);
  gtk_widget_class_bind_template_callback (widget_class, on_hosts_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_secret_applied_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_text_applied_cb);
}

static void
kt_preferences_window_init (KtPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

/* Returns a new preferences window editing @settings; GTK owns it once
 * presented. */
KtPreferencesWindow *
kt_preferences_window_new (GSettings      *settings,
                           KtAccountStore *store)
{
  KtPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (KT_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);
  self->store = g_object_ref (store);

  load_rows (self);
  update_keyring_label (self);
  update_secret_state (self);
  g_signal_connect (store, "notify::keyring-message", G_CALLBACK (on_keyring_message_cb), self);

  return self;
}

/* Shows @message in full at the top of the page, such as what to fill in
 * before signing in, and moves the keyboard focus to the row @focus. */
void
kt_preferences_window_show_message (KtPreferencesWindow *self,
                                    const char          *message,
                                    KtPreferencesRow     focus)
{
  g_return_if_fail (KT_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (message != NULL);

  /* Every message the application shows here is solved by the secret,
   * the last value to save before signing in. */
  show_message (self, message, self->client_secret_row, FALSE);

  switch (focus)
    {
    case KT_PREFERENCES_ROW_CLIENT_ID:
      gtk_widget_grab_focus (GTK_WIDGET (self->client_id_row));
      break;

    case KT_PREFERENCES_ROW_CLIENT_SECRET:
      gtk_widget_grab_focus (GTK_WIDGET (self->client_secret_row));
      break;

    case KT_PREFERENCES_ROW_NONE:
    default:
      break;
    }
}
