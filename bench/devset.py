"""Score the cleaning on a labelled set of real pages: which story survives, which boilerplate goes.

    python -m bench.devset DIR                      # in-process, tiny demo models (built once)
    python -m bench.devset DIR --url http://127.0.0.1:8000   # a running service (RINGKAS_API_KEY)

DIR holds the pages (``*.html``) and ``labels.json``::

    {"page.html": {"outlet": "kompas", "keep": ["story substring", ...], "drop": ["boilerplate", ...]}}

Each page goes through ``POST /v1/summarize`` as ``{"html": page, "return_clean_text": true, "force":
true}``, the same request a CMS sends, in-process through the app (``create_app``) or over HTTP, and
``cleaning.clean_text`` is searched, whitespace runs collapsed on both sides. Printed: one FAIL line
per story label lost and per boilerplate label left, a row per outlet, and the score line

    lost L/N, story kept K%, boilerplate removed B%

with, under it, the pages where less than half the story came back (the extractor took the wrong
block). Add a rule only when this table moves on real pages, not just on the project's miniatures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (status, JSON answer) for one page's markup.
Post = Callable[[str], tuple[int | None, dict | None]]
WRONG_BLOCK_SHARE = 0.5  # a page that keeps less of its story than this came from the wrong block


def collapse(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


@dataclass
class Page:
    name: str
    outlet: str
    keep: int
    kept: int
    drop: int
    removed: int
    lost: bool
    failures: list[str] = field(default_factory=list)

    @property
    def wrong_block(self) -> bool:
        return not self.lost and self.keep > 0 and self.kept < WRONG_BLOCK_SHARE * self.keep


def judge(name: str, entry: dict, status: int | None, answer: dict | None) -> Page:
    keeps = [collapse(k) for k in entry.get("keep", [])]
    drops = [collapse(d) for d in entry.get("drop", [])]
    clean = ((answer or {}).get("cleaning") or {}).get("clean_text") if status == 200 else None
    page = Page(name, entry.get("outlet", "?"), len(keeps), 0, len(drops), 0, not (clean or "").strip())
    if page.lost:
        detail = (answer or {}).get("detail") or "empty clean_text"
        page.failures = [f"LOST {name}: status {status}, {detail}", *(f"FAIL {name} keep missing: {k}" for k in keeps)]
        return page
    text = collapse(clean)
    for k in keeps:
        page.kept += k in text
        if k not in text:
            page.failures.append(f"FAIL {name} keep missing: {k}")
    for d in drops:
        page.removed += d not in text
        if d in text:
            page.failures.append(f"FAIL {name} drop survived: {d}")
    return page


def score(folder: Path, post: Post) -> list[Page]:
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    pages = []
    for name in sorted(labels):
        markup = (folder / name).read_text(encoding="utf-8", errors="replace")
        pages.append(judge(name, labels[name], *post(markup)))
    return pages


def table(pages: list[Page]) -> str:
    lines = [failure for page in pages for failure in page.failures]
    lines += ["", f"{'outlet':24} pages lost wrong  kept/keep  removed/drop"]
    for outlet in sorted({page.outlet for page in pages}):
        mine = [page for page in pages if page.outlet == outlet]
        lines.append(
            f"{outlet:24} {len(mine):5} {sum(p.lost for p in mine):4} {sum(p.wrong_block for p in mine):5}"
            f"  {sum(p.kept for p in mine):4}/{sum(p.keep for p in mine):<4}"
            f"  {sum(p.removed for p in mine):7}/{sum(p.drop for p in mine):<4}"
        )
    keep, drop = sum(p.keep for p in pages), sum(p.drop for p in pages if not p.lost)
    kept_pct = 100.0 * sum(p.kept for p in pages) / keep if keep else 0.0
    removed_pct = 100.0 * sum(p.removed for p in pages if not p.lost) / drop if drop else 0.0
    wrong = [p.name for p in pages if p.wrong_block]
    lines += [
        f"lost {sum(p.lost for p in pages)}/{len(pages)}, story kept {kept_pct:.1f}%, "
        f"boilerplate removed {removed_pct:.1f}%",
        f"wrong-block pages {len(wrong)}" + (f": {', '.join(wrong)}" if wrong else ""),
    ]
    return "\n".join(lines)


def _body(markup: str) -> dict:
    return {"html": markup, "return_clean_text": True, "force": True}


def http_post(base: str, key: str | None = None) -> Post:
    url = base.rstrip("/") + "/v1/summarize"
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key

    def post(markup: str):
        request = urllib.request.Request(url, json.dumps(_body(markup)).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read().decode("utf-8", "replace"))
            except ValueError:
                return error.code, None
        except (urllib.error.URLError, OSError) as error:
            return None, {"detail": str(error)}

    return post


def client_post(client, key: str | None = None) -> Post:
    """Through a Flask test client: the app's whole request path, no server."""
    headers = {"Authorization": "Bearer " + key} if key else {}

    def post(markup: str):
        response = client.post("/v1/summarize", json=_body(markup), headers=headers)
        return response.status_code, response.get_json(silent=True)

    return post


def in_process() -> Post:
    """The app with the tiny demo models (built once in the cache folder, as ``ringkas serve --demo``)."""
    from api.app import create_app
    from api.config import Settings, env_name
    from api.runtime import Runtime
    from api.tiny_models import build_tiny_models

    folder = (Settings().models.cache_dir or Path.home() / ".cache" / "ringkas") / "tiny-models"
    if not all((folder / role / "config.json").is_file() for role in ("summarizer", "translator")):
        print(f"building tiny demo models in {folder} ...", file=sys.stderr)
        build_tiny_models(folder)
    for role in ("summarizer", "translator"):
        os.environ[env_name(f"{role}.model")] = str(folder / role)
    settings = Settings()
    app = create_app(settings, Runtime(settings).start(background=False))
    return client_post(app.test_client(), os.environ.get("RINGKAS_API_KEY"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="pages (*.html) and labels.json")
    parser.add_argument("--url", help="a running service's base URL; in-process when left out")
    args = parser.parse_args(argv)
    if not (args.folder / "labels.json").is_file():
        parser.error(f"{args.folder} has no labels.json")
    post = http_post(args.url, os.environ.get("RINGKAS_API_KEY")) if args.url else in_process()
    print(table(score(args.folder, post)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
