"""Addresses of the phone sign-in and the public pages (included by fpa.activities.urls)."""

from django.urls import path

from fpa.activities.views import public, signin

urlpatterns = [
    # public: no account
    path("s/<str:code>/", signin.signin, name="signin"),
    path("calendar/", public.calendar, name="calendar"),
    path("news/", public.news_list, name="news_list"),
    path("news/<int:pk>/", public.news, name="news"),
    path("news/<int:pk>/photos/<int:photo>/", public.news_photo, name="news_photo"),
    # the organiser's
    path("<int:pk>/signin/", signin.signin_qr, name="signin_qr"),
    path("<int:pk>/signin/count/", signin.signin_count, name="signin_count"),
    path("<int:pk>/news/", public.news_edit, name="news_edit"),
    path("<int:pk>/news/withdraw/", public.news_withdraw, name="news_withdraw"),
]
