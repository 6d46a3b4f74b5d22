"""The detector's signals: face manipulation and editing traces."""
