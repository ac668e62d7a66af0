"""Pages anyone can read: home, Ouverture des services, help, accessibility, language."""
