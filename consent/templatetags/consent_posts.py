"""{% posts_to_do request.school as todo %}: what the consent dashboard shows about
planned posts (to take down, waiting for the head), in a fixed number of queries."""

from django import template

from consent import post_selectors
from consent.models import PlannedPost, PostStatus

register = template.Library()


@register.simple_tag
def posts_to_do(school) -> dict:
    return {
        "take_down": post_selectors.to_take_down(school).count,
        "awaiting": PlannedPost.objects.filter(school=school, status=PostStatus.AWAITING).count(),
    }
