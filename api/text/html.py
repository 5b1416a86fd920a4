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
    """Elements one drop rule removes: by tag, by whole class or id token, by token prefix, or by
    XPath. Tokens are compared in Python, in one pass over the page: XPath string tests on every
    element of a large hostile page cost seconds."""

    tags: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    class_prefixes: tuple[str, ...] = ()
    ids: frozenset[str] = frozenset()
    id_prefixes: tuple[str, ...] = ()
    xpath: tuple[str, ...] = ()

    def matches(self, element) -> bool:
        if element.tag in self.tags:
            return True
        tokens = element.get("class", "").split()
        if any(t in self.classes or t.startswith(self.class_prefixes) for t in tokens):
            return True
        ident = element.get("id")
        return ident is not None and (ident in self.ids or ident.startswith(self.id_prefixes))


def _selected(tree, drop: dict[str, Selector]) -> dict[str, list]:
    """Each rule's elements, in document order. One XPath (run in C) finds every element that any
    tag, class or id test could match, and one test against all rules at once sets aside those that
    match none, so a large page costs one look per element, not one per element and rule."""
    tags = sorted({tag for selector in drop.values() for tag in selector.tags})
    anyone = Selector(
        tags=frozenset(tags),
        classes=frozenset().union(*(s.classes for s in drop.values())),
        class_prefixes=tuple(p for s in drop.values() for p in s.class_prefixes),
        ids=frozenset().union(*(s.ids for s in drop.values())),
        id_prefixes=tuple(p for s in drop.values() for p in s.id_prefixes),
    )
    candidates = tree.xpath(" | ".join(["//*[@class or @id]", *(f"//{tag}" for tag in tags)]))
    candidates = [e for e in candidates if anyone.matches(e)]
    found: dict[str, list] = {}
    for name, selector in drop.items():
        found[name] = [e for e in candidates if selector.matches(e)]
        for expression in selector.xpath:
            found[name] += tree.xpath(expression)
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
    cleaned = lxml_html.tostring(tree, encoding="unicode")
    text = trafilatura.extract(
        cleaned,
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
