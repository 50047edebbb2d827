"""The web application for a trial team (Django templates with htmx)."""
