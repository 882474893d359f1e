# Production image: web (gunicorn), worker and scheduler share it; see docker-compose.yml, whose
# one-shot `migrate` service prepares the database and static files and whose health checks run
# `python manage.py healthcheck` (no curl needed). This CMD suits a single `docker run` (web only).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    OMNI_DATA_DIR=/data OMNI_LIBRARY_DIR=/library OMNI_DOWNLOADS_DIR=/downloads QT_QPA_PLATFORM=offscreen
RUN sed -i 's/^Components: main$/Components: main non-free/' /etc/apt/sources.list.d/debian.sources \
 && apt-get update && apt-get install -y --no-install-recommends calibre unrar unar libarchive-tools \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN python -c "import tomllib;print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/req.txt \
 && pip install --no-cache-dir -r /tmp/req.txt
COPY . .
RUN useradd --uid 1000 --create-home omni && mkdir -p /data /library /downloads && chown omni /data /library /downloads
USER omni
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput -v0 && python manage.py ensure_admin && exec gunicorn omnireadarr.wsgi:application --bind 0.0.0.0:8000 --workers 3 --threads 4 --access-logfile -"]
