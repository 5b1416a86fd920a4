"""One item of a batch or an archive job, validated: the one check both entries share.

The batch route turns a bad item into that item's problem; job intake refuses the whole job with a
422 naming the bad lines, before anything reaches Redis or the queue. Either way an item is a flat
object of known fields (no member a library or a transport could interpret, no tree to walk), with
a non-blank text or html, and the problem it gets is small whatever the item holds: at most one
unknown name is quoted, shortened, however many there are.

An item with ``articles`` instead of text or html is a story cluster (``ClusterItem``), checked by the
rules of ``/v1/digest``: 2 to ``max_articles`` flat articles, each with a non-blank text or html.
The list is the one nesting an item may hold, and its length is checked before any article is.
"""

from __future__ import annotations

from pydantic import ValidationError

from api.errors import MAX_QUOTED_CHARS, ValidationFailed, cut, from_validation_error, name_hint, quote
from api.schemas import BatchItem, ClusterItem, DigestArticle, DigestOptions

FIELDS = tuple(BatchItem.model_fields)
CLUSTER_FIELDS = tuple(ClusterItem.model_fields)
ARTICLE_FIELDS = tuple(DigestArticle.model_fields)
DIGEST_OPTIONS = frozenset(DigestOptions.model_fields)
SOURCES = ("text", "html")
MAX_ARTICLES = 20  # the default of RINGKAS_DIGEST__MAX_ARTICLES; callers pass the deployment's
MAX_COUNTED = 100  # articles of one item charged: the most RINGKAS_DIGEST__MAX_ARTICLES allows


def item_texts(items: list) -> list[object]:
    """Every article text and html of these items, a cluster's articles included: what a batch or a
    job is charged for. Bounded by the caller: a cluster's articles are counted up to MAX_COUNTED."""
    texts: list[object] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        articles = item.get("articles")
        sources = [item, *articles[:MAX_COUNTED]] if isinstance(articles, list) else [item]
        texts.extend(source.get(field) for source in sources if isinstance(source, dict) for field in SOURCES)
    return texts


def _refuse_unknown(names: list[str], known: tuple[str, ...], at: tuple = (), what: str = "field") -> None:
    if not names:
        return
    more = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
    hint = name_hint(names[0], known) if len(names[0]) <= MAX_QUOTED_CHARS else f"known: {', '.join(known)}"
    raise ValidationFailed.at(
        [*at, cut(str(names[0]), MAX_QUOTED_CHARS)],
        f"{_where(at)}unknown {what} {quote(names[0])}{more}; {hint}",
        "extra_forbidden",
    )


def _where(at: tuple) -> str:
    """``articles[2]: `` before a problem of a cluster's article, as /v1/digest says it."""
    return f"{at[0]}[{at[1]}]: " if at else ""


def _refuse_nested(item: dict, at: tuple = ()) -> None:
    nested = next((name for name, value in item.items() if isinstance(value, dict | list)), None)
    if nested is not None:
        raise ValidationFailed.at(
            [*at, nested],
            f"{_where(at)}{nested} holds a list or an object; fields are strings, numbers or booleans",
            "flat",
        )


def _refuse_blank(checked: object, at: tuple = ()) -> None:
    for field in SOURCES:
        value = getattr(checked, field)
        if value is not None and not value.strip():
            raise ValidationFailed.at(
                [*at, field], f"{_where(at)}{field} is empty (or only whitespace)", "string_too_short"
            )


def check_item(item: object, defaults: dict | None = None, max_articles: int = MAX_ARTICLES) -> BatchItem | ClusterItem:
    """The item as a BatchItem or a ClusterItem (the job's ``defaults`` under its own options), or
    ValidationFailed."""
    if not isinstance(item, dict):
        raise ValidationFailed.at("items", "each item must be an object")
    if "articles" in item:
        return check_cluster(item, defaults, max_articles)
    _refuse_unknown([name for name in item if name not in FIELDS], FIELDS)
    _refuse_nested(item)
    try:
        checked = BatchItem.model_validate({**(defaults or {}), **item})
    except ValidationError as exc:
        raise from_validation_error(exc, known=FIELDS) from None
    _refuse_blank(checked)
    return checked


def check_cluster(item: dict, defaults: dict | None, max_articles: int) -> ClusterItem:
    """A cluster item: the defaults a digest takes (translate, target_lang, length, force) under its
    own options; the others (long_input, return_clean_text) concern one article and do not apply."""
    if any(source in item for source in SOURCES):
        raise ValidationFailed.at(
            ["articles"], "an item has articles (a cluster, digested) or text/html (one article), not both"
        )
    _refuse_unknown([name for name in item if name not in CLUSTER_FIELDS], CLUSTER_FIELDS)
    _refuse_nested({name: value for name, value in item.items() if name != "articles"})
    articles = item["articles"]
    if not isinstance(articles, list):
        raise ValidationFailed.at(["articles"], "articles must be a list of articles (objects with text or html)")
    if len(articles) < 2:
        raise ValidationFailed.at(
            ["articles"],
            f"a cluster needs at least 2 articles, not {len(articles)}; send one as text or html",
            "too_short",
        )
    if len(articles) > max_articles:
        raise ValidationFailed.at(
            ["articles"],
            f"{len(articles)} articles; a cluster takes at most {max_articles} (RINGKAS_DIGEST__MAX_ARTICLES)",
            "too_long",
        )
    for index, article in enumerate(articles):
        if not isinstance(article, dict):
            raise ValidationFailed.at(["articles", index], f"articles[{index}] must be an object with text or html")
        _refuse_unknown([name for name in article if name not in ARTICLE_FIELDS], ARTICLE_FIELDS, ("articles", index))
        _refuse_nested(article, ("articles", index))
    options = {name: value for name, value in (defaults or {}).items() if name in DIGEST_OPTIONS}
    try:
        checked = ClusterItem.model_validate({**options, **item})
    except ValidationError as exc:
        raise from_validation_error(exc, known=CLUSTER_FIELDS) from None
    for index, article in enumerate(checked.articles):
        _refuse_blank(article, ("articles", index))
    return checked
