"""The three languages: choosing one (the switcher, the address, the account), negotiating it on
a first visit, and telling a reader when a text they asked for is not written in it yet.

The lowest app but the detector: every other app reads the active language and shows the
fallback note from here (see docs/languages.md)."""
