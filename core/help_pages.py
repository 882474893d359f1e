"""Help pages in the app: search syntax, naming templates, scanning, identification. The
naming page lists the tokens from `core.naming` itself, each with its value for a sample book,
so the help cannot drift from what templates accept."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.naming import PREDEFINED, SAMPLE_CONTEXT, TOKEN_NAMES, TOKENS, MissingMetadata, TemplateError
from core.naming import render as render_template

TOPICS = {
    "search": "Search syntax",
    "naming": "Naming templates",
    "scanning": "Scanning your library",
    "identification": "Identification and the review queue",
}


def _naming_context() -> dict:
    tokens = [(name, TOKENS[name.lower()][1], _sample(f"${{{name}}}")) for name in TOKEN_NAMES]
    templates = [(t.name, t.template, _sample(t.template)) for t in PREDEFINED]
    return {"tokens": tokens, "templates": templates, "sample_title": SAMPLE_CONTEXT.title}


def _sample(template: str) -> str:
    try:
        return str(render_template(template, SAMPLE_CONTEXT))
    except (TemplateError, MissingMetadata):  # the sample book has no value for it
        return ""


@require_GET
def help_index(request):
    return render(request, "help/index.html", {"topics": TOPICS})


@require_GET
def help_topic(request, topic: str):
    if topic not in TOPICS:
        raise Http404("No such help page")
    extra = _naming_context() if topic == "naming" else {}
    return render(request, f"help/{topic}.html", {"topics": TOPICS, "topic": topic, "title": TOPICS[topic], **extra})
