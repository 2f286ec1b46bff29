"""Small genuine files of each accepted kind, and impostors, for the files tests."""
import io
import struct
import zipfile
import zlib


def pdf(text="Biên bản họp"):
    """Return a minimal PDF document."""
    body = text.encode("utf-8")
    return (b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n% " + body
            + b"\ntrailer <</Root 1 0 R>>\n%%EOF\n")


def png():
    """Return a 1×1 PNG image."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpg():
    """Return the start of a JPEG image (what the check reads)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" \
        + b"\x00" * 64 + b"\xff\xd9"


def docx():
    """Return a Word document made by python-docx."""
    from docx import Document

    document = Document()
    document.add_paragraph("Biên bản hội nghị đối thoại")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx():
    """Return an Excel workbook made by openpyxl."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "Danh sách đại biểu"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exe():
    """Return the start of a Windows program."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def zip_of(names):
    """Return a zip holding empty parts of these names."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def attach(task, user, name="bien-ban.pdf", content=None, attached_to="progress"):
    """Attach a file to the task through the files services (flushes, no commit)."""
    from werkzeug.datastructures import FileStorage

    from tracker.files import services

    upload = FileStorage(io.BytesIO(content if content is not None else pdf()), name)
    staged = services.put_in_place(services.stage_uploads([upload]))
    return services.record_files(task, staged, user, attached_to)[0]
