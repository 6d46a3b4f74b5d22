"""The detector's signals: face manipulation and editing traces, each turning footage into Measurements."""
