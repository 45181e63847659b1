from django import template

from engagement import permissions

register = template.Library()


@register.filter
def can_export(user) -> bool:
    return permissions.can_export(user)


@register.filter
def can_read_works_council(user) -> bool:
    return permissions.can_read_works_council_page(user)


@register.filter
def can_see_all_dashboards(user) -> bool:
    return permissions.can_see_all_dashboards(user)


@register.filter
def fmt_number(value) -> str:
    from engagement.charts import fmt

    return fmt(value)
