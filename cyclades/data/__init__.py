"""Reference data shipped with the portal, editable without code (TOML and text files)."""
