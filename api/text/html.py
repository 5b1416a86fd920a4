"""Article text from CMS HTML, with paragraph boundaries, via trafilatura.

trafilatura is the extractor most used for news pages (it drops scripts, styles, navigation and
page chrome, and keeps paragraph structure). Before it runs, the elements named by the boilerplate
rules (embeds, captions, inline "read also" and ad blocks) are removed from the tree, because a CMS
body fragment is exactly where the extractor's page-level heuristics have least to go on.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

# Never article text, whatever the rules say; also keeps them out of the plain-text fallback.
ALWAYS_DROP = "//script | //style | //noscript | //template | //head | //nav | //header | //footer"


def html_to_text(markup: str, drop_xpath: list[str]) -> str:
    """Plain text, one paragraph per line; empty when the markup holds no readable text."""
    import trafilatura

    try:
        tree = lxml_html.document_fromstring(markup)  # fragments get <html><body>, so every element has a parent
    except (etree.ParserError, ValueError):  # empty document, or only a declaration
        return ""
    for expression in [ALWAYS_DROP, *drop_xpath]:
        for element in tree.xpath(expression):
            parent = element.getparent()
            if parent is not None:
                element.drop_tree()
    cleaned = lxml_html.tostring(tree, encoding="unicode")
    text = trafilatura.extract(
        cleaned,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    if text is None:  # too little for the extractor's heuristics: fall back to the visible text
        text = "\n".join(part.strip() for part in tree.itertext() if part.strip())
    return text
