# Ringkas: gunicorn image, CPU only.
#   docker build -t ringkas .                                  (models mounted at /models at run time)
#   docker build --build-arg BAKE_MODELS=1 -t ringkas:baked .  (models fetched into the image)
FROM python:3.11-slim

# The CPU build of torch: PyPI's default wheel for Linux is the multi-GB CUDA one.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG BAKE_MODELS=0
ARG RINGKAS_SUMMARIZER_MODEL=csebuetnlp/mT5_multilingual_XLSum
ARG RINGKAS_TRANSLATOR_MODEL=facebook/nllb-200-distilled-600M
ARG RINGKAS_SUMMARIZER_REVISION=
ARG RINGKAS_TRANSLATOR_REVISION=

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MALLOC_ARENA_MAX=2 \
    HF_HOME=/models \
    RINGKAS_CT2_DIR=/models/ringkas-ct2 \
    RINGKAS_PROMPTS_DIR=/app/prompts \
    RINGKAS_SUMMARIZER_MODEL=${RINGKAS_SUMMARIZER_MODEL} \
    RINGKAS_TRANSLATOR_MODEL=${RINGKAS_TRANSLATOR_MODEL} \
    RINGKAS_SUMMARIZER_REVISION=${RINGKAS_SUMMARIZER_REVISION} \
    RINGKAS_TRANSLATOR_REVISION=${RINGKAS_TRANSLATOR_REVISION}

RUN useradd --create-home --uid 10001 ringkas && mkdir -p /models /app && chown ringkas /models
WORKDIR /app

# Dependencies first, so code changes do not reinstall torch.
RUN pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0
COPY pyproject.toml README.md ./
COPY api ./api
RUN pip install . && pip check
COPY prompts ./prompts
COPY seeds ./seeds
COPY gunicorn.conf.py ./

USER ringkas
# Fetch and convert once at build time; without it, the first start converts into the mounted /models.
RUN if [ "${BAKE_MODELS}" = "1" ]; then ringkas fetch-models; fi
# A baked image never needs the network for models; a mounted cache should not either.
ENV HF_HUB_OFFLINE=1

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["gunicorn", "-c", "python:api.gunicorn_config"]
