# The crm-backup image: one image for the API, the workers, the scheduler and migrations.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --create-home --uid 10001 --user-group crm \
    && mkdir -p /app /data/backups \
    && chown crm:crm /app /data/backups

# Only the project's own sources: no local .venv, var/ or caches end up in the image.
COPY pyproject.toml README.md /src/
COPY models /src/models
COPY schema /src/schema
COPY resolvers /src/resolvers
COPY services /src/services
COPY workers /src/workers
COPY server /src/server
RUN pip install "/src[tracing]" && rm -rf /src

WORKDIR /app
USER crm

# Listen on all interfaces: inside a container, 127.0.0.1 is unreachable from outside.
ENV HOST=0.0.0.0 \
    PORT=8000 \
    STORAGE_DIR=/data/backups
EXPOSE 8000

# /health/ready answers 200 only while the database, Redis and the storage answer; urllib
# raises on anything else.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/ready', timeout=4)"]

CMD ["crm-backup", "serve"]
