#define G_LOG_DOMAIN "test-sandbox-data"

#include "config.h"

#include "sandbox/kt-sandbox-data.h"

/* The generator's building blocks: time zone rule, number formats, sizes. */

static void
test_utc_offset (void)
{
  /* Daylight time began 2025-10-05 02:00 +10:00 (16:00 UTC the day before)
   * and ended 2026-04-05 03:00 +11:00 (16:00 UTC the day before). */
  const struct
  {
    const char *utc;
    int offset;
  } cases[] = {
    { "2025-07-01T00:00:00Z", 10 },
    { "2025-10-04T15:59:59Z", 10 },
    { "2025-10-04T16:00:00Z", 11 },
    { "2026-01-15T00:00:00Z", 11 },
    { "2026-04-04T15:59:59Z", 11 },
    { "2026-04-04T16:00:00Z", 10 },
    { "2026-06-30T12:00:00Z", 10 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (cases[i].utc, NULL);

      g_assert_nonnull (dt);
      g_assert_cmpint (kt_sandbox_utc_offset (g_date_time_to_unix (dt)), ==, cases[i].offset * 3600);
    }
}

static void
test_local_midnight (void)
{
  g_autoptr(GDateTime) winter = g_date_time_new_from_iso8601 ("2025-07-01T00:00:00+10:00", NULL);
  g_autoptr(GDateTime) summer = g_date_time_new_from_iso8601 ("2026-01-15T00:00:00+11:00", NULL);

  g_assert_cmpint (kt_sandbox_local_midnight (2025, 7, 1), ==, g_date_time_to_unix (winter));
  g_assert_cmpint (kt_sandbox_local_midnight (2026, 1, 15), ==, g_date_time_to_unix (summer));
}

static void
test_parse_time (void)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 ("2026-03-01T14:00:00Z", NULL);
  g_autoptr(GDateTime) local = g_date_time_new_from_iso8601 ("2026-03-01T14:00:00+11:00", NULL);

  g_assert_cmpint (kt_sandbox_parse_time ("2026-03-01"), ==, kt_sandbox_local_midnight (2026, 3, 1));
  g_assert_cmpint (kt_sandbox_parse_time ("2026-03-01T14:00:00Z"), ==, g_date_time_to_unix (utc));
  g_assert_cmpint (kt_sandbox_parse_time ("2026-03-01T14:00:00"), ==, g_date_time_to_unix (local));
  g_assert_cmpint (kt_sandbox_parse_time ("2026-02-30"), ==, G_MININT64);
  g_assert_cmpint (kt_sandbox_parse_time ("yesterday"), ==, G_MININT64);
  g_assert_cmpint (kt_sandbox_parse_time (NULL), ==, G_MININT64);
}

static void
test_json_formats (void)
{
  const struct
  {
    gint64 cents;
    const char *number;
    const char *text;
  } money[] = {
    { 900, "9", "\"9.0\"" },
    { 409, "4.09", "\"4.09\"" },
    { 410, "4.1", "\"4.1\"" },
    { 0, "0", "\"0.0\"" },
    { -1250, "-12.5", "\"-12.5\"" },
    { 5, "0.05", "\"0.05\"" },
  };
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (money); i++)
    {
      g_string_truncate (out, 0);
      kt_json_money (out, money[i].cents);
      g_assert_cmpstr (out->str, ==, money[i].number);
    }

  kt_json_set_money_as_strings (TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (money); i++)
    {
      g_string_truncate (out, 0);
      kt_json_money (out, money[i].cents);
      g_assert_cmpstr (out->str, ==, money[i].text);
    }
  kt_json_set_money_as_strings (FALSE);

  g_string_truncate (out, 0);
  kt_json_string (out, "O'Connor \"Café\"\\\n\x01");
  g_assert_cmpstr (out->str, ==, "\"O'Connor \\\"Café\\\"\\\\\\n\\u0001\"");

  g_string_truncate (out, 0);
  kt_json_string (out, NULL);
  g_assert_cmpstr (out->str, ==, "null");

  g_string_truncate (out, 0);
  kt_json_time (out, kt_sandbox_local_midnight (2026, 1, 15) + 8 * 3600 + 15 * 60);
  g_assert_cmpstr (out->str, ==, "\"2026-01-15T08:15:00+11:00\"");
}

static void
test_generate (void)
{
  KtSandboxData *first = kt_sandbox_data_generate (3, KT_SANDBOX_SCALE_SMALL);
  KtSandboxData *second = kt_sandbox_data_generate (3, KT_SANDBOX_SCALE_SMALL);
  guint paid_orders = 0;

  g_assert_cmpuint (first->n_orders, ==, 600);
  g_assert_cmpuint (first->n_lines, ==, second->n_lines);
  for (guint i = 0; i < first->n_orders; i++)
    {
      const KtOrder *order = &first->orders[i];
      gint64 total = 0;

      g_assert_cmpint (order->id, ==, second->orders[i].id);
      g_assert_cmpint (order->total, ==, second->orders[i].total);
      if (i > 0)
        {
          g_assert_cmpint (order->id, >, first->orders[i - 1].id);
          g_assert_cmpint (order->created_at, >=, first->orders[i - 1].created_at);
        }
      for (guint l = 0; l < order->n_lines; l++)
        total += kt_line_total (first, &first->lines[order->first_line + l]);
      g_assert_cmpint (total, ==, order->total);
      paid_orders += order->paid > 0;
    }
  g_assert_cmpuint (paid_orders, >, 500);

  for (guint i = 0; i < first->n_products; i++)
    g_assert_cmpint (kt_sandbox_data_find (first->products, first->n_products, sizeof *first->products,
                                           first->products[i].id), ==, (int) i);
  g_assert_cmpint (kt_sandbox_data_find (first->products, first->n_products, sizeof *first->products, 1), ==, -1);

  kt_sandbox_data_free (first);
  kt_sandbox_data_free (second);
}

static void
test_generate_until_time (void)
{
  /* 09:23 in Sydney on the default end date, after the first orders of
   * the day and before its afternoon shifts end and its cash-ups. */
  gint64 end_time = kt_sandbox_local_midnight (2026, 6, 30) + 9 * 3600 + 23 * 60;
  KtSandboxData *whole = kt_sandbox_data_generate (5, KT_SANDBOX_SCALE_DEMO);
  KtSandboxData *cut = kt_sandbox_data_generate_until_time (5, KT_SANDBOX_SCALE_DEMO, end_time);
  KtSandboxData *again = kt_sandbox_data_generate_until_time (5, KT_SANDBOX_SCALE_DEMO, end_time);
  guint kept = 0, orders_on_last_day = 0;

  g_assert_cmpuint (cut->n_days, ==, whole->n_days);
  g_assert_cmpint (cut->first_day, ==, whole->first_day);

  /* Nothing lies after the end time. */
  for (guint i = 0; i < cut->n_orders; i++)
    {
      g_assert_cmpint (kt_order_updated_at (&cut->orders[i]), <=, end_time);
      orders_on_last_day += cut->orders[i].created_at >= kt_sandbox_local_midnight (2026, 6, 30);
    }
  for (guint i = 0; i < cut->n_shifts; i++)
    {
      g_assert_cmpint (cut->shifts[i].started_at, <=, end_time);
      g_assert_cmpint (cut->shifts[i].finished_at, <=, end_time);
    }
  for (guint i = 0; i < cut->n_cashups; i++)
    g_assert_cmpint (kt_cashup_time (cut, cut->cashups[i].day), <=, end_time);
  g_assert_cmpuint (orders_on_last_day, >, 0);

  /* What lies before it is the whole day's data, and the day is not
   * cashed up yet. */
  for (guint i = 0; i < whole->n_orders; i++)
    {
      if (kt_order_updated_at (&whole->orders[i]) > end_time)
        continue;
      g_assert_cmpuint (kept, <, cut->n_orders);
      g_assert_cmpint (cut->orders[kept].id, ==, whole->orders[i].id);
      g_assert_cmpint (cut->orders[kept].total, ==, whole->orders[i].total);
      kept++;
    }
  g_assert_cmpuint (kept, ==, cut->n_orders);
  g_assert_cmpuint (cut->n_orders, <, whole->n_orders);
  g_assert_cmpuint (cut->n_shifts, <, whole->n_shifts);
  g_assert_cmpuint (cut->n_cashups, ==, whole->n_cashups - whole->n_registers);

  /* The same end time gives the same data. */
  g_assert_cmpuint (again->n_orders, ==, cut->n_orders);
  g_assert_cmpuint (again->n_shifts, ==, cut->n_shifts);
  g_assert_cmpint (again->orders[again->n_orders - 1].id, ==, cut->orders[cut->n_orders - 1].id);

  kt_sandbox_data_free (whole);
  kt_sandbox_data_free (cut);
  kt_sandbox_data_free (again);
}

/* Returns the index of @staff's shift that covers @time, or -1. */
static int
find_covering_shift (const KtSandboxData *data,
                     guint                staff,
                     gint64               time)
{
  for (guint i = 0; i < data->n_shifts; i++)
    {
      const KtShift *shift = &data->shifts[i];

      if (shift->staff == staff && shift->started_at < time
          && (shift->finished_at == 0 || shift->finished_at > time))
        return (int) i;
    }

  return -1;
}

/* No member works two shifts at once. */
static void
assert_no_overlap (const KtSandboxData *data)
{
  for (guint i = 0; i < data->n_shifts; i++)
    {
      const KtShift *a = &data->shifts[i];
      gint64 a_end = a->finished_at != 0 ? a->finished_at : G_MAXINT64;

      g_assert_cmpint (a->started_at, <, a_end);
      for (guint j = i + 1; j < data->n_shifts; j++)
        {
          const KtShift *b = &data->shifts[j];
          gint64 b_end = b->finished_at != 0 ? b->finished_at : G_MAXINT64;

          if (a->staff != b->staff)
            continue;
          if (a->started_at < b_end && b->started_at < a_end)
            g_error ("Shifts %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " of staff %u overlap",
                     a->id, b->id, a->staff);
        }
    }
}

static void
test_shifts_cover_orders (void)
{
  KtSandboxData *data = kt_sandbox_data_generate (5, KT_SANDBOX_SCALE_DEMO);
  KtSandboxData *again = kt_sandbox_data_generate (5, KT_SANDBOX_SCALE_DEMO);

  /* Every order falls in a shift of the member who took it, and every
   * shift of a fixed end date is finished. */
  g_assert_cmpuint (data->n_shifts, >, 0);
  for (guint i = 0; i < data->n_orders; i++)
    {
      const KtOrder *order = &data->orders[i];
      int shift = find_covering_shift (data, order->staff, order->created_at);

      g_assert_cmpint (shift, >=, 0);
      g_assert_cmpint (data->shifts[shift].finished_at, >=, kt_order_updated_at (order));
    }
  for (guint i = 0; i < data->n_shifts; i++)
    {
      g_assert_cmpint (data->shifts[i].finished_at, !=, 0);
      if (i > 0)
        g_assert_cmpint (data->shifts[i].id, >, data->shifts[i - 1].id);
    }
  assert_no_overlap (data);

  /* A fixed end date gives the same shifts every time. */
  g_assert_cmpuint (again->n_shifts, ==, data->n_shifts);
  for (guint i = 0; i < data->n_shifts; i++)
    {
      g_assert_cmpint (again->shifts[i].id, ==, data->shifts[i].id);
      g_assert_cmpuint (again->shifts[i].staff, ==, data->shifts[i].staff);
      g_assert_cmpint (again->shifts[i].started_at, ==, data->shifts[i].started_at);
      g_assert_cmpint (again->shifts[i].finished_at, ==, data->shifts[i].finished_at);
      g_assert_cmpuint (again->shifts[i].break_minutes, ==, data->shifts[i].break_minutes);
    }

  kt_sandbox_data_free (data);
  kt_sandbox_data_free (again);
}

static void
test_shifts_today (void)
{
  /* 10:00 in Sydney on the default end date, while the day's orders go
   * on. */
  gint64 midnight = kt_sandbox_local_midnight (2026, 6, 30);
  gint64 end_time = midnight + 10 * 3600;
  KtSandboxData *whole = kt_sandbox_data_generate (5, KT_SANDBOX_SCALE_DEMO);
  KtSandboxData *cut = kt_sandbox_data_generate_until_time (5, KT_SANDBOX_SCALE_DEMO, end_time);
  guint orders_today = 0;
  guint open = 0;

  /* Each member with orders today has a shift that started before them. */
  for (guint i = 0; i < cut->n_orders; i++)
    {
      const KtOrder *order = &cut->orders[i];
      int shift;

      if (order->created_at < midnight)
        continue;
      orders_today++;
      shift = find_covering_shift (cut, order->staff, order->created_at);
      g_assert_cmpint (shift, >=, 0);
      g_assert_cmpint (cut->shifts[shift].started_at, >=, midnight);
    }
  g_assert_cmpuint (orders_today, >, 0);

  /* A shift going on at the end time has no finish, and one that ended
   * keeps its finish. */
  for (guint i = 0; i < cut->n_shifts; i++)
    {
      const KtShift *shift = &cut->shifts[i];

      g_assert_cmpint (shift->started_at, <=, end_time);
      if (shift->finished_at != 0)
        continue;
      open++;
      g_assert_cmpint (shift->started_at, >=, midnight);
      if (shift->break_minutes > 0)
        g_assert_cmpint (kt_shift_break_start (shift) + shift->break_minutes * 60, <=, end_time);
      for (guint j = 0; j < whole->n_shifts; j++)
        if (whole->shifts[j].id == shift->id)
          g_assert_cmpint (whole->shifts[j].finished_at, >, end_time);
    }
  g_assert_cmpuint (open, >, 0);
  assert_no_overlap (cut);

  kt_sandbox_data_free (whole);
  kt_sandbox_data_free (cut);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sandbox-data/utc-offset", test_utc_offset);
  g_test_add_func ("/sandbox-data/local-midnight", test_local_midnight);
  g_test_add_func ("/sandbox-data/parse-time", test_parse_time);
  g_test_add_func ("/sandbox-data/json-formats", test_json_formats);
  g_test_add_func ("/sandbox-data/generate", test_generate);
  g_test_add_func ("/sandbox-data/generate-until-time", test_generate_until_time);
  g_test_add_func ("/sandbox-data/shifts-cover-orders", test_shifts_cover_orders);
  g_test_add_func ("/sandbox-data/shifts-today", test_shifts_today);

  return g_test_run ();
}
