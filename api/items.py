"""One item of a batch or an archive job, validated: the one check both entries share.

The batch route turns a bad item into that item's problem; job intake refuses the whole job with a
422 naming the bad lines, before anything reaches Redis or the queue. Either way an item is a flat
object of known fields (no member a library or a transport could interpret, no tree to walk), with
a non-blank text or html, and the problem it gets is small whatever the item holds: at most one
unknown name is quoted, shortened, however many there are.
"""

from __future__ import annotations

from pydantic import ValidationError

from api.errors import MAX_QUOTED_CHARS, ValidationFailed, cut, from_validation_error, name_hint, quote
from api.schemas import BatchItem

FIELDS = tuple(BatchItem.model_fields)
SOURCES = ("text", "html")


def check_item(item: object, defaults: dict | None = None) -> BatchItem:
    """The item as a BatchItem (the job's ``defaults`` under its own options), or ValidationFailed."""
    if not isinstance(item, dict):
        raise ValidationFailed.at("items", "each item must be an object")
    unknown = [name for name in item if name not in FIELDS]
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        name = unknown[0]
        hint = name_hint(name, FIELDS) if len(name) <= MAX_QUOTED_CHARS else f"known: {', '.join(FIELDS)}"
        raise ValidationFailed.at(
            [cut(str(name), MAX_QUOTED_CHARS)], f"unknown field {quote(name)}{more}; {hint}", "extra_forbidden"
        )
    nested = next((name for name, value in item.items() if isinstance(value, dict | list)), None)
    if nested is not None:
        raise ValidationFailed.at(
            [nested], f"{nested} holds a list or an object; fields are strings, numbers or booleans", "flat"
        )
    try:
        checked = BatchItem.model_validate({**(defaults or {}), **item})
    except ValidationError as exc:
        raise from_validation_error(exc, known=FIELDS) from None
    for field in SOURCES:
        value = getattr(checked, field)
        if value is not None and not value.strip():
            raise ValidationFailed.at(field, f"{field} is empty (or only whitespace)", "string_too_short")
    return checked
