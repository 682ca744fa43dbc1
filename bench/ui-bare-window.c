/* A bare libadwaita window: the reference for the start-up benchmark.
 * Like kounter, it writes one line to KT_BENCH_FIRST_FRAME_FD once its
 * first frame is drawn. */
#define G_LOG_DOMAIN "bench-ui-bare-window"

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
on_first_frame_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  const char *fd_text = g_getenv ("KT_BENCH_FIRST_FRAME_FD");
  const char *line = "drawn\n";

  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, user_data);
  if (fd_text != NULL && write (atoi (fd_text), line, strlen (line)) < 0)
    g_warning ("Writing the first-frame line failed");
}

static void
on_realize_cb (GtkWidget *window,
               gpointer   user_data)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_first_frame_cb), NULL);
}

static void
on_activate_cb (GApplication *app,
                gpointer      user_data)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (page), "Bare Window");
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), page);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  g_signal_connect (window, "realize", G_CALLBACK (on_realize_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.kounter.BenchBareWindow",
                                                       G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
