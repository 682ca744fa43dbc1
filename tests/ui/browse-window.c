/* The main window against the sandbox's demo company: row counts, cell
 * values, search, links between records, and screenshots of each list. */
#define G_LOG_DOMAIN "browse-window"

#include "config.h"

#include <string.h>

#include "browse-helpers.h"
#include "core/kt-catalogue.h"
#include "core/kt-exchange.h"
#include "core/kt-json.h"
#include "ui/kt-format.h"
#include "ui/kt-slot-model.h"
#include "ui/kt-window.h"

static BrowseFixture fixture;
static KtWindow *window;

static gboolean
view_has_first_page (gpointer data)
{
  KtResourceView *view = data;
  const char *state = kt_resource_view_get_state (view);

  return !kt_resource_view_get_loading (view) && g_strcmp0 (state, "loading") != 0;
}

static gboolean
view_is_complete (gpointer data)
{
  return kt_resource_view_get_complete (KT_RESOURCE_VIEW (data));
}

static KtResourceView *
show_first_page (const char *resource_id)
{
  KtResourceView *view = kt_window_show_resource (window, resource_id);

  g_assert_nonnull (view);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  return view;
}

static KtResourceView *
show_every_row (const char *resource_id)
{
  KtResourceView *view = show_first_page (resource_id);

  kt_resource_view_load_all (view);
  g_assert_true (browse_wait_until (view_is_complete, view, 50));
  return view;
}

static JsonObject *
fetch_record (const char *resource_id,
              gint64      id)
{
  g_autofree char *path = NULL;
  JsonNode *node;
  JsonObject *object;

  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/%s/%" G_GINT64_FORMAT ".json",
                          kt_sandbox_get_company_id (fixture.sandbox), resource_id, id);
  node = browse_fetch_json (&fixture, path);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);

  return object;
}

static char *
cell (KtResourceView *view,
      guint           position,
      const char     *column_id)
{
  int column = kt_catalogue_find_column (kt_resource_view_get_resource (view), column_id);

  g_assert_cmpint (column, >=, 0);
  return kt_resource_view_dup_cell_text (view, position, column);
}

static void
check_count (const char *resource_id)
{
  KtResourceView *view = show_every_row (resource_id);
  guint expected = kt_sandbox_count_rows (fixture.sandbox, resource_id);
  g_autofree char *expected_text = g_strdup_printf ("%u", expected);

  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, expected);
  g_assert_cmpuint (g_list_model_get_n_items (kt_resource_view_get_shown_rows (view)), ==, expected);
  g_assert_cmpstr (kt_window_get_sidebar_count (window, resource_id), ==, expected_text);
}

static void
test_products_count (void)
{
  check_count ("products");
}

static void
test_customers_count (void)
{
  check_count ("customers");
}

static void
test_products_cells (void)
{
  KtResourceView *view = show_every_row ("products");
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  guint n_rows = g_list_model_get_n_items (shown);
  guint positions[] = { 0, 1, n_rows / 2, n_rows - 1 };

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, positions[i]);
      g_autoptr(JsonObject) record = fetch_record ("products", kt_row_get_id (row));
      g_autofree char *id_text = cell (view, positions[i], "id");
      g_autofree char *expected_id = g_strdup_printf ("%" G_GINT64_FORMAT, kt_row_get_id (row));
      g_autofree char *name = cell (view, positions[i], "name");
      g_autofree char *code = cell (view, positions[i], "code");
      g_autofree char *barcode = cell (view, positions[i], "barcode");
      g_autofree char *price = cell (view, positions[i], "unit_price");
      g_autofree char *expected_price = NULL;
      const char *expected_barcode = kt_json_get_string (record, "barcode");
      double unit_price = 0;

      g_assert_true (kt_json_get_number (record, "unit_price", &unit_price));
      /* The demo company counts in Australian dollars. */
      expected_price = g_strdup_printf ("$%.2f", unit_price);

      g_assert_cmpstr (id_text, ==, expected_id);
      g_assert_cmpstr (name, ==, kt_json_get_string (record, "name"));
      g_assert_cmpstr (code, ==, kt_json_get_string (record, "code"));
      g_assert_cmpstr (barcode, ==, expected_barcode != NULL ? expected_barcode : "");
      g_assert_cmpstr (price, ==, expected_price);
    }
}

static void
test_customers_cells (void)
{
  KtResourceView *view = show_every_row ("customers");
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  guint n_rows = g_list_model_get_n_items (shown);
  guint positions[] = { 0, n_rows / 3, n_rows - 1 };

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, positions[i]);
      g_autoptr(JsonObject) record = fetch_record ("customers", kt_row_get_id (row));
      g_autofree char *first_name = cell (view, positions[i], "first_name");
      g_autofree char *last_name = cell (view, positions[i], "last_name");
      g_autofree char *email = cell (view, positions[i], "email");
      g_autofree char *phone = cell (view, positions[i], "phone");
      const char *expected_phone = kt_json_get_string (record, "phone");

      g_assert_cmpstr (first_name, ==, kt_json_get_string (record, "first_name"));
      g_assert_cmpstr (last_name, ==, kt_json_get_string (record, "last_name"));
      g_assert_cmpstr (email, ==, kt_json_get_string (record, "email"));
      g_assert_cmpstr (phone, ==, expected_phone != NULL ? expected_phone : "");
    }
}

/* Whether every word of @query occurs in one of the row's searched
 * columns, decided here without kt_row_matches(). */
static gboolean
row_contains_words (const KtResource *resource,
                    KtRow            *row,
                    const char       *query)
{
  g_auto(GStrv) columns = g_strsplit (resource->search_columns, ",", -1);
  g_auto(GStrv) words = NULL;
  g_autofree char *folded_query = g_utf8_casefold (query, -1);
  g_autoptr(GString) haystack = g_string_new (NULL);

  for (guint c = 0; columns[c] != NULL; c++)
    {
      int index = kt_catalogue_find_column (resource, g_strstrip (columns[c]));
      const char *value = index >= 0 ? kt_row_get_value (row, index) : NULL;

      if (value != NULL)
        {
          g_autofree char *folded = g_utf8_casefold (value, -1);

          g_string_append_printf (haystack, "%s\n", folded);
        }
    }

  words = g_strsplit_set (folded_query, " ", -1);
  for (guint w = 0; words[w] != NULL; w++)
    {
      if (*words[w] != '\0' && strstr (haystack->str, words[w]) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
column_view_has_every_row (gpointer data)
{
  KtResourceView *view = data;
  GListModel *drawn = G_LIST_MODEL (gtk_column_view_get_model (kt_resource_view_get_column_view (view)));

  return g_list_model_get_n_items (drawn) == g_list_model_get_n_items (kt_resource_view_get_shown_rows (view));
}

/* The column view's rows are slots over the shown rows: as many once the
 * paced announcements are done, and each showing the shown row at its
 * position. */
static void
check_column_view_follows (KtResourceView *view)
{
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  GListModel *drawn = G_LIST_MODEL (gtk_column_view_get_model (kt_resource_view_get_column_view (view)));
  guint n_shown = g_list_model_get_n_items (shown);

  g_assert_true (browse_wait_until (column_view_has_every_row, view, 5));
  g_assert_cmpuint (g_list_model_get_n_items (drawn), ==, n_shown);
  for (guint i = 0; i < MIN (n_shown, 20); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);
      g_autoptr(KtRowSlot) slot = g_list_model_get_item (drawn, i);

      g_assert_true (kt_row_slot_get_row (slot) == row);
    }
}

static void
check_search (const char *resource_id,
              const char *column_id)
{
  KtResourceView *view = show_every_row (resource_id);
  const KtResource *resource = kt_resource_view_get_resource (view);
  GListModel *all = G_LIST_MODEL (kt_resource_view_get_row_model (view));
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  GListModel *drawn = G_LIST_MODEL (gtk_column_view_get_model (kt_resource_view_get_column_view (view)));
  guint n_rows = g_list_model_get_n_items (all);
  g_autoptr(KtRow) target = g_list_model_get_item (all, n_rows / 2);
  int column = kt_catalogue_find_column (resource, column_id);
  g_autofree char *query = g_strdup (kt_row_get_value (target, column));
  guint expected = 0;
  gboolean target_shown = FALSE;

  g_assert_nonnull (query);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (all, i);

      if (row_contains_words (resource, row, query))
        expected++;
    }

  kt_resource_view_set_search_text (view, query);
  browse_spin (100);

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, expected);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, n_rows);
  check_column_view_follows (view);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);

      g_assert_true (row_contains_words (resource, row, query));
      if (kt_row_get_id (row) == kt_row_get_id (target))
        target_shown = TRUE;
    }
  g_assert_true (target_shown);

  kt_resource_view_set_search_text (view, "no row has this text zqxj");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);

  /* Back from no rows to all of them, the column view is given the first
   * rows at once and the others over the next frames, so no one frame
   * makes a row widget for each of them. */
  kt_resource_view_set_search_text (view, "");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n_rows);
  g_assert_cmpuint (n_rows, >, 40);
  g_assert_cmpuint (g_list_model_get_n_items (drawn), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (drawn), <, n_rows);
  check_column_view_follows (view);
}

static void
test_products_search (void)
{
  check_search ("products", "name");
}

static void
test_customers_search (void)
{
  check_search ("customers", "email");
}

/* Whether the view's search bar has finished sliding open, so the list
 * no longer changes height. */
static gboolean
search_bar_is_open (gpointer data)
{
  GtkWidget *bar = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (data), KT_TYPE_RESOURCE_VIEW, "search_bar"));

  for (GtkWidget *child = gtk_widget_get_first_child (bar); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_REVEALER (child))
        return gtk_revealer_get_child_revealed (GTK_REVEALER (child));
    }

  return FALSE;
}

static void
test_products_sort_by_price (void)
{
  KtResourceView *view = show_every_row ("products");
  GtkColumnView *column_view = kt_resource_view_get_column_view (view);
  GListModel *columns = gtk_column_view_get_columns (column_view);
  int price = kt_catalogue_find_column (kt_resource_view_get_resource (view), "unit_price");
  g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, price);
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  guint n_rows = g_list_model_get_n_items (shown);
  GtkAdjustment *adjustment;
  double previous = -1;

  gtk_column_view_sort_by_column (column_view, column, GTK_SORT_DESCENDING);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);
      double value = 0;

      g_assert_true (kt_row_get_number (row, price, &value));
      if (i > 0)
        g_assert_cmpfloat (value, <=, previous);
      previous = value;
    }
  browse_save_screenshot (GTK_WIDGET (window), "browse-products-by-price");

  /* A new sort starts at the top, wherever the list was scrolled to. */
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
  browse_spin (200);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  browse_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  gtk_column_view_sort_by_column (column_view, column, GTK_SORT_ASCENDING);
  browse_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  /* So does a new search, typed into the open search bar. */
  kt_resource_view_start_search (view);
  g_assert_true (browse_wait_until (search_bar_is_open, view, 10));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  browse_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0);
  kt_resource_view_set_search_text (view, "a");
  browse_spin (200);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);
  kt_resource_view_set_search_text (view, NULL);

  gtk_column_view_sort_by_column (column_view, NULL, GTK_SORT_ASCENDING);
}

static void
test_orders_filter_by_status (void)
{
  KtResourceView *view = show_first_page ("orders");
  int status = kt_catalogue_find_column (kt_resource_view_get_resource (view), "status");
  GListModel *shown;
  g_autofree char *path = NULL;

  kt_resource_view_set_filters (view, "PENDING", 0, 0, "2025-07-01", NULL);
  path = kt_resource_view_build_path (view);
  g_assert_true (g_str_has_suffix (path, "/orders/pending.json?created_gte=2025-07-01"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  shown = kt_resource_view_get_shown_rows (view);
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);

      g_assert_cmpstr (kt_row_get_value (row, status), ==, "PENDING");
    }
  browse_save_screenshot (GTK_WIDGET (window), "browse-orders-pending");

  kt_resource_view_set_filters (view, NULL, 0, 0, NULL, NULL);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
}

/* How many of the loaded rows have @code as their status. */
static guint
count_status (KtResourceView *view,
              int             column,
              const char     *code)
{
  GListModel *rows = G_LIST_MODEL (kt_resource_view_get_row_model (view));
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (kt_row_get_value (row, column), code) == 0)
        count++;
    }

  return count;
}

static void
check_status_search (KtResourceView *view,
                     int             column,
                     const char     *query,
                     const char     *code)
{
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  guint expected = count_status (view, column, code);

  kt_resource_view_set_search_text (view, query);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, expected);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);

      g_assert_cmpstr (kt_row_get_value (row, column), ==, code);
    }
}

static void
test_orders_status_words (void)
{
  KtResourceView *view = show_first_page ("orders");
  int status = kt_catalogue_find_column (kt_resource_view_get_resource (view), "status");
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  GtkColumnView *column_view = kt_resource_view_get_column_view (view);
  g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (gtk_column_view_get_columns (column_view), status);
  g_autofree char *previous = NULL;
  guint checked = 0;

  /* Cells read as words, while the row keeps the code for export. */
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);
      g_autofree char *text = cell (view, i, "status");
      g_autofree char *words = kt_format_status (kt_row_get_value (row, status));

      g_assert_cmpstr (text, ==, words);
      if (g_strcmp0 (kt_row_get_value (row, status), "COMPLETE") == 0)
        {
          g_assert_cmpstr (text, ==, "Complete");
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 0);
  browse_save_screenshot (GTK_WIDGET (window), "browse-orders-status-words");

  /* Both the code and the shown words find a status. */
  check_status_search (view, status, "complete", "COMPLETE");
  check_status_search (view, status, "on_hold", "ON_HOLD");
  check_status_search (view, status, "on hold", "ON_HOLD");
  kt_resource_view_set_search_text (view, "");

  /* Sorting follows the shown words. */
  gtk_column_view_sort_by_column (column_view, column, GTK_SORT_ASCENDING);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autofree char *text = cell (view, i, "status");

      if (previous != NULL)
        g_assert_cmpint (g_utf8_collate (previous, text), <=, 0);
      g_free (previous);
      previous = g_steal_pointer (&text);
    }
  gtk_column_view_sort_by_column (column_view, NULL, GTK_SORT_ASCENDING);
}

static void
test_orders_invalid_date (void)
{
  KtResourceView *view = show_first_page ("orders");
  GtkEntry *from = GTK_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "from_entry"));
  GtkLabel *problem = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "date_error_label"));
  g_autofree char *help = g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (from)));
  g_autofree char *path = kt_resource_view_build_path (view);
  g_autofree char *corrected_path = NULL;
  guint rows = kt_resource_view_get_rows_loaded (view);
  guint requests = kt_sandbox_get_counter (fixture.sandbox, "api");

  gtk_editable_set_text (GTK_EDITABLE (from), "2025-13-45");
  g_signal_emit_by_name (from, "activate");
  browse_spin (300);

  /* Nothing reloads, and the reason is shown under the filters. */
  g_assert_cmpuint (kt_sandbox_get_counter (fixture.sandbox, "api"), ==, requests);
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, rows);
  g_assert_false (kt_resource_view_get_loading (view));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_nonnull (strstr (gtk_label_get_label (problem), "2025-13-45"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (from), "error"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-orders-invalid-date");

  /* A corrected date applies, and the help comes back. */
  gtk_editable_set_text (GTK_EDITABLE (from), "2025-07-01");
  g_signal_emit_by_name (from, "activate");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (from), "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (from)), ==, help);
  corrected_path = kt_resource_view_build_path (view);
  g_assert_cmpstr (corrected_path, !=, path);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  gtk_editable_set_text (GTK_EDITABLE (from), "");
  g_signal_emit_by_name (from, "activate");
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
}

static void
test_orders_reversed_range (void)
{
  KtResourceView *view = show_first_page ("orders");
  GtkEntry *from = GTK_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "from_entry"));
  GtkEntry *to = GTK_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "to_entry"));
  GtkDropDown *status = GTK_DROP_DOWN (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "status_dropdown"));
  GtkLabel *problem = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "date_error_label"));
  g_autofree char *path = kt_resource_view_build_path (view);
  g_autofree char *count = g_strdup (kt_window_get_sidebar_count (window, "orders"));
  g_autofree char *path_after = NULL;
  guint rows = kt_resource_view_get_rows_loaded (view);
  guint requests = kt_sandbox_get_counter (fixture.sandbox, "api");

  gtk_editable_set_text (GTK_EDITABLE (from), "2026-06-01");
  gtk_editable_set_text (GTK_EDITABLE (to), "2026-01-01");
  g_signal_emit_by_name (to, "activate");
  browse_spin (300);

  /* No request, the same rows and count, and the reason beside the dates. */
  g_assert_cmpuint (kt_sandbox_get_counter (fixture.sandbox, "api"), ==, requests);
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, rows);
  g_assert_false (kt_resource_view_get_loading (view));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
  g_assert_cmpstr (kt_window_get_sidebar_count (window, "orders"), ==, count);
  path_after = kt_resource_view_build_path (view);
  g_assert_cmpstr (path_after, ==, path);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_cmpstr (gtk_label_get_label (problem), ==,
                   "From (2026-06-01) is after To (2026-01-01); swap the dates or change one");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (from), "error"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (to), "error"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-orders-reversed-range");

  /* A status chosen meanwhile loads without the reversed dates. */
  gtk_drop_down_set_selected (status, 1);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_clear_pointer (&path_after, g_free);
  path_after = kt_resource_view_build_path (view);
  g_assert_null (strstr (path_after, "2026-06-01"));
  g_assert_null (strstr (path_after, "2026-01-01"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  gtk_drop_down_set_selected (status, 0);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));

  /* Dates in order apply, and the marks go. */
  requests = kt_sandbox_get_counter (fixture.sandbox, "api");
  gtk_editable_set_text (GTK_EDITABLE (to), "2026-06-01");
  g_signal_emit_by_name (to, "activate");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (problem)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (from), "error"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (to), "error"));
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  g_assert_cmpuint (kt_sandbox_get_counter (fixture.sandbox, "api"), >, requests);

  kt_resource_view_set_filters (view, NULL, 0, 0, NULL, NULL);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
}

static gboolean
view_has_second_page (gpointer data)
{
  return kt_resource_view_get_rows_loaded (KT_RESOURCE_VIEW (data)) >= 200
         && !kt_resource_view_get_loading (KT_RESOURCE_VIEW (data));
}

static void
test_orders_scroll_loads_more (void)
{
  KtResourceView *view = show_first_page ("orders");
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (kt_resource_view_get_column_view (view)),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  kt_resource_view_set_filters (view, NULL, 0, 0, NULL, NULL);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, 100);
  browse_spin (200);

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_true (browse_wait_until (view_has_second_page, view, 30));
  g_assert_false (kt_resource_view_get_complete (view));
}

static gboolean
view_shows_error (gpointer data)
{
  return g_strcmp0 (kt_resource_view_get_state (KT_RESOURCE_VIEW (data)), "error") == 0;
}

static void
test_products_unknown_category (void)
{
  KtResourceView *view = show_first_page ("products");

  /* No category has this id, so the API returns 404 for its products. */
  kt_resource_view_set_filters (view, NULL, 0, 987654321, NULL, NULL);
  g_assert_true (browse_wait_until (view_shows_error, view, 30));
  g_assert_cmpuint (kt_resource_view_get_rows_loaded (view), ==, 0);
  browse_save_screenshot (GTK_WIDGET (window), "browse-products-error");

  kt_resource_view_set_filters (view, NULL, 0, 0, NULL, NULL);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
}

static void
test_shifts_by_site (void)
{
  KtResourceView *view = show_first_page ("shifts");
  int site_column = kt_catalogue_find_column (kt_resource_view_get_resource (view), "site");
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  g_autoptr(KtRow) first = NULL;
  g_autoptr(JsonNode) sites = NULL;
  g_autofree char *site_name = NULL;
  g_autofree char *path = NULL;
  guint all_rows;
  gint64 site_id = 0;

  /* The demo company's orders and shifts start on 1 July 2025. */
  kt_resource_view_set_day (view, "2025-07-02");
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  all_rows = g_list_model_get_n_items (shown);
  g_assert_cmpuint (all_rows, >, 0);

  first = g_list_model_get_item (shown, 0);
  site_name = g_strdup (kt_row_get_value (first, site_column));
  g_assert_nonnull (site_name);

  /* Find the site's id by its name in the sandbox's own list. */
  path = g_strdup_printf ("companies/%" G_GINT64_FORMAT "/sites.json", kt_sandbox_get_company_id (fixture.sandbox));
  sites = browse_fetch_json (&fixture, path);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (sites)); i++)
    {
      JsonObject *site = json_array_get_object_element (json_node_get_array (sites), i);

      if (g_strcmp0 (kt_json_get_string (site, "name"), site_name) == 0)
        kt_json_get_id (site, "id", &site_id);
    }
  g_assert_cmpint (site_id, >, 0);

  kt_resource_view_set_filters (view, NULL, site_id, 0, NULL, NULL);
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  g_assert_cmpuint (g_list_model_get_n_items (shown), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, all_rows);
  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);

      g_assert_cmpstr (kt_row_get_value (row, site_column), ==, site_name);
    }
  browse_save_screenshot (GTK_WIDGET (window), "browse-shifts-by-site");
}

static void
test_shifts_empty_day (void)
{
  KtResourceView *view = show_first_page ("shifts");
  AdwStatusPage *empty = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "empty_page"));

  /* The demo company's shifts cover a fixed span of days from 1 July
   * 2025, which ends before 2030. */
  kt_resource_view_set_day (view, "2030-01-07");
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (empty), ==, "No Shifts on 2030-01-07");
  g_assert_nonnull (strstr (adw_status_page_get_description (empty), "another date"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-shifts-empty-day");

  kt_resource_view_set_day (view, "2025-07-02");
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
}

static void
test_products_no_matches (void)
{
  KtResourceView *view = show_first_page ("products");
  AdwStatusPage *no_matches = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "no_matches_page"));

  kt_resource_view_start_search (view);
  kt_resource_view_set_search_text (view, "qqqzzzxxx");
  browse_spin (200);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "no-matches");
  g_assert_nonnull (strstr (adw_status_page_get_description (no_matches), "“qqqzzzxxx”"));
  browse_save_screenshot (GTK_WIDGET (window), "browse-products-no-matches");

  kt_resource_view_set_search_text (view, "");
  browse_spin (100);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
}

static gboolean
description_names (gpointer data)
{
  AdwStatusPage *page = data;
  const char *description = adw_status_page_get_description (page);

  return description != NULL && strstr (description, "“zzzqqq”") != NULL;
}

static void
test_customers_no_matches_typed (void)
{
  KtResourceView *view = show_first_page ("customers");
  AdwStatusPage *no_matches = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "no_matches_page"));
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (view), KT_TYPE_RESOURCE_VIEW, "search_entry"));

  /* Two searches in a row that both match nothing: the second one changes
   * no item of the shown rows, and the page still names its text. */
  kt_resource_view_start_search (view);
  kt_resource_view_set_search_text (view, "zz");
  browse_spin (100);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "no-matches");
  g_assert_nonnull (strstr (adw_status_page_get_description (no_matches), "“zz”"));
  kt_resource_view_set_search_text (view, "zzzqqq");
  browse_spin (100);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "no-matches");
  g_assert_nonnull (strstr (adw_status_page_get_description (no_matches), "“zzzqqq”"));

  /* The same typed into the entry, which applies its text after a delay. */
  gtk_editable_set_text (entry, "smith");
  g_assert_true (browse_wait_until (view_has_first_page, view, 10));
  browse_spin (400);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
  gtk_editable_set_text (entry, "zz");
  browse_spin (400);
  g_assert_nonnull (strstr (adw_status_page_get_description (no_matches), "“zz”"));
  gtk_editable_set_text (entry, "zzzqqq");
  g_assert_true (browse_wait_until (description_names, no_matches, 10));
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "no-matches");
  browse_save_screenshot (GTK_WIDGET (window), "browse-customers-no-matches");

  kt_resource_view_set_search_text (view, "");
  browse_spin (100);
  g_assert_cmpstr (kt_resource_view_get_state (view), ==, "list");
}

static void
test_taxes_rate_percent (void)
{
  KtResourceView *view = show_first_page ("taxes");
  int code_column = kt_catalogue_find_column (kt_resource_view_get_resource (view), "code");
  GListModel *shown = kt_resource_view_get_shown_rows (view);
  guint checked = 0;

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (shown, i);
      g_autofree char *rate = cell (view, i, "rate");

      /* The sandbox's GST is 10 % and its GST-free tax 0 %. */
      if (g_strcmp0 (kt_row_get_value (row, code_column), "GST") == 0)
        {
          g_assert_cmpstr (rate, ==, "10 %");
          checked++;
        }
      else if (g_strcmp0 (kt_row_get_value (row, code_column), "FRE") == 0)
        {
          g_assert_cmpstr (rate, ==, "0 %");
          checked++;
        }
    }
  g_assert_cmpuint (checked, ==, 2);
  browse_save_screenshot (GTK_WIDGET (window), "browse-taxes-percent");
}

static gboolean
company_has_first_page (gpointer data)
{
  KtResourceView *view = kt_window_get_resource_view (KT_WINDOW (data), "company");

  return view != NULL && kt_resource_view_get_rows_loaded (view) > 0;
}

static void
test_sidebar_counts (void)
{
  KtWindow *fresh = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  g_autofree char *sites = g_strdup_printf ("%u", kt_sandbox_count_rows (fixture.sandbox, "sites"));
  g_autofree char *registers = g_strdup_printf ("%u", kt_sandbox_count_rows (fixture.sandbox, "registers"));
  g_autofree char *orders = NULL;
  g_autofree char *company_path = g_strdup_printf ("/companies/%" G_GINT64_FORMAT ".json",
                                                   kt_account_get_company_id (fixture.account));
  GListModel *exchanges = kt_account_get_exchanges (fixture.account);
  guint first = g_list_model_get_n_items (exchanges);
  KtResourceView *view;

  gtk_window_present (GTK_WINDOW (fresh));
  kt_window_show_account (fresh, fixture.account);

  /* Sites and registers are counted by the company record, before their
   * lists are opened. */
  g_assert_true (browse_wait_until (company_has_first_page, fresh, 30));
  g_assert_null (kt_window_get_resource_view (fresh, "sites"));
  g_assert_cmpstr (kt_window_get_sidebar_count (fresh, "sites"), ==, sites);
  g_assert_cmpstr (kt_window_get_sidebar_count (fresh, "registers"), ==, registers);

  /* The company record read at sign-in is shown without a new request. */
  g_assert_true (kt_resource_view_get_complete (kt_window_get_resource_view (fresh, "company")));
  for (guint i = first; i < g_list_model_get_n_items (exchanges); i++)
    {
      g_autoptr(KtExchange) exchange = g_list_model_get_item (exchanges, i);

      g_assert_false (g_str_has_suffix (kt_exchange_get_uri (exchange), company_path));
    }

  /* A list with more pages is estimated from X-Pages, 100 rows a page. */
  view = kt_window_show_resource (fresh, "orders");
  g_assert_true (browse_wait_until (view_has_first_page, view, 30));
  orders = g_strdup_printf ("≈%u", (kt_sandbox_count_rows (fixture.sandbox, "orders") + 99) / 100 * 100);
  g_assert_cmpstr (kt_window_get_sidebar_count (fresh, "orders"), ==, orders);
  browse_save_screenshot (GTK_WIDGET (fresh), "browse-sidebar-counts");

  gtk_window_destroy (GTK_WINDOW (fresh));
}

static gboolean
pane_has_full_record (gpointer data)
{
  return kt_detail_pane_has_headers (KT_DETAIL_PANE (data));
}

static gboolean
pane_shows_linked_record (gpointer data)
{
  KtDetailPane *pane = data;

  return kt_detail_pane_get_depth (pane) == 2 && kt_detail_pane_has_headers (pane);
}

static void
test_order_links_customer (void)
{
  KtResourceView *view = show_first_page ("orders");
  KtDetailPane *pane = kt_window_get_detail_pane (window);
  g_autoptr(JsonObject) customer = NULL;
  gint64 customer_id = 0;
  const KtResource *shown_resource;

  for (guint position = 0; position < 10 && customer_id == 0; position++)
    {
      g_autoptr(JsonNode) order = NULL;

      kt_resource_view_select (view, position);
      g_assert_true (browse_wait_until (pane_has_full_record, pane, 20));
      order = json_from_string (kt_detail_pane_get_text (pane), NULL);
      g_assert_nonnull (order);
      kt_json_get_id (json_node_get_object (order), "customer.id", &customer_id);
    }
  g_assert_cmpint (customer_id, >, 0);
  browse_save_screenshot (GTK_WIDGET (window), "browse-order-detail");

  g_assert_true (kt_detail_pane_activate_link (pane, "customers"));
  g_assert_true (browse_wait_until (pane_shows_linked_record, pane, 20));

  shown_resource = kt_detail_pane_get_resource (pane);
  g_assert_cmpstr (shown_resource->id, ==, "customers");
  g_assert_cmpint (kt_detail_pane_get_record_id (pane), ==, customer_id);

  customer = fetch_record ("customers", customer_id);
  {
    g_autoptr(JsonNode) shown = json_from_string (kt_detail_pane_get_text (pane), NULL);

    g_assert_cmpstr (kt_json_get_string (json_node_get_object (shown), "email"), ==,
                     kt_json_get_string (customer, "email"));
  }
  browse_save_screenshot (GTK_WIDGET (window), "browse-order-customer");

  kt_detail_pane_set_tab (pane, "raw");
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-raw");
  kt_detail_pane_set_tab (pane, "headers");
  browse_save_screenshot (GTK_WIDGET (window), "browse-detail-headers");
  kt_detail_pane_set_tab (pane, "fields");

  kt_detail_pane_go_back (pane);
  g_assert_cmpuint (kt_detail_pane_get_depth (pane), ==, 1);
}

static gboolean
window_is_signed_out (gpointer data)
{
  return g_strcmp0 (kt_window_get_state (KT_WINDOW (data)), "signed-out") == 0;
}

static void
test_rejected_credential (void)
{
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_copy (kt_account_get_config (fixture.account));
  g_autoptr(KtAccount) account = NULL;
  KtWindow *other = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);

  g_free (config->client_secret);
  config->client_secret = g_strdup ("not-the-secret");
  account = kt_account_new (KT_AUTH_KIND_BASIC, config);
  kt_account_set_company_id (account, kt_account_get_company_id (fixture.account));
  kt_account_set_company_name (account, kt_account_get_company_name (fixture.account));

  gtk_window_present (GTK_WINDOW (other));
  kt_window_show_account (other, account);
  g_assert_true (browse_wait_until (window_is_signed_out, other, 30));
  browse_save_screenshot (GTK_WIDGET (other), "browse-signed-out");

  gtk_window_destroy (GTK_WINDOW (other));
}

static void
test_company_unreachable (void)
{
  g_autoptr(KtSandbox) closed = kt_sandbox_new ();
  g_autoptr(KtClient) client = kt_client_new ();
  g_autoptr(KtOAuthConfig) config = kt_oauth_config_copy (kt_account_get_config (fixture.account));
  g_autoptr(KtAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  KtWindow *other;
  AdwStatusPage *page;

  /* A sandbox that has stopped: its port refuses connections. */
  kt_sandbox_start (closed, 0, &error);
  g_assert_no_error (error);
  g_free (config->api_uri);
  config->api_uri = g_strdup (kt_sandbox_get_api_uri (closed));
  kt_sandbox_stop (closed);
  account = kt_account_new (KT_AUTH_KIND_BASIC, config);

  /* Retries are not what this checks: keep them short. */
  g_object_set (client, "retry-delay", 0.05, NULL);
  other = g_object_new (KT_TYPE_WINDOW, "client", client, NULL);
  gtk_window_present (GTK_WINDOW (other));
  kt_window_show_account (other, account);
  g_assert_true (browse_wait_until (window_is_signed_out, other, 30));

  page = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (other), KT_TYPE_WINDOW, "signed_out_page"));
  g_assert_cmpstr (adw_status_page_get_title (page), ==, "Could Not Read the Company");
  browse_save_screenshot (GTK_WIDGET (other), "browse-company-unreachable");

  gtk_window_destroy (GTK_WINDOW (other));
}

static void
test_screenshots_each_list (void)
{
  guint n_resources = 0;
  const KtResource *resources = kt_catalogue_get_resources (&n_resources);

  for (guint i = 0; i < n_resources; i++)
    {
      KtResourceView *view = show_first_page (resources[i].id);
      g_autofree char *name = g_strdup_printf ("browse-list-%s", resources[i].id);

      g_test_message ("%s: %s, %u rows", resources[i].id, kt_resource_view_get_state (view),
                      kt_resource_view_get_rows_loaded (view));
      /* The sandbox serves no cash-ups; that list shows its error page. */
      if (g_strcmp0 (resources[i].id, "cashups") != 0)
        g_assert_cmpstr (kt_resource_view_get_state (view), !=, "error");
      browse_save_screenshot (GTK_WIDGET (window), name);
    }
}

static void
test_screenshots_narrow_and_dark (void)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  KtResourceView *view = show_first_page ("products");
  GtkWidget *inner;
  GtkWidget *outer;

  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_FORCE_DARK);
  browse_save_screenshot (GTK_WIDGET (window), "browse-products-dark");
  adw_style_manager_set_color_scheme (style_manager, ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  browse_spin (500);
  browse_save_screenshot (GTK_WIDGET (window), "browse-narrow-list");
  /* The leaflet of sidebar and lists contains the leaflet of list and record. */
  inner = gtk_widget_get_ancestor (GTK_WIDGET (kt_window_get_detail_pane (window)), ADW_TYPE_LEAFLET);
  outer = gtk_widget_get_ancestor (gtk_widget_get_parent (inner), ADW_TYPE_LEAFLET);
  g_assert_true (adw_leaflet_get_folded (ADW_LEAFLET (outer)));

  kt_resource_view_select (view, 2);
  browse_spin (300);
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (inner)) == GTK_WIDGET (kt_window_get_detail_pane (window)));
  browse_save_screenshot (GTK_WIDGET (window), "browse-narrow-detail");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  browse_spin (300);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (kt_window_get_detail_pane (window))));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  browse_spin (500);
  browse_save_screenshot (GTK_WIDGET (window), "browse-narrow-sidebar");

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  browse_spin (500);
}

static gboolean
record_has_headers (gpointer data)
{
  return kt_detail_pane_has_headers (KT_DETAIL_PANE (data));
}

static gboolean
window_is_folded (gpointer data)
{
  GtkWidget *inner = gtk_widget_get_ancestor (GTK_WIDGET (kt_window_get_detail_pane (window)), ADW_TYPE_LEAFLET);
  GtkWidget *outer = gtk_widget_get_ancestor (gtk_widget_get_parent (inner), ADW_TYPE_LEAFLET);

  return adw_leaflet_get_folded (ADW_LEAFLET (outer));
}

static gboolean
pane_transition_done (gpointer data)
{
  GtkWidget *inner = gtk_widget_get_ancestor (GTK_WIDGET (data), ADW_TYPE_LEAFLET);

  return adw_leaflet_get_visible_child (ADW_LEAFLET (inner)) == GTK_WIDGET (data)
         && !adw_leaflet_get_child_transition_running (ADW_LEAFLET (inner));
}

static void
test_fetched_record_kept (void)
{
  KtDetailPane *pane = kt_window_get_detail_pane (window);
  KtResourceView *orders = show_first_page ("orders");
  KtResourceView *products;
  g_autofree char *order_text = NULL;
  gint64 order_id;
  gint64 product_id;
  guint requests;

  /* An order's full record is fetched when its row is selected. */
  kt_resource_view_select (orders, 2);
  g_assert_true (browse_wait_until (record_has_headers, pane, 30));
  order_id = kt_detail_pane_get_record_id (pane);
  order_text = g_strdup (kt_detail_pane_get_text (pane));

  /* A product's record is fetched on request, from the Headers tab. */
  products = show_first_page ("products");
  kt_resource_view_select (products, 1);
  browse_spin (100);
  g_assert_false (kt_detail_pane_has_headers (pane));
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (pane), KT_TYPE_DETAIL_PANE, "fetch_button"), "clicked");
  g_assert_true (browse_wait_until (record_has_headers, pane, 30));
  product_id = kt_detail_pane_get_record_id (pane);

  /* Going back and forth shows both records with their headers, and
   * fetches neither again. */
  requests = kt_sandbox_get_counter (fixture.sandbox, "api");
  kt_window_show_resource (window, "orders");
  browse_spin (100);
  g_assert_cmpint (kt_detail_pane_get_record_id (pane), ==, order_id);
  g_assert_true (kt_detail_pane_has_headers (pane));
  g_assert_cmpstr (kt_detail_pane_get_text (pane), ==, order_text);
  kt_window_show_resource (window, "products");
  browse_spin (100);
  g_assert_cmpint (kt_detail_pane_get_record_id (pane), ==, product_id);
  g_assert_true (kt_detail_pane_has_headers (pane));
  browse_save_screenshot (GTK_WIDGET (window), "browse-product-headers-kept");
  g_assert_cmpuint (kt_sandbox_get_counter (fixture.sandbox, "api"), ==, requests);

  /* Another row drops the kept record: coming back to the first row
   * shows the list's row again, without headers. */
  kt_resource_view_select (products, 2);
  browse_spin (100);
  kt_resource_view_select (products, 1);
  browse_spin (100);
  g_assert_cmpint (kt_detail_pane_get_record_id (pane), ==, product_id);
  g_assert_false (kt_detail_pane_has_headers (pane));

  kt_resource_view_select (products, GTK_INVALID_LIST_POSITION);
  kt_resource_view_select (orders, GTK_INVALID_LIST_POSITION);
  browse_spin (100);
}

static void
test_narrow_record_fits (void)
{
  GtkSettings *settings = gtk_settings_get_default ();
  KtDetailPane *pane = kt_window_get_detail_pane (window);
  g_autofree char *layout = NULL;
  KtResourceView *view;
  int pane_width = 0;

  /* GNOME's default title bar buttons, as the window has on a desktop. */
  g_object_get (settings, "gtk-decoration-layout", &layout, NULL);
  g_object_set (settings, "gtk-decoration-layout", "appmenu:close", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  view = show_first_page ("orders");
  /* Let the resize finish before the pane appears in the folded layout. */
  g_assert_true (browse_wait_until (window_is_folded, NULL, 10));
  browse_spin (500);

  /* An order's full record, as fetched. */
  kt_resource_view_select (view, 2);
  g_assert_true (browse_wait_until (record_has_headers, pane, 30));
  g_assert_true (browse_wait_until (pane_transition_done, pane, 10));
  /* The pane's minimum, not the window's width: without a window manager
   * the window may not shrink to its default size. The pane's tab stack
   * is as wide as its widest tab, so one measure covers Raw and Headers. */
  gtk_widget_measure (GTK_WIDGET (pane), GTK_ORIENTATION_HORIZONTAL, -1, &pane_width, NULL, NULL, NULL);
  g_assert_cmpint (pane_width, <=, 360);
  browse_save_screenshot (GTK_WIDGET (window), "browse-narrow-order");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
  g_object_set (settings, "gtk-decoration-layout", layout, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  browse_spin (500);
}

/* The window's minimum width with its current content. */
static int
window_min_width (void)
{
  int width = 0;

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
  return width;
}

static void
test_window_min_width (void)
{
  static const char * const layouts[] = {
    "appmenu:close",
    "icon:minimize,maximize,close",
  };
  GtkSettings *settings = gtk_settings_get_default ();
  KtDetailPane *pane = kt_window_get_detail_pane (window);
  g_autofree char *layout = NULL;

  g_object_get (settings, "gtk-decoration-layout", &layout, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++)
    {
      KtResourceView *view;
      g_autofree char *name = NULL;

      g_object_set (settings, "gtk-decoration-layout", layouts[i], NULL);
      gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
      view = show_first_page ("orders");
      g_assert_true (browse_wait_until (window_is_folded, NULL, 10));
      browse_spin (500);
      g_test_message ("%s: list %d", layouts[i], window_min_width ());
      g_assert_cmpint (window_min_width (), <=, 360);
      name = g_strdup_printf ("browse-min-width-list-%u", i);
      browse_save_screenshot (GTK_WIDGET (window), name);

      /* The search bar, and the rate meter's popover. */
      kt_resource_view_start_search (view);
      browse_spin (300);
      g_test_message ("%s: search %d", layouts[i], window_min_width ());
      g_assert_cmpint (window_min_width (), <=, 360);
      kt_resource_view_set_search_text (view, "");

      kt_resource_view_select (view, 2);
      g_assert_true (browse_wait_until (record_has_headers, pane, 30));
      g_assert_true (browse_wait_until (pane_transition_done, pane, 10));
      g_test_message ("%s: detail %d", layouts[i], window_min_width ());
      g_assert_cmpint (window_min_width (), <=, 360);
      g_free (name);
      name = g_strdup_printf ("browse-min-width-detail-%u", i);
      browse_save_screenshot (GTK_WIDGET (window), name);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
      kt_resource_view_select (view, GTK_INVALID_LIST_POSITION);
      browse_spin (300);

      gtk_widget_activate_action (GTK_WIDGET (window), "win.back", NULL);
      browse_spin (500);
      g_test_message ("%s: sidebar %d", layouts[i], window_min_width ());
      g_assert_cmpint (window_min_width (), <=, 360);
      g_free (name);
      name = g_strdup_printf ("browse-min-width-sidebar-%u", i);
      browse_save_screenshot (GTK_WIDGET (window), name);
    }

  g_object_set (settings, "gtk-decoration-layout", layout, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  browse_spin (500);
}

static void
test_screenshots_shortcuts (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PREFIX "gtk/help-overlay.ui");
  GtkWindow *overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  g_assert_nonnull (overlay);
  gtk_window_set_transient_for (overlay, GTK_WINDOW (window));
  gtk_window_present (overlay);
  browse_save_screenshot (GTK_WIDGET (overlay), "browse-shortcuts");
  gtk_window_destroy (overlay);
}

/* The triggers of @action among the window's key bindings, as text. */
static GPtrArray *
find_triggers (const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GPtrArray *triggers = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *shortcut_action = gtk_shortcut_get_action (shortcut);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_NAMED_ACTION (shortcut_action)
              && g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (shortcut_action)), action) == 0)
            g_ptr_array_add (triggers, gtk_shortcut_trigger_to_string (trigger));
        }
    }

  return triggers;
}

static void
test_inspector_key (void)
{
  g_autoptr(GPtrArray) triggers = find_triggers ("win.inspector");

  g_assert_cmpuint (triggers->len, ==, 1);
  /* GTK's own inspector takes Ctrl+Shift+I before the window receives it. */
  g_assert_cmpstr (g_ptr_array_index (triggers, 0), ==, "F12");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  browse_init (&argc, &argv);
  /* A short window keeps the suite fast; the limit per window is Basic's. */
  browse_fixture_setup (&fixture, KT_SANDBOX_SCALE_DEMO, 5, 0);

  window = g_object_new (KT_TYPE_WINDOW, "client", fixture.client, NULL);
  gtk_window_present (GTK_WINDOW (window));
  kt_window_show_account (window, fixture.account);

  g_test_add_func ("/browse/products/count", test_products_count);
  g_test_add_func ("/browse/products/cells", test_products_cells);
  g_test_add_func ("/browse/products/search", test_products_search);
  g_test_add_func ("/browse/products/sort-by-price", test_products_sort_by_price);
  g_test_add_func ("/browse/products/unknown-category", test_products_unknown_category);
  g_test_add_func ("/browse/customers/count", test_customers_count);
  g_test_add_func ("/browse/customers/cells", test_customers_cells);
  g_test_add_func ("/browse/customers/search", test_customers_search);
  g_test_add_func ("/browse/orders/link-to-customer", test_order_links_customer);
  g_test_add_func ("/browse/orders/filter-by-status", test_orders_filter_by_status);
  g_test_add_func ("/browse/orders/status-words", test_orders_status_words);
  g_test_add_func ("/browse/orders/invalid-date", test_orders_invalid_date);
  g_test_add_func ("/browse/orders/reversed-range", test_orders_reversed_range);
  g_test_add_func ("/browse/orders/scroll-loads-more", test_orders_scroll_loads_more);
  g_test_add_func ("/browse/shifts/by-site", test_shifts_by_site);
  g_test_add_func ("/browse/shifts/empty-day", test_shifts_empty_day);
  g_test_add_func ("/browse/taxes/rate-percent", test_taxes_rate_percent);
  g_test_add_func ("/browse/sidebar/counts", test_sidebar_counts);
  g_test_add_func ("/browse/products/no-matches", test_products_no_matches);
  g_test_add_func ("/browse/customers/no-matches-typed", test_customers_no_matches_typed);
  g_test_add_func ("/browse/account/rejected-credential", test_rejected_credential);
  g_test_add_func ("/browse/account/company-unreachable", test_company_unreachable);
  g_test_add_func ("/browse/screenshots/each-list", test_screenshots_each_list);
  g_test_add_func ("/browse/screenshots/narrow-and-dark", test_screenshots_narrow_and_dark);
  g_test_add_func ("/browse/screenshots/shortcuts", test_screenshots_shortcuts);
  g_test_add_func ("/browse/detail/fetched-record-kept", test_fetched_record_kept);
  g_test_add_func ("/browse/narrow/record-fits", test_narrow_record_fits);
  g_test_add_func ("/browse/narrow/window-min-width", test_window_min_width);
  g_test_add_func ("/browse/shortcuts/inspector-key", test_inspector_key);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  browse_fixture_teardown (&fixture);

  return status;
}
