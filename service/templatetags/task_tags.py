"""Task pieces that other apps' pages show (the dashboard's "my tasks")."""

from django import template
from django.utils import timezone

from service.selectors import my_tasks as my_tasks_of

register = template.Library()


@register.inclusion_tag("service/_my_tasks.html")
def my_tasks(user) -> dict:
    """The user's open tasks: overdue, due today, due this week (two queries)."""
    today = timezone.localdate()
    return {"mine": my_tasks_of(user=user, today=today), "today": today}
