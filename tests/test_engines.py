"""The transformers engine and the batcher, on the tiny real models."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.engines.base import GenerationParams
from api.engines.batcher import Batcher
from api.engines.gather import gather
from api.engines.slots import ComputeSlots
from api.errors import DeadlineExceeded, Overloaded

pytestmark = pytest.mark.integration

GREEDY = GenerationParams(max_new_tokens=12, min_new_tokens=12)


class Gated:
    """Wraps a real engine; holds each batch until the test opens the gate, and records batch sizes."""

    name = "gated"

    def __init__(self, engine):
        self.engine = engine
        self.gate = threading.Event()
        self.sizes: list[int] = []
        self.lengths: list[list[int]] = []
        self.fail = False

    def generate(self, batch, params):
        self.gate.wait(10)
        self.sizes.append(len(batch))
        self.lengths.append(sorted(len(seq) for seq in batch))
        if self.fail:
            raise RuntimeError("engine broke")
        return self.engine.generate(batch, params)


@pytest.fixture()
def summarizer(pipeline):
    return pipeline.summarizer


@pytest.fixture()
def articles(summarizer, seed_texts):
    return [summarizer.encode(text[:400]).ids for text in seed_texts]


def test_output_lengths_follow_the_params(summarizer, articles):
    engine = summarizer.batcher.engine
    out = engine.generate(articles[:2], GenerationParams(max_new_tokens=7, min_new_tokens=7))
    assert [len(seq) for seq in out] == [7, 7]
    out = engine.generate(articles[:1], GenerationParams(max_new_tokens=30, min_new_tokens=3, num_beams=4))
    assert 3 <= len(out[0]) <= 30


def test_same_input_same_output_and_batching_changes_nothing(summarizer, articles):
    engine = summarizer.batcher.engine
    params = GenerationParams(max_new_tokens=16, min_new_tokens=4, num_beams=4, no_repeat_ngram_size=2)
    one_by_one = [engine.generate([ids], params)[0] for ids in articles]
    assert one_by_one == [engine.generate([ids], params)[0] for ids in articles]
    assert engine.generate(articles, params) == one_by_one  # padding + attention mask are exact


def test_translation_starts_with_the_target_language_token(pipeline):
    translator = pipeline.translator
    deadline = time.monotonic() + 60
    for target in ("eng_Latn", "fra_Latn"):
        result = translator.translate("Rusia dan AS bertemu. Belum ada kesepakatan.", "ind_Latn", target, deadline)
        lang_id = translator.tokenizer.convert_tokens_to_ids(target)
        assert result.segments == 2
        assert all(output[0] == lang_id for output in result.outputs)
        assert target not in result.text  # the language token is not shown to callers


def test_batcher_groups_concurrent_requests_into_one_generate(summarizer, articles):
    gated = Gated(summarizer.batcher.engine)
    batcher = Batcher(gated, name="test", max_batch_size=8, max_wait_s=0.05, queue_size=16)
    try:
        futures = [f for ids in articles for f in batcher.submit([ids], GREEDY)]
        gated.gate.set()
        results = gather(futures, time.monotonic() + 30, "test")
        assert gated.sizes == [len(articles)]
        assert results == [summarizer.batcher.engine.generate([ids], GREEDY)[0] for ids in articles]
    finally:
        batcher.stop()


def test_batcher_never_mixes_decoding_params(summarizer, articles):
    gated = Gated(summarizer.batcher.engine)
    batcher = Batcher(gated, name="test", max_batch_size=8, max_wait_s=0.05, queue_size=16)
    other = GenerationParams(max_new_tokens=5, min_new_tokens=5)
    try:
        futures = batcher.submit(articles[:2], GREEDY) + batcher.submit(articles[2:4], other)
        gated.gate.set()
        results = gather(futures, time.monotonic() + 30, "test")
        assert sorted(gated.sizes) == [2, 2]
        assert [len(r) for r in results] == [12, 12, 5, 5]
    finally:
        batcher.stop()


def test_full_queue_is_refused_at_once_whole_request(summarizer, articles):
    gated = Gated(summarizer.batcher.engine)
    batcher = Batcher(gated, name="test", max_batch_size=1, max_wait_s=0, queue_size=3)
    try:
        batcher.submit(articles[:1], GREEDY)  # taken by the worker, blocked at the gate
        _wait_until(lambda: batcher.running == 1)
        batcher.submit(articles[:3], GREEDY)
        started = time.monotonic()
        with pytest.raises(Overloaded) as info:
            batcher.submit(articles[:1], GREEDY)
        assert time.monotonic() - started < 5  # refused at once: a blocking queue would wait for the gate
        assert int(info.value.headers["Retry-After"]) >= 1
        assert batcher.depth == 3  # the refused request left nothing behind
    finally:
        gated.gate.set()
        batcher.stop()


def test_deadline_cancels_queued_work_and_engine_errors_reach_the_caller(summarizer, articles):
    gated = Gated(summarizer.batcher.engine)
    batcher = Batcher(gated, name="test", max_batch_size=1, max_wait_s=0, queue_size=8)
    try:
        first = batcher.submit(articles[:1], GREEDY)
        late = batcher.submit(articles[1:2], GREEDY)
        with pytest.raises(DeadlineExceeded):
            gather(late, time.monotonic() + 0.2, "test")
        assert late[0].cancelled()
        gated.fail = True
        gated.gate.set()
        with pytest.raises(RuntimeError, match="engine broke"):
            gather(first, time.monotonic() + 10, "test")
        gated.fail = False
        # The worker thread survived the failure and skipped the cancelled item.
        assert len(gather(batcher.submit(articles[2:3], GREEDY), time.monotonic() + 10, "test")[0]) == 12
        assert gated.sizes == [1, 1]
    finally:
        batcher.stop()


def test_threads_hammering_one_batcher_all_get_their_own_answer(summarizer, articles):
    expected = {i: summarizer.batcher.engine.generate([ids], GREEDY)[0] for i, ids in enumerate(articles)}

    def ask(i):
        [future] = summarizer.batcher.submit([articles[i]], GREEDY)
        return i, gather([future], time.monotonic() + 60, "test")[0]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, [i % len(articles) for i in range(16)]))
    assert all(output == expected[i] for i, output in answers)


def test_batches_bucket_by_length_around_the_oldest_request(summarizer, articles):
    gated = Gated(summarizer.batcher.engine)
    gated.gate.set()
    batcher = Batcher(gated, name="test", max_batch_size=3, max_wait_s=0.2, queue_size=16)
    base = articles[1]
    try:
        lengths = [100, 10, 98, 12, 101]
        seqs = [[*base[: n - 1], base[-1]] for n in lengths]
        gather(batcher.submit(seqs, GREEDY), time.monotonic() + 30, "test")
        assert gated.lengths == [[98, 100, 101], [10, 12]]
    finally:
        batcher.stop()


def test_batches_keep_to_the_token_budget_padded(summarizer, articles):
    """A budget of 100 input tokens: 40-token sequences go two by two (3 x 40 > 100), 10-token ones up
    to the size cap, and a 150-token one alone. A 10-token sequence bucketed with a 40 counts as 40."""
    gated = Gated(summarizer.batcher.engine)
    gated.gate.set()
    batcher = Batcher(gated, name="test", max_batch_size=6, max_batch_tokens=100, max_wait_s=0.2, queue_size=32)
    base = articles[1]
    try:
        cases = [([40] * 5, [2, 2, 1]), ([10] * 8, [6, 2]), ([150, 10], [1, 1]), ([40, 10, 10], [2, 1])]
        for lengths, sizes in cases:
            gated.lengths.clear()
            seqs = [[*base[: n - 1], base[-1]] for n in lengths]
            outputs = gather(batcher.submit(seqs, GREEDY), time.monotonic() + 30, "test")
            assert outputs == [summarizer.batcher.engine.generate([seq], GREEDY)[0] for seq in seqs]
            assert sorted(map(len, gated.lengths), reverse=True) == sizes
            assert all(len(batch) * max(batch) <= 100 for batch in gated.lengths if len(batch) > 1)
    finally:
        batcher.stop()


def test_parallel_batcher_threads_share_the_queue(pipeline, articles):
    from api.engines.ct2 import CTranslate2Engine

    engine = pipeline.summarizer.batcher.engine
    tokenizer = pipeline.summarizer.tokenizer.backend_tokenizer
    parallel = CTranslate2Engine(
        engine.model_dir, tokenizer=tokenizer, compute_type=engine.compute_type, threads=2, parallel=2
    )
    batcher = Batcher(parallel, name="test", max_batch_size=2, max_wait_s=0.01, queue_size=16, workers=2)
    try:
        results = gather(batcher.submit(articles, GREEDY), time.monotonic() + 60, "test")
        assert results == [engine.generate([ids], GREEDY)[0] for ids in articles]
        assert batcher.batches_run >= 3 and batcher.workers == 2
    finally:
        batcher.stop()


def test_waiting_work_is_shared_out_between_idle_workers(summarizer, articles):
    """Eight arrivals and two idle engine replicas: two batches of four at once, not one of eight
    while the other replica idles; a worker busy elsewhere leaves the whole share to the idle one."""
    gated = Gated(summarizer.batcher.engine)
    seqs = [articles[i % len(articles)] for i in range(8)]
    batcher = Batcher(gated, name="test", max_batch_size=8, max_wait_s=0.2, queue_size=32, workers=2)
    try:
        futures = batcher.submit(seqs, GREEDY)
        _wait_until(lambda: batcher.running == 2)  # both replicas hold a batch before either finishes
        gated.gate.set()
        results = gather(futures, time.monotonic() + 60, "test")
        assert sorted(gated.sizes) == [4, 4]
        assert results == [summarizer.batcher.engine.generate([ids], GREEDY)[0] for ids in seqs]

        gated.gate.clear()
        gated.sizes.clear()
        blocker = batcher.submit(seqs[:1], GREEDY)  # one worker is held at the gate with this
        _wait_until(lambda: batcher.running == 1)
        rest = batcher.submit(seqs[:6], GREEDY)
        _wait_until(lambda: batcher.running == 2)
        gated.gate.set()
        gather(blocker + rest, time.monotonic() + 60, "test")
        assert sorted(gated.sizes) == [1, 6]
        assert batcher.workers == 2
    finally:
        gated.gate.set()
        batcher.stop()


def _wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert condition()


def test_models_share_the_compute_slots(summarizer, articles):
    """Two models, two slots: while one model runs two batches, the other's work waits (it would
    only add a third set of buffers on two cores), and starts as soon as a slot frees. A worker
    takes the share of idle workers that could really start: with no slot free for its sibling, it
    runs all the waiting work at once."""
    engine = summarizer.batcher.engine
    slots = ComputeSlots(2)
    first, second = Gated(engine), Gated(engine)
    a = Batcher(first, name="a", max_batch_size=1, max_wait_s=0, queue_size=8, workers=2, slots=slots)
    b = Batcher(second, name="b", max_batch_size=8, max_wait_s=0, queue_size=8, workers=2, slots=slots)
    try:
        held = a.submit(articles[:2], GREEDY)
        _wait_until(lambda: a.running == 2 and slots.free == 0)
        waiting = b.submit(articles[:1], GREEDY)
        time.sleep(0.3)  # nothing to await: the point is that b does not start while a holds both slots
        assert b.running == 0 and b.depth == 1  # queued, not started: no slot
        second.gate.set()
        first.gate.set()
        gather(held + waiting, time.monotonic() + 60, "test")
        assert slots.free == 2

        first.gate.clear()
        second.sizes.clear()
        held = a.submit(articles[:1], GREEDY)
        _wait_until(lambda: a.running == 1 and slots.free == 1)
        rest = b.submit([articles[i % len(articles)] for i in range(6)], GREEDY)
        gather(rest, time.monotonic() + 60, "test")
        assert second.sizes == [6]  # not [3, 3]: b's second worker had no slot to start with
    finally:
        first.gate.set()
        second.gate.set()
        a.stop()
        b.stop()


def test_compute_slots_are_one_per_replica_and_shared_by_both_models(pipeline, settings):
    slots = pipeline.summarizer.batcher.slots
    assert slots is pipeline.translator.batcher.slots
    assert slots.count == settings.engine_replicas() and slots.free == slots.count
    with pytest.raises(ValueError):
        ComputeSlots(0)


@pytest.mark.unit
def test_compute_slots_tell_when_the_engines_went_idle_after_work():
    slots = ComputeSlots(2)
    with slots.held():
        assert not slots.idle_for(0)  # a batch is running
    assert slots.released == 1
    assert slots.idle_for(0)
    assert not slots.idle_for(60)  # a batch ended just now


def test_the_heap_is_trimmed_once_after_a_burst_not_while_idle(tiny_dir):
    """The runtime hands freed batch buffers back once the engines go quiet after work, and does not
    keep trimming an idle process."""
    from api.runtime import Runtime
    from api.schemas import SummarizeRequest
    from tests.conftest import tiny_settings

    runtime = Runtime(
        tiny_settings(tiny_dir, serving__warmup=False, serving__trim_idle_ms=50, serving__cache_size=0)
    ).start(background=False)
    try:
        time.sleep(0.3)
        assert runtime.trims == 0  # loaded, but no work yet
        text = "Pemerintah Indonesia mengumumkan rencana pembangunan jalan baru di Jawa Barat. " * 6
        runtime.require().summarize(SummarizeRequest(text=text, translate=True))
        _wait_until(lambda: runtime.trims == 1)
        time.sleep(0.3)
        assert runtime.trims == 1  # nothing ran since: no second trim
    finally:
        runtime.stop()


def _spaced(batcher, seqs, gap_s, arrivals=None):
    """Submits one sequence at a time, gap_s apart, as a burst of requests reaches the queue."""
    futures = []
    for seq in seqs:
        futures += batcher.submit([seq], GREEDY)
        if arrivals is not None:
            arrivals.append(time.monotonic())
        time.sleep(gap_s)
    return futures


def test_a_burst_arriving_spread_out_is_gathered_whole(summarizer, articles):
    """Eight requests 15 ms apart (each prepared under the GIL before it reaches the queue). Waiting
    only a fixed 10 ms, the first replica starts alone and the rest queue behind it; with a quiet gap,
    the burst is gathered whole and shared out between both replicas, four each. Batches are held at
    the gate until both replicas have one, as a real batch lasts seconds. The quiet gap is 30 times
    the spacing, so only a machine that stalls this thread for half a second could split the burst
    (the arrival times are checked, so such a stall is named, not taken for a batching fault)."""
    engine = summarizer.batcher.engine
    seqs = [articles[i % len(articles)] for i in range(8)]
    for quiet_s, wait_s in ((None, 0.01), (0.5, 10.0)):
        arrivals: list[float] = []
        gated = Gated(engine)
        batcher = Batcher(
            gated, name="t", max_batch_size=8, max_wait_s=wait_s, quiet_s=quiet_s, queue_size=32, workers=2
        )
        try:
            futures = _spaced(batcher, seqs, 0.015, arrivals)
            _wait_until(lambda b=batcher: b.running == 2)
            gated.gate.set()
            results = gather(futures, time.monotonic() + 60, "test")
        finally:
            gated.gate.set()
            batcher.stop()
        assert results == [engine.generate([ids], GREEDY)[0] for ids in seqs]
        if quiet_s is None:
            assert gated.sizes[0] < 4 and len(gated.sizes) > 2  # the fixed wait splits the burst
        else:
            gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
            assert max(gaps) < quiet_s, f"this thread stalled between two arrivals: {max(gaps):.2f} s"
            assert sorted(gated.sizes) == [4, 4]


def test_a_lone_request_waits_the_quiet_gap_not_the_cap(summarizer, articles):
    batcher = Batcher(summarizer.batcher.engine, name="t", max_batch_size=8, max_wait_s=30, quiet_s=0.05, queue_size=8)
    try:
        started = time.monotonic()
        gather(batcher.submit(articles[:1], GREEDY), started + 60, "test")
        assert time.monotonic() - started < 10  # far below the 30 s cap
    finally:
        batcher.stop()


def test_requests_that_never_pause_still_start_by_the_cap(summarizer, articles):
    """Arrivals every 20 ms for about 2 s never leave a 100 ms quiet gap; the oldest's 0.3 s cap
    starts a batch anyway, long before the stream ends."""
    recorder = Gated(summarizer.batcher.engine)
    recorder.gate.set()
    batcher = Batcher(recorder, name="t", max_batch_size=200, max_wait_s=0.3, quiet_s=0.1, queue_size=200)
    try:
        futures = _spaced(batcher, [articles[i % len(articles)] for i in range(100)], 0.02)
        gather(futures, time.monotonic() + 120, "test")
        assert recorder.sizes[0] < 60 and len(recorder.sizes) > 1
    finally:
        batcher.stop()


@pytest.mark.unit
def test_engines_load_one_at_a_time_the_translator_first(monkeypatch):
    """Each load's packing transient must not sit on the other's: never two at once, the larger first,
    the heap trimmed after each."""
    from api import runtime as runtime_module
    from api.config import Settings

    events: list[str] = []
    loading = threading.Semaphore(1)

    def build(settings, role, loaded, prompts, gemm):
        assert loading.acquire(blocking=False), f"{role} started while another engine was loading"
        events.append(role)
        time.sleep(0.05)  # long enough for a concurrent load to overlap
        loading.release()
        return role

    monkeypatch.setattr(runtime_module, "build_engine", build)
    monkeypatch.setattr(runtime_module, "release_freed_heap", lambda: events.append("trim"))
    runtime = runtime_module.Runtime(Settings(models={"engine": "transformers"}))
    engines = runtime._engines({"summarizer": object(), "translator": object()}, prompts=None)
    assert engines == {"translator": "translator", "summarizer": "summarizer"}
    assert events == ["translator", "trim", "summarizer", "trim"]
