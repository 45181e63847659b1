"""All websocket routes. Like rse/urls.py, this is the composition root: it may name every app."""

from communities.routing import websocket_urlpatterns as communities_ws

websocket_urlpatterns = [*communities_ws]
