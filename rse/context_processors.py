from django.conf import settings


def site(request):
    return {"SITE_NAME": "RSE", "DEBUG": settings.DEBUG}
