#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Readers that never assume a member's type. Each returns FALSE, and leaves
 * *out untouched, when the member is absent, null or of an unusable type.
 * @path may name nested members with dots ("customer.id"). */
gboolean kt_json_get_id     (JsonObject  *object,
                             const char  *path,
                             gint64      *out);
gboolean kt_json_get_number (JsonObject  *object,
                             const char  *path,
                             double      *out);
gboolean kt_json_get_bool   (JsonObject  *object,
                             const char  *path,
                             gboolean    *out);
/* The member if it is a string, else NULL; owned by @object. A barcode
 * sent as a string keeps its leading zeros. */
const char *kt_json_get_string (JsonObject *object,
                                const char *path);
/* The member as text: strings as they are, numbers and booleans written
 * out, NULL when absent or null. The caller owns the string. */
char    *kt_json_dup_text   (JsonObject  *object,
                             const char  *path);

G_END_DECLS
