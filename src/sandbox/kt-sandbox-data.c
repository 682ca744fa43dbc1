#define G_LOG_DOMAIN "kt-sandbox-data"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kt-sandbox-data.h"

/*
 * The generator draws every value from one splitmix64 stream seeded with
 * the sandbox's seed, in a fixed order, so the same seed and scale give
 * the same company on every machine and every run. It reads no clock, no
 * locale and no time zone database.
 */

typedef struct
{
  guint64 state;
} Rng;

static guint64
rng_next (Rng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static guint
rng_below (Rng   *rng,
           guint  n)
{
  return (guint) (rng_next (rng) % n);
}

static const char *
rng_pick (Rng               *rng,
          const char *const *values,
          guint              n_values)
{
  return values[rng_below (rng, n_values)];
}

#define PICK(rng, array) rng_pick ((rng), (array), G_N_ELEMENTS (array))

/* Sizes of each scale. */
static const struct
{
  guint sites;
  guint registers_per_site;
  guint staff;
  guint products;
  guint customers;
  guint orders;
} scales[] = {
  [KT_SANDBOX_SCALE_SMALL] = { 2, 2, 8, 40, 150, 600 },
  [KT_SANDBOX_SCALE_DEMO] = { 3, 3, 20, 250, 2000, 20000 },
  [KT_SANDBOX_SCALE_LARGE] = { 6, 3, 60, 600, 10000, 100000 },
};

/* Invented names; any likeness to a real business is chance. */
static const char *const company_names[] = {
  "Harbour Espresso", "Laneway Roasters", "Bluegum Coffee Co.",
  "Tram Stop Café", "Wattle & Bean", "Sandstone Kitchen",
};

static const struct
{
  const char *name;
  const char *code;
  const char *street;
  const char *postal_code;
} site_names[] = {
  { "Circular Quay", "CQ", "10 Loftus Lane", "2000" },
  { "Surry Hills", "SH", "214 Crown Street", "2010" },
  { "Newtown", "NT", "88 King Street", "2042" },
  { "Bondi", "BD", "7 Hall Street", "2026" },
  { "Manly", "MN", "31 The Corso", "2095" },
  { "Parramatta", "PR", "150 Church Street", "2150" },
  { "Balmain", "BM", "302 Darling Street", "2041" },
  { "Chatswood", "CW", "9 Victoria Avenue", "2067" },
};

static const char *const register_names[] = {
  "Front Counter", "Coffee Bar", "Takeaway Window", "Terrace",
};

static const char *const first_names[] = {
  "Sam", "Alex", "Jordan", "Taylor", "Morgan", "Riley", "Casey", "Jamie",
  "Charlie", "Harper", "Quinn", "Avery", "Mia", "Noah", "Olivia", "Liam",
  "Ava", "Lucas", "Isla", "Oliver", "Grace", "Jack", "Chloe", "Henry",
  "Ruby", "Leo", "Zoe", "Archie", "Evie", "Hugo", "Matilda", "Oscar",
  "Priya", "Arjun", "Mei", "Wei", "Hiroshi", "Yuki", "Aroha", "Tama",
  "Fatima", "Omar", "Sofia", "Mateo", "Ingrid", "Lars", "Niamh", "Declan",
  "Amara", "Kofi", "Leilani", "Kai", "Elena", "Luca", "Anika", "Ravi",
  "Tessa", "Felix", "Nadia", "Theo",
};

static const char *const last_names[] = {
  "Rivera", "Nguyen", "Smith", "Chen", "Patel", "Williams", "Brown",
  "Jones", "Martin", "Taylor", "Wilson", "Anderson", "Thompson", "White",
  "Harris", "Walker", "Kelly", "O'Connor", "Murphy", "Lee", "Tran",
  "Kumar", "Singh", "Wong", "Ali", "Rossi", "Novak", "Costa", "Müller",
  "Fraser", "Campbell", "MacLeod", "Hughes", "Edwards", "Green", "Baker",
  "Hall", "Wright", "King", "Scott", "Young", "Lopez", "Kowalski",
  "Papadopoulos", "Haddad", "Okafor", "Tanaka", "Sato", "Kim", "Park",
  "Te Rangi", "Ngata", "Hoang", "Ivanova", "Berg", "Dubois", "Moreau",
  "Silva", "Santos", "Reid",
};

static const char *const domains[] = {
  "example.com", "example.net", "example.org",
};

static const char *const suburbs[] = {
  "Sydney", "Surry Hills", "Newtown", "Bondi", "Manly", "Glebe",
  "Redfern", "Paddington", "Marrickville", "Leichhardt", "Randwick",
  "Coogee", "Balmain", "Rozelle", "Ultimo", "Pyrmont",
};

static const char *const streets[] = {
  "Wattle Street", "Bridge Road", "Ocean Parade", "Fig Tree Lane",
  "Railway Terrace", "Harbour View Road", "Banksia Avenue", "Mill Lane",
  "Cathedral Street", "Jacaranda Close",
};

typedef struct
{
  const char *name;
  const char *description;
  gint64 price_low;             /* cents, tax included */
  gint64 price_high;
  gboolean gst_free;
  gboolean is_modifier;
  const char *tag;
  const char *const items[16];
} CategorySpec;

static const CategorySpec category_specs[] = {
  { "Coffee", "Espresso drinks, hot and iced", 400, 650, FALSE, FALSE, "Coffee",
    { "Flat White", "Latte", "Cappuccino", "Long Black", "Short Black",
      "Mocha", "Piccolo", "Macchiato", "Cortado", "Affogato", "Iced Latte",
      "Cold Brew", "Hot Chocolate", "Chai Latte", NULL } },
  { "Tea", "Loose leaf tea by the pot", 450, 600, FALSE, FALSE, "Tea",
    { "English Breakfast", "Earl Grey", "Sencha", "Peppermint",
      "Chamomile", "Masala Chai", "Lemongrass & Ginger", "Iced Tea", NULL } },
  { "Cold Drinks", NULL, 400, 900, FALSE, FALSE, "Drinks",
    { "Orange Juice", "Apple Juice", "Sparkling Water", "Lemonade",
      "Kombucha", "Berry Smoothie", "Mango Smoothie", "Vanilla Milkshake",
      "Iced Chocolate", NULL } },
  { "Breakfast", "Served until 11:30", 900, 2400, FALSE, FALSE, "Food",
    { "Avocado Toast", "Bircher Muesli", "Eggs Benedict", "Bacon & Egg Roll",
      "Granola Bowl", "Smashed Peas", "Porridge", "Big Breakfast",
      "French Toast", "Corn Fritters", NULL } },
  { "Lunch", "From 11:30", 1200, 2600, FALSE, FALSE, "Food",
    { "Chicken Sandwich", "Ham & Cheese Toastie", "Caesar Salad",
      "Pumpkin Salad", "Beef Burger", "Fish Tacos", "Soup of the Day",
      "Falafel Wrap", "Quiche", "Pasta Bake", NULL } },
  { "Bakery", "Baked every morning", 350, 900, FALSE, FALSE, "Bakery",
    { "Croissant", "Almond Croissant", "Pain au Chocolat", "Blueberry Muffin",
      "Scone", "Cinnamon Scroll", "Banana Bread", "Bagel", "Danish",
      "Friand", NULL } },
  { "Desserts", NULL, 450, 1100, FALSE, FALSE, "Sweet",
    { "Lemon Tart", "Brownie", "Carrot Cake", "Baked Cheesecake", "Lamington",
      "Caramel Slice", "Choc Chip Cookie", "Macaron", NULL } },
  { "Retail", "Take-home goods", 800, 4800, TRUE, FALSE, "Retail",
    { "Coffee Beans 250g", "Coffee Beans 1kg", "Sourdough Loaf",
      "Loose Leaf Tea 100g", "Granola Jar", "Keep Cup", NULL } },
  { "Modifiers", "Extras added to a drink or dish", 50, 150, FALSE, TRUE, "Extra",
    { "Extra Shot", "Oat Milk", "Soy Milk", "Almond Milk", "Decaf",
      "Vanilla Syrup", "Caramel Syrup", "Extra Hot", "Gluten Free Bread",
      NULL } },
};

static const char *const product_variants[] = {
  "Large", "Takeaway", "Family Size", "Vegan", "Seasonal", "Gluten Free",
  "Double", "House Special",
};

static const char *const product_descriptions[] = {
  "A customer favourite.", "Made fresh in house.",
  "Locally sourced ingredients.", "Ask staff about allergens.",
};

/* ---- Calendar arithmetic (proleptic Gregorian, days since 1970-01-01). */

static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 y = year - (month <= 2);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

void
kt_sandbox_civil_from_days (gint64  days,
                            int    *year,
                            int    *month,
                            int    *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  int m = (int) (mp < 10 ? mp + 3 : mp - 9);

  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = m;
  *year = (int) (yoe + era * 400 + (m <= 2));
}

static int
first_sunday (int year,
              int month)
{
  /* 1970-01-01 was a Thursday; weekday 0 is Sunday. */
  gint64 days = days_from_civil (year, month, 1);
  int weekday = (int) (((days % 7) + 7 + 4) % 7);

  return 1 + (7 - weekday) % 7;
}

/*
 * Seconds east of UTC in Australia/Sydney at @unix_time, by the rule in
 * force since 2008: daylight time (+11:00) from the first Sunday of
 * October at 02:00 standard time to the first Sunday of April at 03:00
 * daylight time, otherwise +10:00. Computed here so that the data does not
 * depend on the machine's time zone database.
 */
int
kt_sandbox_utc_offset (gint64 unix_time)
{
  int year, month, day;
  gint64 dst_end, dst_start;

  kt_sandbox_civil_from_days ((unix_time + 36000) / 86400, &year, &month, &day);
  dst_end = days_from_civil (year, 4, first_sunday (year, 4)) * 86400 + 3 * 3600 - 11 * 3600;
  dst_start = days_from_civil (year, 10, first_sunday (year, 10)) * 86400 + 2 * 3600 - 10 * 3600;

  return (unix_time < dst_end || unix_time >= dst_start) ? 11 * 3600 : 10 * 3600;
}

/* Unix time of 00:00 in Sydney on the given date. */
gint64
kt_sandbox_local_midnight (int year,
                           int month,
                           int day)
{
  gint64 local = days_from_civil (year, month, day) * 86400;

  return local - kt_sandbox_utc_offset (local - 36000);
}

/*
 * Parses a filter value: a date "YYYY-MM-DD" (midnight in the company's
 * time zone) or an ISO 8601 date and time, with or without an offset (none
 * means the company's). Returns G_MININT64 when @text is neither.
 */
gint64
kt_sandbox_parse_time (const char *text)
{
  int year, month, day;
  char tail;
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = NULL;

  if (text == NULL)
    return G_MININT64;

  if (strlen (text) == 10 && sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &tail) == 3)
    {
      if (!g_date_valid_dmy (day, month, year))
        return G_MININT64;
      return kt_sandbox_local_midnight (year, month, day);
    }

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return G_MININT64;

  /* Without an offset the text was read as UTC; move it to Sydney time. */
  if (strchr (text + 10, 'Z') == NULL && strchr (text + 10, '+') == NULL
      && strchr (text + 10, '-') == NULL)
    {
      gint64 t = g_date_time_to_unix (dt);

      return t - kt_sandbox_utc_offset (t - 36000);
    }

  return g_date_time_to_unix (dt);
}

/* ---- Helpers for the generator. */

static char *
keep (KtSandboxData *data,
      char          *text)
{
  g_ptr_array_add (data->strings, text);
  return text;
}

static gint64
next_id (Rng    *rng,
         gint64 *counter,
         guint   max_gap)
{
  *counter += 1 + rng_below (rng, max_gap);
  return *counter;
}

/* Lower-case ASCII letters of @name only, for e-mail addresses. */
static void
append_email_part (GString    *out,
                   const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isalpha (*p))
        g_string_append_c (out, g_ascii_tolower (*p));
    }
}

static gint64
unit_tax_of (gint64 price_inc_tax,
             guint  rate_permille)
{
  /* The tax part of a tax-inclusive price, rounded half up to the cent. */
  return (price_inc_tax * rate_permille + (1000 + rate_permille) / 2) / (1000 + rate_permille);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* ---- The tables, generated in a fixed order. */

static void
generate_company (KtSandboxData *data,
                  Rng           *rng,
                  guint          n_sites)
{
  data->id = 21700 + rng_below (rng, 300);
  data->name = keep (data, g_strdup (PICK (rng, company_names)));
  data->currency = keep (data, g_strdup ("AUD"));
  data->created_at = kt_sandbox_local_midnight (2019, 5, 29) + 11 * 3600 + 14 * 60 + 6;
  data->updated_at = data->first_day - 86400 * 3 + 9 * 3600;

  data->n_sites = n_sites;
  data->sites = g_new0 (KtSite, n_sites);
  for (guint i = 0; i < n_sites; i++)
    {
      KtSite *site = &data->sites[i];

      site->id = 900 + i * 23 + rng_below (rng, 20);
      site->name = site_names[i].name;
      site->code = site_names[i].code;
      site->street = site_names[i].street;
      site->suburb = site_names[i].name;
      site->postal_code = site_names[i].postal_code;
      site->phone = keep (data, g_strdup_printf ("02 9%03u %04u",
                                                 rng_below (rng, 1000),
                                                 rng_below (rng, 10000)));
      site->created_at = data->created_at + (gint64) i * 86400 * 120;
    }
}

static void
generate_registers (KtSandboxData *data,
                    Rng           *rng,
                    guint          per_site)
{
  gint64 counter = 9000;

  data->n_registers = data->n_sites * per_site;
  data->registers = g_new0 (KtRegister, data->n_registers);
  for (guint i = 0; i < data->n_registers; i++)
    {
      KtRegister *reg = &data->registers[i];
      guint site = i / per_site;
      guint nth = i % per_site;

      reg->id = next_id (rng, &counter, 90);
      reg->site = site;
      reg->name = keep (data, g_strdup (register_names[nth % G_N_ELEMENTS (register_names)]));
      reg->code = keep (data, g_strdup_printf ("%s%u", data->sites[site].code, nth + 1));
    }
}

static void
generate_staff (KtSandboxData *data,
                Rng           *rng,
                guint          n_staff)
{
  gint64 counter = 40;
  guint all_sites = (1u << data->n_sites) - 1;

  data->n_staff = n_staff;
  data->staff = g_new0 (KtStaff, n_staff);
  for (guint i = 0; i < n_staff; i++)
    {
      KtStaff *staff = &data->staff[i];
      g_autoptr(GString) email = g_string_new (NULL);

      staff->id = next_id (rng, &counter, 5);
      staff->first_name = PICK (rng, first_names);
      staff->last_name = PICK (rng, last_names);
      append_email_part (email, staff->first_name);
      g_string_append_c (email, '.');
      append_email_part (email, staff->last_name);
      g_string_append_printf (email, "%u@example.org", i + 1);
      staff->email = keep (data, g_string_free (g_steal_pointer (&email), FALSE));

      /* The first member is the owner; one in eight others manages. */
      staff->is_admin = (i == 0 || rng_below (rng, 8) == 0);
      if (i == 0)
        staff->site_mask = all_sites;
      else
        {
          staff->site_mask = 1u << (i % data->n_sites);
          if (rng_below (rng, 4) == 0)
            staff->site_mask |= 1u << rng_below (rng, data->n_sites);
        }
      staff->created_at = data->created_at + (gint64) rng_below (rng, 1500) * 86400;
    }
}

static void
generate_fixed_tables (KtSandboxData *data,
                       Rng           *rng)
{
  static const KtTax taxes[] = {
    { 829, "GST", "GST", 100 },
    { 830, "FRE", "GST Free", 0 },
  };
  static const KtPaymentMethod methods[] = {
    { 1, "Cash", "1-1110" },
    { 2, "Card", "1-1120" },
    { 3, "Gift Card", "2-1500" },
    { 4, "Account", "1-1200" },
  };
  static const KtPriceList lists[] = {
    { 0, "Base Price List", 0, 100 },
    { 0, "Happy Hour", 0, 90 },
    { 0, "Staff", 0, 80 },
  };
  gint64 counter = 3000;

  data->n_taxes = G_N_ELEMENTS (taxes);
  data->taxes = g_memdup2 (taxes, sizeof taxes);
  data->n_payment_methods = G_N_ELEMENTS (methods);
  data->payment_methods = g_memdup2 (methods, sizeof methods);

  data->n_price_lists = G_N_ELEMENTS (lists);
  data->price_lists = g_memdup2 (lists, sizeof lists);
  for (guint i = 0; i < data->n_price_lists; i++)
    {
      data->price_lists[i].id = next_id (rng, &counter, 40);
      if (i > 0)
        data->price_lists[i].parent_id = data->price_lists[0].id;
    }

  counter = 5100;
  data->n_categories = G_N_ELEMENTS (category_specs);
  data->categories = g_new0 (KtCategory, data->n_categories);
  for (guint i = 0; i < data->n_categories; i++)
    {
      data->categories[i].id = next_id (rng, &counter, 30);
      data->categories[i].name = category_specs[i].name;
      data->categories[i].description = category_specs[i].description;
    }
}

static void
generate_products (KtSandboxData *data,
                   Rng           *rng,
                   guint          n_products)
{
  guint n_items[G_N_ELEMENTS (category_specs)];
  guint max_items = 0;
  guint n_made = 0;
  gint64 counter = 826000;
  guint all_sites = (1u << data->n_sites) - 1;

  for (guint c = 0; c < G_N_ELEMENTS (category_specs); c++)
    {
      n_items[c] = 0;
      while (category_specs[c].items[n_items[c]] != NULL)
        n_items[c]++;
      max_items = MAX (max_items, n_items[c]);
    }

  data->n_products = n_products;
  data->products = g_new0 (KtProduct, n_products);

  /*
   * Items are taken round-robin across categories, so even the small
   * scale has every category; later rounds add variants of each item.
   */
  for (guint round = 0; n_made < n_products; round++)
    {
      guint item = round % max_items;
      guint variant = round / max_items;

      for (guint c = 0; c < G_N_ELEMENTS (category_specs) && n_made < n_products; c++)
        {
          const CategorySpec *spec = &category_specs[c];
          KtProduct *product;
          gint64 steps;

          if (item >= n_items[c])
            continue;

          product = &data->products[n_made];
          product->id = next_id (rng, &counter, 12);
          if (variant == 0)
            product->name = keep (data, g_strdup (spec->items[item]));
          else
            product->name = keep (data, g_strdup_printf ("%s (%s)", spec->items[item],
                                                         product_variants[(variant - 1) % G_N_ELEMENTS (product_variants)]));
          product->code = keep (data, g_strdup_printf ("%.3s%04u", spec->name, n_made + 1));
          for (char *p = product->code; *p != '\0'; p++)
            *p = g_ascii_toupper (*p);

          /* One in ten has no barcode; the others are 13 digits, zero-led. */
          if (rng_below (rng, 10) == 0)
            product->barcode = NULL;
          else
            product->barcode = keep (data, g_strdup_printf ("00%05u%06u", 93000 + c,
                                                            (guint) (product->id % 1000000)));

          product->description = rng_below (rng, 3) == 0 ? NULL : PICK (rng, product_descriptions);
          product->category = c;
          product->tax = spec->gst_free ? 1 : 0;

          /* Prices step by 10 cents; one in four is a whole dollar amount. */
          steps = (spec->price_high - spec->price_low) / 10;
          product->price_inc_tax = spec->price_low + 10 * (gint64) rng_below (rng, (guint) steps + 1);
          if (rng_below (rng, 4) == 0)
            product->price_inc_tax = MAX (100, (product->price_inc_tax / 100) * 100);
          if (variant > 0 && !spec->is_modifier)
            product->price_inc_tax += 50 * variant;
          product->unit_tax = unit_tax_of (product->price_inc_tax, data->taxes[product->tax].rate_permille);
          product->cost_price = (product->price_inc_tax - product->unit_tax) * (25 + rng_below (rng, 20)) / 100;
          product->is_modifier = spec->is_modifier;

          product->site_mask = all_sites;
          if (data->n_sites > 1 && rng_below (rng, 5) == 0)
            product->site_mask &= ~(1u << rng_below (rng, data->n_sites));

          product->tags[0] = spec->tag;
          if (variant > 0)
            product->tags[1] = product_variants[(variant - 1) % G_N_ELEMENTS (product_variants)];
          else if (rng_below (rng, 6) == 0)
            product->tags[1] = "Popular";

          product->created_at = data->created_at + (gint64) rng_below (rng, 900) * 86400;
          product->updated_at = product->created_at + (gint64) rng_below (rng, 600) * 86400;

          n_made++;
        }
    }
}

static void
generate_customers (KtSandboxData *data,
                    Rng           *rng,
                    guint          n_customers)
{
  g_autoptr(GHashTable) emails = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 counter = 389000;

  data->n_customers = n_customers;
  data->customers = g_new0 (KtCustomer, n_customers);
  for (guint i = 0; i < n_customers; i++)
    {
      KtCustomer *customer = &data->customers[i];
      g_autoptr(GString) email = g_string_new (NULL);
      gsize base_len;

      customer->id = next_id (rng, &counter, 9);
      customer->first_name = PICK (rng, first_names);
      customer->last_name = PICK (rng, last_names);

      append_email_part (email, customer->first_name);
      g_string_append_c (email, '.');
      append_email_part (email, customer->last_name);
      base_len = email->len;
      g_string_append_printf (email, "@%s", PICK (rng, domains));
      for (guint n = 2; g_hash_table_contains (emails, email->str); n++)
        {
          const char *at = strchr (email->str, '@');
          g_autofree char *domain = g_strdup (at);

          g_string_truncate (email, base_len);
          g_string_append_printf (email, "%u%s", n, domain);
        }
      customer->email = keep (data, g_string_free (g_steal_pointer (&email), FALSE));
      g_hash_table_add (emails, customer->email);

      if (rng_below (rng, 5) == 0)
        customer->phone = NULL;
      else
        customer->phone = keep (data, g_strdup_printf ("04%02u %03u %03u", rng_below (rng, 100),
                                                       rng_below (rng, 1000), rng_below (rng, 1000)));
      customer->points = rng_below (rng, 4) == 0 ? 0 : rng_below (rng, 500);
      customer->has_address = rng_below (rng, 5) < 3;
      customer->street = PICK (rng, streets);
      customer->suburb = PICK (rng, suburbs);
      customer->postal_code = 2000 + rng_below (rng, 230);
      customer->created_at = data->first_day - 86400 * 730 + (gint64) rng_below (rng, 730 * 86400);
    }
}

/*
 * Picks 0, 1, 2, ... with the given cumulative percentages: with
 * {50, 95}, 0 half of the time, 1 45 % and 2 the remaining 5 %.
 */
static guint
pick_weighted (Rng         *rng,
               const guint *cumulative,
               guint        n_cumulative)
{
  guint r = rng_below (rng, 100);
  guint i = 0;

  while (i < n_cumulative && r >= cumulative[i])
    i++;
  return i;
}

#define PICK_WEIGHTED(rng, ...) \
  pick_weighted ((rng), (const guint[]) { __VA_ARGS__ }, G_N_ELEMENTS (((const guint[]) { __VA_ARGS__ })))

static guint
pick_status (Rng *rng)
{
  guint r = rng_below (rng, 100);

  if (r < 90)
    return KT_ORDER_COMPLETE;
  if (r < 93)
    return KT_ORDER_REJECTED;
  if (r < 95)
    return KT_ORDER_PENDING;
  if (r < 97)
    return KT_ORDER_ON_HOLD;
  if (r < 99)
    return KT_ORDER_ACCEPTED;
  return KT_ORDER_SUBMITTED;
}

static void
generate_orders (KtSandboxData *data,
                 Rng           *rng,
                 guint          n_orders)
{
  g_autofree gint64 *times = g_new (gint64, n_orders);
  g_autofree guint32 *sale_numbers = g_new0 (guint32, data->n_registers);
  g_autoptr(GArray) lines = g_array_sized_new (FALSE, FALSE, sizeof (KtOrderLine), n_orders * 2);
  g_autoptr(GPtrArray) site_staff = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) site_products = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) site_modifiers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint registers_per_site = data->n_registers / data->n_sites;
  gint64 counter = G_GINT64_CONSTANT (4294966000);

  for (guint s = 0; s < data->n_sites; s++)
    {
      GArray *staff = g_array_new (FALSE, FALSE, sizeof (guint));
      GArray *products = g_array_new (FALSE, FALSE, sizeof (guint));
      GArray *modifiers = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint i = 0; i < data->n_staff; i++)
        if (data->staff[i].site_mask & (1u << s))
          g_array_append_val (staff, i);
      for (guint i = 0; i < data->n_products; i++)
        if (data->products[i].site_mask & (1u << s))
          g_array_append_val (data->products[i].is_modifier ? modifiers : products, i);

      g_ptr_array_add (site_staff, staff);
      g_ptr_array_add (site_products, products);
      g_ptr_array_add (site_modifiers, modifiers);
    }

  /* Opening hours are 06:30 to 16:00 local time, busier in the morning. */
  for (guint i = 0; i < n_orders; i++)
    {
      guint day = rng_below (rng, data->n_days);
      guint a = rng_below (rng, 570);
      guint b = rng_below (rng, 570);
      gint64 noon = data->first_day + (gint64) day * 86400 + 12 * 3600;
      gint64 midnight = noon - 12 * 3600;

      /* first_day is a local midnight; shift by the change of offset, if any. */
      midnight += kt_sandbox_utc_offset (data->first_day) - kt_sandbox_utc_offset (noon);
      times[i] = midnight + (gint64) (390 + MIN (a, b)) * 60 + rng_below (rng, 60);
    }
  qsort (times, n_orders, sizeof (gint64), compare_gint64);

  data->n_orders = n_orders;
  data->orders = g_new0 (KtOrder, n_orders);
  for (guint i = 0; i < n_orders; i++)
    {
      KtOrder *order = &data->orders[i];
      GArray *staff, *products, *modifiers;
      guint n_lines;

      order->id = next_id (rng, &counter, 7);
      order->created_at = times[i];
      order->site = rng_below (rng, data->n_sites);
      order->reg = order->site * registers_per_site + rng_below (rng, registers_per_site);
      order->sale_number = 1001 + sale_numbers[order->reg]++;
      staff = g_ptr_array_index (site_staff, order->site);
      products = g_ptr_array_index (site_products, order->site);
      modifiers = g_ptr_array_index (site_modifiers, order->site);
      order->staff = g_array_index (staff, guint, rng_below (rng, staff->len));
      order->customer = rng_below (rng, 100) < 35 ? 1 + rng_below (rng, data->n_customers) : 0;
      order->status = pick_status (rng);
      order->order_type = PICK_WEIGHTED (rng, 50, 95);
      n_lines = 1 + PICK_WEIGHTED (rng, 45, 80, 93);
      order->first_line = lines->len;
      order->n_lines = n_lines;
      for (guint l = 0; l < n_lines; l++)
        {
          KtOrderLine line;
          GArray *from = (l > 0 && modifiers->len > 0 && rng_below (rng, 100) < 15) ? modifiers : products;

          line.product = g_array_index (from, guint, rng_below (rng, from->len));
          line.quantity = 1 + PICK_WEIGHTED (rng, 75, 93);
          line.percent = (const guint8[]) { 100, 90, 50 }[PICK_WEIGHTED (rng, 88, 96)];
          g_array_append_val (lines, line);

          order->total += kt_line_total (data, &line);
          order->total_tax += kt_line_total_tax (data, &line);
        }

      if (order->status == KT_ORDER_COMPLETE)
        {
          order->paid = order->total;
          order->payment_method = PICK_WEIGHTED (rng, 30, 93, 97);
          if (order->total >= 400 && rng_below (rng, 100) < 5)
            {
              /* Whole dollars in cash first, the rest by card. */
              order->split = TRUE;
              order->payment_method = 1;
              order->first_payment_amount = (order->total / 200) * 100;
            }
        }
    }

  data->n_lines = lines->len;
  data->lines = (KtOrderLine *) g_array_free (g_steal_pointer (&lines), FALSE);
}

/* The local midnight of day @day of the data, as a Unix time. */
static gint64
day_midnight (const KtSandboxData *data,
              guint                day)
{
  gint64 noon = data->first_day + (gint64) day * 86400 + 12 * 3600;

  /* first_day is a local midnight; shift by the change of offset, if any. */
  return noon - 12 * 3600 + kt_sandbox_utc_offset (data->first_day) - kt_sandbox_utc_offset (noon);
}

/*
 * Makes one shift for each staff member on each day they take orders, at
 * the site of their first order. It starts 15 to 44 minutes before that
 * order and finishes 10 to 39 minutes after their last order of the day
 * is complete. A member has one shift a day, ending by the early evening,
 * so no two of their shifts overlap. Shifts of five hours or more have a
 * break. The orders must be sorted by time.
 */
static void
generate_shifts (KtSandboxData *data,
                 Rng           *rng)
{
  g_autofree gint64 *first_order = g_new (gint64, data->n_staff);
  g_autofree gint64 *last_order = g_new (gint64, data->n_staff);
  g_autofree guint8 *first_site = g_new (guint8, data->n_staff);
  g_autoptr(GArray) shifts = g_array_new (FALSE, TRUE, sizeof (KtShift));
  gint64 counter = 710000;
  guint next_order = 0;

  for (guint day = 0; day < data->n_days; day++)
    {
      gint64 day_end = day_midnight (data, day + 1);

      memset (first_order, 0, sizeof (gint64) * data->n_staff);
      for (; next_order < data->n_orders && data->orders[next_order].created_at < day_end; next_order++)
        {
          const KtOrder *order = &data->orders[next_order];

          if (first_order[order->staff] == 0)
            {
              first_order[order->staff] = order->created_at;
              first_site[order->staff] = order->site;
            }
          last_order[order->staff] = kt_order_updated_at (order);
        }

      for (guint staff = 0; staff < data->n_staff; staff++)
        {
          KtShift shift = { 0 };

          if (first_order[staff] == 0)
            continue;

          shift.id = next_id (rng, &counter, 3);
          shift.staff = staff;
          shift.site = first_site[staff];
          shift.started_at = first_order[staff] - (15 + (gint64) rng_below (rng, 30)) * 60;
          shift.finished_at = last_order[staff] + (10 + (gint64) rng_below (rng, 30)) * 60;
          if (shift.finished_at - shift.started_at >= 5 * 3600)
            shift.break_minutes = 30 + 15 * rng_below (rng, 2);
          g_array_append_val (shifts, shift);
        }
    }

  data->n_shifts = shifts->len;
  data->shifts = (KtShift *) g_array_free (g_steal_pointer (&shifts), FALSE);
}

/* A register of the sandbox is cashed up at 16:30 local time every day. */
gint64
kt_cashup_time (const KtSandboxData *data,
                guint                day)
{
  return day_midnight (data, day) + 16 * 3600 + 30 * 60;
}

/* A shift's break starts four hours after the shift. */
gint64
kt_shift_break_start (const KtShift *shift)
{
  return shift->started_at + 4 * 3600;
}

/* Returns the latest time an order shows. A complete order is updated
 * 60 seconds after it is created, or 90 with a split payment, and its
 * payments are no later. Other orders keep their creation time. */
gint64
kt_order_updated_at (const KtOrder *order)
{
  return order->created_at + (order->status == KT_ORDER_COMPLETE ? 60 + 30 * order->split : 0);
}

/*
 * Drops the orders and shifts that end after @end_time, so data made up
 * to "now" contains nothing in the future. Rows keep their order, so ids stay
 * ascending. Cash-ups follow from the orders and are cut separately.
 */
static void
cut_off_at (KtSandboxData *data,
            gint64         end_time)
{
  guint kept = 0;

  for (guint i = 0; i < data->n_orders; i++)
    if (kt_order_updated_at (&data->orders[i]) <= end_time)
      data->orders[kept++] = data->orders[i];
  data->n_orders = kept;

  /* A shift still going at @end_time is open: it has no finish yet, and
   * no break unless the break is over. */
  kept = 0;
  for (guint i = 0; i < data->n_shifts; i++)
    {
      KtShift *shift = &data->shifts[i];

      if (shift->started_at > end_time)
        continue;
      if (shift->finished_at > end_time)
        {
          shift->finished_at = 0;
          if (kt_shift_break_start (shift) + shift->break_minutes * 60 > end_time)
            shift->break_minutes = 0;
        }
      data->shifts[kept++] = *shift;
    }
  data->n_shifts = kept;
}

/* The day of @unix_time in Sydney, counted from the first day of the data. */
static guint
local_day (const KtSandboxData *data,
           gint64               unix_time)
{
  gint64 local = unix_time + kt_sandbox_utc_offset (unix_time);
  gint64 first = data->first_day + kt_sandbox_utc_offset (data->first_day);

  return (guint) ((local - first) / 86400);
}

static void
generate_cashups (KtSandboxData *data)
{
  gint64 counter = 55000;

  data->n_cashups = data->n_days * data->n_registers;
  data->cashups = g_new0 (KtCashup, data->n_cashups);
  for (guint day = 0; day < data->n_days; day++)
    for (guint r = 0; r < data->n_registers; r++)
      {
        KtCashup *cashup = &data->cashups[day * data->n_registers + r];

        counter += 1 + (day * 7 + r) % 3;
        cashup->id = counter;
        cashup->day = day;
        cashup->reg = r;
      }

  for (guint i = 0; i < data->n_orders; i++)
    {
      const KtOrder *order = &data->orders[i];
      KtCashup *cashup;

      if (order->status != KT_ORDER_COMPLETE)
        continue;
      cashup = &data->cashups[local_day (data, order->created_at) * data->n_registers + order->reg];
      cashup->n_orders++;
      cashup->total += order->total;
      cashup->total_tax += order->total_tax;
      if (order->split)
        {
          cashup->by_method[0] += order->first_payment_amount;
          cashup->by_method[order->payment_method] += order->paid - order->first_payment_amount;
        }
      else
        cashup->by_method[order->payment_method] += order->paid;
    }
}

/*
 * Generates the whole company for @seed at @scale. Twelve months of trade,
 * from 1 July 2025 to 30 June 2026 in Sydney time. Free with
 * kt_sandbox_data_free().
 */
KtSandboxData *
kt_sandbox_data_generate (guint64        seed,
                          KtSandboxScale scale)
{
  return kt_sandbox_data_generate_until (seed, scale, 2026, 6, 30);
}

/* Generates the data up to the given day and drops what lies after
 * @end_time on it; G_MAXINT64 keeps the whole day. */
static KtSandboxData *
generate (guint64        seed,
          KtSandboxScale scale,
          int            end_year,
          int            end_month,
          int            end_day,
          gint64         end_time)
{
  KtSandboxData *data = g_new0 (KtSandboxData, 1);
  Rng rng = { seed };
  gint64 last = days_from_civil (end_year, end_month, end_day);
  /* The day after the same date a year earlier; 29 February counts as
   * 1 March there, as days_from_civil() carries the day over. */
  gint64 first = days_from_civil (end_year - 1, end_month, end_day) + 1;
  int first_year, first_month, first_day;

  g_return_val_if_fail (scale <= KT_SANDBOX_SCALE_LARGE, NULL);
  g_return_val_if_fail (g_date_valid_dmy (end_day, end_month, end_year), NULL);

  kt_sandbox_civil_from_days (first, &first_year, &first_month, &first_day);
  data->strings = g_ptr_array_new_with_free_func (g_free);
  data->first_day = kt_sandbox_local_midnight (first_year, first_month, first_day);
  data->n_days = (guint) (last - first + 1);

  generate_company (data, &rng, scales[scale].sites);
  generate_registers (data, &rng, scales[scale].registers_per_site);
  generate_staff (data, &rng, scales[scale].staff);
  generate_fixed_tables (data, &rng);
  generate_products (data, &rng, scales[scale].products);
  generate_customers (data, &rng, scales[scale].customers);
  generate_orders (data, &rng, scales[scale].orders);
  generate_shifts (data, &rng);
  cut_off_at (data, end_time);
  generate_cashups (data);

  /* Cash-ups are stored day by day, so the days not yet cashed up at
   * @end_time are the last ones. */
  while (data->n_cashups > 0
         && kt_cashup_time (data, data->cashups[data->n_cashups - 1].day) > end_time)
    data->n_cashups -= data->n_registers;

  return data;
}

/*
 * Generates the whole company for @seed at @scale with twelve months of
 * trade ending on the given day (Sydney time), which must be a valid date.
 * The same seed, scale and end date give the same data. Free with
 * kt_sandbox_data_free().
 */
KtSandboxData *
kt_sandbox_data_generate_until (guint64        seed,
                                KtSandboxScale scale,
                                int            end_year,
                                int            end_month,
                                int            end_day)
{
  return generate (seed, scale, end_year, end_month, end_day, G_MAXINT64);
}

/*
 * Generates the company as kt_sandbox_data_generate_until() does for the
 * Sydney day of @end_time (a Unix time), without the orders, shifts and
 * cash-ups that would come after @end_time on that day. The rows before
 * @end_time are those of the whole day. Free with kt_sandbox_data_free().
 */
KtSandboxData *
kt_sandbox_data_generate_until_time (guint64        seed,
                                     KtSandboxScale scale,
                                     gint64         end_time)
{
  gint64 local = end_time + kt_sandbox_utc_offset (end_time);
  int year, month, day;

  kt_sandbox_civil_from_days (local / 86400, &year, &month, &day);
  return generate (seed, scale, year, month, day, end_time);
}

void
kt_sandbox_data_free (KtSandboxData *data)
{
  if (data == NULL)
    return;

  g_free (data->sites);
  g_free (data->registers);
  g_free (data->staff);
  g_free (data->taxes);
  g_free (data->payment_methods);
  g_free (data->categories);
  g_free (data->products);
  g_free (data->price_lists);
  g_free (data->customers);
  g_free (data->orders);
  g_free (data->lines);
  g_free (data->shifts);
  g_free (data->cashups);
  g_ptr_array_unref (data->strings);
  g_free (data);
}

/* Finds a row by id with a binary search; every table is sorted by id. */
int
kt_sandbox_data_find (const void *rows,
                      guint       n_rows,
                      gsize       row_size,
                      gint64      id)
{
  guint low = 0;
  guint high = n_rows;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;
      gint64 mid_id = *(const gint64 *) ((const char *) rows + (gsize) mid * row_size);

      if (mid_id == id)
        return (int) mid;
      if (mid_id < id)
        low = mid + 1;
      else
        high = mid;
    }

  return -1;
}

/* A product's stock at a site, made up from both ids: stable, small and
 * below zero for a few oversold products. */
gint64
kt_product_stock_at_site (const KtSandboxData *data,
                          guint                product,
                          guint                site)
{
  guint64 mix = (guint64) data->products[product].id * G_GUINT64_CONSTANT (2654435761)
                ^ (guint64) data->sites[site].id;

  return (gint64) (mix % 120) - 5;
}

/* A product's stock: the sum of its stock at the sites that sell it, so
 * the product and the sites' inventories agree. */
gint64
kt_product_stock (const KtSandboxData *data,
                  guint                product)
{
  gint64 total = 0;

  for (guint s = 0; s < data->n_sites; s++)
    if (data->products[product].site_mask & (1u << s))
      total += kt_product_stock_at_site (data, product, s);
  return total;
}

/* The price without tax, as the base price list and order lines show it. */
gint64
kt_product_unit_price (const KtProduct *product)
{
  return product->price_inc_tax - product->unit_tax;
}

/*
 * A line's total with tax: the varied unit price is rounded to the cent
 * once, then multiplied, so lines add up to the order's total exactly.
 */
gint64
kt_line_total (const KtSandboxData *data,
               const KtOrderLine   *line)
{
  const KtProduct *product = &data->products[line->product];

  return line->quantity * ((product->price_inc_tax * line->percent + 50) / 100);
}

gint64
kt_line_total_tax (const KtSandboxData *data,
                   const KtOrderLine   *line)
{
  const KtProduct *product = &data->products[line->product];

  return line->quantity * ((product->unit_tax * line->percent + 50) / 100);
}

const char *
kt_order_status_name (guint status)
{
  static const char *const names[] = {
    "SUBMITTED", "ON_HOLD", "PENDING", "ACCEPTED", "REJECTED", "COMPLETE",
  };

  return status < G_N_ELEMENTS (names) ? names[status] : NULL;
}

const char *
kt_order_type_name (guint order_type)
{
  static const char *const names[] = { "Dine In", "Takeaway", "Delivery" };

  return order_type < G_N_ELEMENTS (names) ? names[order_type] : NULL;
}
