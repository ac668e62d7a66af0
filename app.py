"""Entry point for `flask --app app ...` and WSGI servers."""
from cyclades import create_app

app = create_app()
