"""Forms of the importer: the upload, and the mapping of the columns."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onboarding.imports.mapping import NEW_CUSTOM
from onboarding.imports.models import DateOrder, DedupeMode, ImportBatch, ImportKind
from onboarding.imports.reading import ENCODINGS
from onboarding.imports.services import AUTO, max_upload_bytes

KIND_CHOICES = [(AUTO, _("Detect from the file")), *ImportKind.choices]
ENCODING_CHOICES = [("", _("Detect automatically")), *ENCODINGS]


def _styled(form: forms.Form) -> None:
    """Tabler's look for the form's selects."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs.setdefault("class", "form-select")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (any delimiter or encoding) or Excel .xlsx, with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )
    kind = forms.ChoiceField(label=_("Records in the file"), choices=KIND_CHOICES, initial=AUTO)
    encoding = forms.ChoiceField(label=_("Encoding"), choices=ENCODING_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB. Split it into smaller files.")
                % {"limit": settings.IMPORT_MAX_UPLOAD_MB}
            )
        return upload


class MappingForm(forms.Form):
    """One select per column, plus how the file is read and what a duplicate does."""

    kind = forms.ChoiceField(label=_("Records in the file"), choices=ImportKind.choices)
    dedupe = forms.ChoiceField(
        label=_("When a row matches an existing record"), choices=DedupeMode.choices
    )
    date_order = forms.ChoiceField(label=_("Dates like 3/7/1985"), choices=DateOrder.choices)

    def __init__(
        self,
        *args: Any,
        batch: ImportBatch,
        targets: list[tuple[str, str]],
        can_create_fields: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {"kind": batch.kind, "dedupe": batch.dedupe, "date_order": batch.date_order},
        )
        super().__init__(*args, **kwargs)
        self.batch = batch
        if batch.file_format == "xlsx":
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=[(s, s) for s in batch.sheets], initial=batch.sheet
            )
        else:
            self.fields["encoding"] = forms.ChoiceField(
                label=_("Encoding"),
                choices=self._encodings(batch),
                initial=batch.encoding,
            )
        choices: list[tuple[str, Any]] = [("", _("— Skip this column —")), *targets]
        if can_create_fields:
            choices.append((NEW_CUSTOM, _("New custom field (text)")))
        for index, header in enumerate(batch.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=batch.mapping[index] if index < len(batch.mapping) else "",
            )

        _styled(self)

    @staticmethod
    def _encodings(batch: ImportBatch) -> list[tuple[str, str]]:
        known = dict(ENCODINGS)
        if batch.encoding and batch.encoding not in known:
            return [(batch.encoding, batch.encoding), *ENCODINGS]
        return list(ENCODINGS)

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{index}"] for index in range(len(self.batch.headers))]

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{i}") or "" for i in range(len(self.batch.headers))]
