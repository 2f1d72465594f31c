"""`cohort roster`: the roster from GitHub Classroom's roster export and the LMS's export, joined per person."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap_ci.cohort import roster_import
from roadmap_ci.cohort.model import read_roster

CLASSROOM = """\
"identifier","github_username","github_id","name"
"ada@uni.example","ada-l","1001","Ada L."
"grace@uni.example","grace-h","1002","Grace Hopper"
"Alan Turing","alan-t","1003",""
"kat@uni.example","","",""
"s0005","linus-t","1005","Linus"
"""
# Canvas's gradebook export as it downloads: a BOM, the points row, a custom column's absence, the test student
CANVAS = "\ufeff" + """\
Student,ID,SIS User ID,SIS Login ID,Integration ID,Section,Week 1 (123),Current Score
    Points Possible,,,,,,10,
"Lovelace, Ada",2101,s0001,ada@uni.example,,Tuesday,8,80
"Hopper, Grace",2102,s0002,grace@uni.example,,Thursday,9,90
"Turing, Alan",2103,s0003,alan@uni.example,,Tuesday,7,70
"Johnson, Katherine",2104,s0004,kat@uni.example,,Thursday,,
"Torvalds, Linus",2105,s0005,linus@uni.example,,Tuesday,,
"Noether, Emmy",2106,s0006,emmy@uni.example,,Tuesday,,
"Student, Test",2199,,,,Tuesday,,
"""
# Moodle's grade export (Grades -> Export -> Plain text file)
MOODLE = ('"First name","Last name","ID number","Institution","Department","Email address",'
          '"Assignment: Churn (Real)","Last downloaded from this course"\n') + """\
Ada,Lovelace,s0001,Uni,CS,ada@uni.example,8.00,1764000000
Grace,Hopper,s0002,Uni,CS,grace@uni.example,9.00,1764000000
Alan,Turing,s0003,Uni,CS,alan@uni.example,-,1764000000
"""


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_classroom_and_canvas_join_into_a_roster_that_lints(cli, tmp_path):
    classroom, canvas = write(tmp_path, "classroom_roster.csv", CLASSROOM), write(tmp_path, "canvas.csv", CANVAS)
    res = cli("cohort", "roster", str(classroom), str(canvas), "--out", str(tmp_path / "roster.csv"))
    assert res.returncode == 1, res.stderr  # two learners left out
    assert rows_of(tmp_path / "roster.csv") == [
        ["github", "name", "email", "lms_id", "section"],
        ["ada-l", "Ada Lovelace", "ada@uni.example", "2101", "Tuesday"],  # joined by e-mail; Canvas's name wins
        ["grace-h", "Grace Hopper", "grace@uni.example", "2102", "Thursday"],
        ["alan-t", "Alan Turing", "alan@uni.example", "2103", "Tuesday"],  # by name ("Turing, Alan")
        ["linus-t", "Linus Torvalds", "linus@uni.example", "2105", "Tuesday"],  # by SIS User ID
    ]
    err = res.stderr.splitlines()
    assert err[0] == (f"{classroom}:5: Katherine Johnson: in GitHub Classroom's roster without a linked GitHub "
                      "account; left out")
    assert err[1].startswith(f"{canvas}:8: Emmy Noether: no GitHub login") and err[1].endswith("left out")
    assert "2 problem(s) above" in err[2] and len(err) == 3
    assert "Test" not in (tmp_path / "roster.csv").read_text() and "Points" not in (tmp_path / "roster.csv").read_text()
    assert res.stdout.strip() == (f"{tmp_path / 'roster.csv'}: 4 learners (4 with an LMS id); from {classroom} "
                                  f"(GitHub Classroom), {canvas} (Canvas)")
    # the roster a cohort points at: lint is clean
    write(tmp_path, "cohort.yaml", "version: 1\norganisation: ml-2027\nroster: roster.csv\nmentors: mentors\n"
          "deliverables:\n  - id: churn\n    template: tabular-classification\n"
          "    opens: 2027-01-11T09:00:00+01:00\n    due: 2027-01-24T23:59:00+01:00\n"
          '    rubric: {id: tabular-classification, version: "2026.12"}\n')
    lint = cli("cohort", "lint", "-c", str(tmp_path / "cohort.yaml"))
    assert lint.returncode == 0, lint.stderr
    assert "4 learners" in lint.stdout
    # an existing roster is not replaced without --force
    again = cli("cohort", "roster", str(classroom), str(canvas), "--out", str(tmp_path / "roster.csv"))
    assert again.returncode == 1 and "exists; --force replaces it" in again.stderr
    forced = cli("cohort", "roster", str(classroom), str(canvas), "--out", str(tmp_path / "roster.csv"), "--force")
    assert forced.returncode == 1 and len(rows_of(tmp_path / "roster.csv")) == 5


def test_moodle_by_id_number_and_everyone_matched_exits_0(tmp_path, capsys):
    classroom = write(tmp_path, "classroom_roster.csv", '"identifier","github_username","github_id","name"\n'
                      's0001,ada-l,1,\nS0002,grace-h,2,\n" s0003 ",alan-t,3,\ns0099,hedy-l,4,Hedy\n')  # case, spaces
    moodle = write(tmp_path, "moodle.csv", MOODLE)
    code = roster_import.command([classroom, moodle], tmp_path / "roster.csv", False)
    err = capsys.readouterr().err.splitlines()
    assert code == 0, err  # everyone is in the roster
    assert rows_of(tmp_path / "roster.csv")[1:] == [
        ["ada-l", "Ada Lovelace", "ada@uni.example", "s0001", ""],
        ["grace-h", "Grace Hopper", "grace@uni.example", "s0002", ""],
        ["alan-t", "Alan Turing", "alan@uni.example", "s0003", ""],
        ["hedy-l", "Hedy", "", "", ""],
    ]
    assert err == [f"{classroom}:5: Hedy: note: no Moodle row matches this learner (by e-mail, id or name); written "
                   "without the LMS's id, so the Moodle import cannot place their grades"]
    learners, errors = read_roster(tmp_path / "roster.csv")
    assert errors == [] and [lr.lms_id for lr in learners] == ["s0001", "s0002", "s0003", ""]


def test_an_lms_export_with_a_github_column_needs_no_classroom_file(tmp_path, capsys):
    # Moodle's participants download with a custom profile field, and its groups as sections
    parts = write(tmp_path, "participants.csv", "First name,Last name,Email address,Roles,Groups,GitHub username\n"
                  "Ada,Lovelace,ada@uni.example,Student,Tuesday,@ada-l\n"
                  "Grace,Hopper,grace@uni.example,Student,Thursday,grace-h\n"
                  "Alan,Turing,alan@uni.example,Student,Tuesday,-not-a-login-\n")
    code = roster_import.command([parts], tmp_path / "roster.csv", False)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert rows_of(tmp_path / "roster.csv")[1:] == [["ada-l", "Ada Lovelace", "ada@uni.example", "", "Tuesday"],
                                                    ["grace-h", "Grace Hopper", "grace@uni.example", "", "Thursday"]]
    assert err[0] == f"{parts}:4: Alan Turing: github: '-not-a-login-' is not a valid GitHub login; left out"


def test_an_existing_roster_gains_the_lms_ids_and_keeps_its_own_names(tmp_path, capsys):
    ours = write(tmp_path, "old.csv", "github,name,email,lms_id,section\nada-l,Ada (she/her),ada@uni.example,,\n"
                 "grace-h,Grace,grace@uni.example,,B\n")
    canvas = write(tmp_path, "canvas.csv", CANVAS)
    code = roster_import.command([ours, canvas], tmp_path / "roster.csv", False)
    assert code == 1  # Canvas learners the old roster does not know have no login
    assert rows_of(tmp_path / "roster.csv")[1:] == [["ada-l", "Ada (she/her)", "ada@uni.example", "2101", "Tuesday"],
                                                    ["grace-h", "Grace", "grace@uni.example", "2102", "B"]]
    assert sum("no GitHub login" in line for line in capsys.readouterr().err.splitlines()) == 4


def test_rows_that_cannot_be_told_apart_are_left_out_not_guessed(tmp_path, capsys):
    classroom = write(tmp_path, "classroom_roster.csv", '"identifier","github_username","github_id","name"\n'
                      '"John Smith",jsmith,1,\n"ada@uni.example",ada-l,2,\n"grace@uni.example",grace-h,3,\n'
                      '"grace@uni.example",gracie,4,\n')
    canvas = write(tmp_path, "canvas.csv", "Student,ID,SIS User ID,SIS Login ID,Section,GitHub\n"
                   '"Smith, John",1,,js1@uni.example,A,\n"Smith, John",2,,js2@uni.example,B,\n'
                   '"Lovelace, Ada",3,,ada@uni.example,A,ada-lovelace\n')
    code = roster_import.command([classroom, canvas], tmp_path / "roster.csv", False)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert not (tmp_path / "roster.csv").exists()  # nobody left: nothing written
    assert err[0].startswith(f"{canvas}:2: John Smith: rows 2, 3 share an identifier")
    assert err[1].startswith(f"{classroom}:3: Ada Lovelace: two GitHub logins (ada-l, ada-lovelace)")
    assert err[2].startswith(f"{classroom}:4: grace@uni.example: rows 4, 5 share an identifier")
    assert err[3] == f"{tmp_path / 'roster.csv'}: not written: every learner is left out (above)"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("foreign.csv", b"a,b,c\n1,2,3\n", "not an export this reads (roster, GitHub Classroom, "
                                        "Canvas, Moodle, Brightspace, Blackboard; header: a, b, c)"),
    ("binary.csv", b"identifier,github_username\n\x00\x01\n", "holds binary data (NUL bytes)"),
    ("latin1.csv", "identifier,github_username\nJos\xe9,jose\n".encode("latin-1"), "is not UTF-8 text"),
    ("empty.csv", b"", "export is empty"),
    ("quote.csv", b'identifier,github_username\n"ada,ada-l\n', "is not valid CSV"),
    ("missing.csv", None, "export is missing"),
])
def test_a_bad_export_is_one_line_and_the_others_still_make_the_roster(tmp_path, capsys, name, data, says):
    bad = tmp_path / name
    if data is not None:
        bad.write_bytes(data)
    good = write(tmp_path, "classroom_roster.csv", CLASSROOM)
    code = roster_import.command([bad, good], tmp_path / "roster.csv", False)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0].startswith(f"{bad}") and says in err[0]
    assert [r[0] for r in rows_of(tmp_path / "roster.csv")[1:]] == ["ada-l", "grace-h", "alan-t", "linus-t"]


def test_a_short_row_and_hostile_names_are_named_and_inert(tmp_path, capsys):
    canvas = write(tmp_path, "canvas.csv", "Student,ID,SIS User ID,SIS Login ID,Section,GitHub\n"
                   '"Lovelace, Ada",1,,ada@uni.example,A,ada-l\n"Short, Row",2\n'
                   '"\x1b[2J[red]x\u202e, =HYPERLINK(1)",3,,evil@uni.example,A,\n')
    code = roster_import.command([canvas], tmp_path / "roster.csv", False)
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0] == f"{canvas}:3: 2 columns, the header has 6; row left out"
    assert err[1].startswith(f"{canvas}:4: =HYPERLINK(1) \\x1b[2J[red]x\\u202e: no GitHub login")
    assert all("\x1b" not in line and "\u202e" not in line for line in err)
    assert rows_of(tmp_path / "roster.csv")[1:] == [["ada-l", "Ada Lovelace", "ada@uni.example", "1", "A"]]


def test_a_learner_the_roster_reader_refuses_is_left_out_at_its_row_and_the_rest_is_written(cli, tmp_path):
    """One bad e-mail used to drop the whole roster: `error: roster.csv: the roster built does not read back`,
    exit 2, no line to fix. Each learner is checked with read_roster (what `cohort lint` runs) and left out alone,
    named at the export row the bad value came from -- a line break in a cell above it does not shift the line."""
    ours = write(tmp_path, "old.csv", "github,name,email,lms_id,section\n"
                 'ada-l,"Ada\nLovelace",ada@uni.example,"1",A\n'
                 "bob-b,Bob,not-an-email,2,A\n"
                 "cy-c,Cy,cy@uni.example,3,B\n")
    moodle = write(tmp_path, "moodle.csv", '"First name","Last name","ID number","Email address","GitHub"\n'
                   "Dee,D,s4,dee @uni.example,dee-d\n"  # an LMS's own e-mail column: its value, refused
                   "Eve,E,s5,eve@uni.example,eve-e\n")
    # Classroom's identifier is whatever the mentor typed: one that is no e-mail joins, and is not taken as one
    classroom = write(tmp_path, "classroom_roster.csv", '"identifier","github_username","github_id","name"\n'
                      '"fay@uni","fay-f","6","Fay"\n')
    out = tmp_path / "roster.csv"
    res = cli("cohort", "roster", str(ours), str(moodle), str(classroom), "--out", str(out))
    assert res.returncode == 1, res.stderr
    err = [line for line in res.stderr.splitlines() if ": note: no Moodle row" not in line]  # ada, cy, fay
    assert err == [
        f"{ours}:2: Ada\\x0aLovelace: name: holds the control character U+000A; left out",
        f"{ours}:4: Bob: email: 'not-an-email' is not an e-mail address; left out",
        f"{moodle}:2: Dee D: email: 'dee @uni.example' is not an e-mail address; left out",
        f"3 problem(s) above: those learners are not in {out}; fix the exports and run it again with --force"]
    assert "Bob" not in res.stderr.replace(err[1], "")  # no note for a learner left out
    assert [r[:3] for r in rows_of(out)[1:]] == [["cy-c", "Cy", "cy@uni.example"],
                                                ["eve-e", "Eve E", "eve@uni.example"], ["fay-f", "Fay", ""]]
    assert "Traceback" not in res.stderr and "does not read back" not in res.stderr
    learners, errors = read_roster(out)
    assert errors == [] and len(learners) == 3
    # everyone refused: nothing written, exit 1, each named
    only = write(tmp_path, "only.csv", "github,name,email,lms_id,section\nbob-b,Bob,not-an-email,2,A\n")
    none = cli("cohort", "roster", str(only), "--out", str(tmp_path / "none.csv"))
    assert none.returncode == 1 and not (tmp_path / "none.csv").exists()
    assert none.stderr.splitlines() == [f"{only}:2: Bob: email: 'not-an-email' is not an e-mail address; left out",
                                        f"{tmp_path / 'none.csv'}: not written: every learner is left out (above)"]


def test_an_export_given_twice_is_read_once_with_a_note(cli, tmp_path):
    """`cohort roster X.csv X.csv` used to join every row with its own copy ("rows 2, 2 share an identifier") and
    write no one. The same path, another name for the file, or a copy with the same bytes: read once, one note."""
    classroom = write(tmp_path, "classroom_roster.csv", CLASSROOM)
    canvas = write(tmp_path, "canvas.csv", CANVAS)
    copy = write(tmp_path, "canvas (1).csv", CANVAS)  # the browser's second download
    link = tmp_path / "link.csv"
    link.symlink_to(classroom)
    once = cli("cohort", "roster", str(classroom), str(canvas), "--out", str(tmp_path / "once.csv"))
    res = cli("cohort", "roster", str(classroom), str(canvas), str(classroom), str(copy), str(link),
              "--out", str(tmp_path / "roster.csv"))
    assert res.returncode == once.returncode == 1  # Katherine and Emmy have no login: as with each file once
    err = res.stderr.splitlines()
    assert err[:3] == [f"{classroom}: note: given more than once; read once",
                       f"{copy}: note: the same content as {canvas}; read once",
                       f"{link}: note: the same file as {classroom}; read once"]
    assert err[3:] == once.stderr.replace("once.csv", "roster.csv").splitlines()
    assert (tmp_path / "roster.csv").read_bytes() == (tmp_path / "once.csv").read_bytes()
    assert "share an identifier" not in res.stderr
    assert len(rows_of(tmp_path / "roster.csv")) == 5


def test_a_folder_as_out_is_one_cannot_write_line_before_any_export_is_read(cli, tmp_path):
    classroom = write(tmp_path, "classroom_roster.csv", CLASSROOM)
    res = cli("cohort", "roster", str(classroom), "--out", str(tmp_path), "--force")
    assert res.returncode == 2 and res.stderr == f"error: cannot write {tmp_path}: it is a directory\n"


def test_the_output_must_not_be_an_input(tmp_path):
    classroom = write(tmp_path, "roster.csv", "github,name,email,lms_id,section\nada-l,Ada,,,\n")
    with pytest.raises(roster_import.InvalidInput, match="is also an input"):
        roster_import.command([classroom], classroom, True)


BRIGHTSPACE = ("OrgDefinedId,Username,Last Name,First Name,Email,Sections,Churn Points Grade <Numeric MaxPoints:20>,"
               "End-of-Line Indicator\n") + """\
#0001,#alovelace,Lovelace,Ada,ada@uni.example,Tuesday,18,#
#0002,#ghopper,Hopper,Grace,grace@uni.example,Thursday,,#
"""


def test_brightspace_grades_export_gives_the_org_defined_id_without_its_hash(tmp_path, capsys):
    classroom = write(tmp_path, "classroom_roster.csv", '"identifier","github_username","github_id","name"\n'
                      '"0001",ada-l,1,\n"ghopper",grace-h,2,\n')  # by OrgDefinedId (leading zeros kept), Username
    code = roster_import.command([classroom, write(tmp_path, "brightspace.csv", BRIGHTSPACE)],
                                 tmp_path / "roster.csv", False)
    assert code == 0, capsys.readouterr().err
    assert rows_of(tmp_path / "roster.csv")[1:] == [["ada-l", "Ada Lovelace", "ada@uni.example", "0001", "Tuesday"],
                                                    ["grace-h", "Grace Hopper", "grace@uni.example", "0002",
                                                     "Thursday"]]


# Blackboard Learn's Grade Center download (Work Offline -> Download, comma-delimited): every field quoted
BLACKBOARD = ('\ufeff"Last Name","First Name","Username","Student ID","Last Access","Availability",'
              '"Weighted Total [Total Pts: up to 0] |1786","Churn [Total Pts: 20 Score] |1790"\n'
              '"Lovelace","Ada","alovelace","s0001","2027-01-20 10:00:00","Available","","18"\n'
              '"Hopper","Grace","ghopper","","","Available","",""\n')


def test_blackboard_grade_center_download_gives_the_username_blackboard_matches_uploads_by(tmp_path, capsys):
    classroom = write(tmp_path, "classroom_roster.csv", '"identifier","github_username","github_id","name"\n'
                      '"s0001",ada-l,1,\n"Grace Hopper",grace-h,2,\n')  # by Student ID, by name
    code = roster_import.command([classroom, write(tmp_path, "gc_download.csv", BLACKBOARD)],
                                 tmp_path / "roster.csv", False)
    assert code == 0, capsys.readouterr().err
    assert rows_of(tmp_path / "roster.csv")[1:] == [["ada-l", "Ada Lovelace", "", "alovelace", ""],
                                                    ["grace-h", "Grace Hopper", "", "ghopper", ""]]
    # the tab-delimited download is UTF-16: one line saying what to download instead
    tab = write(tmp_path, "gc_download.xls", "")
    tab.write_bytes(BLACKBOARD.replace('","', "\t").replace('"', "").encode("utf-16"))
    code = roster_import.command([classroom, tab], tmp_path / "roster2.csv", False)
    err = capsys.readouterr().err
    assert code == 1  # the Classroom rows are still written
    assert f"{tab}:1: export is UTF-16 text" in err and "comma-separated UTF-8" in err


def test_each_export_format_is_read_by_its_own_entry():
    headers = {
        "Blackboard": next(csv.reader(io.StringIO(BLACKBOARD.lstrip("\ufeff")))),
        "Brightspace": next(csv.reader(io.StringIO(BRIGHTSPACE))),
        "roster": ["github", "name", "email", "lms_id", "section"],
        "GitHub Classroom": ["identifier", "github_username", "github_id", "name"],
        "Canvas": next(csv.reader(io.StringIO(CANVAS.lstrip("\ufeff")))),
        "Moodle": next(csv.reader(io.StringIO(MOODLE))),
    }
    for kind, header in headers.items():
        assert [f.name for f in roster_import.FORMATS if f.detect(set(header))] == [kind]


def test_the_example_exports_make_the_example_roster_byte_for_byte(tmp_path, capsys):
    from testing.common import ROOT

    ex = ROOT / "examples" / "cohort"
    out = tmp_path / "roster.csv"
    code = roster_import.command([ex / "exports" / "classroom_roster.csv", ex / "exports" / "canvas.csv"], out, False)
    err = capsys.readouterr().err.splitlines()
    assert code == 1  # Joan never linked a GitHub account in Classroom
    assert err[0] == (f"{ex / 'exports' / 'classroom_roster.csv'}:5: Joan Clarke: in GitHub Classroom's roster "
                      "without a linked GitHub account; left out")
    assert out.read_bytes() == (ex / "roster.csv").read_bytes()


POOL = ["ada@uni.example", "Ada Lovelace", "s1", "grace@uni.example", "Grace Hopper", "s2", "Alan Turing", ""]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _norm(v: str) -> str:
    return " ".join(v.split()).casefold()


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(classroom=st.lists(st.tuples(st.sampled_from(POOL), st.sampled_from(["ada-l", "grace-h", "alan-t", ""])),
                          max_size=6),
       canvas=st.lists(st.tuples(st.sampled_from(POOL), st.sampled_from(["1", "2", "3"]),
                                 st.sampled_from(POOL)), max_size=6))
def test_a_written_learner_is_one_row_of_each_export_and_those_rows_share_an_identifier(classroom, canvas):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        a = write(Path(tmp), "classroom.csv", _csv(["identifier", "github_username", "github_id", "name"],
                                                  [[i, g, "", ""] for i, g in classroom]))
        # Canvas: ID, SIS User ID = the pool value, name as "Last, First" when it is a name
        b = write(Path(tmp), "canvas.csv", _csv(["Student", "ID", "SIS User ID", "SIS Login ID", "Section"],
                                               [[n, uid, sis, "", ""] for n, uid, sis in canvas]))
        result = roster_import.build([a, b])
    logins = [r[0].casefold() for r in result.rows]
    assert len(logins) == len(set(logins))  # one row per login
    for login, _name, _email, lms_id, _section in result.rows:
        mine = [i for i, g in classroom if g == login]
        assert len(mine) == 1  # a login listed twice is never written
        if lms_id:
            theirs = [(n, sis) for n, uid, sis in canvas if uid == lms_id]
            assert len(theirs) == 1  # an LMS id on two rows is never guessed between
            n, sis = theirs[0]
            ident = _norm(mine[0])
            assert ident and ident in {_norm(n), _norm(sis)}  # joined only by an identifier they share
    # a Classroom row whose login is unique and whose identifier no other row shares is written, without an id
    for k, (ident, login) in enumerate(classroom):
        key = _norm(ident)
        alone = not key or (not any(_norm(x) == key for j, (x, _) in enumerate(classroom) if j != k)
                            and not any(key in {_norm(n), _norm(s)} for n, _, s in canvas))
        if login and sum(g == login for _, g in classroom) == 1 and alone:
            assert [r[3] for r in result.rows if r[0] == login] == [""]


def _student(uid: int, first: str, last: str, sis: str | None, login: str, email: str | None,
             sections: tuple[int, ...]) -> dict:
    """A user of GET /courses/:id/users?include[]=email&include[]=enrollments, as Canvas answers it."""
    return {"id": uid, "name": f"{first} {last}", "sortable_name": f"{last}, {first}", "short_name": first,
            "sis_user_id": sis, "integration_id": None, "login_id": login, "email": email,
            "enrollments": [{"id": uid * 10 + k, "course_id": 31, "course_section_id": s, "type": "StudentEnrollment",
                             "enrollment_state": "active", "role": "StudentEnrollment"}
                            for k, s in enumerate(sections)]}


STUDENTS = [
    _student(2101, "Ada", "Lovelace", "s0001", "ada@uni.example", "ada@uni.example", (501,)),
    _student(2102, "Grace", "Hopper", "s0002", "ghopper", "grace@uni.example", (502, 501)),
    _student(2103, "Alan", "Turing", None, "aturing", None, (501,)),
    _student(2106, "Emmy", "Noether", "s0006", "emmy@uni.example", "emmy@uni.example", (502,)),
    _student(2107, "Linus", "Torvalds", "s0005", "linus@uni.example", "linus@uni.example", (501,)),
]
SECTIONS = [{"id": 501, "course_id": 31, "name": "Tuesday", "sis_section_id": None},
            {"id": 502, "course_id": 31, "name": "Thursday", "sis_section_id": None}]


def test_a_canvas_course_read_through_its_api_joins_like_its_export(cli, tmp_path):
    pytest.importorskip("canvasapi")
    from testing.fakecanvas import FakeCanvas

    classroom = write(tmp_path, "classroom_roster.csv", CLASSROOM)
    out = tmp_path / "roster.csv"
    with FakeCanvas(STUDENTS, SECTIONS, page_size=2) as canvas:
        res = subprocess.run([sys.executable, "-m", "roadmap_ci", "cohort", "roster", str(classroom),
                              "--canvas-course", "31", "--out", str(out)], capture_output=True, text=True, timeout=120,
                             env={**os.environ, "CANVAS_URL": canvas.url, "CANVAS_TOKEN": "canvas-token-1"})
    assert res.returncode == 1, res.stderr  # Katherine (unlinked) and Emmy (no Classroom row)
    assert rows_of(out)[1:] == [
        ["ada-l", "Ada Lovelace", "ada@uni.example", "2101", "Tuesday"],
        ["grace-h", "Grace Hopper", "grace@uni.example", "2102", "Thursday / Tuesday"],  # two sections
        ["alan-t", "Alan Turing", "", "2103", "Tuesday"],  # by name; Canvas shows no e-mail
        ["linus-t", "Linus Torvalds", "linus@uni.example", "2107", "Tuesday"],  # by SIS user id
    ]
    err = res.stderr.splitlines()
    assert err[0] == (f"{classroom}:5: kat@uni.example: no GitHub account linked to this identifier in GitHub "
                      "Classroom; left out")
    assert err[1].startswith("Canvas course 31 user 2106: Emmy Noether: no GitHub login")
    users = [r for r in canvas.requests if "users?" in r]
    assert len(users) == 3  # five students, two a page: every page read
    assert all("enrollment_type%5B%5D=student" in r or "enrollment_type[]=student" in r for r in users)
    assert all(a == "Bearer canvas-token-1" for a in canvas.auth)
    assert "from " + str(classroom) + " (GitHub Classroom), Canvas course 31 (Canvas API)" in res.stdout


def test_a_canvas_course_that_refuses_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    pytest.importorskip("canvasapi")
    from testing.fakecanvas import FakeCanvas

    with FakeCanvas(STUDENTS, SECTIONS, fail=401) as canvas:
        monkeypatch.setenv("CANVAS_URL", canvas.url)
        monkeypatch.setenv("CANVAS_TOKEN", "wrong")
        with pytest.raises(roster_import.CannotRun, match=r"^Canvas course 31: Canvas refused: "):
            roster_import.command([], tmp_path / "roster.csv", False, canvas_course=31)
    monkeypatch.setenv("CANVAS_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(roster_import.CannotRun, match="cannot reach Canvas at http://127.0.0.1:9"):
        roster_import.command([], tmp_path / "roster.csv", False, canvas_course=31)
    for url in ("http://canvas.uni.example", "ftp://canvas.uni.example", "canvas.uni.example"):
        monkeypatch.setenv("CANVAS_URL", url)  # the token is never sent in clear (loopback aside, as above)
        with pytest.raises(roster_import.InvalidInput, match="give the https:// address"):
            roster_import.command([], tmp_path / "roster.csv", False, canvas_course=31)
    monkeypatch.delenv("CANVAS_TOKEN")
    with pytest.raises(roster_import.CannotRun, match="set CANVAS_URL"):
        roster_import.command([], tmp_path / "roster.csv", False, canvas_course=31)
    assert not (tmp_path / "roster.csv").exists()
