import os

from django.http import Http404, HttpResponse, JsonResponse
from django.templatetags.static import static

RECIPES = {
    "shakshuka": {"title": "Shakshuka", "minutes": 30},
    "dal": {"title": "Red lentil dal", "minutes": 40},
}


def index(request):
    # static() reads the manifest collectstatic wrote: it fails if the build step did not run.
    return JsonResponse({"service": "cookbook", "recipes": sorted(RECIPES), "uid": os.getuid(),
                         "stylesheet": static("recipes/css/site.css")})


def recipe(request, slug):
    if slug not in RECIPES:
        raise Http404(slug)
    return JsonResponse(RECIPES[slug])


def healthz(request):
    return HttpResponse("ok")
