"""Every table that scrolls sideways can be reached and scrolled with the keyboard (WCAG 2.1.1).

A scrolling box that holds no focusable element is out of reach for keyboard
users unless the box itself takes focus, and a focusable region needs a name
for screen readers (axe's rule scrollable-region-focusable).
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCROLL_BOX = re.compile(r"<div[^>]*class=\"table-scroll\"[^>]*>")


def test_it_lets_the_keyboard_reach_every_scrolling_table():
    boxes = [(path.relative_to(TEMPLATES), tag) for path in TEMPLATES.rglob("*.html")
             for tag in SCROLL_BOX.findall(path.read_text(encoding="utf-8"))]
    assert len(boxes) >= 8
    unreachable = [(str(path), tag) for path, tag in boxes
                   if 'tabindex="0"' not in tag or 'role="region"' not in tag
                   or "aria-label" not in tag]
    assert unreachable == []
