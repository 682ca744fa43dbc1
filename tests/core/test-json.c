#include "config.h"

#include "core/kt-json.h"

static JsonObject *
parse_object (JsonParser *parser,
              const char *json)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_id_forms (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (parser,
    "{\"small\":5,\"big\":9007199254740993,\"text\":\"123456789012\",\"whole\":42.0,"
    "\"half\":4.5,\"word\":\"abc\",\"none\":null,\"list\":[1],\"nested\":{\"id\":7}}");
  gint64 id = -1;

  g_assert_true (kt_json_get_id (object, "small", &id));
  g_assert_cmpint (id, ==, 5);
  g_assert_true (kt_json_get_id (object, "big", &id));
  g_assert_cmpint (id, ==, G_GINT64_CONSTANT (9007199254740993));
  g_assert_true (kt_json_get_id (object, "text", &id));
  g_assert_cmpint (id, ==, G_GINT64_CONSTANT (123456789012));
  g_assert_true (kt_json_get_id (object, "whole", &id));
  g_assert_cmpint (id, ==, 42);
  g_assert_true (kt_json_get_id (object, "nested.id", &id));
  g_assert_cmpint (id, ==, 7);

  id = -1;
  g_assert_false (kt_json_get_id (object, "half", &id));
  g_assert_false (kt_json_get_id (object, "word", &id));
  g_assert_false (kt_json_get_id (object, "none", &id));
  g_assert_false (kt_json_get_id (object, "list", &id));
  g_assert_false (kt_json_get_id (object, "absent", &id));
  g_assert_false (kt_json_get_id (object, "nested.absent", &id));
  g_assert_false (kt_json_get_id (object, "small.id", &id));
  g_assert_cmpint (id, ==, -1);
}

static void
test_money_forms (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (parser,
    "{\"int\":9,\"double\":4.09,\"text\":\"3.0\",\"spaced\":\" 2.5 \",\"bad\":\"3,0\","
    "\"empty\":\"\",\"none\":null,\"flag\":true}");
  double value = -1;

  g_assert_true (kt_json_get_number (object, "int", &value));
  g_assert_cmpfloat (value, ==, 9.0);
  g_assert_true (kt_json_get_number (object, "double", &value));
  g_assert_cmpfloat (value, ==, 4.09);
  g_assert_true (kt_json_get_number (object, "text", &value));
  g_assert_cmpfloat (value, ==, 3.0);
  g_assert_true (kt_json_get_number (object, "spaced", &value));
  g_assert_cmpfloat (value, ==, 2.5);

  value = -1;
  g_assert_false (kt_json_get_number (object, "bad", &value));
  g_assert_false (kt_json_get_number (object, "empty", &value));
  g_assert_false (kt_json_get_number (object, "none", &value));
  g_assert_false (kt_json_get_number (object, "flag", &value));
  g_assert_false (kt_json_get_number (object, "absent", &value));
  g_assert_cmpfloat (value, ==, -1);
}

static void
test_barcode_string (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (parser, "{\"barcode\":\"0093000000011\",\"number\":93}");
  g_autofree char *text = kt_json_dup_text (object, "barcode");

  g_assert_cmpstr (kt_json_get_string (object, "barcode"), ==, "0093000000011");
  g_assert_cmpstr (text, ==, "0093000000011");
  g_assert_null (kt_json_get_string (object, "number"));
}

static void
test_bool_forms (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (parser,
    "{\"yes\":true,\"no\":false,\"one\":1,\"zero\":0,\"two\":2,\"text\":\"TRUE\",\"none\":null}");
  gboolean value = 7;

  g_assert_true (kt_json_get_bool (object, "yes", &value));
  g_assert_true (value);
  g_assert_true (kt_json_get_bool (object, "no", &value));
  g_assert_false (value);
  g_assert_true (kt_json_get_bool (object, "one", &value));
  g_assert_true (value);
  g_assert_true (kt_json_get_bool (object, "zero", &value));
  g_assert_false (value);
  g_assert_true (kt_json_get_bool (object, "text", &value));
  g_assert_true (value);

  value = 7;
  g_assert_false (kt_json_get_bool (object, "two", &value));
  g_assert_false (kt_json_get_bool (object, "none", &value));
  g_assert_false (kt_json_get_bool (object, "absent", &value));
  g_assert_cmpint (value, ==, 7);
}

static void
test_dup_text (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (parser,
    "{\"price\":4.09,\"whole\":9.0,\"int\":12,\"flag\":false,\"tags\":[\"Coffee\",\"Hot\",null,3],"
    "\"none\":null,\"object\":{\"a\":1},\"customer\":{\"first_name\":\"Sam\"},\"tiny\":0.1}");
  struct { const char *path; const char *expected; } cases[] = {
    { "price", "4.09" },
    { "whole", "9" },
    { "int", "12" },
    { "flag", "false" },
    { "tags", "Coffee, Hot, 3" },
    { "customer.first_name", "Sam" },
    { "tiny", "0.1" },
    { "none", NULL },
    { "object", NULL },
    { "absent", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kt_json_dup_text (object, cases[i].path);

      g_test_message ("path %s", cases[i].path);
      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/id-forms", test_id_forms);
  g_test_add_func ("/json/money-forms", test_money_forms);
  g_test_add_func ("/json/barcode-string", test_barcode_string);
  g_test_add_func ("/json/bool-forms", test_bool_forms);
  g_test_add_func ("/json/dup-text", test_dup_text);

  return g_test_run ();
}
