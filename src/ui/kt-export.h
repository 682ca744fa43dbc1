#pragma once

#include <gio/gio.h>

#include "core/kt-catalogue.h"

G_BEGIN_DECLS

/* Writers of a list of KtRow for the export actions. */

/* @rows as CSV (RFC 4180, CRLF line ends): a header line of column ids,
 * then one line per row with the values as received, an absent value as an
 * empty field. The caller owns the string. */
char *kt_export_to_csv  (GListModel       *rows,
                         const KtResource *resource);
/* @rows as a pretty-printed JSON array of the rows' objects. The caller
 * owns the string. */
char *kt_export_to_json (GListModel       *rows);

/* Write @rows to @file as CSV when @format is "csv", else as JSON. */
void     kt_export_write_async  (GListModel          *rows,
                                 const KtResource    *resource,
                                 const char          *format,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean kt_export_write_finish (GAsyncResult        *result,
                                 GError             **error);

G_END_DECLS
