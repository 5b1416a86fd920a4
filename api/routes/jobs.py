"""Archive jobs over HTTP: POST a whole archive, watch it, download its results (NDJSON, CSV or
XLSX), cancel.

Without RINGKAS_REDIS_URL every job route answers 503 naming what to set and start; the rest of
the service is unchanged.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from api.errors import Unavailable, ValidationFailed
from api.routes import services
from api.routes.body import body_stream, query_options, reject_unknown_query
from api.routes.guard import charge
from api.schemas import JobAccepted, SummarizeRequest

bp = Blueprint("jobs", __name__, url_prefix="/v1/jobs")


def _jobs():
    from api.jobs.service import NO_REDIS

    jobs = services().jobs
    if jobs is None:
        raise Unavailable(NO_REDIS, retry_after=3600, extra={"setting": "RINGKAS_REDIS_URL"})
    return jobs


def _owner() -> str:
    """The API key that made a job owns it; with keys off, the service is open and so are its jobs."""
    return g.client if services().keys.enabled else "public"


@bp.post("")
def submit():
    from api.jobs.intake import read_job

    current = services()
    jobs = _jobs()
    defaults = query_options(SummarizeRequest, "text")
    job = read_job(
        body_stream(),
        request.mimetype,
        request.mimetype_params.get("charset"),
        defaults,
        current.settings.max_job_items,
    )
    g.text_chars = job.chars
    charge("characters", job.chars)
    facts = jobs.submit(_owner(), job)
    body = JobAccepted(id=facts.id, status=facts.status, total=facts.total, links=jobs.links(facts.id))
    response = jsonify(body.model_dump(mode="json"))
    response.status_code = 202
    response.headers["Location"] = body.links.self
    return response


@bp.get("/<job_id>")
def status(job_id: str):
    reject_unknown_query([])
    jobs = _jobs()
    return _status_of(jobs, jobs.get(_owner(), job_id))


@bp.get("/<job_id>/results")
def results(job_id: str):
    from api.jobs import export

    reject_unknown_query(["since", "format", "delimiter"])
    jobs = _jobs()
    facts = jobs.get(_owner(), job_id)
    raw = request.args.get("since", "0")
    if not raw.isdigit():
        message = "since must be a whole number: the first item index to return"
        raise ValidationFailed.at(["query", "since"], message, "int_parsing")
    fmt = request.args.get("format") or _negotiated(export)
    if fmt not in export.FORMATS:
        raise ValidationFailed.at(["query", "format"], f"format must be one of {', '.join(export.FORMATS)}")
    delimiter = export.DELIMITERS.get(request.args.get("delimiter", ","))
    if delimiter is None:
        raise ValidationFailed.at(["query", "delimiter"], "delimiter must be ',', ';' or 'tab'")
    lines, resume = jobs.results(facts, int(raw))
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


def _negotiated(export) -> str:
    """From Accept: NDJSON unless the client prefers CSV or XLSX."""
    best = request.accept_mimetypes.best_match(list(export.FORMATS.values()), default=export.NDJSON_TYPE)
    return next(name for name, mimetype in export.FORMATS.items() if mimetype == best)


@bp.delete("/<job_id>")
def cancel(job_id: str):
    reject_unknown_query([])
    jobs = _jobs()
    return _status_of(jobs, jobs.cancel(_owner(), job_id))


def _status_of(jobs, facts):
    return jsonify(jobs.view(facts).model_dump(mode="json"))
