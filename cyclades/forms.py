"""The base of every form of the portal (both sides)."""
from flask_wtf import FlaskForm


class Form(FlaskForm):
    """WTForms writes `required` on every field with a DataRequired or InputRequired validator.
    The portal's forms are `novalidate` (its own messages, in French, in an error summary), and
    Chromium then exposes every required radio, checkbox and select as invalid before anything
    is typed: a screen reader says « invalide » on a blank form. Here a required field says
    `aria-required="true"` instead (a radio group says it on its group, see the `radios`
    macro), and `aria-invalid="true"` only once it has an error. The CSRF token's hidden field
    has no id: a page with several forms had four `id="csrf_token"`."""

    class Meta:
        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":  # one per form: several on a page, no id
                return super().render_field(field, {**render_kw, "id": False})
            render_kw = {**render_kw, "required": False}
            if field.flags.required and field.type not in ("RadioField", "_Option"):
                render_kw.setdefault("aria-required", "true")
            if field.errors:
                render_kw.setdefault("aria-invalid", "true")
            return super().render_field(field, render_kw)
