"""Small helpers every domain may use: files, text, dates, spreadsheets, previews, the
centre scoping mechanism, redaction and the privacy provider framework. Nothing here
imports a Waymark app."""
