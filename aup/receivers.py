"""A school in a trust always holds the trust's published policies, however it got
there (the add_school command, the admin, a school moving trusts)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from schools.models import School


@receiver(post_save, sender=School, dispatch_uid="aup.adopt_trust_policies")
def adopt_trust_policies_on_joining(sender, instance, raw=False, **kwargs):
    if raw or instance.trust_id is None:
        return
    from .services import adopt_trust_policies

    adopt_trust_policies(school=instance)  # idempotent: copies only what the school lacks
