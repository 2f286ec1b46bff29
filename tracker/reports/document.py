"""The briefing report as a Word document laid out as a Party document.

Layout from Hướng dẫn 36-HD/VPTW (2018): A4, Times New Roman, margins 20/20/30/15 mm,
page numbers centred in the top margin from page 2; a borderless two-column header;
"BÁO CÁO", its summary line and "-----"; a justified 14 pt body; "Nơi nhận:" and the
signature block. The content comes ready-made from services.build_report.
"""
from copy import deepcopy
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
FIRST_LINE_INDENT = Cm(1.27)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = dict(top=Mm(20), bottom=Mm(20), left=Mm(30), right=Mm(15))
HEADER_COLUMNS = (Mm(72), Mm(93))
SIGNATURE_COLUMNS = (Mm(85), Mm(80))
UNIT_TABLE_COLUMNS = (Mm(11), Mm(50), Mm(15), Mm(16), Mm(19), Mm(19), Mm(19), Mm(16))


def _set_fonts(element):
    """Name Times New Roman for every script on an rPr element, dropping theme fonts."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element.insert(0, fonts)
    for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{name}"), None)
    for name in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{name}"), FONT)


def _setup_styles(document):
    """Make Times New Roman 14, Vietnamese, the document's default text."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _set_fonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_style = document.styles["Table Grid"]
    table_style.font.name = FONT


def _setup_page(document):
    """A4 portrait, the Party margins, page numbers from page 2."""
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(paragraph)


def _page_field(paragraph):
    """Append a PAGE field (the current page number) to the paragraph."""
    run = paragraph.add_run()
    run.font.size = BODY_SIZE
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "2"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, shown, end):
        run._r.append(element)


# Word refuses a file whose property elements are out of the schema's order, so new
# elements go in before the ones that must follow them.
TBL_BORDERS_SUCCESSORS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
    "w:tblDescription", "w:tblPrChange",
)
P_BDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)


def _no_borders(table):
    """Remove every border of a table (the header and signature are borderless)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, *TBL_BORDERS_SUCCESSORS)


def _fixed_widths(table, widths, rows=None):
    """Give the table fixed column widths that Word and LibreOffice both respect
    (to its cells in the given rows only, when given)."""
    table.autofit = False  # python-docx writes <w:tblLayout w:type="fixed"/>
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows if rows is None else rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _write(paragraph, text, size=BODY_SIZE, bold=False, italic=False, underline=False):
    """Add a run of text in a look (size, bold, italic, underline) to the paragraph.

    A report has thousands of runs in a few looks: each look's run is built once
    through python-docx and copied (building each run through it took most of the
    time of a province's report), its text put in the copy's <w:t> as add_run's
    add_t would. Text with tabs or line breaks goes through add_run(text), which
    writes those as elements of their own, and gets a copy of the look's <w:rPr>.
    """
    key = (size, bold, italic, underline)
    look = RUN_LOOKS.get(key)
    if look is None:
        run = Run(OxmlElement("w:r"), paragraph)
        run.font.size = size
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        run._r.append(OxmlElement("w:t"))
        look = RUN_LOOKS[key] = run._r
    if text and not any(char in text for char in "\t\n\r"):
        r = deepcopy(look)
        t = r[-1]
        t.text = text
        if len(text.strip()) < len(text):
            t.set(qn("xml:space"), "preserve")
        paragraph._p.append(r)
    else:
        run = paragraph.add_run(text)
        run._r.insert(0, deepcopy(look.rPr))


RUN_LOOKS = {}  # (size, bold, italic, underline): a <w:r> of that look, its <w:t> empty


def _line(cell_or_doc, text, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
          first=False, **style):
    """Add a one-line paragraph (to a cell, reusing its first empty paragraph)."""
    if first:
        paragraph = cell_or_doc.paragraphs[0]
    else:
        paragraph = cell_or_doc.add_paragraph()
    paragraph.alignment = align
    if text:
        _write(paragraph, text, size=size, **style)
    return paragraph


def _rule_beneath(paragraph, indent=Mm(4)):
    """Rule a line under "ĐẢNG CỘNG SẢN VIỆT NAM", about as long as the words."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    borders.append(bottom)
    p_pr.insert_element_before(borders, *P_BDR_SUCCESSORS)
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent


def _header(document, report):
    """Add the two-column header: the issuing body left, the Party's name right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _fixed_widths(table, HEADER_COLUMNS)
    left, right = table.rows[0].cells
    _line(left, report.superior_body, first=True)
    _line(left, report.issuing_body, bold=True)
    _line(left, "*")
    _line(left, report.number_line)
    party = _line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", size=Pt(15), bold=True, first=True)
    _rule_beneath(party)
    _line(right, "")
    _line(right, "")
    _line(right, report.date_line, italic=True)


def _title(document, report):
    """"BÁO CÁO", the summary line in bold, and the dashes under it."""
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)
    title = _line(document, report.title, size=Pt(16), bold=True)
    title.paragraph_format.space_before = Pt(6)
    _line(document, report.summary_line, bold=True)
    dashes = _line(document, "-----")
    dashes.paragraph_format.space_after = Pt(12)


def _body_paragraph(document, text, bold=False, italic=False, heading=False):
    """A justified body paragraph with the first line indented."""
    p_pr = BODY_LOOKS.get(heading)
    body = document.element.body
    if p_pr is None or body[-1].tag != SECT_PR:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = FIRST_LINE_INDENT
        fmt.space_after = Pt(6)
        if heading:
            fmt.keep_with_next = True
        BODY_LOOKS[heading] = deepcopy(paragraph._p.pPr)
    else:
        # python-docx's add_paragraph finds the section properties, the body's last
        # element, by a search from the first: over a province's thousands of
        # paragraphs, a tenth of the report's time. They are the last child here.
        p = OxmlElement("w:p")
        p.append(deepcopy(p_pr))
        body[-1].addprevious(p)
        paragraph = Paragraph(p, document._body)
    _write(paragraph, text, bold=bold, italic=italic)
    return paragraph


BODY_LOOKS = {}  # heading or not: the <w:pPr> element of a body paragraph
SECT_PR = qn("w:sectPr")


def _unit_table(document, rows):
    """The per-unit results table, with borders, in 12 pt."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header.append(repeat)
    # A province's table has some 2,400 cells. Through python-docx each cost a
    # row.cells (which works out merged cells; these have none), a width and an
    # alignment property: a third of the report's time. So the first row's widths
    # are set through python-docx and each later cell copies its column's; each
    # paragraph look (a unit's name, left; the rest centred) is built once, then
    # copied.
    _fixed_widths(table, UNIT_TABLE_COLUMNS, rows=table.rows[:1])
    trs = table._tbl.tr_lst
    widths = [tc.tcPr for tc in trs[0].tc_lst]
    looks = {}
    for row_index, (tr, values) in enumerate(zip(trs, rows)):
        for col_index, (tc, value) in enumerate(zip(tr.tc_lst, values)):
            left = col_index == 1 and row_index > 0
            if row_index:
                tc.replace(tc.tcPr, deepcopy(widths[col_index]))
            look = looks.get(left)
            paragraph = Paragraph(tc.p_lst[0], table)
            if look is None:
                paragraph.alignment = (WD_ALIGN_PARAGRAPH.LEFT if left
                                       else WD_ALIGN_PARAGRAPH.CENTER)
                looks[left] = deepcopy(paragraph._p.pPr)
            else:
                paragraph._p.insert(0, deepcopy(look))
            _write(paragraph, value, size=Pt(12), bold=row_index == 0)
    document.add_paragraph().paragraph_format.space_after = Pt(6)


def _sections(document, report):
    if report.lead_in:
        _body_paragraph(document, report.lead_in)
    for section in report.sections:
        _body_paragraph(document, section.title, bold=True, heading=True)
        for block in section.blocks:
            if block.kind == "heading":
                _body_paragraph(document, block.text, bold=True, heading=True)
            elif block.kind == "item":
                _body_paragraph(document, f"- {block.text}")
            elif block.kind == "table":
                _unit_table(document, block.rows)
            else:
                # A paragraph that introduces what follows stays with it.
                _body_paragraph(document, block.text, heading=block.text.endswith(":"))


def _signature(document, report):
    """"Nơi nhận:" with its lines on the left, the signer on the right."""
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _fixed_widths(table, SIGNATURE_COLUMNS)
    left, right = table.rows[0].cells
    _line(left, "Nơi nhận:", align=WD_ALIGN_PARAGRAPH.LEFT, first=True, underline=True)
    for line in report.recipients:
        _line(left, line, size=Pt(12), align=WD_ALIGN_PARAGRAPH.LEFT)
    first = True
    for title in report.signature_titles:
        _line(right, title, bold=True, first=first)
        first = False
    for _ in range(4):
        _line(right, "")
    _line(right, report.signer_name, bold=True)
    # Word wants a paragraph, not a table, to end the body.
    document.add_paragraph()


DRAFT_MARK = "DỰ THẢO"


def _draft_mark(document):
    """Head a report that still lacks a part with "DỰ THẢO", boxed, at the right."""
    paragraph = _line(document, DRAFT_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "6")
        element.set(qn("w:space"), "1")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    p_pr.insert_element_before(borders, *P_BDR_SUCCESSORS)
    paragraph.paragraph_format.left_indent = Mm(130)
    paragraph.paragraph_format.space_after = Pt(6)


def render(report):
    """Return the report as the bytes of a .docx file (a draft while parts lack)."""
    document = Document()
    _setup_styles(document)
    _setup_page(document)
    props = document.core_properties
    props.title = f"{report.title} {report.summary_line}"
    if report.is_draft:
        props.title = f"{DRAFT_MARK}: {props.title}"
    props.author = report.issuing_body
    props.language = "vi-VN"
    # The template's empty first paragraph would push the header down a line.
    body = document.element.body
    for paragraph in list(document.paragraphs):
        body.remove(paragraph._p)
    if report.is_draft:
        _draft_mark(document)
    _header(document, report)
    _title(document, report)
    _sections(document, report)
    _signature(document, report)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
