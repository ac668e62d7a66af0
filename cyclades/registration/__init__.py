"""M'inscrire: the tabs, Récapitulatif, Enregistrer, N° Inscription, Mes inscriptions."""
