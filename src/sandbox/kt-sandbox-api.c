#define G_LOG_DOMAIN "kt-sandbox-api"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt-sandbox-private.h"

/* The largest amount a money filter (value_gte and the like) takes: a
 * trillion, far beyond any order, and its cents fit a gint64. */
#define MAX_MONEY_FILTER 1e12

/*
 * The resources under /v1/companies/{id}. Lists are sorted by ascending
 * id and paged in every style public clients use: the X-Page request
 * header (from 0) with X-Pages in the response, ?page=N (from 1), and
 * ?start=<last id seen>. Each page names the next one in X-Next-Page.
 */

typedef void (*RenderRow) (const KtSandboxData *data,
                           guint                index,
                           gpointer             user_data,
                           GString             *out);

typedef gint64 (*RowId) (const KtSandboxData *data,
                         guint                index);

typedef struct
{
  KtRequest *req;
  const KtSandboxData *data;
  char **segments;
  guint n_segments;
  gboolean json_suffix;
} Route;

/* Filters of the order lists; indexes are -1 when unset. */
typedef struct
{
  int site;
  int reg;
  int staff;
  int customer;
  int status;
} OrderScope;

/* ---- Small helpers. */

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  char *end = NULL;
  gint64 value;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  value = g_ascii_strtoll (text, &end, 10);
  if (*end != '\0' || value <= 0)
    return FALSE;
  *id = value;
  return TRUE;
}

static void
not_found (KtRequest  *req,
           const char *what,
           const char *value)
{
  g_autofree char *description = NULL;

  if (value != NULL)
    description = g_strdup_printf ("No %s with id %s exists in this company", what, value);
  else
    description = g_strdup_printf ("No resource exists at %s", req->path);
  kt_request_json_error (req, SOUP_STATUS_NOT_FOUND, "not_found", description);
}

static void
bad_filter (KtRequest  *req,
            const char *name,
            const char *value)
{
  g_autofree char *description = g_strdup_printf ("The value “%s” of “%s” is not valid", value, name);

  kt_request_json_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", description);
}

static const char *
query_value (KtRequest  *req,
             const char *name)
{
  const char *value = req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

static void
respond_object (KtRequest *req,
                GString   *body)
{
  kt_request_set_body (req, SOUP_STATUS_OK, "application/json; charset=utf-8", body);
}

/* Finds a row of @table by the id in @text; -1 when it is not one. */
#define FIND(data, table, count, text) find_row ((data)->table, (data)->count, sizeof *(data)->table, (text))

static int
find_row (const void *rows,
          guint       n_rows,
          gsize       row_size,
          const char *text)
{
  gint64 id;

  if (!parse_id (text, &id))
    return -1;
  return kt_sandbox_data_find (rows, n_rows, row_size, id);
}

/* ---- Pagination. */

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The absolute URL of this list with ?@key=@value replacing page and start. */
static char *
next_page_url (KtRequest  *req,
               const char *key,
               const char *value)
{
  g_autofree char *origin = kt_request_origin (req);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GString *url = g_string_new (origin);
  GHashTableIter iter;
  gpointer name;

  g_string_append (url, req->path);
  if (req->query != NULL)
    {
      g_hash_table_iter_init (&iter, req->query);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        if (!g_str_equal (name, "page") && !g_str_equal (name, "start"))
          g_ptr_array_add (keys, name);
    }
  g_ptr_array_sort (keys, compare_keys);

  g_string_append_c (url, '?');
  for (guint i = 0; i < keys->len; i++)
    {
      const char *k = g_ptr_array_index (keys, i);

      g_string_append_uri_escaped (url, k, NULL, FALSE);
      g_string_append_c (url, '=');
      g_string_append_uri_escaped (url, g_hash_table_lookup (req->query, k), NULL, FALSE);
      g_string_append_c (url, '&');
    }
  g_string_append_printf (url, "%s=%s", key, value);

  return g_string_free (url, FALSE);
}

/* Row @i of a list: an index from @rows, or @i itself when @rows is NULL. */
static inline guint
row_at (GArray *rows,
        guint   i)
{
  return rows != NULL ? g_array_index (rows, guint, i) : i;
}

/*
 * Sends one page of @n_rows rows: @rows holds indexes into a table sorted
 * by id, or is NULL for the whole table. Rows past the last page give an
 * empty array.
 */
static void
respond_list_of (Route     *route,
                 GArray    *rows,
                 guint      n_rows,
                 RowId      row_id,
                 RenderRow  render,
                 gpointer   user_data)
{
  KtRequest *req = route->req;
  guint page_size = req->sandbox->page_size;
  const char *x_page;
  const char *page_text;
  const char *start_text;
  gboolean by_start = FALSE;
  guint64 offset = 0;
  guint n_pages;
  guint end;
  GString *body;
  char value[32];

  x_page = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), "X-Page");
  page_text = query_value (req, "page");
  start_text = query_value (req, "start");

  if (x_page != NULL)
    {
      guint64 page;

      if (!g_ascii_string_to_unsigned (x_page, 10, 0, G_MAXUINT32, &page, NULL))
        {
          bad_filter (req, "X-Page", x_page);
          return;
        }
      offset = page * page_size;
    }
  else if (page_text != NULL)
    {
      guint64 page;

      if (!g_ascii_string_to_unsigned (page_text, 10, 1, G_MAXUINT32, &page, NULL))
        {
          bad_filter (req, "page", page_text);
          return;
        }
      offset = (page - 1) * page_size;
    }
  else if (start_text != NULL)
    {
      gint64 start;

      if (!g_ascii_string_to_signed (start_text, 10, 0, G_MAXINT64, &start, NULL))
        {
          bad_filter (req, "start", start_text);
          return;
        }
      /* The first row after @start; every list is sorted by id. */
      by_start = TRUE;
      {
        guint low = 0, high = n_rows;

        while (low < high)
          {
            guint mid = low + (high - low) / 2;

            if (row_id (route->data, row_at (rows, mid)) <= start)
              low = mid + 1;
            else
              high = mid;
          }
        offset = low;
      }
    }

  n_pages = MAX (1, (n_rows + page_size - 1) / page_size);
  offset = MIN (offset, n_rows);
  end = (guint) MIN (offset + page_size, n_rows);

  g_snprintf (value, sizeof value, "%u", n_pages);
  kt_request_set_header (req, "X-Pages", value);
  if (end < n_rows)
    {
      g_autofree char *url = NULL;

      if (by_start)
        {
          g_snprintf (value, sizeof value, "%" G_GINT64_FORMAT,
                      row_id (route->data, row_at (rows, end - 1)));
          url = next_page_url (req, "start", value);
        }
      else
        {
          g_snprintf (value, sizeof value, "%u", (guint) (end / page_size) + 1);
          url = next_page_url (req, "page", value);
        }
      kt_request_set_header (req, "X-Next-Page", url);
    }

  {
    /* Lets tests check how often each page was served. */
    g_autofree char *counter = g_strdup_printf ("page:%s@%u", req->path, (guint) offset);

    kt_sandbox_count (req->sandbox, counter);
  }

  body = g_string_sized_new (64 + (end - offset) * 512);
  g_string_append_c (body, '[');
  for (guint i = (guint) offset; i < end; i++)
    {
      if (i > offset)
        g_string_append_c (body, ',');
      render (route->data, row_at (rows, i), user_data, body);
    }
  g_string_append_c (body, ']');
  respond_object (req, body);
}

/* Sends one page of every row of a table of @n_rows. */
static void
respond_table (Route     *route,
               guint      n_rows,
               RowId      row_id,
               RenderRow  render,
               gpointer   user_data)
{
  respond_list_of (route, NULL, n_rows, row_id, render, user_data);
}

static void
respond_list (Route     *route,
              GArray    *rows,
              RowId      row_id,
              RenderRow  render,
              gpointer   user_data)
{
  respond_list_of (route, rows, rows->len, row_id, render, user_data);
}

/* ---- Row ids and renderers in the shape respond_list() takes. */

#define ROW_ID(table) \
  static gint64 table##_id (const KtSandboxData *data, guint i) { return data->table[i].id; }

ROW_ID (sites)
ROW_ID (registers)
ROW_ID (staff)
ROW_ID (taxes)
ROW_ID (payment_methods)
ROW_ID (categories)
ROW_ID (products)
ROW_ID (price_lists)
ROW_ID (customers)
ROW_ID (orders)
ROW_ID (shifts)
ROW_ID (cashups)

static gint64
address_id (const KtSandboxData *data,
            guint                i)
{
  return data->customers[i].id * 10 + 1;
}

static void
render_site_short (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_site (data, i, FALSE, out);
}

static void
render_register (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_register (data, i, out);
}

static void
render_staff (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_staff (data, i, out);
}

static void
render_tax (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_tax (data, i, out);
}

static void
render_payment_method (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_payment_method (data, i, out);
}

static void
render_category (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_category (data, i, out);
}

static void
render_product (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_product (data, i, out);
}

static void
render_price_list (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_price_list (data, i, out);
}

static void
render_price_list_product (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_price_list_product (data, GPOINTER_TO_UINT (user_data), i, out);
}

static void
render_customer (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_customer (data, i, out);
}

static void
render_address (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_address (data, i, out);
}

static void
render_order_short (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_order (data, i, FALSE, out);
}

static void
render_shift (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_shift (data, i, out);
}

static void
render_cashup (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_cashup (data, i, out);
}

static void
render_inventory (const KtSandboxData *data, guint i, gpointer user_data, GString *out)
{
  kt_render_inventory (data, GPOINTER_TO_UINT (user_data), i, out);
}

/* ---- Resources. */

static void
list_products (Route *route,
               int    site,
               int    category)
{
  const KtSandboxData *data = route->data;
  const char *name = query_value (route->req, "name");
  const char *sku = query_value (route->req, "sku");
  const char *tag = query_value (route->req, "tag");
  const char *ids_text = query_value (route->req, "ids");
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GHashTable) ids = NULL;
  g_autofree char *name_folded = name != NULL ? g_utf8_casefold (name, -1) : NULL;

  if (ids_text != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (ids_text, ",", -1);

      ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          gint64 id;

          g_strstrip (parts[i]);
          if (!parse_id (parts[i], &id))
            {
              bad_filter (route->req, "ids", ids_text);
              return;
            }
          g_hash_table_add (ids, g_memdup2 (&id, sizeof id));
        }
    }

  for (guint i = 0; i < data->n_products; i++)
    {
      const KtProduct *product = &data->products[i];

      if (site >= 0 && !(product->site_mask & (1u << site)))
        continue;
      if (category >= 0 && product->category != (guint) category)
        continue;
      if (ids != NULL && !g_hash_table_contains (ids, &product->id))
        continue;
      if (sku != NULL && g_ascii_strcasecmp (sku, product->code) != 0)
        continue;
      if (tag != NULL)
        {
          gboolean tagged = FALSE;

          for (guint t = 0; t < G_N_ELEMENTS (product->tags) && product->tags[t] != NULL; t++)
            tagged |= g_ascii_strcasecmp (tag, product->tags[t]) == 0;
          if (!tagged)
            continue;
        }
      if (name_folded != NULL)
        {
          g_autofree char *folded = g_utf8_casefold (product->name, -1);

          if (strstr (folded, name_folded) == NULL)
            continue;
        }
      g_array_append_val (rows, i);
    }

  respond_list (route, rows, products_id, render_product, NULL);
}

static gboolean
parse_money_filter (KtRequest  *req,
                    const char *name,
                    gint64     *cents)
{
  const char *text = query_value (req, name);
  char *end = NULL;
  double value;

  if (text == NULL)
    return TRUE;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (value))
    {
      bad_filter (req, name, text);
      return FALSE;
    }

  /* llround() of a value beyond the range of long is undefined. */
  if (fabs (value) > MAX_MONEY_FILTER)
    {
      g_autofree char *description =
        g_strdup_printf ("The value “%s” of “%s” is out of range; give an amount from -%.0f to %.0f",
                         text, name, MAX_MONEY_FILTER, MAX_MONEY_FILTER);

      kt_request_json_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_request", description);
      return FALSE;
    }

  *cents = (gint64) llround (value * 100);
  return TRUE;
}

/* Unix time of the next local midnight after the date @text, or G_MININT64. */
static gint64
next_midnight (const char *text)
{
  int year, month, day;
  GDate date;

  if (sscanf (text, "%4d-%2d-%2d", &year, &month, &day) != 3 || !g_date_valid_dmy (day, month, year))
    return G_MININT64;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  g_date_add_days (&date, 1);
  return kt_sandbox_local_midnight (g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
}

/*
 * Reads a created_* filter. A bare date stands for its whole local day:
 * with @day_end (for lte and gt) it ends the day, so created_lte=2026-03-31
 * includes the 31st and created_gt=2026-03-31 starts on 1 April.
 */
static gboolean
parse_time_filter (KtRequest  *req,
                   const char *name,
                   gboolean    day_end,
                   gint64     *time)
{
  const char *text = query_value (req, name);

  if (text == NULL)
    return TRUE;
  *time = kt_sandbox_parse_time (text);
  if (*time != G_MININT64 && day_end && strlen (text) == 10)
    {
      gint64 next = next_midnight (text);

      *time = next != G_MININT64 ? next - 1 : G_MININT64;
    }
  if (*time == G_MININT64)
    {
      bad_filter (req, name, text);
      return FALSE;
    }
  return TRUE;
}

static int
parse_status (const char *text)
{
  for (guint s = 0; s < KT_ORDER_N_STATUSES; s++)
    if (g_ascii_strcasecmp (text, kt_order_status_name (s)) == 0)
      return (int) s;
  return -1;
}

static void
list_orders (Route            *route,
             const OrderScope *scope)
{
  const KtSandboxData *data = route->data;
  KtRequest *req = route->req;
  gint64 created_gte = G_MININT64, created_gt = G_MININT64;
  gint64 created_lte = G_MAXINT64, created_lt = G_MAXINT64;
  gint64 value_gte = G_MININT64, value_gt = G_MININT64;
  gint64 value_lte = G_MAXINT64, value_lt = G_MAXINT64;
  g_autoptr(GArray) rows = NULL;

  if (!parse_time_filter (req, "created_gte", FALSE, &created_gte)
      || !parse_time_filter (req, "created_gt", TRUE, &created_gt)
      || !parse_time_filter (req, "created_lte", TRUE, &created_lte)
      || !parse_time_filter (req, "created_lt", FALSE, &created_lt)
      || !parse_money_filter (req, "value_gte", &value_gte)
      || !parse_money_filter (req, "value_gt", &value_gt)
      || !parse_money_filter (req, "value_lte", &value_lte)
      || !parse_money_filter (req, "value_lt", &value_lt))
    return;

  if (scope->site < 0 && scope->reg < 0 && scope->staff < 0 && scope->customer < 0 && scope->status < 0
      && created_gte == G_MININT64 && created_gt == G_MININT64 && created_lte == G_MAXINT64
      && created_lt == G_MAXINT64 && value_gte == G_MININT64 && value_gt == G_MININT64
      && value_lte == G_MAXINT64 && value_lt == G_MAXINT64)
    {
      respond_table (route, data->n_orders, orders_id, render_order_short, NULL);
      return;
    }

  rows = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < data->n_orders; i++)
    {
      const KtOrder *order = &data->orders[i];

      if ((scope->site >= 0 && order->site != scope->site)
          || (scope->reg >= 0 && order->reg != scope->reg)
          || (scope->staff >= 0 && order->staff != scope->staff)
          || (scope->customer >= 0 && order->customer != (guint32) scope->customer + 1)
          || (scope->status >= 0 && order->status != scope->status))
        continue;
      if (order->created_at < created_gte || order->created_at <= created_gt
          || order->created_at > created_lte || order->created_at >= created_lt)
        continue;
      if (order->total < value_gte || order->total <= value_gt
          || order->total > value_lte || order->total >= value_lt)
        continue;
      g_array_append_val (rows, i);
    }

  respond_list (route, rows, orders_id, render_order_short, NULL);
}

/* Handles ".../orders" and ".../orders/{status}" under a scope prefix. */
static void
route_scoped_orders (Route      *route,
                     OrderScope *scope,
                     guint       first)
{
  guint n = route->n_segments - first;

  if (n == 1)
    list_orders (route, scope);
  else if (n == 2 && (scope->status = parse_status (route->segments[first + 1])) >= 0)
    list_orders (route, scope);
  else
    not_found (route->req, "resource", NULL);
}

static void
route_orders (Route *route)
{
  const KtSandboxData *data = route->data;
  OrderScope scope = { -1, -1, -1, -1, -1 };
  const char *arg = route->segments[3];
  int index;

  if (route->n_segments == 3)
    {
      list_orders (route, &scope);
      return;
    }
  if (route->n_segments != 4)
    {
      not_found (route->req, "resource", NULL);
      return;
    }

  scope.status = parse_status (arg);
  if (scope.status >= 0)
    {
      list_orders (route, &scope);
      return;
    }

  index = FIND (data, orders, n_orders, arg);
  if (index < 0)
    {
      not_found (route->req, "order", arg);
      return;
    }
  {
    GString *body = g_string_sized_new (1024);

    kt_render_order (data, (guint) index, TRUE, body);
    respond_object (route->req, body);
  }
}

static void
route_sites (Route *route)
{
  const KtSandboxData *data = route->data;
  g_autoptr(GArray) rows = NULL;
  const char *sub;
  int site;

  if (route->n_segments == 3)
    {
      respond_table (route, data->n_sites, sites_id, render_site_short, NULL);
      return;
    }

  site = FIND (data, sites, n_sites, route->segments[3]);
  if (site < 0)
    {
      not_found (route->req, "site", route->segments[3]);
      return;
    }
  if (route->n_segments == 4)
    {
      GString *body = g_string_new (NULL);

      kt_render_site (data, (guint) site, TRUE, body);
      respond_object (route->req, body);
      return;
    }

  sub = route->segments[4];
  if (g_str_equal (sub, "orders"))
    {
      OrderScope scope = { site, -1, -1, -1, -1 };

      route_scoped_orders (route, &scope, 4);
    }
  else if (route->n_segments != 5)
    not_found (route->req, "resource", NULL);
  else if (g_str_equal (sub, "products"))
    list_products (route, site, -1);
  else if (g_str_equal (sub, "categories"))
    {
      rows = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint c = 0; c < data->n_categories; c++)
        {
          for (guint p = 0; p < data->n_products; p++)
            if (data->products[p].category == c && (data->products[p].site_mask & (1u << site)))
              {
                g_array_append_val (rows, c);
                break;
              }
        }
      respond_list (route, rows, categories_id, render_category, NULL);
    }
  else if (g_str_equal (sub, "registers"))
    {
      rows = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint r = 0; r < data->n_registers; r++)
        if (data->registers[r].site == (guint) site)
          g_array_append_val (rows, r);
      respond_list (route, rows, registers_id, render_register, NULL);
    }
  else if (g_str_equal (sub, "cashups"))
    {
      rows = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint c = 0; c < data->n_cashups; c++)
        if (data->registers[data->cashups[c].reg].site == (guint) site)
          g_array_append_val (rows, c);
      respond_list (route, rows, cashups_id, render_cashup, NULL);
    }
  else if (g_str_equal (sub, "inventory"))
    {
      rows = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint p = 0; p < data->n_products; p++)
        if (data->products[p].site_mask & (1u << site))
          g_array_append_val (rows, p);
      respond_list (route, rows, products_id, render_inventory, GUINT_TO_POINTER (site));
    }
  else
    not_found (route->req, "resource", NULL);
}

/* A resource with a list and single rows only: /{name} and /{name}/{id}. */
static void
route_simple (Route      *route,
              const char *what,
              const void *table,
              guint       n_rows,
              gsize       row_size,
              RowId       row_id,
              RenderRow   render)
{
  int index;

  if (route->n_segments == 3)
    {
      respond_table (route, n_rows, row_id, render, NULL);
      return;
    }
  if (route->n_segments != 4)
    {
      not_found (route->req, "resource", NULL);
      return;
    }

  index = find_row (table, n_rows, row_size, route->segments[3]);
  if (index < 0)
    {
      not_found (route->req, what, route->segments[3]);
      return;
    }
  {
    GString *body = g_string_new (NULL);

    render (route->data, (guint) index, NULL, body);
    respond_object (route->req, body);
  }
}

static void
route_registers (Route *route)
{
  const KtSandboxData *data = route->data;
  int reg;

  if (route->n_segments >= 5 && g_str_equal (route->segments[4], "orders"))
    {
      OrderScope scope = { -1, -1, -1, -1, -1 };

      reg = FIND (data, registers, n_registers, route->segments[3]);
      if (reg < 0)
        {
          not_found (route->req, "register", route->segments[3]);
          return;
        }
      scope.reg = reg;
      route_scoped_orders (route, &scope, 4);
      return;
    }

  route_simple (route, "register", data->registers, data->n_registers, sizeof *data->registers,
                registers_id, render_register);
}

static void
route_staff (Route *route)
{
  const KtSandboxData *data = route->data;
  int staff;

  if (route->n_segments == 4 && g_str_equal (route->segments[3], "me"))
    {
      GString *body = g_string_new (NULL);

      /* Both kinds of credential act as the company's owner. */
      kt_render_staff (data, 0, body);
      respond_object (route->req, body);
      return;
    }

  if (route->n_segments >= 5 && g_str_equal (route->segments[4], "orders"))
    {
      OrderScope scope = { -1, -1, -1, -1, -1 };

      staff = FIND (data, staff, n_staff, route->segments[3]);
      if (staff < 0)
        {
          not_found (route->req, "staff member", route->segments[3]);
          return;
        }
      scope.staff = staff;
      route_scoped_orders (route, &scope, 4);
      return;
    }

  route_simple (route, "staff member", data->staff, data->n_staff, sizeof *data->staff,
                staff_id, render_staff);
}

static void
route_categories (Route *route)
{
  const KtSandboxData *data = route->data;
  int category;

  if (route->n_segments == 5 && g_str_equal (route->segments[4], "products"))
    {
      category = FIND (data, categories, n_categories, route->segments[3]);
      if (category < 0)
        {
          not_found (route->req, "category", route->segments[3]);
          return;
        }
      list_products (route, -1, category);
      return;
    }

  route_simple (route, "category", data->categories, data->n_categories, sizeof *data->categories,
                categories_id, render_category);
}

static void
route_products (Route *route)
{
  const KtSandboxData *data = route->data;

  if (route->n_segments == 3)
    {
      list_products (route, -1, -1);
      return;
    }
  route_simple (route, "product", data->products, data->n_products, sizeof *data->products,
                products_id, render_product);
}

static void
route_customers (Route *route)
{
  const KtSandboxData *data = route->data;
  const char *email = query_value (route->req, "email");
  int customer;

  if (route->n_segments == 3 && email != NULL)
    {
      /* A lookup by email redirects (302) to the record, or gets 404. */
      for (guint i = 0; i < data->n_customers; i++)
        {
          if (g_ascii_strcasecmp (email, data->customers[i].email) == 0)
            {
              g_autofree char *origin = kt_request_origin (route->req);
              g_autofree char *location =
                g_strdup_printf ("%s/v1/companies/%" G_GINT64_FORMAT "/customers/%" G_GINT64_FORMAT "%s",
                                 origin, data->id, data->customers[i].id,
                                 route->json_suffix ? ".json" : "");

              kt_request_redirect (route->req, location);
              return;
            }
        }
      {
        g_autofree char *description = g_strdup_printf ("No customer has the email address %s", email);

        kt_request_json_error (route->req, SOUP_STATUS_NOT_FOUND, "not_found", description);
      }
      return;
    }

  if (route->n_segments >= 5)
    {
      customer = FIND (data, customers, n_customers, route->segments[3]);
      if (customer < 0)
        {
          not_found (route->req, "customer", route->segments[3]);
          return;
        }
      if (g_str_equal (route->segments[4], "orders"))
        {
          OrderScope scope = { -1, -1, -1, customer, -1 };

          route_scoped_orders (route, &scope, 4);
          return;
        }
      if (route->n_segments == 5 && g_str_equal (route->segments[4], "addresses"))
        {
          g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
          guint index = (guint) customer;

          if (data->customers[customer].has_address)
            g_array_append_val (rows, index);
          respond_list (route, rows, address_id, render_address, NULL);
          return;
        }
      not_found (route->req, "resource", NULL);
      return;
    }

  route_simple (route, "customer", data->customers, data->n_customers, sizeof *data->customers,
                customers_id, render_customer);
}

static void
route_price_lists (Route *route)
{
  const KtSandboxData *data = route->data;
  int list;

  if (route->n_segments == 3)
    {
      route_simple (route, "price list", data->price_lists, data->n_price_lists,
                    sizeof *data->price_lists, price_lists_id, render_price_list);
      return;
    }

  if (g_str_equal (route->segments[3], "base"))
    list = 0;
  else
    list = FIND (data, price_lists, n_price_lists, route->segments[3]);
  if (list < 0)
    {
      not_found (route->req, "price list", route->segments[3]);
      return;
    }

  if (route->n_segments == 4)
    {
      GString *body = g_string_new (NULL);

      kt_render_price_list (data, (guint) list, body);
      respond_object (route->req, body);
    }
  else if (route->n_segments == 5 && g_str_equal (route->segments[4], "products"))
    {
      respond_table (route, data->n_products, products_id, render_price_list_product, GUINT_TO_POINTER (list));
    }
  else
    not_found (route->req, "resource", NULL);
}

static void
route_shifts (Route *route)
{
  const KtSandboxData *data = route->data;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (guint));
  const char *date_text;
  gint64 from, until = G_MAXINT64;
  int year, month, day;

  if (route->n_segments == 3)
    {
      respond_table (route, data->n_shifts, shifts_id, render_shift, NULL);
      return;
    }

  if (route->n_segments == 5 && g_str_equal (route->segments[3], "since"))
    date_text = route->segments[4];
  else if (route->n_segments == 4)
    date_text = route->segments[3];
  else
    {
      not_found (route->req, "resource", NULL);
      return;
    }

  if (strlen (date_text) != 10 || sscanf (date_text, "%4d-%2d-%2d", &year, &month, &day) != 3
      || !g_date_valid_dmy (day, month, year))
    {
      g_autofree char *description = g_strdup_printf ("The date “%s” is not valid; use YYYY-MM-DD", date_text);

      kt_request_json_error (route->req, SOUP_STATUS_BAD_REQUEST, "invalid_request", description);
      return;
    }

  from = kt_sandbox_local_midnight (year, month, day);
  if (route->n_segments == 4)
    {
      GDate date;

      g_date_clear (&date, 1);
      g_date_set_dmy (&date, day, month, year);
      g_date_add_days (&date, 1);
      until = kt_sandbox_local_midnight (g_date_get_year (&date), g_date_get_month (&date),
                                         g_date_get_day (&date));
    }

  for (guint i = 0; i < data->n_shifts; i++)
    if (data->shifts[i].started_at >= from && data->shifts[i].started_at < until)
      g_array_append_val (rows, i);
  respond_list (route, rows, shifts_id, render_shift, NULL);
}

static void
route_company (Route *route)
{
  const KtSandboxData *data = route->data;
  const char *resource;

  if (route->n_segments == 2)
    {
      GString *body = g_string_new (NULL);

      kt_render_company (data, body);
      respond_object (route->req, body);
      return;
    }

  resource = route->segments[2];
  if (g_str_equal (resource, "sites"))
    route_sites (route);
  else if (g_str_equal (resource, "products"))
    route_products (route);
  else if (g_str_equal (resource, "categories"))
    route_categories (route);
  else if (g_str_equal (resource, "customers"))
    route_customers (route);
  else if (g_str_equal (resource, "orders"))
    route_orders (route);
  else if (g_str_equal (resource, "staff"))
    route_staff (route);
  else if (g_str_equal (resource, "registers"))
    route_registers (route);
  else if (g_str_equal (resource, "price_lists"))
    route_price_lists (route);
  else if (g_str_equal (resource, "taxes"))
    route_simple (route, "tax", data->taxes, data->n_taxes, sizeof *data->taxes, taxes_id, render_tax);
  else if (g_str_equal (resource, "payment_methods"))
    route_simple (route, "payment method", data->payment_methods, data->n_payment_methods,
                  sizeof *data->payment_methods, payment_methods_id, render_payment_method);
  else if (g_str_equal (resource, "shifts"))
    route_shifts (route);
  else if (g_str_equal (resource, "cashups"))
    route_simple (route, "cash-up", data->cashups, data->n_cashups, sizeof *data->cashups,
                  cashups_id, render_cashup);
  else if (g_str_equal (resource, "webhooks") && route->n_segments == 3)
    respond_object (route->req, g_string_new ("[]"));
  else
    not_found (route->req, "resource", NULL);
}

static void
route_request (Route *route)
{
  const KtSandboxData *data = route->data;
  gint64 company_id;

  if (route->n_segments < 2 || !g_str_equal (route->segments[0], "companies"))
    {
      not_found (route->req, "resource", NULL);
      return;
    }

  if (route->n_segments == 2 && g_str_equal (route->segments[1], "me"))
    {
      g_autofree char *origin = kt_request_origin (route->req);
      g_autofree char *location = g_strdup_printf ("%s/v1/companies/%" G_GINT64_FORMAT "%s",
                                                   origin, data->id, route->json_suffix ? ".json" : "");

      kt_request_redirect (route->req, location);
      return;
    }

  if (!parse_id (route->segments[1], &company_id))
    {
      g_autofree char *description =
        g_strdup_printf ("No company with id “%s” exists: a company id is a positive number. "
                         "Use %" G_GINT64_FORMAT ", the id of this credential's company, "
                         "or companies/me to look it up",
                         route->segments[1], data->id);

      kt_request_json_error (route->req, SOUP_STATUS_NOT_FOUND, "not_found", description);
      return;
    }
  if (company_id != data->id)
    {
      g_autofree char *description =
        g_strdup_printf ("This credential has no access to company %" G_GINT64_FORMAT, company_id);

      kt_request_json_error (route->req, SOUP_STATUS_FORBIDDEN, "forbidden", description);
      return;
    }

  route_company (route);
}

/* Whether a media range of an Accept header, such as "application/json;
 * charset=utf-8", names application/json itself, parameters aside. */
static gboolean
media_range_is_json (const char *media_range)
{
  g_autofree char *type = g_strdup (media_range);
  char *semicolon = strchr (type, ';');

  if (semicolon != NULL)
    *semicolon = '\0';
  g_strstrip (type);
  return g_ascii_strcasecmp (type, "application/json") == 0;
}

/*
 * Returns whether the Accept header requests JSON. Kounta's documentation says a
 * path without .json needs "Accept: application/json" and is otherwise
 * answered 406, so the stand-in requires application/json itself with a
 * quality above 0. A missing header or a wildcard range, such as the
 * "any type" range curl sends by default, is not enough, unlike in plain
 * HTTP content negotiation.
 */
static gboolean
accepts_json (KtRequest *req)
{
  const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (req->msg),
                                                      "Accept");
  GSList *acceptable;
  GSList *unacceptable = NULL;
  gboolean allowed = FALSE;

  if (accept == NULL)
    return FALSE;

  acceptable = soup_header_parse_quality_list (accept, &unacceptable);
  for (GSList *l = acceptable; l != NULL && !allowed; l = l->next)
    allowed = media_range_is_json (l->data);
  soup_header_free_list (acceptable);
  soup_header_free_list (unacceptable);

  return allowed;
}

static void
respond_server_error (KtRequest *req)
{
  /* Alternate between an application error and a gateway error. */
  gboolean gateway = kt_sandbox_get_counter (req->sandbox, "fault:server-error") % 2 == 0;
  guint status = gateway ? SOUP_STATUS_BAD_GATEWAY : SOUP_STATUS_INTERNAL_SERVER_ERROR;
  g_autofree char *page =
    g_strdup_printf ("<html><head><title>%u %s</title></head><body><h1>%u %s</h1>"
                     "<p>The server could not complete the request.</p></body></html>\n",
                     status, soup_status_get_phrase (status), status, soup_status_get_phrase (status));

  kt_request_set_body (req, status, "text/html; charset=utf-8", g_string_new (page));
}

/*
 * Handles an API request below /v1/: credentials, the rate limit, faults,
 * content negotiation, then the resource.
 */
void
kt_sandbox_handle_api (KtRequest  *req,
                       const char *api_path)
{
  KtSandbox *self = req->sandbox;
  g_autofree char *bucket_key = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) segments = NULL;
  Route route = { 0 };
  guint limit = 0;

  if (!kt_sandbox_authenticate (req, &bucket_key, &limit))
    return;

  req->is_api = TRUE;
  kt_sandbox_count (self, "api");
  req->lowercase_headers = kt_sandbox_draw_fault (self, KT_FAULT_LOWERCASE_HEADERS);

  if (kt_sandbox_draw_fault (self, KT_FAULT_DROP_CONNECTION))
    {
      GIOStream *stream;

      /* Counted first: the client may look as soon as the socket closes. */
      kt_sandbox_count (self, "dropped");
      stream = soup_server_message_steal_connection (req->msg);
      g_io_stream_close (stream, NULL, NULL);
      g_object_unref (stream);
      req->dropped = TRUE;
      return;
    }

  if (kt_sandbox_draw_fault (self, KT_FAULT_BARE_429))
    {
      kt_sandbox_rate_respond_bare (req);
      return;
    }

  if (!kt_sandbox_rate_charge (req, bucket_key, limit))
    return;

  if (kt_sandbox_draw_fault (self, KT_FAULT_SLOW))
    req->delay = self->fault_delay;

  if (kt_sandbox_draw_fault (self, KT_FAULT_SERVER_ERROR))
    {
      respond_server_error (req);
      return;
    }

  if (!g_str_equal (req->method, "GET") && !g_str_equal (req->method, "HEAD"))
    {
      g_autofree char *description =
        g_strdup_printf ("The method %s is not allowed here; the API takes GET and HEAD", req->method);

      kt_request_set_header (req, "Allow", "GET, HEAD");
      kt_request_json_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", description);
      return;
    }

  route.json_suffix = g_str_has_suffix (api_path, ".json");
  if (!route.json_suffix && !accepts_json (req))
    {
      const char *accept = soup_message_headers_get_list (soup_server_message_get_request_headers (req->msg),
                                                          "Accept");
      g_autofree char *description =
        accept == NULL
        ? g_strdup ("The request has no Accept header; send Accept: application/json or add .json to the path")
        : g_strdup_printf ("The Accept header “%s” does not name application/json; "
                           "send Accept: application/json or add .json to the path", accept);

      kt_request_json_error (req, SOUP_STATUS_NOT_ACCEPTABLE, "not_acceptable", description);
      return;
    }

  path = route.json_suffix ? g_strndup (api_path, strlen (api_path) - 5) : g_strdup (api_path);
  if (g_str_has_suffix (path, "/"))
    path[strlen (path) - 1] = '\0';
  segments = g_strsplit (path, "/", -1);

  route.req = req;
  route.data = kt_sandbox_ensure_data (self);
  route.segments = segments;
  route.n_segments = g_strv_length (segments);
  route_request (&route);
}
