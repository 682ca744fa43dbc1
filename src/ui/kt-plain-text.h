#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * libadwaita 1.2 reads a status page's description and a toast's title as
 * Pango markup, so text from the server, the user or an error ("Bacon &
 * Egg Roll", a URL with "&") would log a warning and show nothing. These
 * set such text as it is.
 */

static inline void
kt_status_page_set_plain_description (AdwStatusPage *page,
                                      const char    *text)
{
  g_autofree char *escaped = text != NULL ? g_markup_escape_text (text, -1) : NULL;

  adw_status_page_set_description (page, escaped);
}

static inline AdwToast *
kt_toast_new_plain (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

/*
 * Tooltips that change often are handed to GTK only in "query-tooltip".
 * In GTK 4.8 on X11, each gtk_widget_set_tooltip_text() with a new text
 * requests the pointer position from the X server and waits for the
 * reply, which on every page of a bulk load cost more than the rest of
 * the page.
 */

static inline gboolean
kt_on_query_lazy_tooltip_cb (GtkWidget  *widget,
                             int         x,
                             int         y,
                             gboolean    keyboard_mode,
                             GtkTooltip *tooltip,
                             gpointer    user_data)
{
  const char *text = g_object_get_data (G_OBJECT (widget), "kt-lazy-tooltip");

  if (text == NULL || *text == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Sets the text @widget's tooltip shows from now on, or none for NULL. */
static inline void
kt_widget_set_lazy_tooltip (GtkWidget  *widget,
                            const char *text)
{
  if (g_object_get_data (G_OBJECT (widget), "kt-lazy-tooltip-connected") == NULL)
    {
      g_object_set_data (G_OBJECT (widget), "kt-lazy-tooltip-connected", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "query-tooltip", G_CALLBACK (kt_on_query_lazy_tooltip_cb), NULL);
      gtk_widget_set_has_tooltip (widget, TRUE);
    }

  g_object_set_data_full (G_OBJECT (widget), "kt-lazy-tooltip", g_strdup (text), g_free);
}

/* Returns the text set with kt_widget_set_lazy_tooltip(), or NULL. */
static inline const char *
kt_widget_get_lazy_tooltip (GtkWidget *widget)
{
  return g_object_get_data (G_OBJECT (widget), "kt-lazy-tooltip");
}

G_END_DECLS
