#define G_LOG_DOMAIN "kt-sandbox-render"

#include "config.h"

#include "kt-sandbox-data.h"

/*
 * JSON for each row, written by hand into a GString: it is several times
 * faster than building a JsonNode tree, and the member order, number
 * format and spacing are fixed, so equal data gives equal bytes.
 */

void
kt_json_string (GString    *out,
                const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

/* Each server thread serves one sandbox, so the setting is per thread. */
static __thread gboolean money_as_strings;

void
kt_json_set_money_as_strings (gboolean as_strings)
{
  money_as_strings = as_strings;
}

/* Writes cents as a JSON number: whole amounts as integers (9, not 9.0). */
void
kt_json_money (GString *out,
               gint64   cents)
{
  gint64 whole;
  gint64 fraction;

  if (money_as_strings)
    {
      /* At least one decimal, as in "3.0" and "4.09". */
      const char *sign = cents < 0 ? "-" : "";
      gint64 magnitude = ABS (cents);

      if (magnitude % 10 == 0)
        g_string_append_printf (out, "\"%s%" G_GINT64_FORMAT ".%d\"", sign, magnitude / 100,
                                (int) (magnitude % 100 / 10));
      else
        g_string_append_printf (out, "\"%s%" G_GINT64_FORMAT ".%02d\"", sign, magnitude / 100,
                                (int) (magnitude % 100));
      return;
    }

  if (cents < 0)
    {
      g_string_append_c (out, '-');
      cents = -cents;
    }
  whole = cents / 100;
  fraction = cents % 100;

  if (fraction == 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, whole);
  else if (fraction % 10 == 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT ".%d", whole, (int) (fraction / 10));
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT ".%02d", whole, (int) fraction);
}

static void
append_local (GString *out,
              gint64   unix_time,
              gboolean with_time)
{
  int offset = kt_sandbox_utc_offset (unix_time);
  gint64 local = unix_time + offset;
  gint64 seconds = ((local % 86400) + 86400) % 86400;
  int year, month, day;

  kt_sandbox_civil_from_days ((local - seconds) / 86400, &year, &month, &day);
  if (with_time)
    g_string_append_printf (out, "\"%04d-%02d-%02dT%02d:%02d:%02d+%02d:00\"",
                            year, month, day, (int) (seconds / 3600), (int) (seconds / 60 % 60),
                            (int) (seconds % 60), offset / 3600);
  else
    g_string_append_printf (out, "\"%04d-%02d-%02d\"", year, month, day);
}

/* ISO 8601 with the offset of Sydney at that moment. */
void
kt_json_time (GString *out,
              gint64   unix_time)
{
  append_local (out, unix_time, TRUE);
}

void
kt_json_date (GString *out,
              gint64   unix_time)
{
  append_local (out, unix_time, FALSE);
}

static void
append_rate (GString *out,
             guint    permille)
{
  if (permille % 1000 == 0)
    g_string_append_printf (out, "%u", permille / 1000);
  else if (permille % 100 == 0)
    g_string_append_printf (out, "%u.%u", permille / 1000, (permille % 1000) / 100);
  else
    g_string_append_printf (out, "%u.%03u", permille / 1000, permille % 1000);
}

static void
append_address_members (GString    *out,
                        const char *street,
                        const char *city,
                        const char *postal_code)
{
  g_string_append (out, "\"lines\":[");
  kt_json_string (out, street);
  g_string_append (out, "],\"city\":");
  kt_json_string (out, city);
  g_string_append (out, ",\"zone\":\"NSW\",\"postal_code\":");
  kt_json_string (out, postal_code);
  g_string_append (out, ",\"country\":\"AU\"");
}

static void
append_address (GString    *out,
                const char *street,
                const char *city,
                const char *postal_code)
{
  g_string_append_c (out, '{');
  append_address_members (out, street, city, postal_code);
  g_string_append_c (out, '}');
}

static void
append_staff_ref (GString       *out,
                  const KtStaff *staff)
{
  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"first_name\":", staff->id);
  kt_json_string (out, staff->first_name);
  g_string_append (out, ",\"last_name\":");
  kt_json_string (out, staff->last_name);
  g_string_append_c (out, '}');
}

void
kt_render_company (const KtSandboxData *data,
                   GString             *out)
{
  const KtSite *first = &data->sites[0];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", data->id);
  kt_json_string (out, data->name);
  g_string_append (out, ",\"currency\":");
  kt_json_string (out, data->currency);
  g_string_append_printf (out, ",\"timezone\":{\"offset\":\"+%02d:00\",\"name\":\"Australia/Sydney\"}",
                          kt_sandbox_utc_offset (data->updated_at) / 3600);
  g_string_append (out, ",\"business_number\":\"51 824 753 556\",\"contact_staff_member\":");
  append_staff_ref (out, &data->staff[0]);
  g_string_append (out, ",\"postal_address\":");
  append_address (out, first->street, "Sydney", first->postal_code);
  g_string_append_printf (out, ",\"sites\":{\"count\":%u,\"updated_at\":", data->n_sites);
  kt_json_time (out, data->updated_at);
  g_string_append_printf (out, "},\"registers\":{\"count\":%u,\"limit\":%u,\"updated_at\":",
                          data->n_registers, data->n_registers + 2);
  kt_json_time (out, data->updated_at);
  g_string_append (out, "},\"created_at\":");
  kt_json_time (out, data->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, data->updated_at);
  g_string_append_c (out, '}');
}

void
kt_render_site (const KtSandboxData *data,
                guint                i,
                gboolean             full,
                GString             *out)
{
  const KtSite *site = &data->sites[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", site->id);
  kt_json_string (out, site->name);
  g_string_append (out, ",\"code\":");
  kt_json_string (out, site->code);
  if (!full)
    {
      g_string_append_c (out, '}');
      return;
    }

  g_string_append (out, ",\"business_number\":null,\"contact_person\":");
  append_staff_ref (out, &data->staff[0]);
  g_string_append_printf (out, ",\"email\":\"%s@example.com\"", site->code);
  g_string_append (out, ",\"phone\":");
  kt_json_string (out, site->phone);
  g_string_append (out, ",\"postal_address\":");
  append_address (out, site->street, site->suburb, site->postal_code);
  g_string_append (out, ",\"physical_address\":");
  append_address (out, site->street, site->suburb, site->postal_code);
  g_string_append (out, ",\"image\":null,\"website\":null,\"register_level_reconciliation\":false");
  g_string_append_printf (out, ",\"price_list\":{\"id\":%" G_GINT64_FORMAT "}", data->price_lists[0].id);
  g_string_append (out, ",\"created_at\":");
  kt_json_time (out, site->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, data->updated_at);
  g_string_append_c (out, '}');
}

void
kt_render_register (const KtSandboxData *data,
                    guint                i,
                    GString             *out)
{
  const KtRegister *reg = &data->registers[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"code\":", reg->id);
  kt_json_string (out, reg->code);
  g_string_append (out, ",\"name\":");
  kt_json_string (out, reg->name);
  g_string_append_printf (out, ",\"site_id\":%" G_GINT64_FORMAT "}", data->sites[reg->site].id);
}

void
kt_render_staff (const KtSandboxData *data,
                 guint                i,
                 GString             *out)
{
  const KtStaff *staff = &data->staff[i];
  gboolean first = TRUE;

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"first_name\":", staff->id);
  kt_json_string (out, staff->first_name);
  g_string_append (out, ",\"last_name\":");
  kt_json_string (out, staff->last_name);
  g_string_append (out, ",\"email\":");
  kt_json_string (out, staff->email);
  g_string_append_printf (out, ",\"is_admin\":%s,\"sites\":[", staff->is_admin ? "true" : "false");
  for (guint s = 0; s < data->n_sites; s++)
    {
      if (!(staff->site_mask & (1u << s)))
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", data->sites[s].id);
      kt_json_string (out, data->sites[s].name);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');

  /* Administrators have every permission, and the member is absent. */
  if (!staff->is_admin)
    g_string_append (out, ",\"permissions\":[\"orders.create\",\"orders.refund\",\"customers.view\"]");
  g_string_append (out, ",\"created_at\":");
  kt_json_time (out, staff->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, staff->created_at);
  g_string_append_c (out, '}');
}

void
kt_render_tax (const KtSandboxData *data,
               guint                i,
               GString             *out)
{
  const KtTax *tax = &data->taxes[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"code\":", tax->id);
  kt_json_string (out, tax->code);
  g_string_append (out, ",\"name\":");
  kt_json_string (out, tax->name);
  g_string_append (out, ",\"rate\":");
  append_rate (out, tax->rate_permille);
  g_string_append_c (out, '}');
}

void
kt_render_payment_method (const KtSandboxData *data,
                          guint                i,
                          GString             *out)
{
  const KtPaymentMethod *method = &data->payment_methods[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", method->id);
  kt_json_string (out, method->name);
  g_string_append (out, ",\"ledger_code\":");
  kt_json_string (out, method->ledger_code);
  g_string_append_c (out, '}');
}

void
kt_render_category (const KtSandboxData *data,
                    guint                i,
                    GString             *out)
{
  const KtCategory *category = &data->categories[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", category->id);
  kt_json_string (out, category->name);
  g_string_append (out, ",\"description\":");
  kt_json_string (out, category->description);
  g_string_append_c (out, '}');
}

void
kt_render_product (const KtSandboxData *data,
                   guint                i,
                   GString             *out)
{
  const KtProduct *product = &data->products[i];
  const KtCategory *category = &data->categories[product->category];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"company_id\":%" G_GINT64_FORMAT ",\"name\":",
                          product->id, data->id);
  kt_json_string (out, product->name);
  g_string_append (out, ",\"code\":");
  kt_json_string (out, product->code);
  g_string_append (out, ",\"barcode\":");
  kt_json_string (out, product->barcode);
  if (product->description != NULL)
    {
      g_string_append (out, ",\"description\":");
      kt_json_string (out, product->description);
    }
  g_string_append (out, ",\"tags\":[");
  for (guint t = 0; t < G_N_ELEMENTS (product->tags) && product->tags[t] != NULL; t++)
    {
      if (t > 0)
        g_string_append_c (out, ',');
      kt_json_string (out, product->tags[t]);
    }
  g_string_append_printf (out, "],\"is_modifier\":%s,\"unit_price\":", product->is_modifier ? "true" : "false");
  kt_json_money (out, kt_product_unit_price (product));
  g_string_append (out, ",\"cost_price\":");
  kt_json_money (out, product->cost_price);
  g_string_append_printf (out, ",\"stock\":%" G_GINT64_FORMAT ",\"image\":null", kt_product_stock (data, i));
  g_string_append_printf (out, ",\"categories\":[{\"id\":%" G_GINT64_FORMAT ",\"name\":", category->id);
  kt_json_string (out, category->name);
  g_string_append (out, "}],\"taxes\":[");
  kt_render_tax (data, product->tax, out);
  g_string_append (out, "],\"created_at\":");
  kt_json_time (out, product->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, product->updated_at);
  g_string_append_c (out, '}');
}

void
kt_render_price_list (const KtSandboxData *data,
                      guint                i,
                      GString             *out)
{
  const KtPriceList *list = &data->price_lists[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", list->id);
  kt_json_string (out, list->name);
  if (list->parent_id != 0)
    g_string_append_printf (out, ",\"parent_id\":%" G_GINT64_FORMAT "}", list->parent_id);
  else
    g_string_append (out, ",\"parent_id\":null}");
}

void
kt_render_price_list_product (const KtSandboxData *data,
                              guint                list,
                              guint                i,
                              GString             *out)
{
  const KtProduct *product = &data->products[i];
  guint percent = data->price_lists[list].percent;
  gint64 inc_tax = (product->price_inc_tax * percent + 50) / 100;
  guint rate = data->taxes[product->tax].rate_permille;
  gint64 tax = (inc_tax * rate + (1000 + rate) / 2) / (1000 + rate);

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"name\":", product->id);
  kt_json_string (out, product->name);
  g_string_append (out, ",\"unit_price\":");
  kt_json_money (out, inc_tax - tax);
  g_string_append (out, ",\"unit_price_inc_tax\":");
  kt_json_money (out, inc_tax);
  g_string_append_c (out, '}');
}

void
kt_render_customer (const KtSandboxData *data,
                    guint                i,
                    GString             *out)
{
  const KtCustomer *customer = &data->customers[i];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"first_name\":", customer->id);
  kt_json_string (out, customer->first_name);
  g_string_append (out, ",\"last_name\":");
  kt_json_string (out, customer->last_name);
  g_string_append (out, ",\"email\":");
  kt_json_string (out, customer->email);
  g_string_append (out, ",\"phone\":");
  kt_json_string (out, customer->phone);
  g_string_append_printf (out, ",\"reference_id\":null,\"points\":%u,\"tags\":[]", customer->points);
  g_string_append (out, ",\"created_at\":");
  kt_json_time (out, customer->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, customer->created_at);
  g_string_append_c (out, '}');
}

void
kt_render_address (const KtSandboxData *data,
                   guint                i,
                   GString             *out)
{
  const KtCustomer *customer = &data->customers[i];
  char postal_code[16];

  g_snprintf (postal_code, sizeof postal_code, "%u", customer->postal_code);
  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",", customer->id * 10 + 1);
  append_address_members (out, customer->street, customer->suburb, postal_code);
  g_string_append_c (out, '}');
}

static void
render_line (const KtSandboxData *data,
             const KtOrder       *order,
             guint                l,
             GString             *out)
{
  const KtOrderLine *line = &data->lines[order->first_line + l];
  const KtProduct *product = &data->products[line->product];

  g_string_append_printf (out, "{\"line_id\":%u,\"product\":{\"id\":%" G_GINT64_FORMAT ",\"name\":",
                          l + 1, product->id);
  kt_json_string (out, product->name);
  g_string_append_printf (out, "},\"quantity\":%u,\"unit_price\":", line->quantity);
  kt_json_money (out, kt_product_unit_price (product));
  g_string_append (out, ",\"unit_tax\":");
  kt_json_money (out, product->unit_tax);
  g_string_append (out, ",\"price_variation\":");
  if (line->percent == 100)
    g_string_append (out, "1");
  else
    g_string_append_printf (out, "%u.%u", line->percent / 100, (line->percent % 100) / 10);
  g_string_append (out, ",\"total\":");
  kt_json_money (out, kt_line_total (data, line));
  g_string_append (out, ",\"total_tax\":");
  kt_json_money (out, kt_line_total_tax (data, line));
  g_string_append_c (out, '}');
}

static void
render_payment (const KtSandboxData *data,
                guint                order_index,
                guint                k,
                guint                method,
                gint64               amount,
                GString             *out)
{
  const KtOrder *order = &data->orders[order_index];
  const KtPaymentMethod *payment_method = &data->payment_methods[method];

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"method\":{\"id\":%" G_GINT64_FORMAT ",\"name\":",
                          (gint64) 19230000 + (gint64) order_index * 2 + k, payment_method->id);
  kt_json_string (out, payment_method->name);
  g_string_append (out, "},\"amount\":");
  kt_json_money (out, amount);
  g_string_append (out, ",\"created_at\":");
  kt_json_time (out, order->created_at + 60 + k * 30);
  g_string_append_c (out, '}');
}

void
kt_render_order (const KtSandboxData *data,
                 guint                i,
                 gboolean             full,
                 GString             *out)
{
  const KtOrder *order = &data->orders[i];
  const KtRegister *reg = &data->registers[order->reg];
  gint64 updated_at = kt_order_updated_at (order);

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"sale_number\":\"%s-%u\",\"status\":\"%s\"",
                          order->id, reg->code, order->sale_number, kt_order_status_name (order->status));
  if (full)
    {
      g_string_append (out, ",\"order_type\":");
      kt_json_string (out, kt_order_type_name (order->order_type));
    }
  g_string_append_printf (out, ",\"site_id\":%" G_GINT64_FORMAT ",\"register_id\":%" G_GINT64_FORMAT,
                          data->sites[order->site].id, reg->id);
  if (full)
    {
      g_string_append_printf (out, ",\"staff_member_id\":%" G_GINT64_FORMAT ",\"customer\":",
                              data->staff[order->staff].id);
      if (order->customer == 0)
        g_string_append (out, "null");
      else
        {
          const KtCustomer *customer = &data->customers[order->customer - 1];

          g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"first_name\":", customer->id);
          kt_json_string (out, customer->first_name);
          g_string_append (out, ",\"last_name\":");
          kt_json_string (out, customer->last_name);
          g_string_append_c (out, '}');
        }
    }
  else if (order->customer != 0)
    g_string_append_printf (out, ",\"customer_id\":%" G_GINT64_FORMAT, data->customers[order->customer - 1].id);

  g_string_append (out, ",\"total\":");
  kt_json_money (out, order->total);
  if (full)
    {
      g_string_append (out, ",\"total_tax\":");
      kt_json_money (out, order->total_tax);
    }
  g_string_append (out, ",\"paid\":");
  kt_json_money (out, order->paid);
  if (full)
    g_string_append (out, ",\"deleted\":false");
  g_string_append (out, ",\"created_at\":");
  kt_json_time (out, order->created_at);
  g_string_append (out, ",\"updated_at\":");
  kt_json_time (out, updated_at);

  if (full)
    {
      g_string_append (out, ",\"lines\":[");
      for (guint l = 0; l < order->n_lines; l++)
        {
          if (l > 0)
            g_string_append_c (out, ',');
          render_line (data, order, l, out);
        }
      g_string_append (out, "],\"payments\":[");
      if (order->paid > 0 && order->split)
        {
          render_payment (data, i, 0, 0, order->first_payment_amount, out);
          g_string_append_c (out, ',');
          render_payment (data, i, 1, order->payment_method, order->paid - order->first_payment_amount, out);
        }
      else if (order->paid > 0)
        render_payment (data, i, 0, order->payment_method, order->paid, out);
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, '}');
}

void
kt_render_shift (const KtSandboxData *data,
                 guint                i,
                 GString             *out)
{
  const KtShift *shift = &data->shifts[i];
  gint64 break_start = kt_shift_break_start (shift);

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"staff_member\":", shift->id);
  append_staff_ref (out, &data->staff[shift->staff]);
  g_string_append_printf (out, ",\"site\":{\"id\":%" G_GINT64_FORMAT ",\"name\":", data->sites[shift->site].id);
  kt_json_string (out, data->sites[shift->site].name);
  g_string_append (out, "},\"started_at\":");
  kt_json_time (out, shift->started_at);
  g_string_append (out, ",\"finished_at\":");
  if (shift->finished_at != 0)
    kt_json_time (out, shift->finished_at);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"breaks\":[");
  if (shift->break_minutes > 0)
    {
      g_string_append (out, "{\"started_at\":");
      kt_json_time (out, break_start);
      g_string_append (out, ",\"finished_at\":");
      kt_json_time (out, break_start + shift->break_minutes * 60);
      g_string_append (out, "}");
    }
  g_string_append (out, "]}");
}

/* Closed at 16:30 local time on its day, with one row per payment method. */
void
kt_render_cashup (const KtSandboxData *data,
                  guint                i,
                  GString             *out)
{
  const KtCashup *cashup = &data->cashups[i];
  const KtRegister *reg = &data->registers[cashup->reg];
  gboolean first = TRUE;

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"site_id\":%" G_GINT64_FORMAT
                          ",\"register_id\":%" G_GINT64_FORMAT ",\"orders\":%u,\"total\":",
                          cashup->id, data->sites[reg->site].id, reg->id, cashup->n_orders);
  kt_json_money (out, cashup->total);
  g_string_append (out, ",\"total_tax\":");
  kt_json_money (out, cashup->total_tax);
  g_string_append (out, ",\"payments\":[");
  for (guint m = 0; m < G_N_ELEMENTS (cashup->by_method); m++)
    {
      if (cashup->by_method[m] == 0)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "{\"method\":{\"id\":%" G_GINT64_FORMAT ",\"name\":",
                              data->payment_methods[m].id);
      kt_json_string (out, data->payment_methods[m].name);
      g_string_append (out, "},\"amount\":");
      kt_json_money (out, cashup->by_method[m]);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\"created_at\":");
  kt_json_time (out, kt_cashup_time (data, cashup->day));
  g_string_append_c (out, '}');
}

void
kt_render_inventory (const KtSandboxData *data,
                     guint                site,
                     guint                i,
                     GString             *out)
{
  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"stock\":%" G_GINT64_FORMAT "}",
                          data->products[i].id, kt_product_stock_at_site (data, i, site));
}
