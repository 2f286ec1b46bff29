"""A comment's Markdown as safe HTML, its @mentions as links.

markdown-it-py parses CommonMark with raw HTML switched off (typed tags stay text);
nh3 (the Ammonia sanitiser) then keeps only the tags, attributes and link schemes
listed here, whatever the parser let through, and gives every link
rel="nofollow noopener". Two locks: a bug in one is not a hole.
"""
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

# "@username": a username is letters, digits and . _ - (a trailing dot ends the
# sentence, not the name); not preceded by a word character, so "a@b.vn" is no
# mention.
MENTION = re.compile(r"(?<![\w@])@([\w][\w.-]{0,59})")

TAGS = {
    "a", "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol",
    "li", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title", "class"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(
    ["table", "strikethrough"])


def _plain_texts(tokens):
    """Yield the text tokens a reader sees as prose: not code, not inside a link."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        in_link = 0
        for child in block.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                yield child


def _names_in(text):
    return [match.group(1).rstrip(".-") for match in MENTION.finditer(text)]


def mentioned_names(body):
    """Return the usernames the text mentions (not in code), in order of mention."""
    if "@" not in (body or ""):
        return []
    seen = []
    for token in _plain_texts(_parser.parse(body)):
        for name in _names_in(token.content):
            if name and name not in seen:
                seen.append(name)
    return seen


def _mention_tokens(text, links):
    """Split a text token's content into text and mention-link tokens."""
    tokens, last = [], 0
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".-")
        href = links.get(name)
        if href is None:
            continue
        start, end = match.start(), match.start() + 1 + len(name)
        if start > last:
            tokens.append(_text(text[last:start]))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": href, "class": "mention"}
        tokens += [opening, _text("@" + name), Token("link_close", "a", -1)]
        last = end
    if not tokens:
        return None
    if last < len(text):
        tokens.append(_text(text[last:]))
    return tokens


def _text(content):
    token = Token("text", "", 0)
    token.content = content
    return token


def _link_mentions(tokens, links):
    """Turn mentions of known people in prose (not code, not links) into links."""
    for token in list(_plain_texts(tokens)):
        if "@" in token.content:
            token.children = _mention_tokens(token.content, links)
    for block in tokens:
        if block.type == "inline" and block.children:
            block.children = [part for child in block.children
                              for part in (child.children or [child])]


def render(body, links=None):
    """Return the comment's HTML, safe to show: Markdown, sanitised, mentions linked.

    links maps the usernames of people who exist to the address a mention of them
    leads to; other "@words" stay text.
    """
    tokens = _parser.parse(body or "")
    if links:
        _link_mentions(tokens, links)
    html = _parser.renderer.render(tokens, _parser.options, {})
    return Markup(nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    ))
