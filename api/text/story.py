"""Which element of a page holds the story, and its paragraphs read back in document order.

Votes on where the story is: trafilatura (the extractor most used for news pages) and the page's
most text-dense block; when those two disagree, also the paragraph the page's own description
(``og:description``) starts and jusText with its Indonesian stop-list (a paragraph classifier:
long, stop-word-rich, link-light text is story). No extractor's text is read as the answer. The
paragraphs each one kept mark a container on our own tree, the lowest element that holds most of
them; the container most votes agree on wins (``choose``). This is what catches the wrong block: on
real pages trafilatura sometimes returns a sidebar of other stories (each a headline and a
one-sentence teaser) while the article, a few paragraphs in a `div`, is left out; jusText rarely
does, but it drops a short lead or a story sentence in a bare `div`, which the container reading
keeps.

Inside the container, a block whose text is mostly link text (a list of other stories, a "read
also" paragraph of links, a tag cloud) is not story: it is removed and counted as ``link-list``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

BLOCK_TAGS = frozenset(
    "address article blockquote body center dd details div dl dt figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
_SPACES = re.compile(r"\s+")  # every match consumes its run: linear
# A paragraph this long that ends like a sentence marks where the story is on the page.
STORY_LINE_CHARS = 40
# A block whose link text is this share of its text is a list of links, not a story paragraph.
LINK_DENSE = 0.6
# The container is the lowest element holding this share of the paragraphs an extractor kept: a
# stray sidebar teaser the extractor also kept does not widen it to the whole page.
CONTAINER_SHARE = 0.75
LINK_LIST_RULE = "link-list"
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# jusText's second pass looks for each short paragraph's nearest classified neighbours, a walk that
# grows with the page (quadratic: 15 s for 4,000 paragraphs). It is asked only to break a tie, and
# only on a page of this many blocks or fewer (a news page has a few hundred).
JUSTEXT_MAX_BLOCKS = 1500


@dataclass(frozen=True)
class Block:
    element: object
    text: str
    link_chars: int

    @property
    def link_dense(self) -> bool:
        return self.link_chars >= LINK_DENSE * len(self.text)

    @property
    def story_like(self) -> bool:
        return len(self.text) >= STORY_LINE_CHARS and ends_sentence(self.text) and not self.link_dense


def ends_sentence(text: str) -> bool:
    return text.rstrip("\"'”’)")[-1:] in (".", "!", "?")


def key(text: str) -> str:
    """Spacing differs between extractors ("<em>a</em> <em>b</em>" comes back as "ab"): compared without it."""
    return "".join(text.split())


def read_blocks(tree) -> list[Block]:
    body = tree.find("body") if tree.find("body") is not None else tree
    return list(_blocks(body, _holding_blocks(body)))


def _holding_blocks(root) -> set:
    """The elements that are, or contain, a block element or a paragraph break (<br><br>): found in
    one pass, so an inline element is never searched for blocks below it again and again. A <span>
    that holds a whole story in <br><br>-separated paragraphs is read paragraph by paragraph.
    (Elements, not id()s: lxml makes proxies on demand, and a freed proxy's id is reused.)"""
    holding: set = set()
    for element in root.iter(*BLOCK_TAGS, "br"):
        if element.tag == "br":
            element = element.getparent()
        for node in (element, *element.iterancestors()):
            if node in holding:
                break
            holding.add(node)
    return holding


def _blocks(element, holding: set):
    """Blocks in document order: the inline text between block children is one paragraph; a <br><br>
    run left by the line-break unwrapping starts a new one."""
    run, links = [element.text or ""], 0
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            run.append(child.tail or "")
        elif child in holding:
            yield from _paragraph(element, run, links)
            yield from _blocks(child, holding)
            run, links = [child.tail or ""], 0
        elif child.tag == "br":
            yield from _paragraph(element, run, links)
            run, links = [child.tail or ""], 0
        else:
            content = child.text_content()
            run += [content, child.tail or ""]
            if child.tag == "a":
                links += len(content.strip())
            else:
                links += sum(len(a.text_content().strip()) for a in child.iter("a"))
    yield from _paragraph(element, run, links)


def _paragraph(element, run: list[str], links: int):
    text = _SPACES.sub(" ", "".join(run)).strip()
    if text:
        yield Block(element, text, len(text) if _in_link(element) else min(links, len(text)))


def _in_link(element) -> bool:
    """A block inside a link (``<a><h4>headline</h4></a>``, a teaser card) is link text whole."""
    return _near(element, "a")


def _near(element, tag: str, levels: int = 4) -> bool:
    """The element or one of its nearest ancestors has this tag (a bounded climb)."""
    for _ in range(levels):
        if element is None:
            return False
        if element.tag == tag:
            return True
        element = element.getparent()
    return False


def within(element, container) -> bool:
    return element is container or container in element.iterancestors()


def container_of(blocks: list[Block], kept: set[str]):
    """The lowest element holding ``CONTAINER_SHARE`` of the story-like blocks an extractor kept
    (``kept``: their keys), or None when it kept none of ours. Cost: blocks x depth (libxml2 caps the
    depth of a parsed tree)."""
    anchors = [block for block in blocks if block.story_like and key(block.text) in kept]
    if not anchors:
        return None
    held: Counter = Counter()
    depth: dict = {}
    for block in anchors:
        chain = [block.element, *block.element.iterancestors()]
        for level, node in enumerate(reversed(chain)):
            held[node] += len(block.text)
            depth[node] = level
    total = sum(len(block.text) for block in anchors)
    enough = [node for node, chars in held.items() if chars >= CONTAINER_SHARE * total]
    return max(enough, key=depth.__getitem__)


def story_chars(blocks: list[Block], container) -> int:
    return sum(len(b.text) for b in blocks if b.story_like and within(b.element, container))


def net_story_chars(blocks: list[Block], container) -> int:
    """Story text less link text: a sidebar of teasers is as much headline links as sentences."""
    inside = [b for b in blocks if within(b.element, container)]
    return sum(len(b.text) for b in inside if b.story_like) - sum(b.link_chars for b in inside)


def widen(container, blocks: list[Block], levels: int = 3):
    """A story split over sibling blocks (a paginated article's second "page") lies outside the
    container of what the extractor kept: climb while the parent adds mostly story sentences, never
    past a level whose new text is headline lists, menus or credits."""
    for _ in range(levels):
        parent = container.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        extra = [b for b in blocks if within(b.element, parent) and not within(b.element, container)]
        total = sum(len(b.text) for b in extra)
        if total and sum(len(b.text) for b in extra if b.story_like) < 0.4 * total:
            break
        container = parent
    return container


def _disagree(first, second) -> bool:
    return first is None or second is None or not (within(first, second) or within(second, first))


def densest(blocks: list[Block]):
    """The element with the most story-like text in its own paragraphs or its children's (a <div> of
    <p>s, a <span> of <br><br> paragraphs): the page's best text-dense block. A list of teasers, one
    per <li>, never adds up here; a page-wide wrapper is two levels up and is not counted."""
    held: Counter = Counter()
    for block in blocks:
        if block.story_like:
            held[block.element] += len(block.text)
            parent = block.element.getparent()
            if parent is not None:
                held[parent] += len(block.text)
    return max(held, key=held.__getitem__) if held else None


def choose(blocks: list[Block], candidates: list):
    """The container to read, from the votes. The one most votes nest with wins (a tie goes to more
    story text less link text): a sidebar one vote took loses to the story two found. Of the votes
    that nest with it, the innermost that holds 80 % of their story text is read: an outer vote adds
    what an extractor took from around the story."""
    found = [c for c in candidates if c is not None]
    if not found:
        return None
    chars = {c: story_chars(blocks, c) for c in found}

    def nests(a, b) -> bool:
        return within(a, b) or within(b, a)

    top = max(found, key=lambda c: (sum(nests(c, o) for o in found), net_story_chars(blocks, c)))
    group = [c for c in found if nests(c, top)]
    most = max(chars[c] for c in group)
    for c in sorted(group, key=lambda c: -sum(1 for _ in c.iterancestors())):
        if chars[c] >= 0.8 * most:
            return c
    return top


def justext_keys(tree) -> set[str]:
    """The paragraphs jusText classifies as story (Indonesian stop-list), as keys."""
    import justext
    from lxml import html as lxml_html

    copy = lxml_html.fromstring(lxml_html.tostring(tree))
    paragraphs = justext.core.ParagraphMaker.make_paragraphs(justext.core.preprocessor(copy))
    justext.core.classify_paragraphs(paragraphs, _stoplist())
    justext.core.revise_paragraph_classification(paragraphs)
    return {key(p.text) for p in paragraphs if not p.is_boilerplate}


_STOPLIST: frozenset[str] | None = None


def _stoplist() -> frozenset[str]:
    global _STOPLIST
    if _STOPLIST is None:
        import justext

        _STOPLIST = justext.get_stoplist("Indonesian")
    return _STOPLIST


LEAD_KEY_CHARS = 60  # a page's description is matched on its first characters (outlets trim it)


def lead_block(blocks: list[Block], lead: str | None) -> Block | None:
    """The paragraph the page's own description (``og:description``, usually the story's first
    sentence) starts, or None."""
    wanted = key(lead or "")[:LEAD_KEY_CHARS]
    if len(wanted) < LEAD_KEY_CHARS // 2:
        return None
    return next((b for b in blocks if len(b.text) >= STORY_LINE_CHARS and wanted in key(b.text)), None)


def lead_vote(blocks: list[Block], lead: str | None):
    found = lead_block(blocks, lead)
    return None if found is None else found.element.getparent()


def _with_lead(inside: list[Block], blocks: list[Block], container, lead: str | None) -> list[Block]:
    """The story's first paragraph, when the page keeps it apart just before the body (a lead
    ``<div>`` beside the body's), is read with it: within two levels of the container, never from
    further away."""
    found = lead_block(blocks, lead)
    if found is None or not inside or found in inside or blocks.index(found) > blocks.index(inside[0]):
        return inside
    near = container.getparent()
    near = near.getparent() if near is not None and near.getparent() is not None else near
    return [found, *inside] if near is not None and within(found.element, near) else inside


def whole_story(tree, extracted: str | None, removed: Counter, lead: str | None = None) -> str:
    """Every paragraph of the element that holds the story, link lists left out (and counted).

    trafilatura finds where the story is, but inside it drops what its page-level heuristics score
    low: a sentence in a bare <div>, a lead glued to the outlet's name, list-article headings, the
    second "page" of a paginated story. The container is read again block by block, in document
    order; the text rules then remove the boilerplate inside it. When no vote finds a container,
    trafilatura's text is taken as it is, or, when it found nothing either, the whole page is read."""
    blocks = read_blocks(tree)
    lines = (extracted or "").split("\n")
    votes = [container_of(blocks, {key(line) for line in lines if line.strip()}), densest(blocks)]
    if _disagree(*votes):
        votes.append(lead_vote(blocks, lead))
        if len(blocks) <= JUSTEXT_MAX_BLOCKS:
            votes.append(container_of(blocks, justext_keys(tree)))
    container = choose(blocks, votes)
    if container is None:
        if extracted:
            return extracted
        inside = blocks
    else:
        container = widen(container, blocks)
        inside = _with_lead([b for b in blocks if within(b.element, container)], blocks, container, lead)
    kept = []
    for block in inside:
        # A linked crosshead (a list article's "<h3><a>1. Pantai Kuta</a></h3>") is the story's own; a
        # headline in a list item is another story's card, and a row of bare headlines goes by the text
        # rules (headline runs).
        if block.link_dense and not (block.element.tag in HEADINGS and not _near(block.element, "li")):
            removed[LINK_LIST_RULE] += 1
            continue
        kept.append(block.text)
    return "\n".join(kept)
