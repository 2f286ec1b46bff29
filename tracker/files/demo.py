"""Evidence files for the demonstration: a few genuine documents and a picture."""
import io
import struct
import zlib

from sqlalchemy import inspect
from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.files import services


def minutes_docx(title, lines):
    """Return a Word document: a title and the lines of the minutes."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def list_xlsx(header, rows):
    """Return an Excel workbook of one sheet: a header row and the rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(text):
    """Return a one-page PDF showing a line of (ASCII) text."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def photo_png(width=48, height=32, colour=(178, 34, 34)):
    """Return a small PNG picture of one colour (a stand-in for a meeting photo)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(colour) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def has_files():
    """Tell whether the schema has stored files (older revisions load the demo too)."""
    return inspect(db.session.connection()).has_table("stored_file")


def has_comment_files():
    """Tell whether the schema's files may belong to comments (a later revision)."""
    if not has_files():
        return False
    columns = inspect(db.session.connection()).get_columns("stored_file")
    return any(column["name"] == "comment_id" for column in columns)


def _staged(named):
    uploads = [FileStorage(io.BytesIO(content), name)
               for name, content in named.items()]
    return services.put_in_place(services.stage_uploads(uploads))


def attach_to_comment(comment, user, named):
    """Attach files {name: bytes} to a comment, as posting it with them would."""
    from tracker.comments.services import attach_files

    rows = attach_files(comment, _staged(named), user)
    for row in rows:
        row.created_at = comment.created_at
    return rows


def attach(update, user, named, attached_to="progress", unit_id=None):
    """Attach files {name: bytes} to a history row of a task, as an upload would."""
    rows = services.record_files(update.task, _staged(named), user, attached_to,
                                 update, unit_id=unit_id)
    for row in rows:
        row.created_at = update.created_at
    return rows
