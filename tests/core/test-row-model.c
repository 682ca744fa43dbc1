#include "config.h"

#include <string.h>

#include "core/kt-error.h"
#include "core/kt-row-model.h"

#define ORDERS_PAGE_1 \
  "[{\"id\":93824701,\"sale_number\":\"ST1-1042\",\"status\":\"COMPLETE\",\"total\":9.0,\"created_at\":\"2024-03-02T08:15:00+11:00\"}," \
  "{\"id\":5000000001,\"sale_number\":\"ST1-1043\",\"status\":\"PENDING\",\"total\":\"4.09\",\"created_at\":null}," \
  "{\"id\":93824703,\"sale_number\":\"ST2-7\",\"status\":\"ON_HOLD\",\"total\":12,\"unknown\":{\"deep\":[1,2]}}]"

#define ORDERS_PAGE_2 \
  "[{\"id\":93824703,\"sale_number\":\"ST2-7\",\"status\":\"ON_HOLD\",\"total\":12}," \
  "{\"id\":93824704,\"sale_number\":\"ST2-8\",\"status\":\"COMPLETE\",\"total\":1.5}]"

typedef struct
{
  guint calls;
  guint position;
  guint removed;
  guint added;
} Changes;

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     Changes    *changes)
{
  changes->calls++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static int
append (KtRowModel  *model,
        const char  *json,
        GError     **error)
{
  g_autoptr(GBytes) page = g_bytes_new_static (json, strlen (json));

  return kt_row_model_append_page (model, page, error);
}

static KtRow *
row_at (KtRowModel *model,
        guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (model), position);
}

static int
column (const char *id)
{
  return kt_catalogue_find_column (kt_catalogue_lookup ("orders"), id);
}

static void
test_append_page (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KtRow) first = NULL;
  g_autoptr(KtRow) second = NULL;
  Changes changes = { 0 };

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &changes);
  g_assert_cmpint (append (model, ORDERS_PAGE_1, &error), ==, 3);
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == KT_TYPE_ROW);
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 3);

  first = row_at (model, 0);
  g_assert_cmpint (kt_row_get_id (first), ==, 93824701);
  g_assert_cmpstr (kt_row_get_value (first, column ("id")), ==, "93824701");
  g_assert_cmpstr (kt_row_get_value (first, column ("sale_number")), ==, "ST1-1042");
  g_assert_cmpstr (kt_row_get_value (first, column ("total")), ==, "9.0");
  g_assert_cmpstr (kt_row_get_value (first, column ("created_at")), ==, "2024-03-02T08:15:00+11:00");

  second = row_at (model, 1);
  g_assert_cmpint (kt_row_get_id (second), ==, G_GINT64_CONSTANT (5000000001));
  g_assert_cmpstr (kt_row_get_value (second, column ("total")), ==, "4.09");
  g_assert_null (kt_row_get_value (second, column ("created_at")));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 3));
}

static void
test_duplicates_dropped (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(GError) error = NULL;
  g_autoptr(KtRow) last = NULL;
  Changes changes = { 0 };

  g_assert_cmpint (append (model, ORDERS_PAGE_1, &error), ==, 3);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &changes);
  g_assert_cmpint (append (model, ORDERS_PAGE_2, &error), ==, 1);
  g_assert_cmpint (append (model, ORDERS_PAGE_2, &error), ==, 0);
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpuint (changes.calls, ==, 1);
  g_assert_cmpuint (changes.position, ==, 3);
  g_assert_cmpuint (changes.added, ==, 1);
  last = row_at (model, 3);
  g_assert_cmpint (kt_row_get_id (last), ==, 93824704);
}

static void
test_invalid_page (void)
{
  const char *pages[] = {
    "[{\"id\":1,\"status\":\"COMPLETE\"},{\"id\":2,",
    "[{\"id\":1,:\"x\"}]",
    "\"just a string\"",
    "42",
    "",
  };
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));

  g_assert_cmpint (append (model, ORDERS_PAGE_2, NULL), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("page %s", pages[i]);
      g_assert_cmpint (append (model, pages[i], &error), ==, -1);
      g_assert_error (error, KT_ERROR, KT_ERROR_INVALID_RESPONSE);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_compact_json (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("products"));
  g_autoptr(KtRow) row = NULL;
  g_autoptr(KtRow) other = NULL;
  g_autofree char *json = NULL;
  g_autofree char *other_json = NULL;

  g_assert_cmpint (append (model,
                           "[\n  {\n    \"id\" : 826018,\n    \"name\" : \"Flat  White, \\\"large\\\" ]\",\n"
                           "    \"barcode\" : \"0093000000011\",\n    \"tags\" : [ \"Coffee\", \"Hot\" ]\n  } ,\n"
                           "  { \"id\": 2, \"name\": \"x\" }\n]\n", NULL), ==, 2);

  row = row_at (model, 0);
  json = kt_row_dup_json (row);
  g_assert_cmpstr (json, ==,
                   "{\"id\":826018,\"name\":\"Flat  White, \\\"large\\\" ]\",\"barcode\":\"0093000000011\",\"tags\":[\"Coffee\",\"Hot\"]}");
  g_assert_cmpstr (kt_row_get_value (row, 1), ==, "Flat  White, \"large\" ]");
  g_assert_cmpstr (kt_row_get_value (row, 3), ==, "0093000000011");
  g_assert_cmpstr (kt_row_get_value (row, 5), ==, "Coffee, Hot");

  other = row_at (model, 1);
  other_json = kt_row_dup_json (other);
  g_assert_cmpstr (other_json, ==, "{\"id\":2,\"name\":\"x\"}");
}

/* Inventory's "id" and "product" columns share the "id" value. */
static void
test_shared_value_json (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("inventory"));
  g_autoptr(KtRow) row = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (append (model, "[{\"id\":826017,\"stock\":58},{\"id\":826018,\"stock\":3}]", NULL), ==, 2);

  row = row_at (model, 0);
  json = kt_row_dup_json (row);
  g_assert_cmpstr (json, ==, "{\"id\":826017,\"stock\":58}");
  g_assert_cmpstr (kt_row_get_value (row, 0), ==, "826017");
  g_assert_cmpstr (kt_row_get_value (row, 1), ==, "826017");
  g_assert_cmpstr (kt_row_get_value (row, 2), ==, "58");
}

static void
test_values_in_place (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("shifts"));
  g_autoptr(KtRow) row = NULL;
  g_autofree char *json = NULL;
  const char *text =
    "{\"id\":-12,\"staff_member\":{\"id\":4,\"first_name\":\"\",\"last_name\":\"O\\u2019Neil\"},"
    "\"site\":{\"name\":\"Quay\"},\"started_at\":null,\"finished_at\":1.5e3}";
  g_autofree char *page = g_strconcat ("[", text, "]", NULL);

  g_assert_cmpint (append (model, page, NULL), ==, 1);
  row = row_at (model, 0);

  g_assert_cmpstr (kt_row_get_value (row, 0), ==, "-12");
  g_assert_cmpstr (kt_row_get_value (row, 1), ==, "");
  g_assert_cmpstr (kt_row_get_value (row, 2), ==, "O\u2019Neil");
  g_assert_cmpstr (kt_row_get_value (row, 3), ==, "Quay");
  g_assert_null (kt_row_get_value (row, 4));
  g_assert_cmpstr (kt_row_get_value (row, 5), ==, "1.5e3");

  json = kt_row_dup_json (row);
  g_assert_cmpstr (json, ==, text);
}

static void
test_single_object (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("company"));
  g_autoptr(KtRow) row = NULL;

  g_assert_cmpint (append (model, "{\"id\":5678,\"name\":\"Harbour Espresso\",\"timezone\":{\"name\":\"Australia/Sydney\"}}", NULL), ==, 1);
  row = row_at (model, 0);
  g_assert_cmpint (kt_row_get_id (row), ==, 5678);
  g_assert_cmpstr (kt_row_get_value (row, 3), ==, "Australia/Sydney");
}

static void
test_rows_without_id (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));

  g_assert_cmpint (append (model, "[{\"status\":\"A\"},{\"status\":\"B\"},7,null]", NULL), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_number_values (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtRow) first = NULL;
  g_autoptr(KtRow) second = NULL;
  double value = 0;

  append (model, ORDERS_PAGE_1, NULL);
  first = row_at (model, 0);
  second = row_at (model, 1);

  g_assert_true (kt_row_get_number (first, column ("total"), &value));
  g_assert_cmpfloat (value, ==, 9.0);
  g_assert_true (kt_row_get_number (second, column ("total"), &value));
  g_assert_cmpfloat (value, ==, 4.09);
  g_assert_false (kt_row_get_number (first, column ("status"), &value));
  g_assert_false (kt_row_get_number (second, column ("created_at"), &value));
}

static void
test_matches (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  g_autoptr(KtRow) row = NULL;

  append (model, ORDERS_PAGE_1, NULL);
  row = row_at (model, 0);

  g_assert_true (kt_row_matches (row, ""));
  g_assert_true (kt_row_matches (row, NULL));
  g_assert_true (kt_row_matches (row, "st1"));
  g_assert_true (kt_row_matches (row, "complete 1042"));
  g_assert_true (kt_row_matches (row, "93824701"));
  g_assert_false (kt_row_matches (row, "pending"));
  g_assert_false (kt_row_matches (row, "complete 9999"));
  /* The total is shown but not searched. */
  g_assert_false (kt_row_matches (row, "2024-03-02"));
}

static void
test_matches_any_case (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("customers"));
  g_autoptr(KtRow) row = NULL;
  g_autofree char *accented = g_utf8_casefold ("ZOË", -1);
  g_autofree char *sharp_s = g_utf8_casefold ("STRASSE", -1);

  append (model, "[{\"id\":7,\"first_name\":\"Zoë\",\"last_name\":\"Straße\","
                 "\"email\":\"Zoe.Smith@Example.COM\",\"phone\":null}]", NULL);
  row = row_at (model, 0);

  /* ASCII values are matched without casefolding them. */
  g_assert_true (kt_row_matches (row, "zoe.smith@example.com"));
  g_assert_true (kt_row_matches (row, "example"));
  g_assert_false (kt_row_matches (row, "examples"));
  /* Other values are casefolded, as the query is. */
  g_assert_true (kt_row_matches (row, accented));
  g_assert_true (kt_row_matches (row, sharp_s));
  g_assert_true (kt_row_matches (row, "strasse zoë"));
  g_assert_false (kt_row_matches (row, "zoey strasse"));
  g_assert_false (kt_row_matches (row, "ë@"));
}

static void
test_clear (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("orders"));
  Changes changes = { 0 };

  append (model, ORDERS_PAGE_1, NULL);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &changes);
  kt_row_model_clear (model);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpuint (changes.removed, ==, 3);
  /* After a clear, the same rows count as new. */
  g_assert_cmpint (append (model, ORDERS_PAGE_1, NULL), ==, 3);
}

static void
test_many_ids (void)
{
  g_autoptr(KtRowModel) model = kt_row_model_new (kt_catalogue_lookup ("taxes"));
  GString *page = g_string_new ("[");
  g_autoptr(GBytes) bytes = NULL;
  guint i;

  /* Ids around 0, negative and beyond 2^32, twice each. */
  for (i = 0; i < 2000; i++)
    g_string_append_printf (page, "%s{\"id\":%" G_GINT64_FORMAT "},{\"id\":%" G_GINT64_FORMAT "}",
                            i == 0 ? "" : ",",
                            (gint64) i * G_GINT64_CONSTANT (4294967311) - 1000,
                            (gint64) i * G_GINT64_CONSTANT (4294967311) - 1000);
  g_string_append (page, ",{\"id\":0},{\"id\":0}]");
  bytes = g_string_free_to_bytes (page);

  g_assert_cmpint (kt_row_model_append_page (model, bytes, NULL), ==, 2001);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/row-model/append-page", test_append_page);
  g_test_add_func ("/row-model/duplicates-dropped", test_duplicates_dropped);
  g_test_add_func ("/row-model/invalid-page", test_invalid_page);
  g_test_add_func ("/row-model/compact-json", test_compact_json);
  g_test_add_func ("/row-model/values-in-place", test_values_in_place);
  g_test_add_func ("/row-model/shared-value-json", test_shared_value_json);
  g_test_add_func ("/row-model/single-object", test_single_object);
  g_test_add_func ("/row-model/rows-without-id", test_rows_without_id);
  g_test_add_func ("/row-model/number-values", test_number_values);
  g_test_add_func ("/row-model/matches", test_matches);
  g_test_add_func ("/row-model/matches-any-case", test_matches_any_case);
  g_test_add_func ("/row-model/clear", test_clear);
  g_test_add_func ("/row-model/many-ids", test_many_ids);

  return g_test_run ();
}
