"""The starting text of the report's written parts, drawn from the quarter's figures.

Staff edit it on the report's settings page; what they store replaces it, and an
empty stored text means this one. Every number comes from the quarter's figures
(tracker.figures): nothing here counts tasks again. Like the rest of the report these
are the document's Vietnamese words, not interface text.
"""
from tracker.reports import phrases
from tracker.text import fold


def board_name(org):
    """Return how the report names the board in its sentences.

    "Ban Dân vận Huyện ủy Sơn Tịnh" is the board's own unit when the settings name
    one; else the issuing and superior bodies as typed, in sentence case.
    """
    if org.unit is not None:
        return org.unit.name
    words = f"{org.issuing_body} {org.superior_body}".split()
    return " ".join(word[:1].upper() + word[1:].lower() for word in words) or \
        "Ban Dân vận"


def lead_in(quarter, org, summary_line):
    """Return "Thực hiện Chương trình công tác năm 2023, … báo cáo … như sau:"."""
    what = " ".join(summary_line.split()) or "kết quả công tác dân vận"
    if not fold(what).startswith("ket qua"):
        what = f"kết quả {what}"
    return (f"Thực hiện Chương trình công tác năm {quarter.year}, {board_name(org)} "
            f"báo cáo {what} như sau:")


def public_mood(quarter, figures):
    """Return section I's starting text: the mood, and what citizens raised."""
    words = phrases.quarter_words(quarter.year, quarter.number)
    lines = [
        f"Trong {words}, tình hình tư tưởng, tâm trạng của cán bộ, đảng viên và nhân "
        "dân trên địa bàn cơ bản ổn định; nhân dân tin tưởng vào sự lãnh đạo của "
        "Đảng, sự quản lý, điều hành của chính quyền."
    ]
    dialogues = figures["dialogues"]
    if dialogues["opinions_raised"]:
        text = "Qua tiếp xúc, đối thoại"
        if dialogues["held"]:
            text += f" ({phrases.number(dialogues['held'])} cuộc)"
        lines.append(phrases.sentence(f"{text}, {phrases.petitions_phrase(dialogues)}"))
    return "\n".join(lines)


def _overdue_titles(figures):
    return [entry["title"].strip().rstrip(".") for entry in figures["tasks"]
            if entry["timeliness"] == "overdue"]


def strengths(quarter, figures, org):
    """Return section III.1's starting text: what was done, the rate, the highlights."""
    counts = figures["counts"]
    total = phrases.number(figures["total"])
    text = (f"{board_name(org)} đã triển khai thực hiện {total} nhiệm vụ"
            f" trong quý; hoàn thành {phrases.number(figures['done'])} nhiệm "
            f"vụ ({phrases.number(counts['done_on_time'])} đúng hạn)")
    if counts["no_deadline"]:
        text += (f"; {phrases.number(counts['no_deadline'])} nhiệm vụ được thực hiện "
                 "thường xuyên")
    if figures["rate"] is not None:
        text += f"; tỷ lệ hoàn thành đạt {phrases.percent(figures['rate'])}"
    lines = [phrases.sentence(text)]
    parts = []
    if figures["congresses"]["held"]:
        held = phrases.number(figures["congresses"]["held"])
        parts.append(f"tổ chức thành công {held} đại hội")
    if figures["dialogues"]["held"]:
        parts.append(f"tổ chức {phrases.number(figures['dialogues']['held'])} cuộc "
                     "tiếp xúc, đối thoại với nhân dân")
    if figures["training"]["held"]:
        parts.append(f"mở {phrases.number(figures['training']['held'])} lớp tập huấn")
    if figures["movements"]["models_recognised"]:
        parts.append(f"{phrases.number(figures['movements']['models_recognised'])} mô "
                     "hình “Dân vận khéo” được công nhận")
    if parts:
        lines.append(phrases.sentence("Trong quý đã " + "; ".join(parts)))
    return "\n".join(lines)


def shortcomings(quarter, figures):
    """Return section III.2's starting text: what is overdue or was late."""
    lines = []
    overdue = _overdue_titles(figures)
    if overdue:
        lines.append(phrases.sentence(
            f"Còn {phrases.number(len(overdue))} nhiệm vụ quá hạn chưa hoàn thành: "
            + "; ".join(overdue)))
    late = figures["counts"]["done_late"]
    if late:
        lines.append(
            f"{phrases.number(late)} nhiệm vụ hoàn thành chậm so với thời hạn.")
    open_work = figures["counts"]["in_progress_on_time"] + figures["counts"][
        "not_started"]
    if open_work:
        lines.append(f"{phrases.number(open_work)} nhiệm vụ đang triển khai, chưa hoàn "
                     "thành.")
    if not lines:
        lines.append("Các nhiệm vụ đến hạn trong quý đều đã hoàn thành.")
    return "\n".join(lines)


def proposals(figures, raised):
    """Return section V's starting text: the meeting's proposals by addressee.

    raised is [(addressee, text)] of the briefing meeting. Without any, work overdue
    gives the one proposal the figures support; with neither the section is left out.
    """
    grouped = {}
    for addressee, text in raised:
        grouped.setdefault(addressee.strip(), []).append(" ".join(text.split()))
    lines = []
    for addressee, texts in grouped.items():
        if addressee:
            lines.append(f"Đối với {addressee}:")
            lines.extend(f"- {phrases.sentence(text)}" for text in texts)
        else:
            lines.extend(phrases.sentence(text) for text in texts)
    if not lines and figures["overdue"]:
        lines.append(
            "Đề nghị các cơ quan, đơn vị chủ trì tập trung chỉ đạo hoàn thành "
            f"{phrases.number(figures['overdue'])} nhiệm vụ quá hạn trong quý tới.")
    return "\n".join(lines)
