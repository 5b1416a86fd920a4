"""Article text from CMS HTML, with paragraph boundaries, via trafilatura.

trafilatura is the extractor most used for news pages (it drops scripts, styles, navigation and
page chrome, and keeps paragraph structure). Before it runs, the elements named by the boilerplate
rules (embeds, captions, inline "read also" and ad blocks) are removed from the tree, because a CMS
body fragment is exactly where the extractor's page-level heuristics have least to go on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from api.text.linear import compile_linear
from api.text.normalize import without_surrogates

# Never article text, whatever the rules say; also keeps them out of the plain-text fallback.
ALWAYS_DROP = "//script | //style | //noscript | //template | //head | //nav | //header | //footer"
# A rule's element that holds this share of the page's paragraph text is a wrapper around the story
# (a page-wide `div.ads-wrapper`, say), not a box beside it: it is kept, whatever its class says.
STORY_SHARE = 0.5
_SPACES = re.compile(r"\s+")  # every match consumes its run: linear
# Elements that start a paragraph of their own; everything else is inline text inside one.
BLOCK_TAGS = frozenset(
    "address article blockquote body center dd details div dl dt figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
# A paragraph this long that ends like a sentence, found in the extractor's output, marks where the
# story is on the page.
STORY_LINE_CHARS = 40
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


def _ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)")[-1:] in (".", "!", "?")


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
    for element in tree.xpath(ALWAYS_DROP):
        if element.getparent() is not None:
            element.drop_tree()
    story = _paragraph_chars(tree)
    removed: Counter = Counter()
    for name, elements in _selected(tree, drop).items():
        for element in elements:
            if not isinstance(element.tag, str) or not _attached(element, tree):
                continue  # inside an element this rule already removed: counted once
            if story and _paragraph_chars(element) >= STORY_SHARE * story:
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
    return Extracted(_whole_story(tree, text), removed)


def _whole_story(tree, extracted: str | None) -> str:
    """Every paragraph of the element that holds the extractor's story paragraphs.

    trafilatura finds where the story is, but inside it drops what its page-level heuristics score
    low: a sentence in a bare <div>, list-article headings, the second "page" block of a paginated
    story. The story container (the lowest element holding every paragraph it kept) is read again
    block by block, in document order; the rules then remove the boilerplate inside it. When the
    extractor found nothing, the whole page is read that way."""
    body = tree.find("body") if tree.find("body") is not None else tree
    blocks = list(_blocks(body, _holding_blocks(body)))
    if not extracted:
        return "\n".join(text for _, text in blocks)
    kept = {_SPACES.sub(" ", line).strip() for line in extracted.split("\n")}
    anchors = [element for element, text in blocks if _story_like(text) and text in kept]
    container = _common_ancestor(anchors)
    if container is None:
        return extracted
    container = _widen(container, blocks)
    inside = [text for element, text in blocks if _within(element, container)]
    covered = set(inside)
    missing = sum(len(line) for line in kept if line and line not in covered)
    # The block reading must hold what the extractor kept; if it does not, trust the extractor.
    return "\n".join(inside) if missing <= 0.1 * sum(len(line) for line in kept) else extracted


def _story_like(text: str) -> bool:
    return len(text) >= STORY_LINE_CHARS and _ends_sentence(text)


def _within(element, container) -> bool:
    return element is container or container in element.iterancestors()


def _widen(container, blocks: list, levels: int = 3):
    """A story split over sibling blocks (a paginated article's second "page") lies outside the
    container of what the extractor kept: climb while the parent adds mostly story sentences, never
    past a level whose new text is headline lists, menus or credits."""
    for _ in range(levels):
        parent = container.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        extra = [text for element, text in blocks if _within(element, parent) and not _within(element, container)]
        total = sum(map(len, extra))
        if total and sum(len(text) for text in extra if _story_like(text)) < 0.4 * total:
            break
        container = parent
    return container


def _holding_blocks(root) -> set:
    """The elements that are, or contain, a block element: found in one pass, so an inline element
    is never searched for blocks below it again and again. (Elements, not id()s: see above.)"""
    holding: set = set()
    for element in root.iter(*BLOCK_TAGS):
        for node in (element, *element.iterancestors()):
            if node in holding:
                break
            holding.add(node)
    return holding


def _blocks(element, holding: set):
    """(block element, paragraph text) in document order: the inline text between block children is
    one paragraph; a <br><br> run left by ``_unwrap_line_breaks`` starts a new one."""
    run = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            run.append(child.tail or "")
        elif child in holding:
            yield from _paragraph(element, run)
            yield from _blocks(child, holding)
            run = [child.tail or ""]
        elif child.tag == "br":
            yield from _paragraph(element, run)
            run = [child.tail or ""]
        else:
            run += [child.text_content(), child.tail or ""]
    yield from _paragraph(element, run)


def _paragraph(element, run: list[str]):
    text = _SPACES.sub(" ", "".join(run)).strip()
    if text:
        yield element, text


def _common_ancestor(elements: list):
    if not elements:
        return None
    path = [elements[0], *elements[0].iterancestors()]
    for element in elements[1:]:
        ancestors = {element, *element.iterancestors()}
        path = [a for a in path if a in ancestors]
    return path[0] if path else None


def looks_like_html(text: str) -> bool:
    """Markup sent where plain text was expected: a doctype, or two tags of an article's body."""
    found = 0
    for match in _HTML_TAG.finditer(without_surrogates(text)):  # RE2 reads UTF-8
        found += 1
        if found == 2 or match.group(0).lower().startswith("<!doctype"):
            return True
    return False
