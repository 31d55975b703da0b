"""Special families import and export on the Excel engine, through the real views and services.

刘家峡镇 (`township`) imports and exports its families; 盐锅峡镇 (`township2`) is the sibling that
must never appear; `auditor` and `finance` may not open the family pages at all. The kind of a
family (失独/伤残/并发症) and the child's death date and disability grade, which tell it, appear in
the full export only. Every failed import leaves the families and the audit trail as they were.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.core.errors import NotAllowed
from fpa.core.excel.pages import UPLOAD_EXPIRED
from fpa.core.excel.reader import NUMBER_TOO_LONG
from fpa.core.excel.safety import neutralise
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent
from fpa.families import excel as family_excel
from fpa.families import services
from fpa.families.models import Family, Person
from fpa.families.views import FAMILY_IMPORT
from fpa.organizations import services as org_services
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, all_text, content, follow_job
from tests.test_excel_engine import fullwidth, read_back, xlsx
from tests.test_excel_safety import BOMB_RATIO, MB, parts_of, rezip

HONGLIU = "622923100202"  # another village of 刘家峡镇
HEADER = [
    "协会编码",
    "家庭类别",
    "母亲姓名",
    "母亲身份证号码",
    "母亲联系电话",
    "父亲姓名",
    "父亲身份证号码",
    "父亲联系电话",
    "子女姓名",
    "子女死亡日期",
    "子女残疾等级",
    "住址",
    "登记日期",
    "仅生育或收养一个子女",
    "此后再生育或收养子女",
]
KINDS = "失独家庭、伤残家庭、手术并发症家庭"
KIND_WORDS = ("失独", "伤残", "并发症", "bereaved", "disabled_child", "complication")
IMPORT_URL = "/families/import/"
EXPORT_URL = "/families/export/"
NOT_SHOWN = "（敏感，不显示）"
OUT_OF_SCOPE = "协会编码不存在或不在您的管辖范围内。"

_sequence = itertools.count(1)


def new_id(birth: datetime.date = datetime.date(1968, 5, 6), sex: str = "F") -> str:
    n = next(_sequence) % 480 + 10
    return synthesize("622923", birth, 2 * n + (1 if sex == "M" else 0))


def new_phone() -> str:
    return f"1376666{next(_sequence):04d}"


def masked_id(value: str) -> str:
    return value[:6] + "*" * 8 + value[-4:]


def assoc(code: str) -> Association:
    return Association.objects.get(code=code)


def today() -> datetime.date:
    return timezone.localdate()


def line(code: str = DAZHUANG, kind: Any = "失独家庭", **cells: Any) -> list[Any]:
    """One row of the sheet: cells by field name (mother_name, child_death_date, ...)."""
    values = {"association": code, "kind": kind, **cells}
    return [values.get(c.field) for c in family_excel.FAMILY_SHEET.columns]


def workbook(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    return xlsx([header, *rows], sheet="计生特殊家庭")


def upload(client: Any, data: bytes, name: str = "特殊家庭.xlsx") -> Any:
    """Upload, then follow to the dry-run job's page (the report, the confirm button)."""
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)}, follow=True)


def register(
    actor: Any,
    code: str = DAZHUANG,
    mother: str | None = "张桂兰",
    kind: str = Family.Kind.BEREAVED,
    father: str | None = None,
    **extra: Any,
) -> Family:
    people: list[dict[str, Any]] = []
    if mother:
        people.append(
            {"role": "mother", "name": mother, "id_number": new_id(), "phone": new_phone()}
        )
    if father:
        people.append(
            {
                "role": "father",
                "name": father,
                "id_number": new_id(datetime.date(1966, 2, 3), "M"),
                "phone": new_phone(),
            }
        )
    child: dict[str, Any] = {"role": "child", "name": extra.pop("child", "李明")}
    if kind == Family.Kind.BEREAVED:
        child["death_date"] = datetime.date(2019, 3, 2)
    elif kind == Family.Kind.DISABLED_CHILD:
        child["disability_grade"] = 2
    people.append(child)
    return services.family_register(
        actor=actor,
        association=assoc(code),
        kind=kind,
        address=extra.pop("address", "大庄村三社"),
        registered_on=extra.pop("registered_on", datetime.date(2024, 5, 1)),
        people=people,
        **extra,
    )


def person(family: Family, role: str) -> Person:
    return family.people.get(role=role)


def id_of(family: Family, role: str) -> str:
    return person(family, role).id_number.reveal_unchecked()


def state() -> tuple[Any, ...]:
    """Everything an import could change."""
    families = list(
        Family.objects.order_by("id").values_list(
            "id", "kind", "address", "version", "head_name", "registered_on"
        )
    )
    people = list(
        Person.objects.order_by("id").values_list(
            "id", "name", "id_number_hash", "phone_hash", "death_date", "disability_grade"
        )
    )
    audit = AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN).count()
    return families, people, audit


# --- template and pages -----------------------------------------------------------------------


def test_template_download_and_the_pages(township, client_for):
    client = client_for(township)
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    response = client.get(IMPORT_URL, {"download": "template"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''" + quote("计生特殊家庭导入模板.xlsx")
    )
    data = content(response)
    assert read_back(data) == [HEADER]
    notes = [str(cell) for row in read_back(data, "填写说明") for cell in row]
    assert any("以母亲身份证号码识别家庭" in cell for cell in notes)
    assert any(KINDS in cell for cell in notes)  # the dropdown labels of 家庭类别
    listing = client.get("/families/").content.decode()
    assert IMPORT_URL in listing and EXPORT_URL in listing and "/families/monthly/" in listing


def test_pages_need_their_capabilities(client, finance, auditor, volunteer, client_for):
    for url in (IMPORT_URL, EXPORT_URL):
        assert client.get(url)["Location"].startswith("/accounts/login/")
        for user in (finance, auditor, volunteer):
            reader = client_for(user)
            assert reader.get(url).status_code == 403, (url, user.username)
            assert reader.get(url, {"download": "1"}).status_code == 403
            assert reader.post(url, {"reveal": "1", "reason": "想看看"}).status_code == 403
    assert upload(client_for(auditor), workbook()).status_code == 403


# --- dry run ------------------------------------------------------------------------------------


def test_dry_run_lists_every_problem_and_writes_nothing(
    county, township, township2, client_for, uploads_dir
):
    mine = register(township, mother="张桂兰")
    theirs = register(township2, code=SHANGQUAN, mother="外镇母亲")
    closed = (
        Association.objects.filter(parent__code=LIUJIAXIA, kind="village")
        .exclude(code__in=[DAZHUANG, HONGLIU])
        .order_by("code")
        .first()
    )
    org_services.association_close(
        actor=county, association=closed, effective_date=datetime.date(2024, 1, 1)
    )
    good = new_id()
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    death = {"child_name": "李明", "child_death_date": "2019-03-02"}
    tomorrow = today() + datetime.timedelta(days=1)
    twice = new_id()
    data = workbook(
        line(SHANGQUAN, mother_name="外村甲", mother_id_number=new_id(), **death),
        line("999999999999", mother_name="查无此会", mother_id_number=new_id(), **death),
        line(mother_name="赵六", mother_id_number=bad_check, **death),
        line(mother_name="无号码", **death),
        line(
            kind="伤残家庭",
            mother_name="钱七",
            mother_id_number=new_id(),
            father_name="冒名",
            father_id_number=id_of(mine, "mother"),
            child_name="钱小",
            child_disability_grade="二级",
        ),
        line(mother_name="外镇母亲", mother_id_number=id_of(theirs, "mother"), **death),
        line(mother_name="孙八", mother_id_number=new_id(), child_name="孙小"),
        line(kind="伤残家庭", mother_name="周九", mother_id_number=new_id(), child_name="周小"),
        line(mother_name="吴十", mother_id_number=good, **death),
        line(HONGLIU, father_name="吴十重", father_id_number=fullwidth(good), **death),
        line(kind="计生特殊家庭", mother_name="郑一", mother_id_number=new_id(), **death),
        line(kind="孤寡家庭", mother_name="郑二", mother_id_number=new_id(), **death),
        line(mother_name="郑三", mother_id_number=new_id(), father_phone="13900002222", **death),
        line(
            mother_name="郑四",
            mother_id_number=new_id(),
            child_name="郑小",
            child_death_date=tomorrow.isoformat(),
        ),
        line(
            kind="伤残家庭",
            mother_name="郑五",
            mother_id_number=new_id(),
            child_name="郑小",
            child_disability_grade="五级",
        ),
        line(closed.code, mother_name="郑七", mother_id_number=new_id(), **death),
        line(mother_name="郑八", mother_id_number=622923196805060000, **death),
        line(
            mother_name="郑九",
            mother_id_number=twice,
            father_name="郑父",
            father_id_number=twice,
            **death,
        ),
    )
    before = state()
    response = upload(client_for(township), data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.messages == [
        f"第2行「协会编码」：{OUT_OF_SCOPE}",
        f"第3行「协会编码」：{OUT_OF_SCOPE}",
        "第4行「母亲身份证号码」：身份证号码校验位不正确，请核对。",
        "第5行「母亲身份证号码」：母亲或父亲的身份证号码至少填写一项（用于识别家庭）。",
        "第6行「父亲身份证号码」：身份证号码重复：已登记在大庄村委会计生协的家庭（张桂兰）中，"
        "不能重复登记。",
        "第7行「母亲身份证号码」：身份证号码重复：已在其他地区登记，请联系县计生协核实，"
        "不能重复登记。",
        "第8行「子女死亡日期」：失独家庭请填写子女死亡日期。",
        "第9行「子女残疾等级」：伤残家庭请填写子女残疾等级。",
        "第11行「父亲身份证号码」：与第10行的身份证号码相同：同一人只能登记在一户家庭中，"
        "请删除重复的行。",
        "第12行「家庭类别」：“计生特殊家庭”是打码导出的写法，新登记的家庭请填写具体类别："
        f"{KINDS}。",
        f"第13行「家庭类别」：无法识别“孤寡家庭”，可填写：{KINDS}。",
        "第14行「父亲姓名」：填写了父亲的信息，请填写父亲姓名。",
        "第15行「子女死亡日期」：日期不能晚于今天。",
        "第16行「子女残疾等级」：残疾等级应为一至四级（可填写1、2、3、4或“二级”等）。",
        "第17行「协会编码」：家庭须登记在在用的村（社区）、乡镇或流动人口计生协。",
        f"第18行「母亲身份证号码」：{NUMBER_TOO_LONG}",
        "第19行「父亲身份证号码」：同一身份证号码不能填写两次。",
    ]
    assert "token" not in response.context
    body = response.content.decode()
    assert "第8行「子女死亡日期」：失独家庭请填写子女死亡日期。" in body
    assert 'name="token"' not in body
    assert "外镇母亲" not in body  # the family elsewhere is never named
    assert state() == before
    assert list(uploads_dir.iterdir()) == []
    # Committing the same file directly refuses it just the same.
    result = family_excel.FamilyImporter(actor=township).commit(data)
    assert not result.committed and result.messages == report.messages
    assert state() == before


def test_a_village_cannot_import_into_its_sibling_or_its_township(village):
    death = {"child_name": "李明", "child_death_date": "2019-03-02"}
    data = workbook(
        line(DAZHUANG, mother_name="本村", mother_id_number=new_id(), **death),
        line(HONGLIU, mother_name="邻村", mother_id_number=new_id(), **death),
        line(LIUJIAXIA, mother_name="本镇", mother_id_number=new_id(), **death),
        line(YANGUOXIA, mother_name="外镇", mother_id_number=new_id(), **death),
    )
    report = family_excel.FamilyImporter(actor=village).dry_run(data)
    assert report.messages == [f"第{n}行「协会编码」：{OUT_OF_SCOPE}" for n in (3, 4, 5)]


def test_refused_files_are_reported_on_the_page(township, client_for, uploads_dir):
    client = client_for(township)
    before = state()
    response = upload(client, "协会编码,家庭类别\n622923100201,失独家庭\n".encode(), "伪装.xlsx")
    assert response.context["report"].messages == [
        "该文件不是Excel工作簿（.xlsx）格式（只改扩展名无效）。"
        "请在Excel或WPS中“另存为”Excel工作簿（*.xlsx）后重新上传。"
    ]
    response = client.post(IMPORT_URL, {})
    assert response.context["report"].messages == ["请选择要上传的Excel文件（.xlsx）。"]
    assert state() == before


def test_a_zip_bomb_is_refused_on_the_families_import_page(township, client_for, uploads_dir):
    good = workbook(
        line(
            mother_name="王秀英",
            mother_id_number=new_id(),
            child_name="刘强",
            child_death_date="2019-03-02",
        )
    )
    bomb = rezip(parts_of(good), extra=[("xl/media/zeros.bin", b"\0" * (5 * MB))])
    assert len(bomb) < MB
    before = state()
    response = upload(client_for(township), bomb)
    assert response.status_code == 200
    assert response.context["report"].messages == [BOMB_RATIO]
    assert "token" not in response.context
    assert BOMB_RATIO in response.content.decode()
    assert state() == before
    assert list(uploads_dir.iterdir()) == []


# --- commit and idempotency ---------------------------------------------------------------------


def test_upload_preview_commit_and_the_same_file_again(township, client_for, uploads_dir):
    client = client_for(township)
    mother, father = new_id(), new_id(datetime.date(1966, 1, 2), "M")
    lone_father = new_id(datetime.date(1970, 7, 8), "M")
    data = workbook(
        line(
            mother_name="王秀英",
            mother_id_number=fullwidth(mother),
            mother_phone=fullwidth("13912340001"),
            father_name="刘德福",
            father_id_number=father,
            child_name="刘强",
            child_death_date=datetime.date(2018, 8, 8),
            address="大庄村一社",
            one_child_only="是",
            later_child="否",
        ),
        line(
            HONGLIU,
            kind="伤残家庭",
            father_name="马建国",
            father_id_number=lone_father.lower(),
            child_name="马小龙",
            child_disability_grade="2级",
            registered_on="2024/3/5",
        ),
    )
    before = state()
    response = upload(client, data)
    report = response.context["report"]
    assert report.ok, report.messages
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert [p.label for p in report.preview] == [
        "王秀英（大庄村委会计生协）",
        "马建国（红柳村委会计生协）",
    ]
    first = dict(report.preview[0].values)
    assert first["家庭类别"] == NOT_SHOWN and first["子女死亡日期"] == NOT_SHOWN
    assert first["母亲身份证号码"] == masked_id(mother)
    assert first["母亲联系电话"] == "139****0001"
    assert dict(report.preview[1].values)["子女残疾等级"] == NOT_SHOWN
    body = response.content.decode()
    assert "确认导入（新登记2户，修改0户）" in body
    for secret in (
        mother,
        father,
        lone_father,
        "13912340001",
        "2018-08-08",
        "失独家庭",
        "伤残家庭",
    ):
        assert secret not in body
    assert state() == before  # the dry run wrote nothing
    token = response.context["token"]
    stored = list(uploads_dir.iterdir())
    assert [p.name for p in stored] == [f"{token}.bin"]
    assert mother.encode() not in stored[0].read_bytes()  # encrypted at rest

    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    summary = client.get(response["Location"]).content.decode()  # the commit job's result page
    assert 'href="/families/"' in summary
    assert list(uploads_dir.iterdir()) == []
    wang = Family.objects.get(head_name="王秀英")
    assert (wang.association.code, wang.kind, wang.address) == (DAZHUANG, "bereaved", "大庄村一社")
    assert (wang.registered_on, wang.one_child_only, wang.later_child) == (today(), True, False)
    assert id_of(wang, "mother") == mother
    assert person(wang, "mother").phone.reveal_unchecked() == "13912340001"
    assert person(wang, "mother").birth_date == datetime.date(1968, 5, 6)
    assert id_of(wang, "father") == father
    assert person(wang, "child").death_date == datetime.date(2018, 8, 8)
    ma = Family.objects.get(head_name="马建国")
    assert (ma.association.code, ma.kind, ma.registered_on) == (
        HONGLIU,
        "disabled_child",
        datetime.date(2024, 3, 5),
    )
    assert ma.one_child_only is True and ma.later_child is False  # the service's defaults
    assert not ma.people.filter(role="mother").exists()
    assert (person(ma, "child").name, person(ma, "child").disability_grade) == ("马小龙", 2)
    created = AuditEvent.objects.filter(action="create", actor=township)
    assert created.filter(object_type="families.family").count() == 2
    assert created.filter(object_type="families.person").count() == 5
    assert "导入完成：新登记2户，修改0户，0户未变化。" in summary

    # The same file again: every row unchanged, no token, nothing written.
    after = state()
    response = upload(client, data)
    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2), report.messages
    assert report.ok and "token" not in response.context
    assert "文件中的2行与系统中的记录完全相同，无需导入。" in response.content.decode()
    result = family_excel.FamilyImporter(actor=township).commit(data)
    assert result.committed and (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert state() == after
    # The used token is gone.
    response = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert state() == after


def test_update_by_the_mothers_number_keeps_what_the_masked_file_hides(township):
    family = register(township, mother="张桂兰", address="大庄村三社")
    mother = person(family, "mother")
    old_phone = mother.phone.reveal_unchecked()
    father = new_id(datetime.date(1966, 2, 3), "M")
    # A masked export with the mother's full number typed back and three changes.
    data = workbook(
        line(
            kind="计生特殊家庭",
            mother_name="张桂兰",
            mother_id_number=id_of(family, "mother"),
            mother_phone="13900000002",
            father_name="李建国",
            father_id_number=father,
            child_name="李明",
            child_death_date="****",
            child_disability_grade="****",
            address="大庄村四社",
            registered_on=None,
            one_child_only=None,
            later_child=None,
        )
    )
    report = family_excel.FamilyImporter(actor=township).dry_run(data)
    assert report.ok, report.messages
    assert (report.created, report.updated) == (0, 1)
    assert report.preview[0].label == "张桂兰（大庄村委会计生协）"
    assert [(c.header, c.old, c.new) for c in report.preview[0].changes] == [
        ("母亲联系电话", mother.phone.masked, "139****0002"),
        ("父亲姓名", "", "李建国"),
        ("父亲身份证号码", "", masked_id(father)),
        ("住址", "大庄村三社", "大庄村四社"),
    ]
    assert old_phone != "13900000002"
    mark = AuditEvent.objects.order_by("-id").first().pk
    result = family_excel.FamilyImporter(actor=township).commit(data)
    assert result.committed, result.messages
    family.refresh_from_db()
    assert (family.kind, family.address, family.registered_on) == (
        "bereaved",
        "大庄村四社",
        datetime.date(2024, 5, 1),
    )
    assert (family.one_child_only, family.later_child) == (True, False)
    assert family.version == 3  # the address, then the mother's phone
    assert person(family, "mother").phone.reveal_unchecked() == "13900000002"
    assert id_of(family, "father") == father and person(family, "father").name == "李建国"
    assert person(family, "child").death_date == datetime.date(2019, 3, 2)
    events = AuditEvent.objects.filter(pk__gt=mark, actor=township)
    assert {(e.object_type, e.action) for e in events} == {
        ("families.family", "update"),
        ("families.person", "update"),
        ("families.person", "create"),
    }
    address = events.get(object_type="families.family", changes__has_key="address")
    assert address.changes["address"] == ["大庄村三社", "大庄村四社"]
    phone = events.get(object_type="families.person", action="update")
    assert phone.changes["phone"] == [mother.phone.masked, "139****0002"]
    # Now the file is what is stored: the same upload changes nothing.
    again = family_excel.FamilyImporter(actor=township).dry_run(data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1), again.messages


def test_a_family_without_a_mother_is_known_by_the_fathers_number(township):
    family = register(township, mother=None, father="马建国", kind=Family.Kind.DISABLED_CHILD)
    data = workbook(
        line(
            kind="手术并发症家庭",
            father_name="马建国",
            father_id_number=id_of(family, "father"),
            child_name="李明",
            child_disability_grade="三级",
        )
    )
    report = family_excel.FamilyImporter(actor=township).dry_run(data)
    assert report.ok, report.messages
    assert [(c.header, c.old, c.new) for c in report.preview[0].changes] == [
        ("家庭类别", NOT_SHOWN, NOT_SHOWN),
        ("父亲联系电话", person(family, "father").phone.masked, ""),
        ("子女残疾等级", NOT_SHOWN, NOT_SHOWN),
        ("住址", "大庄村三社", ""),
    ]
    assert family_excel.FamilyImporter(actor=township).commit(data).committed
    family.refresh_from_db()
    assert (family.kind, family.address) == ("complication", "")
    assert person(family, "father").phone is None
    assert person(family, "child").disability_grade == 3


def test_what_an_import_may_not_change(township):
    both = register(township, mother="张桂兰", father="李建国")
    other = register(township, mother="王秀英", code=HONGLIU)
    death = {"child_name": "李明", "child_death_date": "2019-03-02"}
    data = workbook(
        # The father's columns left empty: an import never deletes a person.
        line(mother_name="张桂兰", mother_id_number=id_of(both, "mother"), **death),
        # The same family again, known by the father's number.
        line(father_name="李建国", father_id_number=id_of(both, "father"), **death),
        # Another village than the one the family is registered in.
        line(DAZHUANG, mother_name="王秀英", mother_id_number=id_of(other, "mother"), **death),
        # The same number twice in a file.
        line(HONGLIU, mother_name="王秀英", mother_id_number=id_of(other, "mother")),
    )
    report = family_excel.FamilyImporter(actor=township).dry_run(data)
    assert report.messages == [
        "第2行「父亲姓名」：该家庭已登记父亲，导入不能删除家庭成员，请填写父亲姓名。",
        "第3行：与第2行是同一户家庭，请合并为一行。",
        "第4行「协会编码」：该家庭登记在红柳村委会计生协，导入不能更改家庭所属协会。",
        "第5行「母亲身份证号码」：与第4行的身份证号码相同：同一人只能登记在一户家庭中，"
        "请删除重复的行。",
    ]
    alone = family_excel.FamilyImporter(actor=township).dry_run(
        workbook(line(HONGLIU, mother_name="王秀英", mother_id_number=id_of(other, "mother")))
    )
    assert alone.messages == [
        "第2行「子女姓名」：该家庭已登记子女，导入不能删除家庭成员，请填写子女姓名。",
        "第2行「子女死亡日期」：失独家庭请填写子女死亡日期。",
    ]


def test_the_token_belongs_to_one_user(township, township2, client_for, uploads_dir):
    client = client_for(township)
    data = workbook(
        line(
            mother_name="王秀英",
            mother_id_number=new_id(),
            child_name="刘强",
            child_death_date="2019-03-02",
        )
    )
    token = upload(client, data).context["token"]
    other = client_for(township2)  # another user
    before = state()
    response = other.post(IMPORT_URL, {"token": token}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert state() == before
    from fpa.core.excel import uploads
    from fpa.core.jobs import job_secret
    from fpa.core.models import Job

    key = job_secret(Job.objects.get(kind="excel.dry_run", token=token))
    assert uploads.unseal("organizations.staff", township.pk, token, key) is None
    assert uploads.unseal(FAMILY_IMPORT.kind, township2.pk, token, key) is None
    assert uploads.unseal(FAMILY_IMPORT.kind, township.pk, token, key) == data
    # The same user signed in again (another session) may confirm: the job keeps the upload.
    again = client_for(township)
    assert again.post(IMPORT_URL, {"token": token}).status_code == 302
    assert Family.objects.filter(head_name="王秀英").count() == 1
    response = client.post(IMPORT_URL, {"token": token}, follow=True)  # once only
    assert UPLOAD_EXPIRED in response.content.decode()
    assert Family.objects.filter(head_name="王秀英").count() == 1


# --- export -------------------------------------------------------------------------------------


@pytest.fixture
def two_townships(township, township2):
    local = [
        register(township, mother="本村甲", father="本村父"),
        register(township, code=HONGLIU, mother="邻村乙", kind=Family.Kind.DISABLED_CHILD),
        register(township, mother='=HYPERLINK("http://x.invalid","点")'),
    ]
    foreign = [register(township2, code=SHANGQUAN, mother="外村丙")]
    return local, foreign


def secrets_of(family: Family) -> list[str]:
    out = []
    for p in family.people.all():
        for value in (p.id_number, p.phone):
            if value:
                out.append(value.reveal_unchecked())
    return out


def flat_of(data: bytes) -> list[str]:
    return [str(cell) for row in read_back(data) for cell in row]


def test_masked_export_holds_no_plaintext_and_no_kind(township, client_for, two_townships):
    local, foreign = two_townships
    client = client_for(township)
    assert client.get(EXPORT_URL).status_code == 200
    before = AuditEvent.objects.count()
    response = follow_job(client, client.get(EXPORT_URL, {"download": "1"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert quote("计生特殊家庭-") in response["Content-Disposition"]
    data = content(response)
    raw = all_text(data)
    rows = read_back(data)
    assert rows[0] == HEADER
    assert len(rows) == 1 + len(local)
    for row in rows[1:]:
        assert row[1] == "计生特殊家庭"
        assert (row[9], row[10]) == ("****", "****")  # the same for every family
    flat = flat_of(data)
    for word in (*KIND_WORDS, "2019-03-02", "二级"):  # (the instructions sheet lists the kinds)
        assert not any(word in cell for cell in flat), word
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(isinstance(cell, datetime.date) and cell.year == 2019 for cell in cells)
    for family in local:
        for secret in secrets_of(family):
            assert secret.encode() not in raw and secret not in flat
        assert masked_id(id_of(family, "mother")) in flat
        assert person(family, "mother").phone.masked in flat
    for family in foreign:
        assert family.head_name not in flat
        assert all(secret not in flat for secret in secrets_of(family))
    assert '\'=HYPERLINK("http://x.invalid","点")' in flat
    assert b"<f>" not in raw
    assert AuditEvent.objects.count() == before  # a masked export reveals nothing


def test_the_export_holds_the_register_unless_asked_for_all(township, client_for, two_townships):
    local, _ = two_townships
    services.family_change_status(
        actor=township,
        family=local[0],
        status="moved_out",
        effective_date=today(),
        reason="迁往兰州",
    )
    client = client_for(township)
    names = [
        row[2]
        for row in read_back(content(follow_job(client, client.get(EXPORT_URL, {"download": "1"}))))
    ]
    assert "本村甲" not in names and "邻村乙" in names
    everything = follow_job(client, client.get(EXPORT_URL, {"download": "1", "all": "1"}))
    assert "本村甲" in [row[2] for row in read_back(content(everything))]


def test_full_export_is_audited_and_round_trips(township, client_for, two_townships):
    local, foreign = two_townships
    client = client_for(township)
    before = AuditEvent.objects.count()
    response = follow_job(client, client.post(EXPORT_URL, {"reveal": "1", "reason": "年度核对"}))
    assert response.status_code == 200
    assert quote("（完整信息）") in response["Content-Disposition"]
    data = content(response)
    rows = read_back(data)
    by_mother = {row[2]: row for row in rows[1:]}
    assert by_mother["本村甲"][1] == "失独家庭"
    assert by_mother["本村甲"][9] == datetime.date(2019, 3, 2)
    assert by_mother["邻村乙"][1] == "伤残家庭" and by_mother["邻村乙"][10] == "二级"
    flat = flat_of(data)
    for family in local:
        assert all(secret in flat for secret in secrets_of(family))
    for family in foreign:
        assert family.head_name not in flat and all(s not in flat for s in secrets_of(family))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor_id, event.reason, event.object_type) == (
        township.pk,
        "年度核对",
        "families.family",
    )
    assert event.changes == {
        "rows": 3,
        "columns": [
            "家庭类别",
            "母亲身份证号码",
            "母亲联系电话",
            "父亲身份证号码",
            "父亲联系电话",
            "子女死亡日期",
            "子女残疾等级",
        ],
    }
    assert event.scope_path == assoc(LIUJIAXIA).path
    # The full export re-imports as unchanged; the masked one cannot key its rows.
    report = family_excel.FamilyImporter(actor=township).dry_run(data)
    assert (report.unchanged, report.created, report.updated) == (3, 0, 0), report.messages
    masked = content(follow_job(client, client.get(EXPORT_URL, {"download": "1"})))
    report = family_excel.FamilyImporter(actor=township).dry_run(masked)
    assert report.messages == [
        f"第{n}行「母亲身份证号码」：该号码已打码（含*号），无法用来匹配已有记录，请填写完整号码。"
        for n in (2, 3, 4)
    ]


def test_full_export_needs_a_reason(township, client_for, two_townships):
    client = client_for(township)
    before = AuditEvent.objects.count()
    response = client.post(EXPORT_URL, {"reveal": "1", "reason": " "})
    assert response.status_code == 200
    assert "请填写导出完整信息的原因。" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_full_export_is_refused_without_personal_reveal(finance, auditor, two_townships):
    before = AuditEvent.objects.count()
    for user in (finance, auditor):
        assert not user.has_capability("personal.reveal")
        with pytest.raises(NotAllowed) as caught:
            family_excel.families_export(user=user, reveal=True, reason="想看看")
        assert caught.value.message == "您没有导出完整个人信息的权限。"
    assert AuditEvent.objects.count() == before


def test_each_township_exports_only_its_own(township, township2, client_for, two_townships):
    local, foreign = two_townships
    for user, mine, theirs in ((township, local, foreign), (township2, foreign, local)):
        client = client_for(user)
        response = follow_job(
            client, client.post(EXPORT_URL, {"reveal": "1", "reason": "核对名单"})
        )
        flat = flat_of(content(response))
        assert all(neutralise(f.head_name) in flat for f in mine)
        for family in theirs:
            assert family.head_name not in flat
            assert all(secret not in flat for secret in secrets_of(family))


def test_export_query_count_does_not_grow_with_rows(
    township, django_assert_num_queries, two_townships
):
    def run(reveal: bool) -> int:
        with CaptureQueriesContext(connection) as queries:
            content(family_excel.families_export(user=township, reveal=reveal, reason="核对"))
        return len(queries)

    masked, full = run(False), run(True)
    for n in range(27):
        register(township, code=HONGLIU if n % 2 else DAZHUANG, mother=f"多{n}", father=f"父{n}")
    assert family_excel.families_for_export(user=township).count() == 30
    with django_assert_num_queries(masked):
        content(family_excel.families_export(user=township))
    with django_assert_num_queries(full):
        content(family_excel.families_export(user=township, reveal=True, reason="核对"))


def test_commit_writes_batches_in_bulk_with_reads_that_do_not_grow(township, monkeypatch):
    """A commit reads the file once and registers each batch's new families with one call to the
    bulk service: the SELECTs per batch do not depend on its rows, and every family still gets its
    audit rows."""
    monkeypatch.setattr(family_excel.FamilyImporter, "batch_size", 8)

    def rows(n: int) -> bytes:
        return workbook(
            *(
                line(
                    mother_name=f"王{i}兰",
                    mother_id_number=new_id(datetime.date(1969, 1, 1 + i % 28)),
                    child_name="李明",
                    child_death_date="2019-03-02",
                )
                for i in range(n)
            )
        )

    def selects(data: bytes) -> int:
        with CaptureQueriesContext(connection) as queries:
            report = family_excel.FamilyImporter(actor=township).commit(data)
        assert report.committed and report.created == report.rows, report.messages
        return sum(q["sql"].startswith("SELECT") for q in queries.captured_queries)

    files = rows(8), rows(16), rows(24)  # one, two and three batches
    marks = AuditEvent.objects.count(), Family.objects.count()
    one, two, three = (selects(data) for data in files)
    # A fixed number of reads per batch, whatever its rows: the associations, the registered
    # numbers, the actor's roles (twice), the duplicate check, the reserved ids (two tables).
    assert three - two == two - one <= 7
    assert Family.objects.count() - marks[1] == 48
    created = AuditEvent.objects.order_by("id")[marks[0] :]
    kinds = [event.object_type for event in created]
    assert kinds.count("families.family") == 48 and kinds.count("families.person") == 96
