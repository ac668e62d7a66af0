"""What a browser sends, for the benchmarks' load generators: the deadline-day mix, a form's
fields as shown, a multipart body. Standard library only (imported before or after gevent's
patching alike)."""
import re
import uuid
from html.parser import HTMLParser

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TABS = ("identification", "informations", "qualification", "acquis", "epreuves")
#: What a candidate does on deadline day, and how often (relative weights). Each action is
#: what a browser sends for it, redirects followed as separate requests.
MIX = {"home": 20, "tab": 25, "suivant": 12, "justificatifs": 10, "board": 8, "upload": 3,
       "pdf": 4}
#: Requests each action sends (for the fixed-rate run: tasks per second from requests).
REQUESTS = {"home": 1, "tab": 1, "suivant": 3, "justificatifs": 2, "board": 1, "upload": 2,
            "pdf": 1}


def requests_per_action() -> float:
    return sum(MIX[k] * REQUESTS[k] for k in MIX) / sum(MIX.values())


# --- A form as the browser sends it --------------------------------------------------------------

class FormFields(HTMLParser):
    """The fields a browser would send for the form whose action is `action`: text, hidden,
    checked boxes and radios, selected options (the first when none is), textareas."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields = action, False, []
        self.select = self.select_first = self.textarea = None
        self.selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset", "image"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_first, self.selected = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.fields.append((self.select, value))
                self.selected = True
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            if not self.selected and self.select_first is not None:
                self.fields.append((self.select, self.select_first))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


def multipart(fields: dict, name: str, filename: str, data: bytes, mimetype: str):
    """(Content-Type, body) of a form with one file."""
    boundary = uuid.uuid4().hex
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                    f"{value}\r\n".encode() for key, value in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
             f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n').encode()
    return f"multipart/form-data; boundary={boundary}", head + data + \
        f"\r\n--{boundary}--\r\n".encode()
