"""Decide what a file is from its bytes, never from its name.

Five formats are accepted, so the check is ours rather than a general library's
(`filetype`, `puremagic`): a signature table of four entries plus a look inside the
zip container is all it takes, it guesses nothing about the hundreds of formats we
refuse anyway, and a library would still leave the .docx/.xlsx question to us (both
are zip files; only their parts tell them apart). The zip is read by its central
directory only: nothing is decompressed, so a zip bomb costs nothing here.
"""
import zipfile
from dataclasses import dataclass

PDF, PNG, JPEG, ZIP = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"
# Microsoft's compound file (old .doc/.xls, and encrypted .docx/.xlsx).
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Windows and other executables, named so that the refusal can say what they are.
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


@dataclass(frozen=True)
class Kind:
    """An accepted kind of file: its extension and the content type it is sent as."""

    extension: str
    content_type: str


KINDS = {
    "pdf": Kind("pdf", "application/pdf"),
    "png": Kind("png", "image/png"),
    "jpg": Kind("jpg", "image/jpeg"),
    "docx": Kind("docx", "application/vnd.openxmlformats-officedocument"
                 ".wordprocessingml.document"),
    "xlsx": Kind("xlsx", "application/vnd.openxmlformats-officedocument"
                 ".spreadsheetml.sheet"),
}
EXTENSIONS = tuple(f".{name}" for name in KINDS)


class NotAccepted(ValueError):
    """Raised for content that is none of the accepted kinds; says why in .reason."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def detect(handle):
    """Return the Kind of the open binary file, or raise NotAccepted with a reason.

    reason is "empty", "executable", "macros", "old_office" or "unknown".
    """
    handle.seek(0)
    head = handle.read(16)
    if not head:
        raise NotAccepted("empty")
    if head.startswith(PDF):
        return KINDS["pdf"]
    if head.startswith(PNG):
        return KINDS["png"]
    if head.startswith(JPEG):
        return KINDS["jpg"]
    if head.startswith(ZIP):
        return _office_kind(handle)
    if head.startswith(OLE):
        raise NotAccepted("old_office")
    if head.startswith(EXECUTABLES):
        raise NotAccepted("executable")
    raise NotAccepted("unknown")


def _office_kind(handle):
    """Tell a .docx from an .xlsx by the parts the zip holds; refuse anything else."""
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise NotAccepted("unknown")
    if "[Content_Types].xml" not in names:
        raise NotAccepted("unknown")
    # Macro-enabled documents (.docm, .xlsm) renamed: refused, they carry code.
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise NotAccepted("macros")
    if "word/document.xml" in names:
        return KINDS["docx"]
    if "xl/workbook.xml" in names:
        return KINDS["xlsx"]
    raise NotAccepted("unknown")
