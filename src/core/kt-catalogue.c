#define G_LOG_DOMAIN "kt-catalogue"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "kt-catalogue.h"

/* Titles are only marked here with N_(); the UI translates them with
 * gettext() when it shows them. */

static const KtColumn company_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "currency", N_("Currency"), "currency", KT_COLUMN_TEXT },
  { "timezone", N_("Time Zone"), "timezone.name", KT_COLUMN_TEXT },
  { "created_at", N_("Created"), "created_at", KT_COLUMN_DATETIME },
};

static const KtColumn site_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "code", N_("Code"), "code", KT_COLUMN_TEXT },
};

static const KtColumn product_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "code", N_("Code"), "code", KT_COLUMN_TEXT },
  { "barcode", N_("Barcode"), "barcode", KT_COLUMN_TEXT },
  { "unit_price", N_("Price"), "unit_price", KT_COLUMN_MONEY },
  { "tags", N_("Tags"), "tags", KT_COLUMN_LIST },
};

static const KtColumn category_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "description", N_("Description"), "description", KT_COLUMN_TEXT },
};

static const KtColumn customer_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "first_name", N_("First Name"), "first_name", KT_COLUMN_TEXT },
  { "last_name", N_("Last Name"), "last_name", KT_COLUMN_TEXT },
  { "email", N_("Email"), "email", KT_COLUMN_TEXT },
  { "phone", N_("Phone"), "phone", KT_COLUMN_TEXT },
};

static const KtColumn order_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "sale_number", N_("Sale"), "sale_number", KT_COLUMN_TEXT },
  { "status", N_("Status"), "status", KT_COLUMN_STATUS },
  { "total", N_("Total"), "total", KT_COLUMN_MONEY },
  { "created_at", N_("Created"), "created_at", KT_COLUMN_DATETIME },
};

static const KtColumn staff_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "first_name", N_("First Name"), "first_name", KT_COLUMN_TEXT },
  { "last_name", N_("Last Name"), "last_name", KT_COLUMN_TEXT },
  { "email", N_("Email"), "email", KT_COLUMN_TEXT },
  { "is_admin", N_("Administrator"), "is_admin", KT_COLUMN_BOOLEAN },
};

static const KtColumn register_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "code", N_("Code"), "code", KT_COLUMN_TEXT },
  { "site_id", N_("Site"), "site_id", KT_COLUMN_REFERENCE, "sites" },
};

static const KtColumn price_list_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "parent_id", N_("Based On"), "parent_id", KT_COLUMN_REFERENCE, "price_lists" },
};

static const KtColumn tax_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "code", N_("Code"), "code", KT_COLUMN_TEXT },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "rate", N_("Rate"), "rate", KT_COLUMN_NUMBER },
};

static const KtColumn payment_method_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "name", N_("Name"), "name", KT_COLUMN_TEXT },
  { "ledger_code", N_("Ledger Code"), "ledger_code", KT_COLUMN_TEXT },
};

static const KtColumn inventory_columns[] = {
  { "id", N_("Product ID"), "id", KT_COLUMN_ID },
  { "product", N_("Product"), "id", KT_COLUMN_REFERENCE, "products" },
  { "stock", N_("Stock"), "stock", KT_COLUMN_NUMBER },
};

static const KtColumn shift_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "first_name", N_("First Name"), "staff_member.first_name", KT_COLUMN_TEXT },
  { "last_name", N_("Last Name"), "staff_member.last_name", KT_COLUMN_TEXT },
  { "site", N_("Site"), "site.name", KT_COLUMN_TEXT },
  { "started_at", N_("Started"), "started_at", KT_COLUMN_DATETIME },
  { "finished_at", N_("Finished"), "finished_at", KT_COLUMN_DATETIME },
};

static const KtColumn cashup_columns[] = {
  { "id", N_("ID"), "id", KT_COLUMN_ID },
  { "register", N_("Register"), "register_id", KT_COLUMN_REFERENCE, "registers" },
  { "site", N_("Site"), "site_id", KT_COLUMN_REFERENCE, "sites" },
  { "orders", N_("Orders"), "orders", KT_COLUMN_NUMBER },
  { "total", N_("Total"), "total", KT_COLUMN_MONEY },
  { "created_at", N_("Created"), "created_at", KT_COLUMN_DATETIME },
};

#define COLUMNS(array) array, G_N_ELEMENTS (array)

static const KtResource resources[] = {
  { "company", N_("Company"), N_("Company"), "go-home-symbolic",
    "companies/{company_id}.json", KT_SCOPE_SINGLE,
    COLUMNS (company_columns), "name" },
  { "sites", N_("Sites"), N_("Site"), "mark-location-symbolic",
    "companies/{company_id}/sites.json", KT_SCOPE_COMPANY,
    COLUMNS (site_columns), "name,code" },
  { "products", N_("Products"), N_("Product"), "package-x-generic-symbolic",
    "companies/{company_id}/products.json", KT_SCOPE_COMPANY,
    COLUMNS (product_columns), "name,code,barcode,tags" },
  { "categories", N_("Categories"), N_("Category"), "view-list-symbolic",
    "companies/{company_id}/categories.json", KT_SCOPE_COMPANY,
    COLUMNS (category_columns), "name,description" },
  { "customers", N_("Customers"), N_("Customer"), "system-users-symbolic",
    "companies/{company_id}/customers.json", KT_SCOPE_COMPANY,
    COLUMNS (customer_columns), "first_name,last_name,email,phone" },
  { "orders", N_("Orders"), N_("Order"), "emblem-documents-symbolic",
    "companies/{company_id}/orders.json", KT_SCOPE_COMPANY,
    COLUMNS (order_columns), "id,sale_number,status" },
  { "staff", N_("Staff"), N_("Staff Member"), "avatar-default-symbolic",
    "companies/{company_id}/staff.json", KT_SCOPE_COMPANY,
    COLUMNS (staff_columns), "first_name,last_name,email" },
  { "registers", N_("Registers"), N_("Register"), "computer-symbolic",
    "companies/{company_id}/registers.json", KT_SCOPE_COMPANY,
    COLUMNS (register_columns), "name,code,site_id" },
  { "price_lists", N_("Price Lists"), N_("Price List"), "view-paged-symbolic",
    "companies/{company_id}/price_lists.json", KT_SCOPE_COMPANY,
    COLUMNS (price_list_columns), "name,parent_id" },
  { "taxes", N_("Taxes"), N_("Tax"), "accessories-calculator-symbolic",
    "companies/{company_id}/taxes.json", KT_SCOPE_COMPANY,
    COLUMNS (tax_columns), "code,name" },
  { "payment_methods", N_("Payment Methods"), N_("Payment Method"), "auth-smartcard-symbolic",
    "companies/{company_id}/payment_methods.json", KT_SCOPE_COMPANY,
    COLUMNS (payment_method_columns), "name,ledger_code" },
  { "inventory", N_("Inventory"), N_("Inventory Item"), "view-grid-symbolic",
    "companies/{company_id}/sites/{site_id}/inventory.json", KT_SCOPE_SITE,
    COLUMNS (inventory_columns), "id,product" },
  { "shifts", N_("Shifts"), N_("Shift"), "x-office-calendar-symbolic",
    "companies/{company_id}/shifts/{date}.json", KT_SCOPE_DATE,
    COLUMNS (shift_columns), "first_name,last_name,site" },
  { "cashups", N_("Cash-Ups"), N_("Cash-Up"), "emblem-ok-symbolic",
    "companies/{company_id}/cashups.json", KT_SCOPE_COMPANY,
    COLUMNS (cashup_columns), "id,register,site" },
};

/* Returns the resources in sidebar order and stores their number in
 * @n_resources (may be NULL); the array is static. */
const KtResource *
kt_catalogue_get_resources (guint *n_resources)
{
  if (n_resources != NULL)
    *n_resources = G_N_ELEMENTS (resources);

  return resources;
}

/* Returns the resource called @id, or NULL; static, never freed. */
const KtResource *
kt_catalogue_lookup (const char *id)
{
  guint i;

  g_return_val_if_fail (id != NULL, NULL);

  for (i = 0; i < G_N_ELEMENTS (resources); i++)
    {
      if (g_str_equal (resources[i].id, id))
        return &resources[i];
    }

  return NULL;
}

/* Returns the index of the column called @column_id of @resource, or -1. */
int
kt_catalogue_find_column (const KtResource *resource,
                          const char       *column_id)
{
  guint i;

  g_return_val_if_fail (resource != NULL, -1);
  g_return_val_if_fail (column_id != NULL, -1);

  for (i = 0; i < resource->n_columns; i++)
    {
      if (g_str_equal (resource->columns[i].id, column_id))
        return (int) i;
    }

  return -1;
}

/* Returns the path of @resource with its placeholders filled and @query
 * appended; the caller owns it. A missing {date} is left empty, and
 * @date is escaped, so it cannot change the path's shape. */
char *
kt_catalogue_build_path (const KtResource *resource,
                         gint64            company_id,
                         gint64            site_id,
                         const char       *date,
                         const char       *query)
{
  GString *path;
  const char *p;

  g_return_val_if_fail (resource != NULL, NULL);

  path = g_string_new (NULL);
  for (p = resource->path_template; *p != '\0'; )
    {
      if (g_str_has_prefix (p, "{company_id}"))
        {
          g_string_append_printf (path, "%" G_GINT64_FORMAT, company_id);
          p += strlen ("{company_id}");
        }
      else if (g_str_has_prefix (p, "{site_id}"))
        {
          g_string_append_printf (path, "%" G_GINT64_FORMAT, site_id);
          p += strlen ("{site_id}");
        }
      else if (g_str_has_prefix (p, "{date}"))
        {
          if (date != NULL)
            g_string_append_uri_escaped (path, date, NULL, FALSE);
          p += strlen ("{date}");
        }
      else
        {
          g_string_append_c (path, *p);
          p++;
        }
    }

  if (query != NULL && query[0] != '\0')
    {
      g_string_append_c (path, strchr (path->str, '?') != NULL ? '&' : '?');
      g_string_append (path, query[0] == '?' ? query + 1 : query);
    }

  return g_string_free (path, FALSE);
}
