"""Article text from CMS HTML, with paragraph boundaries.

The markup is bounded before it is parsed (``prescan``); then the elements named by the boilerplate
rules (embeds, captions, inline "read also" and ad blocks) are removed from the tree, because a CMS
body fragment is exactly where an extractor's page-level heuristics have least to go on. trafilatura
(the extractor most used for news pages) then votes on where the story is, and ``api.text.story``
picks the container and reads it paragraph by paragraph.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from api.text.linear import compile_linear
from api.text.normalize import without_surrogates
from api.text.story import whole_story

# Never article text, whatever the rules say; also keeps them out of the plain-text fallback.
ALWAYS_DROP = "//script | //style | //noscript | //template | //head | //nav | //header | //footer"
# A rule's element that holds this share of the page's paragraph text is a wrapper around the story
# (a page-wide `div.ads-wrapper`, say), not a box beside it: it is kept, whatever its class says.
STORY_SHARE = 0.5
# ... and this share of the page's whole text: a quoted tweet's one <p> on a page whose story is
# written in bare <div>s is half of the page's <p> text, and still a tweet.
TEXT_SHARE = 0.25
# Bounds checked before the markup is parsed: a news page has a few thousand elements, each with a
# handful of attributes; past these, parsing is what costs (docs/decisions.md).
# Tags a CMS body is made of (the editor's page uses the same list). Two of them in a "text" field
# mean HTML sent as text: a plain article rarely writes even one.
_HTML_TAG = compile_linear(
    r"<!doctype html|</?(?:p|div|article|section|br|span|a|h[1-6]|ul|ol|li|figure|img|html|body|strong|em|b|i|"
    r"table|tr|td|blockquote)(?:\s[^<>]{0,500})?/?>"
)
MAX_ELEMENTS = 25_000
MAX_ATTRIBUTES = 256
# A start tag, its quoted values kept whole (a '>' inside quotes does not end it): linear in RE2.
_START_TAG = compile_linear(r"""<[A-Za-z](?:[^<>"']|"[^"]*"|'[^']*')*""", case_sensitive=True)
_QUOTED = compile_linear(r""""[^"]*"|'[^']*'""", case_sensitive=True)


class HtmlTooComplex(ValueError):
    """Markup past the element or attribute bounds: refused before it is parsed."""


def prescan(markup: str) -> None:
    """Counts start tags and each one's attributes in one linear pass, before libxml2 sees them."""
    elements = 0
    for match in _START_TAG.finditer(markup):
        elements += 1
        if elements > MAX_ELEMENTS:
            raise HtmlTooComplex(
                f"the html has more than {MAX_ELEMENTS:,} elements; an article page has a few thousand"
            )
        tag = match.group()
        if len(tag) > 2 * MAX_ATTRIBUTES:  # a shorter tag cannot hold more attributes than that
            bare = _QUOTED.sub('""', tag)
            attributes = max(len(bare.split()) - 1, bare.count("="))
            if attributes > MAX_ATTRIBUTES:
                raise HtmlTooComplex(
                    f"an element of the html has about {attributes:,} attributes; at most {MAX_ATTRIBUTES}"
                )


def _unwrap_newlines(text: str) -> str:
    """Each run of whitespace that holds a newline becomes one space (string operations: the regex
    ``\\s*\\n\\s*`` rescanned a long run of spaces from every position, 8.6 s for 100 K)."""
    first, *middle, last = text.split("\n")
    words = [part for part in (first.rstrip(), *(m.strip() for m in middle), last.lstrip()) if part]
    if not words:
        return " "
    lead = " " if not first.rstrip() else ""
    trail = " " if not last.lstrip() else ""
    return lead + " ".join(words) + trail


@dataclass(frozen=True)
class Selector:
    """Elements one drop rule removes: by tag, by whole class or id token, by token prefix, quoted
    posts (``quote_*``) and "Baca juga:" labels with their link (``label_*``). Everything is compared
    in Python, in one pass over the page, with work bounded per element: the rule file once held
    XPath, and one such expression (a label's ``following-sibling`` link) took 58 s on a page of 40 K
    labels."""

    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    class_prefixes: tuple[str, ...] = ()
    ids: frozenset[str] = frozenset()
    id_prefixes: tuple[str, ...] = ()
    # A <blockquote> that quotes a post: it has one of these attributes, its cite contains one of
    # these strings, or a link inside it has an href containing every string of one entry.
    quote_attributes: tuple[str, ...] = ()
    quote_cites: tuple[str, ...] = ()
    quote_links: tuple[tuple[str, ...], ...] = ()
    # An element of ``label_tags`` whose text starts with one of ``label_starts`` ("baca juga"): the
    # link right after it goes, and so does the label when it is nothing but the label.
    label_tags: frozenset[str] = frozenset()
    label_starts: tuple[str, ...] = ()

    def matches(self, element) -> bool:
        if element.tag in self.tags:
            return True
        tokens = element.get("class", "").split()
        if any(t in self.classes or t.startswith(self.class_prefixes) for t in tokens):
            return True
        ident = element.get("id")
        if ident is not None and (ident in self.ids or ident.startswith(self.id_prefixes)):
            return True
        return element.tag == "blockquote" and self._quotes_a_post(element)

    def _quotes_a_post(self, element) -> bool:
        if any(name in element.attrib for name in self.quote_attributes):
            return True
        cite = element.get("cite", "")
        if any(part in cite for part in self.quote_cites):
            return True
        if not self.quote_links:
            return False
        for link in element.iter("a"):
            href = link.get("href", "")
            if any(all(part in href for part in entry) for entry in self.quote_links):
                return True
        return False

    def labelled(self, element) -> list:
        """The label element (when it holds only the label) and the link right after it."""
        head = _head_text(element, LABEL_CHARS)
        start = next((s for s in self.label_starts if head.startswith(s)), None)
        if start is None:
            return []
        found = [element] if head.rstrip(": ") == start else []
        after = element.getnext()
        for _ in range(3):  # past a comment or two, never along a whole run of siblings
            if after is None or isinstance(after.tag, str):
                break
            after = after.getnext()
        if after is not None and after.tag == "a":
            found.append(after)
        return found


LABEL_CHARS = 40  # a label's text is read this far; "Baca juga:" and its like are shorter


def _head_text(element, limit: int) -> str:
    """The element's first ``limit`` characters of text, spaces collapsed and lower-cased, without
    reading the rest of a large element."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return " ".join("".join(parts).split())[:limit].lower()


def _selected(tree, drop: dict[str, Selector]) -> dict[str, list]:
    """Each rule's elements, in document order. One XPath (run in C) finds every element that any
    tag, class or id test could match, and one test against all rules at once sets aside those that
    match none, so a large page costs one look per element, not one per element and rule."""
    tags = sorted({tag for selector in drop.values() for tag in selector.tags})
    quotes = any(s.quote_attributes or s.quote_cites or s.quote_links for s in drop.values())
    anyone = Selector(
        tags=frozenset(tags),
        classes=frozenset().union(*(s.classes for s in drop.values())),
        class_prefixes=tuple(p for s in drop.values() for p in s.class_prefixes),
        ids=frozenset().union(*(s.ids for s in drop.values())),
        id_prefixes=tuple(p for s in drop.values() for p in s.id_prefixes),
        quote_attributes=tuple(a for s in drop.values() for a in s.quote_attributes),
        quote_cites=tuple(c for s in drop.values() for c in s.quote_cites),
        quote_links=tuple(entry for s in drop.values() for entry in s.quote_links),
    )
    paths = ["//*[@class or @id]", *(f"//{tag}" for tag in tags), *(["//blockquote"] if quotes else [])]
    candidates = [e for e in tree.xpath(" | ".join(paths)) if anyone.matches(e)]
    label_tags = sorted({tag for selector in drop.values() for tag in selector.label_tags})
    labels = tree.xpath(" | ".join(f"//{tag}" for tag in label_tags)) if label_tags else []
    found: dict[str, list] = {}
    for name, selector in drop.items():
        found[name] = [e for e in candidates if selector.matches(e)]
        if selector.label_starts:
            found[name] += [hit for e in labels if e.tag in selector.label_tags for hit in selector.labelled(e)]
    return found


@dataclass
class Extracted:
    text: str
    removed: Counter = field(default_factory=Counter)  # elements removed before extraction, by rule name


def _description(tree) -> str | None:
    """The page's own summary of the story (Open Graph, else the meta description): a vote for
    where the story starts."""
    for path in ("//meta[@property='og:description']/@content", "//meta[@name='description']/@content"):
        found = tree.xpath(path)
        if found:
            return str(found[0])[:1000]
    return None


def _wraps_the_story(element, story: int, page: int) -> bool:
    if not story or _paragraph_chars(element) < STORY_SHARE * story:
        return False
    return len(element.text_content()) >= TEXT_SHARE * page


def _paragraph_chars(element) -> int:
    return sum(len(" ".join(p.itertext()).strip()) for p in element.iter("p"))


def _attached(element, root) -> bool:
    while element.getparent() is not None:
        element = element.getparent()
    return element is root


def _unwrap_line_breaks(tree) -> None:
    """HTML reads a source newline or a lone <br> inside a paragraph as a space; a CMS that hard-wraps
    its paragraphs would otherwise split one sentence over several lines. Two <br> in a row are a
    paragraph break and stay one."""
    # Sets of elements, not of id()s: lxml makes proxies on demand, and a freed proxy's id is reused.
    preformatted = {e for pre in tree.iter("pre") for e in pre.iter()}
    for element in tree.iter():
        if element in preformatted:
            continue
        if element.text and "\n" in element.text:
            element.text = _unwrap_newlines(element.text)
        if element.tail and "\n" in element.tail:
            element.tail = _unwrap_newlines(element.tail)
    lone = [br for br in tree.iter("br") if not _in_break_run(br)]
    for br in lone:  # renamed in place: removing one child at a time is quadratic in a flat paragraph
        br.tag, br.text = "span", " "


def _in_break_run(br) -> bool:
    before, after = br.getprevious(), br.getnext()
    return (before is not None and before.tag == "br" and not (before.tail or "").strip()) or (
        after is not None and after.tag == "br" and not (br.tail or "").strip()
    )


def html_to_text(markup: str, drop: dict[str, Selector]) -> Extracted:
    """Plain text, one paragraph per line (empty when the markup holds no readable text), and what
    each drop rule removed."""
    import trafilatura

    markup = without_surrogates(markup)
    prescan(markup)
    try:
        tree = lxml_html.document_fromstring(markup)  # fragments get <html><body>, so every element has a parent
    except (etree.ParserError, ValueError):  # empty document, or only a declaration
        return Extracted("")
    lead = _description(tree)  # in <head>, which goes next
    for element in tree.xpath(ALWAYS_DROP):
        if element.getparent() is not None:
            element.drop_tree()
    story, page = _paragraph_chars(tree), len(tree.text_content())
    removed: Counter = Counter()
    for name, elements in _selected(tree, drop).items():
        for element in elements:
            if not isinstance(element.tag, str) or not _attached(element, tree):
                continue  # inside an element this rule already removed: counted once
            if _wraps_the_story(element, story, page):
                continue
            element.drop_tree()
            removed[name] += 1
    _unwrap_line_breaks(tree)
    # The tree itself, not its markup: parsed once (trafilatura works on its own copy of it).
    text = trafilatura.extract(
        tree,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_recall=True,  # the rules remove the noise; the extractor must not lose the story
    )
    return Extracted(whole_story(tree, text, removed, lead), removed)


def looks_like_html(text: str) -> bool:
    """Markup sent where plain text was expected: a doctype, or two tags of an article's body."""
    found = 0
    for match in _HTML_TAG.finditer(without_surrogates(text)):  # RE2 reads UTF-8
        found += 1
        if found == 2 or match.group(0).lower().startswith("<!doctype"):
            return True
    return False
