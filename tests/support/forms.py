"""What a browser would submit from a page's form: the fields' current values, read with BeautifulSoup."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup


def form_fields(html: str, selector: str = 'form.stacked[method="post"]') -> dict[str, Any]:
    """The values of the first form matching ``selector``: inputs (checked boxes only), selects, textareas.

    A name given by several checked boxes maps to the list of their values (the test client sends each).
    """
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no form matching {selector!r}"
    data: dict[str, Any] = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = str(field["name"])
        if field.name == "input":
            kind = str(field.get("type", "text")).lower()
            if kind in ("submit", "button", "image", "reset", "file") or (
                kind in ("checkbox", "radio") and not field.has_attr("checked")
            ):
                continue
            value = str(field.get("value", "on" if kind in ("checkbox", "radio") else ""))
            if kind == "checkbox" and name in data:
                data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
            else:
                data.setdefault(name, value)
        elif field.name == "select":
            options = field.find_all("option")
            chosen = next((o for o in options if o.has_attr("selected")), options[0] if options else None)
            data[name] = "" if chosen is None else str(chosen.get("value", chosen.get_text()))
        else:
            data[name] = field.get_text().removeprefix("\r\n").removeprefix("\n")
    return data
