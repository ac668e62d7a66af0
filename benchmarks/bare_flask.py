"""The reference of benchmarks/deadline_day.py: what a page costs with Flask alone. One route
renders a page of about 3,5 Ko from an inline Jinja template (a title, a short list, a table),
no database, no session, no extension. Served with the portal's gunicorn settings:

    gunicorn -c gunicorn.conf.py --pythonpath benchmarks bare_flask:app
"""
from flask import Flask

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }} – Cyclades libre</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><p><a href="/">Cyclades libre</a></p></header>
<main id="main"><h1>{{ title }}</h1>
<p>Bonjour {{ name }}, voici l'état de vos candidatures pour la session {{ year }}.</p>
<ul>{% for item in items %}<li><a href="/inscription/{{ item.token }}">{{ item.label }}</a> :
<strong>{{ item.status }}</strong></li>{% endfor %}</ul>
<table><caption>Vos pièces justificatives</caption>
<thead><tr><th scope="col">Code</th><th scope="col">Pièce</th>
<th scope="col">Statut</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.code }}</td><td>{{ row.label }}</td>
<td>{{ row.status }}</td></tr>{% endfor %}</tbody></table>
</main><footer><p>Cyclades libre – portail des candidats individuels aux examens
professionnels.</p></footer></body></html>"""

ITEMS = [{"token": f"c{i:04d}", "label": f"Baccalauréat professionnel, spécialité n°{i}",
          "status": "Inscrite"} for i in range(12)]
ROWS = [{"code": f"PIECE{i:02d}", "label": "Document justifiant l'identité du candidat",
         "status": "À déposer"} for i in range(15)]


#: Compiled once, as Flask does for a template file (render_template_string would compile it
#: again on every request: about 2 ms here, most of what such a page costs).
TEMPLATE = app.jinja_env.from_string(PAGE)


@app.route("/")
def page():
    return TEMPLATE.render(title="Mon espace", name="Camille Martin", year=2027, items=ITEMS,
                           rows=ROWS)


if __name__ == "__main__":
    with app.test_client() as client:
        print(len(client.get("/").get_data()), "octets")
