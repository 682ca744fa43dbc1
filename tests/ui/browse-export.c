/* Export of a list as CSV and JSON, and the inspector: what it shows of
 * each exchange and what "Copy as cURL" puts on the clipboard. */
#define G_LOG_DOMAIN "browse-export"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "browse-helpers.h"
#include "core/kt-catalogue.h"
#include "core/kt-exchange-private.h"
#include "ui/kt-export.h"
#include "ui/kt-format.h"
#include "ui/kt-inspector.h"
#include "ui/kt-window.h"

static BrowseFixture fixture;
static KtWindow *window;

/* A strict RFC 4180 reader: fields separated by commas, records by CRLF,
 * quoted fields with doubled quotes. Returns a GPtrArray of GStrv. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; ; p++)
            {
              g_assert_true (*p != '\0');
              if (p[0] == '"' && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p++;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                {
                  g_string_append_c (field, *p);
                }
            }
        }
      else
        {
          while (*p != '\0' && *p != ',' && *p != '\r')
            {
              g_assert_true (*p != '"');
              g_assert_true (*p != '\n');
              g_string_append_c (field, *p++);
            }
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);

      if (*p == ',')
        {
          p++;
        }
      else
        {
          g_assert_true (p[0] == '\r' && p[1] == '\n');
          p += 2;
          g_ptr_array_add (fields, NULL);
          g_ptr_array_add (records, g_strdupv ((char **) fields->pdata));
          g_ptr_array_set_size (fields, 0);
        }
    }

  return records;
}

static gboolean
view_is_complete (gpointer data)
{
  return kt_resource_view_get_complete (KT_RESOURCE_VIEW (data));
}

static gboolean
view_has_first_page (gpointer data)
{
  return kt_resource_view_get_rows_loaded (KT_RESOURCE_VIEW (data)) > 0
         && !kt_resource_view_get_loading (KT_RESOURCE_VIEW (data));
}

static void
check_csv_matches_rows (const char       *csv,
                        GListModel       *rows,
                        const KtResource *resource)
{
  g_autoptr(GPtrArray) records = parse_csv (csv);
  guint n_rows = g_list_model_get_n_items (rows);
  char **header;

  g_assert_cmpuint (records->len, ==, n_rows + 1);

  header = g_ptr_array_index (records, 0);
  g_assert_cmpuint (g_strv_length (header), ==, resource->n_columns);
  for (guint c = 0; c < resource->n_columns; c++)
    g_assert_cmpstr (header[c], ==, resource->columns[c].id);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);
      char **record = g_ptr_array_index (records, i + 1);

      g_assert_cmpuint (g_strv_length (record), ==, resource->n_columns);
      for (guint c = 0; c < resource->n_columns; c++)
        {
          const char *value = kt_row_get_value (row, c);

          g_assert_cmpstr (record[c], ==, value != NULL ? value : "");
        }
    }
}

typedef struct
{
  gboolean done;
  GError *error;
} WriteResult;

static gboolean
write_done (gpointer data)
{
  return ((WriteResult *) data)->done;
}

static void
on_written_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WriteResult *write = user_data;

  kt_export_write_finish (result, &write->error);
  write->done = TRUE;
}

static void
test_csv_round_trip (void)
{
  KtResourceView *view = kt_window_show_resource (window, "products");
  const KtResource *resource = kt_resource_view_get_resource (view);
  GListModel *rows;
  g_autofree char *csv = NULL;
  g_autofree char *path = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GFile) file = NULL;
  WriteResult write = { FALSE, NULL };

  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  kt_resource_view_load_all (view);
  g_assert_true (browse_wait_until (view_is_complete, view, 40));

  rows = kt_resource_view_get_shown_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, kt_sandbox_count_rows (fixture.sandbox, "products"));

  csv = kt_export_to_csv (rows, resource, NULL);
  check_csv_matches_rows (csv, rows, resource);

  /* The file written by the export action contains the same text. */
  path = g_build_filename (g_get_tmp_dir (), "products.csv", NULL);
  file = g_file_new_for_path (path);
  kt_export_write_async (rows, resource, NULL, "csv", file, NULL, on_written_cb, &write);
  g_assert_true (browse_wait_until (write_done, &write, 10));
  g_assert_no_error (write.error);
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, csv);
  g_unlink (path);
}

static void
test_csv_quotes_fields (void)
{
  const KtResource *resource = kt_catalogue_lookup ("customers");
  g_autoptr(KtRowModel) model = kt_row_model_new (resource);
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  const char *json =
    "[{\"id\":1,\"first_name\":\"Ann, Jr.\",\"last_name\":\"O\\\"Neil\",\"email\":\"a@example.com\",\"phone\":null},"
    " {\"id\":2,\"first_name\":\"Line\\nbreak\",\"last_name\":\"\",\"email\":\"b@example.com\",\"phone\":\"0400 000 000\"}]";

  page = g_bytes_new_static (json, strlen (json));
  g_assert_cmpint (kt_row_model_append_page (model, page, &error), ==, 2);
  g_assert_no_error (error);

  csv = kt_export_to_csv (G_LIST_MODEL (model), resource, NULL);
  g_assert_nonnull (strstr (csv, "\"Ann, Jr.\""));
  g_assert_nonnull (strstr (csv, "\"O\"\"Neil\""));
  check_csv_matches_rows (csv, G_LIST_MODEL (model), resource);
}

static void
test_json_round_trip (void)
{
  KtResourceView *view = kt_window_get_resource_view (window, "products");
  GListModel *rows = kt_resource_view_get_shown_rows (view);
  g_autofree char *json = kt_export_to_json (rows);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  node = json_from_string (json, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, g_list_model_get_n_items (rows));

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);
      JsonObject *object = json_array_get_object_element (array, i);

      g_assert_cmpint (json_object_get_int_member (object, "id"), ==, kt_row_get_id (row));
    }
}

static void
test_json_keeps_numbers (void)
{
  KtResourceView *view = kt_window_get_resource_view (window, "products");
  GListModel *rows = kt_resource_view_get_shown_rows (view);
  g_autofree char *json = kt_export_to_json (rows);
  g_autoptr(KtRow) first = g_list_model_get_item (rows, 0);
  g_autofree char *row_json = kt_row_dup_json (first);
  g_autofree char *indented = kt_format_json_indent (row_json, -1);
  g_auto(GStrv) lines = g_strsplit (indented, "\n", -1);
  g_autofree char *nested = NULL;

  /* Each row is written as received, only indented one level deeper. */
  nested = g_strjoinv ("\n  ", lines);
  g_assert_nonnull (strstr (json, nested));
}

static void
test_default_folder (void)
{
  g_autoptr(GFile) folder = kt_export_dup_default_folder ();
  g_autofree char *path = g_file_get_path (folder);
  const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  g_autofree char *cwd = g_get_current_dir ();

  if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (path, ==, documents);
  else if (downloads != NULL && g_file_test (downloads, G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (path, ==, downloads);
  else
    g_assert_cmpstr (path, ==, g_get_home_dir ());

  /* Never the directory the program was started from. */
  g_assert_cmpstr (path, !=, cwd);
}

typedef struct
{
  gboolean done;
} RevokeWait;

static void
on_revoked_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RevokeWait *wait = user_data;

  /* Whether the sandbox accepts the made-up token does not matter here. */
  kt_client_revoke_finish (KT_CLIENT (source), result, NULL);
  wait->done = TRUE;
}

static gboolean
revoke_done (gpointer data)
{
  return ((RevokeWait *) data)->done;
}

static void
test_inspector_lists_revoke (void)
{
  static const char token[] = "0123456789abcdef0123456789abcdef01234567";
  KtInspector *inspector = kt_window_open_inspector (window);
  GtkSingleSelection *selection = NULL;
  GListModel *shown;
  RevokeWait wait = { FALSE };
  KtExchange *revoke = NULL;
  GBytes *body;

  kt_client_revoke_async (fixture.client, kt_account_get_config (fixture.account), token, NULL, on_revoked_cb, &wait);
  g_assert_true (browse_wait_until (revoke_done, &wait, 20));

  /* The revocation was made for no account, and the inspector lists it. */
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (
    GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (inspector), KT_TYPE_INSPECTOR, "column_view"))));
  shown = G_LIST_MODEL (selection);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (shown, i);

      if (strstr (kt_exchange_get_uri (exchange), "revoke") != NULL)
        {
          revoke = exchange;
          kt_inspector_select (inspector, i);
        }
    }
  g_assert_nonnull (revoke);
  g_assert_true (kt_inspector_get_selected (inspector) == revoke);

  /* Its token is hidden. */
  body = kt_exchange_get_request_body (revoke);
  g_assert_nonnull (body);
  g_assert_null (g_strstr_len (g_bytes_get_data (body, NULL), g_bytes_get_size (body), token));
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-revoke");
}

static char *
basic_credential (void)
{
  g_autofree char *pair = g_strdup_printf ("%s:%s", kt_sandbox_get_client_id (fixture.sandbox),
                                           kt_sandbox_get_client_secret (fixture.sandbox));

  return g_base64_encode ((const guchar *) pair, strlen (pair));
}

static void
test_curl_hides_secret (void)
{
  KtInspector *inspector = kt_window_open_inspector (window);
  GListModel *exchanges = kt_account_get_exchanges (fixture.account);
  guint last = g_list_model_get_n_items (exchanges) - 1;
  g_autofree char *credential = basic_credential ();
  g_autofree char *command = NULL;
  g_autofree char *with_secret = NULL;
  g_autofree char *request_text = NULL;
  g_autofree char *response_text = NULL;
  g_autofree char *body_text = NULL;
  g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, last);
  const char *secret = kt_sandbox_get_client_secret (fixture.sandbox);

  g_assert_nonnull (inspector);
  g_assert_cmpuint (g_list_model_get_n_items (exchanges), >, 0);
  kt_inspector_select (inspector, last);
  g_assert_true (kt_inspector_get_selected (inspector) == exchange);

  command = kt_inspector_dup_curl (inspector, FALSE);
  g_assert_nonnull (command);
  g_assert_true (g_str_has_prefix (command, "curl"));
  g_assert_nonnull (strstr (command, kt_exchange_get_uri (exchange)));
  g_assert_null (strstr (command, credential));
  g_assert_null (strstr (command, secret));

  /* Only an explicit request puts the credential in. */
  with_secret = kt_inspector_dup_curl (inspector, TRUE);
  g_assert_nonnull (strstr (with_secret, credential));

  request_text = kt_inspector_dup_tab_text (inspector, "request");
  response_text = kt_inspector_dup_tab_text (inspector, "response");
  body_text = kt_inspector_dup_tab_text (inspector, "body");
  g_assert_nonnull (strstr (request_text, kt_exchange_get_uri (exchange)));
  g_assert_null (strstr (request_text, credential));
  g_assert_null (strstr (request_text, secret));
  g_assert_nonnull (strstr (response_text, "X-Ratelimit-Remaining"));
  g_assert_cmpuint (strlen (body_text), >, 2);

  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-body");
  kt_inspector_set_tab (inspector, "response");
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-response");
  kt_inspector_set_tab (inspector, "request");
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-request");

  gtk_window_destroy (GTK_WINDOW (inspector));
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(KtResponse) response = kt_client_request_finish (KT_CLIENT (source), result, NULL);

  (*pending)--;
}

static gboolean
none_pending (gpointer data)
{
  return *(guint *) data == 0;
}

static GtkWidget *
inspector_part (KtInspector *inspector,
                const char  *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (inspector), KT_TYPE_INSPECTOR, name));
}

static void
test_inspector_opens_at_top (void)
{
  g_autofree char *path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json",
                                           kt_account_get_company_id (fixture.account));
  KtInspector *inspector;
  GtkAdjustment *vadjustment;
  GtkWidget *list;
  GtkWidget *paned;
  int small_height;
  int small_paned;
  guint pending = 0;
  g_autoptr(GListStore) sign_in = g_list_store_new (KT_TYPE_EXCHANGE);
  g_autoptr(GListStore) late = g_list_store_new (KT_TYPE_EXCHANGE);
  g_autoptr(KtExchange) code_exchange = kt_exchange_new ("POST", "http://127.0.0.1/v1/token.json", 2);
  g_autoptr(KtExchange) earliest_exchange = kt_exchange_new ("POST", "http://127.0.0.1/v1/token.json", 1);
  g_autoptr(KtExchange) first = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) redacted_body = g_bytes_new_static ("{\"access_token\":\"[redacted]\"}", 31);
  GListModel *shown;
  GtkWidget *note;

  /* More exchanges than the list shows at once. */
  for (guint i = 0; i < 25; i++, pending++)
    kt_client_request_async (fixture.client, fixture.account, "GET", path, NULL,
                             KT_PRIORITY_INTERACTIVE, NULL, on_sent_cb, &pending);
  g_assert_true (browse_wait_until (none_pending, &pending, 30));

  /* As the main window does: the client's own exchanges, such as the
   * sign-in's code exchange, are added after the account's and sort
   * before them. */
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  soup_message_headers_append (headers, "Content-Length", "172");
  kt_exchange_set_response (code_exchange, 200, "OK", headers, redacted_body, 1000);
  kt_exchange_set_response_redacted (code_exchange, 172);
  g_list_store_append (sign_in, code_exchange);
  inspector = kt_inspector_new (fixture.account);
  kt_inspector_add_exchanges (inspector, G_LIST_MODEL (sign_in));
  gtk_window_set_default_size (GTK_WINDOW (inspector), 900, 640);
  gtk_window_present (GTK_WINDOW (inspector));
  browse_spin (500);

  list = inspector_part (inspector, "column_view");
  shown = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (list)));
  first = g_list_model_get_item (shown, 0);
  g_assert_true (first == code_exchange);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >, gtk_adjustment_get_page_size (vadjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, gtk_adjustment_get_lower (vadjustment));
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-opened");

  /* One added while the list shows its top keeps the top in view. */
  g_list_store_append (late, earliest_exchange);
  kt_inspector_add_exchanges (inspector, G_LIST_MODEL (late));
  browse_spin (300);
  g_clear_object (&first);
  first = g_list_model_get_item (shown, 0);
  g_assert_true (first == earliest_exchange);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, gtk_adjustment_get_lower (vadjustment));

  /* Selecting the code exchange shows its body with a note that it was
   * redacted, and the list stays where it was. */
  kt_inspector_select (inspector, 1);
  g_assert_true (kt_inspector_get_selected (inspector) == code_exchange);
  kt_inspector_set_tab (inspector, "body");
  browse_spin (200);
  note = inspector_part (inspector, "redaction_label");
  g_assert_true (gtk_widget_get_visible (note));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (note)), ==,
                   "Tokens are shown as [redacted]. The body received was 172 bytes.");
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, gtk_adjustment_get_lower (vadjustment));
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-redacted");

  /* A resource's body is shown as received, without the note. */
  kt_inspector_select (inspector, 2);
  g_assert_false (gtk_widget_get_visible (note));

  /* A taller window shares the height between the list and the detail
   * in the proportion they had. */
  paned = gtk_widget_get_parent (gtk_widget_get_parent (list));
  g_assert_true (GTK_IS_PANED (paned));
  small_height = gtk_widget_get_height (gtk_widget_get_parent (list));
  small_paned = gtk_widget_get_height (paned);
  gtk_window_set_default_size (GTK_WINDOW (inspector), 900, 1000);
  browse_spin (500);
  g_assert_cmpint (gtk_widget_get_height (paned), >, small_paned + 100);
  g_assert_cmpint (gtk_widget_get_height (gtk_widget_get_parent (list)), >=,
                   small_height * gtk_widget_get_height (paned) / small_paned - 1);
  browse_save_screenshot (GTK_WIDGET (inspector), "browse-inspector-tall");

  gtk_window_destroy (GTK_WINDOW (inspector));
}

static void
test_inspector_file_name (void)
{
  static const struct
  {
    const char *uri;
    const char *expected;
  } cases[] = {
    { "http://127.0.0.1:8080/v1/companies/21765/orders.json?page=2", "orders-page-2.json" },
    { "http://127.0.0.1:8080/v1/companies/21765/orders.json", "orders.json" },
    { "http://127.0.0.1:8080/v1/companies/21765.json", "companies-21765.json" },
    { "http://127.0.0.1:8080/v1/companies/me", "companies-me.json" },
    { "http://127.0.0.1:8080/v1/companies/21765/sites/3/inventory.json", "sites-3-inventory.json" },
    { "http://127.0.0.1:8080/v1/companies/21765/orders.json?created_gte=2026-12-01%2010:00", "orders-created_gte-2026-12-01-10-00.json" },
    { "http://127.0.0.1:8080/v1/token.json", "token.json" },
    { "http://127.0.0.1:8080/", "response.json" },
    { "not a uri", "response.json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = kt_inspector_suggest_file_name (cases[i].uri);

      g_assert_cmpstr (name, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);
  browse_fixture_setup (&fixture, KT_SANDBOX_SCALE_DEMO, 5, 0);

  window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, fixture.account);

  g_test_add_func ("/export/csv/round-trip", test_csv_round_trip);
  g_test_add_func ("/export/csv/quotes-fields", test_csv_quotes_fields);
  g_test_add_func ("/export/json/round-trip", test_json_round_trip);
  g_test_add_func ("/export/json/keeps-numbers", test_json_keeps_numbers);
  g_test_add_func ("/export/dialog/default-folder", test_default_folder);
  g_test_add_func ("/inspector/curl/hides-secret", test_curl_hides_secret);
  g_test_add_func ("/inspector/lists/revoke", test_inspector_lists_revoke);
  g_test_add_func ("/inspector/list/opens-at-top", test_inspector_opens_at_top);
  g_test_add_func ("/inspector/save/file-name", test_inspector_file_name);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&fixture);

  return status;
}
