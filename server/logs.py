"""One log format for the whole process, uvicorn's and Dramatiq's loggers included: JSON
lines (one object per line, for log collectors) or plain text (for a terminal)."""

import json
import logging
from datetime import UTC, datetime
from typing import Literal

from services.core import log_context

LogFormat = Literal["json", "plain"]

PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
