from django.db import migrations

# The topics the network's spokespersons speak on, in its five languages. The Steering
# Committee can add and rename topics in the admin.
TOPICS = {
    "media": {"en": "Media", "sv": "Media", "nb": "Media", "fi": "Media", "is": "Fjölmiðlar"},
    "policy": {
        "en": "Policy",
        "sv": "Politik",
        "nb": "Politikk",
        "fi": "Politiikka",
        "is": "Stefnumál",
    },
    "health": {"en": "Health", "sv": "Hälsa", "nb": "Helse", "fi": "Terveys", "is": "Heilsa"},
    "migration": {
        "en": "Migration",
        "sv": "Migration",
        "nb": "Migrasjon",
        "fi": "Maahanmuutto",
        "is": "Fólksflutningar",
    },
}


def add_topics(apps, schema_editor):
    Topic = apps.get_model("governance", "Topic")
    for slug, names in TOPICS.items():
        fields = {f"name_{code}": name for code, name in names.items()}
        Topic.objects.update_or_create(slug=slug, defaults={"name": names["en"], **fields})


def remove_topics(apps, schema_editor):
    apps.get_model("governance", "Topic").objects.filter(slug__in=TOPICS).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_member_with_roles_trigger")]

    operations = [migrations.RunPython(add_topics, remove_topics)]
