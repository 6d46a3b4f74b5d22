"""The detector's signals: face manipulation and editing traces, as Measurements."""
