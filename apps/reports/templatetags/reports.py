"""Display filters: money rounded once at the display edge, shares as percentages."""

from decimal import Decimal

from django import template

from apps.common.money import round_display

register = template.Library()


@register.filter
def money(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return "–"
    return f"{round_display(Decimal(value)):,}"


@register.filter
def percent(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return "–"
    return f"{round_display(Decimal(value) * 100)}%"


@register.filter
def unit_cost(value: Decimal | str | None) -> str:
    """Unit costs (per 1k tokens, per request) are small: four places."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value).quantize(Decimal('0.0001')):,}"
