"""Mes justificatifs: the pieces to provide, their upload and their statuses (R50–R56)."""
