from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Catalogue editors"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


def create_catalogue_editors(apps, schema_editor):
    """Platform staff who maintain the shared unit catalogue: they may sign in to the
    Wagtail admin, import units and edit and publish the catalogue's pages."""
    # Permissions are normally created after all migrations have run; this migration
    # needs them now, on a fresh database too.
    for label in ("units", "wagtailcore", "wagtailadmin"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    CatalogueIndexPage = apps.get_model("units.CatalogueIndexPage")

    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="units", codename="import_unitpage"),
    )
    for index in CatalogueIndexPage.objects.all():
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page_id=index.pk,
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )


def remove_catalogue_editors(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("units", "0002_create_catalogue_index"),
        ("wagtailadmin", "0003_admin_managed"),
    ]

    operations = [migrations.RunPython(create_catalogue_editors, remove_catalogue_editors)]
