"""The detector's signals: each turns decoded footage into Measurements."""
