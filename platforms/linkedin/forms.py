from django import forms


class PagesForm(forms.Form):
    """Which of the pages the member administers to connect."""

    pages = forms.MultipleChoiceField(
        label="Pages to connect", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one page, or choose \u201cNot now\u201d to connect none."},
        help_text="Each page becomes an account of its own that posts as the page. To stop posting to a "
                  "page later, disconnect it on the accounts page.",
    )

    def __init__(self, *args, pages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pages"].choices = [(p["id"], p["name"]) for p in pages]
