from django.db import migrations

ROOT_PATH = "0001"
INDEX_PATH = "00010002"


def create_catalogue_index(apps, schema_editor):
    """Make the catalogue the site's home page, in place of Wagtail's welcome page."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    CatalogueIndexPage = apps.get_model("units.CatalogueIndexPage")

    Page.objects.filter(depth=2, slug="home", title="Welcome to your new Wagtail site!").delete()
    if Page.objects.filter(path=INDEX_PATH).exists():
        return
    content_type, _ = ContentType.objects.get_or_create(model="catalogueindexpage", app_label="units")
    index = CatalogueIndexPage.objects.create(
        title="Qualification units",
        draft_title="Qualification units",
        slug="units",
        content_type=content_type,
        path=INDEX_PATH,
        depth=2,
        numchild=0,
        url_path="/units/",
        locale=Locale.objects.first(),
        intro="Units offered through Waymark, as their awarding bodies publish them.",
    )
    Page.objects.filter(path=ROOT_PATH).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": index.pk, "site_name": "Waymark"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_catalogue_index, migrations.RunPython.noop)]
