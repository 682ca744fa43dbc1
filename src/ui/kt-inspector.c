#define G_LOG_DOMAIN "kt-inspector"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "kt-export.h"
#include "kt-format.h"
#include "kt-inspector.h"

typedef enum
{
  COLUMN_TIME,
  COLUMN_METHOD,
  COLUMN_PATH,
  COLUMN_STATUS,
  COLUMN_DURATION,
  COLUMN_SIZE,
  COLUMN_COST,
  N_COLUMNS
} KtInspectorColumn;

struct _KtInspector
{
  AdwWindow parent_instance;

  GtkSourceView *body_view;
  GtkColumnView *column_view;
  AdwSplitButton *copy_button;
  GtkStack *detail_stack;
  AdwStatusPage *none_page;
  GtkLabel *redaction_label;
  GtkTextView *request_view;
  GtkTextView *response_view;
  GtkStack *tabs;
  AdwWindowTitle *window_title;

  KtAccount *account;
  GListStore *sources;             /* GListModel of KtExchange, merged in time order */
  GtkSingleSelection *selection;
  GtkSourceBuffer *body_buffer;
};

G_DEFINE_FINAL_TYPE (KtInspector, kt_inspector, ADW_TYPE_WINDOW)

static const struct
{
  const char *title;
  gboolean numeric;
  gboolean expand;
} columns[N_COLUMNS] = {
  [COLUMN_TIME] = { N_("Time"), TRUE, FALSE },
  [COLUMN_METHOD] = { N_("Method"), FALSE, FALSE },
  [COLUMN_PATH] = { N_("Path"), FALSE, TRUE },
  [COLUMN_STATUS] = { N_("Status"), TRUE, FALSE },
  [COLUMN_DURATION] = { N_("Duration"), TRUE, FALSE },
  [COLUMN_SIZE] = { N_("Size"), TRUE, FALSE },
  [COLUMN_COST] = { N_("Charged"), TRUE, FALSE },
};

/* The request target without the scheme and host. The host is the
 * account's API, or for token and revoke exchanges the OAuth server; the
 * Request tab shows the full URI. */
static char *
path_of_uri (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  const char *query;

  if (uri == NULL)
    return g_strdup ("");

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  if (parsed == NULL)
    return g_strdup (uri);

  query = g_uri_get_query (parsed);
  if (query != NULL)
    return g_strdup_printf ("%s?%s", g_uri_get_path (parsed), query);

  return g_strdup (g_uri_get_path (parsed));
}

/* The length of the stored body, which is shorter than the one received
 * when tokens were redacted. */
static guint64
stored_body_size (KtExchange *exchange)
{
  GBytes *body = kt_exchange_get_response_body (exchange);

  return body != NULL ? g_bytes_get_size (body) : 0;
}

static char *
format_cell (KtExchange        *exchange,
             KtInspectorColumn  column)
{
  switch (column)
    {
    case COLUMN_TIME:
      {
        g_autoptr(GDateTime) started = g_date_time_new_from_unix_local (kt_exchange_get_started (exchange) / G_USEC_PER_SEC);

        return started != NULL ? g_date_time_format (started, "%H:%M:%S") : g_strdup ("");
      }

    case COLUMN_METHOD:
      return g_strdup (kt_exchange_get_method (exchange));

    case COLUMN_PATH:
      return path_of_uri (kt_exchange_get_uri (exchange));

    case COLUMN_STATUS:
      if (kt_exchange_get_status (exchange) == 0)
        return g_strdup (_("Failed"));
      return g_strdup_printf ("%u", kt_exchange_get_status (exchange));

    case COLUMN_DURATION:
      return g_strdup_printf (_("%.0f ms"), kt_exchange_get_duration (exchange) / 1000.0);

    case COLUMN_SIZE:
      return kt_format_size (kt_exchange_get_size (exchange));

    case COLUMN_COST:
      return g_strdup_printf ("%u", kt_exchange_get_cost (exchange));

    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
on_cell_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  KtInspectorColumn column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), column == COLUMN_PATH ? PANGO_ELLIPSIZE_MIDDLE : PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), columns[column].numeric ? 1.0 : 0.0);
  if (columns[column].numeric)
    gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  KtInspectorColumn column = GPOINTER_TO_UINT (user_data);
  KtExchange *exchange = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = format_cell (exchange, column);
  guint status = kt_exchange_get_status (exchange);

  gtk_label_set_label (GTK_LABEL (label), text);

  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "warning");
  if (column == COLUMN_STATUS && (status == 0 || status >= 500 || status == 401 || status == 403))
    gtk_widget_add_css_class (label, "error");
  else if (column == COLUMN_STATUS && status >= 300)
    gtk_widget_add_css_class (label, "warning");
}

static char *
format_headers (const char * const *headers)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    g_string_append_printf (text, "%s: %s\n", headers[i], headers[i + 1]);

  return g_string_free (text, FALSE);
}

static char *
format_body (GBytes *body)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  const char *data;
  gsize size = 0;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return g_strdup ("");

  data = g_bytes_get_data (body, &size);
  text = g_strndup (data, size);
  node = json_from_string (text, NULL);

  /* NOTE: the body is shown as received when it is not JSON; bytes that
   * are not UTF-8 are replaced so the view accepts them. */
  if (node == NULL)
    return g_utf8_make_valid (data, size);

  /* Re-indented, not re-serialised, so numbers keep the server's text. */
  return kt_format_json_indent (text, -1);
}

/* Says above the body when its tokens were replaced, and how long the
 * body was as received, the size the list shows. */
static void
show_redaction (KtInspector *self,
                KtExchange  *exchange)
{
  g_autofree char *received = NULL;
  g_autofree char *note = NULL;

  if (!kt_exchange_get_response_body_redacted (exchange))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->redaction_label), FALSE);
      return;
    }

  received = kt_format_size (kt_exchange_get_size (exchange));
  /* TRANSLATORS: %s is a size such as "172 bytes" */
  note = g_strdup_printf (_("Tokens are shown as [redacted]. The body received was %s."), received);
  gtk_label_set_label (self->redaction_label, note);
  gtk_widget_set_visible (GTK_WIDGET (self->redaction_label), TRUE);
}

static void
show_exchange (KtInspector *self,
               KtExchange  *exchange)
{
  g_autofree char *request = NULL;
  g_autofree char *request_headers = NULL;
  g_autofree char *response = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *path = NULL;
  const char *error_message;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.copy-curl", exchange != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.copy-curl-secret", exchange != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "inspector.save-response",
                                 exchange != NULL && stored_body_size (exchange) > 0);

  if (exchange == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }

  path = path_of_uri (kt_exchange_get_uri (exchange));
  subtitle = g_strdup_printf ("%s %s", kt_exchange_get_method (exchange), path);
  adw_window_title_set_subtitle (self->window_title, subtitle);

  request_headers = format_headers (kt_exchange_get_request_headers (exchange));
  request = g_strdup_printf ("%s %s\n%s", kt_exchange_get_method (exchange),
                             kt_exchange_get_uri (exchange), request_headers);
  error_message = kt_exchange_get_error_message (exchange);
  if (error_message != NULL)
    response = g_strdup_printf (_("No response: %s\n"), error_message);
  else
    {
      g_autofree char *headers = format_headers (kt_exchange_get_response_headers (exchange));

      response = g_strdup_printf ("%u %s\n%s", kt_exchange_get_status (exchange),
                                  kt_exchange_get_reason (exchange) != NULL ? kt_exchange_get_reason (exchange) : "",
                                  headers);
    }
  body = format_body (kt_exchange_get_response_body (exchange));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->request_view), request, -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->response_view), response, -1);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (self->body_buffer), body, -1);
  show_redaction (self, exchange);
  gtk_stack_set_visible_child_name (self->detail_stack, "exchange");
}

static void
on_selection_changed_cb (GtkSingleSelection *selection,
                         GParamSpec         *pspec,
                         KtInspector        *self)
{
  show_exchange (self, gtk_single_selection_get_selected_item (selection));
}

static void
copy_text (KtInspector *self,
           const char  *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
copy_curl_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  KtInspector *self = KT_INSPECTOR (widget);
  g_autofree char *command = kt_inspector_dup_curl (self, FALSE);

  if (command != NULL)
    copy_text (self, command);
}

static void
on_secret_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       KtInspector      *self)
{
  g_autofree char *command = NULL;

  if (g_strcmp0 (response, "copy") != 0)
    return;

  command = kt_inspector_dup_curl (self, TRUE);
  if (command != NULL)
    copy_text (self, command);
}

static void
copy_curl_secret_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  KtInspector *self = KT_INSPECTOR (widget);
  GtkWidget *dialog;

  if (kt_inspector_get_selected (self) == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   _("Copy the Credential Too?"),
                                   _("The command will contain the secret that signs in to this company. "
                                     "Anyone who sees it can use the account until the secret is changed "
                                     "or the token revoked. Paste it only where you would type a password."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "copy", _("Copy with _Credential"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "copy", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_secret_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_save_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KtInspector) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (source));
      g_autofree char *body = g_strdup_printf (_("Could not write “%s”: %s. Choose another folder."),
                                               name, error->message);
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Response Not Saved"), body);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
on_save_chooser_response_cb (GtkNativeDialog *chooser,
                             int              response,
                             KtInspector     *self)
{
  g_autoptr(GFile) file = NULL;
  KtExchange *exchange = kt_inspector_get_selected (self);
  GBytes *body;

  if (response == GTK_RESPONSE_ACCEPT && exchange != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      body = kt_exchange_get_response_body (exchange);
      if (file != NULL && body != NULL)
        g_file_replace_contents_bytes_async (file, body, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                             NULL, on_save_written_cb, g_object_ref (self));
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

/* Appends @text to @name with every character that is not an ASCII
 * letter, digit, dot or underscore made a hyphen, and no hyphen twice or
 * at the start. */
static void
append_file_name_part (GString    *name,
                       const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    {
      if (g_ascii_isalnum (*c) || *c == '.' || *c == '_')
        g_string_append_c (name, *c);
      else if (name->len > 0 && name->str[name->len - 1] != '-')
        g_string_append_c (name, '-');
    }

  if (name->len > 0 && name->str[name->len - 1] != '-')
    g_string_append_c (name, '-');
}

char *
kt_inspector_suggest_file_name (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GString) name = g_string_new (NULL);
  g_auto(GStrv) segments = NULL;
  const char *query;
  guint first = 0;
  guint n_segments;

  if (parsed == NULL)
    return g_strdup ("response.json");

  segments = g_strsplit (g_uri_get_path (parsed), "/", -1);
  n_segments = g_strv_length (segments);

  /* Skip the empty segment before the first slash and the API version. */
  while (first < n_segments && (*segments[first] == '\0'
                                || (segments[first][0] == 'v' && g_ascii_isdigit (segments[first][1]))))
    first++;

  /* "companies/21765/orders.json" names the same company as every other
   * request, so the file is named after what follows. */
  if (n_segments - first > 2 && g_str_equal (segments[first], "companies"))
    first += 2;

  for (guint i = first; i < n_segments; i++)
    {
      g_autofree char *segment = g_uri_unescape_string (segments[i], NULL);

      if (segment == NULL)
        continue;
      if (g_str_has_suffix (segment, ".json"))
        segment[strlen (segment) - 5] = '\0';
      append_file_name_part (name, segment);
    }

  query = g_uri_get_query (parsed);
  if (query != NULL)
    {
      g_autofree char *unescaped = g_uri_unescape_string (query, NULL);

      append_file_name_part (name, unescaped != NULL ? unescaped : query);
    }

  /* Keep well under the 255-byte limit of common file systems. */
  if (name->len > 100)
    g_string_truncate (name, 100);
  while (name->len > 0 && (name->str[name->len - 1] == '-' || name->str[name->len - 1] == '.'))
    g_string_truncate (name, name->len - 1);

  if (name->len == 0)
    return g_strdup ("response.json");

  g_string_append (name, ".json");
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
save_response_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  KtInspector *self = KT_INSPECTOR (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *file_name = NULL;

  if (kt_inspector_get_selected (self) == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Response Body"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  file_name = kt_inspector_suggest_file_name (kt_exchange_get_uri (kt_inspector_get_selected (self)));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  folder = kt_export_dup_default_folder ();
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_dark_changed_cb (AdwStyleManager *manager,
                    GParamSpec      *pspec,
                    KtInspector     *self)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";

  gtk_source_buffer_set_style_scheme (self->body_buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static void
add_columns (KtInspector *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind_cb), GUINT_TO_POINTER (i));
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      gtk_column_view_column_set_expand (column, columns[i].expand);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
    }
}

static void
kt_inspector_dispose (GObject *object)
{
  KtInspector *self = KT_INSPECTOR (object);

  g_signal_handlers_disconnect_by_data (adw_style_manager_get_default (), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), KT_TYPE_INSPECTOR);
  g_clear_object (&self->selection);
  g_clear_object (&self->sources);
  g_clear_object (&self->body_buffer);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (kt_inspector_parent_class)->dispose (object);
}

static void
kt_inspector_class_init (KtInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kt_inspector_dispose;

  g_type_ensure (GTK_SOURCE_TYPE_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "kt-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, KtInspector, body_view);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, column_view);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, copy_button);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, none_page);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, redaction_label);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, request_view);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, response_view);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, tabs);
  gtk_widget_class_bind_template_child (widget_class, KtInspector, window_title);

  gtk_widget_class_install_action (widget_class, "inspector.copy-curl", NULL, copy_curl_action);
  gtk_widget_class_install_action (widget_class, "inspector.copy-curl-secret", NULL, copy_curl_secret_action);
  gtk_widget_class_install_action (widget_class, "inspector.save-response", NULL, save_response_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "inspector.copy-curl", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "inspector.save-response", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "window.close", NULL);
}

static void
kt_inspector_init (KtInspector *self)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  AdwStyleManager *style_manager = adw_style_manager_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->body_buffer = gtk_source_buffer_new_with_language (gtk_source_language_manager_get_language (languages, "json"));
  gtk_text_view_set_buffer (GTK_TEXT_VIEW (self->body_view), GTK_TEXT_BUFFER (self->body_buffer));
  on_dark_changed_cb (style_manager, NULL, self);
  g_signal_connect (style_manager, "notify::dark", G_CALLBACK (on_dark_changed_cb), self);

  add_columns (self);
  show_exchange (self, NULL);
}

static int
compare_started_cb (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  gint64 started_a = kt_exchange_get_started ((KtExchange *) a);
  gint64 started_b = kt_exchange_get_started ((KtExchange *) b);

  return (started_a > started_b) - (started_a < started_b);
}

/* Returns a new inspector of @account's exchanges; GTK owns it once shown. */
KtInspector *
kt_inspector_new (KtAccount *account)
{
  KtInspector *self;
  g_autofree char *title = NULL;
  g_autoptr(GtkSorter) sorter = NULL;
  GtkSortListModel *sorted;

  g_return_val_if_fail (KT_IS_ACCOUNT (account), NULL);

  self = g_object_new (KT_TYPE_INSPECTOR, NULL);
  self->account = g_object_ref (account);
  self->sources = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->sources, kt_account_get_exchanges (account));
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_started_cb, NULL, NULL));
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->sources)))),
                                    g_steal_pointer (&sorter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  if (kt_account_get_company_name (account) != NULL)
    {
      /* TRANSLATORS: the inspector's window title, %s is a company name */
      title = g_strdup_printf (_("Inspector — %s"), kt_account_get_company_name (account));
      gtk_window_set_title (GTK_WINDOW (self), title);
    }

  return self;
}

void
kt_inspector_add_exchanges (KtInspector *self,
                            GListModel  *exchanges)
{
  GtkAdjustment *vadjustment;
  gboolean at_top;

  g_return_if_fail (KT_IS_INSPECTOR (self));
  g_return_if_fail (G_IS_LIST_MODEL (exchanges));

  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));
  at_top = gtk_adjustment_get_value (vadjustment) <= gtk_adjustment_get_lower (vadjustment);
  g_list_store_append (self->sources, exchanges);

  /* The list keeps the row it shows first in view, so exchanges older
   * than that row, such as the sign-in's code exchange, would sit above
   * the top unseen. Attaching the model again shows the oldest first. */
  if (at_top)
    {
      gtk_column_view_set_model (self->column_view, NULL);
      gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
    }
}

KtAccount *
kt_inspector_get_account (KtInspector *self)
{
  g_return_val_if_fail (KT_IS_INSPECTOR (self), NULL);

  return self->account;
}

void
kt_inspector_select (KtInspector *self,
                     guint        position)
{
  g_return_if_fail (KT_IS_INSPECTOR (self));

  gtk_single_selection_set_selected (self->selection, position);
}

KtExchange *
kt_inspector_get_selected (KtInspector *self)
{
  g_return_val_if_fail (KT_IS_INSPECTOR (self), NULL);

  return gtk_single_selection_get_selected_item (self->selection);
}

char *
kt_inspector_dup_curl (KtInspector *self,
                       gboolean     with_secret)
{
  KtExchange *exchange;
  g_autofree char *secret = NULL;

  g_return_val_if_fail (KT_IS_INSPECTOR (self), NULL);

  exchange = kt_inspector_get_selected (self);
  if (exchange == NULL)
    return NULL;

  if (with_secret)
    secret = kt_account_dup_authorization (self->account);

  return kt_exchange_to_curl (exchange, secret);
}

char *
kt_inspector_dup_tab_text (KtInspector *self,
                           const char  *tab)
{
  GtkTextBuffer *buffer = NULL;
  GtkTextIter start;
  GtkTextIter end;

  g_return_val_if_fail (KT_IS_INSPECTOR (self), NULL);

  if (g_strcmp0 (tab, "request") == 0)
    buffer = gtk_text_view_get_buffer (self->request_view);
  else if (g_strcmp0 (tab, "response") == 0)
    buffer = gtk_text_view_get_buffer (self->response_view);
  else if (g_strcmp0 (tab, "body") == 0)
    buffer = GTK_TEXT_BUFFER (self->body_buffer);

  g_return_val_if_fail (buffer != NULL, NULL);

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
kt_inspector_set_tab (KtInspector *self,
                      const char  *tab)
{
  g_return_if_fail (KT_IS_INSPECTOR (self));

  gtk_stack_set_visible_child_name (self->tabs, tab);
}
