"""Archive jobs over HTTP: POST a whole archive, watch it, download its results (NDJSON, CSV or
XLSX), cancel.

Without RINGKAS_REDIS_URL every job route answers 503 naming what to set and start; the rest of
the service is unchanged.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from api.errors import RingkasError, Unavailable
from api.jobs import export
from api.routes import services
from api.routes.body import body_stream, query_options, read_query
from api.routes.declare import Answer, Operation, declare
from api.routes.guard import charge
from api.schemas import JobAccepted, JobRequest, JobStatus, ResultsQuery, SummarizeOptions

bp = Blueprint("jobs", __name__, url_prefix="/v1/jobs")


class JobsNotConfigured(Unavailable):
    """A 503 for a set-up problem, not an outage: no Retry-After, as coming back later would only get
    the same answer until an operator sets RINGKAS_REDIS_URL (an unreachable Redis keeps its own)."""

    def __init__(self, detail: str):
        RingkasError.__init__(self, detail, extra={"setting": "RINGKAS_REDIS_URL"})


def _jobs():
    from api.jobs.service import NO_REDIS

    jobs = services().jobs
    if jobs is None:
        raise JobsNotConfigured(NO_REDIS)
    return jobs


def _owner() -> str:
    """The API key that made a job owns it; with keys off, the service is open and so are its jobs."""
    return g.client if services().keys.enabled else "public"


JOB_ID = (("job_id", "The id from the job's 202 answer."),)
STATUS = Answer(JobStatus)


@bp.post("")
@declare(
    Operation(
        id="createJob",
        summary="Summarize an archive",
        tag="jobs",
        description="Up to {settings.jobs.max_items} items as JSON (`items` and `defaults`), NDJSON (one item per "
        "line) or CSV (columns id, text or html, options); for NDJSON and CSV the defaults go in the "
        "query string. Whole-job problems (a malformed line, an invalid item, duplicate ids, too many "
        "items, a key's job quotas) are the request's error; what only summarizing an item can tell "
        "(too short, not Indonesian) becomes its result.",
        answer=Answer(
            JobAccepted,
            status=202,
            description="Queued: poll the Location (the job's status) and download its results.",
            headers=(("Location", "The job's status URL."),),
        ),
        body=JobRequest,
        raw=("application/x-ndjson", "text/csv"),
        raw_limit="jobs.max_bytes",
        example=lambda text: {"items": [{"id": "a1", "text": text}], "defaults": {"translate": True}},
        query=SummarizeOptions,
        problems=(400, 413, 415, 422, 429, 503, 507),
        scope="jobs",
    )
)
def submit():
    from api.jobs.intake import read_job

    current = services()
    jobs = _jobs()
    defaults = query_options()
    job = read_job(
        body_stream(),
        request.mimetype,
        request.mimetype_params.get("charset"),
        defaults,
        current.settings.jobs.max_items,
        current.settings.digest.max_articles,
    )
    g.text_chars = job.chars
    jobs.check_quotas(_owner(), job)  # a job the key's quotas refuse costs none of its characters
    charge("characters", job.chars)
    facts = jobs.submit(_owner(), job)
    body = JobAccepted(id=facts.id, status=facts.status, total=facts.total, links=jobs.links(facts.id))
    response = jsonify(body.model_dump(mode="json"))
    response.status_code = 202
    response.headers["Location"] = body.links.self
    return response


@bp.get("/<job_id>")
@declare(
    Operation(
        id="getJob",
        summary="A job's progress",
        tag="jobs",
        description="Counts, rate, ETA and live workers.",
        answer=STATUS,
        path=JOB_ID,
        problems=(404, 422, 429, 503),
        scope="jobs",
    )
)
def status(job_id: str):
    jobs = _jobs()
    return _status_of(jobs, jobs.get(_owner(), job_id))


@bp.get("/<job_id>/results")
@declare(
    Operation(
        id="getJobResults",
        summary="A job's results (NDJSON, CSV or XLSX)",
        tag="jobs",
        description="Finished items in item order, from index `since`; unfinished items are absent.",
        answer=Answer(
            media=tuple(export.FORMATS.values()),
            description="One JSON object per finished item (JobResultLine), in item order. "
            "Ringkas-Next-Since is the first index still missing: resume there while the job runs. "
            "With format=csv or xlsx (or that Accept), the same rows as a spreadsheet.",
            headers=(
                ("Ringkas-Next-Since", "The first item index not yet finished."),
                ("Ringkas-Job-Status", "queued, running, done or cancelled."),
            ),
        ),
        path=JOB_ID,
        query=ResultsQuery,
        problems=(404, 422, 429, 503),
        scope="jobs",
    )
)
def results(job_id: str):
    options = read_query(ResultsQuery)
    jobs = _jobs()
    facts = jobs.get(_owner(), job_id)
    fmt = options.format or _negotiated()
    delimiter = export.DELIMITERS[options.delimiter or facts.delimiter or ","]
    lines, resume = jobs.results(facts, options.since)
    if fmt == "csv":
        body = export.csv_stream(lines, delimiter)
    elif fmt == "xlsx":
        body = export.file_chunks(export.xlsx_file(lines))
    else:
        body = (line + "\n" for line in lines)
    response = Response(stream_with_context(body), mimetype=export.FORMATS[fmt])
    if fmt != "ndjson":
        response.headers["Content-Disposition"] = f'attachment; filename="{facts.id}-results.{fmt}"'
    # Where a client polling a running job resumes without skipping an unfinished item.
    response.headers["Ringkas-Next-Since"] = str(resume)
    response.headers["Ringkas-Job-Status"] = facts.status
    response.vary.add("Accept")
    return response


def _negotiated() -> str:
    """From Accept: NDJSON unless the client prefers CSV or XLSX."""
    best = request.accept_mimetypes.best_match(list(export.FORMATS.values()), default=export.NDJSON_TYPE)
    return next(name for name, mimetype in export.FORMATS.items() if mimetype == best)


@bp.delete("/<job_id>")
@declare(
    Operation(
        id="cancelJob",
        summary="Cancel a job",
        tag="jobs",
        description="What has not started is skipped; finished results stay.",
        answer=STATUS,
        path=JOB_ID,
        problems=(404, 422, 429, 503),
        scope="jobs",
    )
)
def cancel(job_id: str):
    jobs = _jobs()
    return _status_of(jobs, jobs.cancel(_owner(), job_id))


def _status_of(jobs, facts):
    return jsonify(jobs.view(facts).model_dump(mode="json"))
