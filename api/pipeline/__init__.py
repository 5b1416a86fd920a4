"""The one pipeline every entry takes (HTTP, batch, archive jobs, ``ringkas eval`` and ``ringkas
bench``): one request's journey, extract -> clean -> check language -> summarize -> translate, with
limits, cache, deadline and timings. Its stages live beside it: ``reading``, ``summarizing``,
``translating``, ``digesting``; what they share in ``common``."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from api.errors import RingkasError, ValidationFailed
from api.items import MAX_ARTICLES, check_item
from api.pipeline.common import Caller, Limits
from api.pipeline.digesting import Digesting
from api.pipeline.translating import Translating
from api.schemas import BatchItem, BatchResponse, BatchResult, ClusterItem, usable_id

__all__ = ["Caller", "Limits", "Pipeline", "parse_item"]

ParsedItem = tuple[str | int | None, BatchItem | ClusterItem | RingkasError]


def parse_item(item: object, defaults: dict | None = None, max_articles: int = MAX_ARTICLES) -> ParsedItem:
    """One batch or job item (an article, or a cluster of at most ``max_articles``), validated on its
    own, with the job's defaults under its own options. An item that fails validation still gets its
    id back, so the caller can tell which it was."""
    item_id = usable_id(item.get("id")) if isinstance(item, dict) else None  # an unusable id is never echoed
    try:
        return item_id, check_item(item, defaults, max_articles)
    except ValidationFailed as exc:
        return item_id, exc


class Pipeline(Digesting, Translating):
    """Built once per process; safe to call from many request threads (the batchers serialise the models)."""

    def summarize_batch(self, items: list, max_items: int, caller: Caller = Caller()) -> BatchResponse:
        """Each item is validated and answered on its own; they run concurrently, so they meet in the
        batcher and share generate calls. One bad item never fails the others."""
        if len(items) > max_items:
            raise ValidationFailed.at(
                "items", f"{len(items)} items; at most {max_items} per batch (RINGKAS_LIMITS__MAX_BATCH_ITEMS)"
            )
        if not items:
            raise ValidationFailed.at("items", "items is empty")
        parsed = [parse_item(item, max_articles=self.limits.digest.max_articles) for item in items]
        return BatchResponse(results=self.answer_items(parsed, caller=caller))

    def answer_items(
        self, parsed: list[ParsedItem], skip: Callable[[], bool] | None = None, caller: Caller = Caller()
    ) -> list[BatchResult]:
        """Answers parsed items concurrently (they share generate calls in the batcher); a problem of
        one item is that item's result. ``skip`` is asked before each item starts (a cancelled job):
        an item it stops answers None."""

        def answer(pair: ParsedItem) -> BatchResult | None:
            item_id, entry = pair
            if skip is not None and skip():
                return None
            try:
                if isinstance(entry, RingkasError):
                    raise entry
                if isinstance(entry, ClusterItem):
                    return BatchResult(id=item_id, status="done", result=self.digest(entry, caller=caller))
                return BatchResult(id=item_id, status="done", result=self.summarize(entry, caller=caller))
            except RingkasError as exc:
                problem = exc.to_problem()
                if caller.request_id:
                    problem["request_id"] = caller.request_id
                return BatchResult(id=item_id, status="failed", problem=problem)

        if len(parsed) == 1:
            return [answer(parsed[0])]
        with ThreadPoolExecutor(max_workers=max(1, len(parsed)), thread_name_prefix="batch-item") as pool:
            return list(pool.map(answer, parsed))
