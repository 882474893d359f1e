"""Author names: one line of text naming one or more people -> display and sort names.

`parse_author(text)` is the one entry point (also `manage.py parse_author` and
`GET /api/parse/?kind=author`). It returns

    {"display": "Jane Doe & Bo Roe",          # the writers, joined as calibre joins them
     "sort": "Doe, Jane & Roe, Bo",            # their sort names, joined the same way
     "authors": [{"display": "Jane Doe", "sort": "Doe, Jane", "role": "author"}, ...]}

`authors` lists every person the line names, in order, also when there is only one; `role` is
one of media's contributor roles ("author", "editor", "translator", "illustrator", "narrator")
or "contributor" (foreword, introduction). `display`/`sort` cover the writers (authors and
editors), or everybody when the line names no writer.

Sort names follow calibre's `author_to_author_sort` with calibre's default tweaks
(`author_sort_copy_method = 'comma'`, its name prefixes, suffixes and copy words,
`author_use_surname_prefixes = False`), so a library sorts the way calibre users expect:
"Ludwig van Beethoven" -> "Beethoven, Ludwig van", "Robert Doe Jr." -> "Doe, Robert Jr.",
"Dr. Jane Doe" -> "Doe, Jane", "Acme Council" unchanged, "Doe, Jane" kept as written.
Deliberate departures, each because calibre's result is not a sort name at all:
- "Sir" is an honorific like calibre's Dr/Mr/Mrs/Ms/Prof; Jnr and Snr are suffixes like Jr/Sr;
- a comma that only introduces a suffix ("Jane Doe, Jr.") does not make the name "Last, First";
- organisations are recognised by more words than calibre's copy words (Press, University...);
- names in CJK script are never inverted (they are written family name first).
Romanised CJK names ("Murakami Haruki") are inverted like any other: nothing in the text says
which order they are in, and calibre does the same; "Murakami, Haruki" keeps the order given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Person", "is_organisation", "parse_author", "parse_name", "parse_people", "sort_name"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# calibre's default tweaks (resources/default_tweaks.py), lower-cased, plus the departures above.
NAME_PREFIXES = _words("mr mrs ms dr prof sir")
NAME_SUFFIXES = _words("jr sr inc ph.d phd md m.d i ii iii iv junior senior jnr snr")
COPY_WORDS = _words("agency corporation company co. council committee inc. institute national society club team")
SURNAME_PREFIXES = _words("da de di la le van von")
# Ours on top of calibre's copy words: organisations and placeholders that are no person.
_ORGANISATION_WORDS = COPY_WORDS | _words(
    "inc ltd llc gmbh press publishing publishers books comics university association foundation museum library"
    " staff group studio studios editors magazine media entertainment games software anonymous anon. various"
    " unknown"
)
# Words that start a surname in "Last, First" input ("Le Guin, Ursula K.") and stay lower case
# when an ALL-CAPS name is re-capitalised (LE and LA keep their capital: "Le Guin", "La Fontaine").
_PARTICLES = _words("van von de der den del della di da du la le st. ter ten dos das do y bin ibn al el des zu vom")
_LOWER_PARTICLES = _PARTICLES - {"la", "le", "st.", "al", "el"}
WRITER_ROLES = ("author", "editor")
_ROLE_WORDS = {
    "author": "author writer by",
    "editor": "editor editors ed eds edited compiler compiled",
    "translator": "translator translators translated translation trans tr transl",
    "illustrator": "illustrator illustrated illustrations illus artist",
    "narrator": "narrator narrated read reader performed",
    "contributor": "foreword introduction intro afterword preface contributor",
}
_ROLES = {word: role for role, words in _ROLE_WORDS.items() for word in words.split()}
# A comma part that names a role on its own ("Jane Doe, editor"); not "Ed", a given name.
_PART_ROLES = _words(
    "editor editors ed. eds. eds compiler translator translators trans. tr. illustrator narrator contributor author"
)

_SPACES = re.compile(r"\s+")
# A word of _ORGANISATION_WORDS between spaces/commas, in any case ("Inc" also as "Inc.").
_ORGANISATION = re.compile(
    r"(?<![^\s,])(?:"
    + "|".join(re.escape(w) + ("" if w.endswith(".") else r"\.?") for w in sorted(_ORGANISATION_WORDS))
    + r")(?![^\s,])",
    re.I,
)
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
_BRACKETED = re.compile(r"\s*[(\[{]([^()\[\]{}]*)[)\]}]")
_ROLE_WORD = "|".join(
    sorted((re.escape(w) for w in _ROLES if w not in {"by", "author", "writer"}), key=len, reverse=True)
)
# ", translated by", "; edited and translated by", "with an introduction by", "read by"
_ROLE_PHRASE = re.compile(
    rf"(?:\s*[,;]\s*|\s+|^)(?:with\s+(?:an?\s+|new\s+)*)?(?P<word>{_ROLE_WORD})\.?(?:\s+and\s+\w+)?\s+by\s+", re.I
)
_LEADING_BY = re.compile(r"^(?:(?:written|words)\s+)?by\s+", re.I)
_ET_AL = re.compile(r"(?:,?\s+(?:et\.?\s+al\.?|and\s+others|&\s+others|etc\.?))+\s*$", re.I)
_SEPARATOR = re.compile(r"[;/]|\s(?:and|with)\s", re.I)
_AND = re.compile(r"\s*&\s*|\s*/\s*|,?\s+(?:and|with|und|et)\s+|\s+\+\s+", re.I)
_DATES = re.compile(r"(?:b\.\s*|d\.\s*|fl\.\s*)?\d{3,4}\??\s*-?\s*(?:\d{3,4}\??)?")
# "J.R.R.", "J.R.R", "J.R.R.Tolkien", "J.Doe": initials run together (and a name glued to them)
_INITIALS_RUN = re.compile(r"((?:[A-Z]\.)+[A-Z]?|[A-Z](?:\.[A-Z])+)([A-Z][^\W\d_][\w'-]*)?")
_INITIAL = re.compile(r"[A-Z]\.?")
_ROMAN_SUFFIXES = frozenset({"ii", "iii", "iv", "v", "vi", "vii", "viii"})


@dataclass(frozen=True)
class Person:
    display: str
    sort: str
    role: str = "author"

    def as_dict(self) -> dict[str, str]:
        return {"display": self.display, "sort": self.sort, "role": self.role}


def parse_author(text: str) -> dict[str, object]:
    """The command-line/API view of one author line (see the module docstring)."""
    people = parse_people(text)
    writers = [p for p in people if p.role in WRITER_ROLES] or people
    return {
        "display": " & ".join(p.display for p in writers),
        "sort": " & ".join(p.sort for p in writers),
        "authors": [p.as_dict() for p in people],
    }


def parse_people(text: str) -> list[Person]:
    """Every person a line names: 'A & B', 'A; B', 'A, B and C', 'Lee, Ann, Roe, Bo',
    'A, translated by B', 'Doe, Jane' (one), 'Jane Doe, Jr.' (one)."""
    line = _clean(text)
    line = _ET_AL.sub("", _LEADING_BY.sub("", line)).strip(" ,;")
    if not line:
        return []
    if is_organisation(line) and not _SEPARATOR.search(line):  # "Orrin & Vale Co." is one name
        return [_person([line])]
    chunks = _ROLE_PHRASE.split(line)  # [names, word, names, word, names, ...]
    people = []
    for index in range(0, len(chunks), 2):
        role = _ROLES[chunks[index - 1].lower().rstrip(".")] if index else "author"
        people += [_person(parts, role) for parts in _split_names(chunks[index])]
    return [p for p in people if p.display]


def parse_name(text: str) -> Person:
    """One person's name ('Le Guin, Ursula K.', 'Jane Doe (Editor)', 'URSULA K. LE GUIN').
    A comma list of several people is kept whole rather than read as 'Last, First'."""
    line = _clean(text).strip(" ,;")
    names = _comma_names(line) if "," in line else [[line]]
    return _person(names[0] if len(names) == 1 else [line.replace(",", "")])


def sort_name(display: str, *, surname_prefixes: bool = False) -> str:
    """calibre's author_to_author_sort ('invert') for a display name: honorifics dropped,
    suffixes kept at the end, organisations and single or CJK names unchanged.
    `surname_prefixes` is calibre's `author_use_surname_prefixes` tweak (off by default)."""
    if not display or is_organisation(display) or _CJK.search(display):
        return display
    tokens = display.split()
    first = next((i for i, t in enumerate(tokens) if _bare(t) not in NAME_PREFIXES), None)
    if len(tokens) < 2 or first is None:
        return display
    last = next((i for i in range(len(tokens) - 1, first - 1, -1) if _bare(tokens[i]) not in NAME_SUFFIXES), None)
    if last is None:
        return display
    suffix = " ".join(tokens[last + 1 :])
    words = [t.rstrip(",") for t in tokens]
    surname = words[last]
    if surname_prefixes and last > first and words[last - 1].lower() in SURNAME_PREFIXES:
        surname, last = f"{words[last - 1]} {surname}", last - 1
    given = words[first:last]
    inverted = [f"{surname}," if given else surname, *given]
    return " ".join([*inverted, suffix] if suffix else inverted)


def is_organisation(name: str) -> bool:
    """calibre's copy words and ours: 'Acme Council', 'Oxford University Press', 'Various'."""
    return bool(_ORGANISATION.search(name))


# --- splitting a line into names ---------------------------------------------------------------


def _split_names(chunk: str) -> list[list[str]]:
    """Each name as its comma parts: ['Jane Doe'] or ['Doe', 'Jane'] ('Last, First') or
    ['Doe', 'Jane', 'Jr.']."""
    names: list[list[str]] = []
    for piece in chunk.split(";"):
        pieces = [p.strip(" ,") for p in _AND.split(piece) if p and p.strip(" ,")]
        for index, part in enumerate(pieces):
            following = pieces[index + 1] if index + 1 < len(pieces) else ""
            names += _comma_names(part, single_after="," not in following and len(following.split()) == 1)
    return names


def _comma_names(part: str, *, single_after: bool = False) -> list[list[str]]:
    """Tell 'Last, First' from a comma list by the shape of the parts: 'A B, C D' (full names),
    'Lee, Ann, Roe, Bo' (pairs), 'Plato, Homer, Virgil' (single names)."""
    groups = _attach_suffixes([p.strip() for p in part.split(",") if p.strip()])
    cores = [g[0] for g in groups]
    single_words = all(len(c.split()) == 1 and not _is_initials(c) for c in cores)
    if single_words and len(cores) > 1 and (len(cores) % 2 or single_after):
        return [[c, *g[1:]] for c, g in zip(cores, groups, strict=True)]
    names, index = [], 0
    while index < len(groups):
        group = groups[index]
        if _is_surname(group[0]) and index + 1 < len(groups) and len(group) == 1:
            names.append([group[0], *groups[index + 1]])
            index += 2
        else:
            names.append(group)
            index += 1
    return names


def _attach_suffixes(parts: list[str]) -> list[list[str]]:
    """A comma part that is a suffix ('Jr.'), a role ('editor') or dates ('1920-1992') belongs
    to the name before it."""
    groups: list[list[str]] = []
    for part in parts:
        if groups and (_bare(part) in NAME_SUFFIXES or part.lower() in _PART_ROLES or _DATES.fullmatch(part)):
            groups[-1].append(part)
        else:
            groups.append([part])
    return groups


def _is_surname(part: str) -> bool:
    """'Doe', 'Saint-Exupéry', 'Le Guin', 'de la Rosa Vidal': the shape of a surname before a comma."""
    words = part.split()
    if _is_initials(part) or _CJK.search(part):
        return False
    return len(words) == 1 or words[0].lower() in _PARTICLES


def _is_initials(part: str) -> bool:
    """'J.', 'J. R. R.', 'J.R.R.': given-name initials, never a surname."""
    return all(_INITIAL.fullmatch(w) or _initials_only(w) for w in part.split())


def _initials_only(word: str) -> bool:
    match = _INITIALS_RUN.fullmatch(word)
    return bool(match) and not match.group(2)


# --- one name ----------------------------------------------------------------------------------


def _person(parts: list[str], role: str = "author") -> Person:
    """A name from its comma parts: [name, *notes] or [surname, given, *notes]."""
    role, cleaned = _roles_and_notes(parts, role)
    if not cleaned:
        return Person("", "", role)
    shout = _shouting(" ".join(cleaned).split())
    core, rest = cleaned[0], [(p, _bare(p) in NAME_SUFFIXES) for p in cleaned[1:]]
    suffixes = [_tidy(p, shout) for p, is_suffix in rest if is_suffix]
    given = [p for p, is_suffix in rest if not is_suffix]
    if given:  # "Last, First[, Jr.]": calibre keeps such a sort name as written
        surname, first = _tidy(core, shout), _tidy(" ".join(given), shout)
        display = " ".join([first, surname, *suffixes])
        return Person(display, ", ".join([surname, first, *suffixes]), role)
    display = ", ".join([_tidy(core, shout), *suffixes])
    return Person(display, sort_name(display), role)


def _roles_and_notes(parts: list[str], role: str) -> tuple[str, list[str]]:
    """Drop bracketed notes ('(Editor)', '[1920-1992]') and role words, noting a role they name."""
    cleaned = []
    for part in parts:
        for note in _BRACKETED.findall(part):
            role = _ROLES.get(_bare(note), role)
        text = _BRACKETED.sub("", part).strip(" ,")
        if text.lower() in _PART_ROLES:
            role = _ROLES[_bare(text)]
        elif text and not _DATES.fullmatch(text):
            cleaned.append(text)
    return role, cleaned


def _tidy(name: str, shout: bool) -> str:
    """Spaces, ALL-CAPS (when the whole name `shout`s), initials: 'J.R.R.  TOLKIEN' -> 'J. R. R. Tolkien'."""
    words = _SPACES.sub(" ", name).strip().split(" ")
    if shout:
        words = [_capitalise(w, first=i == 0) for i, w in enumerate(words)]
    return " ".join(_space_initials(w) for w in words)


def _shouting(words: list[str]) -> bool:
    """ALL CAPS with a word longer than an initial: not 'J. R. R.', not a lone 'NASA'."""
    text = "".join(words)
    if len(words) < 2 or text.upper() != text or text.lower() == text:
        return False
    return any(sum(c.isalpha() for c in w) > 1 and _bare(w) not in _ROMAN_SUFFIXES for w in words)


def _capitalise(word: str, *, first: bool) -> str:
    """One word of an ALL-CAPS name: 'TOLKIEN' -> 'Tolkien', 'MCDONALD' -> 'McDonald',
    'O'BRIEN' -> 'O'Brien', 'VAN' -> 'van', 'III' and initials unchanged, 'PHD' -> 'PhD'."""
    bare = _bare(word)
    if (bare in _ROMAN_SUFFIXES and not first) or _INITIAL.fullmatch(word) or _initials_only(word):
        return word
    if bare in {"phd", "ph.d", "md", "m.d"}:
        return {"phd": "PhD", "ph.d": "Ph.D"}.get(bare, bare.upper()) + word[len(bare) :]
    if word.lower() in _LOWER_PARTICLES and not first:
        return word.lower()
    return re.sub(r"[^\W\d_]+", _capital_segment, word.lower())


def _capital_segment(match: re.Match) -> str:
    segment = match.group(0)
    if segment.startswith("mc") and len(segment) > 3:
        return "Mc" + segment[2:].capitalize()
    return segment.capitalize()


def _space_initials(word: str) -> str:
    """'J.R.R.' -> 'J. R. R.'; 'J.R.R.Tolkien' -> 'J. R. R. Tolkien'; 'M.D.' and 'Ph.D.' untouched."""
    match = _INITIALS_RUN.fullmatch(word)
    if not match or _bare(word) in NAME_SUFFIXES or (len(match.group(1)) <= 2 and not match.group(2)):
        return word
    spaced = " ".join(f"{c}." for c in match.group(1) if c.isalpha())
    return f"{spaced} {match.group(2)}" if match.group(2) else spaced


def _bare(token: str) -> str:
    return token.lower().strip(" ,").rstrip(".")


def _clean(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
