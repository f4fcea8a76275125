from django import forms


class PagesForm(forms.Form):
    pages = forms.MultipleChoiceField(
        label="Pages to connect", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one Page to connect."},
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pages"].choices = choices
