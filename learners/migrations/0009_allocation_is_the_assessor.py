"""The allocation is ``Enrolment.assessor`` alone; the right to assess is read from it
(``learners.policies``). django-guardian's ``assess_enrolment`` grants, which were kept
in step with it by hand, go, and with them the permission itself.

Each grant is folded into its enrolment first: an enrolment with no assessor but one
person granted gets that person as its assessor, so nobody who could assess it loses
the right unseen. Where the enrolment names an assessor, that allocation (the one the
centre's pages show) stands, and any grant of someone else's ends with the table.
Undone, every allocated enrolment gets its assessor's grant back.
"""

from django.db import migrations

CODENAME = "assess_enrolment"


def fold_grants_into_assessors(apps, schema_editor):
    Grant = apps.get_model("learners", "EnrolmentUserObjectPermission")
    Enrolment = apps.get_model("learners", "Enrolment")
    Permission = apps.get_model("auth", "Permission")
    holders: dict[int, set[int]] = {}
    for enrolment_id, user_id in Grant.objects.filter(permission__codename=CODENAME).values_list(
        "content_object_id", "user_id"
    ):
        holders.setdefault(enrolment_id, set()).add(user_id)
    for enrolment in Enrolment.objects.filter(pk__in=holders, assessor__isnull=True):
        if len(holders[enrolment.pk]) == 1:
            (enrolment.assessor_id,) = holders[enrolment.pk]
            enrolment.save(update_fields=["assessor"])
    Grant.objects.all().delete()
    # Gone from the model's options: nothing grants or reads it any more.
    Permission.objects.filter(
        content_type__app_label="learners", content_type__model="enrolment", codename=CODENAME
    ).delete()


def grant_assessors_again(apps, schema_editor):
    Grant = apps.get_model("learners", "EnrolmentUserObjectPermission")
    Enrolment = apps.get_model("learners", "Enrolment")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="learners", model="enrolment")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "Can assess this enrolment"}
    )
    Grant.objects.bulk_create(
        Grant(content_object_id=pk, user_id=assessor_id, permission=permission)
        for pk, assessor_id in Enrolment.objects.filter(assessor__isnull=False).values_list("pk", "assessor_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("learners", "0008_evidence_and_networking_moved_out"),
    ]

    operations = [
        migrations.RunPython(fold_grants_into_assessors, grant_assessors_again),
        migrations.AlterModelOptions(
            name="enrolment",
            options={"ordering": ["learner__sort_key", "unit__title"]},
        ),
        migrations.DeleteModel(
            name="EnrolmentUserObjectPermission",
        ),
    ]
