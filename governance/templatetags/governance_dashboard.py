"""The dashboard's motions section. A template tag, so that the members app's dashboard
view need not import governance."""

from django import template

from .. import permissions, selectors

register = template.Library()


@register.inclusion_tag("governance/partials/dashboard_motions.html")
def motions_waiting_for(member):
    open_motions = selectors.open_motions_for_member(member)
    waiting = [m for m in open_motions if permissions.can_vote(member, m)]
    return {"waiting": waiting, "open_count": len(open_motions)}
