"""Division files: reading and checking them, loading them into the tree, and reloading them.

Small files are written into tmp_path; the real 2023 Yongjing file is the `yongjing` fixture.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fpa.core.errors import ServiceError
from fpa.core.models import AuditEvent
from fpa.organizations import services
from fpa.organizations.divisions import (
    DATA_DIR,
    NATIONAL_FILE,
    YONGJING_FILE,
    DivisionFileError,
    DivisionRow,
    read_file,
)
from fpa.organizations.models import Association, AssociationChange, StaffMember
from fpa.organizations.selectors import association_list
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA, YONGJING, make_user, staff_in

HEADER = "code,name,level,parent_code"
TOP = [
    "62,甘肃省,province,",
    "6229,临夏回族自治州,prefecture,62",
    "622923,永靖县,county,6229",
    "622923100,刘家峡镇,township,622923",
    "622923101,盐锅峡镇,township,622923",
    "622923100201,大庄村委会,village,622923100",
    "622923100202,红柳村委会,village,622923100",
    "622923101201,上铨村委会,village,622923101",
]
LATER = datetime.date(2024, 6, 1)


def write(
    tmp_path: Path, lines: list[str], name: str = "d.csv", header: str = HEADER, bom: bool = False
) -> Path:
    text = "\n".join([header, *lines]) + "\n"
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(DivisionFileError) as caught:
        read_file(path)
    return caught.value.errors


def yongjing_lines() -> list[str]:
    return YONGJING.read_text(encoding="utf-8-sig").splitlines()[1:]


# --- reading -----------------------------------------------------------------------------------


def test_a_good_file_is_read_parents_first(tmp_path):
    shuffled = [TOP[5], TOP[7], TOP[3], TOP[0], TOP[2], TOP[4], TOP[1], TOP[6]]
    rows = read_file(write(tmp_path, shuffled))
    assert [r.code for r in rows] == [line.split(",")[0] for line in TOP]
    assert rows[5] == DivisionRow(
        code="622923100201", name="大庄村委会", level="village", parent_code="622923100"
    )


def test_bad_rows_are_listed_by_line_number(tmp_path):
    lines = [
        *TOP,  # lines 2-9 are good
        "62292310020,短编码村,village,622923100",  # line 10: 11 digits
        "622923101299,错挂村,village,622923100",  # line 11: not under its parent
        "622923100299,某村,hamlet,622923100",  # line 12: unknown level
        "622923100201,大庄村委会,village,622923100",  # line 13: duplicate
        "622923100298,,village,622923100",  # line 14: no name
        "622923100297,层级错,village,62292310",  # line 15: parent of the wrong level
        "62292310029A,字母村,village,622923100",  # line 16: not digits
    ]
    errors = errors_of(write(tmp_path, lines))
    assert errors == [
        "第10行：编码“62292310020”不是12位数字",
        "第11行：编码“622923101299”不在上级“622923100”之下",
        "第12行：层级“hamlet”不是 province/prefecture/county/township/village 之一",
        "第13行：编码“622923100201”重复",
        "第14行：名称为空或超过97个字符",
        "第15行：上级编码“62292310”层级不对",
        "第16行：编码“62292310029A”不是12位数字",
    ]


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "\n".join([HEADER, TOP[0], "", TOP[1], "", "", "6229231,坏县,county,6229"]) + "\n",
        encoding="utf-8",
    )
    assert errors_of(path) == ["第7行：编码“6229231”不是6位数字"]


def test_full_width_or_non_ascii_digits_are_refused(tmp_path):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "6229")
    arabic_indic = "\u0666\u0662"  # "62" in Arabic-Indic digits
    path = write(tmp_path, [f"{arabic_indic},甘肃省,province,", f"{full_width},临夏,prefecture,62"])
    assert errors_of(path) == [
        f"第2行：编码“{arabic_indic}”不是2位数字",
        f"第3行：编码“{full_width}”不是4位数字",
    ]


def test_names_must_fit_once_the_suffix_is_added(db, tmp_path):
    longest = "长" * 97
    rows = read_file(write(tmp_path, [f"62,{longest},province,"]))
    services.divisions_load(rows=rows, valid_from=LATER)
    assert len(Association.objects.get(code="62").name) == 100
    assert errors_of(write(tmp_path, [f"62,{longest}长,province,"], name="long.csv")) == [
        "第2行：名称为空或超过97个字符"
    ]


def test_missing_column_is_refused(tmp_path):
    path = write(tmp_path, ["62,甘肃省,province"], header="code,name,level")
    assert errors_of(path) == ["第1行：缺少列：parent_code"]


def test_error_list_is_bounded(tmp_path):
    lines = [f"6229231{i:04d},坏村{i},village,622923100" for i in range(200)]  # 11 digits
    errors = errors_of(write(tmp_path, lines))
    assert len(errors) == 50
    assert errors[0].startswith("第2行：")


def test_bom_header_is_accepted(tmp_path):
    rows = read_file(write(tmp_path, TOP, bom=True))
    assert rows[0].code == "62"
    assert len(rows) == len(TOP)


def test_gzip_file_is_accepted(tmp_path):
    rows = read_file(write(tmp_path, TOP, name="d.csv.gz", bom=True))
    assert [r.code for r in rows][-1] == "622923101201"
    assert len(rows) == len(TOP)


def test_spaces_around_values_are_trimmed(tmp_path):
    rows = read_file(
        write(tmp_path, ["62 , 甘肃省 ,province,", " 6229,临夏回族自治州, prefecture ,62"])
    )
    assert rows[1] == DivisionRow(
        code="6229", name="临夏回族自治州", level="prefecture", parent_code="62"
    )


def test_the_real_yongjing_file_reads_cleanly():
    rows = read_file(YONGJING)
    assert len(rows) == len(yongjing_lines())
    assert sum(r.level == "township" for r in rows) == 17


# --- the files the project carries -------------------------------------------------------------


def _source_table() -> dict[str, tuple[int, str]]:
    """SOURCE.md's table: file name -> (rows, SHA-256)."""
    text = (DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([^`]+)` \| ([0-9,]+) \| `([0-9a-f]{64})` \|$", text, re.M)
    return {name: (int(count.replace(",", "")), digest) for name, count, digest in rows}


def test_source_md_names_each_carried_file_with_its_true_hash_and_row_count():
    table = _source_table()
    assert set(table) == {YONGJING_FILE.name, NATIONAL_FILE.name}
    for path in (YONGJING_FILE, NATIONAL_FILE):
        rows, digest = table[path.name]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert len(read_file(path)) == rows


def test_the_national_file_has_every_level_of_the_2023_codes():
    levels: dict[str, int] = {}
    for row in read_file(NATIONAL_FILE):
        levels[row.level] = levels.get(row.level, 0) + 1
    assert levels == {
        "province": 31,
        "prefecture": 342,
        "county": 2978,
        "township": 41352,
        "village": 620573,
    }


def test_nothing_in_the_project_reads_outside_the_repository():
    root = DATA_DIR.parents[2]
    found = subprocess.run(
        ["grep", "-rn", "shared/", "fpa", "tests", "bench", "scripts", "Makefile"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    hits = [
        line
        for line in found.stdout.splitlines()
        if not line.startswith("tests/test_divisions.py:")  # this test's own argument
        and not line.endswith((".pyc", "matches"))
    ]
    assert hits == []


def test_command_loads_a_carried_file_by_name(db, capsys):
    call_command("load_divisions", "--yongjing")
    assert Association.objects.filter(code__startswith="622923").count() == 152
    assert "154 rows" in capsys.readouterr().out


def test_command_refuses_a_name_and_a_path_together_or_neither(db, tmp_path):
    with pytest.raises(CommandError, match="not both"):
        call_command("load_divisions", str(write(tmp_path, TOP)), "--national")
    with pytest.raises(CommandError, match="--yongjing or --national"):
        call_command("load_divisions")
    assert not Association.objects.exists()


# --- loading -----------------------------------------------------------------------------------


def test_load_builds_the_tree(db, tmp_path):
    result = services.divisions_load(rows=read_file(write(tmp_path, TOP)), valid_from=LATER)
    assert result.created == len(TOP)
    village = Association.objects.get(code=DAZHUANG)
    assert village.name == "大庄村委会计生协"
    assert village.division_name == "大庄村委会"
    assert village.kind == Association.Kind.VILLAGE
    assert village.path == f"/62/6229/622923/{LIUJIAXIA}/{DAZHUANG}/"
    assert village.parent.code == LIUJIAXIA
    assert village.depth == 4
    assert village.valid_from == LATER
    assert village.name_pinyin.startswith("dazhuang")
    assert village.name_initials.startswith("dz")
    assert AssociationChange.objects.filter(kind=AssociationChange.Kind.CREATE).count() == len(TOP)


def test_second_load_of_the_same_file_changes_nothing(yongjing):
    rows = read_file(YONGJING)
    changes = AssociationChange.objects.count()
    before = dict(Association.objects.values_list("code", "path"))
    result = services.divisions_load(rows=rows, valid_from=LATER)
    assert result.created == 0
    assert result.renamed == result.moved == result.closed == 0
    assert result.unchanged == len(rows)
    assert AssociationChange.objects.count() == changes
    assert dict(Association.objects.values_list("code", "path")) == before
    assert AuditEvent.objects.filter(object_repr=f"导入行政区划 {len(rows)} 行").count() == 2


def test_renamed_village_keeps_its_history_and_records(yongjing, county, tmp_path):
    staff = staff_in(county, DAZHUANG)
    lines = [
        line.replace("大庄村委会", "大庄社区居委会") if line.startswith(DAZHUANG) else line
        for line in yongjing_lines()
    ]
    result = services.divisions_load(rows=read_file(write(tmp_path, lines)), valid_from=LATER)
    assert (result.created, result.renamed, result.moved) == (0, 1, 0)
    village = Association.objects.get(code=DAZHUANG)
    assert village.name == "大庄社区居委会计生协"
    assert village.division_name == "大庄社区居委会"
    assert village.name_pinyin.startswith("dazhuangshequ")
    assert village.version == 2
    change = village.changes.get(kind=AssociationChange.Kind.RENAME)
    assert change.before == {"name": "大庄村委会计生协", "division_name": "大庄村委会"}
    assert change.after == {"name": "大庄社区居委会计生协", "division_name": "大庄社区居委会"}
    assert change.effective_date == LATER
    assert village.changes.filter(kind=AssociationChange.Kind.CREATE).exists()
    # The staff stay with the same association; the new name is searchable.
    assert StaffMember.objects.get(pk=staff.pk).association_id == village.pk
    found = association_list(user=county, query="大庄社区").items
    assert [a.code for a in found] == [DAZHUANG]


def test_village_moved_to_another_township_rewrites_paths(yongjing, county):
    group = services.association_create(
        actor=county,
        parent=Association.objects.get(code=DAZHUANG),
        kind=Association.Kind.MEMBER_GROUP,
        name="大庄村第一会员小组",
    )
    staff = staff_in(county, group.code)
    township = make_user("township", LIUJIAXIA, "township_staff")
    township2 = make_user("township2", YANGUOXIA, "township_staff")
    # A division file cannot say this (a village code sits under its township's code); the loader
    # itself handles it when given such a row.
    rows = [
        *(r for r in read_file(YONGJING) if r.code != DAZHUANG),
        DivisionRow(code=DAZHUANG, name="大庄村委会", level="village", parent_code=YANGUOXIA),
    ]
    result = services.divisions_load(rows=rows, valid_from=LATER)
    assert (result.created, result.renamed, result.moved) == (0, 0, 1)
    village = Association.objects.get(code=DAZHUANG)
    assert village.parent.code == YANGUOXIA
    assert village.path == f"/62/6229/622923/{YANGUOXIA}/{DAZHUANG}/"
    group.refresh_from_db()
    assert group.path == f"/62/6229/622923/{YANGUOXIA}/{DAZHUANG}/{group.code}/"
    assert group.depth == 5
    assert group.parent_id == village.pk
    change = village.changes.get(kind=AssociationChange.Kind.MOVE)
    assert change.before == {"path": f"/62/6229/622923/{LIUJIAXIA}/{DAZHUANG}/"}
    # The scope follows the tree: the old township no longer sees the village or its people.
    assert not Association.objects.visible_to(township).filter(code=DAZHUANG).exists()
    assert not StaffMember.objects.visible_to(township).filter(pk=staff.pk).exists()
    assert StaffMember.objects.visible_to(township2).filter(pk=staff.pk).exists()
    # Loading the same rows again is a no-op.
    again = services.divisions_load(rows=rows, valid_from=LATER)
    assert (again.moved, again.unchanged) == (0, len(rows))


def test_a_file_cannot_hang_a_village_under_another_township(yongjing, tmp_path):
    lines = [
        f"{DAZHUANG},大庄村委会,village,{YANGUOXIA}" if line.startswith(DAZHUANG) else line
        for line in yongjing_lines()
    ]
    number = 2 + next(i for i, line in enumerate(lines) if line.startswith(DAZHUANG))
    assert errors_of(write(tmp_path, lines)) == [
        f"第{number}行：编码“{DAZHUANG}”不在上级“{YANGUOXIA}”之下"
    ]


def test_close_missing_closes_a_dropped_village_without_deleting_it(yongjing, county, tmp_path):
    staff = staff_in(county, "622923100205")
    lines = [line for line in yongjing_lines() if not line.startswith("622923100205")]
    path = write(tmp_path, lines)

    kept = services.divisions_load(rows=read_file(path), valid_from=LATER)
    assert kept.closed == 0
    assert Association.objects.get(code="622923100205").valid_to is None

    result = services.divisions_load(rows=read_file(path), valid_from=LATER, close_missing=True)
    assert result.closed == 1
    assert result.unchanged == len(lines)
    dropped = Association.objects.get(code="622923100205")
    assert dropped.valid_to == LATER
    assert dropped.changes.filter(kind=AssociationChange.Kind.CLOSE).count() == 1
    assert StaffMember.objects.get(pk=staff.pk).association_id == dropped.pk
    assert not Association.objects.current().filter(code="622923100205").exists()
    assert Association.objects.current().filter(code="622923100204").exists()

    # Listed again, it is reopened, not created a second time.
    back = services.divisions_load(rows=read_file(YONGJING), valid_from=LATER)
    assert back.created == 0
    dropped.refresh_from_db()
    assert dropped.valid_to is None
    assert dropped.changes.filter(kind=AssociationChange.Kind.REOPEN).count() == 1


def test_close_missing_touches_only_the_files_roots(yongjing, tmp_path):
    # A file of one township closes nothing outside that township.
    lines = [
        line
        for line in yongjing_lines()
        if line.startswith(LIUJIAXIA) and not line.startswith("622923100205")
    ]
    result = services.divisions_load(
        rows=read_file(write(tmp_path, lines)), valid_from=LATER, close_missing=True
    )
    assert result.closed == 1
    assert Association.objects.current().filter(code=YANGUOXIA).exists()
    assert Association.objects.current().filter(code="622923101201").exists()


def test_missing_parent_is_refused_and_nothing_is_written(db, tmp_path):
    rows = read_file(write(tmp_path, ["622923,永靖县,county,6229"]))
    with pytest.raises(ServiceError, match="6229"):
        services.divisions_load(rows=rows, valid_from=LATER)
    assert not Association.objects.exists()


def test_loaded_history_is_seen_only_inside_the_scope(yongjing, client, client_for, tmp_path):
    from django.contrib.auth.models import AnonymousUser

    lines = [
        line.replace("大庄村委会", "大庄社区居委会") if line.startswith(DAZHUANG) else line
        for line in yongjing_lines()
    ]
    services.divisions_load(rows=read_file(write(tmp_path, lines)), valid_from=LATER)
    township = make_user("township", LIUJIAXIA, "township_staff")
    township2 = make_user("township2", YANGUOXIA, "township_staff")
    volunteer = make_user("volunteer", DAZHUANG, "volunteer")
    renames = AssociationChange.objects.filter(kind=AssociationChange.Kind.RENAME)
    assert renames.visible_to(township).count() == 1
    assert renames.visible_to(township2).count() == 0
    assert renames.visible_to(AnonymousUser()).count() == 0
    assert (
        "大庄村委会计生协 → 大庄社区居委会计生协"
        in client_for(township).get(f"/org/a/{DAZHUANG}/").content.decode()
    )
    assert client_for(township2).get(f"/org/a/{DAZHUANG}/").status_code == 404
    assert client_for(volunteer).get(f"/org/a/{DAZHUANG}/").status_code == 403
    assert client.get(f"/org/a/{DAZHUANG}/").status_code == 302


# --- the management command --------------------------------------------------------------------


def test_command_loads_a_file(db, tmp_path, capsys):
    call_command("load_divisions", str(write(tmp_path, TOP, name="d.csv.gz")))
    assert Association.objects.count() == len(TOP)
    assert f"{len(TOP)} created" in capsys.readouterr().out


def test_command_refuses_a_bad_file_and_writes_nothing(db, tmp_path):
    path = write(tmp_path, [*TOP, "62292310020,短编码村,village,622923100"])
    with pytest.raises(CommandError) as caught:
        call_command("load_divisions", str(path))
    assert "第10行" in str(caught.value)
    assert "nothing was loaded" in str(caught.value)
    assert not Association.objects.exists()
    assert not AssociationChange.objects.exists()


def test_command_rolls_back_when_a_parent_is_missing(yongjing, tmp_path):
    count = Association.objects.count()
    path = write(
        tmp_path,
        ["622923300,新设镇,township,622923", "622923399201,某村,village,622923399"],
    )
    with pytest.raises(CommandError, match="622923399"):
        call_command("load_divisions", str(path))
    assert Association.objects.count() == count
    assert not Association.objects.filter(code="622923300").exists()


def test_command_refuses_a_bad_date_and_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("load_divisions", str(write(tmp_path, TOP)), "--valid-from", "2024/01/01")
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_divisions", str(tmp_path / "absent.csv"))
    assert not Association.objects.exists()


def test_command_close_missing(yongjing, tmp_path, capsys):
    lines = [line for line in yongjing_lines() if not line.startswith("622923100205")]
    call_command(
        "load_divisions",
        str(write(tmp_path, lines)),
        "--close-missing",
        "--valid-from",
        "2024-06-01",
    )
    assert "1 closed" in capsys.readouterr().out
    assert Association.objects.get(code="622923100205").valid_to == LATER
