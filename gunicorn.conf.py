# gunicorn reads this file from the working directory (the image's /app, docker-compose's web service).
# Access log lines leave without calendar-feed or password-reset tokens (collab/lib/gunicorn_logging.py).
logger_class = "collab.lib.gunicorn_logging.RedactingLogger"
