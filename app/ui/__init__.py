"""Every Qt widget, window and worker lives here; nothing outside app.ui imports QtWidgets."""
