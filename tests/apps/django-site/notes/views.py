import os

from django.http import HttpResponse, JsonResponse


def index(request):
    return JsonResponse({"service": "notes", "uid": os.getuid()})


def healthz(request):
    return HttpResponse("ok")
