# Ringkas: gunicorn image, CPU only. Models live in the /models volume (see the README: Docker).
#   docker build -t ringkas .
#   docker build --build-arg BAKE_MODELS=1 -t ringkas:baked .   (models fetched and converted into the image)
# Without a Docker daemon: buildah build --format docker (the OCI format drops HEALTHCHECK); CI does
# exactly that (tests/test_image.py).

# --- build: a virtualenv with torch, the dependencies and Ringkas --------------------------------
FROM python:3.11-slim AS build
# PyPI's torch for Linux is the multi-GB CUDA build; PyTorch's own CPU index has the CPU one.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/ringkas/bin:$PATH
RUN python -m venv /opt/ringkas
# Layers from the slowest-changing down: torch, then the dependencies, then the code, so a code
# change reinstalls neither. Both come from lock files with every file's hash (deploy/lock.sh writes
# them from pyproject.toml): an image built from one commit installs the same files, and a file that
# changed on an index fails the build instead of entering the image.
COPY deploy/requirements-torch.lock deploy/requirements.lock /src/deploy/
RUN pip install --no-deps --require-hashes --index-url "${TORCH_INDEX_URL}" -r /src/deploy/requirements-torch.lock
# A C compiler for the one native piece (api/engines/native/mkl_cpu.c: MKL's fast kernels on AMD
# CPUs with AVX-512 VNNI). It stays in this stage; only the built library moves on.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-deps --require-hashes -r /src/deploy/requirements.lock
COPY pyproject.toml /src/
COPY README.md /src/
COPY api /src/api
COPY prompts /src/prompts
COPY seeds /src/seeds
# A wheel build in /src: its build/ and egg-info stay in this stage, only the venv moves on.
RUN pip install --no-deps /src && pip check \
    && python -c "from api.engines.gemm import shim_path; assert shim_path(), 'api/engines/native/mkl_cpu.c was not built'"

# --- runtime -------------------------------------------------------------------------------------
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 ringkas && mkdir /models && chown ringkas:ringkas /models
COPY --from=build /opt/ringkas /opt/ringkas

ENV PATH=/opt/ringkas/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=1 \
    HF_HOME=/models \
    RINGKAS_MODELS__CONVERTED_DIR=/models/ringkas-ct2

# Declared after the dependency layers: changing a model reinstalls nothing.
ARG BAKE_MODELS=0
ARG RINGKAS_SUMMARIZER__MODEL= \
    RINGKAS_TRANSLATOR__MODEL= \
    RINGKAS_SUMMARIZER__REVISION= \
    RINGKAS_TRANSLATOR__REVISION=
# The previous release's build-arg names, taken for this release; a new name given wins.
ARG RINGKAS_SUMMARIZER_MODEL= \
    RINGKAS_TRANSLATOR_MODEL= \
    RINGKAS_SUMMARIZER_REVISION= \
    RINGKAS_TRANSLATOR_REVISION=
ENV RINGKAS_SUMMARIZER__MODEL=${RINGKAS_SUMMARIZER__MODEL:-${RINGKAS_SUMMARIZER_MODEL:-csebuetnlp/mT5_multilingual_XLSum}} \
    RINGKAS_TRANSLATOR__MODEL=${RINGKAS_TRANSLATOR__MODEL:-${RINGKAS_TRANSLATOR_MODEL:-facebook/nllb-200-distilled-600M}} \
    RINGKAS_SUMMARIZER__REVISION=${RINGKAS_SUMMARIZER__REVISION:-${RINGKAS_SUMMARIZER_REVISION}} \
    RINGKAS_TRANSLATOR__REVISION=${RINGKAS_TRANSLATOR__REVISION:-${RINGKAS_TRANSLATOR_REVISION}}

USER ringkas
WORKDIR /home/ringkas
# Fetch and convert once at build time; without it, the first start converts into the mounted /models.
RUN if [ "${BAKE_MODELS}" = "1" ]; then ringkas fetch-models; fi
# A baked image never needs the network for models; a mounted cache should not either.
ENV HF_HUB_OFFLINE=1
# A container's port is published, so it listens on every interface: `ringkas serve` then refuses to
# start without API keys and a metrics token (or RINGKAS_ALLOW_OPEN=true), and expects a proxy in
# front (compose.yaml runs nginx with deploy/nginx/ringkas.conf).
ENV RINGKAS_HOST=0.0.0.0

EXPOSE 8000
# Healthy while the models load and once ready; unhealthy when they failed to load (an unwritable
# or empty /models: /readyz would stay 503 forever) or nothing answers. See `ringkas healthcheck`; a
# worker container checks its heartbeat instead: `ringkas healthcheck --worker` (compose.yaml).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["ringkas", "healthcheck"]
STOPSIGNAL SIGTERM
# `ringkas serve` checks the models, then becomes gunicorn (exec: it gets the signals). Other commands
# work the same way: `docker run ringkas serve --demo`, `docker run -v ... ringkas fetch-models`.
ENTRYPOINT ["ringkas"]
CMD ["serve"]
