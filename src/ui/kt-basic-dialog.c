#define G_LOG_DOMAIN "kt-basic-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "core/kt-error.h"
#include "kt-basic-dialog.h"
#include "kt-format.h"

struct _KtBasicDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *api_uri_row;
  GtkButton *cancel_button;
  AdwEntryRow *client_id_row;
  AdwPasswordEntryRow *client_secret_row;
  GtkLabel *error_label;
  GtkButton *sign_in_button;
  GtkSpinner *spinner;
  GtkLabel *wait_label;

  KtClient *client;
  KtAccountStore *store;
  GCancellable *cancellable;
  KtAccount *account;
  gboolean busy;
  char *error_message;
  KtRateLimit *watched_rate_limit; /* of the account being checked */
  guint wait_timeout_id;           /* counts the rate-limit wait down */
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  SIGNED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (KtBasicDialog, kt_basic_dialog, ADW_TYPE_WINDOW)

/* Shows how long a request of the check waits for the rate limit, or
 * hides the label when nothing waits. */
static void
update_wait_label (KtBasicDialog *self)
{
  g_autofree char *text = NULL;

  if (self->watched_rate_limit != NULL)
    text = kt_format_rate_wait (self->watched_rate_limit);

  gtk_label_set_label (self->wait_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->wait_label), text != NULL);
}

static void
on_rate_limit_notify_cb (KtRateLimit   *rate_limit,
                         GParamSpec    *pspec,
                         KtBasicDialog *self)
{
  update_wait_label (self);
}

static gboolean
on_wait_tick_cb (gpointer user_data)
{
  update_wait_label (KT_BASIC_DIALOG (user_data));
  return G_SOURCE_CONTINUE;
}

/* Follows the rate limit of @account while its credentials are checked,
 * so a wait after 429 responses is shown rather than a silent spinner.
 * NULL stops following. */
static void
watch_rate_limit (KtBasicDialog *self,
                  KtAccount     *account)
{
  if (self->watched_rate_limit != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_rate_limit, self);
  g_clear_object (&self->watched_rate_limit);
  g_clear_handle_id (&self->wait_timeout_id, g_source_remove);

  if (account != NULL)
    {
      self->watched_rate_limit = g_object_ref (kt_account_get_rate_limit (account));
      g_signal_connect (self->watched_rate_limit, "notify::queued",
                        G_CALLBACK (on_rate_limit_notify_cb), self);
      g_signal_connect (self->watched_rate_limit, "notify::reset-time",
                        G_CALLBACK (on_rate_limit_notify_cb), self);
      self->wait_timeout_id = g_timeout_add_seconds (1, on_wait_tick_cb, self);
    }

  update_wait_label (self);
}

static void
set_busy (KtBasicDialog *self,
          gboolean       busy)
{
  self->busy = busy;
  if (!busy)
    watch_rate_limit (self, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->client_id_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->client_secret_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->api_uri_row), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_error (KtBasicDialog *self,
            const char    *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);

  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

/* The host and port of @uri as a user would type them, such as
 * “127.0.0.1:8080”. The port is left out when the URI has none. */
static char *
dup_authority (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *host;

  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return g_strdup (uri);

  host = g_uri_get_host (parsed);
  if (g_uri_get_port (parsed) == -1)
    return g_strdup (host);

  /* An IPv6 literal keeps its brackets so the port stays readable. */
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, g_uri_get_port (parsed));

  return g_strdup_printf ("%s:%d", host, g_uri_get_port (parsed));
}

static void
on_account_added_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KtBasicDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!kt_account_store_add_finish (KT_ACCOUNT_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Saving the Basic account failed: %s", error->message);
      message = g_strdup_printf (_("Saving the account failed: %s"), error->message);
      show_error (self, message);
      set_busy (self, FALSE);
      return;
    }

  g_debug ("Signed in with Basic credentials to company %" G_GINT64_FORMAT,
           kt_account_get_company_id (self->account));
  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNED_IN], 0, self->account);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_company_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(KtBasicDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  if (!kt_client_fetch_company_finish (KT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      host = dup_authority (kt_account_get_config (self->account)->api_uri);
      if (g_error_matches (error, KT_ERROR, KT_ERROR_UNAUTHORIZED) ||
          g_error_matches (error, KT_ERROR, KT_ERROR_INVALID_CLIENT) ||
          g_error_matches (error, KT_ERROR, KT_ERROR_FORBIDDEN))
        message = g_strdup_printf (_("%s rejected the client id “%s” or its secret. "
                                     "Check both in your add-on’s settings and try again."),
                                   host, kt_account_get_config (self->account)->client_id);
      else
        /* Errors from the client already end with advice that fits
         * their cause, so none is added here. */
        message = g_strdup_printf (_("Could not check the credentials at %s. %s"),
                                   host, error->message);

      g_debug ("Basic credentials not accepted: %s", error->message);
      g_clear_object (&self->account);
      show_error (self, message);
      set_busy (self, FALSE);
      return;
    }

  kt_account_store_add_async (self->store, self->account, self->cancellable,
                              on_account_added_cb, g_object_ref (self));
}

static void
on_sign_in_clicked_cb (GtkButton     *button,
                       KtBasicDialog *self)
{
  kt_basic_dialog_submit (self);
}

static void
on_cancel_clicked_cb (GtkButton     *button,
                      KtBasicDialog *self)
{
  kt_basic_dialog_cancel (self);
}

static void
on_row_changed_cb (GtkEditable   *editable,
                   KtBasicDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
}

static void
on_row_activated_cb (AdwEntryRow   *row,
                     KtBasicDialog *self)
{
  if (!self->busy)
    kt_basic_dialog_submit (self);
}

static void
kt_basic_dialog_dispose (GObject *object)
{
  KtBasicDialog *self = KT_BASIC_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  watch_rate_limit (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_BASIC_DIALOG);

  G_OBJECT_CLASS (kt_basic_dialog_parent_class)->dispose (object);
}

static void
kt_basic_dialog_finalize (GObject *object)
{
  KtBasicDialog *self = KT_BASIC_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (kt_basic_dialog_parent_class)->finalize (object);
}

static void
kt_basic_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KtBasicDialog *self = KT_BASIC_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kt_basic_dialog_class_init (KtBasicDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_basic_dialog_dispose;
  object_class->finalize = kt_basic_dialog_finalize;
  object_class->get_property = kt_basic_dialog_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, KT_TYPE_ACCOUNT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-basic-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, api_uri_row);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, client_secret_row);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, KtBasicDialog, wait_label);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked_cb);
}

static void
kt_basic_dialog_init (KtBasicDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

/* Returns a new Basic credentials form using @api_uri as the preset API
 * URI; GTK owns it once presented. */
KtBasicDialog *
kt_basic_dialog_new (KtClient       *client,
                     KtAccountStore *store,
                     const char     *api_uri)
{
  KtBasicDialog *self;

  g_return_val_if_fail (KT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (KT_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (KT_TYPE_BASIC_DIALOG, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  gtk_editable_set_text (GTK_EDITABLE (self->api_uri_row), api_uri != NULL ? api_uri : "");

  return self;
}

/* Fills the client id and secret fields; NULL leaves a field as it is. */
void
kt_basic_dialog_fill (KtBasicDialog *self,
                      const char    *client_id,
                      const char    *client_secret)
{
  g_return_if_fail (KT_IS_BASIC_DIALOG (self));

  if (client_id != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id);
  if (client_secret != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->client_secret_row), client_secret);
}

/* Checks the entered credentials and, when they work, saves the account. */
void
kt_basic_dialog_submit (KtBasicDialog *self)
{
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_new ();
  g_autofree char *client_id = NULL;
  g_autofree char *api_uri = NULL;
  g_autofree char *message = NULL;
  const char *secret;

  g_return_if_fail (KT_IS_BASIC_DIALOG (self));

  if (self->busy)
    return;

  client_id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->client_id_row))));
  api_uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->api_uri_row))));
  secret = gtk_editable_get_text (GTK_EDITABLE (self->client_secret_row));

  if (*client_id == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->client_id_row), "error");
      show_error (self, _("The client id is missing. Copy it from your add-on’s settings in Kounta."));
      return;
    }

  if (*secret == '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->client_secret_row), "error");
      show_error (self, _("The client secret is missing. Copy it from your add-on’s settings in Kounta."));
      return;
    }

  if (!g_uri_is_valid (api_uri, G_URI_FLAGS_NONE, NULL) ||
      (!g_str_has_prefix (api_uri, "https://") && !g_str_has_prefix (api_uri, "http://")))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->api_uri_row), "error");
      message = g_strdup_printf (_("The API URI “%s” is not a valid http or https address. "
                                   "The default is https://api.kounta.com/v1/."),
                                 api_uri);
      show_error (self, message);
      return;
    }

  config->client_id = g_strdup (client_id);
  config->client_secret = g_strdup (secret);
  config->api_uri = g_strdup (api_uri);

  g_clear_object (&self->account);
  self->account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  show_error (self, NULL);
  set_busy (self, TRUE);
  watch_rate_limit (self, self->account);
  g_debug ("Checking Basic credentials of client %s", client_id);
  kt_client_fetch_company_async (self->client, self->account, self->cancellable,
                                 on_company_cb, g_object_ref (self));
}

/* Returns the last error shown, or NULL; the dialog owns the string. */
const char *
kt_basic_dialog_get_error_message (KtBasicDialog *self)
{
  g_return_val_if_fail (KT_IS_BASIC_DIALOG (self), NULL);

  return self->error_message;
}

/* Returns whether a check of the credentials is running. */
gboolean
kt_basic_dialog_get_busy (KtBasicDialog *self)
{
  g_return_val_if_fail (KT_IS_BASIC_DIALOG (self), FALSE);

  return self->busy;
}

/* Returns the rate-limit wait shown while the credentials are checked,
 * or NULL; the dialog owns the string. */
const char *
kt_basic_dialog_get_wait_message (KtBasicDialog *self)
{
  g_return_val_if_fail (KT_IS_BASIC_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->wait_label)))
    return NULL;

  return gtk_label_get_label (self->wait_label);
}

/* Stops a running check of the credentials and leaves the form as it was
 * before Sign In, or closes the dialog when no check runs. */
void
kt_basic_dialog_cancel (KtBasicDialog *self)
{
  g_return_if_fail (KT_IS_BASIC_DIALOG (self));

  if (!self->busy)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  g_debug ("Cancelling the check of the Basic credentials");
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->account);
  set_busy (self, FALSE);
}
