from django.conf import settings


def site(request):
    return {"SITE_NAME": "RSE", "DEBUG": settings.DEBUG, "WEBSOCKET_PORT": settings.WEBSOCKET_PORT}
