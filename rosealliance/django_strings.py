"""Django's own strings that members and the committee meet and that Django's catalogues
leave untranslated in some of our languages (the admin's "Run" button in Finnish, the
empty choice of a select), listed so that `make messages` extracts them into the
project's catalogues, which are read before Django's. Not used at run time."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("Run"),
    gettext_noop("- Select an option -"),
)
