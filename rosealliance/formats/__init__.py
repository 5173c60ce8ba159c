"""The site's date and time formats per language (settings.FORMAT_MODULE_PATH), read
before Django's own: 24-hour times everywhere, day before month, and English in a
European form with ISO dates where a short form could be read two ways. Django's own
formats gave Icelandic an American date with a 12-hour clock ("des. 2, 2026, 6:49
eftirmiðdegi") and English US dates."""
