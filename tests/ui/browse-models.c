/* The browsing code that needs no display: value formatting and the
 * search and slot models over a row model. */
#define G_LOG_DOMAIN "browse-models"

#include "config.h"

#include <string.h>

#include "core/kt-catalogue.h"
#include "core/kt-row-model.h"
#include "ui/kt-format.h"
#include "ui/kt-search-model.h"
#include "ui/kt-slot-model.h"

static void
test_format_money (void)
{
  static const struct
  {
    const char *value;
    const char *currency;
    const char *expected;
  } cases[] = {
    { "4.09", "AUD", "$4.09" },
    { "9", "NZD", "$9.00" },
    { "-2.5", "AUD", "−$2.50" },
    { "3.005", "GBP", "£3.00" },
    { "12", "EUR", "€12.00" },
    { "7.1", "CHF", "CHF 7.10" },
    { "7.1", NULL, "7.10" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kt_format_money (cases[i].value, cases[i].currency);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  g_assert_null (kt_format_money ("four", "AUD"));
  g_assert_null (kt_format_money ("", "AUD"));
  g_assert_null (kt_format_money (NULL, "AUD"));
}

static void
test_format_percent (void)
{
  static const struct
  {
    const char *fraction;
    const char *expected;
  } cases[] = {
    { "0.1", "10 %" },
    { "0", "0 %" },
    { "0.125", "12.5 %" },
    { "0.07", "7 %" },
    { "1", "100 %" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kt_format_percent (cases[i].fraction);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  g_assert_null (kt_format_percent ("ten"));
}

static void
test_format_datetime (void)
{
  g_autoptr(GTimeZone) sydney = kt_format_time_zone ("Australia/Sydney");
  g_autoptr(GTimeZone) fallback = kt_format_time_zone ("Not/A_Zone");
  g_autofree char *same_offset = kt_format_datetime ("2024-03-02T08:15:00+11:00", sydney);
  g_autofree char *from_utc = kt_format_datetime ("2024-03-01T21:15:00Z", sydney);
  g_autofree char *winter = kt_format_datetime ("2024-07-01T00:00:00Z", sydney);
  g_autofree char *date_only = kt_format_datetime ("2024-03-01", sydney);
  g_autofree char *in_utc = kt_format_datetime ("2024-03-02T08:15:00+11:00", fallback);

  /* Sydney is UTC+11 in March (daylight saving) and UTC+10 in July. */
  g_assert_cmpstr (same_offset, ==, "2024-03-02 08:15");
  g_assert_cmpstr (from_utc, ==, "2024-03-02 08:15");
  g_assert_cmpstr (winter, ==, "2024-07-01 10:00");
  g_assert_cmpstr (date_only, ==, "2024-03-01");
  /* An unknown zone name falls back to UTC. */
  g_assert_cmpstr (in_utc, ==, "2024-03-01 21:15");
  g_assert_null (kt_format_datetime ("yesterday", sydney));
}

static void
test_format_value_kinds (void)
{
  g_autofree char *yes = kt_format_value (KT_COLUMN_BOOLEAN, "true", NULL, NULL);
  g_autofree char *no = kt_format_value (KT_COLUMN_BOOLEAN, "false", NULL, NULL);
  g_autofree char *absent = kt_format_value (KT_COLUMN_TEXT, NULL, NULL, NULL);
  g_autofree char *odd_money = kt_format_value (KT_COLUMN_MONEY, "n/a", "AUD", NULL);
  g_autofree char *barcode = kt_format_value (KT_COLUMN_TEXT, "0093000826009", "AUD", NULL);

  g_assert_cmpstr (yes, ==, "Yes");
  g_assert_cmpstr (no, ==, "No");
  g_assert_cmpstr (absent, ==, "");
  /* A value of an unexpected type is shown as received. */
  g_assert_cmpstr (odd_money, ==, "n/a");
  g_assert_cmpstr (barcode, ==, "0093000826009");
}

static KtRowModel *
new_customers (void)
{
  const KtResource *resource = kt_catalogue_lookup ("customers");
  KtRowModel *model = kt_row_model_new (resource);
  g_autoptr(GBytes) page = NULL;
  g_autoptr(GError) error = NULL;
  const char *json =
    "[{\"id\":1,\"first_name\":\"Zoë\",\"last_name\":\"Éclair\",\"email\":\"zoe@example.com\",\"phone\":\"0400 111 222\"},"
    " {\"id\":2,\"first_name\":\"Sam\",\"last_name\":\"Rivera\",\"email\":\"sam@example.org\",\"phone\":null},"
    " {\"id\":3,\"first_name\":\"Samir\",\"last_name\":\"Khan\",\"email\":\"samir@example.com\",\"phone\":\"0400 333 444\"},"
    " {\"id\":4,\"first_name\":\"Ana\",\"last_name\":\"Sam\",\"email\":\"ana@example.net\"}]";

  page = g_bytes_new_static (json, strlen (json));
  g_assert_cmpint (kt_row_model_append_page (model, page, &error), ==, 4);
  g_assert_no_error (error);

  return model;
}

static void
check_search_agrees (KtSearchModel *search,
                     KtRowModel    *rows,
                     const char    *query)
{
  g_autofree char *folded = g_utf8_casefold (query, -1);
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (rows));
  guint position = 0;

  kt_search_model_set_query (search, query);
  for (guint i = 0; i < n_rows; i++)
    {
      g_autoptr(KtRow) row = g_list_model_get_item (G_LIST_MODEL (rows), i);

      if (!kt_row_matches (row, folded))
        continue;

      {
        g_autoptr(KtRow) shown = g_list_model_get_item (G_LIST_MODEL (search), position);

        g_assert_nonnull (shown);
        g_assert_cmpint (kt_row_get_id (shown), ==, kt_row_get_id (row));
      }
      position++;
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, position);
}

static void
test_search_matches_like_rows (void)
{
  g_autoptr(KtRowModel) rows = new_customers ();
  g_autoptr(KtSearchModel) search = kt_search_model_new (G_LIST_MODEL (rows), kt_catalogue_lookup ("customers"));
  const char *queries[] = { "sam", "SAM", "sam rivera", "éclair", "ÉCLAIR", "zoë", "example.com",
                            "0400", "nobody", "  ", "", "sam khan", "an" };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    check_search_agrees (search, rows, queries[i]);
}

static void
test_search_follows_new_pages (void)
{
  g_autoptr(KtRowModel) rows = new_customers ();
  g_autoptr(KtSearchModel) search = kt_search_model_new (G_LIST_MODEL (rows), kt_catalogue_lookup ("customers"));
  g_autoptr(GBytes) page = NULL;
  const char *json = "[{\"id\":5,\"first_name\":\"Samantha\",\"last_name\":\"Lee\",\"email\":\"s@example.com\"},"
                     " {\"id\":6,\"first_name\":\"Lee\",\"last_name\":\"Wong\",\"email\":\"w@example.com\"}]";

  kt_search_model_set_query (search, "sam");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 3);

  page = g_bytes_new_static (json, strlen (json));
  g_assert_cmpint (kt_row_model_append_page (rows, page, NULL), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 4);
  check_search_agrees (search, rows, "sam");

  kt_row_model_clear (rows);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (search)), ==, 0);
}

static void
test_slots_keep_positions (void)
{
  g_autoptr(KtRowModel) rows = new_customers ();
  g_autoptr(KtSearchModel) search = kt_search_model_new (G_LIST_MODEL (rows), kt_catalogue_lookup ("customers"));
  g_autoptr(KtSlotModel) slots = kt_slot_model_new (G_LIST_MODEL (search));
  g_autoptr(KtRowSlot) first = g_list_model_get_item (G_LIST_MODEL (slots), 0);
  g_autoptr(KtRowSlot) first_again = NULL;
  g_autoptr(KtRow) shown = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 4);
  g_assert_cmpint (kt_row_get_id (kt_row_slot_get_row (first)), ==, 1);

  /* The first position now shows another row, in the same slot. */
  kt_search_model_set_query (search, "khan");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 1);
  first_again = g_list_model_get_item (G_LIST_MODEL (slots), 0);
  g_assert_true (first_again == first);
  shown = g_list_model_get_item (G_LIST_MODEL (search), 0);
  g_assert_true (kt_row_slot_get_row (first) == shown);
  g_assert_cmpint (kt_row_get_id (kt_row_slot_get_row (first)), ==, 3);

  kt_search_model_set_query (search, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (slots)), ==, 4);
  g_assert_cmpint (kt_row_get_id (kt_row_slot_get_row (first)), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/money", test_format_money);
  g_test_add_func ("/format/datetime", test_format_datetime);
  g_test_add_func ("/format/percent", test_format_percent);
  g_test_add_func ("/format/value-kinds", test_format_value_kinds);
  g_test_add_func ("/search/matches-like-rows", test_search_matches_like_rows);
  g_test_add_func ("/search/follows-new-pages", test_search_follows_new_pages);
  g_test_add_func ("/slots/keep-positions", test_slots_keep_positions);

  return g_test_run ();
}
