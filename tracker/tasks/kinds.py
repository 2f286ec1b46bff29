"""The kinds of work a board's quarter holds: one table for every place that names them.

A kind's label (English here, Vietnamese in the catalog), the fields of its own, the
area of the briefing report's section II it is reported under and how its result is
phrased there all live in KIND_TABLE; forms, board filters, the import, the exports and
the report read it. A new kind is one entry here plus its translation. The date an
event was held belongs to every kind, not to a kind's own fields.

The report's headings and phrases are the Party document's Vietnamese content, not
interface text, so they stay out of the translation catalogs; a heading says the words
of the Vietnamese labels of the kinds it holds, so that a kind reads the same on the
pages, in the exports and in the report.
"""
from dataclasses import dataclass

from tracker.i18n import lazy as _l

# Section II of the briefing report, in the order of the usual outline: (key, heading).
# "skilful" has no kind of its own: it holds the "Dân vận khéo" movements.
AREAS = (
    ("advisory", "Công tác tham mưu"),
    ("propaganda", "Công tác tuyên truyền, quán triệt nghị quyết"),
    ("monitoring", "Công tác nắm tình hình nhân dân"),
    ("dialogue", "Công tác tiếp xúc, đối thoại với nhân dân và thực hiện Quy chế dân "
                 "chủ ở cơ sở"),
    ("mobilisation", "Công tác vận động nhân dân"),
    ("mass_orgs", "Công tác Mặt trận và các đoàn thể chính trị - xã hội: đại hội, "
                  "phong trào thi đua, cuộc vận động"),
    ("skilful", "Phong trào thi đua “Dân vận khéo”"),
    ("welfare", "Công tác an sinh xã hội, hỗ trợ hộ nghèo"),
    ("ethnic_religious", "Công tác dân tộc, tôn giáo"),
    ("security", "Công tác dân vận trong lực lượng vũ trang, quốc phòng - an ninh"),
    ("meetings", "Công tác hội nghị, giao ban, trực báo, sơ kết, tổng kết"),
    ("contest", "Tổ chức hội thi, cuộc thi, phát hành ấn phẩm"),
    ("inspection", "Công tác kiểm tra, giám sát"),
    ("training", "Công tác mở lớp tập huấn, bồi dưỡng nghiệp vụ"),
    ("other", "Các nhiệm vụ khác"),
)
AREA_HEADINGS = dict(AREAS)


@dataclass(frozen=True)
class Kind:
    """One kind of work: its label, own fields, report area and result phrasing."""

    code: str
    label: object  # a lazy string: the English label, Vietnamese in the catalog
    area: str
    fields: tuple = ()
    # The report's words for the work reported done ("đã tổ chức"), and for work
    # that goes on without an end ("thực hiện thường xuyên").
    done_phrase: str = "đã hoàn thành"
    ongoing_phrase: str = "thực hiện thường xuyên"
    # Vietnamese labels the kind had before: files exported then still import.
    former_labels: tuple = ()


KIND_TABLE = (
    Kind("movement", _l("Movement / campaign"), "mass_orgs",
         ("campaign_name",)),
    Kind("congress", _l("Congress"), "mass_orgs",
         ("organisation", "congress_ordinal", "term_start", "term_end", "delegates")),
    Kind("training", _l("Training course"), "training",
         ("audience", "sessions", "trainees_planned", "trainees_attended")),
    Kind("dialogue", _l("Citizen dialogue"), "dialogue",
         ("chair", "commune", "participants")),
    Kind("advisory", _l("Advisory work"), "advisory"),
    Kind("monitoring", _l("Monitoring"), "monitoring"),
    Kind("democracy", _l("Grassroots democracy"), "dialogue"),
    Kind("mobilisation", _l("Mass mobilisation"), "mobilisation",
         former_labels=("Công tác vận động quần chúng",)),
    Kind("inspection", _l("Inspection and supervision"), "inspection"),
    Kind("propaganda", _l("Propaganda and study of resolutions"), "propaganda",
         done_phrase="đã triển khai", ongoing_phrase="thường xuyên tuyên truyền"),
    Kind("meeting", _l("Meeting, briefing"), "meetings", done_phrase="đã tổ chức"),
    Kind("review", _l("Review (interim or final)"), "meetings",
         done_phrase="đã tổ chức"),
    Kind("contest", _l("Contest, competition, publication"), "contest",
         done_phrase="đã tổ chức"),
    Kind("welfare", _l("Social welfare, help for poor households"), "welfare",
         done_phrase="đã thực hiện", ongoing_phrase="tiếp tục duy trì"),
    Kind("security", _l("Mobilisation in the armed forces, defence and security"),
         "security", done_phrase="đã thực hiện", ongoing_phrase="tiếp tục duy trì"),
    Kind("ethnic_religious", _l("Ethnic and religious affairs"), "ethnic_religious",
         done_phrase="đã thực hiện", ongoing_phrase="tiếp tục duy trì"),
    Kind("other", _l("Other"), "other"),
)
BY_CODE = {kind.code: kind for kind in KIND_TABLE}
OTHER = BY_CODE["other"]

# {code: lazy label}, in the table's order (the board's order by kind).
KINDS = {kind.code: kind.label for kind in KIND_TABLE}
# Fields that belong to some kinds only; the form shows them for those kinds.
KIND_FIELDS = {kind.code: kind.fields for kind in KIND_TABLE if kind.fields}
ALL_KIND_FIELDS = tuple(
    dict.fromkeys(name for kind in KIND_TABLE for name in kind.fields)
)


def kind_of(code):
    """Return the kind of a code; an unknown code reads as "other"."""
    return BY_CODE.get(code, OTHER)


def kinds_with_field(name):
    """Return the kinds whose own fields include name, in the table's order."""
    return [kind for kind in KIND_TABLE if name in kind.fields]
