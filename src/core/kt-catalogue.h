#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a column's value is read and shown. */
typedef enum
{
  KT_COLUMN_TEXT,
  KT_COLUMN_ID,
  KT_COLUMN_NUMBER,
  KT_COLUMN_MONEY,     /* in the company's currency */
  KT_COLUMN_DATETIME,  /* ISO 8601, shown in the company's time zone */
  KT_COLUMN_BOOLEAN,
  KT_COLUMN_LIST,      /* an array shown joined, e.g. tags */
  KT_COLUMN_REFERENCE, /* the id of a record of another resource, shown
                        * by that record's name */
  KT_COLUMN_STATUS,    /* a code such as "ON_HOLD", shown as words; exports
                        * keep the code */
} KtColumnKind;

/* What a resource's path needs besides the company id. */
typedef enum
{
  KT_SCOPE_COMPANY,    /* companies/{company_id}/... */
  KT_SCOPE_SINGLE,     /* one object, not a list (the company itself) */
  KT_SCOPE_SITE,       /* needs {site_id} */
  KT_SCOPE_DATE,       /* needs {date}, YYYY-MM-DD */
} KtScope;

typedef struct
{
  const char   *id;          /* "total" */
  const char   *title;       /* untranslated; the UI passes it to gettext */
  const char   *json_path;   /* "customer.first_name" */
  KtColumnKind  kind;
  const char   *references;  /* REFERENCE columns: the resource id, "sites" */
} KtColumn;

typedef struct
{
  const char     *id;             /* "orders" */
  const char     *title;          /* untranslated: "Orders" */
  const char     *singular;       /* untranslated: "Order" */
  const char     *icon_name;      /* symbolic icon for the sidebar */
  const char     *path_template;  /* "companies/{company_id}/orders.json" */
  KtScope         scope;
  const KtColumn *columns;
  guint           n_columns;
  const char     *search_columns; /* comma-separated column ids searched */
} KtResource;

/* The resources in sidebar order; static, never freed. kt_catalogue_lookup()
 * returns NULL for an unknown id. */
const KtResource *kt_catalogue_get_resources (guint      *n_resources);
const KtResource *kt_catalogue_lookup        (const char *id);
/* The index of the column called @column_id, or -1. */
int               kt_catalogue_find_column   (const KtResource *resource,
                                              const char       *column_id);

/* The path with {company_id}, {site_id} and {date} filled in, and @query
 * (already encoded, or NULL) appended. The caller owns the string. */
char             *kt_catalogue_build_path    (const KtResource *resource,
                                              gint64            company_id,
                                              gint64            site_id,
                                              const char       *date,
                                              const char       *query);

G_END_DECLS
