#pragma once

#include <glib.h>

#include "kt-sandbox.h"

G_BEGIN_DECLS

/*
 * The generated company, kept as compact rows; JSON is written on demand.
 * Money is held in cents, times as Unix seconds (UTC). Every table is
 * sorted by ascending id, which is also the order of the API's lists.
 */

typedef enum
{
  KT_ORDER_SUBMITTED,
  KT_ORDER_ON_HOLD,
  KT_ORDER_PENDING,
  KT_ORDER_ACCEPTED,
  KT_ORDER_REJECTED,
  KT_ORDER_COMPLETE,
  KT_ORDER_N_STATUSES
} KtOrderStatus;

typedef struct
{
  gint64 id;
  const char *name;
  const char *code;
  const char *street;
  const char *suburb;
  const char *postal_code;
  const char *phone;
  gint64 created_at;
} KtSite;

typedef struct
{
  gint64 id;
  guint site;
  char *name;
  char *code;
} KtRegister;

typedef struct
{
  gint64 id;
  const char *first_name;
  const char *last_name;
  char *email;
  gboolean is_admin;
  guint site_mask;              /* bit i: works at site i */
  gint64 created_at;
} KtStaff;

typedef struct
{
  gint64 id;
  const char *code;
  const char *name;
  guint rate_permille;
} KtTax;

typedef struct
{
  gint64 id;
  const char *name;
  const char *ledger_code;
} KtPaymentMethod;

typedef struct
{
  gint64 id;
  const char *name;
  const char *description;
} KtCategory;

typedef struct
{
  gint64 id;
  char *name;
  char *code;
  char *barcode;                /* NULL for some; digits with leading zeros */
  const char *description;      /* NULL: the member is absent */
  guint category;
  guint tax;
  gint64 price_inc_tax;         /* cents */
  gint64 unit_tax;              /* cents at full price */
  gint64 cost_price;            /* cents */
  gboolean is_modifier;
  guint site_mask;              /* bit i: sold at site i */
  const char *tags[3];
  gint64 created_at;
  gint64 updated_at;
} KtProduct;

typedef struct
{
  gint64 id;
  const char *name;
  gint64 parent_id;             /* 0: none */
  guint percent;                /* price as percent of the base list */
} KtPriceList;

typedef struct
{
  gint64 id;
  const char *first_name;
  const char *last_name;
  char *email;
  char *phone;                  /* NULL for some */
  guint points;
  gboolean has_address;
  const char *street;
  const char *suburb;
  guint postal_code;
  gint64 created_at;
} KtCustomer;

typedef struct
{
  guint32 product;
  guint8 quantity;
  guint8 percent;               /* price_variation as a percentage */
} KtOrderLine;

typedef struct
{
  gint64 id;
  gint64 created_at;
  gint64 total;                 /* cents, tax included */
  gint64 total_tax;
  gint64 paid;
  gint64 first_payment_amount;  /* cents of the first payment when split */
  guint32 first_line;
  guint32 customer;             /* index + 1; 0: none */
  guint32 sale_number;
  guint16 staff;
  guint8 site;
  guint8 reg;
  guint8 n_lines;
  guint8 status;
  guint8 order_type;
  guint8 payment_method;        /* index; with split, the second method */
  guint8 split;                 /* paid in two payments, the first in cash */
} KtOrder;

typedef struct
{
  gint64 id;
  guint16 staff;
  guint8 site;
  gint64 started_at;
  gint64 finished_at;           /* 0 while the shift is still going */
  guint break_minutes;          /* 0 for no break */
} KtShift;

/* A register's end-of-day count: its complete orders of one local day. */
typedef struct
{
  gint64 id;
  guint16 day;
  guint8 reg;
  guint32 n_orders;
  gint64 total;
  gint64 total_tax;
  gint64 by_method[4];          /* cents taken with each payment method */
} KtCashup;

typedef struct
{
  gint64 id;
  char *name;
  char *currency;
  gint64 created_at;
  gint64 updated_at;

  GPtrArray *strings;           /* owned strings of the rows below */

  KtSite *sites;
  guint n_sites;
  KtRegister *registers;
  guint n_registers;
  KtStaff *staff;
  guint n_staff;
  KtTax *taxes;
  guint n_taxes;
  KtPaymentMethod *payment_methods;
  guint n_payment_methods;
  KtCategory *categories;
  guint n_categories;
  KtProduct *products;
  guint n_products;
  KtPriceList *price_lists;
  guint n_price_lists;
  KtCustomer *customers;
  guint n_customers;
  KtOrder *orders;
  guint n_orders;
  KtOrderLine *lines;
  guint n_lines;
  KtShift *shifts;
  guint n_shifts;
  KtCashup *cashups;
  guint n_cashups;
  gint64 first_day;             /* Unix time of the first day's local midnight */
  guint n_days;
} KtSandboxData;

KtSandboxData *kt_sandbox_data_generate  (guint64         seed,
                                          KtSandboxScale  scale);
KtSandboxData *kt_sandbox_data_generate_until (guint64        seed,
                                               KtSandboxScale scale,
                                               int            end_year,
                                               int            end_month,
                                               int            end_day);
KtSandboxData *kt_sandbox_data_generate_until_time (guint64        seed,
                                                    KtSandboxScale scale,
                                                    gint64         end_time);
void           kt_sandbox_data_free      (KtSandboxData  *data);

/* Row indexes by id; -1 when not found. */
int            kt_sandbox_data_find      (const void     *rows,
                                          guint           n_rows,
                                          gsize           row_size,
                                          gint64          id);

gint64         kt_product_unit_price     (const KtProduct *product);
gint64         kt_product_stock_at_site  (const KtSandboxData *data,
                                          guint                product,
                                          guint                site);
gint64         kt_product_stock          (const KtSandboxData *data,
                                          guint                product);
gint64         kt_shift_break_start      (const KtShift       *shift);
gint64         kt_order_updated_at       (const KtOrder       *order);
gint64         kt_cashup_time            (const KtSandboxData *data,
                                          guint                day);
gint64         kt_line_total             (const KtSandboxData *data,
                                          const KtOrderLine   *line);
gint64         kt_line_total_tax         (const KtSandboxData *data,
                                          const KtOrderLine   *line);
const char    *kt_order_status_name      (guint status);
const char    *kt_order_type_name        (guint order_type);
int            kt_sandbox_utc_offset     (gint64 unix_time);
void           kt_sandbox_civil_from_days (gint64  days,
                                          int    *year,
                                          int    *month,
                                          int    *day);
gint64         kt_sandbox_local_midnight (int         year,
                                          int         month,
                                          int         day);
gint64         kt_sandbox_parse_time     (const char *text);

/* JSON writers. Money is written as strings ("3.5") on a thread that
 * called kt_json_set_money_as_strings (TRUE), as one public source shows. */
void           kt_json_set_money_as_strings (gboolean as_strings);
/* @value must be valid UTF-8; kt_request_json_error() repairs request
 * values before they get here. */
void           kt_json_string            (GString    *out,
                                          const char *value);
void           kt_json_money             (GString    *out,
                                          gint64      cents);
void           kt_json_time              (GString    *out,
                                          gint64      unix_time);
void           kt_json_date              (GString    *out,
                                          gint64      unix_time);

void           kt_render_company         (const KtSandboxData *data, GString *out);
void           kt_render_site            (const KtSandboxData *data, guint i, gboolean full, GString *out);
void           kt_render_register        (const KtSandboxData *data, guint i, GString *out);
void           kt_render_staff           (const KtSandboxData *data, guint i, GString *out);
void           kt_render_tax             (const KtSandboxData *data, guint i, GString *out);
void           kt_render_payment_method  (const KtSandboxData *data, guint i, GString *out);
void           kt_render_category        (const KtSandboxData *data, guint i, GString *out);
void           kt_render_product         (const KtSandboxData *data, guint i, GString *out);
void           kt_render_price_list      (const KtSandboxData *data, guint i, GString *out);
void           kt_render_price_list_product (const KtSandboxData *data, guint list, guint i, GString *out);
void           kt_render_customer        (const KtSandboxData *data, guint i, GString *out);
void           kt_render_address         (const KtSandboxData *data, guint i, GString *out);
void           kt_render_order           (const KtSandboxData *data, guint i, gboolean full, GString *out);
void           kt_render_shift           (const KtSandboxData *data, guint i, GString *out);
void           kt_render_cashup          (const KtSandboxData *data, guint i, GString *out);
void           kt_render_inventory       (const KtSandboxData *data, guint site, guint i, GString *out);

G_END_DECLS
