"""Forms of the task book pages. Choices come from scoped selectors the views pass in; every
rule is the service's (files are checked by `fpa.core.uploads.clean_document` there), the
forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fpa.core import uploads
from fpa.core.forms import DateInput
from fpa.core.forms import ReopenForm as CoreReopenForm
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker
from fpa.tasks import rules
from fpa.tasks.models import Measure, Task
from fpa.tasks.selectors import LADDER, SORTS

VERSION_MAX = 2**31 - 1
FILES_HELP = _(
    "选填，最多5个：PDF不超过10 MB，JPEG、PNG或WebP图片不超过5 MB；图片保存时去除拍摄地点等附加信息"
)
LINKS_HELP = _("选填，每行一个本平台的页面地址（以“/”开头），如某次活动、某户走访记录的页面地址")


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=VERSION_MAX, required=False
    )


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Evidence files (optional): a list of uploads, checked by the service."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("佐证材料"))
        kwargs.setdefault("help_text", FILES_HELP)
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = uploads.ACCEPT_DOCUMENTS

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > rules.FILES_MAX:
            raise forms.ValidationError(
                _("每次最多上传%(max)s个文件。"), params={"max": rules.FILES_MAX}
            )
        return files


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class TaskForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("改革措施"), queryset=Measure.objects.none())
    title = forms.CharField(label=_("任务名称"), max_length=rules.TITLE_MAX)
    lead_department = forms.CharField(
        label=_("牵头部门（平台外，选填）"),
        max_length=rules.UNIT_MAX,
        required=False,
        help_text=_("牵头的是平台外的部门（如县卫生健康局）时填写；进展仍由牵头计生协在平台报告"),
    )
    co_departments = forms.CharField(
        label=_("配合部门（平台外，选填）"),
        max_length=rules.UNIT_MAX,
        required=False,
        help_text=_("多个部门用“、”分隔"),
    )
    start_on = forms.DateField(label=_("开始日期"), widget=DateInput)
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput)
    deliverables = forms.CharField(
        label=_("成果要求"), max_length=rules.TEXT_MAX, widget=_textarea()
    )
    version = _version()

    def __init__(
        self,
        *args: Any,
        measures: QuerySet[Any],
        associations: QuerySet[Any],
        users: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = measures
        self.fields = {
            "measure": measure,
            "title": self.fields["title"],
            "association": AssociationPicker(associations, label=_("牵头计生协")),
            "responsible": UserChoice(
                label=_("责任人（选填）"),
                queryset=users,
                required=False,
                help_text=_("牵头计生协的工作人员；不填时，提醒发给该计生协全部可报告进展的人员"),
            ),
            "co_associations": forms.ModelMultipleChoiceField(
                label=_("配合计生协（选填）"),
                queryset=associations,
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 5}),
            ),
            **{k: v for k, v in self.fields.items() if k not in ("measure", "title")},
        }


class DelegateForm(forms.Form):
    associations = forms.ModelMultipleChoiceField(
        label=_("下达给"),
        queryset=Association.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择要下达的单位。")},
    )

    def __init__(self, *args: Any, below: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["associations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = below


class ReportForm(forms.Form):
    reported_on = forms.DateField(label=_("报告日期"), widget=DateInput)
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    text = forms.CharField(label=_("进展情况"), max_length=rules.TEXT_MAX, widget=_textarea(5))
    links = forms.CharField(
        label=_("平台内佐证链接"),
        required=False,
        widget=_textarea(3),
        help_text=LINKS_HELP,
        max_length=rules.LINKS_MAX * (rules.LINK_MAX + 2),
    )
    evidence_files = EvidenceFilesField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"reported_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=rules.NOTE_MAX, required=False)
    expected_version = _version()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=rules.NOTE_MAX, min_length=2)
    expected_version = _version()


class ReopenForm(CoreReopenForm):
    expected_version = _version()


class RemindForm(forms.Form):
    message = forms.CharField(label=_("提醒内容"), max_length=rules.NOTE_MAX, required=False)


class NoticeForm(forms.Form):
    problem = forms.CharField(label=_("存在问题"), max_length=rules.TEXT_MAX, widget=_textarea())
    new_deadline = forms.DateField(label=_("整改时限"), widget=DateInput)
    required_answer = forms.CharField(
        label=_("办理要求"), max_length=rules.TEXT_MAX, widget=_textarea(3)
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("办理情况"), max_length=rules.TEXT_MAX, widget=_textarea(5))
    links = forms.CharField(
        label=_("平台内佐证链接"),
        required=False,
        widget=_textarea(3),
        help_text=LINKS_HELP,
        max_length=rules.LINKS_MAX * (rules.LINK_MAX + 2),
    )
    evidence_files = EvidenceFilesField()
    expected_version = _version()


class InterviewForm(forms.Form):
    held_on = forms.DateField(label=_("约谈日期"), widget=DateInput)
    attendees = forms.CharField(label=_("参加人员"), max_length=rules.NOTE_MAX)
    conclusions = forms.CharField(
        label=_("约谈结论"), max_length=rules.TEXT_MAX, widget=_textarea()
    )


class ExtensionForm(forms.Form):
    requested_deadline = forms.DateField(label=_("申请延至"), widget=DateInput)
    reason = forms.CharField(label=_("延期理由"), max_length=rules.TEXT_MAX, widget=_textarea(3))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"),
        choices=[("1", _("同意延期")), ("0", _("不同意"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("审批意见"), max_length=rules.NOTE_MAX, required=False)


class MeasureForm(forms.Form):
    number = forms.IntegerField(label=_("序号"), min_value=1, max_value=999)
    title = forms.CharField(label=_("改革措施"), max_length=rules.TITLE_MAX)


class FilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[])
    measure = forms.ModelChoiceField(required=False, queryset=Measure.objects.none())
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    q = forms.CharField(required=False, max_length=50)
    sort = forms.ChoiceField(required=False, choices=[])
    ladder = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args: Any, measures: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            ("", _("全部状态")),
            *((code, _(label)) for code, label in rules.STATUS_LABELS.items()),
        ]
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = measures
        measure.empty_label = str(_("全部措施"))
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        years = rules.list_years(timezone.localdate().year)
        year.choices = [("", _("全部年度")), *((y, str(y)) for y in years)]
        sort = self.fields["sort"]
        assert isinstance(sort, forms.ChoiceField)
        sort.choices = [(key, _(label)) for key, (label, _k, _d) in SORTS.items()]
        ladder = self.fields["ladder"]
        assert isinstance(ladder, forms.ChoiceField)
        ladder.choices = [("", _("不限")), *((key, _(label)) for key, label in LADDER.items())]


STAGES = Task.Stage
