"""Archive jobs over HTTP: POST a whole archive, watch it, download its results as NDJSON, cancel.

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
    reject_unknown_query(["since"])
    jobs = _jobs()
    facts = jobs.get(_owner(), job_id)
    raw = request.args.get("since", "0")
    if not raw.isdigit():
        message = "since must be a whole number: the first item index to return"
        raise ValidationFailed(
            message, extra={"errors": [{"loc": ["query", "since"], "msg": message, "type": "int_parsing"}]}
        )
    lines, resume = jobs.results(facts, int(raw))

    def stream():
        for line in lines:
            yield line + "\n"

    response = Response(stream_with_context(stream()), mimetype="application/x-ndjson")
    # Where a client polling a running job resumes without skipping an unfinished item.
    response.headers["Ringkas-Next-Since"] = str(resume)
    response.headers["Ringkas-Job-Status"] = facts.status
    return response


@bp.delete("/<job_id>")
def cancel(job_id: str):
    reject_unknown_query([])
    jobs = _jobs()
    return _status_of(jobs, jobs.cancel(_owner(), job_id))


def _status_of(jobs, facts):
    return jsonify(jobs.view(facts).model_dump(mode="json"))
