"""Vietnamese sentences for the briefing report, built from each task's fields.

The report is a Party document written in Vietnamese whatever language the interface
shows, so these phrases are the document's content, not interface text, and stay out
of the translation catalogs.
"""
import datetime as dt
import re
from dataclasses import dataclass

from tracker.i18n import fmt_number, fmt_percent
from tracker.tasks.kinds import kind_of
from tracker.text import fold, to_roman

# Words a task title often starts with; after "Tiếp tục" they read in lower case.
LEADING_VERBS = (
    "bám sát", "chỉ đạo", "chuẩn bị", "củng cố", "duy trì", "đẩy mạnh", "đôn đốc",
    "đổi mới", "giải quyết", "giám sát", "hỗ trợ", "hướng dẫn", "học tập",
    "khảo sát", "kiểm tra", "nâng cao", "nắm", "phát động", "phát huy", "phối hợp",
    "quán triệt", "rà soát", "sơ kết", "tập huấn", "tập trung", "tham mưu",
    "theo dõi", "thực hiện", "tổ chức", "tổng kết", "triển khai", "tuyên truyền",
    "vận động", "xây dựng",
)
_VERB_FOLDS = tuple(fold(verb) + end for verb in LEADING_VERBS for end in (" ", ","))


def number(value):
    """Write a whole number the Vietnamese way: 1.410."""
    return fmt_number(int(value or 0), locale="vi")


def percent(ratio):
    """Write a ratio as a Vietnamese percentage: 98,6%."""
    return fmt_percent(ratio, locale="vi", empty="")


def date(value):
    """Write a date as dd/mm/yyyy."""
    return value.strftime("%d/%m/%Y") if value else ""


def quarter_words(year, quarter_number, with_year=True):
    """Return "quý II năm 2023" (or "quý II" without the year)."""
    text = f"quý {to_roman(quarter_number)}"
    return f"{text} năm {year}" if with_year else text


def header_date(place, day):
    """Return "Sơn Tịnh, ngày 31 tháng 3 năm 2023" with the Party document's zeros.

    Days below 10 and the months January and February take a leading zero.
    """
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place}, {text}" if place else text


CLOSING_PHRASES = {
    "cancelled": "dừng thực hiện (hủy bỏ)",
    "not_needed": "dừng thực hiện do không còn cần thiết",
}


def _sentence(text):
    """Capitalise the first letter and end with a full stop."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def sentence(text):
    """Return the text as a sentence: capital first letter, full stop at the end."""
    return _sentence(text)


def _lower_first(text):
    return text[:1].lower() + text[1:]


def continue_phrase(title):
    """Return the title as continuing work: "Tiếp tục đẩy mạnh …"."""
    if fold(title).startswith(_VERB_FOLDS):
        return "Tiếp tục " + _lower_first(title)
    if fold(title).startswith("tiep tuc "):
        return title
    return f"Tiếp tục thực hiện: {title}"


def congress_name(task):
    """Return "Đại hội … lần thứ XII, nhiệm kỳ 2023–2028" from the congress fields."""
    title = re.sub(r"^\s*tổ chức\s+", "", task.title.strip(), flags=re.IGNORECASE)
    folded = fold(title)
    if "lan thu" in folded or not (task.congress_ordinal or task.term_label):
        return title
    if folded.startswith("dai hoi"):
        name = title
    else:
        name = f"Đại hội {task.organisation or title}"
    if task.congress_ordinal:
        name += f" lần thứ {task.ordinal_roman}"
    if task.term_label:
        name += f", nhiệm kỳ {task.term_label}"
    return name


def dialogue_subject(chair, commune):
    """Return (who held the dialogues, whose people) from the chair and commune.

    "Bí thư Đảng ủy xã" with "11 xã" gives "Bí thư Đảng ủy 11 xã": a count names the
    chairs; a place ("xã Tịnh Trà") names the people they met.
    """
    chair, commune = (chair or "").strip(), (commune or "").strip()
    match = re.match(r"^(\d+)\s+(.+)$", commune)
    if match:
        noun = match.group(2)
        if fold(chair).endswith(" " + fold(noun)):
            chair = chair[: -len(noun)].rstrip()
        return f"{chair} {commune}".strip(), ""
    return chair, commune


def extension_note(task):
    """Return "gia hạn đến dd/mm/yyyy (hạn ban đầu dd/mm/yyyy)" of an extended task."""
    if not getattr(task, "extended_due_on", None):
        return ""
    text = f"gia hạn đến {date(task.extended_due_on)}"
    if task.due_on:
        text += f" (hạn ban đầu {date(task.due_on)})"
    return text


def deadline_clause(task, code):
    """Return the clause an unfinished task's sentence ends with about its deadline.

    Overdue work names the date it is judged by; an extended deadline is said, with
    the original, whether the work is overdue or not.
    """
    due = task.effective_due_on
    if code == "overdue" and due:
        text = f"; đã quá thời hạn {date(due)}"
        if task.extended_due_on:
            text += f" (đã gia hạn; hạn ban đầu {date(task.due_on)})" if task.due_on \
                else " (đã gia hạn)"
        return text
    if task.extended_due_on:
        return f"; {extension_note(task)}"
    return ""


def short_date(day, year=None):
    """Write a day as "31/3" within the report's year, else "31/3/2023"."""
    if year is not None and day.year == year:
        return f"{day.day}/{day.month}"
    return f"{day.day}/{day.month}/{day.year}"


# Titles that start with one of these name an event: "tổ chức Hội nghị trực báo …".
EVENT_NOUNS = ("hoi nghi", "lop ", "hoi thi", "cuoc thi", "dai hoi", "toa dam",
               "dien dan", "hoi thao", "le ", "buoi ")
# Titles that start with one of these name a body of work, written in lower case
# after a verb: "triển khai thực hiện phong trào thi đua …".
WORK_NOUNS = ("phong trao", "cuoc van dong", "cong tac", "viec ")
EVENT_KINDS = ("meeting", "review", "contest", "training")


def action_phrase(task):
    """Return what the task does as a verb phrase: "tổ chức Hội nghị trực báo …".

    A title that starts with a verb is one already ("theo dõi, nắm bắt …"); an event
    is organised; a body of work is carried out; any other title is quoted as the
    task's name, so that a proper name keeps its capitals.
    """
    title = " ".join(task.title.split()).rstrip(".")
    folded = fold(title)
    if folded.startswith(_VERB_FOLDS) or folded.startswith("tiep tuc "):
        return _lower_first(title)
    if folded.startswith(EVENT_NOUNS) or (
            task.kind in EVENT_KINDS and not folded.startswith(WORK_NOUNS)):
        return f"tổ chức {title}"
    if folded.startswith(WORK_NOUNS):
        return f"triển khai thực hiện {_lower_first(title)}"
    return f"thực hiện nhiệm vụ “{title}”"


def _and(items, word="và"):
    """Join items as a sentence lists them: "A", "A và B", "A, B và C"."""
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


# From this many units of one kind on, a sentence counts them: "Đảng ủy 11 xã".
COUNTED_FROM = 6


def names_phrase(names):
    """Return unit names as a sentence lists them.

    Units that share a name before their place are named once: "Đảng ủy các xã Tịnh
    Hà và Tịnh Trà", or by their number when there are many ("Đảng ủy 11 xã"); any
    other names are listed: "Hội Nông dân huyện và Huyện đoàn".
    """
    names = list(dict.fromkeys(name for name in names if name))
    parts = _place_parts(names) if len(names) > 1 else None
    if parts is None:
        return _and(names)
    before, noun, places = parts
    if len(places) >= COUNTED_FROM:
        return f"{before} {number(len(places))} {noun}".strip()
    return f"{before} các {noun} {_and(places)}".strip()


# Markers that deny or hold up the work: said of the work, after who shares it.
NEGATIONS = ("chưa", "không", "tạm hoãn")


@dataclass(frozen=True)
class Doers:
    """Who does a task, as the subject of the report's sentence about it.

    subject names the lead unit (and its co-leads when there are coordinating units
    too); joint says how the others share the work, between the sentence's adverb
    and its verb: "Ban Dân vận Huyện ủy | đã | phối hợp với Ủy ban MTTQ Việt Nam
    huyện | tổ chức …".
    """

    subject: str = ""
    joint: str = ""

    def say(self, marker, predicate):
        """Return the subject doing the predicate, with its marker.

        An aspect ("đã", "đang", "thường xuyên") comes before the joint clause ("A
        đã phối hợp với B tổ chức …"); a negation ("chưa", "không", "tạm hoãn")
        after it, on the work itself ("A chủ trì, phối hợp với C chưa tổ chức …").
        Work that is itself coordination says so once: "A chủ trì, phối hợp với C
        giải quyết …", not "… phối hợp với C phối hợp giải quyết …".
        """
        joint = self.joint
        if joint and fold(predicate).startswith("phoi hop ") and not fold(
                predicate).startswith("phoi hop voi "):
            predicate = predicate.split(" ", 2)[2]
        parts = (self.subject, joint, marker, predicate) if marker in NEGATIONS \
            else (self.subject, marker, joint, predicate)
        return " ".join(part for part in parts if part)

    @property
    def text(self):
        """Return who does the work on its own: "A chủ trì, phối hợp với C"."""
        if not self.subject:
            return ""
        return f"{self.subject} {self.joint or 'chủ trì'}"


def doers(leads, coordinating=()):
    """Return who does a task from the names of its leads and coordinating units.

    The lead alone does it ("Ban Dân vận Huyện ủy tổ chức …"); with co-leads it works
    with them ("Ban Dân vận Huyện ủy phối hợp với Ủy ban MTTQ Việt Nam huyện tổ chức
    …"); with coordinating units it leads them ("… chủ trì, phối hợp với …"); with
    both, the leads lead together ("A và B đồng chủ trì, phối hợp với C tổ chức …").
    A group is named by its own name.
    """
    leads = list(dict.fromkeys(name for name in leads if name))
    coordinating = [name for name in dict.fromkeys(coordinating)
                    if name and name not in leads]
    if not leads:
        return Doers()
    lead, co_leads = leads[0], leads[1:]
    if co_leads and coordinating:
        return Doers(_and(leads),
                     f"đồng chủ trì, phối hợp với {names_phrase(coordinating)}")
    if co_leads:
        return Doers(lead, f"phối hợp với {names_phrase(co_leads)}")
    if coordinating:
        return Doers(lead, f"chủ trì, phối hợp với {names_phrase(coordinating)}")
    return Doers(lead)


def task_doers(task):
    """Return who does the task: its lead, co-leads and coordinating units."""
    return doers([unit.name for unit in task.lead_units if unit is not None],
                 [unit.name for unit in task.coordinating_units])


def doers_note(leads, coordinating=()):
    """Return who does a task in the interface's language, for a page's line.

    In Vietnamese it is the report's own clause (Doers.text); in another language
    the same roles in that language's words.
    """
    from flask_babel import get_locale
    from flask_babel import gettext as _

    if str(get_locale() or "vi") == "vi":
        return doers(leads, coordinating).text
    leads = list(dict.fromkeys(name for name in leads if name))
    coordinating = [name for name in dict.fromkeys(coordinating)
                    if name and name not in leads]
    if not leads:
        return ""

    def listed(names):
        return _and(names, _("and"))

    if len(leads) > 1 and coordinating:
        return _("%(leads)s lead jointly, with %(units)s coordinating",
                 leads=listed(leads), units=listed(coordinating))
    if len(leads) > 1:
        return _("%(lead)s, jointly with %(units)s", lead=leads[0],
                 units=listed(leads[1:]))
    if coordinating:
        return _("%(lead)s leads, with %(units)s coordinating", lead=leads[0],
                 units=listed(coordinating))
    return _("%(lead)s leads", lead=leads[0])


def _who(lead):
    """Return the Doers of a sentence's lead: a Doers, a unit's name or nothing."""
    return lead if isinstance(lead, Doers) else Doers(lead or "")


def _status_phrase(task, code, lead="", year=None):
    """Return what the lead unit did, in the board's voice.

    "Ngày 31/3, Ban Dân vận Huyện ủy tổ chức Hội nghị trực báo …"; ongoing work is
    ongoing ("thường xuyên", "tiếp tục duy trì"); unfinished work says how far it got
    and what remains. lead is who did it: a Doers, or the lead unit's name.
    """
    who = _who(lead)
    kind = kind_of(task.kind)
    action = action_phrase(task)
    place = scope_phrase([unit.name for unit in getattr(task, "scope_units", ())])
    if place:
        action += f" {place}"
    if task.status == "done":
        if task.held_on:
            return f"Ngày {short_date(task.held_on, year)}, {who.say('', action)}"
        named = action.startswith("thực hiện nhiệm vụ “")
        if named:
            # A title that is only a name: the kind says what was done with it.
            marker, _space, verb = kind.done_phrase.partition(" ")
            if marker != "đã":
                marker, verb = "", kind.done_phrase
            text = who.say(marker, action.replace("thực hiện", verb, 1))
        else:
            text = who.say("đã", action)
        day = task.completed_on
        due = task.effective_due_on
        if day:
            text += f" ngày {date(day)}" if named else f", hoàn thành ngày {date(day)}"
        if code == "done_late" and due:
            late = f"chậm so với thời hạn {date(due)}"
            if task.extended_due_on:
                late += f"; {extension_note(task)}"
            text += f" ({late})"
        elif task.extended_due_on:
            text += f" ({extension_note(task)})"
        return text
    if task.status == "cancelled":
        return who.say("không", action) + " (" + CLOSING_PHRASES.get(
            task.closing_reason, "đã hủy") + ")"
    if task.status == "postponed":
        text = who.say("tạm hoãn", action)
    elif code == "no_deadline" or (task.is_recurring and task.status == "in_progress"):
        if kind.ongoing_phrase == "tiếp tục duy trì":
            return who.say("tiếp tục", f"duy trì {action}")
        if fold(action).startswith("thuong xuyen "):
            return who.say("", action)
        return who.say("thường xuyên", action)
    elif task.status == "not_started":
        text = who.say("chưa", action)
    else:
        text = who.say("đang", action)
    if task.progress and task.status != "not_started":
        text += f", đạt {task.progress}% kế hoạch"
    text += deadline_clause(task, code)
    return text


def remaining_clause(task):
    """Return what is left of a counted task: "còn 3 cuộc chưa thực hiện", or ""."""
    if not task.target_count or task.status in ("done", "cancelled"):
        return ""
    left = task.target_count - (task.achieved_count or 0)
    if left <= 0:
        return ""
    label = task.target_label or "chỉ tiêu"
    return f"còn {number(left)} {label} chưa thực hiện"


def _kind_details(task, models=None):
    """Return the kind's own figures as a clause, or an empty string.

    models are the counts of the registry's rows tied to a movement task
    ({registered, recognised}, from the quarter's figures).
    """
    parts = []
    if task.kind == "movement":
        noun = "mô hình"
        if "dan van kheo" in fold(task.campaign_name):
            noun = "mô hình “Dân vận khéo”"
        if models and models["registered"]:
            parts.append(f"{number(models['registered'])} {noun} đăng ký")
        if models and models["recognised"]:
            parts.append(f"{number(models['recognised'])} {noun} được công nhận")
    elif task.kind == "training":
        if task.sessions:
            parts.append(f"{number(task.sessions)} lớp")
        if task.trainees_attended is not None and task.trainees_planned:
            parts.append(
                f"{number(task.trainees_attended)}/{number(task.trainees_planned)} "
                "học viên tham dự"
            )
        elif task.trainees_planned:
            parts.append(f"dự kiến {number(task.trainees_planned)} học viên")
    # Nothing achieved yet says nothing: never "đạt 0/10", nor "đạt 0 cuộc".
    nothing_yet = not task.achieved_count and (
        not task.target_count or task.status != "done")
    if task.achieved_count is not None and task.kind != "dialogue" and not nothing_yet:
        # "đạt 3/10" reads 3 of 10; a count without a target stands alone; no
        # achieved count says nothing (never "đạt 0/10" for work not reported).
        label = f" {task.target_label}" if task.target_label else ""
        count = number(task.achieved_count)
        if task.target_count:
            count += f"/{number(task.target_count)}"
        parts.append(f"đạt {count}{label}")
    return "; ".join(parts)


def _congress_sentence(task, code, lead="", year=None):
    who = _who(lead)
    name = congress_name(task)
    if task.status == "done":
        if task.held_on:
            text = (f"Ngày {short_date(task.held_on, year)}, "
                    + who.say("", f"tổ chức thành công {name}"))
        else:
            text = who.say("đã" if who.subject else "", f"tổ chức thành công {name}")
        if task.delegates:
            text += f", với {number(task.delegates)} đại biểu tham dự"
        return text
    if task.status == "cancelled":
        return who.say("không", f"tổ chức {name} (đã hủy)")
    if task.status == "postponed":
        return who.say("tạm hoãn", f"tổ chức {name}")
    if task.status == "not_started":
        text = who.say("chưa", f"tổ chức {name}")
    else:
        text = who.say("đang", f"chuẩn bị tổ chức {name}")
        if task.progress:
            text += f", đạt {task.progress}% kế hoạch"
    text += deadline_clause(task, code)
    return text


def _dialogue_sentence(task, code, petitions=None):
    """Return the dialogue's sentence, or None when the generic one reads better.

    petitions are the counts of its petitions' records ({raised, answered}).
    """
    subject, people = dialogue_subject(task.chair, task.commune)
    achieved = task.achieved_count
    if not subject or task.status in ("cancelled", "postponed", "not_started"):
        return None
    if task.status != "done" and not achieved:
        return None
    what = "tiếp xúc, đối thoại với nhân dân"
    if people:
        what += f" {people}"
    if achieved is not None and (task.target_count or achieved) > 1:
        label = task.target_label or "cuộc"
        count = number(achieved)
        if task.target_count:
            count += f"/{number(task.target_count)}"
        what = f"{count} {label} {what}"
    text = f"{subject} đã tổ chức {what}"
    if task.held_on and (task.target_count or 1) <= 1:
        text += f" vào ngày {date(task.held_on)}"
    if task.status != "done":
        text += ", đang tiếp tục thực hiện"
        text += deadline_clause(task, code)
        return text
    stats = []
    if task.participants:
        stats.append(f"{number(task.participants)} lượt người tham dự")
    if petitions and petitions["raised"]:
        stats.append(
            f"{number(petitions['answered'])}/{number(petitions['raised'])} ý kiến, "
            "kiến nghị đã được trả lời, giải đáp"
        )
    if stats:
        text += "; " + "; ".join(stats)
    return text


def result_sentence(task, cutoff, note="", origin=None, code=None, shares="",
                    petitions=None, models=None, lead="", year=None, carries_to="",
                    chaired=""):
    """Return the sentence that reports what the task achieved in its quarter.

    note is the result written by staff (or their latest progress note about the
    whole task); origin the (year, number) of the quarter the work was carried from,
    if any; code the task's class at the cut-off (from the quarter's figures);
    shares the sentence on the units' shares (shares_sentence); petitions the
    counts of the petitions raised at it (from the quarter's figures); models the
    counts of the registry's models tied to it. lead is who did it (the sentence's
    subject): a Doers (task_doers names the co-leads and coordinating units too) or
    the lead unit's name; year the report's (its dates omit it), carries_to the
    quarter unfinished work goes on in ("quý II năm 2023"), chaired who chaired a
    meeting ("đồng chí …, Trưởng Ban Dân vận Huyện ủy").
    """
    if code is None:
        code = task.timeliness(cutoff)
    text = None
    if task.kind == "congress" and (
        task.congress_ordinal or "dai hoi" in fold(task.title)
    ):
        text = _congress_sentence(task, code, lead, year)
    elif task.kind == "dialogue":
        text = _dialogue_sentence(task, code, petitions)
    if text is None:
        text = _status_phrase(task, code, lead, year)
    if chaired:
        text += f", do {chaired} chủ trì"
    details = _kind_details(task, models)
    if details:
        text += f"; {details}"
    remains = remaining_clause(task) if task.kind != "dialogue" else ""
    if remains:
        text += f"; {remains}"
    closing = CLOSING_PHRASES.get(task.closing_reason, "dừng thực hiện")
    if task.closing_reason and closing not in text:
        text += "; " + closing
    # Ongoing work already says it goes on.
    ongoing = code == "no_deadline" or task.is_recurring
    if carries_to and task.status not in ("done", "cancelled") and not ongoing:
        text += f"; tiếp tục thực hiện trong {carries_to}"
    if origin:
        text += f" (nhiệm vụ chuyển tiếp từ {quarter_words(*origin)})"
    sentence = _sentence(text)
    note = " ".join((note or "").split())
    # A note that only repeats the figures just given adds nothing.
    if details and fold(note).startswith(fold(details)):
        note = ""
    if note:
        sentence += " " + _sentence(note)
    if shares:
        sentence += " " + shares
    return sentence


# Words that end a unit's name before the place it serves: "Đảng ủy xã Tịnh Hà".
PLACE_NOUNS = ("xã", "phường", "thị trấn", "thị xã", "huyện", "thành phố")


def _place_parts(names):
    """Return (the words before the place noun, noun, places), or None.

    ["Đảng ủy xã Tịnh Hà", "Đảng ủy xã Tịnh Trà"] gives ("Đảng ủy", "xã",
    ["Tịnh Hà", "Tịnh Trà"]).
    """
    words = [name.split() for name in names]
    if not words or not all(words):
        return None
    common = 0
    while all(len(w) > common + 1 for w in words) and len(
            {fold(w[common]) for w in words}) == 1:
        common += 1
    for end in range(common, 0, -1):
        head = fold(" ".join(words[0][:end]))
        for noun in PLACE_NOUNS:
            if head == fold(noun) or head.endswith(" " + fold(noun)):
                before = " ".join(words[0][:end - len(noun.split())])
                return before, noun, [" ".join(w[end:]) for w in words]
    return None


def unit_group(names):
    """Return (noun, short names) for units that share a name before their place.

    ["Đảng ủy xã Tịnh Hà", "Đảng ủy xã Tịnh Trà"] gives ("xã", ["Tịnh Hà",
    "Tịnh Trà"]); names with nothing such in common give ("đơn vị", names).
    """
    parts = _place_parts(names)
    if parts is None:
        return "đơn vị", list(names)
    return parts[1], parts[2]


def scope_phrase(names):
    """Return where the work was done: "tại xã Tịnh Hà, Tịnh Trà", or "".

    Communes of one kind share their noun; of several, each keeps its own.
    """
    if not names:
        return ""
    noun, places = unit_group(names)
    if noun != "đơn vị":
        return f"tại {noun} {', '.join(places)}"
    parts = []
    for name in names:
        noun, (place,) = unit_group([name])
        parts.append(place if noun == "đơn vị" else f"{noun} {place}")
    return "tại " + ", ".join(parts)


def shares_sentence(done, total, noun, pending):
    """Return "8/11 xã đã hoàn thành; còn Tịnh Sơn, … chưa hoàn thành." and then each
    unfinished unit's own note, as that unit's.

    pending is [(name, note)] of the units whose share was not done at the cut-off.
    """
    text = f"{number(done)}/{number(total)} {noun} đã hoàn thành phần việc được giao"
    if pending:
        text += "; còn " + ", ".join(name for name, _ in pending) + " chưa hoàn thành"
    sentences = [_sentence(text)]
    for name, note in pending:
        note = " ".join((note or "").split())
        if note:
            sentences.append(_sentence(f"{name}: {note}"))
    return " ".join(sentences)


def plan_sentence(task, carried=False, origin=None, due_on=None, who=None):
    """Return the sentence that lists the task among the next quarter's tasks.

    carried marks work continuing from the quarter reported on (origin its (year,
    number)); due_on is shown when it is not the quarter's end; who says who does
    it ("Hội Nông dân huyện chủ trì, phối hợp với …", Doers.text) when it is not the
    issuing board alone.
    """
    if task.kind == "congress" and fold(congress_name(task)).startswith("dai hoi"):
        text = f"Tổ chức {congress_name(task)}"
    elif fold(task.title).startswith(("lop ", "hoi nghi ")):
        text = f"Tổ chức {_lower_first(task.title.strip().rstrip('.'))}"
    else:
        text = task.title.strip().rstrip(".")
    if carried:
        text = continue_phrase(text)
    notes = []
    if who:
        notes.append(who)
    if task.is_recurring or (due_on is None and task.due_on is None):
        notes.append("thường xuyên")
    elif due_on:
        notes.append(f"thời hạn {date(due_on)}")
    if carried and origin:
        done = ""
        if task.progress and task.status != "done":
            done = f", đã đạt {task.progress}%"
        notes.append(f"chuyển tiếp từ {quarter_words(*origin)}{done}")
    if notes:
        text += f" ({'; '.join(notes)})"
    return _sentence(text)


def summary_line(quarter_year, quarter_number, next_year, next_number):
    """Return the default bold line under "BÁO CÁO"."""
    if next_year == quarter_year:
        this = quarter_words(quarter_year, quarter_number, with_year=False)
        return (
            f"kết quả công tác dân vận {this}, phương hướng, nhiệm vụ "
            f"{quarter_words(next_year, next_number)}"
        )
    return (
        f"kết quả công tác dân vận {quarter_words(quarter_year, quarter_number)}, "
        f"phương hướng, nhiệm vụ {quarter_words(next_year, next_number)}"
    )


def _held_of(held, planned, noun, prefix=""):
    """Return "3/4 cuộc", or "kế hoạch 4 cuộc" while none is held (never "0/4")."""
    if held:
        return f"{prefix}{number(held)}/{number(planned)} {noun}"
    return f"{prefix}kế hoạch {number(planned)} {noun}"


PETITION_FIELD_WORDS = {
    "land": "đất đai",
    "compensation": "bồi thường - giải phóng mặt bằng",
    "policy": "chính sách",
    "environment": "môi trường",
    "infrastructure": "hạ tầng",
    "other": "lĩnh vực khác",
}


def petitions_phrase(dialogues):
    """Return what citizens raised and what was answered, from the petitions' records.

    "nhân dân nêu 96 ý kiến, kiến nghị (đất đai 30, hạ tầng 66); đã trả lời, giải
    đáp 91 (đúng hạn 85), còn 5 đang giải quyết (3 quá hạn trả lời)".
    """
    text = f"nhân dân nêu {number(dialogues['opinions_raised'])} ý kiến, kiến nghị"
    by_field = dialogues.get("by_field") or {}
    if by_field:
        text += " (" + ", ".join(
            f"{PETITION_FIELD_WORDS.get(code, code)} {number(row['raised'])}"
            for code, row in by_field.items()) + ")"
    text += (f"; đã trả lời, giải đáp {number(dialogues['opinions_answered'])} "
             f"(đúng hạn {number(dialogues['answered_on_time'])})")
    if dialogues["still_open"]:
        text += f", còn {number(dialogues['still_open'])} đang giải quyết"
        if dialogues["overdue"]:
            text += f" ({number(dialogues['overdue'])} quá hạn trả lời)"
    if dialogues.get("closed"):
        text += f", {number(dialogues['closed'])} kết thúc không trả lời"
    return text


def figures_paragraphs(figures):
    """Return the sentences that sum up the quarter's figures."""
    counts = figures["counts"]
    text = (
        f"Tổng số nhiệm vụ trong quý: {number(figures['total'])}; đã hoàn thành "
        f"{number(figures['done'])} (đúng hạn {number(counts['done_on_time'])}, "
        f"quá hạn {number(counts['done_late'])}"
        + (f", không ghi ngày hoàn thành {number(counts['done'])}"
           if counts.get("done") else "")
        + f"); đang thực hiện trong hạn "
        f"{number(counts['in_progress_on_time'])}; chưa thực hiện "
        f"{number(counts['not_started'])}; thực hiện thường xuyên "
        f"{number(counts['no_deadline'])}; quá hạn chưa hoàn thành "
        f"{number(figures['overdue'])}"
    )
    if figures.get("cancelled"):
        text += f"; dừng thực hiện {number(figures['cancelled'])}"
    if figures["rate"] is None:
        text += ". Chưa có nhiệm vụ đến hạn để tính tỷ lệ hoàn thành"
    else:
        text += (
            f". Tỷ lệ hoàn thành (số đã hoàn thành trên số đã hoàn thành và quá hạn): "
            f"{percent(figures['rate'])}"
        )
    paragraphs = [_sentence(text)]
    parts = []
    dialogues = figures["dialogues"]
    if dialogues["planned"]:
        part = "tiếp xúc, đối thoại với nhân dân: " + _held_of(
            dialogues["held"], dialogues["planned"], "cuộc")
        if dialogues["participants"]:
            part += f", {number(dialogues['participants'])} lượt người tham dự"
        parts.append(part)
    if dialogues["opinions_raised"]:
        parts.append(petitions_phrase(dialogues))
    congresses = figures["congresses"]
    if congresses["planned"]:
        if congresses["held"]:
            parts.append(f"đại hội: {number(congresses['held'])}/"
                         f"{number(congresses['planned'])} đại hội đã tổ chức")
        else:
            parts.append(_held_of(0, congresses["planned"], "đại hội", "đại hội: "))
    training = figures["training"]
    if training["courses"]:
        part = "tập huấn: " + _held_of(training["held"], training["courses"], "lớp")
        if training["trainees_planned"] and training["trainees_attended"]:
            part += (
                f", {number(training['trainees_attended'])}/"
                f"{number(training['trainees_planned'])} học viên"
            )
        parts.append(part)
    movements = figures["movements"]
    # A count not stated prints nothing (never "0 mô hình được công nhận").
    models = [f"{number(movements[name])} mô hình {words}" for name, words in (
        ("models_registered", "đăng ký"), ("models_recognised", "được công nhận"))
        if movements[name]]
    if models:
        parts.append("phong trào thi đua: " + ", ".join(models))
    if parts:
        paragraphs.append(_sentence("Theo lĩnh vực: " + "; ".join(parts)))
    recognised = models_recognised_sentence(movements)
    if recognised:
        paragraphs.append(recognised)
    return paragraphs


LEVEL_WORDS = {
    "grassroots": "cấp cơ sở",
    "district": "cấp huyện",
    "province": "cấp tỉnh",
    "central": "cấp Trung ương",
}


def models_recognised_sentence(movements):
    """Return the sentence naming the models recognised in the quarter, or "".

    "Trong quý có 3 mô hình “Dân vận khéo” được công nhận, gồm: mô hình “…” của Hội
    Nông dân huyện (cấp huyện, Quyết định số 15-QĐ/HU ngày 20/03/2023); … và 1 mô
    hình theo số liệu tổng hợp" (the last part for counts imported without names).
    """
    listed = movements.get("models_recognised_list") or []
    if not listed and not movements.get("models_recognised_in_quarter"):
        return ""
    total = movements.get("models_recognised_in_quarter") or len(listed)
    text = f"Trong quý có {number(total)} mô hình “Dân vận khéo” được công nhận"
    if listed:
        names = []
        for row in listed:
            name = f"mô hình “{row['name'].strip()}”"
            if row.get("unit_name"):
                name += f" của {row['unit_name']}"
            detail = [LEVEL_WORDS.get(row.get("level"), "")]
            if row.get("decision_number"):
                detail.append(
                    f"Quyết định số {row['decision_number']} ngày "
                    f"{date(dt.date.fromisoformat(row['recognised_on']))}")
            detail = [part for part in detail if part]
            if detail:
                name += " (" + ", ".join(detail) + ")"
            names.append(name)
        text += ", gồm: " + "; ".join(names)
        if total > len(listed):
            text += f" và {number(total - len(listed))} mô hình theo số liệu tổng hợp"
    return _sentence(text)


def text_paragraphs(text):
    """Split free text written by staff into paragraphs (one per non-empty line)."""
    lines = (text or "").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip()]
