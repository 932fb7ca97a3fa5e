"""One log format for the whole process, uvicorn's and Dramatiq's loggers included: JSON
lines (one object per line, for log collectors) or plain text (for a terminal)."""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Literal

from services.core import log_context

LogFormat = Literal["json", "plain"]

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# A download's signed token is its credential for as long as the link lives: it stays out of logs.
DOWNLOAD_TOKEN = re.compile(r"(/downloads/[\w-]+/)[^/?\s]+")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **log_context.fields(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(PLAIN)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = log_context.fields()
        if not fields:
            return text
        about = " ".join(f"{name}={value}" for name, value in fields.items())
        head, newline, rest = text.partition("\n")
        return f"{head} [{about}]{newline}{rest}"


FORMATTERS: dict[LogFormat, type[logging.Formatter]] = {
    "json": JsonFormatter,
    "plain": PlainFormatter,
}


class HideDownloadTokens(logging.Filter):
    """Masks the token in the path of uvicorn's access lines (its third argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 2:
            path = str(record.args[2])
            masked = DOWNLOAD_TOKEN.sub(r"\1…", path)
            record.args = (*record.args[:2], masked, *record.args[3:])
        return True


# One instance, so that configuring twice adds it once.
HIDE_DOWNLOAD_TOKENS = HideDownloadTokens()


def configure(log_format: LogFormat, level: int = logging.INFO) -> None:
    """Every record to standard error in `log_format`. uvicorn's loggers lose the handlers of
    their own and pass their records up to this one (serve gives uvicorn no log config)."""
    handler = logging.StreamHandler()
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    for existing in root.handlers[:]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").addFilter(HIDE_DOWNLOAD_TOKENS)
