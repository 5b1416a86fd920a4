"""Each operation declared where its handler is: what it reads, what it answers, which problems it
can give and which key scope it needs. The OpenAPI document (``api/routes/openapi.py``) and the key
guard read these declarations from the app's routes, so a route cannot change without its document.

A small decorator of our own rather than flask-openapi3 or spectree: both parse and validate the body
in their own wrapper, before the handler, which would undo the bounded streaming readers of
``routes/body.py`` (a body is refused at its limit while it arrives, never parsed whole first), and
neither describes one operation that takes JSON, text/plain and text/html with per-deployment limits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "__ringkas_operation__"
EVERY_SCOPE = "*"  # a route only a key with every scope may call


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status, model (or raw media) and headers beyond X-Request-ID."""

    model: type[BaseModel] | None = None
    status: int = 200
    many: bool = False  # a JSON array of ``model``
    media: str | tuple[str, ...] = "application/json"  # several: the client chooses (query or Accept)
    description: str = "OK"
    headers: tuple[tuple[str, str], ...] = ()  # (name, description)
    example: Any = None


@dataclass(frozen=True, kw_only=True)
class Operation:
    id: str
    summary: str
    tag: str
    description: str = ""  # may name settings: "{settings.limits.max_batch_items}"
    answer: Answer = Answer()
    body: type[BaseModel] | None = None  # the JSON body's model
    form: bool = False  # the same fields also as a urlencoded form (LibreTranslate clients)
    raw: tuple[str, ...] = ()  # other media types read as the raw body
    raw_limit: str = "limits.max_body_bytes"  # the setting that bounds a raw body
    example: Callable[[str], Any] | None = None  # a JSON body from a sample article's opening
    text_limit: str | None = None  # the setting that bounds the body's text field
    items: tuple[type[BaseModel], str] | None = None  # the model of each of the body's items, the setting capping them
    query: type[BaseModel] | None = None  # options taken in the query string
    path: tuple[tuple[str, str], ...] = ()  # (path parameter, description)
    problems: tuple[int, ...] = ()
    scope: str | None = EVERY_SCOPE  # None: any valid key


@dataclass(frozen=True)
class Unlisted:
    """A route deliberately outside the API document (a page, an asset), with the reason."""

    why: str


def declare(operation: Operation | Unlisted) -> Callable[[View], View]:
    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, operation)
        return view

    return mark


def unlisted(why: str) -> Callable[[View], View]:
    return declare(Unlisted(why))


def declaration_of(view: Callable[..., Any] | None) -> Operation | Unlisted | None:
    return getattr(view, ATTRIBUTE, None)
