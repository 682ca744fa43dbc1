#define G_LOG_DOMAIN "test-sandbox-api"

#include "config.h"

#include <math.h>
#include <string.h>

#include "sandbox-test.h"

/* The resources, their filters, pagination and the generated data. */

typedef struct
{
  KtSandbox *sandbox;
  SoupSession *session;
  char *basic;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_object_set (fixture->sandbox, "basic-limit", 1000000, NULL);
  if (user_data != NULL)
    g_object_set (fixture->sandbox, "page-size", GPOINTER_TO_UINT (user_data), NULL);
  kt_sandbox_start (fixture->sandbox, 0, &error);
  g_assert_no_error (error);
  fixture->session = kt_test_session_new (FALSE);
  fixture->basic = kt_test_basic (fixture->sandbox);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  kt_sandbox_stop (fixture->sandbox);
  g_clear_object (&fixture->sandbox);
  g_free (fixture->basic);
}

/* GETs @path under the company and returns the parsed body; asserts @status. */
static JsonNode *
get_json (Fixture    *fixture,
          const char *path,
          guint       status)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, path);
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, fixture->basic);

  g_assert_cmpuint (response->status, ==, status);
  g_assert_nonnull (strstr (kt_response_header (response, "Content-Type"), "application/json"));
  return kt_response_json (response);
}

static GPtrArray *
fetch_all (Fixture    *fixture,
           const char *path)
{
  return kt_test_fetch_all (fixture->sandbox, fixture->session, path, fixture->basic);
}

static gint64
row_id (JsonNode *row)
{
  return json_object_get_int_member (json_node_get_object (row), "id");
}

static gint64
cents (JsonObject *object,
       const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  double value;
  gint64 rounded;

  g_assert_nonnull (node);
  value = json_node_get_double (node);
  rounded = llround (value * 100);
  /* Money is always a whole number of cents. */
  g_assert_cmpfloat (fabs (value * 100 - (double) rounded), <, 1e-6);
  return rounded;
}

static void
assert_ids_unique_ascending (GPtrArray *rows)
{
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpint (row_id (rows->pdata[i - 1]), <, row_id (rows->pdata[i]));
}

static void
test_companies_me (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *uri = g_strconcat (kt_sandbox_get_api_uri (fixture->sandbox), "companies/me.json", NULL);
  g_autoptr(KtResponse) redirect = kt_test_get (fixture->session, uri, fixture->basic);
  g_autofree char *expected = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT ".json",
                                               kt_sandbox_get_api_uri (fixture->sandbox),
                                               kt_sandbox_get_company_id (fixture->sandbox));
  g_autoptr(KtResponse) company = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_assert_cmpuint (redirect->status, ==, 302);
  g_assert_cmpstr (kt_response_header (redirect, "Location"), ==, expected);
  g_assert_cmpint (kt_response_header_int (redirect, "X-Ratelimit-Remaining"), ==, 999999);

  company = kt_test_get (fixture->session, kt_response_header (redirect, "Location"), fixture->basic);
  g_assert_cmpuint (company->status, ==, 200);
  g_assert_cmpint (kt_response_header_int (company, "X-Ratelimit-Remaining"), ==, 999998);
  node = kt_response_json (company);
  object = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, kt_sandbox_get_company_id (fixture->sandbox));
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, kt_sandbox_get_company_name (fixture->sandbox));
  g_assert_cmpstr (json_object_get_string_member (object, "currency"), ==, "AUD");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (object, "timezone"), "name"), ==,
                   "Australia/Sydney");
}

static void
test_accept (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "sites");
  /* Accept values and the status each gets for a path without .json:
   * as Kounta documents, only application/json itself will do. */
  const struct
  {
    const char *accept;
    guint status;
  } cases[] = {
    { NULL, 406 },
    { "application/json", 200 },
    { "application/json; charset=utf-8", 200 },
    { "text/html, application/json;q=0.5", 200 },
    { "*/*", 406 },
    { "application/*", 406 },
    { "text/html, */*;q=0.8", 406 },
    { "text/html", 406 },
    { "text/html, application/xml", 406 },
    { "*/*, application/json;q=0", 406 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *const headers[] = { "Accept", cases[i].accept, NULL };
      g_autoptr(KtResponse) response = kt_test_request (fixture->session, "GET", uri, fixture->basic, NULL,
                                                        cases[i].accept != NULL ? headers : NULL);

      g_test_message ("Accept: %s", cases[i].accept != NULL ? cases[i].accept : "(none)");
      g_assert_cmpuint (response->status, ==, cases[i].status);
      g_assert_nonnull (strstr (kt_response_header (response, "Content-Type"), "application/json"));
      g_assert_nonnull (kt_response_header (response, "X-Ratelimit-Limit"));
      if (cases[i].status == 406)
        {
          g_autoptr(JsonNode) node = kt_response_json (response);
          const char *description = json_object_get_string_member (json_node_get_object (node),
                                                                   "error_description");

          if (cases[i].accept != NULL)
            g_assert_nonnull (strstr (description, cases[i].accept));
          g_assert_nonnull (strstr (description, "Accept: application/json"));
        }
    }
}

static void
test_invalid_company_id (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *uri = g_strconcat (kt_sandbox_get_api_uri (fixture->sandbox), "companies/abc/sites.json", NULL);
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, fixture->basic);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *company_id = g_strdup_printf ("%" G_GINT64_FORMAT, kt_sandbox_get_company_id (fixture->sandbox));
  const char *description;

  g_assert_cmpuint (response->status, ==, 404);
  node = kt_response_json (response);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "not_found");
  description = json_object_get_string_member (json_node_get_object (node), "error_description");
  g_assert_nonnull (strstr (description, "“abc”"));
  g_assert_nonnull (strstr (description, company_id));
  g_assert_nonnull (strstr (description, "companies/me"));
  g_assert_null (strstr (description, "in this company"));
}

static void
test_other_company (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *uri = g_strdup_printf ("%scompanies/%" G_GINT64_FORMAT "/products.json",
                                          kt_sandbox_get_api_uri (fixture->sandbox),
                                          kt_sandbox_get_company_id (fixture->sandbox) + 1);
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, fixture->basic);

  g_assert_cmpuint (response->status, ==, 403);
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *paths[] = {
    "nothing.json", "products/1.json", "orders/12.json", "sites/1/products.json",
    "customers/5/addresses.json", "price_lists/1/products.json", "products/826000/extra.json",
  };
  g_autofree char *outside = g_strconcat (kt_sandbox_get_api_uri (fixture->sandbox), "stores.json", NULL);
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, outside, fixture->basic);

  g_assert_cmpuint (response->status, ==, 404);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(JsonNode) node = get_json (fixture, paths[i], 404);

      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "not_found");
    }
}

static void
test_methods (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "products.json");
  g_autoptr(KtResponse) post = kt_test_request (fixture->session, "POST", uri, fixture->basic, "name=x", NULL);
  g_autoptr(KtResponse) head = kt_test_request (fixture->session, "HEAD", uri, fixture->basic, NULL, NULL);
  g_autoptr(JsonNode) node = kt_response_json (post);

  g_assert_cmpuint (post->status, ==, 405);
  g_assert_cmpstr (kt_response_header (post, "Allow"), ==, "GET, HEAD");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "error"), ==, "invalid_request");
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpuint (head->length, ==, 0);
  g_assert_nonnull (kt_response_header (head, "X-Pages"));
}

static void
test_list_counts (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const struct
  {
    const char *path;
    const char *resource;
  } lists[] = {
    { "sites.json", "sites" },
    { "registers.json", "registers" },
    { "staff.json", "staff" },
    { "taxes.json", "taxes" },
    { "payment_methods.json", "payment_methods" },
    { "categories.json", "categories" },
    { "products.json", "products" },
    { "price_lists.json", "price_lists" },
    { "customers.json", "customers" },
    { "orders.json", "orders" },
    { "shifts.json", "shifts" },
    { "cashups.json", "cashups" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autoptr(GPtrArray) rows = fetch_all (fixture, lists[i].path);

      g_test_message ("%s: %u rows", lists[i].path, rows->len);
      g_assert_cmpuint (rows->len, ==, kt_sandbox_count_rows (fixture->sandbox, lists[i].resource));
      g_assert_cmpuint (rows->len, >, 0);
      assert_ids_unique_ascending (rows);
    }

  g_assert_cmpuint (kt_sandbox_count_rows (fixture->sandbox, "sites"), ==, 2);
  g_assert_cmpuint (kt_sandbox_count_rows (fixture->sandbox, "products"), ==, 40);
  g_assert_cmpuint (kt_sandbox_count_rows (fixture->sandbox, "customers"), ==, 150);
  g_assert_cmpuint (kt_sandbox_count_rows (fixture->sandbox, "orders"), ==, 600);
  g_assert_cmpuint (kt_sandbox_count_rows (fixture->sandbox, "unknown"), ==, 0);
}

static void
test_paging_x_page (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "customers.json");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gint64 pages = -1;
  guint rows = 0;

  for (gint64 page = 0; pages < 0 || page < pages; page++)
    {
      g_autofree char *page_text = g_strdup_printf ("%" G_GINT64_FORMAT, page);
      const char *const headers[] = { "X-Page", page_text, NULL };
      g_autoptr(KtResponse) response = kt_test_request (fixture->session, "GET", uri, fixture->basic, NULL, headers);
      g_autoptr(JsonNode) node = kt_response_json (response);
      JsonArray *array = json_node_get_array (node);

      g_assert_cmpuint (response->status, ==, 200);
      pages = kt_response_header_int (response, "X-Pages");
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gint64 id = row_id (json_array_get_element (array, i));

          g_assert_false (g_hash_table_contains (seen, &id));
          g_hash_table_add (seen, g_memdup2 (&id, sizeof id));
          rows++;
        }
      if (page == pages - 1)
        g_assert_null (kt_response_header (response, "X-Next-Page"));
    }

  /* 150 customers, 7 a page. */
  g_assert_cmpint (pages, ==, 22);
  g_assert_cmpuint (rows, ==, 150);

  /* Past the last page: an empty array and no next page. */
  {
    const char *const past[] = { "X-Page", "22", NULL };
    g_autoptr(KtResponse) response = kt_test_request (fixture->session, "GET", uri, fixture->basic, NULL, past);
    g_autoptr(JsonNode) node = kt_response_json (response);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 0);
    g_assert_cmpint (kt_response_header_int (response, "X-Pages"), ==, 22);
    g_assert_null (kt_response_header (response, "X-Next-Page"));
  }
}

static void
test_paging_next_page (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GPtrArray) rows = fetch_all (fixture, "customers.json");
  g_autofree char *uri = kt_test_api (fixture->sandbox, "orders/complete.json?value_gte=10");
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, fixture->basic);
  const char *next = kt_response_header (response, "X-Next-Page");

  g_assert_cmpuint (rows->len, ==, 150);
  assert_ids_unique_ascending (rows);

  /* The next page keeps the filters and is an absolute URL. */
  g_assert_nonnull (next);
  g_assert_true (g_str_has_prefix (next, kt_sandbox_get_api_uri (fixture->sandbox)));
  g_assert_nonnull (strstr (next, "value_gte=10"));
  g_assert_nonnull (strstr (next, "page=2"));
}

static void
test_paging_page_query (Fixture       *fixture,
                        gconstpointer  user_data)
{
  guint total = 0;
  gint64 last = 0;

  for (guint page = 1;; page++)
    {
      g_autofree char *path = g_strdup_printf ("customers.json?page=%u", page);
      g_autoptr(JsonNode) node = get_json (fixture, path, 200);
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      for (guint i = 0; i < length; i++)
        {
          g_assert_cmpint (row_id (json_array_get_element (array, i)), >, last);
          last = row_id (json_array_get_element (array, i));
        }
      total += length;
      if (length < 7)
        break;
      g_assert_cmpuint (page, <, 100);
    }
  g_assert_cmpuint (total, ==, 150);
}

static void
test_paging_start (Fixture       *fixture,
                   gconstpointer  user_data)
{
  guint total = 0;
  gint64 last = 0;
  g_autoptr(JsonNode) bad = get_json (fixture, "customers.json?start=x", 400);

  for (guint round = 0;; round++)
    {
      g_autofree char *path = g_strdup_printf ("customers.json?start=%" G_GINT64_FORMAT, last);
      g_autoptr(JsonNode) node = get_json (fixture, path, 200);
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);

      if (length == 0)
        break;
      for (guint i = 0; i < length; i++)
        {
          g_assert_cmpint (row_id (json_array_get_element (array, i)), >, last);
          last = row_id (json_array_get_element (array, i));
        }
      total += length;
      g_assert_cmpuint (round, <, 100);
    }
  g_assert_cmpuint (total, ==, 150);
}

static void
test_products_filters (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(GPtrArray) all = fetch_all (fixture, "products.json");
  JsonObject *first = json_node_get_object (all->pdata[0]);
  JsonObject *second = json_node_get_object (all->pdata[1]);
  g_autofree char *sku_path = g_strdup_printf ("products.json?sku=%s", json_object_get_string_member (first, "code"));
  g_autofree char *ids_path = g_strdup_printf ("products.json?ids=%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
                                               row_id (all->pdata[0]), row_id (all->pdata[1]));
  g_autoptr(JsonNode) by_sku = get_json (fixture, sku_path, 200);
  g_autoptr(JsonNode) by_ids = get_json (fixture, ids_path, 200);
  g_autoptr(JsonNode) by_name = get_json (fixture, "products.json?name=latte", 200);
  g_autoptr(JsonNode) by_tag = get_json (fixture, "products.json?tag=coffee", 200);
  g_autoptr(JsonNode) bad_ids = get_json (fixture, "products.json?ids=1,x", 400);
  JsonArray *array;

  g_assert_cmpuint (json_array_get_length (json_node_get_array (by_sku)), ==, 1);
  array = json_node_get_array (by_ids);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (row_id (json_array_get_element (array, 1)), ==, row_id (all->pdata[1]));
  g_assert_nonnull (second);

  array = json_node_get_array (by_name);
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *name = g_ascii_strdown (json_object_get_string_member (json_array_get_object_element (array, i),
                                                                              "name"), -1);

      g_assert_nonnull (strstr (name, "latte"));
    }

  array = json_node_get_array (by_tag);
  g_assert_cmpuint (json_array_get_length (array), >=, 3);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonArray *tags = json_object_get_array_member (json_array_get_object_element (array, i), "tags");

      g_assert_cmpstr (json_array_get_string_element (tags, 0), ==, "Coffee");
    }
}

static void
test_products_by_site_and_category (Fixture       *fixture,
                                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) sites = fetch_all (fixture, "sites.json");
  g_autoptr(GPtrArray) categories = fetch_all (fixture, "categories.json");
  guint in_categories = 0;

  for (guint i = 0; i < sites->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/products.json", row_id (sites->pdata[i]));
      g_autoptr(GPtrArray) rows = fetch_all (fixture, path);

      g_assert_cmpuint (rows->len, >, 0);
      g_assert_cmpuint (rows->len, <=, 40);
    }

  for (guint i = 0; i < categories->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("categories/%" G_GINT64_FORMAT "/products.json",
                                               row_id (categories->pdata[i]));
      g_autoptr(GPtrArray) rows = fetch_all (fixture, path);

      for (guint r = 0; r < rows->len; r++)
        {
          JsonArray *cats = json_object_get_array_member (json_node_get_object (rows->pdata[r]), "categories");

          g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (cats, 0), "id"), ==,
                           row_id (categories->pdata[i]));
        }
      in_categories += rows->len;
    }
  g_assert_cmpuint (in_categories, ==, 40);
}

static void
test_customer_email (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GPtrArray) customers = fetch_all (fixture, "customers.json");
  JsonObject *customer = json_node_get_object (customers->pdata[3]);
  g_autofree char *escaped = g_uri_escape_string (json_object_get_string_member (customer, "email"), NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("customers.json?email=%s", escaped);
  g_autofree char *uri = kt_test_api (fixture->sandbox, path);
  g_autoptr(KtResponse) found = kt_test_get (fixture->session, uri, fixture->basic);
  g_autofree char *expected = g_strdup_printf ("customers/%" G_GINT64_FORMAT ".json", row_id (customers->pdata[3]));
  g_autofree char *expected_uri = kt_test_api (fixture->sandbox, expected);
  g_autoptr(JsonNode) missing = get_json (fixture, "customers.json?email=nobody%40example.com", 404);
  g_autoptr(JsonNode) record = get_json (fixture, expected, 200);

  g_assert_cmpuint (found->status, ==, 302);
  g_assert_cmpstr (kt_response_header (found, "Location"), ==, expected_uri);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (record), "email"), ==,
                   json_object_get_string_member (customer, "email"));
}

static void
test_customer_addresses (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GPtrArray) customers = fetch_all (fixture, "customers.json");
  guint with_address = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *path = g_strdup_printf ("customers/%" G_GINT64_FORMAT "/addresses.json",
                                               row_id (customers->pdata[i]));
      g_autoptr(JsonNode) node = get_json (fixture, path, 200);
      JsonArray *array = json_node_get_array (node);

      if (json_array_get_length (array) > 0)
        {
          JsonObject *address = json_array_get_object_element (array, 0);

          g_assert_cmpstr (json_object_get_string_member (address, "country"), ==, "AU");
          with_address++;
        }
    }
  g_assert_cmpuint (with_address, >, 0);
  g_assert_cmpuint (with_address, <, 20);
}

static void
test_orders_status (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *statuses[] = { "submitted", "on_hold", "pending", "accepted", "rejected", "complete" };
  guint total = 0;

  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    {
      g_autofree char *path = g_strdup_printf ("orders/%s.json", statuses[s]);
      g_autofree char *upper = g_ascii_strup (statuses[s], -1);
      g_autoptr(GPtrArray) rows = fetch_all (fixture, path);

      for (guint i = 0; i < rows->len; i++)
        g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rows->pdata[i]), "status"), ==, upper);
      total += rows->len;
    }
  g_assert_cmpuint (total, ==, 600);
}

static void
test_orders_created_range (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autoptr(GPtrArray) all = fetch_all (fixture, "orders.json");
  g_autoptr(GPtrArray) march = fetch_all (fixture, "orders.json?created_gte=2026-03-01&created_lt=2026-04-01");
  g_autoptr(GPtrArray) march_days = fetch_all (fixture, "orders.json?created_gt=2026-02-28&created_lte=2026-03-31");
  g_autoptr(GPtrArray) utc = fetch_all (fixture, "orders.json?created_gt=2026-03-01T00:00:00Z&created_lte=2026-03-02T00:00:00Z");
  g_autoptr(JsonNode) bad = get_json (fixture, "orders.json?created_gte=yesterday", 400);
  guint expected = 0;

  for (guint i = 0; i < all->len; i++)
    {
      const char *created = json_object_get_string_member (json_node_get_object (all->pdata[i]), "created_at");

      /* Sydney's local date is the text's date part. */
      if (g_str_has_prefix (created, "2026-03-"))
        expected++;
    }
  g_assert_cmpuint (march->len, ==, expected);
  g_assert_cmpuint (march->len, >, 0);

  /* A bare date stands for its whole day in lte and gt too. */
  g_assert_cmpuint (march_days->len, ==, expected);
  for (guint i = 0; i < utc->len; i++)
    {
      const char *created = json_object_get_string_member (json_node_get_object (utc->pdata[i]), "created_at");
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (created, NULL);

      g_assert_cmpint (g_date_time_to_unix (dt), >, 1772323200);
      g_assert_cmpint (g_date_time_to_unix (dt), <=, 1772409600);
    }
}

static void
test_orders_value_range (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(GPtrArray) rows = fetch_all (fixture, "orders.json?value_gte=20&value_lt=30.5");
  g_autoptr(JsonNode) bad = get_json (fixture, "orders.json?value_gt=ten", 400);

  g_assert_cmpuint (rows->len, >, 0);
  for (guint i = 0; i < rows->len; i++)
    {
      gint64 total = cents (json_node_get_object (rows->pdata[i]), "total");

      g_assert_cmpint (total, >=, 2000);
      g_assert_cmpint (total, <, 3050);
    }
}

static guint
count_scoped (Fixture    *fixture,
              const char *scope,
              const char *member)
{
  g_autofree char *list_path = g_strdup_printf ("%s.json", scope);
  g_autoptr(GPtrArray) owners = fetch_all (fixture, list_path);
  guint total = 0;

  for (guint i = 0; i < owners->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/orders.json", scope, row_id (owners->pdata[i]));
      g_autoptr(GPtrArray) rows = fetch_all (fixture, path);

      for (guint r = 0; r < rows->len && member != NULL; r++)
        g_assert_cmpint (json_object_get_int_member (json_node_get_object (rows->pdata[r]), member), ==,
                         row_id (owners->pdata[i]));
      total += rows->len;
    }
  return total;
}

static void
test_orders_prefixes (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GPtrArray) sites = fetch_all (fixture, "sites.json");
  g_autofree char *path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/orders/complete.json", row_id (sites->pdata[0]));
  g_autoptr(GPtrArray) complete = fetch_all (fixture, path);

  g_assert_cmpuint (count_scoped (fixture, "sites", "site_id"), ==, 600);
  g_assert_cmpuint (count_scoped (fixture, "registers", "register_id"), ==, 600);
  g_assert_cmpuint (count_scoped (fixture, "staff", NULL), ==, 600);
  g_assert_cmpuint (count_scoped (fixture, "customers", "customer_id"), >, 0);
  g_assert_cmpuint (count_scoped (fixture, "customers", "customer_id"), <, 600);
  for (guint i = 0; i < complete->len; i++)
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (complete->pdata[i]), "status"), ==,
                     "COMPLETE");
}

/* Every full order: lines add up to the totals, payments to what was paid. */
static void
test_totals_add_up (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) orders = fetch_all (fixture, "orders.json");
  guint split = 0;
  guint with_customer = 0;

  for (guint i = 0; i < orders->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("orders/%" G_GINT64_FORMAT ".json", row_id (orders->pdata[i]));
      g_autoptr(JsonNode) node = get_json (fixture, path, 200);
      JsonObject *order = json_node_get_object (node);
      JsonObject *short_row = json_node_get_object (orders->pdata[i]);
      JsonArray *lines = json_object_get_array_member (order, "lines");
      JsonArray *payments = json_object_get_array_member (order, "payments");
      gint64 total = 0, total_tax = 0, paid = 0;

      g_assert_cmpuint (json_array_get_length (lines), >, 0);
      for (guint l = 0; l < json_array_get_length (lines); l++)
        {
          JsonObject *line = json_array_get_object_element (lines, l);
          gint64 quantity = json_object_get_int_member (line, "quantity");
          double variation = json_object_get_double_member (line, "price_variation");
          gint64 unit_inc = cents (line, "unit_price") + cents (line, "unit_tax");

          /* The varied unit price is rounded to the cent, then multiplied. */
          g_assert_cmpint (cents (line, "total"), ==, quantity * llround (unit_inc * variation));
          total += cents (line, "total");
          total_tax += cents (line, "total_tax");
        }
      for (guint p = 0; p < json_array_get_length (payments); p++)
        paid += cents (json_array_get_object_element (payments, p), "amount");

      g_assert_cmpint (cents (order, "total"), ==, total);
      g_assert_cmpint (cents (order, "total_tax"), ==, total_tax);
      g_assert_cmpint (cents (order, "paid"), ==, paid);
      g_assert_cmpint (cents (short_row, "total"), ==, total);
      if (g_str_equal (json_object_get_string_member (order, "status"), "COMPLETE"))
        g_assert_cmpint (paid, ==, total);
      else
        g_assert_cmpint (paid, ==, 0);
      split += json_array_get_length (payments) == 2;
      with_customer += !json_object_get_null_member (order, "customer");
    }
  g_assert_cmpuint (split, >, 0);
  g_assert_cmpuint (with_customer, >, 0);
}

/* Cash-ups add up to the complete orders, overall and by payment method. */
static void
test_cashups_add_up (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(GPtrArray) cashups = fetch_all (fixture, "cashups.json");
  g_autoptr(GPtrArray) complete = fetch_all (fixture, "orders/complete.json");
  g_autoptr(GPtrArray) sites = fetch_all (fixture, "sites.json");
  gint64 cashup_total = 0, payments_total = 0, orders_total = 0;
  guint cashup_orders = 0, by_site = 0;

  for (guint i = 0; i < cashups->len; i++)
    {
      JsonObject *cashup = json_node_get_object (cashups->pdata[i]);
      JsonArray *payments = json_object_get_array_member (cashup, "payments");

      cashup_total += cents (cashup, "total");
      cashup_orders += json_object_get_int_member (cashup, "orders");
      for (guint p = 0; p < json_array_get_length (payments); p++)
        payments_total += cents (json_array_get_object_element (payments, p), "amount");
    }
  for (guint i = 0; i < complete->len; i++)
    orders_total += cents (json_node_get_object (complete->pdata[i]), "total");

  g_assert_cmpuint (cashup_orders, ==, complete->len);
  g_assert_cmpint (cashup_total, ==, orders_total);
  g_assert_cmpint (payments_total, ==, orders_total);

  for (guint i = 0; i < sites->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/cashups.json", row_id (sites->pdata[i]));
      g_autoptr(GPtrArray) rows = fetch_all (fixture, path);

      for (guint r = 0; r < rows->len; r++)
        g_assert_cmpint (json_object_get_int_member (json_node_get_object (rows->pdata[r]), "site_id"), ==,
                         row_id (sites->pdata[i]));
      by_site += rows->len;
    }
  g_assert_cmpuint (by_site, ==, cashups->len);
}

static void
test_other_resources (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(JsonNode) me = get_json (fixture, "staff/me.json", 200);
  g_autoptr(JsonNode) base = get_json (fixture, "price_lists/base.json", 200);
  g_autoptr(GPtrArray) base_products = fetch_all (fixture, "price_lists/base/products.json");
  g_autoptr(GPtrArray) products = fetch_all (fixture, "products.json");
  g_autoptr(GPtrArray) taxes = fetch_all (fixture, "taxes.json");
  g_autoptr(GPtrArray) methods = fetch_all (fixture, "payment_methods.json");
  g_autoptr(GPtrArray) sites = fetch_all (fixture, "sites.json");
  g_autoptr(GPtrArray) staff = fetch_all (fixture, "staff.json");
  g_autofree char *site_path = g_strdup_printf ("sites/%" G_GINT64_FORMAT ".json", row_id (sites->pdata[0]));
  g_autofree char *inventory_path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/inventory.json", row_id (sites->pdata[0]));
  g_autofree char *registers_path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/registers.json", row_id (sites->pdata[0]));
  g_autoptr(JsonNode) site = get_json (fixture, site_path, 200);
  g_autoptr(GPtrArray) inventory = fetch_all (fixture, inventory_path);
  g_autoptr(GPtrArray) registers = fetch_all (fixture, registers_path);
  g_autoptr(JsonNode) webhooks = get_json (fixture, "webhooks.json", 200);
  guint admins_without_permissions = 0;

  /* The owner is an administrator: no permissions member. */
  g_assert_true (json_object_get_boolean_member (json_node_get_object (me), "is_admin"));
  g_assert_false (json_object_has_member (json_node_get_object (me), "permissions"));
  for (guint i = 0; i < staff->len; i++)
    {
      JsonObject *member = json_node_get_object (staff->pdata[i]);

      g_assert_true (json_object_has_member (member, "permissions") != json_object_get_boolean_member (member, "is_admin"));
      admins_without_permissions += json_object_get_boolean_member (member, "is_admin");
    }
  g_assert_cmpuint (admins_without_permissions, >, 0);

  g_assert_true (json_object_get_null_member (json_node_get_object (base), "parent_id"));
  g_assert_cmpuint (base_products->len, ==, products->len);
  for (guint i = 0; i < products->len; i++)
    g_assert_cmpint (cents (json_node_get_object (base_products->pdata[i]), "unit_price"), ==,
                     cents (json_node_get_object (products->pdata[i]), "unit_price"));

  for (guint i = 0; i < taxes->len; i++)
    {
      JsonObject *tax = json_node_get_object (taxes->pdata[i]);

      g_assert_true (json_object_has_member (tax, "code"));
      g_assert_true (json_object_has_member (tax, "rate"));
    }
  g_assert_true (json_object_has_member (json_node_get_object (methods->pdata[0]), "ledger_code"));

  /* List rows of sites are short; the record is full. */
  g_assert_false (json_object_has_member (json_node_get_object (sites->pdata[0]), "postal_address"));
  g_assert_true (json_object_has_member (json_node_get_object (site), "postal_address"));
  g_assert_cmpuint (inventory->len, >, 0);
  g_assert_true (json_object_has_member (json_node_get_object (inventory->pdata[0]), "stock"));
  g_assert_cmpuint (registers->len, ==, 2);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (webhooks)), ==, 0);
}

static void
test_product_stock (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(GPtrArray) products = fetch_all (fixture, "products.json");
  g_autoptr(GPtrArray) sites = fetch_all (fixture, "sites.json");
  g_autoptr(GHashTable) inventory_sums = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  guint in_stock = 0;

  /* A product's stock is the sum of its stock in the sites' inventories. */
  for (guint s = 0; s < sites->len; s++)
    {
      g_autofree char *path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/inventory.json", row_id (sites->pdata[s]));
      g_autoptr(GPtrArray) inventory = fetch_all (fixture, path);

      g_assert_cmpuint (inventory->len, >, 0);
      for (guint i = 0; i < inventory->len; i++)
        {
          gint64 id = row_id (inventory->pdata[i]);
          gint64 *sum = g_hash_table_lookup (inventory_sums, &id);

          if (sum == NULL)
            {
              sum = g_new0 (gint64, 1);
              g_hash_table_insert (inventory_sums, g_memdup2 (&id, sizeof id), sum);
            }
          *sum += json_object_get_int_member (json_node_get_object (inventory->pdata[i]), "stock");
        }
    }

  for (guint i = 0; i < products->len; i++)
    {
      gint64 id = row_id (products->pdata[i]);
      g_autofree char *path = g_strdup_printf ("products/%" G_GINT64_FORMAT ".json", id);
      g_autoptr(JsonNode) record = get_json (fixture, path, 200);
      const gint64 *sum = g_hash_table_lookup (inventory_sums, &id);
      gint64 stock = json_object_get_int_member (json_node_get_object (record), "stock");

      g_test_message ("product %" G_GINT64_FORMAT, id);
      g_assert_nonnull (sum);
      g_assert_cmpint (stock, ==, *sum);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (products->pdata[i]), "stock"), ==, *sum);
      in_stock += stock > 0;
    }
  g_assert_cmpuint (in_stock, >, 0);
}

static void
test_shifts (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autoptr(GPtrArray) day = fetch_all (fixture, "shifts/2026-02-10.json");
  g_autoptr(GPtrArray) since = fetch_all (fixture, "shifts/since/2026-06-01.json");
  g_autoptr(JsonNode) bad = get_json (fixture, "shifts/2026-02-30.json", 400);

  g_autoptr(GHashTable) staff_seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) all = fetch_all (fixture, "shifts.json");

  /* One shift a day for each member who took orders that day, and the
   * fixed end date gives finished shifts only. */
  g_assert_cmpuint (day->len, >, 0);
  for (guint i = 0; i < day->len; i++)
    {
      JsonObject *shift = json_node_get_object (day->pdata[i]);
      JsonObject *member = json_object_get_object_member (shift, "staff_member");
      gint64 *staff_id = g_new (gint64, 1);

      g_assert_true (g_str_has_prefix (json_object_get_string_member (shift, "started_at"), "2026-02-10T"));
      *staff_id = json_object_get_int_member (member, "id");
      g_assert_false (g_hash_table_contains (staff_seen, staff_id));
      g_hash_table_add (staff_seen, staff_id);
    }
  g_assert_cmpuint (since->len, >, 0);
  g_assert_cmpuint (since->len, <, all->len);
  for (guint i = 0; i < all->len; i++)
    g_assert_false (json_object_get_null_member (json_node_get_object (all->pdata[i]), "finished_at"));
}

static void
test_data_shapes (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(GPtrArray) orders = fetch_all (fixture, "orders.json");
  g_autoptr(GPtrArray) products = fetch_all (fixture, "products.json");
  g_autoptr(GPtrArray) customers = fetch_all (fixture, "customers.json");
  guint above_32_bits = 0, null_barcodes = 0, zero_barcodes = 0, integer_money = 0;
  guint null_phones = 0, no_description = 0, summer = 0, winter = 0;

  for (guint i = 0; i < orders->len; i++)
    {
      JsonObject *order = json_node_get_object (orders->pdata[i]);
      const char *created = json_object_get_string_member (order, "created_at");

      above_32_bits += row_id (orders->pdata[i]) > G_MAXUINT32;
      integer_money += json_node_get_value_type (json_object_get_member (order, "total")) == G_TYPE_INT64;
      summer += g_str_has_suffix (created, "+11:00");
      winter += g_str_has_suffix (created, "+10:00");
    }
  g_assert_cmpuint (above_32_bits, >, 0);
  g_assert_cmpuint (above_32_bits, <, orders->len);
  g_assert_cmpuint (integer_money, >, 0);
  g_assert_cmpuint (summer + winter, ==, orders->len);
  g_assert_cmpuint (summer, >, 0);
  g_assert_cmpuint (winter, >, 0);

  for (guint i = 0; i < products->len; i++)
    {
      JsonObject *product = json_node_get_object (products->pdata[i]);

      if (json_object_get_null_member (product, "barcode"))
        null_barcodes++;
      else
        {
          g_assert_cmpint (json_node_get_value_type (json_object_get_member (product, "barcode")), ==, G_TYPE_STRING);
          zero_barcodes += json_object_get_string_member (product, "barcode")[0] == '0';
        }
      no_description += !json_object_has_member (product, "description");
    }
  g_assert_cmpuint (null_barcodes, >, 0);
  g_assert_cmpuint (zero_barcodes, >, 0);
  g_assert_cmpuint (no_description, >, 0);

  for (guint i = 0; i < customers->len; i++)
    {
      JsonObject *customer = json_node_get_object (customers->pdata[i]);
      const char *email = json_object_get_string_member (customer, "email");

      g_assert_true (g_str_has_suffix (email, "@example.com") || g_str_has_suffix (email, "@example.net")
                     || g_str_has_suffix (email, "@example.org"));
      null_phones += json_object_get_null_member (customer, "phone");
    }
  g_assert_cmpuint (null_phones, >, 0);
}

static void
fetch_bodies (KtSandbox  *sandbox,
              GPtrArray  *bodies)
{
  const char *paths[] = {
    "", "sites.json", "products.json", "customers.json?page=2", "orders.json?page=3",
    "staff.json", "price_lists/base/products.json", "shifts/2026-01-05.json",
  };
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autofree char *basic = kt_test_basic (sandbox);
  g_autoptr(GPtrArray) orders = kt_test_fetch_all (sandbox, session, "orders.json?page=5", basic);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *uri = kt_test_api (sandbox, paths[i]);
      g_autoptr(KtResponse) response = NULL;

      /* The company itself has no trailing path. */
      if (paths[i][0] == '\0')
        uri[strlen (uri) - 1] = '\0';
      response = kt_test_request (session, "GET", uri, basic, NULL,
                                  (const char *const[]) { "Accept", "application/json", NULL });
      g_assert_cmpuint (response->status, ==, 200);
      g_ptr_array_add (bodies, g_strdup (response->body));
    }

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("orders/%" G_GINT64_FORMAT ".json", row_id (orders->pdata[i * 7]));
      g_autofree char *uri = kt_test_api (sandbox, path);
      g_autoptr(KtResponse) response = kt_test_get (session, uri, basic);

      g_ptr_array_add (bodies, g_strdup (response->body));
    }
}

static void
test_determinism (void)
{
  g_autoptr(KtSandbox) first = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) second = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) other = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(GPtrArray) first_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) second_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) other_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint differing = 0;

  g_object_set (other, "seed", (guint64) 8, NULL);
  kt_sandbox_start (first, 0, &error);
  g_assert_no_error (error);
  kt_sandbox_start (second, 0, &error);
  g_assert_no_error (error);
  kt_sandbox_start (other, 0, &error);
  g_assert_no_error (error);

  fetch_bodies (first, first_bodies);
  fetch_bodies (second, second_bodies);
  fetch_bodies (other, other_bodies);

  g_assert_cmpuint (first_bodies->len, ==, second_bodies->len);
  for (guint i = 0; i < first_bodies->len; i++)
    {
      g_assert_cmpstr (first_bodies->pdata[i], ==, second_bodies->pdata[i]);
      differing += g_strcmp0 (first_bodies->pdata[i], other_bodies->pdata[i]) != 0;
    }
  g_assert_cmpuint (differing, >, first_bodies->len / 2);
}

static void
test_money_filter_range (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autoptr(JsonNode) huge = get_json (fixture, "orders.json?value_gte=1e300", 400);
  g_autoptr(JsonNode) negative = get_json (fixture, "orders.json?value_lt=-1e13", 400);
  g_autoptr(GPtrArray) all = fetch_all (fixture, "orders.json");
  g_autoptr(GPtrArray) below_max = fetch_all (fixture, "orders.json?value_lte=1e12");
  const char *description = json_object_get_string_member (json_node_get_object (huge), "error_description");

  g_assert_nonnull (strstr (description, "1e300"));
  g_assert_nonnull (strstr (description, "value_gte"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (negative), "error_description"),
                            "-1e13"));
  g_assert_cmpuint (below_max->len, ==, all->len);
}

static void
test_error_invalid_utf8 (Fixture       *fixture,
                         gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "orders.json?value_gt=a%FF%FEb");
  g_autoptr(KtResponse) response = kt_test_get (fixture->session, uri, fixture->basic);
  g_autoptr(JsonNode) node = NULL;
  const char *description;

  g_assert_cmpuint (response->status, ==, 400);
  g_assert_true (g_utf8_validate (response->body, (gssize) response->length, NULL));
  node = kt_response_json (response);
  description = json_object_get_string_member (json_node_get_object (node), "error_description");
  /* Each invalid byte becomes U+FFFD. */
  g_assert_nonnull (strstr (description, "a\xef\xbf\xbd\xef\xbf\xbd" "b"));
}

static void
test_header_too_large (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *uri = kt_test_api (fixture->sandbox, "sites.json");
  g_autofree char *large = g_strnfill (40 * 1024, 'a');
  g_autoptr(KtResponse) response = kt_test_request (fixture->session, "GET", uri, fixture->basic, NULL,
                                                    (const char *const[]) { "X-Large", large, NULL });
  g_autoptr(JsonNode) node = kt_response_json (response);

  g_assert_cmpuint (response->status, ==, 431);
  g_assert_cmpstr (response->reason, ==, "Request Header Fields Too Large");
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (node), "error_description"),
                            "32768"));
}

static void
test_end_date (void)
{
  g_autoptr(KtSandbox) first = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) second = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) fixed = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GPtrArray) first_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) second_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fixed_bodies = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GPtrArray) late_orders = NULL;
  g_autoptr(GPtrArray) last_week = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *end_date = NULL;
  g_autofree char *basic = NULL;
  guint differing = 0;
  int year = 0, month = 0, day = 0;

  g_object_get (fixed, "end-date", &end_date, NULL);
  g_assert_cmpstr (end_date, ==, "2026-06-30");
  g_clear_pointer (&end_date, g_free);

  /* Invalid dates are ignored with a warning and keep the old value. */
  g_test_expect_message ("kt-sandbox", G_LOG_LEVEL_WARNING, "*2027-13-01*");
  g_object_set (first, "end-date", "2027-13-01", NULL);
  g_test_assert_expected_messages ();
  g_object_set (first, "end-date", "2027-02-28", NULL);
  g_object_set (second, "end-date", "2027-02-28", NULL);
  g_object_get (first, "end-date", &end_date, NULL);
  g_assert_cmpstr (end_date, ==, "2027-02-28");

  kt_sandbox_start (first, 0, &error);
  g_assert_no_error (error);
  kt_sandbox_start (second, 0, &error);
  g_assert_no_error (error);
  kt_sandbox_start (fixed, 0, &error);
  g_assert_no_error (error);

  /* The same seed and end date give the same bytes; another end date
   * gives other orders. */
  fetch_bodies (first, first_bodies);
  fetch_bodies (second, second_bodies);
  fetch_bodies (fixed, fixed_bodies);
  g_assert_cmpuint (first_bodies->len, ==, second_bodies->len);
  for (guint i = 0; i < first_bodies->len; i++)
    {
      g_assert_cmpstr (first_bodies->pdata[i], ==, second_bodies->pdata[i]);
      differing += g_strcmp0 (first_bodies->pdata[i], fixed_bodies->pdata[i]) != 0;
    }
  g_assert_cmpuint (differing, >, 0);

  /* Twelve months of orders end on that day. */
  basic = kt_test_basic (first);
  orders = kt_test_fetch_all (first, session, "orders.json", basic);
  late_orders = kt_test_fetch_all (first, session, "orders.json?created_gt=2027-02-28", basic);
  last_week = kt_test_fetch_all (first, session, "orders.json?created_gte=2027-02-21", basic);
  g_assert_cmpuint (orders->len, >, 0);
  g_assert_cmpuint (late_orders->len, ==, 0);
  g_assert_cmpuint (last_week->len, >, 0);
  for (guint i = 0; i < orders->len; i++)
    {
      const char *created = json_object_get_string_member (json_node_get_object (orders->pdata[i]), "created_at");

      g_assert_cmpstr (created, >=, "2026-03-01");
      g_assert_cmpstr (created, <, "2027-03-01");
    }

  /* "today" names a valid date. */
  g_assert_true (kt_sandbox_parse_end_date ("today", &year, &month, &day, &error));
  g_assert_no_error (error);
  g_assert_true (g_date_valid_dmy (day, month, year));
  g_assert_false (kt_sandbox_parse_end_date ("2026-6-30", &year, &month, &day, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* Asserts that the time @member of @row is not later than @now. */
static void
assert_not_after (JsonNode   *row,
                  const char *member,
                  GDateTime  *now)
{
  const char *text = json_object_get_string_member (json_node_get_object (row), member);
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (time);
  if (g_date_time_compare (time, now) > 0)
    g_error ("%s %s of row %" G_GINT64_FORMAT " is later than now", member, text, row_id (row));
}

static void
test_end_date_today (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GPtrArray) shifts = NULL;
  g_autoptr(GPtrArray) sites = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) week_ago = NULL;
  g_autofree char *shifts_path = NULL;
  g_autofree char *basic = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (sandbox, "end-date", "today", "basic-limit", 1000000, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  basic = kt_test_basic (sandbox);

  /* The data ends when it is generated, at the first request. */
  orders = kt_test_fetch_all (sandbox, session, "orders.json", basic);
  now = g_date_time_new_now_utc ();
  week_ago = g_date_time_add_days (now, -7);
  shifts_path = g_date_time_format (week_ago, "shifts/since/%Y-%m-%d.json");
  shifts = kt_test_fetch_all (sandbox, session, shifts_path, basic);
  sites = kt_test_fetch_all (sandbox, session, "sites.json", basic);

  g_assert_cmpuint (orders->len, >, 0);
  for (guint i = 0; i < orders->len; i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(KtResponse) response = NULL;
      g_autoptr(JsonNode) order = NULL;
      g_autofree char *uri = NULL;

      assert_not_after (orders->pdata[i], "created_at", now);
      /* The full record of the latest orders also carries payments. */
      if (i + 3 < orders->len)
        continue;
      path = g_strdup_printf ("orders/%" G_GINT64_FORMAT ".json", row_id (orders->pdata[i]));
      uri = kt_test_api (sandbox, path);
      response = kt_test_get (session, uri, basic);
      g_assert_cmpuint (response->status, ==, 200);
      order = kt_response_json (response);
      assert_not_after (order, "updated_at", now);
    }

  g_assert_cmpuint (shifts->len, >, 0);
  for (guint i = 0; i < shifts->len; i++)
    {
      JsonObject *shift = json_node_get_object (shifts->pdata[i]);

      assert_not_after (shifts->pdata[i], "started_at", now);
      /* A shift still going has a null finish. */
      if (!json_object_get_null_member (shift, "finished_at"))
        assert_not_after (shifts->pdata[i], "finished_at", now);
    }

  for (guint s = 0; s < sites->len; s++)
    {
      g_autofree char *path = g_strdup_printf ("sites/%" G_GINT64_FORMAT "/cashups.json", row_id (sites->pdata[s]));
      g_autoptr(GPtrArray) cashups = kt_test_fetch_all (sandbox, session, path, basic);

      g_assert_cmpuint (cashups->len, >, 0);
      for (guint i = 0; i < cashups->len; i++)
        assert_not_after (cashups->pdata[i], "created_at", now);
    }

  kt_sandbox_stop (sandbox);
}

static void
test_money_as_strings (void)
{
  g_autoptr(KtSandbox) sandbox = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(KtSandbox) numbers = kt_test_sandbox_new (KT_SANDBOX_SCALE_SMALL);
  g_autoptr(SoupSession) session = kt_test_session_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *basic = NULL;
  g_autoptr(GPtrArray) orders = NULL;
  g_autoptr(GPtrArray) plain = NULL;
  guint whole = 0;

  g_object_set (sandbox, "money-as-strings", TRUE, NULL);
  kt_sandbox_start (sandbox, 0, &error);
  g_assert_no_error (error);
  kt_sandbox_start (numbers, 0, &error);
  g_assert_no_error (error);
  basic = kt_test_basic (sandbox);
  orders = kt_test_fetch_all (sandbox, session, "orders.json", basic);
  plain = kt_test_fetch_all (numbers, session, "orders.json", basic);

  g_assert_cmpuint (orders->len, ==, plain->len);
  for (guint i = 0; i < orders->len; i++)
    {
      const char *text = json_object_get_string_member (json_node_get_object (orders->pdata[i]), "total");
      JsonNode *number = json_object_get_member (json_node_get_object (plain->pdata[i]), "total");

      /* Each string has a decimal point and the same value as the number. */
      g_assert_nonnull (strchr (text, '.'));
      g_assert_cmpint (llround (g_ascii_strtod (text, NULL) * 100), ==, llround (json_node_get_double (number) * 100));
      whole += g_str_has_suffix (text, ".0");
    }
  g_assert_cmpuint (whole, >, 0);

  /* The other sandbox, on another thread, kept numbers. */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (json_node_get_object (plain->pdata[0]), "total")),
                   !=, G_TYPE_STRING);
  kt_sandbox_stop (sandbox);
  kt_sandbox_stop (numbers);
}

static void
test_scales (void)
{
  g_autoptr(KtSandbox) demo = kt_sandbox_new ();
  g_autoptr(KtSandbox) large = kt_sandbox_new ();

  g_object_set (demo, "scale", KT_SANDBOX_SCALE_DEMO, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (demo, "sites"), ==, 3);
  g_assert_cmpuint (kt_sandbox_count_rows (demo, "products"), ==, 250);
  g_assert_cmpuint (kt_sandbox_count_rows (demo, "customers"), ==, 2000);
  g_assert_cmpuint (kt_sandbox_count_rows (demo, "orders"), ==, 20000);

  g_object_set (large, "scale", KT_SANDBOX_SCALE_LARGE, NULL);
  g_assert_cmpuint (kt_sandbox_count_rows (large, "orders"), ==, 100000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_PAGED(path, func) g_test_add (path, Fixture, GUINT_TO_POINTER (7), fixture_set_up, func, fixture_tear_down)
  ADD ("/sandbox-api/companies-me", test_companies_me);
  ADD ("/sandbox-api/accept", test_accept);
  ADD ("/sandbox-api/invalid-company-id", test_invalid_company_id);
  ADD ("/sandbox-api/product-stock", test_product_stock);
  ADD ("/sandbox-api/other-company", test_other_company);
  ADD ("/sandbox-api/not-found", test_not_found);
  ADD ("/sandbox-api/methods", test_methods);
  ADD ("/sandbox-api/list-counts", test_list_counts);
  ADD_PAGED ("/sandbox-api/paging-x-page", test_paging_x_page);
  ADD_PAGED ("/sandbox-api/paging-next-page", test_paging_next_page);
  ADD_PAGED ("/sandbox-api/paging-page-query", test_paging_page_query);
  ADD_PAGED ("/sandbox-api/paging-start", test_paging_start);
  ADD ("/sandbox-api/products-filters", test_products_filters);
  ADD ("/sandbox-api/products-by-site-and-category", test_products_by_site_and_category);
  ADD ("/sandbox-api/customer-email", test_customer_email);
  ADD ("/sandbox-api/customer-addresses", test_customer_addresses);
  ADD ("/sandbox-api/orders-status", test_orders_status);
  ADD ("/sandbox-api/orders-created-range", test_orders_created_range);
  ADD ("/sandbox-api/orders-value-range", test_orders_value_range);
  ADD ("/sandbox-api/orders-prefixes", test_orders_prefixes);
  ADD ("/sandbox-api/totals-add-up", test_totals_add_up);
  ADD ("/sandbox-api/cashups-add-up", test_cashups_add_up);
  ADD ("/sandbox-api/other-resources", test_other_resources);
  ADD ("/sandbox-api/shifts", test_shifts);
  ADD ("/sandbox-api/data-shapes", test_data_shapes);
  ADD ("/sandbox-api/money-filter-range", test_money_filter_range);
  ADD ("/sandbox-api/error-invalid-utf8", test_error_invalid_utf8);
  ADD ("/sandbox-api/header-too-large", test_header_too_large);
#undef ADD
#undef ADD_PAGED
  g_test_add_func ("/sandbox-api/determinism", test_determinism);
  g_test_add_func ("/sandbox-api/end-date", test_end_date);
  g_test_add_func ("/sandbox-api/end-date-today", test_end_date_today);
  g_test_add_func ("/sandbox-api/scales", test_scales);
  g_test_add_func ("/sandbox-api/money-as-strings", test_money_as_strings);

  return g_test_run ();
}
