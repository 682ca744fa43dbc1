#pragma once

#include <json-glib/json-glib.h>

#include "kt-json.h"

G_BEGIN_DECLS

JsonNode *kt_json_lookup          (JsonObject *object,
                                   const char *path);
gboolean  kt_json_node_get_id     (JsonNode   *node,
                                   gint64     *out);
gboolean  kt_json_node_get_number (JsonNode   *node,
                                   double     *out);
char     *kt_json_node_dup_text   (JsonNode   *node);
char     *kt_json_format_double   (double      value);

G_END_DECLS
