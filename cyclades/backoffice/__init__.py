"""The gestionnaire side, under /gestion: apart from the candidates' at every level (its
blueprint, templates/backoffice/, its own login, session cookie and decorators: auth.py), on
the same database and operations."""
