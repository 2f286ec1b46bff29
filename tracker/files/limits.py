"""How large a request may be: larger on the addresses that take evidence files."""
from flask import Request, current_app
from flask_babel import gettext as _

# The forms that carry files: the progress report, the unit's share report, and a
# comment (posted or corrected).
UPLOAD_ENDPOINTS = frozenset({"tasks.report", "tasks.report_share",
                              "comments.create", "comments.edit"})
# Room for the form's own fields and the multipart framing around the files.
FORM_ROOM = 1024 * 1024


def upload_request_limit(app):
    """Return the largest request an upload form may send, in bytes."""
    per_file = int(app.config.get("MAX_FILE_MB") or 20) * 1024 * 1024
    count = int(app.config.get("MAX_FILES_PER_UPLOAD") or 1)
    return per_file * count + FORM_ROOM


class TrackerRequest(Request):
    """A request that allows the upload forms all their files, and others less.

    Decided by the matched address before anything reads the body (the CSRF check
    reads it before any view runs), so no view has to remember to raise the limit.
    """

    @property
    def max_content_length(self):
        """Return the size limit of this request's body."""
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app and self.endpoint in UPLOAD_ENDPOINTS:
            return upload_request_limit(current_app)
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value):
        self._max_content_length = value


def too_large_detail(endpoint):
    """Return what the error page says of a body too large for an upload form."""
    if endpoint not in UPLOAD_ENDPOINTS:
        return None
    return _("The files are too large together: at most %(size)d MB each and "
             "%(total)d MB in one report. Nothing was saved.",
             size=int(current_app.config.get("MAX_FILE_MB") or 20),
             total=upload_request_limit(current_app) // (1024 * 1024))
