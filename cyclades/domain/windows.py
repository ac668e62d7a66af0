"""Windows as the public sees them (R10, R11): grouped by académie, then by exam."""
from collections import OrderedDict


def group_by_academie_and_exam(windows) -> "OrderedDict":
    """{académie: {exam: [windows…]}} keeping the order the windows come in."""
    grouped: OrderedDict = OrderedDict()
    for window in windows:
        grouped.setdefault(window.academie, OrderedDict()).setdefault(window.exam, []).append(window)
    return grouped
