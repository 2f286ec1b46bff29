"""Forms of the files feature."""
from tracker.forms import Form


class RemoveFileForm(Form):
    """Remove a file: no fields, the form gives the action its CSRF protection."""
