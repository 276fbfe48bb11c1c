"""Blueprints: thin views that read the request, call a service, render the answer."""
