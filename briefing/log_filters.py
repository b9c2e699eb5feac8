"""Logging filters named in settings.LOGGING."""

import logging


class OneLineWarning(logging.Filter):
    """Log the record as one warning line: what a hostile request did, not where Django noticed.

    Django logs a refused Host header as an error with the traceback of the middleware that
    noticed it: dozens of lines per request, an easy way to flood the logs.
    """

    def filter(self, record):
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno = logging.WARNING
            record.levelname = logging.getLevelName(logging.WARNING)
        return True
